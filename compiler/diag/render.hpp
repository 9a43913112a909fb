// compiler/diag: renderers, the only code that turns diagnostics into text.
//
// Four formats (crdt.md, "Diagnostics, as users see them"):
//  * text: gcc-shaped `file:line:col: severity: message [rule]`, a source
//    excerpt with a caret under the exact span (a span running over several
//    lines is underlined to the end of its first line), the next source line
//    as context unless it holds no word (blank, a lone `}`), then `note:`
//    lines; the driver ends the run with a summary such as
//    `2 errors and 1 warning generated.` (summary_line);
//  * json: one array of objects (file, line, column, end_line, end_column,
//    severity, rule, message, notes);
//  * sarif: SARIF 2.1.0, one run, every rule of kinds.def in tool.driver.rules;
//  * github: workflow commands (`::error file=...,line=...::message`).
// The driver picks the stream: machine formats own stdout entirely.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "diag/diag.hpp"
#include "source/source.hpp"

namespace dolc {

enum class DiagFormat { Text, Json, Sarif, Github };

struct RenderOptions {
  bool color = false;        // ANSI colours (text only)
  bool warnings_as_errors = false;  // -Werror: warnings render and count as errors
  std::string tool_version;  // SARIF tool.driver.version
};

// Applies -Werror to a copy of the diagnostics (severity Warning -> Error).
std::vector<Diagnostic> effective_diagnostics(const std::vector<Diagnostic>& diags, bool warnings_as_errors);

void render_text(std::ostream& out, const SourceManager& sources, const std::vector<Diagnostic>& diags,
                 const RenderOptions& options);
void render_json(std::ostream& out, const SourceManager& sources, const std::vector<Diagnostic>& diags);
void render_sarif(std::ostream& out, const SourceManager& sources, const std::vector<Diagnostic>& diags,
                  const RenderOptions& options);
void render_github(std::ostream& out, const SourceManager& sources, const std::vector<Diagnostic>& diags);

// "2 errors and 1 warning generated." ("" when there is nothing to say).
std::string summary_line(const std::vector<Diagnostic>& diags);

}  // namespace dolc
