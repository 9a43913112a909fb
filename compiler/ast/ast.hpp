// compiler/ast: dolc's own syntax tree, the parse phase's only output.
//
// ANTLR stays inside compiler/parse; everything after it reads these plain
// structs. Every node carries a Span. The three DOL dialects map onto one
// tree: `gen`/`gene`/`type`, `rule`/`constraint`, `evo`/`evolves`/`evolution`
// and `docs`/`exegesis` are the same nodes; the spelling used is kept only
// where a tool (dolc fmt) may want it. Names are stored as written; type name
// canonicalisation (`String` -> string, `Int` -> i64) is the checker's job.
//
// Expressions and statements use one generic node each (a kind plus
// children) rather than a class per construct: the expression language is
// large (language.md, "The rest of DOL") and most of it is only checked, not
// compiled, so a uniform shape keeps the parser and the checker simple.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "source/source.hpp"

namespace dolc::ast {

// A dotted name as written (`message.chat`), with its span.
struct QualifiedName {
  std::string text;
  Span span;
};

struct Version {  // 1.2.3
  uint32_t major = 0, minor = 0, patch = 0;
  std::string text;  // as written, e.g. "1.2.3"
  Span span;
};

// ----- Types ---------------------------------------------------------------

struct TypeRef {
  enum class Kind {
    Named,     // `string`, `Map<K,V>`, `message.chat`, `Self`
    Tuple,     // `(A, B)`
    Unit,      // `()`
    Enum,      // `enum { A, B }` written inline
    Function,  // `Fun<A, B>` / `(A) -> B` in signatures: args = params then result
  };
  Kind kind = Kind::Named;
  std::string name;              // Named: the (qualified) name as written
  std::vector<TypeRef> args;     // generic arguments / tuple elements
  std::vector<std::string> enum_variants;  // Enum
  Span span;
};

// ----- Expressions ---------------------------------------------------------

struct Stmt;
struct MatchArm;

struct Expr {
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
    Binary,     // text = operator: + - * / % == != < <= > >= && || implies .. ..= |>
    Assign,     // text = "=" | "+=" | "-=" | "*=" | "/=" ; children[0] = target, children[1] = value
    If,         // children: cond, then(Block), [else(Block or If)]
    Match,      // children[0] = scrutinee; arms
    Block,      // stmts; value = last expression statement
    StructLit,  // text = type name; children = field values; field_names[i] per child
    ListLit,    // children = elements
    MapLit,     // children = k0, v0, k1, v1, ...
    TupleLit,   // children = elements (Unit when empty)
    Closure,    // params = parameter names; children[0] = body
    Cast,       // children[0] as type
    Try,        // children[0]?
    Quantifier, // text = "forall" | "exists"; params[0] = bound var; type = its type; children[0] = body
    Opaque,     // meta-programming (`quote`, `!(...)`) kept as text
  };
  Kind kind = Kind::Name;
  Span span;
  std::string text;
  int64_t int_value = 0;                 // Int (saturated if it overflows; the checker reports)
  std::vector<Expr> children;
  std::vector<std::string> arg_names;    // Call/MethodCall named args, StructLit field names
  std::vector<std::string> params;       // Closure / Quantifier
  std::optional<TypeRef> type;           // Cast / Quantifier
  std::vector<Stmt> stmts;        // Block
  std::vector<MatchArm> arms;     // Match
};

struct Pattern {
  enum class Kind { Wildcard, Literal, Binding, Variant, Tuple };
  Kind kind = Kind::Wildcard;
  std::string text;                // literal text, binding name, or variant path (`Status::Done`, `Some`)
  std::vector<Pattern> sub;        // Variant(x, y) / tuple elements
  Span span;
};

struct MatchArm {
  Pattern pattern;
  std::optional<Expr> guard;       // `if cond`
  Expr body;
  Span span;
};

struct Stmt {
  enum class Kind {
    Let,       // name, optional type, optional value (children: value), is_mut
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
  std::optional<TypeRef> type;
  std::optional<Expr> expr;        // Let value, Expr, Return value, For iterable, While condition
  std::vector<Stmt> body;          // For / While / Loop
  std::optional<Pattern> pattern;  // Let: `let (a, b) = e` destructures (then name is empty)
};

// ----- Annotations ---------------------------------------------------------

struct AnnotationArg {
  std::string key;                 // "" for positional arguments (the strategy)
  Expr value;                      // strategy names parse as Expr::Name
  Span span;
};

struct Annotation {
  std::string name;                // "crdt", "personal", "default", "version", or an attribute name
  bool is_attribute = false;       // written `#[name(args)]`
  std::vector<AnnotationArg> args;
  Span span;                       // the whole `@crdt(...)`
};

// ----- Declarations --------------------------------------------------------

enum class Visibility { Private, Pub, PubCrate, PubSpirit, PubParent };

struct Docs {
  std::string text;                // body without the outer braces, trimmed
  Span span;
};

struct Param {
  std::string name;
  TypeRef type;
  Span span;
};

struct Function {                  // `fun`/`fn` in genes, traits, impls, top level
  std::string name;
  Span span, name_span;
  Visibility visibility = Visibility::Private;
  bool is_sex = false;             // `sex fun`: side-effecting
  bool is_extern = false;          // `sex extern fun`: host-provided, no body
  std::vector<std::string> type_params;
  std::vector<Param> params;
  std::optional<TypeRef> result;
  std::optional<Expr> body;        // Expr::Block; absent for signatures
  std::optional<Docs> docs;
};

struct Field {
  std::string name;
  Span span, name_span;
  bool has_keyword = false;        // written `has name: T` (v0.8)
  TypeRef type;
  std::optional<Expr> default_value;   // `= expr` (an @default(expr) stays in annotations)
  std::optional<Expr> where;           // `where expr`
  std::vector<Annotation> annotations; // before and after the field, in source order
  std::optional<Docs> docs;
};

// A v0.x property sentence: `container has identity`, `x is running`,
// `column_order has no_duplicates`. Carried as documentation-level facts.
struct Sentence {
  std::vector<std::string> words;  // as written, e.g. {"container","has","identity"}
  Span span;
};

struct ConstraintItem {
  enum class Kind {
    NeverChanges,  // `subject never changes field`: subject, field
    Always,        // `field always OP expr`: field (an Expr), op, rhs
    Require,       // `require: expr` (2.0) or a bare boolean expression: expr
    OnViolation,   // `on_violation: policy`: word = policy
    Sentence,      // anything else: words
  };
  Kind kind = Kind::Sentence;
  Span span;
  std::string subject;             // NeverChanges
  std::string field;               // NeverChanges field name
  std::string op;                  // Always: >= <= > < == !=
  std::optional<Expr> lhs;         // Always: left side
  std::optional<Expr> expr;        // Always rhs, Require expr
  std::string word;                // OnViolation policy
  std::vector<std::string> words;  // Sentence
};

struct Constraint {
  std::string name;                // qualified, e.g. "account.solvency"
  Span span, name_span;
  Visibility visibility = Visibility::Private;
  std::optional<QualifiedName> on; // `on Gene`
  std::optional<Version> version;
  std::vector<ConstraintItem> items;
  std::optional<Docs> docs;
  std::string keyword;             // "constraint" | "rule"
};

struct Gene {
  std::string name;
  Span span, name_span;
  Visibility visibility = Visibility::Private;
  std::string keyword;             // "gen" | "gene" | "type"
  std::optional<Version> version;
  std::optional<QualifiedName> extends;
  std::vector<QualifiedName> traits;           // `is a, b` in header and `x is trait` sentences resolved later
  std::vector<std::string> type_params;
  std::vector<Field> fields;
  std::vector<Function> methods;
  std::vector<Constraint> constraints;         // inline `rule`/`constraint`
  std::vector<Sentence> sentences;
  std::vector<Annotation> annotations;         // `@version(n)` etc. before the gene
  std::optional<std::vector<std::string>> enum_variants;  // `gen Status { enum { A, B } }`
  std::optional<Docs> docs;
  // The declaration had a syntax error: only its header is known (name,
  // version), so the checker reports nothing about its missing members.
  bool incomplete = false;
};

struct TypeAlias {                 // `type Status = enum { ... }` / `type Id = Uuid`
  std::string name;
  Span span, name_span;
  Visibility visibility = Visibility::Private;
  TypeRef type;
  std::optional<Docs> docs;
};

struct Trait {
  std::string name;
  Span span, name_span;
  Visibility visibility = Visibility::Private;
  std::optional<Version> version;
  std::vector<QualifiedName> uses;
  std::vector<Function> methods;
  std::vector<Sentence> sentences;
  std::optional<Docs> docs;
};

struct Requirement {               // `requires message.chat >= 1.0.0`
  QualifiedName name;
  std::string op;                  // ">=", ">", "=", "" (no version)
  std::optional<Version> version;
  Span span;
};

struct KeyValue {                  // sync_policy entries, evolution metadata, spirit `has k: v`
  std::string key;
  Expr value;                      // words like `eager` are Expr::Name
  Span span;
};

struct System {
  std::string name;
  Span span, name_span;
  Visibility visibility = Visibility::Private;
  std::optional<Version> version;
  std::vector<Requirement> requires_;
  std::vector<QualifiedName> genes;
  std::vector<QualifiedName> traits;
  std::vector<KeyValue> sync_policy;
  std::vector<Param> state;        // `state name: Type`
  std::vector<Sentence> sentences;
  std::optional<Docs> docs;
};

struct EvolutionItem {
  enum class Kind {
    Adds,        // field (annotations included)
    Removes,     // name
    Renames,     // name -> new_name
    Changes,     // name from `from` to `to` (annotations, either may be absent: "no @crdt")
    Deprecates,  // name
    Migrate,     // name { expr }
    Because,     // text
    Meta,        // key: value (migration_id, actor_id, timestamp, ...)
    Sentence,    // documentation-level change
  };
  Kind kind = Kind::Sentence;
  Span span;
  std::string name, new_name;
  std::optional<Field> field;
  std::optional<Annotation> from, to;
  std::optional<TypeRef> from_type, to_type;  // `changes f from T to U` type changes
  std::optional<Expr> expr;        // Migrate body / Meta value
  std::string text;                // Because text / Meta key
  std::vector<std::string> words;  // Sentence
};

struct Evolution {
  std::string name;                // the gene evolved (v0.8 form) or the new name (2.0 form)
  Span span, name_span;
  Visibility visibility = Visibility::Private;
  std::optional<Version> to_version;    // `evo x @ 1.1.0 > 1.0.0`: 1.1.0
  std::optional<Version> from_version;  // 1.0.0
  std::optional<QualifiedName> from_name; // `evolution UserV2 from UserV1`
  std::vector<EvolutionItem> items;
  std::optional<Docs> docs;
};

struct Impl {                      // `impl Trait for Gene { fun ... }`
  QualifiedName trait, gene;
  Span span;
  std::vector<Function> methods;
};

struct Const {
  std::string name;
  Span span, name_span;
  Visibility visibility = Visibility::Private;
  std::optional<TypeRef> type;
  Expr value;
};

// Declarations read but not compiled: spirit, config, test, mod headers,
// standalone docs. Kept so that `dolc build` can warn `not-compiled`.
struct OtherDecl {
  std::string kind;                // "spirit" | "config" | "test" | "mod" | "docs"
  std::string name;
  Span span;
  std::vector<KeyValue> entries;   // spirit `has k: v`, config entries
};

struct Use {
  std::string path;                // module path or `@org/pkg`, `@git:...`, `@https:...`
  std::vector<std::string> items;  // `{ A, B }`; empty for a single path (then the last segment is the item)
  bool is_external = false;        // @-sources: recorded, never fetched
  bool is_glob = false;            // `use a.b.*`: every public name of module a.b
  bool is_local = false;           // `use local::lib::X` (Rust-style `::` path; path holds it dotted)
  Visibility visibility = Visibility::Private;  // `pub use` re-exports
  Span span;
};

struct File {
  FileId file = kNoFile;
  std::optional<QualifiedName> module;
  std::optional<Version> module_version;
  std::vector<Use> uses;
  // Declarations by kind, each vector in source order. Contents of
  // `mod name { ... }` are flattened here with their names prefixed `name.`.
  std::vector<Gene> genes;
  std::vector<TypeAlias> aliases;
  std::vector<Trait> traits;
  std::vector<Constraint> constraints;
  std::vector<System> systems;
  std::vector<Evolution> evolutions;
  std::vector<Impl> impls;
  std::vector<Const> consts;
  std::vector<Function> functions;
  std::vector<OtherDecl> others;
};

}  // namespace dolc::ast
