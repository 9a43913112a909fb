// compiler/parse: splitting a token stream into top-level declarations.
//
// dolc parses each top-level declaration on its own so that a syntax error
// is reported once and parsing resumes at the next declaration. The split is
// a bracket-counting scan: a declaration keyword at bracket depth 0 starts a
// new chunk, and so does a major declaration keyword (`gen`, `trait`,
// `system`, ...) written in column 1 even inside unbalanced brackets, which
// is how a missing `}` stays confined to its own declaration.
#pragma once

#include <antlr4-runtime.h>

#include <memory>
#include <vector>

namespace dolc {

// Bracket levels allowed in one declaration. Real schemas nest a handful;
// the cap is low because ANTLR's prediction cost grows steeply with depth
// around prefix operators: `((..(!((..(1)..))..))` with 100 levels on each
// side took 3 s to parse (the front-end fuzzer's timeout), 32 take 0.1 s.
inline constexpr size_t kMaxNesting = 64;
// Operators that nest the expression after them without brackets (unary `-`
// and `!`, closures `|x|`, `return`, `forall`/`exists`, right-associative
// `implies`), counted over the open bracket levels. ANTLR's prediction may
// look ahead through a whole such chain before the parser enters any of it,
// recursing once per level, so a long chain must be refused before parsing.
inline constexpr size_t kMaxPrefixChain = 400;
// Parser rule nesting allowed in one declaration. Each bracket level costs
// two to four rules (block -> statement -> expr -> primary), so kMaxNesting
// brackets fit easily; it also bounds the depth of every AST dolc builds, so later
// phases may walk trees recursively.
inline constexpr size_t kMaxRuleDepth = 1000;

struct DeclarationChunk {
  std::vector<std::unique_ptr<antlr4::Token>> tokens;
  bool starts_declaration = true;  // false for stray tokens between declarations
  bool too_deep = false;           // brackets nest deeper than kMaxNesting, or prefix chain too long
  bool too_deep_operators = false; // too_deep because of kMaxPrefixChain
  size_t deepest_token = 0;        // index in tokens where too_deep was detected
};

std::vector<DeclarationChunk> split_declarations(std::vector<std::unique_ptr<antlr4::Token>>& tokens);

}  // namespace dolc
