// compiler/emit/outputs.cpp: the output kinds of outputs.def (--emit
// parsing, help lines) and `generate` (see outputs.hpp).
#include "emit/outputs.hpp"

#include <algorithm>
#include <sstream>

#include "emit/emit.hpp"
#include "ir/json.hpp"

namespace dolc::emit {

const std::vector<OutputKindInfo>& output_kinds() {
  static const std::vector<OutputKindInfo> kinds = {
#define DOLC_OUTPUT(e, name, on_by_default, files, description) \
  {OutputKind::e, name, on_by_default, files, description},
#include "emit/outputs.def"
  };
  return kinds;
}

const OutputKindInfo& output_kind_info(OutputKind k) { return output_kinds()[static_cast<size_t>(k)]; }

std::vector<std::string> OutputKindInfo::file_names(const std::string& stem) const {
  std::vector<std::string> out;
  std::stringstream in(files);
  for (std::string f; in >> f;) {
    if (f.rfind("NAME", 0) == 0) f = stem + f.substr(4);
    out.push_back(f);
  }
  return out;
}

EmitSet::EmitSet() {
  for (const auto& k : output_kinds()) on.push_back(k.on_by_default);
}

std::string output_kind_names() {
  std::string names;
  for (const auto& k : output_kinds()) names += (names.empty() ? "" : ", ") + std::string(k.name);
  return names;
}

std::string emit_help() {
  std::string defaults, out;
  for (const auto& k : output_kinds())
    if (k.on_by_default) defaults += (defaults.empty() ? "" : ",") + std::string(k.name);
  out += "  --emit=LIST                 comma-separated: " + output_kind_names() + " (default: " + defaults + ")\n";
  for (const auto& k : output_kinds()) {
    std::string files;
    for (const auto& f : k.file_names("NAME")) files += (files.empty() ? "" : " + ") + f;
    std::string head = "      " + std::string(k.name);
    head.resize(std::max<size_t>(head.size() + 1, 20), ' ');
    out += head + files + ": " + k.description + "\n";
  }
  return out;
}

bool parse_emit_list(const std::string& list, EmitSet* out, std::string* error) {
  EmitSet set;
  set.on.assign(set.on.size(), false);
  std::stringstream in(list);
  std::string item;
  bool any = false;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    const OutputKindInfo* kind = nullptr;
    for (const auto& k : output_kinds())
      if (item == k.name) kind = &k;
    if (!kind) {
      *error = "unknown output kind '" + item + "' in --emit (valid: " + output_kind_names() + ")";
      return false;
    }
    set.on[static_cast<size_t>(kind->kind)] = true;
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
  // Each requested kind's files, in the table's order (the files its row
  // lists: tests/build/cli checks that they agree).
  for (const auto& k : output_kinds()) {
    if (!emit.has(k.kind)) continue;
    switch (k.kind) {
      case OutputKind::Wasm: break;  // compiled from cpp_sources by the driver (dolc_wasm)
      case OutputKind::Wit: g.files.push_back({name + ".wit", emit_wit(g.table)}); break;
      case OutputKind::Js:
        g.files.push_back({name + ".js", emit_js(g.table, name + ".wasm")});
        g.files.push_back({name + ".d.ts", emit_dts(g.table)});
        break;
      case OutputKind::Cpp:
        for (const auto& f : g.cpp_sources) g.files.push_back({f.name, f.contents});
        break;
      case OutputKind::SchemaJson:
        g.files.push_back({name + ".schema.json", ir::schema_to_json(schema).dump(2) + "\n"});
        break;
    }
  }
  return g;
}

void report_omissions(const Generated& generated, DiagnosticSink& diags) {
  for (const auto& o : generated.omissions) diags.report(Rule::NotCompiled, o.span, o.message);
}

}  // namespace dolc::emit
