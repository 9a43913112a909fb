// compiler/parse: see split.hpp.
#include "parse/split.hpp"

#include "DOLLexer.h"

namespace dolc {
namespace {

using L = dolc_antlr::DOLLexer;

// Tokens that can begin a top-level declaration.
bool starts_declaration(size_t type) {
  switch (type) {
    case L::MODULE: case L::USE: case L::PUB: case L::GEN: case L::GENE: case L::TYPE: case L::TRAIT:
    case L::CONSTRAINT: case L::RULE: case L::SYSTEM: case L::EVO: case L::EVOLVES: case L::EVOLUTION:
    case L::IMPL: case L::CONST: case L::FUN: case L::FN: case L::SEX: case L::MOD: case L::SPIRIT:
    case L::CONFIG: case L::TEST: case L::DOCS_BLOCK: case L::DOCS: case L::EXEGESIS: case L::AT:
    case L::HASH_LBRACK: case L::VAR: case L::DOC_STRING:
      return true;
    default:
      return false;
  }
}

// Keywords that only begin declarations (never a member of one), used to
// resynchronise when brackets do not balance.
bool major_keyword(size_t type) {
  switch (type) {
    case L::MODULE: case L::USE: case L::GEN: case L::GENE: case L::TRAIT: case L::SYSTEM: case L::EVO:
    case L::EVOLVES: case L::EVOLUTION: case L::IMPL: case L::SPIRIT:
      return true;
    default:
      return false;
  }
}

// Tokens that may stand before a declaration keyword (`pub`, annotations)
// without forming a declaration themselves.
bool prefix_token(size_t type) {
  return type == L::PUB || type == L::AT || type == L::HASH_LBRACK || type == L::SEX || type == L::EXTERN;
}

// Tokens after which a name or a type comes: a declaration keyword right
// after one of them is that name (`module test.hello`, `gen config.app`, `use
// a.evo.X`) or a type (`type F = fun(f64) -> f64`), never the start of
// another declaration.
bool name_follows(size_t type) {
  switch (type) {
    case L::MODULE: case L::USE: case L::GEN: case L::GENE: case L::TYPE: case L::TRAIT: case L::CONSTRAINT:
    case L::RULE: case L::LAW: case L::SYSTEM: case L::EVO: case L::EVOLVES: case L::EVOLUTION: case L::IMPL:
    case L::CONST: case L::FUN: case L::FN: case L::MOD: case L::SPIRIT: case L::TEST: case L::VAR: case L::DOT:
    case L::COLONCOLON: case L::EXTENDS: case L::IS: case L::FOR: case L::FROM: case L::ON: case L::USES:
    case L::SEX: case L::EXTERN:  // `sex fun`, `extern fun`, also after `=` (`type F = sex fun(..) -> ()`)
    // ... and after tokens that must be continued (`type F = fun(f64) -> f64`).
    case L::ASSIGN: case L::COLON: case L::ARROW: case L::COMMA: case L::LT: case L::PIPE:
      return true;
    default:
      return false;
  }
}

// Tokens after which a `-` is binary (they end an operand).
bool ends_operand(size_t type) {
  switch (type) {
    case L::ID: case L::INT: case L::FLOAT: case L::STRING: case L::VERSION: case L::RPAREN: case L::RBRACK:
    case L::RBRACE: case L::TRUE: case L::FALSE: case L::QUESTION:
      return true;
    default:
      return false;
  }
}

// Tokens that may stand between the `<` and `>` of a type's arguments
// (`Map<string, List<&Foo>>`, `List<fun(u8) -> u8>`, `Option<a.B>`) without
// ending the run of open angle brackets (see split_declarations).
bool inside_type_arguments(size_t type) {
  switch (type) {
    case L::ID: case L::LT: case L::GT: case L::COMMA: case L::DOT: case L::COLONCOLON: case L::AMP: case L::MUT:
    case L::ARROW: case L::FUN: case L::FN: case L::SEX: case L::QUESTION: case L::LPAREN: case L::RPAREN:
    case L::LBRACK: case L::RBRACK: case L::SEMI: case L::INT:
      return true;
    default:
      return false;
  }
}

// Tokens that nest what follows them without a bracket (see kMaxPrefixChain).
bool nests_without_brackets(size_t type, size_t previous_type) {
  switch (type) {
    case L::BANG: case L::PIPE: case L::OROR: case L::RETURN: case L::RETURN_BARE: case L::FORALL: case L::EXISTS: case L::IMPLIES:
      return true;
    case L::MINUS:
      return !ends_operand(previous_type);
    default:
      return false;
  }
}

}  // namespace

std::vector<DeclarationChunk> split_declarations(std::vector<std::unique_ptr<antlr4::Token>>& tokens) {
  std::vector<DeclarationChunk> chunks;
  size_t depth = 0;
  bool in_prefix = false;      // only `pub` / annotations seen so far in this chunk
  bool after_at = false;       // the previous token was `@` (its name follows)
  bool closed = false;         // the previous token closed the declaration's outermost braces
  // Prefix operators seen directly inside each open bracket level (index 0:
  // outside any bracket) and their sum over all open levels.
  std::vector<size_t> prefix_per_level{0};
  size_t prefix_total = 0;
  // Open type-argument brackets (`List<List<...`): a `<` right after a name
  // opens one, a `>` closes one. They count towards kMaxNesting like other
  // brackets, so a type cannot nest deeper than an expression (10,000 nested
  // `List<` took 14 s to check). A comparison `a < b` also opens one, which
  // the first token that cannot appear inside type arguments (an operator,
  // `{`, `}`, a string...) forgets again, so expressions are not affected.
  size_t angle_depth = 0;
  size_t previous_type = antlr4::Token::INVALID_TYPE;
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::unique_ptr<antlr4::Token>& tok = tokens[i];
    size_t type = tok->getType();
    if (type == antlr4::Token::EOF) break;
    bool column_one = tok->getCharPositionInLine() == 0;
    size_t next_type = i + 1 < tokens.size() ? tokens[i + 1]->getType() : antlr4::Token::EOF;
    // `@ 1.0.0` is a version (`@ ^0.9` a version requirement), not an annotation starting a declaration.
    bool version_next = next_type == L::VERSION || next_type == L::CARET || next_type == L::TILDE ||
                        next_type == L::FLOAT || next_type == L::INT;  // `@ 1.0.0`, `@ ^0.9`
    bool annotation_start = (type == L::AT && !version_next) || type == L::HASH_LBRACK;
    bool begins = false;
    if (name_follows(previous_type)) {
      // a keyword used as a name continues the declaration
    } else if (chunks.empty()) {
      begins = true;
    } else if (depth == 0 && !in_prefix && !after_at && starts_declaration(type) &&
               (type != L::AT || annotation_start)) {
      begins = true;
    } else if (depth > 0 && column_one && major_keyword(type)) {
      begins = true;  // resynchronise after a missing `}`
    } else if (depth == 0 && !chunks.back().starts_declaration && starts_declaration(type)) {
      begins = true;  // end of stray tokens
    } else if (closed && chunks.back().starts_declaration) {
      begins = true;  // tokens after a complete declaration that start nothing
    }
    if (begins) {
      chunks.emplace_back();
      depth = 0;
      prefix_per_level.assign(1, 0);
      prefix_total = 0;
      angle_depth = 0;
      chunks.back().starts_declaration = starts_declaration(type) && (type != L::AT || annotation_start);
      in_prefix = prefix_token(type);
    } else if (in_prefix && depth == 0 && !after_at && type != L::LPAREN && type != L::RPAREN &&
               !prefix_token(type) && !(type == L::STRING && previous_type == L::EXTERN)) {  // `extern "C" fun`
      // `pub gen ...`: the first token after the prefix makes this a declaration.
      in_prefix = false;
    }
    after_at = type == L::AT;
    DeclarationChunk& chunk = chunks.back();
    if (type == L::LT && (previous_type == L::ID || previous_type == L::COLONCOLON)) {
      if (depth + ++angle_depth > kMaxNesting && !chunk.too_deep) {
        chunk.too_deep = true;
        chunk.deepest_token = chunk.tokens.size();
      }
    } else if (type == L::GT) {
      if (angle_depth > 0) --angle_depth;
    } else if (!inside_type_arguments(type)) {
      angle_depth = 0;
    }
    if (type == L::LBRACE || type == L::LPAREN || type == L::LBRACK || type == L::HASH_LBRACK) {
      ++depth;
      prefix_per_level.push_back(0);
      if (depth > kMaxNesting && !chunk.too_deep) {
        chunk.too_deep = true;
        chunk.deepest_token = chunk.tokens.size();
      }
    } else if ((type == L::RBRACE || type == L::RPAREN || type == L::RBRACK) && depth > 0) {
      --depth;
      prefix_total -= prefix_per_level.back();
      prefix_per_level.pop_back();
    } else if (nests_without_brackets(type, previous_type)) {
      ++prefix_per_level.back();
      if (++prefix_total > kMaxPrefixChain && !chunk.too_deep) {
        chunk.too_deep = true;
        chunk.too_deep_operators = true;
        chunk.deepest_token = chunk.tokens.size();
      }
    }
    previous_type = type;
    closed = type == L::RBRACE && depth == 0;
    chunk.tokens.push_back(std::move(tok));
  }
  return chunks;
}

}  // namespace dolc
