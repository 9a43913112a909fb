// compiler/driver/loader.cpp: ParsingLoader, the parser behind sema's
// ModuleLoader (loader.hpp).
#include "driver/loader.hpp"

#include "parse/parse.hpp"

namespace dolc::driver {

ast::File ParsingLoader::load(FileId file, DiagnosticSink& diags) {
  return parse_file(sources_, file, diags);
}

}  // namespace dolc::driver
