// compiler/lower: the export table of a generated module.
//
// Computed once from the checked schema (ir::Schema), it lists, per compiled
// gene, every function the core WebAssembly module exports: its WIT name and
// signature, the canonical-ABI core signature, the exported symbol name, and
// what the function does (an ApiOp plus the field or method it acts on). The
// C++ lowering (lower/cpp.cpp), the WIT emitter, the JS emitter and the .d.ts
// emitter all read this table and nothing else for the shape of the API, so
// they cannot disagree. docs/generated-api.md describes it for users.
//
// Shape (see docs/generated-api.md):
//  * package `dol:NAME@VERSION`, one interface per compiled gene (kebab-case
//    gene name) holding a resource `document` (one replica of one root
//    object of that gene) and the enums its fields use;
//  * document-level functions: constructor(actor), actor, version,
//    changes-since, apply, merge, save, load, to-json, violations,
//    migration-conflicts, pending, drop-pending, transaction-begin /
//    -commit / -abort;
//  * per field of the root gene and of every gene nested in it (fields of gene
//    type, gene elements of rga lists, gene values of or_set maps), one method
//    per operation, named `[<gene>-]<field>-<op>`; each takes `path:
//    list<u8>` first, the runtime path of the object the field belongs to
//    (empty for the root object), so nesting depth is unbounded;
//  * gene methods (`fun`) whose bodies lower (lower/methods.cpp): the root
//    gene's as `call-<method>`, each nested gene's as
//    `<gene>-call-<method>` taking the object's `path` first.
// Mutating operations return `result<_, string>` (the runtime's message on
// refusal); reads on a path that does not lead to an object return the
// type's empty value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/schema.hpp"
#include "source/source.hpp"

namespace dolc::lower {

// The subset of WIT types the generated API uses.
struct WitType {
  enum class Kind { Bool, S8, S16, S32, S64, U8, U16, U32, U64, F32, F64, String, List, Option, Result, Enum, Record };
  Kind kind = Kind::Bool;
  // List: {element}; Option: {inner}; Result: {} or {ok} (err is always string);
  // Record: the field types, in declaration order.
  std::vector<WitType> args;
  std::string name;                 // Enum / Record: WIT label of the type
  std::vector<std::string> cases;   // Enum: WIT labels of the cases; Record: WIT labels of the fields
  std::string gene;                 // Record: the gene whose value it is (qualified DOL name)

  std::string wit() const;          // as written in a .wit file
  static WitType of(Kind k, std::vector<WitType> args = {}) { WitType t; t.kind = k; t.args = std::move(args); return t; }
  static WitType bytes() { return of(Kind::List, {of(Kind::U8)}); }
  static WitType result_unit() { return of(Kind::Result); }
  bool is_integer() const { return kind >= Kind::S8 && kind <= Kind::U64; }
};
bool operator==(const WitType& a, const WitType& b);

// Core wasm value types of the canonical ABI flattening.
enum class CoreType { I32, I64, F32, F64 };
const char* core_type_name(CoreType t);  // "i32", ...

// Canonical ABI facts (Component Model CanonicalABI.md) for WitType.
std::vector<CoreType> flatten(const WitType& t);
uint32_t abi_size(const WitType& t);
uint32_t abi_align(const WitType& t);
std::vector<uint32_t> record_offsets(const WitType& t);  // byte offset of each record field

// What an exported function does; the C++ lowering implements each.
enum class ApiOp {
  // document
  Construct, Destroy, Actor, Version, ChangesSince, Apply, Merge, Save, Load, ToJson, Violations, MigrationConflicts, Pending, DropPending,
  TransactionBegin, TransactionCommit, TransactionAbort,
  TakeEvents,  // change events recorded since the last call (JSON); turns recording on/off
  // immutable / lww
  RegisterGet, RegisterSet,
  // mv_register
  MvValues, MvSet,
  // or_set on Set<T>
  SetHas, SetValues, SetSize, SetAdd, SetRemove,
  // or_set on Map<K,V>
  MapHas, MapGet, MapKeys, MapSet, MapDelete, MapSetNew /* gene value: create */, MapChild /* gene value: path */,
  // pn_counter
  CounterValue, CounterIncrement, CounterDecrement,
  // rga
  ListLength, ListGet, ListInsert, ListInsertNew /* gene element */, ListChild /* gene element: path */,
  ListDelete, ListMove,
  // peritext
  TextLength, TextString, TextInsert, TextDelete, TextMark, TextUnmark, TextSpans,
  // a field of gene type merged field by field: the nested object's path
  NestedChild,
  // a gene method
  MethodCall,
  // cursors on rga and peritext fields (`<field>-cursor`, `<field>-cursor-position`)
  Cursor, CursorPosition,
  // undo and redo of the document's own local operations
  UndoManager, UndoStopCapturing, Undo, Redo, CanUndo, CanRedo,
  // rga append_only=true: `append` / `append-new` replace insert (no delete, no move)
  ListAppend, ListAppendNew,
  // pn_counter escrow=true: this replica's rights, and moving rights to another actor
  CounterRights, CounterTransfer,
  // @personal fields: the subject keys that seal and open their values (only
  // in interfaces whose genes have such fields)
  PersonalKeySet, PersonalKeyForget, PersonalSubjectSet, PersonalSubjectGet,
};
const char* api_op_name(ApiOp op);  // stable lower_snake name, e.g. "register_get"

struct ApiParam {
  std::string label;  // WIT label
  WitType type;
};

// A gene method that a method's body calls (lower/methods.cpp).
struct MethodCallee {
  const ir::Gene* gene = nullptr;     // the callee's gene
  const ir::Method* method = nullptr;
  bool other_object = false;          // called on an object other than the caller's own (`acc.m()`)
};

struct ApiFunction {
  enum class Kind { Constructor, Method, Destructor /* core-only: `[dtor]document` */ };
  Kind kind = Kind::Method;
  std::string label;                 // WIT label: "likes-increment", "column-title-set", "call-like"
  ApiOp op = ApiOp::Actor;
  std::vector<ApiParam> params;      // without the implicit `self`
  bool has_result = false;
  WitType result;
  // What the op acts on (field ops, methods).
  const ir::Gene* gene = nullptr;    // the gene owning the field / method
  int field_index = -1;              // index into gene->fields
  const ir::Method* method = nullptr;
  std::vector<MethodCallee> calls;   // MethodCall: gene methods its body calls
  std::string gene_prefix;           // "" for the root gene's fields, else the nested gene's label
  std::string field_label;           // WIT label of the field ("" for document ops)
  std::string op_label;              // the op part of the label ("increment")
  // Canonical ABI.
  std::string export_name;           // "dol:chat/message-chat@0.1.0#[method]document.likes-increment"
  std::vector<CoreType> core_params; // including self (i32) for methods
  std::vector<CoreType> core_results;  // at most one; results that flatten to more go through a return area (i32)
  bool result_in_memory = false;     // true: the core function returns a pointer to the result
};

// A gene whose fields some interface exposes (the root gene or a nested one).
struct ApiGene {
  const ir::Gene* gene = nullptr;
  std::string label;                 // WIT label of the gene ("message-chat")
  std::string prefix;                // "" for the interface's root gene, else label
  // Fields exposed, by index into gene->fields, in declaration order.
  std::vector<int> fields;
  // Each field's stable key in the bytes (by index into gene->fields; see
  // ir/layouts.hpp): what survives renames, for tools comparing versions.
  std::vector<std::string> field_keys;
};

struct ApiEnum {
  std::string label;                 // WIT label
  std::vector<std::string> cases;    // WIT labels
  std::vector<std::string> variants; // DOL spellings, same order
};

// A gene used as a value (an element of a Set, a register holding a whole
// gene): a WIT record of its fields' values.
struct ApiRecord {
  std::string label;                 // WIT label
  const ir::Gene* gene = nullptr;
  WitType type;                      // Kind::Record
};

struct ApiInterface {
  const ir::Gene* gene = nullptr;    // the root gene
  std::string label;                 // WIT label of the interface
  std::string qualified;             // "dol:chat/message-chat@0.1.0"
  std::vector<ApiEnum> enums;        // enums used by the exported fields, first-use order
  std::vector<ApiRecord> records;    // records used, dependencies first
  std::vector<ApiGene> genes;        // root first, then nested genes in first-reach order
  std::vector<ApiFunction> functions;  // constructor first, then methods
  const ApiGene* find_gene(const std::string& gene_name) const;
  // Labels of the ExportTable::traits the root gene implements in every
  // output (the traits it is, and those they use), in table order.
  std::vector<std::string> traits;
};

// A trait as the generated outputs declare it (lower/api_traits.cpp,
// docs/generated-api.md "Traits"): a WIT interface in the package
// `dol:traits@VERSION` (the same for every schema that uses the trait, so
// that components of different schemas meet in it) holding a resource
// `object`, one implementing document seen through the trait; a TypeScript
// interface; a C++ abstract class.
struct ApiTrait {
  const ir::Trait* trait = nullptr;
  std::string label;                 // WIT interface label: "shapes-named"
  std::string package;               // "dol:traits@1.0.0"
  std::string qualified;             // "dol:traits/shapes-named@1.0.0"
  std::vector<std::string> uses;     // labels of the traits it extends (its direct `uses`), in table order
  // One per trait method, in declaration order, typed as the implementing
  // gene's `call-<method>` (label and params equal, so a gene implements it
  // by the functions it already has): op MethodCall, op_label the WIT name
  // inside `object`, export_name `<qualified>#[method]object.<op_label>`.
  std::vector<ApiFunction> functions;
};

// Something the schema holds that the generated API leaves out, with why.
struct ApiOmission {
  Span span;
  std::string message;               // for a `not-compiled` warning
};

struct ExportTable {
  std::string module_name;           // NAME (file stem), used for output file names
  std::string package;               // "dol:chat@0.1.0"
  std::string package_name;          // "chat" (WIT label)
  std::string version;               // "0.1.0"
  std::string world;                 // "chat"
  std::vector<ApiInterface> interfaces;
  std::vector<ApiOmission> omissions;
  // Traits the compiled genes implement or the system lists (lower/api_traits.cpp),
  // every trait after those it uses; the standard library's are not here.
  std::vector<ApiTrait> traits;
  const ApiTrait* find_trait(const std::string& label) const {
    for (const auto& t : traits) if (t.label == label) return &t;
    return nullptr;
  }
};

// Fills table.traits and each interface's `traits` (lower/api_traits.cpp);
// a trait whose methods cannot cross the WIT boundary, or a gene whose
// implementing methods were left out, is recorded as an omission.
void add_traits(const ir::Schema& schema, const std::vector<FileId>& roots, ExportTable& table);

// Which genes a build compiles (see the issue): the system's compiled_genes
// when a root file declares a system, else every non-generic gene declared in
// a root file.
std::vector<const ir::Gene*> genes_to_compile(const ir::Schema& schema, const std::vector<FileId>& roots);

// The version in `dol:NAME@VERSION`: the system's, else the root module's,
// else 0.1.0.
std::string module_version(const ir::Schema& schema, const std::vector<FileId>& roots);

// `methods_lowerable(method, why)` decides whether a gene method can be
// exported (lower/methods.cpp); the table leaves out those that cannot and
// records an omission. `calls` (optional) receives the gene methods its body
// calls: it is exported only while they are.
bool method_lowerable(const ir::Schema& schema, const ir::Gene& gene, const ir::Method& method, std::string* why,
                      std::vector<MethodCallee>* calls = nullptr);

// `roots`: the files named on the command line (they decide what compiles).
ExportTable build_export_table(const ir::Schema& schema, const std::vector<FileId>& roots,
                               const std::string& module_name);

// Value types: the WIT type of a DOL value type, or false (with a reason)
// when v1 of the generated API cannot carry it (gene values, tuples...).
bool wit_value_type(const ir::Schema& schema, const ir::Type& type, const std::string& inline_enum_label,
                    WitType* out, std::string* why);

}  // namespace dolc::lower
