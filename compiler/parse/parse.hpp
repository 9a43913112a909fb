// compiler/parse: DOL source text -> ast::File.
//
// The ANTLR-generated lexer and parser (grammar/DOL.g4) are used only inside
// this folder; callers see dolc's own AST and diagnostics. A syntax error is
// reported once per bad construct (rule `syntax-error`) and the parser
// resumes at the next top-level declaration, so later errors still show.
#pragma once

#include "ast/ast.hpp"
#include "diag/diag.hpp"
#include "source/source.hpp"

namespace dolc {

// Parses one file already held by `sources`. Always returns a File (possibly
// partial); syntax errors go to `diags`.
ast::File parse_file(const SourceManager& sources, FileId file, DiagnosticSink& diags);

}  // namespace dolc
