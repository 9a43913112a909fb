// compiler/lsp: answering questions about a place in a document from the
// checked schema: hover, go to definition, document symbols, completion.
//
// Everything is read from the Analysis of the last text (the IR keeps a span
// for every gene, field, trait, enum, alias, constraint, system and
// evolution); nothing is re-parsed. Names under the cursor are the dotted
// word there (`message.chat`), resolved as the checker resolved them.
#pragma once

#include <nlohmann/json.hpp>

#include "lsp/document.hpp"

namespace dolc::lsp {

// LSP `Hover` or null.
nlohmann::json hover(const Analysis& a, Position pos);
// LSP `Location` or null.
nlohmann::json definition(const Analysis& a, Position pos);
// LSP `DocumentSymbol[]` for the document's own declarations.
nlohmann::json document_symbols(const Analysis& a);
// LSP `CompletionItem[]`: strategies and options inside `@crdt(...)`, else
// type names (built in, then the schema's genes, enums and aliases).
nlohmann::json completion(const Analysis& a, Position pos);

}  // namespace dolc::lsp
