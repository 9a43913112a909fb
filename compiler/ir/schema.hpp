// compiler/ir: the checked schema, the one input every back end reads.
//
// sema fills it after every name is resolved, every type canonicalised and
// every CRDT rule applied; lowering (C++), WIT, JS/.d.ts and the schema JSON
// read it and never look at the AST. It is plain data: vectors in declaration
// order (the order files were loaded, then source order), names fully
// resolved, no pointers into the AST. A back end may assume that a schema
// produced without errors is consistent: every gene-ref names a gene in
// `genes`, every enum-ref an enum in `enums`, every field a strategy that fits
// its type, every constraint a target gene.
//
// Stability contract: this header is shared with other teams. Change it only
// additively (new fields with defaults, new enum values at the end).
//
// It depends on no other phase: expressions, statements and patterns have
// their own kinds here (the same names as the AST's, which sema maps one to
// one), so the AST can change without back ends noticing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "source/source.hpp"

namespace dolc::ir {

struct Version {
  uint32_t major = 0, minor = 0, patch = 0;
  std::string text;  // "1.2.3"; "" when no version was written
  bool present() const { return !text.empty(); }
};

// ----- Types ---------------------------------------------------------------

// A resolved, canonical type. Built-in spellings are unified by the checker:
// `String`->String, `Int`->Int{64,signed}, `UInt`->Int{64,unsigned},
// `Int32`->Int{32}, `Float`->Float{64}, `UUID`->Uuid, `Vec`/`Array`->List,
// `Optional`->Option. Aliases are expanded (an alias to an enum stays an Enum
// with the alias's name).
struct Type {
  enum class Kind {
    Error,      // could not be resolved (a diagnostic was reported); back ends never see it in a clean schema
    Unit,       // `()`
    Bool,
    Int,        // bits + is_signed
    Float,      // bits: 32 | 64
    String,
    Uuid,
    Timestamp,  // i64 milliseconds since the Unix epoch
    Identity,   // opaque string
    Bytes,
    RichText,
    Option,     // args[0]
    Set,        // args[0]
    List,       // args[0]
    Map,        // args[0] key, args[1] value
    Enum,       // name = qualified enum name ("" for an inline `enum { .. }`), variants
    Gene,       // name = qualified gene name
    Tuple,      // args = elements
    Result,     // args[0] ok, args[1] err (signatures only)
    Function,   // args = params then result (signatures only)
    TypeParam,  // name = the generic parameter (`T`) inside a generic gene/trait
    Self,       // `Self` inside a trait
    Opaque,     // a named type sema accepts but does not model (e.g. `Operation` in traits): name as written
  };
  Kind kind = Kind::Error;
  int bits = 0;                        // Int: 8/16/32/64; Float: 32/64
  bool is_signed = true;               // Int
  std::vector<Type> args;
  std::string name;                    // Enum / Gene / TypeParam / Opaque
  std::vector<std::string> variants;   // Enum

  // Canonical spelling used in messages and JSON: `i64`, `u8`, `f64`,
  // `string`, `bool`, `Uuid`, `Timestamp`, `Identity`, `Bytes`, `RichText`,
  // `Option<T>`, `Set<T>`, `List<T>`, `Map<K, V>`, `(A, B)`, `()`,
  // `Result<T, E>`, `Fun<A, R>`, gene/enum names, `enum { A, B }`.
  std::string canonical() const;
  bool is_integer() const { return kind == Kind::Int; }
  bool is_numeric() const { return kind == Kind::Int || kind == Kind::Float; }
  // A scalar replaced as a whole (lww fits): bool, numbers, string, uuid,
  // timestamp, identity, bytes, enums.
  bool is_scalar() const;

  static Type make(Kind k) { Type t; t.kind = k; return t; }
  static Type integer(int bits, bool is_signed) { Type t; t.kind = Kind::Int; t.bits = bits; t.is_signed = is_signed; return t; }
  static Type floating(int bits) { Type t; t.kind = Kind::Float; t.bits = bits; return t; }
  static Type of(Kind k, std::vector<Type> args) { Type t; t.kind = k; t.args = std::move(args); return t; }
  static Type gene(std::string qualified) { Type t; t.kind = Kind::Gene; t.name = std::move(qualified); return t; }
};

bool operator==(const Type& a, const Type& b);
inline bool operator!=(const Type& a, const Type& b) { return !(a == b); }

// ----- Expressions ---------------------------------------------------------

// A method body, default, `where`, constraint or migration expression: the
// shape of the source expression (kind, text, children...) plus what the
// checker resolved. `type` is Error when sema could not tell (the expression
// language is larger than what sema types; see `resolved`).
struct Stmt;
struct MatchArm;

struct Expr {
  // What the fields below hold for each kind.
  enum class Kind {
    Int,        // text = literal as written (0x.., _ separators kept), int_value parsed
    Float,      // text = literal
    String,     // text = decoded value (escapes resolved)
    Bool,       // text = "true" | "false"
    Name,       // text = identifier (incl. `this`, `self`, `old`, `None`)
    Path,       // text = `A::b` joined with "::"
    Field,      // children[0].text ; text = field name
    Call,       // children[0] = callee, children[1..] = args; arg_names[i] = "" or named-arg name (per arg)
    MethodCall, // children[0] = receiver, children[1..] = args; text = method name; arg_names as Call
    Index,      // children[0][children[1]]
    Unary,      // text = "-" | "!" ; children[0]
    Binary,     // text = operator: + - * / % == != < <= > >= && || implies in .. ..= |>
    Assign,     // text = "=" | "+=" | "-=" | "*=" | "/=" ; children[0] = target, children[1] = value
    If,         // children: cond, then(Block), [else(Block or If)]
    Match,      // children[0] = scrutinee; arms
    Block,      // stmts; value = last expression statement
    StructLit,  // text = type name; children = field values; arg_names[i] = field name per child
    ListLit,    // children = elements
    MapLit,     // children = k0, v0, k1, v1, ...
    TupleLit,   // children = elements (Unit when empty)
    Closure,    // params = parameter names; children[0] = body
    Cast,       // children[0] as cast_type
    Try,        // children[0]?
    Quantifier, // text = "forall" | "exists"; params[0] = bound var; cast_type = its type; children[0] = body
    Opaque,     // meta-programming (`quote`, `!(...)`) kept as text, or what sema hides from lowering
  };
  // What a Name / Field / Call refers to, when the checker knows.
  enum class Ref {
    None,
    SelfValue,     // `this` / `self`
    OldValue,      // `old` inside a migration
    GeneField,     // `this.f`, `self.f`, `old.f`, or a bare `f` inside a gene: field = f, field_index = index in Gene::fields
    Param,         // a method parameter: text
    Local,         // a `let`, `for`, closure or match binding
    EnumVariant,   // `Status::Done` or a bare variant: enum_name, text = variant
    Builtin,       // a built-in function (`from_text`, `now`, `Some`, `Ok`, ...)
    Method,        // a call of another method of the same gene
    Const,         // a top-level const
  };
  Kind kind = Kind::Name;
  Span span;
  std::string text;
  int64_t int_value = 0;
  std::vector<Expr> children;
  std::vector<std::string> arg_names;
  std::vector<std::string> params;
  std::optional<Type> cast_type;       // Cast / Quantifier bound type
  std::vector<Stmt> stmts;             // Block
  std::vector<MatchArm> arms;          // Match

  Type type;                           // resolved type, Error when unknown
  Ref ref = Ref::None;
  std::string field;                   // GeneField: the field name
  int field_index = -1;                // GeneField: index into the owning Gene::fields
  std::string enum_name;               // EnumVariant
};

// A match arm's pattern, as written.
struct Pattern {
  enum class Kind { Wildcard, Literal, Binding, Variant, Tuple };
  Kind kind = Kind::Wildcard;
  std::string text;                    // literal text, binding name, or variant path (`Status::Done`, `Some`)
  std::vector<Pattern> sub;            // Variant(x, y) / tuple elements
  Span span;
};

struct MatchArm {
  Pattern pattern;
  std::optional<Expr> guard;
  Expr body;
  Span span;
};

struct Stmt {
  enum class Kind {
    Let,       // name, optional declared_type, optional value (expr), is_mut
    Expr,      // expr (assignments are Expr::Assign)
    Return,    // optional value
    Break, Continue,
    For,       // name = loop variable, expr = iterable, body
    While,     // expr = condition, body
    Loop,      // body
  };
  Kind kind = Kind::Expr;
  Span span;
  std::string name;
  bool is_mut = false;
  std::optional<Type> declared_type;
  std::optional<Expr> expr;
  std::vector<Stmt> body;
};

// ----- CRDT strategies -----------------------------------------------------

// One enumerator per row of strategies.def, valued by its `id` column (the
// values are the contract: rows are added with the next id). Everything else
// about a strategy is in ir/strategies.hpp.
enum class Strategy {
#define DOLC_STRATEGY(e, id, name, fits, writes, holds, once, adds, sequence, summary) e = id,
#include "ir/strategies.def"
};
const char* strategy_name(Strategy s);  // "immutable", "lww", "mv_register", "or_set", "pn_counter", "rga", "peritext"
std::optional<Strategy> strategy_from_name(const std::string& name);

enum class TieBreak { ActorId, ContentHash };
enum class Overflow { Saturate, Wrap, Error };
enum class Formatting { Plain, Markdown, Full };
const char* tie_break_name(TieBreak t);     // "actor_id" | "content_hash"
const char* overflow_name(Overflow o);      // "saturate" | "wrap" | "error"
const char* formatting_name(Formatting f);  // "plain" | "markdown" | "full"

// Typed options; only those the strategy takes can be set (sema rejects the
// rest). Unset options hold the documented default and `*_set` says whether
// the schema wrote them.
struct CrdtOptions {
  TieBreak tie_break = TieBreak::ActorId;       // lww
  bool tie_break_set = false;
  std::optional<int64_t> min_value, max_value;  // pn_counter
  Overflow overflow_strategy = Overflow::Saturate;  // pn_counter
  bool overflow_strategy_set = false;
  Formatting formatting = Formatting::Full;     // peritext
  bool formatting_set = false;
  std::optional<int64_t> max_length;            // peritext
  bool append_only = false;                     // rga: elements only appended, never deleted or moved
  bool remove_wins = false;                     // or_set `bias="remove"` (default `add`)
  bool escrow = false;                          // pn_counter: bounded counter keeping `min_value` (rights)
};

// ----- Declarations --------------------------------------------------------

struct Field {
  std::string name;
  Span span, name_span, type_span;
  Span annotation_span;                // the `@crdt(...)`; invalid when defaulted
  Type type;
  Strategy strategy = Strategy::Lww;
  bool strategy_explicit = false;      // false: no @crdt, defaulted to lww (or nested gene merge)
  // True when the field's type is a gene without @crdt: the nested document
  // merges field by field by its own annotations (crdt.md, notes).
  bool nested_gene = false;
  CrdtOptions options;
  bool personal = false;               // @personal
  std::string inherited_from;          // qualified name of the ancestor declaring it; "" for own fields
  std::optional<Expr> default_value;   // `= expr` or @default(expr)
  std::optional<Expr> where;           // per-field invariant (type bool)
  std::string docs;
};

struct Param {
  std::string name;
  Type type;
  Span span;
};

struct Method {
  std::string name;
  Span span, name_span;
  std::vector<std::string> type_params;
  std::vector<Param> params;
  Type result = Type::make(Type::Kind::Unit);
  bool is_sex = false;
  bool is_extern = false;
  std::optional<Expr> body;            // a Block; absent for signatures / extern
  std::string from_impl;               // trait name when it came from `impl Trait for Gene`, or is a trait's
                                       // default body the gene inherits (checked against the gene); "" otherwise
  std::vector<std::string> mutated_fields;  // gene fields the body assigns or calls mutating methods on
  std::string docs;
};

struct Gene {
  std::string name;                    // as declared, e.g. "board.card" (this is the name others use)
  std::string module;                  // the file's `module` name, "" if none
  Span span, name_span;
  Version version;
  std::string docs;
  std::string extends;                 // resolved qualified parent gene name, "" if none
  std::vector<std::string> traits;     // resolved trait names (header `is` and `x is trait` sentences)
  std::vector<std::string> type_params;
  std::vector<Field> fields;           // inherited fields first (marked), then own, in declaration order
  std::vector<Method> methods;         // own methods, then impl methods in source order
  std::vector<std::string> constraints;  // names of Schema::constraints that target this gene
  std::vector<std::vector<std::string>> sentences;  // documentation-level facts
  bool from_stdlib = false;            // declared in stdlib-dol
  const Field* field(const std::string& n) const {
    for (const auto& f : fields) if (f.name == n) return &f;
    return nullptr;
  }
};

struct Enum {                          // `type X = enum {..}` or `gen X { enum {..} }`
  std::string name;
  Span span;
  std::vector<std::string> variants;
  std::string docs;
};

struct Alias {                         // `type Id = Uuid` (enum aliases are in Schema::enums)
  std::string name;
  Span span;
  Type target;
  std::string docs;
};

struct Trait {
  std::string name;
  Span span;
  Version version;
  std::vector<std::string> uses;       // resolved trait names
  std::vector<Method> methods;         // signatures (body when the trait gives a default)
  std::string docs;
  // Declared in stdlib-dol: the standard traits (Syncable, OfflineCapable)
  // describe what every generated document offers through its built-in API,
  // so no gene method implements them and no output declares them.
  bool from_stdlib = false;
};

enum class ViolationPolicy { RejectOperation, FlagForReview, AutoAdjust };
const char* violation_policy_name(ViolationPolicy p);  // "reject_operation" | ...

struct ConstraintClause {
  enum class Kind {
    NeverChanges,  // `field` is set once
    Invariant,     // a boolean expression over the gene's fields: `expr` (always set);
                   // for the `f always OP rhs` form also `field` (when lhs is a plain field), `op`, `lhs`, `rhs`
    Predicate,     // a sentence kept as a named predicate (`words`), documentation only
  };
  Kind kind = Kind::Predicate;
  Span span;
  std::string field;
  std::string op;
  std::optional<Expr> lhs, rhs;
  std::optional<Expr> expr;            // Invariant: the whole condition, type bool
  std::vector<std::string> words;
  // Invariants merging keeps by itself (immutability, a lower bound on a
  // grow-only value...) need no check; the others are compiled into checks at
  // operation time and after each merge.
  bool needs_runtime_check = false;
  bool needs_coordination = false;     // merging alone cannot keep it (constraint-needs-coordination was reported)
};

struct Constraint {
  std::string name;                    // as declared ("account.solvency"); inline ones: "<gene>.<name>"
  Span span;
  std::string gene;                    // resolved target gene ("" only if unresolved, with an error)
  bool is_inline = false;              // written inside the gene
  Version version;
  // Default when `on_violation:` is absent: reject_operation (the local
  // operation is refused; merges that still break it are recorded as for
  // flag_for_review).
  ViolationPolicy on_violation = ViolationPolicy::RejectOperation;
  bool on_violation_explicit = false;
  std::vector<ConstraintClause> clauses;
  std::string docs;
};

struct Requirement {
  std::string name;                    // resolved gene (or system) name
  std::string op;                      // ">=", ">", "=", "" (any version)
  Version version;
  Span span;
};

struct System {
  std::string name;
  Span span;
  Version version;
  std::vector<Requirement> requires_;
  std::vector<std::string> genes;      // `genes:` as resolved
  std::vector<std::string> traits;
  // sync_policy entries in source order, values as written ("eager", "100").
  std::vector<std::pair<std::string, std::string>> sync_policy;
  std::vector<Param> state;
  // Every gene the system's module contains: required, then listed, then
  // genes nested in their fields (and parents), transitively, each once, in
  // that order.
  std::vector<std::string> compiled_genes;
  std::string docs;
};

struct EvolutionChange {
  enum class Kind { Adds, Removes, Renames, ChangesStrategy, ChangesType, Deprecates, Sentence };
  // How crdt.md's table classifies the change.
  enum class Safety { Safe, NeedsMigration, Unsafe };
  Kind kind = Kind::Sentence;
  Span span;
  std::string field;                   // the field named (old name for Renames)
  std::string new_name;                // Renames
  std::optional<Field> added;          // Adds: the new field, fully checked
  std::optional<Strategy> from_strategy, to_strategy;  // ChangesStrategy; nullopt = "no @crdt"
  std::optional<Type> from_type, to_type;              // ChangesType
  Safety safety = Safety::Safe;
  bool has_migration = false;
  std::vector<std::string> words;      // Sentence
};

struct Migration {
  std::string field;
  Expr body;                           // `old` refers to the previous version's document
  Span span;
};

struct Evolution {
  std::string name;                    // as written
  Span span;
  std::string gene;                    // resolved target gene ("" when the target is not declared)
  Version from_version, to_version;
  std::string from_name;               // 2.0 form: `evolution UserV2 from UserV1`
  std::vector<EvolutionChange> changes;
  std::vector<Migration> migrations;
  std::string because;
  std::vector<std::pair<std::string, std::string>> meta;  // migration_id, actor_id, timestamp... as written
  std::string docs;
};

struct Use {
  std::string path;
  std::vector<std::string> items;
  bool is_external = false;            // @org/pkg: recorded, never fetched
  std::string resolved_file;           // the file loaded for it ("" when external or not found)
};

struct Module {
  std::string name;                    // `module` line, "" if none
  Version version;
  std::string file;                    // path as loaded
  bool is_root = false;                // named on the command line
  bool is_stdlib = false;
  std::vector<Use> uses;
};

struct Schema {
  std::vector<Module> modules;         // roots first, then imports in load order
  std::vector<Gene> genes;
  std::vector<Enum> enums;
  std::vector<Alias> aliases;
  std::vector<Trait> traits;
  std::vector<Constraint> constraints;
  std::vector<System> systems;
  std::vector<Evolution> evolutions;
  // Older declarations of a gene, kept when one check run declares a gene at
  // several versions and its `evo` chain links them (evolution-checks.md).
  // The newest declaration is the gene (in `genes`, and the only one any name
  // resolves to); each entry here is a fully checked Gene with the same
  // `name` and an older `version`, its fields and strategies as declared
  // (methods are not checked or kept: `methods` is empty; `constraints` too).
  // Ordered as their genes in `genes`, then by version, oldest first; only
  // versions the chain passes through (an `evo` starts there) are kept, so
  // each entry's version is the from-version of one Evolution of the gene.
  // Back ends may ignore it; nothing in `genes`, constraints or systems
  // refers to these entries. An older declaration no `evo` links is
  // reported (duplicate-declaration) and left out.
  std::vector<Gene> gene_versions;

  // Linear lookups for back ends (sema uses its own hash indexes).
  const Gene* find_gene(const std::string& name) const {
    for (const auto& g : genes) if (g.name == name) return &g;
    return nullptr;
  }
  const Enum* find_enum(const std::string& name) const {
    for (const auto& e : enums) if (e.name == name) return &e;
    return nullptr;
  }
  const Trait* find_trait(const std::string& name) const {
    for (const auto& t : traits) if (t.name == name) return &t;
    return nullptr;
  }
};

}  // namespace dolc::ir
