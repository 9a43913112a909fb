// compiler/fmt: the canonical layout (format.hpp) and the diff `--check`
// prints.
//
// The text is a sequence of tokens (from compiler/parse's lexer) and gaps
// between them; a gap holds only whitespace and comments, since the lexer
// skips nothing else. The layout walks tokens and gaps once: a gap's newlines
// decide whether the next token starts a line (at most one blank line is
// kept), its comments are written where they were (on the same line as the
// token before, or on lines of their own), and the indentation of each line
// is the bracket depth at its start.
#include "fmt/format.hpp"

#include <algorithm>
#include <vector>

#include "parse/layout.hpp"

namespace dolc::fmt {

namespace {

constexpr const char* kIndent = "    ";

// One comment in a gap, with the newlines before it.
struct GapComment {
  int newlines_before = 0;
  std::string text;
  bool to_end_of_line = false;  // a line comment: what follows goes on the next line
};
struct Gap {
  std::vector<GapComment> comments;
  int newlines_after = 0;    // after the last comment (or in all, without comments)
  bool has_space = false;    // any whitespace at all (for tokens written together)
};

Gap read_gap(const std::string& text, size_t begin, size_t end) {
  Gap gap;
  int newlines = 0;
  size_t i = begin;
  while (i < end) {
    char c = text[i];
    if (c == '\n') {
      ++newlines;
      gap.has_space = true;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
      gap.has_space = true;
      ++i;
    } else {
      // A comment (the lexer skipped it): `/* */`, or `//`, `--`, `#` to the end of the line.
      GapComment comment;
      comment.newlines_before = newlines;
      newlines = 0;
      size_t stop;
      if (text.compare(i, 2, "/*") == 0) {
        size_t close = text.find("*/", i + 2);
        stop = close == std::string::npos || close + 2 > end ? end : close + 2;
      } else {
        stop = text.find('\n', i);
        if (stop == std::string::npos || stop > end) stop = end;
        comment.to_end_of_line = true;
      }
      comment.text = text.substr(i, stop - i);
      while (!comment.text.empty() && (comment.text.back() == ' ' || comment.text.back() == '\t' ||
                                        comment.text.back() == '\r'))
        comment.text.pop_back();
      gap.comments.push_back(std::move(comment));
      gap.has_space = true;
      i = stop;
    }
  }
  gap.newlines_after = newlines;
  return gap;
}

class Writer {
 public:
  // Starts a new line, after `newlines` line breaks in the source (one blank
  // line kept at most, none at the start of the file).
  void new_line(int newlines, int depth) {
    if (!out_.empty()) {
      trim_trailing_spaces();
      out_ += newlines >= 2 ? "\n\n" : "\n";
    }
    for (int i = 0; i < depth; ++i) out_ += kIndent;
    at_line_start_ = true;
  }
  void space() {
    if (!at_line_start_ && !out_.empty()) out_ += ' ';
  }
  void write(const std::string& s) {
    out_ += s;
    at_line_start_ = false;
  }
  bool empty() const { return out_.empty(); }
  std::string finish() {
    trim_trailing_spaces();
    while (!out_.empty() && out_.back() == '\n') out_.pop_back();
    if (!out_.empty()) out_ += '\n';
    return std::move(out_);
  }

 private:
  void trim_trailing_spaces() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
  }
  std::string out_;
  bool at_line_start_ = true;
};

using Kind = LayoutToken::Kind;

}  // namespace

bool format_dol(const std::string& text, std::string* out, std::string* error) {
  std::vector<LayoutToken> tokens = lex_layout(text);
  Writer w;
  int depth = 0;
  bool must_break = false;  // a line comment ended the line
  size_t gap_begin = 0;
  const LayoutToken* prev = nullptr;
  for (size_t k = 0; k <= tokens.size(); ++k) {
    const LayoutToken* tok = k < tokens.size() ? &tokens[k] : nullptr;
    Gap gap = read_gap(text, gap_begin, tok ? tok->begin : text.size());
    int close_now = tok && tok->kind == Kind::Close ? 1 : 0;
    for (const GapComment& c : gap.comments) {
      if (c.newlines_before > 0 || must_break || w.empty()) {
        // On a line of its own: indented as the token that follows it.
        w.new_line(c.newlines_before, std::max(0, depth - close_now));
      } else {
        w.space();
      }
      w.write(c.text);
      must_break = c.to_end_of_line;
    }
    if (!tok) break;
    std::string token_text = text.substr(tok->begin, tok->end - tok->begin);
    if (gap.newlines_after > 0 || must_break || w.empty()) {
      w.new_line(gap.newlines_after, std::max(0, depth - close_now));
    } else if (prev) {
      // Within a line: tokens written together stay together; otherwise one
      // space, except next to brackets and separators, and always after a comma.
      bool brace = token_text == "{";
      bool after_open_bracket = prev->kind == Kind::Open && text.compare(prev->begin, 1, "{") != 0;
      bool tight = tok->kind == Kind::Comma || tok->kind == Kind::Semi || tok->kind == Kind::Colon ||
                   (tok->kind == Kind::Close && token_text != "}") || after_open_bracket;
      if ((prev->kind == Kind::Comma || prev->kind == Kind::Colon) && tok->kind != Kind::Close) w.space();
      else if (brace && !after_open_bracket) w.space();  // `gen x {`, `fun f() {`
      else if (gap.has_space && !tight) w.space();
    }
    w.write(token_text);
    must_break = false;
    if (tok->kind == Kind::Open) ++depth;
    if (tok->kind == Kind::Close && depth > 0) --depth;
    prev = tok;
    gap_begin = tok->end;
  }
  std::string result = w.finish();
  if (!same_tokens(text, result)) {
    *error = "internal error: the formatted text would not lex to the same tokens (please report it); "
             "the file is left as it was";
    return false;
  }
  *out = std::move(result);
  return true;
}

// ----- unified diff -------------------------------------------------------------

namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < s.size()) {
    size_t nl = s.find('\n', at);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

}  // namespace

std::string unified_diff(const std::string& before, const std::string& after, const std::string& name) {
  std::vector<std::string> a = lines_of(before), b = lines_of(after);
  // The common prefix and suffix are cut first; the middle is diffed by LCS
  // (a formatter's changes are local, so the middle is small), or, past a
  // size where LCS would cost too much, shown as one replaced block.
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  // ops: ' ' keep, '-' remove, '+' add, over the middle.
  std::vector<std::pair<char, std::string>> ops;
  if (n * m <= 4000000) {
    std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        lcs[i][j] = a[pre + i] == b[pre + j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        ops.emplace_back(' ', a[pre + i]);
        ++i, ++j;
      } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
        ops.emplace_back('+', b[pre + j++]);
      } else {
        ops.emplace_back('-', a[pre + i++]);
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) ops.emplace_back('-', a[pre + i]);
    for (size_t j = 0; j < m; ++j) ops.emplace_back('+', b[pre + j]);
  }
  // Whole-file ops with the unchanged prefix and suffix, then hunks with 3 lines of context.
  std::vector<std::pair<char, std::string>> all;
  for (size_t i = 0; i < pre; ++i) all.emplace_back(' ', a[i]);
  all.insert(all.end(), ops.begin(), ops.end());
  for (size_t i = a.size() - suf; i < a.size(); ++i) all.emplace_back(' ', a[i]);
  std::string out = "--- " + name + "\n+++ " + name + " (formatted)\n";
  const size_t kContext = 3;
  size_t k = 0, line_a = 1, line_b = 1;
  while (k < all.size()) {
    if (all[k].first == ' ') {
      ++k, ++line_a, ++line_b;
      continue;
    }
    // A hunk: back up kContext lines, run until kContext*2 unchanged lines follow.
    size_t start = k >= kContext ? k - kContext : 0;
    size_t hunk_a = line_a - (k - start), hunk_b = line_b - (k - start);
    size_t end = k, unchanged = 0;
    while (end < all.size() && unchanged <= 2 * kContext) {
      unchanged = all[end].first == ' ' ? unchanged + 1 : 0;
      ++end;
    }
    if (unchanged > kContext) end -= unchanged - kContext;
    size_t count_a = 0, count_b = 0;
    std::string body;
    for (size_t x = start; x < end; ++x) {
      body += all[x].first + all[x].second + "\n";
      if (all[x].first != '+') ++count_a;
      if (all[x].first != '-') ++count_b;
    }
    out += "@@ -" + std::to_string(hunk_a) + "," + std::to_string(count_a) + " +" + std::to_string(hunk_b) + "," +
           std::to_string(count_b) + " @@\n" + body;
    for (size_t x = k; x < end; ++x) {
      if (all[x].first != '+') ++line_a;
      if (all[x].first != '-') ++line_b;
    }
    k = end;
  }
  return out;
}

}  // namespace dolc::fmt
