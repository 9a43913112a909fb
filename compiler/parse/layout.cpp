// compiler/parse: lex_layout() and same_tokens() over the ANTLR lexer (see
// layout.hpp).
#include "parse/layout.hpp"

#include <antlr4-runtime.h>

#include "DOLLexer.h"
#include "parse/text_offsets.hpp"

namespace dolc {

namespace {

using L = dolc_antlr::DOLLexer;

// The text with invalid UTF-8 bytes as `?` (sanitize_utf8): ANTLR's input
// stream throws on invalid UTF-8.
std::string sanitized(std::string text) {
  sanitize_utf8(text);
  return text;
}

// A lexed text: the tokens point into the input stream (getText()), so the
// stream and the lexer live as long as they do.
struct Lexed {
  explicit Lexed(const std::string& text) : input(text), lexer(&input), byte_of(code_point_offsets(text)) {
    lexer.removeErrorListeners();
    tokens = lexer.getAllTokens();
  }
  antlr4::ANTLRInputStream input;
  L lexer;
  std::vector<uint32_t> byte_of;  // code point index -> byte offset
  std::vector<std::unique_ptr<antlr4::Token>> tokens;
};

}  // namespace

std::vector<LayoutToken> lex_layout(const std::string& raw) {
  Lexed lexed(sanitized(raw));
  const std::vector<uint32_t>& byte_of = lexed.byte_of;
  std::vector<LayoutToken> out;
  for (const auto& t : lexed.tokens) {
    LayoutToken lt;
    lt.begin = byte_of[std::min<size_t>(t->getStartIndex(), byte_of.size() - 1)];
    lt.end = byte_of[std::min<size_t>(t->getStopIndex() + 1, byte_of.size() - 1)];
    lt.type = t->getType();
    switch (lt.type) {
      case L::LPAREN: case L::LBRACE: case L::LBRACK: case L::HASH_LBRACK: lt.kind = LayoutToken::Kind::Open; break;
      case L::RPAREN: case L::RBRACE: case L::RBRACK: lt.kind = LayoutToken::Kind::Close; break;
      case L::COMMA: lt.kind = LayoutToken::Kind::Comma; break;
      case L::SEMI: lt.kind = LayoutToken::Kind::Semi; break;
      case L::DOT: lt.kind = LayoutToken::Kind::Dot; break;
      case L::COLON: lt.kind = LayoutToken::Kind::Colon; break;
      default: break;
    }
    out.push_back(lt);
  }
  return out;
}

bool same_tokens(const std::string& a, const std::string& b) {
  Lexed x(sanitized(a)), y(sanitized(b));
  if (x.tokens.size() != y.tokens.size()) return false;
  for (size_t i = 0; i < x.tokens.size(); ++i)
    if (x.tokens[i]->getType() != y.tokens[i]->getType() || x.tokens[i]->getText() != y.tokens[i]->getText())
      return false;
  return true;
}

}  // namespace dolc
