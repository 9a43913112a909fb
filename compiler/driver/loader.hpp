// compiler/driver/loader.hpp: the module loader the driver gives the checker.
//
// sema decides which files a schema needs and reads their text; turning a
// file into a syntax tree is the parser's job, and only the driver links both
// phases. This loader is that link: every command that checks a schema
// (check, build, breaking, lsp, and the fuzzer) hands one to dolc::check.
#pragma once

#include "sema/check.hpp"
#include "source/source.hpp"

namespace dolc::driver {

// Parses each file the checker asks for (parse/parse.hpp).
class ParsingLoader : public ModuleLoader {
 public:
  explicit ParsingLoader(const SourceManager& sources) : sources_(sources) {}
  ast::File load(FileId file, DiagnosticSink& diags) override;

 private:
  const SourceManager& sources_;
};

}  // namespace dolc::driver
