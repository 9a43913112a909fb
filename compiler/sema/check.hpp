// compiler/sema: the checker's public entry point.
//
// Takes the root files the user named, loads and parses everything they
// `use` (from the -I directories, then stdlib-dol/), resolves names and
// types, applies every rule of ../shared/spec/crdt.md and produces the
// checked schema (ir::Schema), which is the only thing back ends read.
#pragma once

#include <string>
#include <vector>

#include "diag/diag.hpp"
#include "ir/schema.hpp"
#include "source/source.hpp"

namespace dolc {

struct CheckOptions {
  std::vector<std::string> include_dirs;  // -I, searched in order for `use`d modules
  std::string stdlib_dir;                 // stdlib-dol/, searched last
  bool require_docs = false;              // --require-docs enables `missing-docs`
};

struct CheckResult {
  ir::Schema schema;
  std::vector<std::string> files_read;    // every file parsed (roots, imports, stdlib), for the depfile
};

// `roots` are files already loaded into `sources` by the driver.
CheckResult check(SourceManager& sources, const std::vector<FileId>& roots, const CheckOptions& options,
                  DiagnosticSink& diags);

}  // namespace dolc
