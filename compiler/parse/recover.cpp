// compiler/parse: where to cut a declaration that does not parse, so that
// parsing resumes with its next member or statement (see recover.hpp).
//
// A unit (member or statement) at nesting level L starts at a token that is
// at bracket depth L and first on its line (or follows a `;`), and runs to
// the next such token. Annotations alone on the lines above a field belong to
// it. When an error is found at the very start of a unit, the unit before it
// is the incomplete one (`balance: Int =` then a new line), so both are cut,
// unless the unit starts with an annotation on its own line: that is always a
// new member, so only the one before it goes.
// Brackets left open by the broken unit would push everything after it one
// level deeper; a line that starts at the unit's own column then ends it.
#include "parse/recover.hpp"

#include "DOLParser.h"

namespace dolc {
namespace {

using P = dolc_antlr::DOLParser;
using antlr4::Token;

bool opens(size_t t) { return t == P::LPAREN || t == P::LBRACK || t == P::LBRACE || t == P::HASH_LBRACK; }
bool closes(size_t t) { return t == P::RPAREN || t == P::RBRACK || t == P::RBRACE; }

size_t last_line(Token* t) {
  size_t line = t->getLine();
  for (char c : t->getText())
    if (c == '\n') ++line;
  return line;
}

struct Layout {
  const std::vector<Token*>& tokens;
  std::vector<int> depth;         // bracket depth before each token
  std::vector<bool> starts_line;  // first on its line, or just after `;`

  explicit Layout(const std::vector<Token*>& t) : tokens(t), depth(t.size()), starts_line(t.size()) {
    int d = 0;
    for (size_t i = 0; i < t.size(); ++i) {
      size_t type = t[i]->getType();
      if (closes(type) && d > 0) --d;
      depth[i] = d;
      if (opens(type)) ++d;
      starts_line[i] = i == 0 || t[i]->getLine() > last_line(t[i - 1]) || t[i - 1]->getType() == P::SEMI;
    }
  }
  // A closer counts at the level of its opener; a unit never starts with `}`.
  bool unit_start(size_t i, int level) const {
    return starts_line[i] && depth[i] == level && tokens[i]->getType() != P::RBRACE;
  }

  // Whether tokens [from, to) are annotations and nothing else: `@name`,
  // `@name(...)`, `#[...]`.
  bool annotations_only(size_t from, size_t to) const {
    size_t i = from;
    while (i < to) {
      size_t type = tokens[i]->getType();
      if (type == P::AT_LEAD || type == P::AT) {
        i += 2;  // `@` and the name
        if (i < to && tokens[i]->getType() == P::LPAREN) i = skip_brackets(i, to);
      } else if (type == P::HASH_LBRACK) {
        i = skip_brackets(i, to);
      } else {
        return false;
      }
    }
    return i == to;
  }
  // The index after the bracket that closes the one at `open` (or `limit`).
  size_t skip_brackets(size_t open, size_t limit) const {
    for (size_t i = open + 1; i < limit; ++i)
      if (closes(tokens[i]->getType()) && depth[i] == depth[open]) return i + 1;
    return limit;
  }

  // The unit at `level` holding token `pos`, inside the bracket pair (lo, hi).
  std::pair<size_t, size_t> unit(size_t pos, int level, size_t lo, size_t hi, bool members) const {
    size_t s = pos;
    while (s > lo + 1 && !unit_start(s, level)) --s;
    if (s <= lo) s = lo + 1;
    // Annotation lines (`@crdt(lww)` alone above its field) belong to the member below.
    while (members) {
      size_t p = s;
      while (p > lo + 1 && !unit_start(p - 1, level)) --p;
      if (p <= lo + 1 || p == s) break;
      size_t q = p - 1;  // start of the previous unit
      if (!annotations_only(q, s)) break;
      s = q;
    }
    // Where the unit ends, read from the lines after `pos`:
    //  * a line starting at this level: the next unit;
    //  * a line starting with `}` left of the unit: the enclosing block's
    //    end, not ours (a unit never takes it);
    //  * a line starting with `}` in the unit's column: the unit's own
    //    closer (a method's body), the last token of the unit;
    //  * when the unit left a bracket open (so nothing after it is at this
    //    level any more), a line starting in the unit's column.
    size_t column = tokens[s]->getCharPositionInLine();
    size_t e = pos + 1;
    for (; e < hi; ++e) {
      if (!starts_line[e]) continue;
      size_t col = tokens[e]->getCharPositionInLine();
      if (tokens[e]->getType() == P::RBRACE) {
        if (col < column) break;
        if (col == column) { ++e; break; }
        continue;
      }
      if (depth[e] == level || (depth[e] > level && col == column)) break;
    }
    return {s, e};
  }
};

// The bracket that closes the one opened at `open`, or `limit` if none does.
size_t matching_close(const Layout& l, size_t open, size_t limit) {
  for (size_t i = open + 1; i < limit; ++i)
    if (closes(l.tokens[i]->getType()) && l.depth[i] == l.depth[open]) return i;
  return limit;
}

}  // namespace

std::optional<RecoveryCut> recovery_cut(const std::vector<Token*>& tokens, size_t offending, size_t statement_start) {
  size_t n = tokens.size();
  if (offending >= n) return std::nullopt;  // the input ended inside the declaration
  Layout l(tokens);
  size_t body = 0;
  while (body < n && !(tokens[body]->getType() == P::LBRACE && l.depth[body] == 0)) ++body;
  if (body >= n || offending <= body) return std::nullopt;  // in the header
  size_t body_end = matching_close(l, body, n);
  if (body_end < n && offending > body_end) {
    RecoveryCut tail;
    tail.begin = body_end + 1;
    tail.end = n;
    tail.tail = true;
    return tail;
  }
  size_t pos = offending;
  // The error is the body's own `}`: the member before it is incomplete.
  if (pos >= body_end) pos = body_end - 1;
  // Found at a `}` that starts a line: it closes a block whose last unit did
  // not end; that unit is the one to cut, and the `}` stays.
  size_t keep_from = n;
  if (tokens[pos]->getType() == P::RBRACE && l.starts_line[pos]) {
    keep_from = pos;
    --pos;
  }
  if (pos <= body) return std::nullopt;

  // Brackets open at `pos`, innermost last; a `{` other than the body's is a
  // block whose statements can be cut one by one.
  std::vector<size_t> open;
  for (size_t i = body + 1; i < pos; ++i) {
    size_t type = tokens[i]->getType();
    if (opens(type)) open.push_back(i);
    else if (closes(type) && !open.empty()) open.pop_back();
  }
  size_t block = n;
  for (auto it = open.rbegin(); it != open.rend(); ++it)
    if (tokens[*it]->getType() == P::LBRACE) { block = *it; break; }

  auto around = [&](size_t at, int level, size_t lo, size_t hi, bool members) {
    auto [s, e] = l.unit(at, level, lo, hi, members);
    // Found at the start of a unit: the one before it did not end.
    if (at == s && at > lo + 1) {
      s = l.unit(at - 1, level, lo, hi, members).first;
      // An annotation starting a line always begins the next member (the
      // grammar never reads it as part of the one above, e.g. as the value
      // of `balance: Int =`): only the member before it is cut, and the
      // member it annotates keeps it.
      if (members && l.tokens[at]->getType() == P::AT_LEAD) e = at;
    }
    return std::pair<size_t, size_t>{s, e};
  };

  auto member = around(pos, 1, body, body_end, true);
  RecoveryCut cut;
  if (block != n) {
    int level = l.depth[block] + 1;
    size_t block_end = matching_close(l, block, body_end);
    if (pos > block && pos < block_end) {
      auto [s, e] = around(pos, level, block, block_end, false);
      if (statement_start > block && statement_start < s) s = statement_start;
      cut.begin = s;
      cut.end = std::min(e, keep_from);
      cut.statement = true;
      auto method = l.unit(block, 1, body, body_end, true);
      cut.member_begin = method.first;
      cut.member_end = method.second;
      if (cut.begin < cut.end) return cut;
    }
  }
  cut.begin = member.first;
  cut.end = std::min(member.second, keep_from);
  if (cut.begin >= cut.end) return std::nullopt;
  return cut;
}

}  // namespace dolc
