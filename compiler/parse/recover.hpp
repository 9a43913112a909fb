// compiler/parse: member- and statement-level recovery inside one declaration.
//
// parse.cpp parses each top-level declaration on its own. When one fails, the
// error is reported and recover_cut() says which tokens to leave out so that
// the declaration can be parsed again: the member of the gene (trait, system,
// ...) body that holds the error, or, inside a method body, the statement that
// holds it. Parsing again finds the next mistake, so one file with three bad
// members gives three errors, and the declaration keeps its good members.
// Units are found from the token layout alone (bracket depth and line starts),
// the way people write DOL: one member or statement per line, or several
// separated by `;`.
#pragma once

#include <antlr4-runtime.h>

#include <optional>
#include <vector>

namespace dolc {

// Passes over one declaration before recovery gives up on it (and drops it,
// as without recovery): enough for every real file, and a bound on the work
// a hostile one can cause (each pass parses the declaration again).
inline constexpr size_t kMaxRecoveries = 32;

struct RecoveryCut {
  // Tokens [begin, end) to leave out (indices into the token list given).
  size_t begin = 0, end = 0;
  // For a statement cut: the member (method) holding it, [begin, end). The
  // method cannot be compiled without its statement, so the caller drops it
  // too once every error in it has been found; sema then never sees a body
  // with a hole in it (no cascades from, say, a `let` that was cut).
  bool statement = false;
  size_t member_begin = 0, member_end = 0;
  // Tokens [begin, end) follow the declaration's closing `}`: later
  // declarations that the top-level split could not separate while a bracket
  // was open. The caller parses them as declarations of their own.
  bool tail = false;
};

// `tokens` is the declaration as parsed (EOF excluded); `offending` the index
// of the token the first error was found at (tokens.size() for end of input).
// `statement_start` is the first token of the statement the parser was in
// (or SIZE_MAX): the cut starts there even when the layout would start it
// later (an expression continued onto the next line).
// Returns nullopt when no cut can help: the error is in the declaration's
// header, or the input ended inside it.
std::optional<RecoveryCut> recovery_cut(const std::vector<antlr4::Token*>& tokens, size_t offending,
                                        size_t statement_start = static_cast<size_t>(-1));

}  // namespace dolc
