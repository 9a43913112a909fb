// compiler/emit/outputs.cpp: the generator registry and `generate` (see
// outputs.hpp).
#include "emit/outputs.hpp"

#include <sstream>

#include "emit/emit.hpp"
#include "ir/json.hpp"

namespace dolc::emit {

const std::vector<OutputKindInfo>& output_kinds() {
  static const std::vector<OutputKindInfo> kinds = {
      {OutputKind::Wasm, "wasm", true, "NAME.wasm, the core WebAssembly module"},
      {OutputKind::Wit, "wit", true, "NAME.wit, its Component Model interface"},
      {OutputKind::Js, "js", true, "NAME.js + NAME.d.ts, the ES module loader and its types"},
      {OutputKind::Cpp, "cpp", false, "NAME.hpp + NAME.cpp (+ dolc_gen_* support files), the generated C++"},
      {OutputKind::SchemaJson, "schema-json", false, "NAME.schema.json, the checked schema"},
  };
  return kinds;
}

bool EmitSet::has(OutputKind k) const {
  switch (k) {
    case OutputKind::Wasm: return wasm;
    case OutputKind::Wit: return wit;
    case OutputKind::Js: return js;
    case OutputKind::Cpp: return cpp;
    case OutputKind::SchemaJson: return schema_json;
  }
  return false;
}

bool parse_emit_list(const std::string& list, EmitSet* out, std::string* error) {
  EmitSet set;
  set.wasm = set.wit = set.js = set.cpp = set.schema_json = false;
  std::stringstream in(list);
  std::string item;
  bool any = false;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    bool* flag = item == "wasm" ? &set.wasm : item == "wit" ? &set.wit : item == "js" ? &set.js
               : item == "cpp" ? &set.cpp : item == "schema-json" ? &set.schema_json : nullptr;
    if (!flag) {
      std::string names;
      for (const auto& k : output_kinds()) names += (names.empty() ? "" : ", ") + std::string(k.name);
      *error = "unknown output kind '" + item + "' in --emit (valid: " + names + ")";
      return false;
    }
    *flag = true;
    any = true;
  }
  if (!any) {
    *error = "--emit needs at least one output kind";
    return false;
  }
  *out = set;
  return true;
}

Generated generate(const ir::Schema& schema, const std::vector<FileId>& roots, const std::string& name,
                   const EmitSet& emit) {
  Generated g;
  g.table = lower::build_export_table(schema, roots, name);
  g.omissions = g.table.omissions;
  for (auto& o : lower::constraint_omissions(schema, g.table)) g.omissions.push_back(std::move(o));
  g.cpp_sources = lower::lower_to_cpp(schema, g.table, &g.thin_exports);
  if (emit.wit) g.files.push_back({name + ".wit", emit_wit(g.table)});
  if (emit.js) {
    g.files.push_back({name + ".js", emit_js(g.table, name + ".wasm")});
    g.files.push_back({name + ".d.ts", emit_dts(g.table)});
  }
  if (emit.cpp)
    for (const auto& f : g.cpp_sources) g.files.push_back({f.name, f.contents});
  if (emit.schema_json) g.files.push_back({name + ".schema.json", ir::schema_to_json(schema).dump(2) + "\n"});
  return g;
}

void report_omissions(const Generated& generated, DiagnosticSink& diags) {
  for (const auto& o : generated.omissions) diags.report(Rule::NotCompiled, o.span, o.message);
}

}  // namespace dolc::emit
