// compiler/parse: the token layout of a DOL file, for tools that rewrite its
// whitespace (dolc fmt) without knowing ANTLR.
//
// Every token as a byte range of the text, with the little a layout needs
// to know about it: whether it opens or closes a bracket, or is a comma or
// semicolon. Comments and whitespace are not tokens (the lexer skips them):
// they are the text between tokens. `text_equal` lets a tool check that its
// output lexes to the very same tokens as its input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dolc {

struct LayoutToken {
  enum class Kind : uint8_t { Other, Open, Close, Comma, Semi, Dot, Colon };
  uint32_t begin = 0, end = 0;  // byte offsets in the text
  Kind kind = Kind::Other;
  size_t type = 0;              // the lexer's token type (for comparisons only)
};

// The tokens of `text` (valid UTF-8 expected: invalid bytes are lexed as `?`).
std::vector<LayoutToken> lex_layout(const std::string& text);

// Whether two texts lex to the same token types and texts, in order.
bool same_tokens(const std::string& a, const std::string& b);

}  // namespace dolc
