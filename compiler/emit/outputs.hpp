// compiler/emit: everything `dolc build` generates from a checked schema,
// except the compiled .wasm itself (the driver compiles `cpp_sources` with
// dolc_wasm and writes the module).
//
// The kinds of output are the rows of outputs.def: --emit parsing, the
// files each writes, the depfile targets, the driver's help text and the
// CMake rule (tools/cmake/DolcModule.cmake) all come from that one table.
#pragma once

#include <string>
#include <vector>

#include "diag/diag.hpp"
#include "ir/schema.hpp"
#include "lower/api.hpp"
#include "lower/cpp.hpp"

namespace dolc::emit {

enum class OutputKind {
#define DOLC_OUTPUT(e, name, on_by_default, files, description) e,
#include "emit/outputs.def"
};

struct OutputKindInfo {
  OutputKind kind;
  const char* name;         // as written in --emit
  bool on_by_default;
  const char* files;        // "NAME.js NAME.d.ts"
  const char* description;  // for --help
  // The files it writes for outputs named `stem`, in order.
  std::vector<std::string> file_names(const std::string& stem) const;
};
const std::vector<OutputKindInfo>& output_kinds();  // in outputs.def's order
const OutputKindInfo& output_kind_info(OutputKind k);

struct EmitSet {
  EmitSet();  // the kinds on by default
  std::vector<bool> on;  // by OutputKind
  bool has(OutputKind k) const { return on[static_cast<size_t>(k)]; }
};
// Parses `--emit=wasm,wit,js,cpp,schema-json`; false with a message naming
// the bad entry and the valid ones.
bool parse_emit_list(const std::string& list, EmitSet* out, std::string* error);
// "wasm, wit, js, cpp, schema-json"
std::string output_kind_names();
// The --emit paragraph of `dolc help build`: one line per kind.
std::string emit_help();

struct OutputFile {
  std::string name;      // file name inside the output directory
  std::string contents;
};

struct Generated {
  lower::ExportTable table;
  std::vector<OutputFile> files;                  // requested text outputs, in a fixed order
  std::vector<lower::GeneratedFile> cpp_sources;  // what the .wasm is compiled from
  std::vector<lower::ThinExport> thin_exports;    // exports dolc adds after the link (lower/cpp.hpp)
  std::vector<lower::ApiOmission> omissions;      // not-compiled: fields, methods, constraints
};

// `name`: NAME of the outputs (the first input's stem).
Generated generate(const ir::Schema& schema, const std::vector<FileId>& roots, const std::string& name,
                   const EmitSet& emit);

// One `not-compiled` warning per omission.
void report_omissions(const Generated& generated, DiagnosticSink& diags);

}  // namespace dolc::emit
