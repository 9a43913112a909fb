// compiler/lower/api.cpp: builds the export table (api.hpp) from the checked
// schema. Deterministic: genes, fields and methods in declaration order,
// enums and nested genes in first-use order.
#include "lower/api.hpp"

#include "ir/layouts.hpp"
#include "lower/field_ops.hpp"
#include "lower/migrations.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "lower/naming.hpp"

namespace dolc::lower {

// ----- WIT types -----------------------------------------------------------

bool operator==(const WitType& a, const WitType& b) {
  return a.kind == b.kind && a.args == b.args && a.name == b.name && a.cases == b.cases;
}

std::string WitType::wit() const {
  switch (kind) {
    case Kind::Bool: return "bool";
    case Kind::S8: return "s8";
    case Kind::S16: return "s16";
    case Kind::S32: return "s32";
    case Kind::S64: return "s64";
    case Kind::U8: return "u8";
    case Kind::U16: return "u16";
    case Kind::U32: return "u32";
    case Kind::U64: return "u64";
    case Kind::F32: return "f32";
    case Kind::F64: return "f64";
    case Kind::String: return "string";
    case Kind::List: return "list<" + args[0].wit() + ">";
    case Kind::Option: return "option<" + args[0].wit() + ">";
    case Kind::Result: return args.empty() ? "result<_, string>" : "result<" + args[0].wit() + ", string>";
    case Kind::Enum: case Kind::Record: return wit_ident(name);
  }
  return "?";
}

const char* core_type_name(CoreType t) {
  switch (t) {
    case CoreType::I32: return "i32";
    case CoreType::I64: return "i64";
    case CoreType::F32: return "f32";
    case CoreType::F64: return "f64";
  }
  return "?";
}

// CanonicalABI.md `flatten_type` / `join`.
static CoreType join(CoreType a, CoreType b) {
  if (a == b) return a;
  if ((a == CoreType::I32 && b == CoreType::F32) || (a == CoreType::F32 && b == CoreType::I32)) return CoreType::I32;
  return CoreType::I64;
}

static std::vector<CoreType> flatten_variant(const std::vector<const WitType*>& cases) {
  std::vector<CoreType> flat;
  for (const WitType* c : cases) {
    if (!c) continue;
    std::vector<CoreType> f = flatten(*c);
    for (size_t i = 0; i < f.size(); ++i) {
      if (i < flat.size()) flat[i] = join(flat[i], f[i]);
      else flat.push_back(f[i]);
    }
  }
  flat.insert(flat.begin(), CoreType::I32);  // discriminant
  return flat;
}

std::vector<CoreType> flatten(const WitType& t) {
  using K = WitType::Kind;
  switch (t.kind) {
    case K::S64: case K::U64: return {CoreType::I64};
    case K::F32: return {CoreType::F32};
    case K::F64: return {CoreType::F64};
    case K::String: case K::List: return {CoreType::I32, CoreType::I32};
    case K::Option: return flatten_variant({nullptr, &t.args[0]});
    case K::Result: {
      static const WitType err = WitType::of(K::String);
      return flatten_variant({t.args.empty() ? nullptr : &t.args[0], &err});
    }
    case K::Record: {
      std::vector<CoreType> flat;
      for (const auto& f : t.args)
        for (CoreType c : flatten(f)) flat.push_back(c);
      return flat;
    }
    default: return {CoreType::I32};  // bool, small ints, enums
  }
}

static uint32_t align_to(uint32_t n, uint32_t a) { return (n + a - 1) / a * a; }
std::vector<uint32_t> record_offsets(const WitType& t);

uint32_t abi_align(const WitType& t) {
  using K = WitType::Kind;
  switch (t.kind) {
    case K::Bool: case K::S8: case K::U8: return 1;
    case K::S16: case K::U16: return 2;
    case K::S32: case K::U32: case K::F32: case K::String: case K::List: return 4;
    case K::S64: case K::U64: case K::F64: return 8;
    case K::Enum: return t.cases.size() <= 256 ? 1 : 2;
    case K::Option: return std::max<uint32_t>(1, abi_align(t.args[0]));
    case K::Result: return std::max<uint32_t>(4, t.args.empty() ? 1 : abi_align(t.args[0]));
    case K::Record: {
      uint32_t a = 1;
      for (const auto& f : t.args) a = std::max(a, abi_align(f));
      return a;
    }
  }
  return 1;
}

std::vector<uint32_t> record_offsets(const WitType& t) {
  std::vector<uint32_t> out;
  uint32_t at = 0;
  for (const auto& f : t.args) {
    at = align_to(at, abi_align(f));
    out.push_back(at);
    at += abi_size(f);
  }
  return out;
}

uint32_t abi_size(const WitType& t) {
  using K = WitType::Kind;
  switch (t.kind) {
    case K::Bool: case K::S8: case K::U8: return 1;
    case K::S16: case K::U16: return 2;
    case K::S32: case K::U32: case K::F32: return 4;
    case K::S64: case K::U64: case K::F64: case K::String: case K::List: return 8;
    case K::Enum: return t.cases.size() <= 256 ? 1 : 2;
    case K::Option: {
      uint32_t a = abi_align(t);
      return align_to(align_to(1, abi_align(t.args[0])) + abi_size(t.args[0]), a);
    }
    case K::Result: {
      uint32_t a = abi_align(t);
      uint32_t payload = std::max<uint32_t>(8, t.args.empty() ? 0 : abi_size(t.args[0]));
      return align_to(align_to(1, a) + payload, a);
    }
    case K::Record: {
      uint32_t end = 0;
      std::vector<uint32_t> offsets = record_offsets(t);
      if (!t.args.empty()) end = offsets.back() + abi_size(t.args.back());
      return align_to(std::max<uint32_t>(end, 0), abi_align(t));
    }
  }
  return 1;
}

const char* api_op_name(ApiOp op) {
  switch (op) {
#define OP(x, s) case ApiOp::x: return s;
    OP(Construct, "construct") OP(Destroy, "destroy") OP(Actor, "actor") OP(Version, "version")
    OP(ChangesSince, "changes_since") OP(Apply, "apply") OP(Merge, "merge") OP(Save, "save") OP(Load, "load")
    OP(ToJson, "to_json") OP(Violations, "violations") OP(MigrationConflicts, "migration_conflicts") OP(Pending, "pending") OP(DropPending, "drop_pending") OP(TransactionBegin, "transaction_begin") OP(TransactionCommit, "transaction_commit") OP(TransactionAbort, "transaction_abort") OP(TakeEvents, "take_events") OP(RegisterGet, "register_get")
    OP(RegisterSet, "register_set") OP(MvValues, "mv_values") OP(MvSet, "mv_set") OP(SetHas, "set_has")
    OP(SetValues, "set_values") OP(SetSize, "set_size") OP(SetAdd, "set_add") OP(SetRemove, "set_remove")
    OP(MapHas, "map_has") OP(MapGet, "map_get") OP(MapKeys, "map_keys") OP(MapSet, "map_set")
    OP(MapDelete, "map_delete") OP(MapSetNew, "map_set_new") OP(MapChild, "map_child")
    OP(CounterValue, "counter_value") OP(CounterIncrement, "counter_increment")
    OP(CounterDecrement, "counter_decrement") OP(ListLength, "list_length") OP(ListGet, "list_get")
    OP(ListInsert, "list_insert") OP(ListInsertNew, "list_insert_new") OP(ListChild, "list_child")
    OP(ListDelete, "list_delete") OP(ListMove, "list_move") OP(TextLength, "text_length")
    OP(TextString, "text_string") OP(TextInsert, "text_insert") OP(TextDelete, "text_delete")
    OP(TextMark, "text_mark") OP(TextUnmark, "text_unmark") OP(TextSpans, "text_spans")
    OP(NestedChild, "nested_child") OP(MethodCall, "method_call")
    OP(Cursor, "cursor") OP(CursorPosition, "cursor_position") OP(UndoManager, "undo_manager")
    OP(UndoStopCapturing, "undo_stop_capturing") OP(Undo, "undo") OP(Redo, "redo") OP(CanUndo, "can_undo")
    OP(CanRedo, "can_redo") OP(ListAppend, "list_append") OP(ListAppendNew, "list_append_new")
    OP(CounterRights, "counter_rights") OP(CounterTransfer, "counter_transfer")
    OP(PersonalKeySet, "personal_key_set") OP(PersonalKeyForget, "personal_key_forget")
    OP(PersonalSubjectSet, "personal_subject_set") OP(PersonalSubjectGet, "personal_subject_get")
#undef OP
  }
  return "?";
}

// ----- What compiles ---------------------------------------------------------

static bool in_roots(const Span& span, const std::vector<FileId>& roots) {
  return std::find(roots.begin(), roots.end(), span.file) != roots.end();
}

static const ir::System* root_system(const ir::Schema& schema, const std::vector<FileId>& roots) {
  for (const auto& s : schema.systems)
    if (in_roots(s.span, roots)) return &s;
  return nullptr;
}

std::vector<const ir::Gene*> genes_to_compile(const ir::Schema& schema, const std::vector<FileId>& roots) {
  std::vector<const ir::Gene*> out;
  if (const ir::System* sys = root_system(schema, roots)) {
    for (const auto& name : sys->compiled_genes)
      if (const ir::Gene* g = schema.find_gene(name); g && g->type_params.empty()) out.push_back(g);
    return out;
  }
  for (const auto& g : schema.genes)
    if (in_roots(g.span, roots) && g.type_params.empty() && !g.from_stdlib && !g.fields.empty()) out.push_back(&g);
  return out;
}

std::string module_version(const ir::Schema& schema, const std::vector<FileId>& roots) {
  if (const ir::System* sys = root_system(schema, roots); sys && sys->version.present()) return sys->version.text;
  for (const auto& m : schema.modules)
    if (m.is_root && m.version.present()) return m.version.text;
  return "0.1.0";
}

// ----- Value types -------------------------------------------------------------

bool wit_value_type(const ir::Schema& schema, const ir::Type& type, const std::string& inline_enum_label,
                    WitType* out, std::string* why) {
  using K = ir::Type::Kind;
  using W = WitType::Kind;
  switch (type.kind) {
    case K::Bool: *out = WitType::of(W::Bool); return true;
    case K::Int: {
      static const W s[] = {W::S8, W::S16, W::S32, W::S64};
      static const W u[] = {W::U8, W::U16, W::U32, W::U64};
      int i = type.bits <= 8 ? 0 : type.bits <= 16 ? 1 : type.bits <= 32 ? 2 : 3;
      *out = WitType::of(type.is_signed ? s[i] : u[i]);
      return true;
    }
    case K::Float: *out = WitType::of(type.bits == 32 ? W::F32 : W::F64); return true;
    case K::String: case K::Uuid: case K::Identity: *out = WitType::of(W::String); return true;
    case K::Timestamp: *out = WitType::of(W::S64); return true;
    case K::Bytes: *out = WitType::bytes(); return true;
    case K::Enum: {
      WitType e = WitType::of(W::Enum);
      e.name = type.name.empty() ? inline_enum_label : wit_label(type.name);
      std::vector<std::string> variants = type.variants;
      if (variants.empty())
        if (const ir::Enum* decl = schema.find_enum(type.name)) variants = decl->variants;
      if (variants.empty() || variants.size() > 256) {
        *why = fmt::format("enum `{}` has {} variants (1 to 256 are supported)", type.canonical(), variants.size());
        return false;
      }
      std::set<std::string> seen;
      for (const auto& v : variants) {
        std::string label = wit_label(v);
        if (!seen.insert(label).second) {
          *why = fmt::format("enum `{}` has two variants named `{}` in WIT", type.canonical(), label);
          return false;
        }
        e.cases.push_back(label);
      }
      *out = e;
      return true;
    }
    case K::Option: {
      WitType inner;
      if (!wit_value_type(schema, type.args[0], inline_enum_label, &inner, why)) return false;
      *out = WitType::of(W::Option, {inner});
      return true;
    }
    case K::Gene: {
      // A gene used as a value: a record of its fields' values (strategies
      // do not apply inside a value).
      const ir::Gene* g = schema.find_gene(type.name);
      if (!g || !g->type_params.empty() || g->fields.empty()) {
        *why = fmt::format("gene `{}` cannot be used as a value here", type.canonical());
        return false;
      }
      static thread_local std::vector<std::string> visiting;  // a gene value containing itself has no finite record
      if (std::find(visiting.begin(), visiting.end(), g->name) != visiting.end()) {
        *why = fmt::format("gene `{}` contains itself as a value", g->name);
        return false;
      }
      visiting.push_back(g->name);
      WitType r = WitType::of(W::Record);
      r.name = wit_label(g->name);
      r.gene = g->name;
      bool ok = true;
      for (const auto& f : g->fields) {
        WitType ft;
        if (!wit_value_type(schema, f.type, wit_label(g->name) + "-" + wit_label(f.name), &ft, why)) {
          ok = false;
          break;
        }
        r.args.push_back(ft);
        r.cases.push_back(wit_label(f.name));
      }
      visiting.pop_back();
      if (!ok) return false;
      *out = r;
      return true;
    }
    default:
      *why = fmt::format("values of type `{}` do not cross the module boundary yet (v1 carries scalars, "
                         "strings, bytes, enums, records of gene values and options of them)",
                         type.canonical());
      return false;
  }
}

// ----- The table -----------------------------------------------------------------

namespace {

std::vector<std::string> field_keys(const ir::Schema& schema, const ir::Gene& gene) {
  std::vector<std::string> keys;
  // A local: a range-for over a member of the temporary's back() would read
  // the history after it was destroyed (garbage keys in the generated JS).
  const ir::GeneHistory history = ir::gene_history(schema, gene);
  for (const auto& f : history.layouts.back().fields) keys.push_back(f.key);
  return keys;
}


struct Builder {
  const ir::Schema& schema;
  ExportTable& table;
  ApiInterface* iface = nullptr;

  void add_enum_uses(const WitType& t, const ir::Type& type) {
    if (t.kind == WitType::Kind::Record) {
      for (const auto& r : iface->records)
        if (r.label == t.name) return;
      const ir::Gene* g = schema.find_gene(t.gene);
      for (size_t i = 0; g && i < t.args.size() && i < g->fields.size(); ++i) add_enum_uses(t.args[i], g->fields[i].type);
      iface->records.push_back(ApiRecord{t.name, g, t});  // after the types it uses
      return;
    }
    if (t.kind == WitType::Kind::Option) {
      add_enum_uses(t.args[0], type.args.empty() ? type : type.args[0]);
      return;
    }
    if (t.kind == WitType::Kind::List && !t.args.empty()) add_enum_uses(t.args[0], type);
    if (t.kind != WitType::Kind::Enum) return;
    for (const auto& e : iface->enums)
      if (e.label == t.name) return;
    ApiEnum e;
    e.label = t.name;
    e.cases = t.cases;
    e.variants = type.variants;
    if (e.variants.empty())
      if (const ir::Enum* decl = schema.find_enum(type.name)) e.variants = decl->variants;
    iface->enums.push_back(std::move(e));
  }

  void add_body_records(const ir::Gene& gene, const ir::Method& m) {
    std::string label = wit_label(gene.name) + "-" + wit_label(m.name);
    auto use = [&](const ir::Type& t) {
      WitType w;
      std::string why;
      if (t.kind == ir::Type::Kind::Gene && wit_value_type(schema, t, label, &w, &why)) add_enum_uses(w, t);
    };
    std::function<void(const ir::Expr&)> expr;
    std::function<void(const ir::Stmt&)> stmt = [&](const ir::Stmt& st) {
      if (st.declared_type) use(*st.declared_type);
      if (st.expr) expr(*st.expr);
      for (const auto& x : st.body) stmt(x);
    };
    expr = [&](const ir::Expr& e) {
      if (e.kind == ir::Expr::Kind::StructLit) use(e.type);
      for (const auto& c : e.children) expr(c);
      for (const auto& st : e.stmts) stmt(st);
    };
    if (m.body) expr(*m.body);
  }

  ApiFunction& add(const std::string& label, ApiOp op, std::vector<ApiParam> params) {
    ApiFunction f;
    f.label = label;
    f.op = op;
    f.params = std::move(params);
    iface->functions.push_back(std::move(f));
    return iface->functions.back();
  }
  static ApiFunction& returns(ApiFunction& f, WitType t) {
    f.has_result = true;
    f.result = std::move(t);
    return f;
  }

  void omit(Span span, std::string message) { table.omissions.push_back({span, std::move(message)}); }

  // A gene-typed element/value/field: registers the nested gene and returns true.
  bool nested(const ir::Type& t) {
    if (t.kind != ir::Type::Kind::Gene) return false;
    const ir::Gene* g = schema.find_gene(t.name);
    if (!g) return false;
    for (const auto& ag : iface->genes)
      if (ag.gene == g) return true;
    ApiGene ag;
    ag.gene = g;
    ag.label = wit_label(g->name);
    ag.prefix = ag.label;
    ag.field_keys = field_keys(schema, *g);
    iface->genes.push_back(ag);
    return true;
  }

  void field_ops(size_t gene_pos, int index) {
    const ir::Gene& gene = *iface->genes[gene_pos].gene;
    const ir::Field& f = gene.fields[static_cast<size_t>(index)];
    std::string prefix = iface->genes[gene_pos].prefix;
    std::string flabel = wit_label(f.name);
    std::string base = prefix.empty() ? flabel : prefix + "-" + flabel;
    std::string enum_label = wit_label(gene.name) + "-" + flabel;
    const ir::Type& type = f.type;
    std::string why;
    size_t first = iface->functions.size();
    auto value_of = [&](const ir::Type& t, WitType* w) {
      if (!wit_value_type(schema, t, enum_label, w, &why)) return false;
      add_enum_uses(*w, t);
      return true;
    };
    // The field's shape (ir/strategies.def) says which operations it gets
    // and where their key (K) and value (V) types come from; a value of gene
    // type is a nested object, reached by path instead of passed by value.
    ir::FieldShape shape = ir::field_shape(f);
    const ir::ShapeInfo& info = ir::shape_info(shape);
    auto source = [&](ir::ShapeType from) -> const ir::Type* {
      switch (from) {
        case ir::ShapeType::None: return nullptr;
        case ir::ShapeType::Field: return &type;
        case ir::ShapeType::Element: return type.args.empty() ? &type : &type.args[0];
        case ir::ShapeType::MapKey: return type.args.size() == 2 ? &type.args[0] : nullptr;
        case ir::ShapeType::MapValue: return type.args.size() == 2 ? &type.args[1] : nullptr;
      }
      return nullptr;
    };
    const ir::Type* key_type = source(info.key);
    const ir::Type* value_type = source(info.value);
    bool ok = true;
    WitType v, k;
    if (info.key != ir::ShapeType::None && !key_type) {
      ok = false;
      why = std::string(ir::strategy_name(f.strategy)) + " on `" + type.canonical() + "`";
    }
    if (ok && key_type) ok = value_of(*key_type, &k);
    if (ok && value_type && !(info.objects && nested(*value_type))) ok = value_of(*value_type, &v);
    if (ok) {
      const WitType path_type = WitType::bytes();
      for (const FieldOpSpec* spec : shape_ops(shape)) {
        std::vector<ApiParam> params{{"path", path_type}};
        for (const auto& [label, t] : spec->params) params.push_back({label, wit_of(t, v, k)});
        ApiFunction& fn = add(base + "-" + spec->label, spec->op, std::move(params));
        fn.gene = &gene;
        fn.field_index = index;
        fn.gene_prefix = prefix;
        fn.field_label = flabel;
        fn.op_label = spec->label;
        returns(fn, wit_of(spec->result, v, k));
      }
    }
    if (!ok) {
      iface->functions.resize(first);
      omit(f.name_span, fmt::format("field `{}` of gene `{}` is left out of the generated API: {}", f.name,
                                    gene.name, why));
      return;
    }
    iface->genes[gene_pos].fields.push_back(index);
  }
};

}  // namespace

const ApiGene* ApiInterface::find_gene(const std::string& gene_name) const {
  for (const auto& g : genes)
    if (g.gene->name == gene_name) return &g;
  return nullptr;
}

ExportTable build_export_table(const ir::Schema& schema, const std::vector<FileId>& roots,
                               const std::string& module_name) {
  ExportTable table;
  table.module_name = module_name;
  table.package_name = wit_label(module_name);
  table.version = module_version(schema, roots);
  table.package = "dol:" + table.package_name + "@" + table.version;
  table.world = table.package_name;
  using W = WitType::Kind;
  const WitType bytes = WitType::bytes();
  std::set<std::string> omitted_methods;  // report each method once, not once per interface
  for (const ir::Gene* gene : genes_to_compile(schema, roots)) {
    table.interfaces.emplace_back();
    ApiInterface& iface = table.interfaces.back();
    iface.gene = gene;
    iface.label = wit_label(gene->name);
    iface.qualified = "dol:" + table.package_name + "/" + iface.label + "@" + table.version;
    Builder b{schema, table, &iface};
    iface.genes.push_back(ApiGene{gene, iface.label, "", {}, field_keys(schema, *gene)});

    ApiFunction& ctor = b.add("", ApiOp::Construct, {{"actor", WitType::of(W::U64)}});
    ctor.kind = ApiFunction::Kind::Constructor;
    Builder::returns(b.add("actor", ApiOp::Actor, {}), WitType::of(W::U64));
    Builder::returns(b.add("version", ApiOp::Version, {}), bytes);
    Builder::returns(b.add("changes-since", ApiOp::ChangesSince, {{"version", bytes}}),
                     WitType::of(W::Result, {bytes}));
    Builder::returns(b.add("apply", ApiOp::Apply, {{"changes", bytes}}), WitType::result_unit());
    Builder::returns(b.add("merge", ApiOp::Merge, {{"saved", bytes}}), WitType::result_unit());
    Builder::returns(b.add("save", ApiOp::Save, {}), bytes);
    Builder::returns(b.add("load", ApiOp::Load, {{"saved", bytes}}), WitType::result_unit());
    Builder::returns(b.add("to-json", ApiOp::ToJson, {}), WitType::of(W::String));
    Builder::returns(b.add("violations", ApiOp::Violations, {}),
                     WitType::of(W::List, {WitType::of(W::String)}));
    // Writes of older schema versions that no migration could convert (JSON).
    Builder::returns(b.add("migration-conflicts", ApiOp::MigrationConflicts, {}), WitType::of(W::String));
    // Received changes waiting for ones that have not arrived, and forks
    // (JSON; FORMAT.md, "Change identity"); dropping what is held.
    Builder::returns(b.add("pending", ApiOp::Pending, {}), WitType::of(W::String));
    Builder::returns(b.add("drop-pending", ApiOp::DropPending, {}), WitType::of(W::U32));
    // Transactions: the operations between begin and commit are one change,
    // applied as a whole; invariants are judged once, at the outermost
    // commit, which refuses (and undoes) the whole transaction when it breaks
    // one. Begins nest; an inner commit folds into the outer transaction.
    b.add("transaction-begin", ApiOp::TransactionBegin, {});
    Builder::returns(b.add("transaction-commit", ApiOp::TransactionCommit, {}), WitType::result_unit());
    Builder::returns(b.add("transaction-abort", ApiOp::TransactionAbort, {}), WitType::result_unit());
    // Change events recorded since the previous call (JSON, "" when none);
    // `listen` turns recording on or off (docs/generated-api.md, "Events").
    Builder::returns(b.add("take-events", ApiOp::TakeEvents, {{"listen", WitType::of(W::Bool)}}),
                     WitType::of(W::String));
    // Undo and redo of this replica's own operations (docs/generated-api.md).
    b.add("undo-manager", ApiOp::UndoManager, {{"max-steps", WitType::of(W::U32)}});
    b.add("undo-stop-capturing", ApiOp::UndoStopCapturing, {});
    Builder::returns(b.add("undo", ApiOp::Undo, {}), WitType::of(W::Bool));
    Builder::returns(b.add("redo", ApiOp::Redo, {}), WitType::of(W::Bool));
    Builder::returns(b.add("can-undo", ApiOp::CanUndo, {}), WitType::of(W::Bool));
    Builder::returns(b.add("can-redo", ApiOp::CanRedo, {}), WitType::of(W::Bool));

    // Fields of the root gene, then of each nested gene as it is reached
    // (the loop grows iface.genes while it runs).
    for (size_t gi = 0; gi < iface.genes.size(); ++gi)
      for (size_t fi = 0; fi < iface.genes[gi].gene->fields.size(); ++fi) b.field_ops(gi, static_cast<int>(fi));

    // @personal values are sealed under subject keys the host holds
    // (FORMAT.md, "Personal values"); documents without such fields get no
    // key calls, and their modules no cipher.
    bool personal = false;
    for (const ApiGene& g : iface.genes)
      for (const auto& f : g.gene->fields) personal = personal || f.personal;
    if (personal) {
      Builder::returns(b.add("set-personal-key", ApiOp::PersonalKeySet,
                             {{"subject", WitType::of(W::String)}, {"key", bytes}, {"nonce-seed", bytes}}),
                       WitType::result_unit());
      Builder::returns(b.add("forget-personal-key", ApiOp::PersonalKeyForget, {{"subject", WitType::of(W::String)}}),
                       WitType::of(W::Bool));
      Builder::returns(b.add("set-personal-subject", ApiOp::PersonalSubjectSet, {{"subject", WitType::of(W::String)}}),
                       WitType::result_unit());
      Builder::returns(b.add("personal-subject", ApiOp::PersonalSubjectGet, {}), WitType::of(W::String));
    }

    // Gene methods: the root gene's as `call-<method>` (on the root object),
    // then each nested gene's as `<gene>-call-<method>` with the object's
    // `path` first, like its field operations.
    auto add_methods = [&](const ir::Gene& g, const std::string& prefix) {
      for (const auto& m : g.methods) {
        std::string why;
        std::vector<MethodCallee> calls;
        bool ok = method_lowerable(schema, g, m, &why, &calls);
        std::vector<ApiParam> params;
        if (!prefix.empty()) params.push_back({"path", bytes});
        WitType result_type = WitType::result_unit();
        for (const auto& p : m.params) {
          WitType w;
          if (!ok) break;
          ok = wit_value_type(schema, p.type, wit_label(g.name) + "-" + wit_label(m.name) + "-" + wit_label(p.name),
                              &w, &why);
          if (ok) {
            b.add_enum_uses(w, p.type);
            params.push_back({wit_label(p.name), w});
          }
        }
        if (ok && m.result.kind != ir::Type::Kind::Unit) {
          const ir::Type* r = &m.result;
          if (r->kind == ir::Type::Kind::Result) r = &r->args[0];  // errors become the result's string
          if (r->kind != ir::Type::Kind::Unit) {
            WitType w;
            ok = wit_value_type(schema, *r, wit_label(g.name) + "-" + wit_label(m.name) + "-result", &w, &why);
            if (ok) {
              b.add_enum_uses(w, *r);
              result_type = WitType::of(W::Result, {w});
            }
          }
        }
        if (!ok) {
          if (omitted_methods.insert(g.name + "." + m.name).second)
            b.omit(m.name_span, fmt::format("method `{}` of gene `{}` is not compiled: {}", m.name, g.name, why));
          continue;
        }
        // Struct literals and typed lets in the body build records the fields'
        // ops may never name (a literal pushed into a list of nested objects):
        // declared too, or the lowered body would use an undeclared type.
        b.add_body_records(g, m);
        ApiFunction& fn = Builder::returns(
            b.add((prefix.empty() ? "" : prefix + "-") + "call-" + wit_label(m.name), ApiOp::MethodCall,
                  std::move(params)),
            result_type);
        fn.gene = &g;
        fn.method = &m;
        fn.calls = std::move(calls);
        fn.gene_prefix = prefix;
        fn.op_label = wit_label(m.name);
      }
    };
    add_methods(*gene, "");
    for (size_t gi = 1; gi < iface.genes.size(); ++gi) add_methods(*iface.genes[gi].gene, iface.genes[gi].prefix);
    ApiFunction& dtor = b.add("", ApiOp::Destroy, {});
    dtor.kind = ApiFunction::Kind::Destructor;

    // Canonical ABI signatures and symbol names.
    for (auto& fn : iface.functions) {
      switch (fn.kind) {
        case ApiFunction::Kind::Constructor: fn.export_name = iface.qualified + "#[constructor]document"; break;
        case ApiFunction::Kind::Destructor: fn.export_name = iface.qualified + "#[dtor]document"; break;
        case ApiFunction::Kind::Method:
          fn.export_name = iface.qualified + "#[method]document." + fn.label;
          break;
      }
      if (fn.kind != ApiFunction::Kind::Constructor) fn.core_params.push_back(CoreType::I32);  // self (rep)
      for (const auto& p : fn.params)
        for (CoreType c : flatten(p.type)) fn.core_params.push_back(c);
      if (fn.kind == ApiFunction::Kind::Constructor) {
        fn.core_results = {CoreType::I32};  // the handle
      } else if (fn.has_result) {
        std::vector<CoreType> flat = flatten(fn.result);
        fn.result_in_memory = flat.size() > 1;
        fn.core_results = fn.result_in_memory ? std::vector<CoreType>{CoreType::I32} : flat;
      }
    }
    // More than 16 flat parameters would go through memory (MAX_FLAT_PARAMS);
    // the generator does not do that, so such functions are left out.
    std::vector<ApiFunction> kept;
    for (auto& fn : iface.functions) {
      if (fn.core_params.size() > 16) {
        table.omissions.push_back({fn.method ? fn.method->name_span : Span{},
                                   fmt::format("`{}` of gene `{}` is left out: its parameters flatten to {} core "
                                               "values (at most 16 are supported)",
                                               fn.label, iface.gene->name, fn.core_params.size())});
        continue;
      }
      kept.push_back(std::move(fn));
    }
    iface.functions = std::move(kept);
    // A method whose body calls another (lower/methods.cpp) calls the
    // generated function of that method: it is left out too when the callee
    // was (not lowerable, a type that does not cross, too many parameters),
    // until nothing more changes. Methods that only call each other stay.
    for (bool changed = true; changed;) {
      changed = false;
      std::set<std::string> exported;
      for (const auto& fn : iface.functions)
        if (fn.op == ApiOp::MethodCall) exported.insert(fn.label);
      for (auto it = iface.functions.begin(); it != iface.functions.end(); ++it) {
        if (it->op != ApiOp::MethodCall) continue;
        const MethodCallee* missing = nullptr;
        for (const MethodCallee& c : it->calls) {
          // On its own object: the caller's prefix. On another object: its
          // gene's here, which the root gene (methods without a path) lacks.
          const ApiGene* cg = c.other_object ? iface.find_gene(c.gene->name) : nullptr;
          if (c.other_object && (!cg || cg->prefix.empty())) missing = &c;
          std::string prefix = c.other_object ? (cg ? cg->prefix : "") : it->gene_prefix;
          if (!exported.count((prefix.empty() ? "" : prefix + "-") + "call-" + wit_label(c.method->name)))
            missing = &c;
        }
        if (!missing) continue;
        std::string callee = missing->other_object ? missing->gene->name + "." + missing->method->name
                                                   : missing->method->name;
        if (omitted_methods.insert(it->gene->name + "." + it->method->name).second)
          table.omissions.push_back({it->method->name_span,
                                     fmt::format("method `{}` of gene `{}` is not compiled: it calls `{}`, which is "
                                                 "not compiled",
                                                 it->method->name, it->gene->name, callee)});
        iface.functions.erase(it);
        changed = true;
        break;
      }
    }
  }
  add_traits(schema, roots, table);
  // WIT keeps worlds and interfaces in one namespace per package.
  for (const auto& iface : table.interfaces)
    if (iface.label == table.world) table.world += "-world";
  // Migrations the build cannot compile: older replicas' writes to those
  // fields are kept and listed by migrationConflicts(), not converted.
  std::set<const ir::Gene*> seen;
  for (const auto& iface : table.interfaces)
    for (const auto& g : iface.genes) {
      if (!seen.insert(g.gene).second) continue;
      ir::GeneHistory history = ir::gene_history(schema, *g.gene);
      for (const auto& r : history.replaced) {
        MigrationFunction fn = lower_migration(schema, *g.gene, r, "check");
        if (fn.unsupported.empty()) continue;
        Span at = r.migration ? r.migration->span : r.evolution ? r.evolution->span : g.gene->name_span;
        table.omissions.push_back({at, "`" + r.name + "` of `" + g.gene->name + "`: " + fn.unsupported +
                                           "; writes of versions before " + r.evolution->to_version.text +
                                           " to it are kept and listed by migrationConflicts(), not converted"});
      }
    }
  return table;
}

}  // namespace dolc::lower
