// compiler/diag: text, json, sarif and github renderers (see render.hpp).
#include "diag/render.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace dolc {
namespace {

struct Location {
  std::string file;
  LineCol start, end;
};

Location locate(const SourceManager& sources, const Span& span) {
  Location loc;
  if (!span.valid() || span.file >= sources.size()) return loc;
  const SourceFile& f = sources.file(span.file);
  loc.file = f.path();
  loc.start = f.position(span.begin);
  loc.end = f.position(std::max(span.end, span.begin));
  return loc;
}

const char* kReset = "\033[0m";
const char* kBold = "\033[1m";

const char* severity_color(Severity s) {
  switch (s) {
    case Severity::Error: return "\033[1;31m";
    case Severity::Warning: return "\033[1;35m";
    case Severity::Note: return "\033[1;36m";
  }
  return "";
}

std::string plural(size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

}  // namespace

std::vector<Diagnostic> effective_diagnostics(const std::vector<Diagnostic>& diags, bool warnings_as_errors) {
  std::vector<Diagnostic> out = diags;
  if (warnings_as_errors)
    for (auto& d : out)
      if (d.severity == Severity::Warning) d.severity = Severity::Error;
  return out;
}

void render_text(std::ostream& out, const SourceManager& sources, const std::vector<Diagnostic>& diags,
                 const RenderOptions& options) {
  auto paint = [&](const char* code) { return options.color ? code : ""; };
  for (const Diagnostic& d : diags) {
    Location loc = locate(sources, d.span);
    out << paint(kBold);
    if (!loc.file.empty()) out << loc.file << ":" << loc.start.line << ":" << loc.start.column << ": ";
    out << paint(kReset) << paint(severity_color(d.severity)) << severity_name(d.severity) << ":" << paint(kReset)
        << paint(kBold) << " " << d.message << paint(kReset) << " [" << rule_info(d.rule).id << "]\n";
    if (!loc.file.empty()) {
      const SourceFile& f = sources.file(d.span.file);
      std::string line = f.line_text(loc.start.line);
      std::string number = std::to_string(loc.start.line);
      std::string gutter(std::max<size_t>(number.size(), 4), ' ');
      std::string padded = std::string(gutter.size() - number.size(), ' ') + number;
      out << " " << padded << " | " << line << "\n";
      // Caret under the span; a span running past this line is underlined to its end.
      size_t col = loc.start.column - 1;
      // An empty span (an insertion point) gets a single caret.
      size_t width = 1;
      if (loc.end.line != loc.start.line) width = line.size() > col ? line.size() - col : 1;
      else if (loc.end.column > loc.start.column) width = loc.end.column - loc.start.column;
      if (width == 0) width = 1;
      std::string marker(col, ' ');
      for (size_t i = 0; i < col && i < line.size(); ++i)
        if (line[i] == '\t') marker[i] = '\t';
      out << " " << gutter << " | " << marker << paint("\033[1;32m") << "^" << std::string(width - 1, '~')
          << paint(kReset) << "\n";
      // One line of context after the span, as in the spec's example (the
      // field an annotation belongs to, the statement after the error). A
      // line without any word (blank, a lone `}`) adds nothing, so it is left out.
      if (loc.start.line < f.line_count()) {
        std::string next = f.line_text(loc.start.line + 1);
        bool has_word = std::any_of(next.begin(), next.end(), [](unsigned char c) { return std::isalnum(c) || c >= 0x80; });
        if (has_word) {
          std::string next_number = std::to_string(loc.start.line + 1);
          out << " " << std::string(gutter.size() - std::min(gutter.size(), next_number.size()), ' ') << next_number
              << " | " << next << "\n";
        }
      }
    }
    for (const std::string& note : d.notes) out << paint(severity_color(Severity::Note)) << "note:" << paint(kReset) << " " << note << "\n";
  }
}

std::string summary_line(const std::vector<Diagnostic>& diags) {
  size_t errors = 0, warnings = 0;
  for (const auto& d : diags) {
    if (d.severity == Severity::Error) ++errors;
    if (d.severity == Severity::Warning) ++warnings;
  }
  if (errors == 0 && warnings == 0) return "";
  std::string s;
  if (errors) s += plural(errors, "error");
  if (errors && warnings) s += " and ";
  if (warnings) s += plural(warnings, "warning");
  return s + " generated.";
}

void render_json(std::ostream& out, const SourceManager& sources, const std::vector<Diagnostic>& diags) {
  nlohmann::json array = nlohmann::json::array();
  for (const Diagnostic& d : diags) {
    Location loc = locate(sources, d.span);
    array.push_back({{"file", loc.file},
                     {"line", loc.start.line},
                     {"column", loc.start.column},
                     {"end_line", loc.end.line},
                     {"end_column", loc.end.column},
                     {"severity", severity_name(d.severity)},
                     {"rule", rule_info(d.rule).id},
                     {"message", d.message},
                     {"notes", d.notes}});
  }
  out << array.dump(2) << "\n";
}

void render_sarif(std::ostream& out, const SourceManager& sources, const std::vector<Diagnostic>& diags,
                  const RenderOptions& options) {
  auto level = [](Severity s) { return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note"; };
  nlohmann::json rules = nlohmann::json::array();
  for (const RuleInfo& r : all_rules())
    rules.push_back({{"id", r.id},
                     {"shortDescription", {{"text", r.summary}}},
                     {"defaultConfiguration", {{"level", level(r.severity)}}}});
  nlohmann::json results = nlohmann::json::array();
  for (const Diagnostic& d : diags) {
    Location loc = locate(sources, d.span);
    std::string text = d.message;
    for (const auto& n : d.notes) text += "\nnote: " + n;
    nlohmann::json result = {{"ruleId", rule_info(d.rule).id},
                             {"ruleIndex", static_cast<size_t>(d.rule)},
                             {"level", level(d.severity)},
                             {"message", {{"text", text}}}};
    if (!loc.file.empty())
      result["locations"] = nlohmann::json::array(
          {{{"physicalLocation",
             {{"artifactLocation", {{"uri", loc.file}}},
              {"region",
               {{"startLine", loc.start.line},
                {"startColumn", loc.start.column},
                {"endLine", loc.end.line},
                {"endColumn", loc.end.column}}}}}}});
    results.push_back(std::move(result));
  }
  nlohmann::json sarif = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       nlohmann::json::array({{{"tool",
                                {{"driver",
                                  {{"name", "dolc"},
                                   {"version", options.tool_version},
                                   {"informationUri", "https://github.com/dolc/dolc"},
                                   {"rules", rules}}}}},
                               {"results", results}}})}};
  out << sarif.dump(2) << "\n";
}

namespace {
// GitHub workflow commands: data escapes %, CR, LF; properties also : and ,.
std::string escape_data(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}
std::string escape_property(const std::string& s) {
  std::string out;
  for (char c : escape_data(s)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}
}  // namespace

void render_github(std::ostream& out, const SourceManager& sources, const std::vector<Diagnostic>& diags) {
  for (const Diagnostic& d : diags) {
    Location loc = locate(sources, d.span);
    const char* command = d.severity == Severity::Error ? "error" : d.severity == Severity::Warning ? "warning" : "notice";
    out << "::" << command << " ";
    if (!loc.file.empty())
      out << "file=" << escape_property(loc.file) << ",line=" << loc.start.line << ",col=" << loc.start.column
          << ",endLine=" << loc.end.line << ",endColumn=" << loc.end.column << ",";
    out << "title=" << escape_property(rule_info(d.rule).id) << "::";
    std::string text = d.message;
    for (const auto& n : d.notes) text += "\nnote: " + n;
    out << escape_data(text) << "\n";
  }
}

}  // namespace dolc
