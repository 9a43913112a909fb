// compiler/emit/js.cpp: NAME.js and NAME.d.ts from the export table.
//
// The JS file is the fixed glue (prelude/prelude.js: loading, canonical ABI
// marshalling, one class per strategy) plus generated tables: IFACES (WIT
// interface -> qualified name), SIGS (per interface and function label: the
// parameter and result types as small descriptors the glue interprets), and
// per gene a mixin of field getters, a View class (the gene as a nested
// object) and, for compiled genes, a document class with the gene methods.
// Which field class a field gets is its shape's JS_CLASS (ir/strategies.def),
// the same row that gives the export table its ops, so JS cannot offer an
// operation the module lacks.
#include <functional>
#include <set>

#include <map>
#include <tuple>
#include <unordered_map>
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ir/strategies.hpp"
#include "lower/naming.hpp"

namespace dolc::emit {

extern const char* const kJsPrelude;
extern const char* const kDtsPrelude;

using lower::ApiFunction;
using lower::ApiOp;
using lower::WitType;

namespace {

const lower::ApiEnum* find_enum(const lower::ApiInterface& iface, const std::string& label) {
  for (const auto& e : iface.enums)
    if (e.label == label) return &e;
  return nullptr;
}

std::string js_type_descriptor(const lower::ApiInterface& iface, const WitType& t) {
  using K = WitType::Kind;
  switch (t.kind) {
    case K::Bool: return "'bool'";
    case K::S8: return "'s8'";
    case K::S16: return "'s16'";
    case K::S32: return "'s32'";
    case K::S64: return "'s64'";
    case K::U8: return "'u8'";
    case K::U16: return "'u16'";
    case K::U32: return "'u32'";
    case K::U64: return "'u64'";
    case K::F32: return "'f32'";
    case K::F64: return "'f64'";
    case K::String: return "'string'";
    case K::List:
      if (t.args[0].kind == K::U8) return "'bytes'";
      return "['list', " + js_type_descriptor(iface, t.args[0]) + "]";
    case K::Option: return "['option', " + js_type_descriptor(iface, t.args[0]) + "]";
    case K::Result:
      return "['result', " + (t.args.empty() ? std::string("null") : js_type_descriptor(iface, t.args[0])) + "]";
    case K::Enum: {
      std::string names;
      if (const lower::ApiEnum* e = find_enum(iface, t.name))
        for (const auto& v : e->variants) names += (names.empty() ? "" : ", ") + lower::js_string_literal(v);
      return "['enum', [" + names + "]]";
    }
    case K::Record: {
      std::string fields;
      for (size_t i = 0; i < t.args.size(); ++i)
        fields += fmt::format("{}[{}, {}]", i ? ", " : "", lower::js_string_literal(lower::js_member(t.cases[i])),
                              js_type_descriptor(iface, t.args[i]));
      return "['record', [" + fields + "]]";
    }
  }
  return "null";
}

// TypeScript type of a value; `input` widens 64-bit integers to number|bigint.
std::string ts_type(const lower::ApiInterface& iface, const WitType& t, bool input) {
  using K = WitType::Kind;
  switch (t.kind) {
    case K::Bool: return "boolean";
    case K::S64: case K::U64: return input ? "Int64Input" : "bigint";
    case K::String: return "string";
    case K::List:
      if (t.args[0].kind == K::U8) return "Uint8Array";
      return ts_type(iface, t.args[0], input) + "[]";
    case K::Option: return ts_type(iface, t.args[0], input) + " | undefined";
    case K::Result: return t.args.empty() ? "void" : ts_type(iface, t.args[0], input);
    case K::Enum: {
      std::string names;
      if (const lower::ApiEnum* e = find_enum(iface, t.name))
        for (const auto& v : e->variants) names += (names.empty() ? "" : " | ") + lower::js_string_literal(v);
      return names.empty() ? "never" : "(" + names + ")";
    }
    case K::Record: {
      std::string fields;
      for (size_t i = 0; i < t.args.size(); ++i)
        fields += fmt::format("{}{}: {}", i ? "; " : "", lower::js_member(t.cases[i]), ts_type(iface, t.args[i], input));
      return "{ " + fields + " }";
    }
    default: return "number";
  }
}

// The TypeScript type of a value in a toJSON() object (`json`: JSON-safe,
// 64-bit integers as decimal strings, bytes as arrays of numbers) or a
// snapshot() (64-bit integers bigint, bytes Uint8Array). Unset is null in both.
std::string snapshot_ts_type(const lower::ApiInterface& iface, const WitType& t, bool json) {
  using K = WitType::Kind;
  switch (t.kind) {
    case K::S64: case K::U64: return json ? "string" : "bigint";
    case K::List:
      if (t.args[0].kind == K::U8) return json ? "number[]" : "Uint8Array";
      return "(" + snapshot_ts_type(iface, t.args[0], json) + ")[]";
    case K::Option: return snapshot_ts_type(iface, t.args[0], json) + " | null";
    case K::Record: {
      std::string fields;
      for (size_t i = 0; i < t.args.size(); ++i)
        fields += fmt::format("{}{}: {}", i ? "; " : "", lower::js_member(t.cases[i]),
                              snapshot_ts_type(iface, t.args[i], json));
      return "{ " + fields + " }";
    }
    default: return ts_type(iface, t, false);
  }
}

// The functions the table exports for one field of one gene (first interface that has it).
struct FieldShape {
  const char* js_class = nullptr;  // Register, Counter, ... ; nullptr: nested object
  std::vector<const ApiFunction*> fns;
  const lower::ApiGene* nested = nullptr;  // element/value/field gene
  const lower::ApiInterface* iface = nullptr;
  const ApiFunction* find(ApiOp op) const {
    for (auto* f : fns)
      if (f->op == op) return f;
    return nullptr;
  }
};

const lower::ApiGene* gene_in(const lower::ApiInterface& iface, const ir::Type& t) {
  const ir::Type* g = &t;
  if (t.kind == ir::Type::Kind::List) g = &t.args[0];
  if (t.kind == ir::Type::Kind::Map) g = &t.args[1];
  return g->kind == ir::Type::Kind::Gene ? iface.find_gene(g->name) : nullptr;
}

// The field operations of each (interface, gene), by field index, built on
// first use with one pass over the interface's functions: a scan of every
// function per field made the JS and .d.ts generation quadratic.
class FieldIndex {
 public:
  const std::vector<const ApiFunction*>& fns(const lower::ApiInterface& iface, const lower::ApiGene& gene,
                                              int field_index) {
    auto key = std::make_tuple(&iface, gene.gene, gene.prefix);
    auto it = index_.find(key);
    if (it == index_.end()) {
      it = index_.emplace(key, std::unordered_map<int, std::vector<const ApiFunction*>>{}).first;
      for (const auto& fn : iface.functions)
        if (fn.gene == gene.gene && fn.op != ApiOp::MethodCall && fn.gene_prefix == gene.prefix)
          it->second[fn.field_index].push_back(&fn);
    }
    auto f = it->second.find(field_index);
    return f == it->second.end() ? empty_ : f->second;
  }

 private:
  std::map<std::tuple<const lower::ApiInterface*, const ir::Gene*, std::string>,
           std::unordered_map<int, std::vector<const ApiFunction*>>>
      index_;
  std::vector<const ApiFunction*> empty_;
};

FieldShape field_shape(FieldIndex& index, const lower::ApiInterface& iface, const lower::ApiGene& gene,
                       int field_index) {
  FieldShape s;
  s.iface = &iface;
  s.fns = index.fns(iface, gene, field_index);
  auto has = [&](ApiOp op) { return s.find(op) != nullptr; };
  const ir::Field& f = gene.gene->fields[static_cast<size_t>(field_index)];
  if (has(ApiOp::NestedChild) || has(ApiOp::ListChild) || has(ApiOp::MapChild)) s.nested = gene_in(iface, f.type);
  // The JS_CLASS column of the field's shape (ir/strategies.def); "": a nested object.
  const char* cls = ir::shape_info(ir::field_shape(f)).js_class;
  s.js_class = *cls ? cls : nullptr;
  return s;
}

// Every gene that gets a view: in first-appearance order across interfaces.
struct GeneEntry {
  const lower::ApiGene* gene;
  const lower::ApiInterface* iface;
};
std::vector<GeneEntry> all_genes(const lower::ExportTable& table) {
  std::vector<GeneEntry> out;
  std::set<const ir::Gene*> seen;
  for (const auto& iface : table.interfaces)
    for (const auto& g : iface.genes)
      if (seen.insert(g.gene).second) out.push_back({&g, &iface});
  return out;
}

// The gene methods of a nested gene (`<gene>-call-<method>`, whose first
// parameter is the object's path), from the first interface exporting each:
// the gene's view class gets them, so every nested object of it has them.
std::vector<std::pair<const ApiFunction*, const lower::ApiInterface*>> nested_methods(const lower::ExportTable& table,
                                                                                      const ir::Gene* gene) {
  std::vector<std::pair<const ApiFunction*, const lower::ApiInterface*>> out;
  std::set<std::string> seen;
  for (const auto& iface : table.interfaces)
    for (const auto& fn : iface.functions)
      if (fn.op == ApiOp::MethodCall && !fn.gene_prefix.empty() && fn.gene == gene && seen.insert(fn.label).second)
        out.push_back({&fn, &iface});
  return out;
}
bool is_root_method(const ApiFunction& fn) { return fn.op == ApiOp::MethodCall && fn.gene_prefix.empty(); }

std::string mixin_name(const lower::ApiGene& g) { return lower::js_class(g.label) + "Fields"; }
std::string init_name(const lower::ApiGene& g) { return lower::js_class(g.label) + "Init"; }
std::string snapshot_name(const lower::ApiGene& g) { return lower::js_class(g.label) + "Snapshot"; }
std::string json_name(const lower::ApiGene& g) { return lower::js_class(g.label) + "JSON"; }

}  // namespace

std::string js_view_class(const lower::ApiGene& gene) { return lower::js_class(gene.label) + "View"; }
std::string js_document_class(const lower::ApiInterface& iface) { return lower::js_class(iface.label); }

std::string emit_js(const lower::ExportTable& table, const std::string& wasm_file) {
  FieldIndex field_index;
  std::string out;
  out += "// Generated by dolc from the schema of module `" + table.module_name + "`. Do not edit.\n";
  out += "// Loads " + wasm_file + " (see NAME.d.ts and docs/generated-api.md for the API).\n\n";
  out += "const WASM_FILE = " + lower::js_string_literal(wasm_file) + ";\n";
  out += "const IFACES = {\n";
  for (const auto& iface : table.interfaces)
    out += fmt::format("  {}: {},\n", lower::js_string_literal(iface.label), lower::js_string_literal(iface.qualified));
  out += "};\n";
  out += "const SIGS = {\n";
  for (const auto& iface : table.interfaces) {
    out += fmt::format("  {}: {{\n", lower::js_string_literal(iface.label));
    for (const auto& fn : iface.functions) {
      if (fn.kind != ApiFunction::Kind::Method) continue;
      std::string params, names;
      bool ints = false;
      for (const auto& p : fn.params) {
        params += (params.empty() ? "" : ", ") + js_type_descriptor(iface, p.type);
        names += (names.empty() ? "" : ", ") + lower::js_string_literal(p.label);
        ints = ints || p.type.is_integer();
      }
      // Parameter names only where an integer parameter may be refused (its
      // range error names it); other signatures stay two entries long.
      out += fmt::format("    {}: [[{}], {}{}],\n", lower::js_string_literal(fn.label), params,
                         fn.has_result ? js_type_descriptor(iface, fn.result) : "null",
                         ints ? ", [" + names + "]" : "");
    }
    out += "  },\n";
  }
  out += "};\n\n";
  out += kJsPrelude;
  out += "\n// ---- generated classes ------------------------------------------------------\n";
  std::vector<GeneEntry> genes = all_genes(table);
  for (const auto& [g, iface] : genes) {
    out += fmt::format("\nconst {} = (Base) => class extends Base {{\n", mixin_name(*g));
    for (int index : g->fields) {
      const ir::Field& f = g->gene->fields[static_cast<size_t>(index)];
      std::string member = lower::js_member(lower::wit_label(f.name));
      std::string label = lower::js_string_literal(lower::wit_label(f.name));
      FieldShape s = field_shape(field_index, *iface, *g, index);
      std::string view = s.nested ? js_view_class(*s.nested) : "";
      if (!s.js_class)
        out += fmt::format("  get {}() {{ return this._memo({}, () => nestedView(this, {}, {})); }}\n", member, label,
                           label, view);
      else if (s.nested)
        out += fmt::format("  get {}() {{ return this._memo({}, () => new {}(this, {}, {})); }}\n", member, label,
                           s.js_class, label, view);
      else
        out += fmt::format("  get {}() {{ return this._memo({}, () => new {}(this, {})); }}\n", member, label,
                           s.js_class, label);
    }
    for (const auto& [fn, fiface] : nested_methods(table, g->gene)) {
      std::string params;
      for (size_t i = 1; i < fn->params.size(); ++i) params += (params.empty() ? "" : ", ") + lower::js_param(fn->params[i].label);
      out += fmt::format("  {}({}) {{ return this._doc._call({}, [this._path{}{}]); }}\n", lower::js_member(fn->op_label),
                         params, lower::js_string_literal(fn->label), params.empty() ? "" : ", ", params);
    }
    out += "};\n";
    out += fmt::format("class {} extends {}(View) {{}}\n", js_view_class(*g), mixin_name(*g));
    out += fmt::format("{}.LABEL = {};\n", js_view_class(*g), lower::js_string_literal(g->label));
    // Introspection: each field's member name, DOL name, field class, value
    // type (the descriptor of the value its writes take) and nested view.
    out += fmt::format("{}.FIELDS = [\n", js_view_class(*g));
    for (int index : g->fields) {
      const ir::Field& f = g->gene->fields[static_cast<size_t>(index)];
      FieldShape s = field_shape(field_index, *iface, *g, index);
      std::string key = "undefined", value = "undefined";
      for (const ApiFunction* fn : s.fns)
        for (const auto& p : fn->params) {
          if (p.label == "key") key = js_type_descriptor(*iface, p.type);
          if (p.label == "value" || p.label == "amount") value = js_type_descriptor(*iface, p.type);
        }
      if (s.js_class && std::string(s.js_class) == "Text") value = "'string'";
      // `id`: the field's stable identity in the bytes (ir/layouts.hpp), which
      // survives renames: tools compare fields across versions by it.
      out += fmt::format("  {{ member: {}, name: {}, id: {}, kind: {}, key: {}, value: {}, view: {} }},\n",
                         lower::js_string_literal(lower::js_member(lower::wit_label(f.name))),
                         lower::js_string_literal(f.name),
                         lower::js_string_literal(g->field_keys[static_cast<size_t>(index)]),
                         lower::js_string_literal(s.js_class ? s.js_class : "Nested"), key, value,
                         s.nested ? "() => " + js_view_class(*s.nested) : "undefined");
    }
    out += "];\n";
  }
  for (const auto& iface : table.interfaces) {
    std::string cls = js_document_class(iface);
    out += fmt::format("\n/** One replica of a `{}` document. */\n", iface.gene->name);
    out += fmt::format("export class {} extends {}(Document) {{\n", cls, mixin_name(iface.genes[0]));
    out += fmt::format("  constructor(actor) {{ super({}, actor); }}\n", lower::js_string_literal(iface.label));
    out += fmt::format("  /** A new replica holding `saved` (from save()); `actor` as in the constructor. */\n");
    out += fmt::format("  static load(saved, actor) {{ return Document._fromSave(new {}(actor), saved); }}\n", cls);
    for (const auto& fn : iface.functions) {
      if (!is_root_method(fn)) continue;
      std::string params;
      for (const auto& p : fn.params) params += (params.empty() ? "" : ", ") + lower::js_param(p.label);
      out += fmt::format("  {}({}) {{ return this._call({}, [{}]); }}\n", lower::js_member(fn.op_label), params,
                         lower::js_string_literal(fn.label), params);
    }
    out += "}\n";
    out += fmt::format("{}.FIELDS = {}.FIELDS;\n", cls, js_view_class(iface.genes[0]));
    // Introspection of the gene methods: member name and parameter types.
    out += fmt::format("{}.METHODS = [\n", cls);
    for (const auto& fn : iface.functions) {
      if (!is_root_method(fn)) continue;
      std::string params;
      for (const auto& p : fn.params) params += (params.empty() ? "" : ", ") + js_type_descriptor(iface, p.type);
      out += fmt::format("  {{ member: {}, name: {}, params: [{}] }},\n",
                         lower::js_string_literal(lower::js_member(fn.op_label)), lower::js_string_literal(fn.method->name),
                         params);
    }
    out += "];\n";
    out += fmt::format("{}.LABEL = {};\n", cls, lower::js_string_literal(iface.label));
  }
  out += fmt::format("\nexport {{ Document, View, Register, MvRegister, OrSet, OrMap, ObjectMap, Counter, List, "
                     "ObjectList, Text, UndoManager, AppendList, AppendObjectList, EscrowCounter }};\n");
  out += "export { ";
  bool first = true;
  for (const auto& [g, iface] : genes) {
    out += (first ? "" : ", ") + js_view_class(*g);
    first = false;
  }
  out += " };\n";
  return out;
}

// ----- Traits (docs/generated-api.md, "Traits") -----------------------------
// A trait is a TypeScript interface of its methods, as the document classes
// name them; it extends the traits it uses, and each document class whose
// gene implements it says `implements`. Its name is the trait's class-cased
// name, with `Trait` appended where a generated class already has that name.
static std::string js_trait_interface(const lower::ExportTable& table, const lower::ApiTrait& t) {
  std::string name = lower::js_class(t.label);
  for (const auto& iface : table.interfaces)
    for (const auto& g : iface.genes)
      if (js_document_class(iface) == name || js_view_class(g) == name || lower::js_class(g.label) + "Fields" == name ||
          lower::js_class(g.label) + "Init" == name || lower::js_class(g.label) + "Snapshot" == name ||
          lower::js_class(g.label) + "JSON" == name)
        return name + "Trait";
  return name;
}

static std::string dts_traits(const lower::ExportTable& table) {
  std::string out;
  const lower::ApiInterface none;  // trait signatures hold no enums or records (api_traits.cpp)
  for (const auto& t : table.traits) {
    std::string bases;
    for (const auto& u : t.uses) bases += (bases.empty() ? " extends " : ", ") + js_trait_interface(table, *table.find_trait(u));
    out += fmt::format("\n/** {}(trait `{}`) */\n", t.trait->docs.empty() ? "" : t.trait->docs + " ", t.trait->name);
    out += fmt::format("export interface {}{} {{\n", js_trait_interface(table, t), bases);
    for (const auto& fn : t.functions) {
      std::string params;
      for (const auto& p : fn.params)
        params += (params.empty() ? "" : ", ") + lower::js_param(p.label) + ": " + ts_type(none, p.type, true);
      if (!fn.method->docs.empty()) out += "  /** " + fn.method->docs + " */\n";
      out += fmt::format("  {}({}): {};\n", lower::js_member(fn.op_label), params, ts_type(none, fn.result, false));
    }
    out += "}\n";
  }
  return out;
}

std::string emit_dts(const lower::ExportTable& table) {
  FieldIndex field_index;
  std::string out;
  out += "// Generated by dolc from the schema of module `" + table.module_name + "`. Do not edit.\n\n";
  out += kDtsPrelude;
  out += "\n// ---- generated types -----------------------------------------------------------\n";
  std::vector<GeneEntry> genes = all_genes(table);
  for (const GeneEntry& entry : genes) {
    // Plain variables, not a structured binding: the lambdas below capture
    // them, which C++17 allows only for variables (clang++ rejects it).
    const lower::ApiGene* g = entry.gene;
    const lower::ApiInterface* iface = entry.iface;
    std::string members, init, snapshot, json;
    for (int index : g->fields) {
      const ir::Field& f = g->gene->fields[static_cast<size_t>(index)];
      std::string member = lower::js_member(lower::wit_label(f.name));
      FieldShape s = field_shape(field_index, *iface, *g, index);
      auto value_type = [&](ApiOp op, size_t param, bool input) -> std::string {
        const ApiFunction* fn = s.find(op);
        if (!fn) return "never";
        if (param == SIZE_MAX) {  // the result, unwrapped from option/list
          const WitType& r = fn->result;
          return ts_type(*iface, r.kind == WitType::Kind::Option || r.kind == WitType::Kind::List ? r.args[0] : r, input);
        }
        return ts_type(*iface, fn->params[param].type, input);
      };
      // The field object's type, its type in an `init` object, and its
      // value's type in snapshot() and toJSON() objects (a function of
      // `json`: wit() is the value's WIT type, from the read op's result or a
      // write op's parameter).
      std::string type, init_type;
      std::function<std::string(bool)> snap_type;
      auto wit = [&](ApiOp op, size_t param) -> const WitType* {
        const ApiFunction* fn = s.find(op);
        if (!fn) return nullptr;
        if (param != SIZE_MAX) return &fn->params[param].type;
        const WitType& r = fn->result;
        return r.kind == WitType::Kind::Option || r.kind == WitType::Kind::List ? &r.args[0] : &r;
      };
      auto value_snap = [&](const WitType* t, const char* wrap) {
        return [this_iface = iface, t, wrap](bool as_json) {
          return fmt::format(fmt::runtime(wrap), t ? snapshot_ts_type(*this_iface, *t, as_json) : std::string("never"));
        };
      };
      std::string cls = s.js_class ? s.js_class : "";
      if (!s.js_class) {
        type = js_view_class(*s.nested);
        init_type = init_name(*s.nested);
        snap_type = [&, n = s.nested](bool as_json) { return (as_json ? json_name(*n) : snapshot_name(*n)); };
      } else if (cls == "ObjectList" || cls == "AppendObjectList") {
        type = fmt::format("{}<{}, {}>", cls, js_view_class(*s.nested), init_name(*s.nested));
        init_type = init_name(*s.nested) + "[]";
        snap_type = [&, n = s.nested](bool as_json) { return (as_json ? json_name(*n) : snapshot_name(*n)) + "[]"; };
      } else if (cls == "ObjectMap") {
        std::string k = value_type(ApiOp::MapKeys, SIZE_MAX, false), kin = value_type(ApiOp::MapHas, 1, true);
        type = fmt::format("ObjectMap<{}, {}, {}, {}>", k, js_view_class(*s.nested), init_name(*s.nested), kin);
        init_type = fmt::format("Record<string, {}>", init_name(*s.nested));
        snap_type = [&, n = s.nested](bool as_json) {
          return "Record<string, " + (as_json ? json_name(*n) : snapshot_name(*n)) + ">";
        };
      } else if (cls == "List" || cls == "AppendList") {
        std::string t = value_type(ApiOp::ListGet, SIZE_MAX, false);
        std::string in = cls == "List" ? value_type(ApiOp::ListInsert, 2, true) : value_type(ApiOp::ListAppend, 1, true);
        type = fmt::format("{}<{}, {}>", cls, t, in);
        init_type = "(" + in + ")[]";
        snap_type = value_snap(wit(ApiOp::ListGet, SIZE_MAX), "({})[]");
      } else if (cls == "OrMap") {
        std::string k = value_type(ApiOp::MapKeys, SIZE_MAX, false), v = value_type(ApiOp::MapGet, SIZE_MAX, false);
        std::string kin = value_type(ApiOp::MapSet, 1, true), vin = value_type(ApiOp::MapSet, 2, true);
        type = fmt::format("OrMap<{}, {}, {}, {}>", k, v, kin, vin);
        init_type = fmt::format("Record<string, {}>", vin);
        snap_type = value_snap(wit(ApiOp::MapGet, SIZE_MAX), "Record<string, {}>");
      } else if (cls == "OrSet") {
        std::string t = value_type(ApiOp::SetValues, SIZE_MAX, false), in = value_type(ApiOp::SetAdd, 1, true);
        type = fmt::format("OrSet<{}, {}>", t, in);
        init_type = "(" + in + ")[]";
        snap_type = value_snap(wit(ApiOp::SetValues, SIZE_MAX), "({})[]");
      } else if (cls == "Counter" || cls == "EscrowCounter") {
        std::string t = ts_type(*iface, s.find(ApiOp::CounterValue)->result, false);
        std::string in = value_type(ApiOp::CounterIncrement, 1, true);
        type = fmt::format("{}<{}, {}>", cls, t, in);
        init_type = in;
        snap_type = value_snap(&s.find(ApiOp::CounterValue)->result, "{}");
      } else if (cls == "MvRegister") {
        std::string t = value_type(ApiOp::MvValues, SIZE_MAX, false), in = value_type(ApiOp::MvSet, 1, true);
        type = fmt::format("MvRegister<{}, {}>", t, in);
        init_type = in;
        snap_type = value_snap(wit(ApiOp::MvValues, SIZE_MAX), "({})[]");
      } else if (cls == "Register") {
        std::string t = value_type(ApiOp::RegisterGet, SIZE_MAX, false), in = value_type(ApiOp::RegisterSet, 1, true);
        type = fmt::format("Register<{}, {}>", t, in);
        init_type = in;
        const WitType* v = wit(ApiOp::RegisterGet, SIZE_MAX);  // an option's null is the unset null
        snap_type = value_snap(v, v && v->kind == WitType::Kind::Option ? "{}" : "{} | null");
      } else if (cls == "Text") {
        type = "Text";
        init_type = "string";
        snap_type = [](bool) { return std::string("string"); };
      }
      if (!f.docs.empty()) members += "  /** " + f.docs + " */\n";
      members += fmt::format("  readonly {}: {};\n", member, type);
      init += fmt::format("  {}?: {};\n", member, init_type);
      snapshot += fmt::format("  {}: {};\n", member, snap_type(false));
      json += fmt::format("  {}: {};\n", member, snap_type(true));
    }
    out += fmt::format("\n/** A `{}` object as snapshot() returns it (64-bit integers bigint). */\n"
                       "export interface {} {{\n{}}}\n", g->gene->name, snapshot_name(*g), snapshot);
    out += fmt::format("/** A `{}` object as toJSON() returns it (JSON-safe: 64-bit integers as decimal strings). */\n"
                       "export interface {} {{\n{}}}\n", g->gene->name, json_name(*g), json);
    out += fmt::format("\n/** Initial field values for a new nested `{}`. */\nexport interface {} {{\n{}}}\n",
                       g->gene->name, init_name(*g), init);
    out += fmt::format("/** A `{}` object (the root of a document or nested in one). */\n", g->gene->name);
    // Gene methods of nested objects: one atomic change each (see NAME.js).
    for (const auto& [fn, fiface] : nested_methods(table, g->gene)) {
      std::string params;
      for (size_t i = 1; i < fn->params.size(); ++i)
        params += (params.empty() ? "" : ", ") + lower::js_param(fn->params[i].label) + ": " +
                  ts_type(*fiface, fn->params[i].type, true);
      members += fmt::format("  {}({}): {};\n", lower::js_member(fn->op_label), params, ts_type(*fiface, fn->result, false));
    }
    out += fmt::format("export declare class {} extends View {{\n{}}}\n", js_view_class(*g), members);
  }
  out += dts_traits(table);
  for (const auto& iface : table.interfaces) {
    std::string cls = js_document_class(iface);
    std::string implements;
    for (const auto& label : iface.traits)
      implements += (implements.empty() ? " implements " : ", ") + js_trait_interface(table, *table.find_trait(label));
    out += fmt::format("\n/** One replica of a `{}` document. */\n", iface.gene->name);
    out += fmt::format("export declare class {} extends Document{} {{\n", cls, implements);
    out += "  /** `actor`: this replica's id (random when omitted). */\n";
    out += "  constructor(actor?: Int64Input);\n";
    out += fmt::format("  static load(saved: Uint8Array, actor?: Int64Input): {};\n", cls);
    out += fmt::format("  toJSON(): {};\n", json_name(iface.genes[0]));
    out += fmt::format("  snapshot(): {};\n", snapshot_name(iface.genes[0]));
    for (const auto& fn : iface.functions) {
      if (!is_root_method(fn)) continue;
      std::string params;
      for (const auto& p : fn.params)
        params += (params.empty() ? "" : ", ") + lower::js_param(p.label) + ": " + ts_type(iface, p.type, true);
      out += fmt::format("  {}({}): {};\n", lower::js_member(fn.op_label), params, ts_type(iface, fn.result, false));
    }
    out += "}\n";
    // Declaration merging gives the document class the root object's fields.
    out += fmt::format("export interface {} extends {} {{}}\n", cls, js_view_class(iface.genes[0]));
  }
  return out;
}

}  // namespace dolc::emit
