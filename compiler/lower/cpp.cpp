// compiler/lower/cpp.cpp: NAME.hpp / NAME.cpp from the checked schema and
// the export table (see cpp.hpp).
//
// Layout of the generated code:
//  * NAME.hpp: enums, gene descriptors (dolc_gen::GeneInfo), one class per
//    interface with one typed method per export-table function;
//  * NAME.cpp: descriptor tables, the class methods (each a call of the
//    runtime adapter dolc_gen::Doc, with values encoded to the runtime's
//    canonical bytes), lowered gene methods, constraint checks, toJSON, and
//    under `#if defined(__wasm__)` the canonical-ABI exports.
// Big interfaces (kThinExportsAbove) export their scalar field operations
// through the runtime's generic routines (runtime-wasm/src/field_ops.cpp):
// a table row per export and a dispatcher per core signature, the exports
// themselves added by dolc after the link (cpp.hpp, ThinExport) or, compiled
// by hand, one-line thunks; big genes have the runtime render such fields in
// toJSON. A field then costs clang a few rows instead of compiled bodies.
// Everything is emitted in table order (declaration order), so the output is
// byte-stable.
#include "lower/cpp.hpp"

#include <algorithm>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <cctype>
#include <string_view>

#include <fmt/format.h>

#include "ir/layouts.hpp"
#include "ir/strategies.hpp"
#include "lower/methods.hpp"
#include "lower/migrations.hpp"
#include "lower/naming.hpp"

namespace dolc::lower {

extern const char* const kAbiSupport;
extern const char* const kRtSupport;

namespace {

using K = WitType::Kind;

// Genes with more fields than this get one JSON function per field.
constexpr size_t kInlineJsonFields = 32;
// Interfaces with more exports than this share one export body per shape
// (see exports()); smaller ones keep whole bodies, which clang inlines into
// a smaller module (chat: ~1 KB gzip less).
constexpr size_t kShareExportsAbove = 256;
// Interfaces with more exports than this export their scalar field
// operations through the runtime's generic routines (thin_op), and genes
// with more fields than kThinJsonFields have the runtime render them in
// toJSON (thin_json): clang's time and the module then grow by a table row
// per export instead of a compiled body. Below, generated bodies, which
// clang inlines into a smaller module.
constexpr size_t kThinExportsAbove = 256;
constexpr size_t kThinJsonFields = kInlineJsonFields;

std::string gene_var(const ir::Gene& g) { return "kGene_" + cpp_ident(wit_label(g.name)); }
std::string member(const std::string& label) { return cpp_ident(label); }
std::string class_name(const ApiInterface& iface) { return js_class(iface.label); }

bool by_ref(const WitType& t) { return t.kind == K::String || t.kind == K::List || t.kind == K::Option; }

std::string param_decl(const ApiParam& p) {
  std::string t = cpp_type(p.type);
  return (by_ref(p.type) ? "const " + t + "&" : t) + " " + cpp_ident("a_" + p.label);
}

// Encoding a typed C++ value to the runtime's canonical value bytes.
std::string enc(const WitType& t, const std::string& x) {
  switch (t.kind) {
    case K::Bool: return "dolc_gen::enc_bool(" + x + ")";
    case K::S8: case K::S16: case K::S32: case K::S64: return "dolc_gen::enc_int(static_cast<int64_t>(" + x + "))";
    case K::U8: case K::U16: case K::U32: case K::U64: return "dolc_gen::enc_uint(static_cast<uint64_t>(" + x + "))";
    case K::F32: case K::F64: return "dolc_gen::enc_float(static_cast<double>(" + x + "))";
    case K::String: return "dolc_gen::enc_string(" + x + ")";
    case K::Enum: return "dolc_gen::enc_enum(static_cast<uint32_t>(" + x + "))";
    case K::Option: return "((" + x + ") ? dolc_gen::enc_some(" + enc(t.args[0], "*(" + x + ")") + ") : dolc_gen::enc_none())";
    case K::List: return "dolc_gen::enc_bytes(" + x + ")";  // only list<u8> (Bytes) is a value
    case K::Record: {
      std::string parts;
      for (size_t i = 0; i < t.args.size(); ++i)
        parts += (i ? ", " : "") + enc(t.args[i], "(" + x + ")." + cpp_ident(t.cases[i]));
      return "dolc_gen::enc_record({" + parts + "})";
    }
    default: return "dolc_gen::Bytes()";
  }
}

// Decoding runtime value bytes to the typed value (the runtime validated them).
// `level`: records nested in records; their lambdas' locals get distinct
// names (a nested `auto parts_ = ...(parts_[i])` would read itself).
std::string dec(const WitType& t, const std::string& b, int level = 0) {
  std::string ct = cpp_type(t);
  switch (t.kind) {
    case K::Bool: return "dolc_gen::dec_bool(" + b + ")";
    case K::S8: case K::S16: case K::S32: case K::S64: return "static_cast<" + ct + ">(dolc_gen::dec_int(" + b + "))";
    case K::U8: case K::U16: case K::U32: case K::U64: return "static_cast<" + ct + ">(dolc_gen::dec_uint(" + b + "))";
    case K::F32: case K::F64: return "static_cast<" + ct + ">(dolc_gen::dec_float(" + b + "))";
    case K::String: return "dolc_gen::dec_string(" + b + ")";
    case K::Enum:
      return fmt::format("static_cast<{}>(dolc_gen::dec_enum({}, {}))", ct, b, t.cases.size());
    case K::Option:
      return fmt::format("dolc_gen::dec_option<{}>({}, [](const dolc_gen::Bytes& in_) {{ return {}; }})",
                         cpp_type(t.args[0]), b, dec(t.args[0], "in_"));
    case K::List: return "dolc_gen::dec_bytes(" + b + ")";
    case K::Record: {
      std::string sfx = level ? std::to_string(level) + "_" : "_";
      std::string out = fmt::format("[&] {{ auto parts{0} = dolc_gen::dec_record({1}, {2}); {3} r{0}{{}}; ", sfx, b,
                                    t.args.size(), ct);
      for (size_t i = 0; i < t.args.size(); ++i)
        out += fmt::format("r{}.{} = {}; ", sfx, cpp_ident(t.cases[i]),
                           dec(t.args[i], fmt::format("parts{}[{}]", sfx, i), level + 1));
      return out + "return r" + sfx + "; }()";
    }
    default: return ct + "{}";
  }
}

// JSON text of a typed value.
// `level`: records nested in records (as in dec(): distinct names for the
// options inside them, which may be read through an outer option's local).
std::string json_of(const WitType& t, const std::string& x, const ApiInterface& iface, int level = 0) {
  switch (t.kind) {
    case K::Option: {  // `x` once: it is often a field read (the module is smaller, the read not repeated)
      int depth = 0;  // options in options get distinct names (no shadowing)
      for (const WitType* o = &t; o->kind == K::Option; o = &o->args[0]) ++depth;
      std::string v = "o" + std::to_string(depth) + "_" + (level ? std::to_string(level) + "_" : "");
      return "[&] { auto " + v + " = " + x + "; return " + v + " ? " + json_of(t.args[0], "*" + v, iface, level) +
             " : std::string(\"null\"); }()";
    }
    case K::Enum:
      for (const auto& e : iface.enums)
        if (e.label == t.name) {
          std::string names;
          for (const auto& v : e.variants) names += (names.empty() ? "" : ", ") + cpp_string_literal(v);
          return fmt::format("dolc_gen::json_enum(static_cast<uint32_t>({}), {{{}}})", x, names);
        }
      return "std::string(\"null\")";
    case K::List:
      if (t.args[0].kind == K::U8) return "dolc_gen::json_bytes(" + x + ")";
      return "std::string(\"null\")";
    case K::Record: {
      const ir::Gene* g = nullptr;
      for (const auto& r : iface.records)
        if (r.label == t.name) g = r.gene;
      std::string out = "(std::string(\"{\")";
      for (size_t i = 0; i < t.args.size(); ++i) {
        std::string key = g && i < g->fields.size() ? g->fields[i].name : t.cases[i];
        out += " + " + cpp_string_literal((i ? "," : "") + std::string("\"") + key + "\":") + " + " +
               json_of(t.args[i], "(" + x + ")." + cpp_ident(t.cases[i]), iface, level + 1);
      }
      return out + " + \"}\")";
    }
    default: return "dolc_gen::json_value(" + x + ")";
  }
}

// A field's literal default (`= false`, `= "sent"`, `= 5`, `= Status::Todo`)
// as a C++ value of its WIT type; "" when there is none or it is not a literal.
// Generated lines that keep an operation's effect (r_, after checkpoint
// mark_) unless it breaks an invariant that held before (before_): one text
// for plain operations and gene methods, indented by `pad`.
// Exchanging changes while a transaction is open would export operations that
// an abort then takes back, or put a peer's changes inside the transaction
// (a rollback would drop them): refused until the commit or abort.
const char* const kOutsideTransactions =
    "  if (!tx_marks_.empty()) return dolc_gen::Failure{\"refused: a transaction is open (commit or abort it first)\"};\n";

std::string refuse_if_newly_broken(const std::string& pad) {
  std::string out;
  out += pad + "auto after_ = broken_invariants_(true);\n";
  out += pad + "const std::string* broken_ = dolc_gen::newly_broken(before_, after_);\n";
  out += pad + "if (!broken_) { doc_.commit(mark_); return r_; }\n";
  out += pad + "std::string why_ = \"operation refused: it would break invariant `\" + *broken_ + \"`\";\n";
  out += pad + "doc_.rollback(mark_);\n";
  out += pad + "return dolc_gen::Failure{why_};\n";
  return out;
}

std::string default_cpp(const ir::Field& f, const WitType& t) {
  if (!f.default_value) return "";
  const ir::Expr& e = *f.default_value;
  using EK = ir::Expr::Kind;
  switch (t.kind) {
    case K::Bool: return e.kind == EK::Bool ? (e.text == "true" ? "true" : "false") : "";
    case K::S8: case K::S16: case K::S32: case K::S64: case K::U8: case K::U16: case K::U32: case K::U64:
    {
      // `5`, or `-5` (a minus before a literal). The checker has range-checked
      // the literal against the field's type; int_value holds its 64-bit
      // pattern (u64 values past i64 wrap, which the cast below undoes).
      uint64_t bits;
      if (e.kind == EK::Int) bits = static_cast<uint64_t>(e.int_value);
      else if (e.kind == EK::Unary && e.text == "-" && e.children.size() == 1 && e.children[0].kind == EK::Int)
        bits = 0 - static_cast<uint64_t>(e.children[0].int_value);
      else return "";
      int64_t v = static_cast<int64_t>(bits);
      // INT64_MIN has no literal of its own in C++ (`9223372036854775808LL` overflows).
      std::string lit = v == INT64_MIN ? "(-9223372036854775807LL - 1)" : fmt::format("{}LL", v);
      return fmt::format("static_cast<{}>({})", cpp_type(t), lit);
    }
    case K::F32: case K::F64:
      return e.kind == EK::Float || e.kind == EK::Int ? fmt::format("static_cast<{}>({})", cpp_type(t), e.text) : "";
    case K::String: return e.kind == EK::String ? "std::string(" + cpp_string_literal(e.text) + ")" : "";
    case K::Enum: {
      if (e.ref != ir::Expr::Ref::EnumVariant) return "";
      std::string variant = e.text.substr(e.text.rfind(':') == std::string::npos ? 0 : e.text.rfind(':') + 1);
      return cpp_type(t) + "::" + cpp_ident(variant);
    }
    default: return "";
  }
}

struct Gen {
  const ir::Schema& schema;
  const ExportTable& table;
  std::string ns;
  std::vector<ThinExport>* thin = nullptr;  // receives the thin exports (exports())
  mutable std::map<std::pair<const ir::Gene*, int>, std::vector<std::pair<const ApiInterface*, const ApiFunction*>>>
      field_functions{};  // functions_of()
  mutable bool field_functions_built = false;

  // Every gene any interface exposes, first-appearance order.
  std::vector<const ApiGene*> genes() const {
    std::vector<const ApiGene*> out;
    std::set<const ir::Gene*> seen;
    for (const auto& iface : table.interfaces)
      for (const auto& g : iface.genes)
        if (seen.insert(g.gene).second) out.push_back(&g);
    return out;
  }

  // The descriptor's field kind: the RUNTIME column of the field's shape
  // (ir/strategies.def).
  static const char* strategy_enum(const ir::Field& f) { return ir::shape_info(ir::field_shape(f)).runtime; }

  const ir::Gene* nested_gene_of(const ir::Field& f) const {
    const ir::Type* t = &f.type;
    if (t->kind == ir::Type::Kind::List && !t->args.empty()) t = &t->args[0];
    else if (t->kind == ir::Type::Kind::Map && t->args.size() == 2) t = &t->args[1];
    return t->kind == ir::Type::Kind::Gene ? schema.find_gene(t->name) : nullptr;
  }

  bool exposed(const ApiGene& g, const ir::Gene* gene) const {
    (void)g;
    for (const auto* x : genes())
      if (x->gene == gene) return true;
    return false;
  }

  // Whether documents rooted at `gene` can hold an rga or peritext field
  // (directly or in nested genes). Only such genes point their descriptor at
  // dolc_gen::kSequenceSupport, which is what links the sequence code into
  // the module: a schema without sequences does not pay for them.
  bool uses_sequences(const ir::Gene& gene, std::vector<const ir::Gene*>& seen) const {
    if (std::find(seen.begin(), seen.end(), &gene) != seen.end()) return false;
    seen.push_back(&gene);
    for (const auto& f : gene.fields) {
      if (ir::field_shape(f) != ir::FieldShape::Nested && ir::strategy_info(f.strategy).sequence) return true;
      if (const ir::Gene* nested = nested_gene_of(f); nested && uses_sequences(*nested, seen)) return true;
    }
    return false;
  }

  static const char* strategy_enum_of(ir::Strategy s, const std::optional<ir::Type>& type) {
    ir::Field f;
    f.strategy = s;
    if (type) f.type = *type;
    return strategy_enum(f);
  }

  // Each gene's FieldInfo table (declared fields, then the hidden fields of
  // earlier versions that an evolution replaced), its known layouts and its
  // format-1 field order (ir/layouts.hpp has the key rules). Migration
  // functions come first: the tables point at them.
  // The function rendering field `index` of `gene`'s values (what: 0), map
  // keys (1) or default value (2, registers) as JSON for change events,
  // defined into `out` the first time a rendering is needed; "nullptr" when
  // the field has none.
  // Every interface's functions on field `index` of `gene`, in table order.
  // Indexed once: a scan of all functions per field made generation
  // quadratic (50,000 fields: over an hour).
  using FieldFunctions = std::vector<std::pair<const ApiInterface*, const ApiFunction*>>;
  const FieldFunctions& functions_of(const ir::Gene& gene, size_t index) const {
    if (!field_functions_built) {
      for (const auto& iface : table.interfaces)
        for (const auto& fn : iface.functions)
          if (fn.gene && fn.field_index >= 0) field_functions[{fn.gene, fn.field_index}].push_back({&iface, &fn});
      field_functions_built = true;
    }
    static const FieldFunctions kNone;
    auto it = field_functions.find({&gene, static_cast<int>(index)});
    return it == field_functions.end() ? kNone : it->second;
  }
  std::string event_json_fn(const ir::Gene& gene, size_t index, int what, std::map<std::string, std::string>& fns,
                            std::string& out) const {
    for (const auto& [iface_ptr, fn_ptr] : functions_of(gene, index)) {
      const ApiInterface& iface = *iface_ptr;
      const ApiFunction& fn = *fn_ptr;
      if (!fn.has_result) continue;
      bool wanted = what == 1   ? fn.op == ApiOp::MapKeys
                    : what == 2 ? fn.op == ApiOp::RegisterGet || fn.op == ApiOp::MvValues
                                : fn.op == ApiOp::RegisterGet || fn.op == ApiOp::MvValues || fn.op == ApiOp::SetValues ||
                                      fn.op == ApiOp::MapGet || fn.op == ApiOp::ListGet;
      if (!wanted) continue;
      bool wrapped = fn.result.kind == WitType::Kind::Option || fn.result.kind == WitType::Kind::List;
      const WitType& t = wrapped ? fn.result.args[0] : fn.result;
      std::string def = what == 2 ? default_cpp(gene.fields[index], t) : "";
      if (what == 2 && def.empty()) return "nullptr";
      std::string body = json_of(t, what == 2 ? def : dec(t, "b_"), iface);
      auto [it, added] = fns.emplace(std::to_string(what == 2) + body, fmt::format("event_json_{}_", fns.size()));
      if (added)
        out += fmt::format("static std::string {}({}) {{ return {}; }}\n", it->second,
                           what == 2 ? "" : "const dolc_gen::Bytes& b_", body);
      return "&" + it->second;
    }
    return "nullptr";
  }

  // The table GeneInfo::strategies points at: per dolc_gen::Strategy, the
  // runtime's merge code for it when a field of the module has it (hidden
  // fields of earlier versions included: their writes still apply), else
  // nullptr. What it names is what the module links (dolc_gen_rt.hpp).
  std::string strategy_table() const {
    if (genes().empty()) return "";
    std::set<std::string> used;
    for (const ApiGene* g : genes()) {
      for (const auto& f : g->gene->fields) used.insert(strategy_enum(f));
      for (const auto& r : ir::gene_history(schema, *g->gene).replaced)
        used.insert(strategy_enum_of(r.old_strategy.value_or(ir::Strategy::Lww), r.old_type));
    }
    static const std::pair<const char*, const char*> kSupport[] = {
        {"Immutable", "kRegisterSupport"}, {"Lww", "kRegisterSupport"},   {"MvRegister", "kMvRegisterSupport"},
        {"OrSet", "kOrSetSupport"},        {"OrMap", "kOrMapSupport"},    {"PnCounter", "kCounterSupport"},
        {"Rga", nullptr},                  {"Peritext", nullptr},         {"Nested", nullptr}};
    std::string out = "static const dolc_gen::StrategySupport* const dolc_strategies_[] = {";
    for (size_t i = 0; i < std::size(kSupport); ++i) {
      const auto& [strategy, support] = kSupport[i];
      out += i ? ", " : "";
      out += support && used.count(strategy) ? std::string("&dolc_gen::") + support : "nullptr";
    }
    return out + "};\n";
  }

  std::string descriptors() const {
    std::string out = strategy_table();
    std::map<std::string, std::string> event_fns;  // rendering -> function (event_json_fn)
    for (const ApiGene* g : genes()) {
      const ir::Gene& gene = *g->gene;
      ir::GeneHistory history = ir::gene_history(schema, gene);
      const ir::Layout& now = history.layouts.back();
      std::vector<std::string> keys;
      for (const auto& f : now.fields) keys.push_back(f.key);
      // Hidden fields: keys of earlier versions that a replacement took over.
      std::vector<const ir::ReplacedField*> hidden;
      for (const auto& r : history.replaced)
        if (std::find(keys.begin(), keys.end(), r.old_key) == keys.end()) hidden.push_back(&r);
      std::vector<std::string> all_keys = keys;
      for (const auto* r : hidden) all_keys.push_back(r->old_key);
      std::vector<MigrationFunction> conversions;
      for (size_t i = 0; i < hidden.size(); ++i) {
        conversions.push_back(lower_migration(schema, gene, *hidden[i], gene_var(gene) + "_migrate_" + std::to_string(i)));
        out += conversions.back().code;
      }

      // Change events: each field's JS name, and its values and map keys as
      // JSON (one function per distinct rendering, shared by every field).
      std::string table_fields;
      // Defaults of lww / mv_register fields, as the runtime stores them (undo).
      std::vector<std::string> defaults(gene.fields.size());
      for (const auto& iface : table.interfaces)
        for (const auto& fn : iface.functions) {
          if (fn.gene != &gene || fn.field_index < 0 || (fn.op != ApiOp::RegisterSet && fn.op != ApiOp::MvSet)) continue;
          size_t i = static_cast<size_t>(fn.field_index);
          std::string def = default_cpp(gene.fields[i], fn.params.back().type);
          // (a field set once has no default to read before its write: ONCE)
          if (def.empty() || !defaults[i].empty() || ir::strategy_info(gene.fields[i].strategy).once) continue;
          defaults[i] = fmt::format("{}_default_{}", gene_var(gene), i);
          out += fmt::format("static dolc_gen::Bytes {}() {{ return {}; }}\n", defaults[i], enc(fn.params.back().type, def));
        }

      for (size_t i = 0; i < gene.fields.size(); ++i) {
        const ir::Field& f = gene.fields[i];
        const ir::Gene* nested = nested_gene_of(f);
        bool nested_known = nested && exposed(*g, nested);
        const auto& o = f.options;
        // The option flags appended to FieldInfo, written only up to the last
        // one set: tables of schemas without them stay as they were.
        std::string flags;
        const bool flag_values[] = {o.append_only, o.remove_wins, o.escrow, f.personal};
        size_t flag_count = 0;
        for (size_t k = 0; k < std::size(flag_values); ++k)
          if (flag_values[k]) flag_count = k + 1;
        for (size_t k = 0; k < flag_count; ++k) flags += flag_values[k] ? ", true" : ", false";
        table_fields += fmt::format(
            "  {{{}, dolc_gen::Strategy::{}, {}, {}, {}LL, {}, {}LL, dolc_gen::Overflow::{}, {}, {}LL, {}, false, -1, nullptr, "
            "{}, {}, {}, {}, {}{}}},\n",
            cpp_string_literal(f.name), strategy_enum(f), nested_known ? "&" + gene_var(*nested) : "nullptr",
            o.min_value ? "true" : "false", o.min_value.value_or(0), o.max_value ? "true" : "false",
            o.max_value.value_or(0),
            o.overflow_strategy == ir::Overflow::Wrap ? "Wrap" : o.overflow_strategy == ir::Overflow::Error ? "Error" : "Saturate",
            o.tie_break == ir::TieBreak::ContentHash ? "true" : "false", o.max_length.value_or(0),
            keys[i] == f.name ? "nullptr" : cpp_string_literal(keys[i]), cpp_string_literal(js_member(wit_label(f.name))),
            event_json_fn(gene, i, 0, event_fns, out), event_json_fn(gene, i, 1, event_fns, out),
            event_json_fn(gene, i, 2, event_fns, out), defaults[i].empty() ? "nullptr" : "&" + defaults[i], flags);
      }
      out += fmt::format("static const dolc_gen::FieldInfo {}_fields[] = {{\n", gene_var(gene));
      if (gene.fields.empty() && hidden.empty()) out += "  {},\n";
      out += table_fields;
      for (size_t i = 0; i < hidden.size(); ++i) {
        const ir::ReplacedField& r = *hidden[i];
        auto target = std::find(all_keys.begin(), all_keys.end(), r.new_key);
        bool converts = conversions[i].unsupported.empty();
        out += fmt::format(
            "  {{{}, dolc_gen::Strategy::{}, nullptr, false, 0LL, false, 0LL, dolc_gen::Overflow::Saturate, false, 0LL, "
            "{}, true, {}, {}}},  // `{}` before {}: hidden{}\n",
            cpp_string_literal(r.old_name), strategy_enum_of(r.old_strategy.value_or(ir::Strategy::Lww), r.old_type),
            cpp_string_literal(r.old_key),
            converts && target != all_keys.end() ? std::to_string(target - all_keys.begin()) : std::string("-1"),
            conversions[i].name.empty() ? "nullptr" : "&" + conversions[i].name, r.old_name,
            r.evolution ? r.evolution->to_version.text : std::string("?"),
            converts ? "" : "; not converted: " + conversions[i].unsupported);
      }
      out += "};\n";

      out += fmt::format("static const dolc_gen::LayoutInfo {}_layouts[] = {{\n", gene_var(gene));
      for (const auto& l : history.layouts)
        out += fmt::format("  {{{}, 0x{:08x}u}},\n", cpp_string_literal(l.version.text), l.hash);
      out += "};\n";
      // Format 1 stored positions; an evolution that removed fields leaves
      // their positions unknown, so such genes cannot read format 1.
      bool format1 = true;
      for (const ir::Evolution* e : history.chain)
        for (const auto& c : e->changes)
          if (c.kind == ir::EvolutionChange::Kind::Removes) format1 = false;
      // Which version's order: format 1 predates evolutions, so its
      // documents come from the versions before the first evolution that did
      // more than append fields; the newest of those reads them all (each
      // earlier order is a prefix of its order).
      size_t order_from = 0;
      for (; order_from + 1 < history.layouts.size(); ++order_from) {
        const auto& a = history.layouts[order_from].fields;
        const auto& b = history.layouts[order_from + 1].fields;
        bool prefix = a.size() <= b.size();
        for (size_t k = 0; prefix && k < a.size(); ++k) prefix = a[k].key == b[k].key;
        if (!prefix) break;
      }
      const auto& format1_order = history.layouts[order_from].fields;
      if (format1) {
        out += fmt::format("static const char* const {}_format1[] = {{", gene_var(gene));
        const auto& oldest = format1_order;
        for (size_t i = 0; i < oldest.size(); ++i) out += (i ? ", " : "") + cpp_string_literal(oldest[i].key);
        out += oldest.empty() ? "nullptr};\n" : "};\n";
      }
      std::vector<const ir::Gene*> seen;
      out += fmt::format("const dolc_gen::GeneInfo {} = {{{}, {}_fields, {}u, {}, {}, {}_layouts, {}u, {}, {}u, dolc_strategies_}};\n\n",
                         gene_var(gene), cpp_string_literal(gene.name), gene_var(gene), gene.fields.size() + hidden.size(),
                         uses_sequences(gene, seen) ? "&dolc_gen::kSequenceSupport" : "nullptr",
                         gene.version.present() ? cpp_string_literal(gene.version.text) : "nullptr", gene_var(gene),
                         history.layouts.size(), format1 ? gene_var(gene) + "_format1" : "nullptr",
                         format1 ? format1_order.size() : 0);
    }
    return out;
  }

  // ----- class methods ---------------------------------------------------------

  static bool is_read(ApiOp op) {
    switch (op) {
      case ApiOp::Actor: case ApiOp::Version: case ApiOp::ChangesSince: case ApiOp::Save: case ApiOp::ToJson:
      case ApiOp::Violations: case ApiOp::MigrationConflicts: case ApiOp::Pending: case ApiOp::RegisterGet: case ApiOp::MvValues: case ApiOp::SetHas:
      case ApiOp::SetValues: case ApiOp::SetSize: case ApiOp::MapHas: case ApiOp::MapGet: case ApiOp::MapKeys:
      case ApiOp::MapChild: case ApiOp::CounterValue: case ApiOp::ListLength: case ApiOp::ListGet:
      case ApiOp::ListChild: case ApiOp::TextLength: case ApiOp::TextString: case ApiOp::TextSpans:
      case ApiOp::NestedChild:
      case ApiOp::Cursor: case ApiOp::CursorPosition: case ApiOp::CanUndo: case ApiOp::CanRedo:
      case ApiOp::PersonalSubjectGet: case ApiOp::CounterRights:
        return true;
      default: return false;
    }
  }

  static std::string method_name(const ApiFunction& fn) { return member(fn.label); }

  // ----- thin field operations (runtime-wasm/src/field_ops.cpp) ---------------

  // The dolc_gen::ValueKind of a plain scalar type ("" for enums, options,
  // records, bytes: those keep generated code).
  static std::string value_kind(const WitType& t) {
    switch (t.kind) {
      case K::Bool: return "Bool";
      case K::S8: return "S8";
      case K::S16: return "S16";
      case K::S32: return "S32";
      case K::S64: return "S64";
      case K::U8: return "U8";
      case K::U16: return "U16";
      case K::U32: return "U32";
      case K::U64: return "U64";
      case K::F32: return "F32";
      case K::F64: return "F64";
      case K::String: return "String";
      default: return "";
    }
  }

  // A field op that the runtime's generic fx_<op> (dolc_gen_abi.hpp) performs
  // exactly as the typed member would: its name, and its key and value kinds
  // ("None" when it has none); "" when the op keeps a generated body (values
  // that are not plain scalars, defaults and auto_adjust clamps applied on
  // read, gene values, non-int64 counters, escrow rights).
  std::string thin_op(const ApiInterface& iface, const ApiFunction& fn, std::string* key_kind,
                      std::string* val_kind) const {
    if (fn.kind != ApiFunction::Kind::Method || fn.field_index < 0 || !fn.gene) return "";
    // Small interfaces keep whole bodies, which clang inlines into a smaller
    // module than the generic routines make (chat: ~1.8 KB gzip).
    if (iface.functions.size() <= kThinExportsAbove) return "";
    const ir::Field& f = fn.gene->fields[static_cast<size_t>(fn.field_index)];
    *key_kind = "None";
    *val_kind = "None";
    auto elem = [](const WitType& t) { return t.kind == K::List || t.kind == K::Option ? t.args[0] : t; };
    auto param = [&](const char* label) -> const WitType* {
      for (const auto& p : fn.params)
        if (p.label == label) return &p.type;
      return nullptr;
    };
    // The value kind from a parameter or the result's element; false if not scalar.
    auto set_value = [&](const WitType* t) { return t && !(*val_kind = value_kind(*t)).empty(); };
    auto set_key = [&](const WitType* t) { return t && !(*key_kind = value_kind(*t)).empty(); };
    switch (fn.op) {
      case ApiOp::RegisterGet: {
        WitType t = elem(fn.result);
        if (!default_cpp(f, t).empty() || !auto_adjust_clamp(iface, fn).empty()) return "";
        return set_value(&t) ? "reg_get" : "";
      }
      case ApiOp::RegisterSet: return set_value(param("value")) ? "reg_set" : "";
      case ApiOp::MvValues: {
        WitType t = elem(fn.result);
        if (!default_cpp(f, t).empty()) return "";
        return set_value(&t) ? "mv_values" : "";
      }
      case ApiOp::MvSet: return set_value(param("value")) ? "mv_set" : "";
      case ApiOp::SetHas: return set_value(param("value")) ? "set_has" : "";
      case ApiOp::SetValues: { WitType t = elem(fn.result); return set_value(&t) ? "set_values" : ""; }
      case ApiOp::SetSize: return "set_size";
      case ApiOp::SetAdd: return set_value(param("value")) ? "set_add" : "";
      case ApiOp::SetRemove: return set_value(param("value")) ? "set_remove" : "";
      case ApiOp::MapHas: return set_key(param("key")) ? "map_has" : "";
      case ApiOp::MapGet: {
        WitType t = elem(fn.result);
        return set_key(param("key")) && set_value(&t) ? "map_get" : "";
      }
      case ApiOp::MapKeys: { WitType t = elem(fn.result); return set_key(&t) ? "map_keys" : ""; }
      case ApiOp::MapSet: return set_key(param("key")) && set_value(param("value")) ? "map_set" : "";
      case ApiOp::MapDelete: return set_key(param("key")) ? "map_delete" : "";
      case ApiOp::CounterValue:
        if (fn.result.kind != K::S64 || !auto_adjust_clamp(iface, fn).empty()) return "";
        return "counter_value";
      case ApiOp::CounterIncrement: case ApiOp::CounterDecrement: {
        // Amounts that convert to a delta exactly (field_body's `exact`, and
        // an int64 whose decrement refuses INT64_MIN); others range-check.
        const WitType& t = fn.params.back().type;
        bool ok = t.kind == K::S8 || t.kind == K::S16 || t.kind == K::S32 || t.kind == K::S64 || t.kind == K::U8 ||
                  t.kind == K::U16 || t.kind == K::U32;
        if (!ok || !set_value(&t)) return "";
        return fn.op == ApiOp::CounterIncrement ? "counter_increment" : "counter_decrement";
      }
      case ApiOp::ListLength: return "list_length";
      case ApiOp::ListGet: { WitType t = elem(fn.result); return set_value(&t) ? "list_get" : ""; }
      case ApiOp::ListInsert: return set_value(param("value")) ? "list_insert" : "";
      case ApiOp::ListAppend: return set_value(param("value")) ? "list_append" : "";
      case ApiOp::ListDelete: return "list_delete";
      case ApiOp::ListMove: return "list_move";
      case ApiOp::TextLength: return "text_length";
      case ApiOp::TextString: return "text_string";
      case ApiOp::TextInsert: return "text_insert";
      case ApiOp::TextDelete: return "text_delete";
      case ApiOp::TextMark: return "text_mark";
      case ApiOp::TextUnmark: return "text_unmark";
      case ApiOp::TextSpans: return "text_spans";
      case ApiOp::Cursor: return "cursor";
      case ApiOp::CursorPosition: return "cursor_position";
      default: return "";
    }
  }
  bool has_thin_ops(const ApiInterface& iface) const {
    std::string k, v;
    for (const auto& fn : iface.functions)
      if (!thin_op(iface, fn, &k, &v).empty()) return true;
    return false;
  }

  // Whether toJSON can render field `index` of `g` with dolc_gen::json_fields
  // (the same text as the generated rendering, chosen by the FieldInfo's
  // strategy): value fields read without defaults or clamps, int64
  // counters, text; not nested objects. `ops`: g's FieldOps.
  template <class Ops>
  bool thin_json(const ApiInterface& iface, const ApiGene& g, int index, const Ops& ops) const {
    if (g.fields.size() <= kThinJsonFields) return false;  // inlined renderings: a smaller module
    const ir::Field& f = g.gene->fields[static_cast<size_t>(index)];
    if (nested_gene_of(f)) return false;
    std::string_view strategy = strategy_enum(f);
    auto elem = [](const WitType& t) { return t.kind == K::List || t.kind == K::Option ? t.args[0] : t; };
    if (const ApiFunction* fn = ops.find(index, ApiOp::RegisterGet))
      return (strategy == "Lww" || strategy == "Immutable") && default_cpp(f, elem(fn->result)).empty() &&
             auto_adjust_clamp(iface, *fn).empty();
    if (const ApiFunction* fn = ops.find(index, ApiOp::MvValues))
      return strategy == "MvRegister" && default_cpp(f, elem(fn->result)).empty();
    if (const ApiFunction* fn = ops.find(index, ApiOp::CounterValue))
      return strategy == "PnCounter" && fn->result.kind == K::S64 && auto_adjust_clamp(iface, *fn).empty();
    if (ops.find(index, ApiOp::TextString)) return strategy == "Peritext";
    if (ops.find(index, ApiOp::ListGet)) return strategy == "Rga" && ops.find(index, ApiOp::ListLength);
    if (ops.find(index, ApiOp::SetValues)) return strategy == "OrSet";
    if (ops.find(index, ApiOp::MapKeys)) return strategy == "OrMap" && ops.find(index, ApiOp::MapGet);
    return false;
  }

  std::string signature(const ApiFunction& fn, const std::string& qualifier) const {
    std::string params;
    for (const auto& p : fn.params) params += (params.empty() ? "" : ", ") + param_decl(p);
    std::string ret = fn.has_result ? cpp_type(fn.result) : "void";
    return fmt::format("{} {}{}({}){}", ret, qualifier, method_name(fn), params, is_read(fn.op) ? " const" : "");
  }

  // The runtime call behind one field op; `a_*` are the parameters.
  std::string field_body(const ApiInterface& iface, const ApiFunction& fn) const {
    const ApiParam* value = nullptr;
    const ApiParam* key = nullptr;
    for (const auto& p : fn.params) {
      if (p.label == "value") value = &p;
      if (p.label == "key") key = &p;
    }
    std::string loc = fmt::format("a_path, &{}, {}u", gene_var(*fn.gene), fn.field_index);
    WitType rt = fn.has_result ? fn.result : WitType();
    auto elem = [&](const WitType& t) { return t.kind == K::List || t.kind == K::Option ? t.args[0] : t; };
    std::string clamp = auto_adjust_clamp(iface, fn);
    switch (fn.op) {
      case ApiOp::RegisterGet: {
        std::string def = default_cpp(fn.gene->fields[static_cast<size_t>(fn.field_index)], elem(rt));
        return fmt::format("  auto b_ = doc_.reg_get({});\n  if (!b_) return {}\n  auto v_ = {};\n{}  return v_;\n",
                           loc, def.empty() ? "std::nullopt;" : def + ";  // the field's default", dec(elem(rt), "*b_"),
                           clamp);
      }
      case ApiOp::RegisterSet: return fmt::format("  return doc_.reg_set({}, {});\n", loc, enc(value->type, "a_value"));
      case ApiOp::MvValues: case ApiOp::SetValues: case ApiOp::MapKeys: {
        const char* call = fn.op == ApiOp::MvValues ? "mv_values" : fn.op == ApiOp::SetValues ? "set_values" : "map_keys";
        std::string def = fn.op == ApiOp::MvValues ? default_cpp(fn.gene->fields[static_cast<size_t>(fn.field_index)], elem(rt)) : "";
        if (elem(rt).kind == K::String && def.empty())  // one shared loop for every set of strings
          return fmt::format("  return dolc_gen::dec_strings(doc_.{}({}));\n", call, loc);
        return fmt::format("  {} out_;\n  for (const auto& b_ : doc_.{}({})) out_.push_back({});\n{}  return out_;\n",
                           cpp_type(rt), call, loc, dec(elem(rt), "b_"),
                           def.empty() ? "" : "  if (out_.empty()) out_.push_back(" + def + ");  // the field's default\n");
      }
      case ApiOp::MvSet: return fmt::format("  return doc_.mv_set({}, {});\n", loc, enc(value->type, "a_value"));
      case ApiOp::SetHas: return fmt::format("  return doc_.set_has({}, {});\n", loc, enc(value->type, "a_value"));
      case ApiOp::SetSize: return fmt::format("  return doc_.set_size({});\n", loc);
      case ApiOp::SetAdd: return fmt::format("  return doc_.set_add({}, {});\n", loc, enc(value->type, "a_value"));
      case ApiOp::SetRemove: return fmt::format("  return doc_.set_remove({}, {});\n", loc, enc(value->type, "a_value"));
      case ApiOp::MapHas: return fmt::format("  return doc_.map_has({}, {});\n", loc, enc(key->type, "a_key"));
      case ApiOp::MapGet:
        return fmt::format("  auto b_ = doc_.map_get({}, {});\n  if (!b_) return std::nullopt;\n  return {};\n", loc,
                           enc(key->type, "a_key"), dec(elem(rt), "*b_"));
      case ApiOp::MapSet:
        return fmt::format("  return doc_.map_set({}, {}, {});\n", loc, enc(key->type, "a_key"), enc(value->type, "a_value"));
      case ApiOp::MapDelete: return fmt::format("  return doc_.map_delete({}, {});\n", loc, enc(key->type, "a_key"));
      case ApiOp::MapSetNew: return fmt::format("  return doc_.map_set_new({}, {});\n", loc, enc(key->type, "a_key"));
      case ApiOp::MapChild: return fmt::format("  return doc_.map_child({}, {});\n", loc, enc(key->type, "a_key"));
      case ApiOp::CounterValue:
        return fmt::format("  auto v_ = static_cast<{}>(doc_.counter_value({}));\n{}  return v_;\n", cpp_type(rt), loc, clamp);
      case ApiOp::CounterIncrement: case ApiOp::CounterDecrement: {
        // The amount as a signed delta, range-checked where it can fail (a
        // u64 amount above 2^63 - 1, the negation of INT64_MIN, a float
        // outside int64): a cast would wrap it into a move the other way.
        const WitType& t = fn.params.back().type;
        bool dec = fn.op == ApiOp::CounterDecrement;
        bool exact = t.kind == K::S8 || t.kind == K::S16 || t.kind == K::S32 || t.kind == K::U8 || t.kind == K::U16 ||
                     t.kind == K::U32 || (t.kind == K::S64 && !dec);
        if (exact)
          return fmt::format("  return doc_.counter_add({}, {}static_cast<int64_t>(a_amount));\n", loc, dec ? "-" : "");
        if (t.kind == K::S64)  // a decrement: all but INT64_MIN negate
          return fmt::format("  if (a_amount == INT64_MIN) return dolc_gen::counter_amount_refused();\n"
                             "  return doc_.counter_add({}, -a_amount);\n", loc);
        return fmt::format("  return dolc_gen::counter_add_amount(doc_, {}, a_amount, {});\n", loc, dec ? "true" : "false");
      }
      case ApiOp::CounterRights: return fmt::format("  return doc_.counter_rights({});\n", loc);
      case ApiOp::CounterTransfer:  // the amount as a positive int64 (counter_delta's checks)
        return fmt::format("  return dolc_gen::counter_transfer_amount(doc_, {}, a_to, a_amount);\n", loc);
      case ApiOp::ListLength: return fmt::format("  return doc_.list_length({});\n", loc);
      case ApiOp::ListGet:
        return fmt::format("  auto b_ = doc_.list_get({}, a_index);\n  if (!b_) return std::nullopt;\n  return {};\n", loc,
                           dec(elem(rt), "*b_"));
      case ApiOp::ListInsert:
        return fmt::format("  return doc_.list_insert({}, a_index, {});\n", loc, enc(value->type, "a_value"));
      case ApiOp::ListAppend:
        return fmt::format("  return doc_.list_insert({0}, doc_.list_length({0}), {1});\n", loc, enc(value->type, "a_value"));
      case ApiOp::ListAppendNew: return fmt::format("  return doc_.list_insert_new({0}, doc_.list_length({0}));\n", loc);
      case ApiOp::ListInsertNew: return fmt::format("  return doc_.list_insert_new({}, a_index);\n", loc);
      case ApiOp::ListChild: return fmt::format("  return doc_.list_child({}, a_index);\n", loc);
      case ApiOp::ListDelete: return fmt::format("  return doc_.list_delete({}, a_index, a_count);\n", loc);
      case ApiOp::ListMove: return fmt::format("  return doc_.list_move({}, a_from, a_to);\n", loc);
      case ApiOp::TextLength: return fmt::format("  return doc_.text_length({});\n", loc);
      case ApiOp::TextString: return fmt::format("  return doc_.text_string({});\n", loc);
      case ApiOp::TextInsert: return fmt::format("  return doc_.text_insert({}, a_pos, a_text);\n", loc);
      case ApiOp::TextDelete: return fmt::format("  return doc_.text_delete({}, a_pos, a_count);\n", loc);
      case ApiOp::TextMark:
        return fmt::format("  return doc_.text_mark({}, a_start, a_end, a_name, a_value);\n", loc);
      case ApiOp::TextUnmark: return fmt::format("  return doc_.text_unmark({}, a_start, a_end, a_name);\n", loc);
      case ApiOp::TextSpans: return fmt::format("  return doc_.text_spans({});\n", loc);
      case ApiOp::NestedChild: return fmt::format("  return doc_.nested_child({});\n", loc);
      case ApiOp::Cursor: return fmt::format("  return doc_.cursor({}, a_pos, a_stick_left);\n", loc);
      case ApiOp::CursorPosition: return fmt::format("  return doc_.cursor_position({}, a_cursor);\n", loc);
      default: return "";
    }
  }

  // ----- constraints -----------------------------------------------------------

  struct Check {
    const ir::Constraint* constraint;
    const ir::ConstraintClause* clause;
    std::string cpp;  // bool expression over the object at `kRoot` (root) or `a_path` (nested)
  };

  // Runtime-checked invariants that lower, of one gene of the interface (the
  // root, reached at `kRoot`, or a nested one, checked on every object of it
  // at `a_path` by its broken_* walk).
  std::vector<Check> checks(const ApiInterface& iface, const ApiGene& g, std::vector<ApiOmission>* omissions) const {
    std::vector<Check> out;
    for (const auto& c : schema.constraints) {
      if (c.gene != g.gene->name) continue;
      for (const auto& cl : c.clauses) {
        if (cl.kind != ir::ConstraintClause::Kind::Invariant || !cl.needs_runtime_check || !cl.expr) continue;
        std::string cpp, why;
        if (!lower_invariant(schema, *iface.gene, *g.gene, g.prefix.empty() ? "kRoot" : "a_path", *cl.expr, &cpp,
                             &why)) {
          if (omissions)
            omissions->push_back({cl.span, fmt::format("constraint `{}` is not checked at run time: {}", c.name, why)});
          continue;
        }
        out.push_back({&c, &cl, cpp});
      }
    }
    return out;
  }
  std::vector<Check> checks(const ApiInterface& iface, std::vector<ApiOmission>* omissions) const {
    return checks(iface, iface.genes[0], omissions);
  }

  // Nested genes whose objects the invariant walk visits: those with checks
  // of their own or holding (at any depth) objects that have some, by index
  // into iface.genes (index 0, the root, is checked in broken_invariants_).
  std::vector<bool> walked_genes(const ApiInterface& iface) const {
    std::vector<bool> walk(iface.genes.size(), false);
    for (size_t i = 1; i < iface.genes.size(); ++i)
      for (const auto& c : checks(iface, iface.genes[i], nullptr))  // (auto_adjust ones repair on read)
        walk[i] = walk[i] || c.constraint->on_violation != ir::ViolationPolicy::AutoAdjust;
    for (bool grew = true; grew;) {
      grew = false;
      for (size_t i = 1; i < iface.genes.size(); ++i) {
        if (walk[i]) continue;
        for (const auto& [fn, child] : nested_children(iface, iface.genes[i]))
          if (child > 0 && walk[static_cast<size_t>(child)]) walk[i] = grew = true;
      }
    }
    return walk;
  }
  // The fields of `g` that hold nested objects: (field op giving the child,
  // index into iface.genes of the child's gene).
  std::vector<std::pair<const ApiFunction*, int>> nested_children(const ApiInterface& iface, const ApiGene& g) const {
    std::vector<std::pair<const ApiFunction*, int>> out;
    for (const auto& fn : iface.functions) {
      if (fn.gene != g.gene || fn.gene_prefix != g.prefix || fn.field_index < 0) continue;
      if (fn.op != ApiOp::NestedChild && fn.op != ApiOp::MapChild && fn.op != ApiOp::ListChild) continue;
      const ir::Gene* child = nested_gene_of(fn.gene->fields[static_cast<size_t>(fn.field_index)]);
      for (size_t i = 0; child && i < iface.genes.size(); ++i)
        if (iface.genes[i].gene == child) out.push_back({&fn, static_cast<int>(i)});
    }
    return out;
  }
  static std::string walk_function(const ApiGene& g) {
    return "broken_" + cpp_ident(g.prefix.empty() ? "root" : g.prefix) + "_";
  }
  // The calls visiting the nested objects held by the object at `path` (a C++
  // expression) whose genes the walk visits; `where` is the object's path as
  // violations() shows it (a C++ string expression).
  std::string walk_children(const ApiInterface& iface, const ApiGene& g, const std::vector<bool>& walk,
                            const std::string& path, const std::string& where) const {
    std::string out;
    for (const auto& [fn, child] : nested_children(iface, g)) {
      if (child == 0 || !walk[static_cast<size_t>(child)]) continue;
      const ir::Field& f = fn->gene->fields[static_cast<size_t>(fn->field_index)];
      std::string at = fmt::format("{} + {}", where, cpp_string_literal("." + f.name));
      std::string visit = walk_function(iface.genes[static_cast<size_t>(child)]);
      std::string name = method_name(*fn);
      if (fn->op == ApiOp::NestedChild) {
        out += fmt::format("  {}({}({}), {}, rejecting_only, out_);\n", visit, name, path, at);
      } else if (fn->op == ApiOp::MapChild) {
        const ApiFunction* keys = nullptr;
        for (const auto& k : iface.functions)
          if (k.gene == fn->gene && k.gene_prefix == fn->gene_prefix && k.field_index == fn->field_index &&
              k.op == ApiOp::MapKeys)
            keys = &k;
        if (!keys) continue;
        out += fmt::format("  for (const auto& k_ : {}({})) {{\n    auto p_ = {}({}, k_);\n", method_name(*keys), path,
                           name, path);
        out += fmt::format("    if (p_.ok) {}(p_.value, {} + \"[\" + {} + \"]\", rejecting_only, out_);\n  }}\n", visit,
                           at, json_of(keys->result.args[0], "k_", iface));
      } else {
        const ApiFunction* length = nullptr;
        for (const auto& k : iface.functions)
          if (k.gene == fn->gene && k.gene_prefix == fn->gene_prefix && k.field_index == fn->field_index &&
              k.op == ApiOp::ListLength)
            length = &k;
        if (!length) continue;
        out += fmt::format("  for (uint32_t i_ = 0, n_ = {}({}); i_ < n_; ++i_) {{\n    auto p_ = {}({}, i_);\n",
                           method_name(*length), path, name, path);
        out += fmt::format("    if (p_.ok) {}(p_.value, {} + \"[\" + std::to_string(i_) + \"]\", rejecting_only, out_);\n  }}\n",
                           visit, at);
      }
    }
    return out;
  }

  // Read-side clamp for auto_adjust clauses `field OP constant` on the field's
  // gene (the root or a nested one: every object of that gene reads clamped).
  std::string auto_adjust_clamp(const ApiInterface& iface, const ApiFunction& fn) const {
    (void)iface;
    std::string out;
    const ir::Field& f = fn.gene->fields[static_cast<size_t>(fn.field_index)];
    for (const auto& c : schema.constraints) {
      if (c.gene != fn.gene->name || c.on_violation != ir::ViolationPolicy::AutoAdjust) continue;
      for (const auto& cl : c.clauses) {
        if (cl.field != f.name || !cl.rhs || cl.rhs->kind != ir::Expr::Kind::Int || !f.type.is_numeric()) continue;
        std::string bound = fmt::format("{}LL", cl.rhs->int_value);
        // Both getters (RegisterGet, CounterValue) hold the decoded value in a
        // plain `v_` here; the register's "not set" case returned before.
        if (cl.op == ">=" || cl.op == ">")
          out += fmt::format("  if (!(v_ {} {})) v_ = static_cast<decltype(v_)>({}{});  // auto_adjust `{}`\n",
                             cl.op, bound, bound, cl.op == ">" ? " + 1" : "", c.name);
        else if (cl.op == "<=" || cl.op == "<")
          out += fmt::format("  if (!(v_ {} {})) v_ = static_cast<decltype(v_)>({}{});  // auto_adjust `{}`\n",
                             cl.op, bound, bound, cl.op == "<" ? " - 1" : "", c.name);
      }
    }
    return out;
  }

  // ----- JSON --------------------------------------------------------------------

  // One gene's field operations by (field, op), found in one pass (a scan of
  // every function per field made generation quadratic in the fields).
  struct FieldOps {
    FieldOps(const ApiInterface& iface, const ApiGene& g) {
      for (const auto& fn : iface.functions)
        if (fn.gene == g.gene && fn.gene_prefix == g.prefix && fn.field_index >= 0)
          by_field_op.emplace(key(fn.field_index, fn.op), &fn);
    }
    const ApiFunction* find(int field, ApiOp op) const {
      auto it = by_field_op.find(key(field, op));
      return it == by_field_op.end() ? nullptr : it->second;
    }
    static uint64_t key(int field, ApiOp op) { return (static_cast<uint64_t>(field) << 8) | static_cast<uint64_t>(op); }
    std::unordered_map<uint64_t, const ApiFunction*> by_field_op;
  };
  // The call of a field operation on the object at `a_path` (in json_* and snap_* functions).
  static std::string call(const ApiFunction* fn, const std::string& args = "") {
    return fmt::format("{}(a_path{}{})", method_name(*fn), args.empty() ? "" : ", ", args);
  }

  std::string json_function(const ApiInterface& iface, const ApiGene& g) const {
    std::string cls = class_name(iface);
    std::string out = fmt::format("std::string {}::json_{}_(const dolc_gen::Bytes& a_path) const {{\n", cls,
                                  cpp_ident(g.prefix.empty() ? "root" : g.prefix));
    out += "  std::string out_ = \"{\";\n";
    bool first = true;
    FieldOps ops(iface, g);
    // Runs of consecutive fields that the runtime renders (thin_json): one
    // call per run instead of code per field.
    int run_from = -1, run_to = -1;
    auto flush_run = [&] {
      if (run_from < 0) return;
      out += fmt::format("  dolc_gen::json_fields(out_, doc_, a_path, &{}, {}u, {}u);\n", gene_var(*g.gene), run_from,
                         run_to);
      run_from = run_to = -1;
      first = false;
    };
    for (int index : g.fields) {
      if (thin_json(iface, g, index, ops)) {
        if (run_from >= 0 && run_to != index) flush_run();
        if (run_from < 0) run_from = index;
        run_to = index + 1;
        continue;
      }
      flush_run();
      const ir::Field& f = g.gene->fields[static_cast<size_t>(index)];
      auto fnof = [&](ApiOp op) { return ops.find(index, op); };
      const ir::Gene* nested = nested_gene_of(f);
      const ApiGene* ng = nested ? iface.find_gene(nested->name) : nullptr;
      std::string nested_json = ng ? "json_" + cpp_ident(ng->prefix.empty() ? "root" : ng->prefix) + "_" : "";
      std::string value;
      if (const ApiFunction* fn = fnof(ApiOp::RegisterGet)) {
        // One read (json_of would name an optional twice: two runtime lookups).
        value = "[&] { auto v_ = " + call(fn) + "; return " + json_of(fn->result, "v_", iface) + "; }()";
      } else if (const ApiFunction* fn2 = fnof(ApiOp::CounterValue)) {
        value = json_of(fn2->result, call(fn2), iface);
      } else if (const ApiFunction* fn3 = fnof(ApiOp::TextString)) {
        value = "dolc_gen::json_value(" + call(fn3) + ")";
      } else if (const ApiFunction* fn4 = fnof(ApiOp::NestedChild)) {
        value = nested_json + "(" + call(fn4) + ")";
      } else if (const ApiFunction* list_get = fnof(ApiOp::ListGet)) {
        value = fmt::format("[&] {{ std::string a_ = \"[\"; uint32_t n_ = {}; for (uint32_t i_ = 0; i_ < n_; ++i_) "
                            "{{ if (i_) a_ += \",\"; auto v_ = {}; a_ += v_ ? {} : std::string(\"null\"); }} a_ += \"]\"; return a_; }}()",
                            call(fnof(ApiOp::ListLength)), call(list_get, "i_"),
                            json_of(list_get->result.args[0], "*v_", iface));
      } else if (const ApiFunction* list_child = fnof(ApiOp::ListChild)) {
        value = fmt::format("[&] {{ std::string a_ = \"[\"; uint32_t n_ = {}; for (uint32_t i_ = 0; i_ < n_; ++i_) "
                            "{{ if (i_) a_ += \",\"; auto p_ = {}; a_ += p_.ok ? {}(p_.value) : std::string(\"null\"); }} a_ += \"]\"; return a_; }}()",
                            call(fnof(ApiOp::ListLength)), call(list_child, "i_"), nested_json);
      } else if (const ApiFunction* values = fnof(ApiOp::SetValues) ? fnof(ApiOp::SetValues) : fnof(ApiOp::MvValues);
                 values && json_of(values->result.args[0], "v_", iface) == "dolc_gen::json_value(v_)") {
        // One shared loop per element type (a module has many sets of strings).
        value = "dolc_gen::json_array(" + call(values) + ")";
      } else if (const ApiFunction* values = fnof(ApiOp::SetValues) ? fnof(ApiOp::SetValues) : fnof(ApiOp::MvValues)) {
        value = fmt::format("[&] {{ std::string a_ = \"[\"; bool first_ = true; for (const auto& v_ : {}) {{ "
                            "if (!first_) a_ += \",\"; first_ = false; a_ += {}; }} a_ += \"]\"; return a_; }}()",
                            call(values), json_of(values->result.args[0], "v_", iface));
      } else if (const ApiFunction* keys = fnof(ApiOp::MapKeys)) {
        const ApiFunction* get = fnof(ApiOp::MapGet);
        const ApiFunction* child = fnof(ApiOp::MapChild);
        std::string item = get ? fmt::format("{{ auto v_ = {}; a_ += v_ ? {} : std::string(\"null\"); }}", call(get, "k_"),
                                             json_of(get->result.args[0], "*v_", iface))
                               : fmt::format("{{ auto p_ = {}; a_ += p_.ok ? {}(p_.value) : std::string(\"null\"); }}",
                                             call(child, "k_"), nested_json);
        value = fmt::format("[&] {{ std::string a_ = \"{{\"; bool first_ = true; for (const auto& k_ : {}) {{ "
                            "if (!first_) a_ += \",\"; first_ = false; a_ += dolc_gen::json_key_text({}); a_ += \":\"; {} }} "
                            "a_ += \"}}\"; return a_; }}()",
                            call(keys), json_of(keys->result.args[0], "k_", iface), item);
      } else {
        continue;
      }
      out += fmt::format("  out_ += {};\n", cpp_string_literal((first ? "" : ",") + std::string("\"") + f.name + "\":"));
      // Past kInlineJsonFields fields, each field in a function of its own:
      // one function holding every field's code inlined grows with the
      // schema, and clang's optimizer is superlinear in a function's size.
      // Below, inlined as before (smaller modules).
      if (g.fields.size() > kInlineJsonFields) out += "  out_ += [&]() __attribute__((noinline)) { return " + value + "; }();\n";
      else out += "  out_ += " + value + ";\n";
      first = false;
    }
    flush_run();
    out += "  out_ += \"}\";\n  return out_;\n}\n\n";
    return out;
  }

  // ----- typed snapshots (snapshot(): the C++ equivalent of JS snapshot()) ----------

  // One member of a gene's snapshot struct: its C++ type and, in a snap_*_
  // function (a_path = the object's path), the expression that reads it.
  struct SnapshotMember {
    std::string name, type, read;
  };
  static std::string snapshot_struct(const ApiGene& g) { return cpp_enum_name(g.label) + "Snapshot"; }
  std::string snap_function(const ApiGene& g) const { return "snap_" + cpp_ident(g.prefix.empty() ? "root" : g.prefix) + "_"; }

  std::vector<SnapshotMember> snapshot_members(const ApiInterface& iface, const ApiGene& g) const {
    FieldOps ops(iface, g);
    std::vector<SnapshotMember> out;
    for (int index : g.fields) {
      const ir::Field& f = g.gene->fields[static_cast<size_t>(index)];
      auto fnof = [&](ApiOp op) { return ops.find(index, op); };
      const ir::Gene* nested = nested_gene_of(f);
      const ApiGene* ng = nested ? iface.find_gene(nested->name) : nullptr;
      SnapshotMember m{cpp_ident(f.name), "", ""};
      if (const ApiFunction* get = fnof(ApiOp::RegisterGet)) {
        m.type = cpp_type(get->result);
        m.read = call(get);
      } else if (const ApiFunction* counter = fnof(ApiOp::CounterValue)) {
        m.type = cpp_type(counter->result);
        m.read = call(counter);
      } else if (const ApiFunction* text = fnof(ApiOp::TextString)) {
        m.type = "std::string";
        m.read = call(text);
      } else if (const ApiFunction* child = fnof(ApiOp::NestedChild); child && ng) {
        m.type = snapshot_struct(*ng);
        m.read = snap_function(*ng) + "(" + call(child) + ")";
      } else if (const ApiFunction* list_get = fnof(ApiOp::ListGet)) {
        std::string t = cpp_type(list_get->result.args[0]);
        m.type = "std::vector<" + t + ">";
        m.read = fmt::format("[&] {{ {} v_; uint32_t n_ = {}; for (uint32_t i_ = 0; i_ < n_; ++i_) "
                             "v_.push_back({}.value_or({}{{}})); return v_; }}()",
                             m.type, call(fnof(ApiOp::ListLength)), call(list_get, "i_"), t);
      } else if (const ApiFunction* list_child = fnof(ApiOp::ListChild); list_child && ng) {
        m.type = "std::vector<" + snapshot_struct(*ng) + ">";
        m.read = fmt::format("[&] {{ {} v_; uint32_t n_ = {}; for (uint32_t i_ = 0; i_ < n_; ++i_) {{ auto p_ = {}; "
                             "if (p_.ok) v_.push_back({}(p_.value)); }} return v_; }}()",
                             m.type, call(fnof(ApiOp::ListLength)), call(list_child, "i_"), snap_function(*ng));
      } else if (const ApiFunction* values = fnof(ApiOp::SetValues) ? fnof(ApiOp::SetValues) : fnof(ApiOp::MvValues)) {
        m.type = cpp_type(values->result);
        m.read = call(values);
      } else if (const ApiFunction* keys = fnof(ApiOp::MapKeys)) {
        // Entries in the order keys() lists them (a vector of pairs: key types
        // need not be ordered or hashable).
        std::string k = cpp_type(keys->result.args[0]);
        const ApiFunction* get = fnof(ApiOp::MapGet);
        const ApiFunction* child = fnof(ApiOp::MapChild);
        if (get) {
          std::string v = cpp_type(get->result.args[0]);
          m.type = "std::vector<std::pair<" + k + ", " + v + ">>";
          m.read = fmt::format("[&] {{ {} v_; for (const auto& k_ : {}) if (auto x_ = {}) v_.emplace_back(k_, *x_); "
                               "return v_; }}()", m.type, call(keys), call(get, "k_"));
        } else if (child && ng) {
          m.type = "std::vector<std::pair<" + k + ", " + snapshot_struct(*ng) + ">>";
          m.read = fmt::format("[&] {{ {} v_; for (const auto& k_ : {}) {{ auto p_ = {}; "
                               "if (p_.ok) v_.emplace_back(k_, {}(p_.value)); }} return v_; }}()",
                               m.type, call(keys), call(child, "k_"), snap_function(*ng));
        }
      }
      if (!m.type.empty()) out.push_back(std::move(m));
    }
    return out;
  }

  // The snapshot structs of every exposed gene, a gene's direct nested
  // objects first (they are members by value; lists and maps of a gene hold
  // vectors, which may name a declared-only struct).
  std::string snapshot_structs() const {
    std::string out;
    std::vector<std::pair<const ApiInterface*, const ApiGene*>> all;
    for (const auto& iface : table.interfaces)
      for (const auto& g : iface.genes) all.emplace_back(&iface, &g);
    std::set<std::string> declared, defined;
    for (const auto& [iface, g] : all)
      if (declared.insert(snapshot_struct(*g)).second) out += "struct " + snapshot_struct(*g) + ";\n";
    std::function<void(const ApiInterface&, const ApiGene&)> define = [&](const ApiInterface& iface, const ApiGene& g) {
      if (!defined.insert(snapshot_struct(g)).second) return;
      for (int index : g.fields) {
        const ir::Field& f = g.gene->fields[static_cast<size_t>(index)];
        if (f.nested_gene && f.type.kind == ir::Type::Kind::Gene)
          if (const ApiGene* ng = iface.find_gene(f.type.name)) define(iface, *ng);
      }
      out += fmt::format("/// A `{}` object's values, as snapshot() reads them.\nstruct {} {{\n", g.gene->name,
                         snapshot_struct(g));
      for (const auto& m : snapshot_members(iface, g)) out += fmt::format("  {} {}{{}};\n", m.type, m.name);
      out += "};\n";
    };
    for (const auto& [iface, g] : all) define(*iface, *g);
    return out + "\n";
  }

  // The snap_*_ functions of one class (native builds only: a wasm module
  // exports no snapshot(), so its build does not compile them).
  std::string snapshot_functions(const ApiInterface& iface) const {
    std::string cls = class_name(iface);
    std::string out = "#if !defined(__wasm__)\n";
    out += fmt::format("{} {}::snapshot() const {{\n  return {}(dolc_gen::kRoot);\n}}\n\n",
                       snapshot_struct(iface.genes[0]), cls, snap_function(iface.genes[0]));
    for (const auto& g : iface.genes) {
      out += fmt::format("{} {}::{}(const dolc_gen::Bytes& a_path) const {{\n  {} s_;\n", snapshot_struct(g), cls,
                         snap_function(g), snapshot_struct(g));
      for (const auto& m : snapshot_members(iface, g)) out += fmt::format("  s_.{} = {};\n", m.name, m.read);
      out += "  return s_;\n}\n\n";
    }
    return out + "#endif  // !__wasm__\n\n";
  }

  // ----- the class -----------------------------------------------------------------

  std::string class_decl(const ApiInterface& iface) const {
    std::string cls = class_name(iface);
    std::string bases;  // the traits it implements (trait_bases)
    for (const ApiTrait* t : trait_bases(iface)) bases += (bases.empty() ? " : " : ", ") + ("public " + trait_class(*t));
    std::string out =
        fmt::format("/// One replica of one `{}` document.\nclass {}{} {{\n public:\n", iface.gene->name, cls, bases);
    out += fmt::format("  explicit {}(uint64_t actor);\n", cls);
    for (const auto& fn : iface.functions) {
      if (fn.kind != ApiFunction::Kind::Method) continue;
      out += "  " + signature(fn, "") + (implements_trait_method(iface, fn) ? " override" : "") + ";\n";
    }
    out += "  /// The document's values as typed structs (native builds; to_json() is the JSON text).\n";
    out += "  " + snapshot_struct(iface.genes[0]) + " snapshot() const;\n";
    if (has_thin_ops(iface)) {
      out += "  /// How the runtime's generic field operations (dolc_gen_abi.hpp) reach this\n";
      out += "  /// document: the wasm exports of scalar fields go through it.\n";
      out += "  static const dolc_gen::FieldHost host_;\n";
    }
    out += "\n private:\n";
    for (const auto& g : iface.genes)
      out += fmt::format("  std::string json_{}_(const dolc_gen::Bytes& a_path) const;\n",
                         cpp_ident(g.prefix.empty() ? "root" : g.prefix));
    for (const auto& g : iface.genes)
      out += fmt::format("  {} {}(const dolc_gen::Bytes& a_path) const;\n", snapshot_struct(g), snap_function(g));
    out += "  std::vector<std::string> broken_invariants_(bool rejecting_only) const;\n";
    std::vector<bool> walk = walked_genes(iface);
    for (size_t i = 1; i < iface.genes.size(); ++i)
      if (walk[i])
        out += fmt::format("  void {}(const dolc_gen::Bytes& a_path, const std::string& where_, bool rejecting_only, "
                           "std::vector<std::string>* out_) const;\n",
                           walk_function(iface.genes[i]));
    out += "  template <class F> auto guarded_(F&& op) -> decltype(op());\n";
    out += "  dolc_gen::Doc doc_;\n";
    out += "  bool in_method_ = false;\n";
    // How deep gene methods are calling each other now (bounded where one
    // calls another: lower/methods.cpp); only classes with such calls have it.
    bool calling = false;
    for (const auto& fn : iface.functions) calling = calling || !fn.calls.empty();
    if (calling) out += "  int call_depth_ = 0;\n";
    out += "  // Open transactions' checkpoints, outermost first, and the invariants\n";
    out += "  // broken when the outermost began (judged again at its commit).\n";
    out += "  std::vector<uint64_t> tx_marks_;\n";
    out += "  std::vector<std::string> tx_before_;\n";
    out += "};\n";
    return out;
  }

  // `wasm_code`: the interface's exports (exports()), whose calls decide
  // which members the wasm build compiles.
  std::string class_impl(const ApiInterface& iface, std::vector<ApiOmission>* omissions,
                         const std::string& wasm_code) const {
    std::string cls = class_name(iface);
    std::string out;
    std::vector<Check> cs = checks(iface, omissions);
    std::vector<bool> walk = walked_genes(iface);
    out += fmt::format("{0}::{0}(uint64_t actor) : doc_(&{1}, actor) {{}}\n\n", cls, gene_var(*iface.gene));
    // Invariants: the root object's, then (by the broken_* walk) those of
    // every nested object, named `NAME at <gene>.<path>` like the bounds below.
    out += fmt::format("std::vector<std::string> {}::broken_invariants_(bool rejecting_only) const {{\n", cls);
    out += "  std::vector<std::string> out_;\n";
    out += "  (void)rejecting_only;\n";
    // auto_adjust checks are repaired on read, not listed here: without any
    // other check, kRoot would be an unused variable (-Wunused-variable).
    bool listed = false;
    for (const auto& c : cs) listed = listed || c.constraint->on_violation != ir::ViolationPolicy::AutoAdjust;
    if (listed) out += "  const dolc_gen::Bytes& kRoot = dolc_gen::kRoot;\n";
    for (const auto& c : cs) {
      bool rejecting = c.constraint->on_violation == ir::ViolationPolicy::RejectOperation;
      if (c.constraint->on_violation == ir::ViolationPolicy::AutoAdjust) continue;  // repaired on read
      out += fmt::format("  if ({}!({})) out_.push_back({});\n", rejecting ? "" : "!rejecting_only && ",
                         c.cpp, cpp_string_literal(c.constraint->name));
    }
    std::string nested_walk = walk_children(iface, iface.genes[0], walk, "dolc_gen::kRoot",
                                            "std::string(" + cpp_string_literal(iface.gene->name) + ")");
    for (size_t pos = 0; (pos = nested_walk.find("out_);", pos)) != std::string::npos; pos += 7)
      nested_walk.replace(pos, 6, "&out_);");  // (here out_ is the vector itself)
    out += nested_walk;
    // Counter bounds and max_length limits, which the runtime keeps for local
    // operations but remote and concurrent ones can cross (crdt.md): reported
    // after merges like invariants, in every object of the document (nested
    // ones, list elements, map values), by the runtime's walk. Called only
    // when the schema has such a limit, so other modules do not link it.
    bool bounded = false;
    for (const auto& fn : iface.functions) {
      if (fn.op != ApiOp::CounterValue && fn.op != ApiOp::TextString) continue;
      const ir::Field& f = fn.gene->fields[static_cast<size_t>(fn.field_index)];
      bounded = bounded || f.options.min_value || f.options.max_value || f.options.max_length;
    }
    if (bounded) {
      out += "  if (!rejecting_only) doc_.broken_bounds(&out_);\n";
    }
    out += "  return out_;\n}\n\n";
    for (size_t i = 1; i < iface.genes.size(); ++i) {
      if (!walk[i]) continue;
      const ApiGene& g = iface.genes[i];
      out += fmt::format("void {}::{}(const dolc_gen::Bytes& a_path, const std::string& where_, bool rejecting_only, "
                         "std::vector<std::string>* out_) const {{\n",
                         cls, walk_function(g));
      out += "  (void)rejecting_only;\n";
      for (const auto& c : checks(iface, g, nullptr)) {
        if (c.constraint->on_violation == ir::ViolationPolicy::AutoAdjust) continue;  // repaired on read
        bool rejecting = c.constraint->on_violation == ir::ViolationPolicy::RejectOperation;
        out += fmt::format("  if ({}!({})) out_->push_back({} + where_);\n", rejecting ? "" : "!rejecting_only && ", c.cpp,
                           cpp_string_literal(c.constraint->name + " at "));
      }
      out += walk_children(iface, g, walk, "a_path", "where_");
      out += "}\n\n";
    }
    // The guard: an operation that breaks a reject_operation invariant (of
    // any object) is undone.
    bool rejecting = false;
    for (size_t i = 0; i < iface.genes.size(); ++i) {
      if (i > 0 && !walk[i]) continue;
      for (const auto& c : checks(iface, iface.genes[i], nullptr))
        rejecting = rejecting || c.constraint->on_violation == ir::ViolationPolicy::RejectOperation;
    }
    out += fmt::format("template <class F> auto {}::guarded_(F&& op) -> decltype(op()) {{\n", cls);
    if (!rejecting) {  // nothing to refuse: no checkpoint per operation
      out += "  (void)in_method_;  // only gene methods use it here\n  return op();\n}\n\n";
    }
    if (rejecting) {
    // Each invariant on its own: one that a merge already broke does not
    // block edits, and does not hide one that this operation would break.
    out += "  if (in_method_) return op();\n";
    out += "  auto before_ = broken_invariants_(true);\n";
    out += "  auto mark_ = doc_.checkpoint();\n";
    out += "  auto r_ = op();\n";
    out += "  if (!r_.ok) return r_;\n";
    out += refuse_if_newly_broken("  ");
    out += "}\n\n";
    }
    if (has_thin_ops(iface)) {
      // The runtime's generic field operations reach the document and the
      // guard through these (one guarded_ instantiation for all of them).
      out += fmt::format("const dolc_gen::FieldHost {0}::host_ = {{\n"
                         "  [](void* self_) -> dolc_gen::Doc& {{ return static_cast<{0}*>(self_)->doc_; }},\n"
                         "  [](void* self_, dolc_gen::Status (*op_)(void*), void* ctx_) {{\n"
                         "    return static_cast<{0}*>(self_)->guarded_([&] {{ return op_(ctx_); }});\n"
                         "  }}}};\n\n",
                         cls);
    }
    for (const auto& g : iface.genes) out += json_function(iface, g);
    size_t snapshot_begin = out.size();
    out += snapshot_functions(iface);
    size_t snapshot_end = out.size();
    // Members are written into `out`, then regrouped (see below).
    struct Member { size_t begin, end; bool thin; std::string name; };
    std::vector<Member> members;
    const size_t members_begin = out.size();
    for (const auto& fn : iface.functions) {
      if (fn.kind != ApiFunction::Kind::Method) continue;
      {
        std::string k, v;
        members.push_back({out.size(), 0, !thin_op(iface, fn, &k, &v).empty(), method_name(fn)});
      }
      out += signature(fn, cls + "::") + " {\n";
      switch (fn.op) {
        case ApiOp::Actor: out += "  return doc_.actor();\n"; break;
        case ApiOp::Version: out += "  return doc_.version();\n"; break;
        case ApiOp::ChangesSince: out += kOutsideTransactions; out += "  return doc_.changes_since(a_version);\n"; break;
        case ApiOp::Apply: out += kOutsideTransactions; out += "  return doc_.apply(a_changes);\n"; break;
        case ApiOp::Merge: out += kOutsideTransactions; out += "  return doc_.merge(a_saved);\n"; break;
        case ApiOp::Save: out += "  return doc_.save();\n"; break;
        case ApiOp::Load: out += kOutsideTransactions; out += "  return doc_.load(a_saved);\n"; break;
        case ApiOp::ToJson: out += "  return json_root_(dolc_gen::kRoot);\n"; break;
        case ApiOp::Violations: out += "  return broken_invariants_(false);\n"; break;
        case ApiOp::MigrationConflicts: out += "  return doc_.migration_conflicts();\n"; break;
        case ApiOp::Pending: out += "  return doc_.pending();\n"; break;
        case ApiOp::DropPending: out += "  return doc_.drop_pending();\n"; break;
        case ApiOp::TransactionBegin:
          // Inside a transaction, operations and methods skip their own
          // invariant checks (in_method_): the commit judges the whole.
          if (rejecting) out += "  if (tx_marks_.empty()) tx_before_ = broken_invariants_(true);\n";
          out += "  tx_marks_.push_back(doc_.checkpoint());\n";
          out += "  in_method_ = true;\n";
          break;
        case ApiOp::TransactionCommit:
          out += "  if (tx_marks_.empty()) return dolc_gen::Failure{\"no transaction is open\"};\n";
          out += "  auto mark_ = tx_marks_.back();\n";
          out += "  tx_marks_.pop_back();\n";
          out += "  if (!tx_marks_.empty()) return {};  // folds into the outer transaction\n";
          out += "  in_method_ = false;\n";
          if (rejecting) {
            out += "  auto before_ = std::move(tx_before_);\n";
            out += "  dolc_gen::Status r_;\n";
            out += refuse_if_newly_broken("  ");
          } else {
            out += "  doc_.commit(mark_);\n";
            out += "  return {};\n";
          }
          break;
        case ApiOp::TransactionAbort:
          out += "  if (tx_marks_.empty()) return dolc_gen::Failure{\"no transaction is open\"};\n";
          out += "  doc_.rollback(tx_marks_.back());\n";
          out += "  tx_marks_.pop_back();\n";
          out += "  in_method_ = !tx_marks_.empty();\n";
          out += "  return {};\n";
          break;
        case ApiOp::TakeEvents: out += "  return doc_.take_events(a_listen);\n"; break;
        case ApiOp::UndoManager: out += "  doc_.undo_manager(a_max_steps);\n"; break;
        case ApiOp::UndoStopCapturing: out += "  doc_.undo_stop_capturing();\n"; break;
        case ApiOp::Undo: out += "  return doc_.undo();\n"; break;
        case ApiOp::Redo: out += "  return doc_.redo();\n"; break;
        case ApiOp::CanUndo: out += "  return doc_.can_undo();\n"; break;
        case ApiOp::CanRedo: out += "  return doc_.can_redo();\n"; break;
        case ApiOp::PersonalKeySet: out += "  return doc_.set_personal_key(a_subject, a_key, a_nonce_seed);\n"; break;
        case ApiOp::PersonalKeyForget: out += "  return doc_.forget_personal_key(a_subject);\n"; break;
        case ApiOp::PersonalSubjectSet: out += "  return doc_.set_personal_subject(a_subject);\n"; break;
        case ApiOp::PersonalSubjectGet: out += "  return doc_.personal_subject();\n"; break;
        case ApiOp::MethodCall: {
          // A root method's body reaches its object at kRoot, a nested one's at a_path.
          if (fn.gene_prefix.empty()) out += "  const dolc_gen::Bytes& kRoot = dolc_gen::kRoot;\n  (void)kRoot;\n";
          if (rejecting) out += "  auto before_ = in_method_ ? std::vector<std::string>() : broken_invariants_(true);\n";
          out += "  auto mark_ = doc_.checkpoint();\n";
          out += "  bool outer_ = !in_method_;\n";
          out += "  in_method_ = true;\n";
          // (a nested gene's method has the object's `path` first)
          size_t first_ = fn.gene_prefix.empty() ? 0 : 1;
          for (size_t i = 0; i + first_ < fn.params.size() && i < fn.method->params.size(); ++i)
            // The parameter's C++ name exactly as param_decl spells it (a
            // keyword label is escaped after the `a_` prefix is added).
            out += fmt::format("  [[maybe_unused]] auto v_{} = {};  // the body's name for `{}`\n",
                               cpp_ident(fn.method->params[i].name), cpp_ident("a_" + fn.params[i + first_].label),
                               fn.method->params[i].name);
          out += "  auto r_ = [&]() -> " + cpp_type(fn.result) + " {\n";
          out += lower_method_body(schema, iface, fn);
          out += "  }();\n";
          // Inside a transaction or another method: no invariant check of its
          // own (the outermost judges the whole), but still all or nothing.
          out += "  if (!outer_) {\n    if (r_.ok) doc_.commit(mark_);\n    else doc_.rollback(mark_);\n    return r_;\n  }\n";
          out += "  in_method_ = false;\n";
          // Without reject_operation invariants nothing can refuse the effect.
          if (!rejecting) out += "  if (r_.ok) { doc_.commit(mark_); return r_; }\n";
          if (rejecting) {
          out += "  if (r_.ok) {\n";
          out += refuse_if_newly_broken("    ");
          out += "  }\n";
          }
          out += "  doc_.rollback(mark_);\n";
          out += "  return r_;\n";
          break;
        }
        default:
          // A new nested object starts from its fields' defaults, like a new
          // document: one that breaks an invariant there is reported by
          // violations() but not refused (its fields are set next, each
          // judged on its own), as a fresh document does not block edits.
          if (is_read(fn.op) || fn.op == ApiOp::MapSetNew || fn.op == ApiOp::ListInsertNew) out += field_body(iface, fn);
          else out += "  return guarded_([&] {\n  " + field_body(iface, fn) + "  });\n";
      }
      out += "}\n\n";
      members.back().end = out.size();
    }
    // The members of thin operations serve the C++ API; dolc's own wasm
    // build (DOLC_SYNTHESIZED_EXPORTS) calls the runtime's generic operations
    // instead, so it compiles only those that other wasm code names
    // (invariants, methods, toJSON, exports that keep a body). Thousands of
    // unused members cost clang seconds. Compiled any other way, the class
    // keeps its whole API.
    std::unordered_set<std::string_view> used;
    auto scan = [&](std::string_view text) {
      for (size_t i = 0; i < text.size();) {
        char c = text[i];
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
          size_t j = i;
          while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
          used.insert(text.substr(i, j - i));
          i = j;
        } else {
          ++i;
        }
      }
    };
    std::string_view all(out);
    scan(all.substr(0, snapshot_begin));
    scan(all.substr(snapshot_end, members_begin - snapshot_end));
    for (const auto& m : members)
      if (!m.thin) scan(all.substr(m.begin, m.end - m.begin));
    // (the thin thunks name their member only as the symbol's suffix)
    const std::string thin_macro = "DOLX_" + cpp_ident(iface.label) + "_fx";
    std::string_view code(wasm_code);
    for (size_t at = 0; at < code.size();) {
      size_t eol = code.find('\n', at);
      if (eol == std::string_view::npos) eol = code.size();
      std::string_view line = code.substr(at, eol - at);
      if (line.substr(0, thin_macro.size()) != thin_macro) scan(line);
      at = eol + 1;
    }
    std::string regrouped;
    bool native_only = false;  // inside an `#if !defined(DOLC_SYNTHESIZED_EXPORTS)` block
    for (const auto& m : members) {
      bool skip = m.thin && !used.count(m.name);
      if (skip != native_only)
        regrouped += skip ? "#if !defined(DOLC_SYNTHESIZED_EXPORTS)\n" : "#endif  // !DOLC_SYNTHESIZED_EXPORTS\n\n";
      native_only = skip;
      regrouped += all.substr(m.begin, m.end - m.begin);
    }
    if (native_only) regrouped += "#endif  // !DOLC_SYNTHESIZED_EXPORTS\n\n";
    return out.substr(0, members_begin) + regrouped;
  }

  // ----- canonical-ABI exports ----------------------------------------------------

  // Lifts one parameter from flat core values p<i>...; returns the C++ expression.
  static std::string lift(const WitType& t, size_t& i) {
    auto p = [&](size_t k) { return fmt::format("p{}", k); };
    switch (t.kind) {
      case K::Bool: return "(" + p(i++) + " != 0)";
      case K::S64: case K::F32: case K::F64: return p(i++);
      case K::U64: return "static_cast<uint64_t>(" + p(i++) + ")";
      case K::String: { std::string s = fmt::format("dolc_gen_abi::take_string({}, {})", p(i), p(i + 1)); i += 2; return s; }
      case K::List: { std::string s = fmt::format("dolc_gen_abi::take_bytes({}, {})", p(i), p(i + 1)); i += 2; return s; }
      case K::Enum: {
        std::string v = p(i++);
        return fmt::format("static_cast<{0}>(static_cast<uint32_t>({1}) < {2}u ? {1} : 0)", cpp_type(t), v,
                           t.cases.size());
      }
      case K::Option: {
        std::string d = p(i++);
        std::string inner = lift(t.args[0], i);
        return fmt::format("({} != 0 ? {}({}) : {}())", d, cpp_type(t), inner, cpp_type(t));
      }
      case K::Record: {
        std::string fields;
        for (const auto& f : t.args) fields += (fields.empty() ? "" : ", ") + lift(f, i);
        return cpp_type(t) + "{" + fields + "}";
      }
      default: return "static_cast<" + cpp_type(t) + ">(" + p(i++) + ")";
    }
  }

  // Stores value `x` of type `t` at `at` (canonical ABI memory layout).
  static std::string store(const WitType& t, const std::string& at, const std::string& x, int depth) {
    switch (t.kind) {
      case K::Bool: return fmt::format("dolc_gen_abi::put<uint8_t>({}, {} ? 1 : 0);", at, x);
      case K::String: return fmt::format("dolc_gen_abi::put_string({}, {});", at, x);
      case K::Enum: return fmt::format("dolc_gen_abi::put<uint8_t>({}, static_cast<uint8_t>({}));", at, x);
      case K::List: {
        if (t.args[0].kind == K::U8) return fmt::format("dolc_gen_abi::put_bytes({}, {}.data(), {}.size());", at, x, x);
        if (t.args[0].kind == K::String) return fmt::format("dolc_gen_abi::put_strings({}, {});", at, x);
        uint32_t size = abi_size(t.args[0]);
        std::string e = fmt::format("e{}_", depth), i = fmt::format("i{}_", depth);
        return fmt::format(
            "{{ uint8_t* {0} = dolc_gen_abi::keep({2}.size() * {3}u); for (size_t {1} = 0; {1} < {2}.size(); ++{1}) {{ {4} }} "
            "dolc_gen_abi::put<int32_t>({5}, dolc_gen_abi::addr({0})); dolc_gen_abi::put<int32_t>({5} + 4, static_cast<int32_t>({2}.size())); }}",
            e, i, x, size, store(t.args[0], e + " + " + i + " * " + std::to_string(size), x + "[" + i + "]", depth + 1), at);
      }
      case K::Option: {
        uint32_t off = (1 + abi_align(t.args[0]) - 1) / abi_align(t.args[0]) * abi_align(t.args[0]);
        return fmt::format("if ({1}) {{ dolc_gen_abi::put<uint8_t>({0}, 1); {2} }}", at, x,
                           store(t.args[0], at + " + " + std::to_string(off), "(*" + x + ")", depth + 1));
      }
      case K::Record: {
        std::vector<uint32_t> offs = record_offsets(t);
        std::string out;
        for (size_t k = 0; k < t.args.size(); ++k)
          out += store(t.args[k], at + " + " + std::to_string(offs[k]), x + "." + cpp_ident(t.cases[k]), depth + 1) + " ";
        return out;
      }
      case K::Result: {
        uint32_t a = abi_align(t);
        uint32_t off = (1 + a - 1) / a * a;
        std::string ok = t.args.empty() ? "" : store(t.args[0], at + " + " + std::to_string(off), x + ".value", depth + 1);
        return fmt::format("if ({1}.ok) {{ {2} }} else {{ dolc_gen_abi::put<uint8_t>({0}, 1); dolc_gen_abi::put_string({0} + {3}, {1}.error); }}",
                           at, x, ok, off);
      }
      default: return fmt::format("dolc_gen_abi::put<{}>({}, {});", cpp_type(t), at, x);
    }
  }

  // The canonical-ABI exports. The component model needs one core export
  // per WIT function, but most of them differ only in the class method they
  // call (every `lww` string field's `-get` lifts the same arguments and
  // lowers the same result). Their bodies are generated once per distinct
  // shape, as a helper that takes the method as a member pointer, and each
  // export is a one-line thunk. Generated size and clang's time then grow
  // with the number of fields by a thunk each, instead of by a whole body
  // (5,000 fields: the exports were half of 16 MB of C++).
  std::string exports(const ApiInterface& iface) const {
    std::string cls = class_name(iface);
    std::string id = cpp_ident(iface.label);
    std::string out;
    out += fmt::format("extern \"C\" __attribute__((import_module({}), import_name(\"[resource-new]document\")))\n"
                       "int32_t dolx_{}_resource_new(int32_t rep);\n\n",
                       cpp_string_literal("[export]" + iface.qualified), id);
    std::unordered_map<std::string, std::string> shapes;  // helper body -> helper name
    std::map<std::string, size_t> thin_shapes;            // core signature -> thin dispatcher number
    std::string thin_rows, dispatchers, thin_macros, thin_thunks;
    size_t thin_rows_count = 0;
    std::string helpers, thunks, undefs;
    // Every method's export name starts with this (api.cpp).
    const std::string method_prefix = iface.qualified + "#[method]document.";
    const std::string prefix_macro = "DOLX_" + id + "_METHOD";
    // Pass 0 counts the exports of each shape; pass 1 writes them. A shape
    // used once, and every export of a small interface, is written as a
    // whole export: there a helper and a thunk would only add calls.
    std::unordered_map<std::string, size_t> uses;
    for (int pass = 0; pass < 2; ++pass)
    for (const auto& fn : iface.functions) {
      std::string params, forward;
      size_t n = 0;
      for (CoreType c : fn.core_params) {
        static const char* names[] = {"int32_t", "int64_t", "float", "double"};
        params += fmt::format("{}{} p{}", params.empty() ? "" : ", ", names[static_cast<int>(c)], n);
        forward += fmt::format("{}p{}", forward.empty() ? "" : ", ", n++);
      }
      std::string ret = fn.core_results.empty() ? "void"
                        : fn.core_results[0] == CoreType::I64 ? "int64_t"
                        : fn.core_results[0] == CoreType::F32 ? "float"
                        : fn.core_results[0] == CoreType::F64 ? "double" : "int32_t";
      std::string sym = fmt::format("dolx_{}_{}", id, fn.kind == ApiFunction::Kind::Constructor ? "constructor"
                                                     : fn.kind == ApiFunction::Kind::Destructor ? "destructor"
                                                     : cpp_ident(fn.label));
      std::string head = fmt::format("extern \"C\" __attribute__((export_name({}))) {} {}({})",
                                     cpp_string_literal(fn.export_name), ret, sym, params);
      if (pass == 0 && fn.kind != ApiFunction::Kind::Method) continue;
      if (fn.kind == ApiFunction::Kind::Constructor) {
        thunks += head + " {\n";
        thunks += fmt::format("  auto* d_ = new {}(static_cast<uint64_t>(p0));\n", cls);
        thunks += fmt::format("  return dolx_{}_resource_new(dolc_gen_abi::addr(d_));\n}}\n\n", id);
        continue;
      }
      if (fn.kind == ApiFunction::Kind::Destructor) {
        thunks += head + " {\n";
        if (iface.traits.empty())
          thunks += fmt::format("  delete reinterpret_cast<{}*>(static_cast<uintptr_t>(static_cast<uint32_t>(p0)));\n}}\n\n", cls);
        else  // trait objects may still hold it (trait_support)
          thunks += fmt::format("  auto* d_ = reinterpret_cast<{}*>(static_cast<uintptr_t>(static_cast<uint32_t>(p0)));\n"
                                "  if (dolx_release_(d_)) delete d_;\n}}\n\n", cls);
        continue;
      }
      // A thin operation: a row of the interface's table (the generic
      // fx_<op> of dolc_gen_abi.hpp, the field, its value kinds) and an
      // export that calls the dispatcher of its core signature with the
      // row. dolc adds such exports to the linked module itself
      // (ThinExport); compiled elsewhere, a one-line thunk per export does.
      if (std::string key_kind, val_kind, op = thin_op(iface, fn, &key_kind, &val_kind); !op.empty()) {
        std::string ints, real, forward;
        size_t slots = 0;
        bool fits = fn.core_params.size() >= 3;
        for (size_t k = 0; k < fn.core_params.size(); ++k) {
          forward += fmt::format(", p{}", k);
          if (k < 3) continue;
          if (fn.core_params[k] == CoreType::F32 || fn.core_params[k] == CoreType::F64) {
            fits = fits && real.empty();
            real = fmt::format("p{}", k);
          } else {
            ints += fmt::format(", p{}", k);
            ++slots;
          }
        }
        if (fits && slots <= 6) {
          if (pass == 0) continue;
          for (; slots < 6; ++slots) ints += ", 0";
          auto [it, fresh] = thin_shapes.emplace(ret + "|" + params, thin_shapes.size());
          std::string dispatcher = fmt::format("dolx_{}_fxd{}_", id, it->second);
          std::string macro = fmt::format("DOLX_{}_fx{}_", id, it->second);
          std::string dispatcher_export = fmt::format("dolc-fx:{}:{}", id, it->second);
          if (fresh) {
            dispatchers += fmt::format(
                "DOLX_{}_DISPATCH_({}) {} {}(int32_t row_, {}) {{\n  const dolc_gen_abi::FieldExport& r_ = kFx_{}_[row_];\n"
                "  return static_cast<{}>(r_.fn(r_.host, r_.gene, r_.field, r_.kinds, p0, p1, p2{}, {}));\n}}\n",
                id, cpp_string_literal(dispatcher_export), ret, dispatcher, params, id, ret, ints,
                real.empty() ? "0.0" : real);
            thin_macros += fmt::format("#define {}(m, wit, row) extern \"C\" __attribute__((export_name({} wit))) {} "
                                       "dolx_{}_##m({}) {{ return {}(row{}); }}\n",
                                       macro, prefix_macro, ret, id, params, dispatcher, forward);
            undefs += "#undef " + macro + "\n";
          }
          size_t row = thin_rows_count++;
          thin_rows += fmt::format("  DOLX_{}_ROW_({}, {}, {}, {}, {}),\n", id, op, gene_var(*fn.gene), fn.field_index,
                                   key_kind, val_kind);
          thin_thunks += fmt::format("{}({}, {}, {})\n", macro, method_name(fn),
                                     cpp_string_literal(fn.export_name.substr(method_prefix.size())), row);
          if (thin) thin->push_back({fn.export_name, dispatcher_export, static_cast<uint32_t>(row), fn.core_params,
                                     fn.core_results});
          continue;
        }
      }
      // The body, calling the method through `m_`.
      std::string body;
      body += fmt::format("  auto* d_ = reinterpret_cast<{}*>(static_cast<uintptr_t>(static_cast<uint32_t>(p0)));\n", cls);
      size_t i = 1;
      std::string args, arg_types;
      size_t k = 0;
      for (const auto& p : fn.params) {
        // Positional names, so that `apply(changes)` and `merge(saved)` share a shape.
        std::string a = fmt::format("a{}_", k++);
        body += fmt::format("  auto {} = {};\n", a, lift(p.type, i));
        args += (args.empty() ? "" : ", ") + a;
        std::string t = cpp_type(p.type);
        arg_types += (arg_types.empty() ? "" : ", ") + (by_ref(p.type) ? "const " + t + "&" : t);
      }
      if (!fn.has_result) {
        body += fmt::format("  (d_->*m_)({});\n", args);
      } else {
        body += fmt::format("  auto r_ = (d_->*m_)({});\n", args);
        if (!fn.result_in_memory) {
          if (fn.result.kind == K::Bool) body += "  return r_ ? 1 : 0;\n";
          else body += fmt::format("  return static_cast<{}>(r_);\n", ret);
        } else {
          body += "  uint8_t* at_ = dolc_gen_abi::begin_result();\n";
          body += "  " + store(fn.result, "at_", "r_", 0) + "\n";
          body += "  return dolc_gen_abi::addr(at_);\n";
        }
      }
      std::string method_param = fmt::format("{} ({}::*m_)({}){}", fn.has_result ? cpp_type(fn.result) : "void", cls,
                                             arg_types, is_read(fn.op) ? " const" : "");
      std::string key = ret + "|" + params + "|" + method_param + "|" + body;
      if (pass == 0) {
        ++uses[key];
        continue;
      }
      if (uses[key] == 1 || iface.functions.size() <= kShareExportsAbove) {
        std::string direct = body;
        direct.replace(direct.find("(d_->*m_)"), 9, "d_->" + method_name(fn));
        thunks += head + " {\n" + direct + "}\n\n";
        continue;
      }
      auto [it, fresh] = shapes.emplace(key, fmt::format("dolx_{}_shape{}_", id, shapes.size()));
      std::string macro = "DOLX_" + it->second.substr(5);  // DOLX_<id>_shape<k>_
      if (fresh) {
        // noinline: inlined into every thunk it would bring the bodies back.
        helpers += fmt::format("__attribute__((noinline)) static {} {}({}{}{}) {{\n{}}}\n", ret, it->second,
                               params, params.empty() ? "" : ", ", method_param, body);
        // The thunk of this shape, as a macro of the method (which is also
        // the symbol's suffix) and the WIT name: each export is then one
        // short line, which is most of the generated text per field.
        helpers += fmt::format("#define {}(m, wit) extern \"C\" __attribute__((export_name({} wit))) {} dolx_{}_##m({}) "
                               "{{ {}{}({}{}&{}::m); }}\n\n",
                               macro, prefix_macro, ret, id, params, ret == "void" ? "" : "return ", it->second, forward,
                               forward.empty() ? "" : ", ", cls);
        undefs += "#undef " + macro + "\n";
      }
      // The symbol is dolx_<id>_<method>: method_name is cpp_ident(label), as `sym` above.
      thunks += fmt::format("{}({}, {})\n", macro, method_name(fn),
                            cpp_string_literal(fn.export_name.substr(method_prefix.size())));
    }
    std::string thin_part;
    if (thin_rows_count) {
      thin_part += fmt::format("#define DOLX_{0}_ROW_(op, gene, field, key, value) {{&dolc_gen_abi::fx_##op, &{1}::host_, &gene, "
                               "field##u, dolc_gen::kinds(dolc_gen::ValueKind::key, dolc_gen::ValueKind::value)}}\n",
                               id, cls);
      thin_part += fmt::format("static const dolc_gen_abi::FieldExport kFx_{}_[] = {{\n{}}};\n#undef DOLX_{}_ROW_\n", id,
                               thin_rows, id);
      thin_part += fmt::format("#if defined(DOLC_SYNTHESIZED_EXPORTS)\n"
                               "#define DOLX_{0}_DISPATCH_(name) extern \"C\" __attribute__((export_name(name)))\n"
                               "#else\n#define DOLX_{0}_DISPATCH_(name) __attribute__((noinline)) static\n#endif\n",
                               id);
      thin_part += dispatchers + fmt::format("#undef DOLX_{}_DISPATCH_\n", id);
      thin_part += "#if !defined(DOLC_SYNTHESIZED_EXPORTS)  // (dolc adds these exports to the linked module)\n" +
                   thin_macros + thin_thunks + "#endif\n\n";
    }
    return out + fmt::format("#define {} {}\n", prefix_macro, cpp_string_literal(method_prefix)) + helpers + thin_part +
           thunks + undefs + "#undef " + prefix_macro + "\n\n";
  }

  // ----- traits (docs/generated-api.md, "Traits") ------------------------------
  // A trait is an abstract class of pure virtual methods named and typed as
  // the implementing genes' (`call_<method>`), deriving (virtually, so two
  // traits may share one they both use) from the traits it uses; a gene's
  // class derives from each trait it implements that no other of them uses,
  // and marks the implementing methods `override`. In the wasm build, each
  // trait's WIT resource `object` is a small heap record: the document seen
  // through the trait, and the document it keeps alive.

  // The class of a trait: its class-cased name, with `Trait` appended where
  // a generated class or struct already has that name.
  std::string trait_class(const ApiTrait& t) const {
    std::string name = js_class(t.label);
    for (const auto& iface : table.interfaces) {
      if (class_name(iface) == name) return name + "Trait";
      for (const auto& g : iface.genes)
        if (snapshot_struct(g) == name) return name + "Trait";
      for (const auto& r : iface.records)
        if (cpp_type(r.type) == name) return name + "Trait";
    }
    return name;
  }

  std::string trait_classes() const {
    std::string out;
    for (const auto& t : table.traits) {
      std::string bases;
      for (const auto& u : t.uses)
        bases += (bases.empty() ? " : " : ", ") + std::string("public virtual ") + trait_class(*table.find_trait(u));
      out += fmt::format("/// Trait `{}`{}{}\n", t.trait->name, t.trait->docs.empty() ? "." : ": ",
                         t.trait->docs.empty() ? "" : one_line(t.trait->docs));
      out += fmt::format("class {}{} {{\n public:\n", trait_class(t), bases);
      if (t.uses.empty()) out += fmt::format("  virtual ~{}() = default;\n", trait_class(t));
      for (const auto& fn : t.functions) out += "  virtual " + signature(fn, "") + " = 0;\n";
      out += "};\n\n";
    }
    return out;
  }

  static std::string one_line(const std::string& docs) {
    std::string s = docs;
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
  }

  // The traits a gene's class derives from: those it implements that no
  // other of them uses (the rest come through those).
  std::vector<const ApiTrait*> trait_bases(const ApiInterface& iface) const {
    std::vector<const ApiTrait*> out;
    for (const auto& label : iface.traits) {
      bool used = false;
      for (const auto& other : iface.traits) {
        const ApiTrait* o = table.find_trait(other);
        used = used || (other != label && trait_uses(*o, label));
      }
      if (!used) out.push_back(table.find_trait(label));
    }
    return out;
  }

  bool trait_uses(const ApiTrait& t, const std::string& label) const {
    for (const auto& u : t.uses)
      if (u == label || trait_uses(*table.find_trait(u), label)) return true;
    return false;
  }

  // Whether `fn` of the interface implements a method of one of its traits.
  bool implements_trait_method(const ApiInterface& iface, const ApiFunction& fn) const {
    if (fn.op != ApiOp::MethodCall || !fn.gene_prefix.empty()) return false;
    for (const auto& label : iface.traits)
      for (const auto& tf : table.find_trait(label)->functions)
        if (tf.label == fn.label) return true;
    return false;
  }

  // The wasm side: the trait objects' record and the handles that keep
  // their documents alive (written before every export, whose documents'
  // destructors release through it).
  std::string trait_support() const {
    if (table.traits.empty()) return "";
    std::string out;
    out += "// ---- trait objects (the `object` resources of package dol:traits) ----\n";
    out += "namespace {\n";
    out += "// One document seen through one trait (`impl`, a pointer to that trait's class),\n";
    out += "// and how to let go of the document it keeps alive.\n";
    out += "struct dolx_trait_ref_ {\n  void* impl;\n  void* doc;\n  void (*drop)(void*);\n};\n";
    out += "// Documents held by trait objects, with the number of handles (the document's\n";
    out += "// own and its trait objects') keeping each alive; others have just their own.\n";
    out += "std::vector<std::pair<void*, int32_t>>& dolx_holds_() {\n";
    out += "  static std::vector<std::pair<void*, int32_t>> holds;\n  return holds;\n}\n";
    out += "void dolx_hold_(void* doc) {\n";
    out += "  for (auto& h : dolx_holds_())\n    if (h.first == doc) {\n      ++h.second;\n      return;\n    }\n";
    out += "  dolx_holds_().push_back({doc, 2});\n}\n";
    out += "// True when the handle let go was the document's last: then it is deleted.\n";
    out += "bool dolx_release_(void* doc) {\n  auto& holds = dolx_holds_();\n";
    out += "  for (size_t i = 0; i < holds.size(); ++i)\n    if (holds[i].first == doc) {\n";
    out += "      if (--holds[i].second > 0) return false;\n      holds.erase(holds.begin() + static_cast<long>(i));\n";
    out += "      return true;\n    }\n  return true;\n}\n";
    out += "template <class D> void dolx_drop_(void* doc) {\n  if (dolx_release_(doc)) delete static_cast<D*>(doc);\n}\n";
    out += "}  // namespace\n\n";
    for (const auto& t : table.traits)
      out += fmt::format("extern \"C\" __attribute__((import_module({}), import_name(\"[resource-new]object\")))\n"
                         "int32_t dolx_t_{}_resource_new(int32_t rep);\n",
                         cpp_string_literal("[export]" + t.qualified), cpp_ident(t.label));
    return out + "\n";
  }

  // A new trait object for `impl_expr` (already the trait's class pointer),
  // holding `doc_expr` released by `drop_expr`.
  static std::string new_trait_object(const ApiTrait& t, const std::string& impl_expr, const std::string& doc_expr,
                                      const std::string& drop_expr) {
    return fmt::format("  dolx_hold_({1});\n  return dolx_t_{0}_resource_new(dolc_gen_abi::addr(new dolx_trait_ref_{{{2}, {1}, {3}}}));\n",
                       cpp_ident(t.label), doc_expr, impl_expr, drop_expr);
  }

  // A gene interface's `as-<trait>` exports.
  std::string trait_conversions(const ApiInterface& iface) const {
    std::string out, cls = class_name(iface);
    for (const auto& label : iface.traits) {
      const ApiTrait& t = *table.find_trait(label);
      out += fmt::format("extern \"C\" __attribute__((export_name({}))) int32_t dolx_{}_as_{}(int32_t p0) {{\n",
                         cpp_string_literal(iface.qualified + "#[method]document.as-" + t.label), cpp_ident(iface.label),
                         cpp_ident(t.label));
      out += fmt::format("  auto* d_ = reinterpret_cast<{}*>(static_cast<uintptr_t>(static_cast<uint32_t>(p0)));\n", cls);
      out += new_trait_object(t, fmt::format("static_cast<{}*>(d_)", trait_class(t)), "d_",
                              fmt::format("&dolx_drop_<{}>", cls));
      out += "}\n\n";
    }
    return out;
  }

  // Each trait's `object`: its methods (calls through the trait class),
  // its conversions to the traits it uses, its destructor.
  std::string trait_exports() const {
    std::string out;
    for (const auto& t : table.traits) {
      std::string id = cpp_ident(t.label), cls = trait_class(t);
      std::string self = "  auto* t_ = reinterpret_cast<dolx_trait_ref_*>(static_cast<uintptr_t>(static_cast<uint32_t>(p0)));\n";
      for (const auto& fn : t.functions) {
        std::string params;
        size_t n = 0;
        for (CoreType c : fn.core_params) {
          static const char* names[] = {"int32_t", "int64_t", "float", "double"};
          params += fmt::format("{}{} p{}", params.empty() ? "" : ", ", names[static_cast<int>(c)], n++);
        }
        std::string ret = fn.core_results.empty() ? "void"
                          : fn.core_results[0] == CoreType::I64 ? "int64_t"
                          : fn.core_results[0] == CoreType::F32 ? "float"
                          : fn.core_results[0] == CoreType::F64 ? "double" : "int32_t";
        out += fmt::format("extern \"C\" __attribute__((export_name({}))) {} dolx_t_{}_{}({}) {{\n",
                           cpp_string_literal(fn.export_name), ret, id, cpp_ident(fn.op_label), params);
        out += self + fmt::format("  auto* d_ = static_cast<{}*>(t_->impl);\n", cls);
        size_t i = 1;
        std::string args;
        for (const auto& p : fn.params) {
          std::string a = fmt::format("a{}_", i);
          out += fmt::format("  auto {} = {};\n", a, lift(p.type, i));
          args += (args.empty() ? "" : ", ") + a;
        }
        out += fmt::format("  auto r_ = d_->{}({});\n", method_name(fn), args);
        if (!fn.result_in_memory) {
          out += fn.result.kind == K::Bool ? "  return r_ ? 1 : 0;\n" : fmt::format("  return static_cast<{}>(r_);\n", ret);
        } else {
          out += "  uint8_t* at_ = dolc_gen_abi::begin_result();\n";
          out += "  " + store(fn.result, "at_", "r_", 0) + "\n";
          out += "  return dolc_gen_abi::addr(at_);\n";
        }
        out += "}\n\n";
      }
      for (const auto& u : t.uses) {
        const ApiTrait& ut = *table.find_trait(u);
        out += fmt::format("extern \"C\" __attribute__((export_name({}))) int32_t dolx_t_{}_as_{}(int32_t p0) {{\n",
                           cpp_string_literal(t.qualified + "#[method]object.as-" + ut.label), id, cpp_ident(ut.label));
        out += self;
        out += new_trait_object(ut, fmt::format("static_cast<{}*>(static_cast<{}*>(t_->impl))", trait_class(ut), cls),
                                "t_->doc", "t_->drop");
        out += "}\n\n";
      }
      out += fmt::format("extern \"C\" __attribute__((export_name({}))) void dolx_t_{}_dtor(int32_t p0) {{\n",
                         cpp_string_literal(t.qualified + "#[dtor]object"), id);
      out += self + "  t_->drop(t_->doc);\n  delete t_;\n}\n\n";
    }
    return out;
  }
};

}  // namespace

std::string cpp_namespace(const ExportTable& table) { return "dolgen::" + cpp_ident(table.module_name); }

std::vector<GeneratedFile> lower_to_cpp(const ir::Schema& schema, const ExportTable& table,
                                        std::vector<ThinExport>* thin) {
  Gen gen{schema, table, cpp_namespace(table), thin};
  std::string name = table.module_name;
  std::string hpp, cpp;
  std::string banner = "// Generated by dolc from the schema of module `" + name + "`. Do not edit.\n";
  hpp += banner;
  hpp += "// The C++ API of the module: one class per compiled gene; see docs/generated-api.md.\n";
  hpp += "#pragma once\n\n#include <cstdint>\n#include <optional>\n#include <string>\n#include <utility>\n#include <vector>\n\n";
  hpp += "#include \"dolc_gen_rt.hpp\"\n\n";
  hpp += "namespace " + gen.ns + " {\n\n";
  std::set<std::string> enums_done;
  for (const auto& iface : table.interfaces)
    for (const auto& e : iface.enums) {
      if (!enums_done.insert(e.label).second) continue;
      std::string cases;
      for (const auto& v : e.variants) cases += (cases.empty() ? "" : ", ") + cpp_ident(v);
      hpp += fmt::format("enum class {} : uint8_t {{ {} }};\n", cpp_enum_name(e.label), cases);
    }
  if (!enums_done.empty()) hpp += "\n";
  std::set<std::string> records_done;
  for (const auto& iface : table.interfaces)
    for (const auto& r : iface.records) {
      if (!records_done.insert(r.label).second) continue;
      hpp += fmt::format("/// A `{}` value.\nstruct {} {{\n", r.gene ? r.gene->name : r.label, cpp_type(r.type));
      for (size_t i = 0; i < r.type.args.size(); ++i)
        hpp += fmt::format("  {} {}{{}};\n", cpp_type(r.type.args[i]), cpp_ident(r.type.cases[i]));
      hpp += "};\n\n";
    }
  for (const ApiGene* g : gen.genes()) hpp += fmt::format("extern const dolc_gen::GeneInfo {};\n", gene_var(*g->gene));
  hpp += "\n";
  hpp += gen.snapshot_structs();
  hpp += gen.trait_classes();
  for (const auto& iface : table.interfaces) hpp += gen.class_decl(iface) + "\n";
  hpp += "}  // namespace " + gen.ns + "\n";

  cpp += banner;
  cpp += "#include \"" + name + ".hpp\"\n\n";
  cpp += "namespace " + gen.ns + " {\n\n";
  cpp += gen.descriptors();
  std::vector<ApiOmission> ignored;  // reported by build_export_table's caller through check_omissions()
  std::vector<std::string> exports;
  for (const auto& iface : table.interfaces) exports.push_back(gen.exports(iface));
  for (size_t i = 0; i < table.interfaces.size(); ++i) cpp += gen.class_impl(table.interfaces[i], &ignored, exports[i]);
  cpp += "}  // namespace " + gen.ns + "\n\n";
  cpp += "#if defined(__wasm__)\n";
  cpp += "// ---- canonical-ABI exports (described by " + name + ".wit) ----\n";
  cpp += "#include \"dolc_gen_abi.hpp\"\n\n";
  cpp += "using namespace " + gen.ns + ";\n\n";
  cpp += "extern \"C\" __attribute__((export_name(\"cabi_realloc\"))) void* cabi_realloc(void* old, size_t old_size, size_t align, size_t new_size) {\n";
  cpp += "  (void)old_size;\n  (void)align;  // malloc aligns to 16\n";
  cpp += "  return std::realloc(old, new_size ? new_size : 1);\n}\n\n";
  cpp += gen.trait_support();
  for (const auto& e : exports) cpp += e;
  for (const auto& iface : table.interfaces) cpp += gen.trait_conversions(iface);
  cpp += gen.trait_exports();
  cpp += "#endif  // __wasm__\n";

  return {{name + ".hpp", hpp}, {name + ".cpp", cpp}, {"dolc_gen_abi.hpp", kAbiSupport}, {"dolc_gen_rt.hpp", kRtSupport}};
}

std::vector<ApiOmission> constraint_omissions(const ir::Schema& schema, const ExportTable& table) {
  Gen gen{schema, table, cpp_namespace(table)};
  std::vector<ApiOmission> out;
  for (const auto& iface : table.interfaces) gen.checks(iface, &out);
  // Invariants of nested genes are checked on every nested object too (the
  // broken_* walk): the lowering's own omissions above are all there is.
  for (const auto& iface : table.interfaces)
    for (size_t i = 1; i < iface.genes.size(); ++i) gen.checks(iface, iface.genes[i], &out);
  // A gene nested in several documents is checked in each: report it once.
  std::vector<ApiOmission> once;
  std::set<std::string> seen;
  for (auto& o : out)
    if (seen.insert(o.message + "@" + std::to_string(o.span.begin)).second) once.push_back(std::move(o));
  return once;
}

}  // namespace dolc::lower
