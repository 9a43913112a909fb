// compiler/sema: the checker's public entry point.
//
// Takes the root files the user named, finds everything they `use` (in the
// -I directories, then stdlib-dol/), has each file turned into a syntax tree
// by the caller's ModuleLoader, resolves names and types, applies every rule
// of ../shared/spec/crdt.md and produces the checked schema (ir::Schema),
// which is the only thing back ends read. sema does not depend on the parser:
// the driver gives it one (driver/loader.hpp), tests give hand-built trees.
#pragma once

#include <string>
#include <vector>

#include "ast/ast.hpp"
#include "diag/diag.hpp"
#include "ir/schema.hpp"
#include "source/source.hpp"

namespace dolc {

struct CheckOptions {
  std::vector<std::string> include_dirs;  // -I, searched in order for `use`d modules
  std::string stdlib_dir;                 // stdlib-dol/, searched last
  bool require_docs = false;              // --require-docs enables `missing-docs`
};

// A declaration or construct `dolc build` reads but turns into no output.
struct NotCompiledItem {
  Span span;             // the declaration's name (or the construct)
  std::string message;   // e.g. "`test` block `parses` is checked but not compiled"
};

struct CheckResult {
  ir::Schema schema;
  std::vector<std::string> files_read;    // every file parsed (roots, imports, stdlib), for the depfile
  std::vector<NotCompiledItem> not_compiled;  // root files only; see report_not_compiled
};

// Where the checker gets the syntax tree of a file. The checker decides which
// files to read (roots, then what they `use`) and loads their text into the
// SourceManager; the loader turns one loaded file into an ast::File.
class ModuleLoader {
 public:
  virtual ~ModuleLoader() = default;
  // The tree of `file` (already held by the SourceManager the checker was
  // given). Always a File, possibly partial; problems go to `diags`.
  virtual ast::File load(FileId file, DiagnosticSink& diags) = 0;
};

// `roots` are files already loaded into `sources` by the driver; `loader`
// gives the tree of each file the checker reads.
CheckResult check(SourceManager& sources, const std::vector<FileId>& roots, const CheckOptions& options,
                  ModuleLoader& loader, DiagnosticSink& diags);

// For `dolc build` only: reports one `not-compiled` warning per item of
// result.not_compiled (tests, spirit/config/mod blocks, consts, free and
// `sex extern` functions). `dolc check` does not call it.
void report_not_compiled(const CheckResult& result, DiagnosticSink& diags);

}  // namespace dolc
