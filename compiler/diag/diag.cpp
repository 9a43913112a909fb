// compiler/diag: the rule table, the sink, and spelling suggestions.
#include "diag/diag.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace dolc {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Note: return "note";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "error";
}

const std::vector<RuleInfo>& all_rules() {
  static const std::vector<RuleInfo> rules = {
#define DOLC_RULE(name, id, severity, summary) {Rule::name, id, Severity::severity, summary},
#include "diag/kinds.def"
#undef DOLC_RULE
  };
  return rules;
}

const RuleInfo& rule_info(Rule rule) { return all_rules().at(static_cast<size_t>(rule)); }

Diagnostic& DiagnosticSink::report(Rule rule, Span span, std::string message, std::vector<std::string> notes) {
  diags_.push_back(Diagnostic{rule, rule_info(rule).severity, span, std::move(message), std::move(notes)});
  return diags_.back();
}

bool DiagnosticSink::has_errors() const { return count(Severity::Error) > 0; }

size_t DiagnosticSink::count(Severity s) const {
  return static_cast<size_t>(std::count_if(diags_.begin(), diags_.end(), [&](const Diagnostic& d) { return d.severity == s; }));
}

void DiagnosticSink::sort_stable() {
  std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.span.file != b.span.file) return a.span.file < b.span.file;
    if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
    return static_cast<int>(a.rule) < static_cast<int>(b.rule);
  });
}

// Edit distance where swapping two adjacent letters is one typo, like a
// missing, extra or wrong letter (`chekc` is one typo from `check`).
static size_t edit_distance(const std::string& a, const std::string& b) {
  auto same = [](char x, char y) { return std::tolower(x) == std::tolower(y); };
  std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
        cur[j] = std::min(cur[j], before[j - 2] + 1);
    }
    std::swap(before, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance || (d == best_distance && c < best)) {
      best_distance = d;
      best = c;
    }
  }
  // Allow roughly one typo per three characters; beyond that a suggestion misleads.
  size_t limit = std::max<size_t>(1, word.size() / 3);
  return best_distance <= limit ? best : std::string();
}

std::string did_you_mean_text(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best = closest_match(word, candidates);
  return best.empty() ? std::string() : "did you mean `" + best + "`?";
}

std::vector<std::string> did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string note = did_you_mean_text(word, candidates);
  if (note.empty()) return {};
  return {note};
}

}  // namespace dolc
