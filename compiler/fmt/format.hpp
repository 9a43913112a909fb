// compiler/fmt: `dolc fmt`'s layout of a DOL file.
//
// The canonical layout keeps every token, every comment and the line
// structure of the file (DOL separates fields, sentences and statements by
// newlines), and normalises everything else: indentation is four spaces per
// open bracket (`{`, `(`, `[`), a line that starts with a closing bracket
// goes back one level; runs of spaces inside a line become one space, none
// before `,` `;` `:` `)` `]` or after `(` `[`, one after `,` and `:` and
// before `{`; other tokens written together stay together (a qualified name
// `message.chat` means something else than `message . chat`); no trailing whitespace, at most one blank
// line in a row, none at the start, one newline at the end. Docs blocks,
// strings and block comments are kept byte for byte. Each dialect keeps its
// own spelling (keywords, `has`, comment style): the layout is the same
// for all three.
//
// Formatting is idempotent (format(format(x)) == format(x)) and never
// changes what a file means: the result lexes to exactly the same tokens,
// which format_dol checks before returning it.
#pragma once

#include <string>

namespace dolc::fmt {

// The canonical layout of `text` in *out; false (with *error) when the result
// would not lex to the same tokens (a bug in the formatter: nothing is written).
bool format_dol(const std::string& text, std::string* out, std::string* error);

// A unified diff (`--- a`/`+++ b` header, hunks with 3 lines of context) of
// two texts, for `dolc fmt --check`.
std::string unified_diff(const std::string& before, const std::string& after, const std::string& name);

}  // namespace dolc::fmt
