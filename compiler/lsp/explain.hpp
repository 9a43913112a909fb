// compiler/lsp: what a field's merge strategy and options mean, in words.
//
// Hover text for people who know their app but not CRDTs: one sentence per
// strategy and per option, following ../shared/spec/crdt.md (the table of
// strategies and its notes). Markdown, as LSP `MarkupContent`.
#pragma once

#include <string>

#include "ir/schema.hpp"

namespace dolc::lsp {

// A docs block as Markdown: its source indentation removed (Markdown would
// read indented lines as code), blank lines at either end dropped.
std::string docs_markdown(const std::string& docs);

// "pn_counter: a counter every replica can increment and decrement; ..."
std::string explain_strategy(ir::Strategy s);

// One line per option the schema wrote (and the defaults that matter).
std::string explain_options(const ir::Field& field);

// The whole hover of a field: name, type, gene, strategy, options, docs.
std::string field_hover(const ir::Gene& gene, const ir::Field& field);

// The hover of a gene: its name, version, parent, docs and field count.
std::string gene_hover(const ir::Gene& gene);

}  // namespace dolc::lsp
