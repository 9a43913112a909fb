// compiler/emit: everything `dolc build` generates from a checked schema,
// except the compiled .wasm itself (the driver compiles `cpp_sources` with
// dolc_wasm and writes the module).
//
// This is the generator registry: each output kind has a name for --emit and
// the files it writes, so --emit parsing, the depfile targets and the
// driver's help text come from one place.
#pragma once

#include <string>
#include <vector>

#include "diag/diag.hpp"
#include "ir/schema.hpp"
#include "lower/api.hpp"
#include "lower/cpp.hpp"

namespace dolc::emit {

enum class OutputKind { Wasm, Wit, Js, Cpp, SchemaJson };

struct OutputKindInfo {
  OutputKind kind;
  const char* name;         // as written in --emit
  bool on_by_default;
  const char* description;  // for --help
};
const std::vector<OutputKindInfo>& output_kinds();

struct EmitSet {
  bool wasm = true, wit = true, js = true, cpp = false, schema_json = false;
  bool has(OutputKind k) const;
};
// Parses `--emit=wasm,wit,js,cpp,schema-json`; false with a message naming
// the bad entry and the valid ones.
bool parse_emit_list(const std::string& list, EmitSet* out, std::string* error);

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
