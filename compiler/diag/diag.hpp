// compiler/diag: diagnostics as data.
//
// Phases never print. They report Diagnostic values to a DiagnosticSink; the
// driver renders them (text, json, sarif, github) and picks the exit code.
// The set of rules is the X-macro table in kinds.def, so rule ids, default
// severities and summaries exist in exactly one place.
#pragma once

#include <string>
#include <vector>

#include "source/source.hpp"

namespace dolc {

enum class Severity { Note, Warning, Error };
const char* severity_name(Severity s);  // "note", "warning", "error"

enum class Rule {
#define DOLC_RULE(name, id, severity, summary) name,
#include "diag/kinds.def"
#undef DOLC_RULE
};

struct RuleInfo {
  Rule rule;
  const char* id;
  Severity severity;
  const char* summary;
};

const std::vector<RuleInfo>& all_rules();
const RuleInfo& rule_info(Rule rule);

struct Diagnostic {
  Rule rule;
  Severity severity;   // the rule's severity, possibly raised by -Werror at render time
  Span span;           // exact span the caret underlines
  std::string message; // lower-case start, code in backticks, no final period
  std::vector<std::string> notes;  // "note: ..." lines: the fix, the candidates
};

class DiagnosticSink {
 public:
  // Severity defaults to the rule's own.
  Diagnostic& report(Rule rule, Span span, std::string message, std::vector<std::string> notes = {});
  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  bool has_errors() const;
  size_t count(Severity s) const;
  // Sorts by (file, offset, rule) for stable output whatever order phases ran in.
  void sort_stable();

 private:
  std::vector<Diagnostic> diags_;
};

// "did you mean" support: the candidate closest to `word` by edit distance,
// or "" when nothing is close enough to be a plausible typo.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

// Every "did you mean" dolc prints goes through these two, for diagnostics
// and the command line alike: "did you mean `check`?" when a candidate is a
// plausible typo of `word`, else "" (the note list form: one note or none).
std::string did_you_mean_text(const std::string& word, const std::vector<std::string>& candidates);
std::vector<std::string> did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace dolc
