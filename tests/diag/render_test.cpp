// tests/diag/render_test.cpp: the renderers and the driver's output helpers on
// hand-made diagnostics, independent of what the parser and checker report.
//
// The golden tests pin the text format through the whole compiler; these pin
// the corner cases that no golden input reaches on purpose: spans over several
// lines, tabs before the caret, context lines without words, colours, GitHub
// escaping of `%`, newlines, `:` and `,`, SARIF rule indexes, the summary
// wording, and the atomic / change-only writes and depfile escaping.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "diag/render.hpp"
#include "driver/output.hpp"

namespace dolc {
namespace {

Diagnostic make(Rule rule, Span span, std::string message, std::vector<std::string> notes = {}) {
  return Diagnostic{rule, rule_info(rule).severity, span, std::move(message), std::move(notes)};
}

// Span of the first occurrence of `needle` in file `id`.
Span span_of(const SourceManager& sm, FileId id, const std::string& needle, size_t length = std::string::npos) {
  const std::string& text = sm.file(id).text();
  size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return Span{id, static_cast<uint32_t>(at), static_cast<uint32_t>(at + std::min(length, needle.size()))};
}

std::string text_of(const SourceManager& sm, const std::vector<Diagnostic>& diags, bool color = false) {
  std::ostringstream out;
  RenderOptions options;
  options.color = color;
  render_text(out, sm, diags, options);
  return out.str();
}

const char* kChat =
    "gen chat.room {\n"
    "  @crdt(or_set)\n"
    "  has name: string\n"
    "}\n";

TEST(RenderText, SpecShapeWithContextLineAndNotes) {
  SourceManager sm;
  FileId id = sm.add("chat.dol", kChat);
  auto d = make(Rule::CrdtTypeMismatch, span_of(sm, id, "@crdt(or_set)"),
                "`or_set` cannot merge a field of type `string`",
                {"strategies that fit `string`: immutable, lww, peritext, mv_register"});
  EXPECT_EQ(text_of(sm, {d}),
            "chat.dol:2:3: error: `or_set` cannot merge a field of type `string` [crdt-type-mismatch]\n"
            "    2 |   @crdt(or_set)\n"
            "      |   ^~~~~~~~~~~~~\n"
            "    3 |   has name: string\n"
            "note: strategies that fit `string`: immutable, lww, peritext, mv_register\n");
}

TEST(RenderText, NoContextLineWithoutWordsOrAtEndOfFile) {
  SourceManager sm;
  FileId id = sm.add("chat.dol", kChat);
  // Line 4 is a lone `}`: left out.
  std::string out = text_of(sm, {make(Rule::SyntaxError, span_of(sm, id, "string"), "x")});
  EXPECT_EQ(out, "chat.dol:3:13: error: x [syntax-error]\n    3 |   has name: string\n      |             ^~~~~~\n");
  FileId last = sm.add("last.dol", "gen a.b { }");
  out = text_of(sm, {make(Rule::SyntaxError, span_of(sm, last, "}"), "y")});
  EXPECT_EQ(out, "last.dol:1:11: error: y [syntax-error]\n    1 | gen a.b { }\n      |           ^\n");
}

TEST(RenderText, MultiLineSpanUnderlinesToEndOfFirstLine) {
  SourceManager sm;
  FileId id = sm.add("m.dol", kChat);
  Span span = span_of(sm, id, "@crdt(or_set)\n  has name");  // crosses into line 3
  std::string out = text_of(sm, {make(Rule::SyntaxError, span, "multi")});
  EXPECT_NE(out.find("    2 |   @crdt(or_set)\n      |   ^~~~~~~~~~~~~\n"), std::string::npos) << out;
}

TEST(RenderText, EmptySpanGetsOneCaretAndTabsAreKept) {
  SourceManager sm;
  FileId id = sm.add("t.dol", "gen a.b {\n\thas x: i64\n}\n");
  Span span = span_of(sm, id, "x", 0);
  std::string out = text_of(sm, {make(Rule::SyntaxError, span, "here")});
  // The tab before `has` is repeated in the caret line so the caret lines up in any tab width.
  EXPECT_NE(out.find("    2 | \thas x: i64\n      | \t    ^\n"), std::string::npos) << out;
}

TEST(RenderText, DiagnosticWithoutLocationHasNoExcerpt) {
  SourceManager sm;
  EXPECT_EQ(text_of(sm, {make(Rule::SyntaxError, Span{}, "no place")}), "error: no place [syntax-error]\n");
}

TEST(RenderText, ColourOnlyWhenAsked) {
  SourceManager sm;
  FileId id = sm.add("chat.dol", kChat);
  auto d = make(Rule::CrdtTypeMismatch, span_of(sm, id, "@crdt(or_set)"), "m", {"n"});
  EXPECT_EQ(text_of(sm, {d}).find('\033'), std::string::npos);
  std::string coloured = text_of(sm, {d}, true);
  EXPECT_NE(coloured.find("\033[1;31merror:"), std::string::npos) << coloured;  // red error
  EXPECT_NE(coloured.find("\033[1;32m^"), std::string::npos) << coloured;       // green caret
  auto w = d;
  w.severity = Severity::Warning;
  EXPECT_NE(text_of(sm, {w}, true).find("\033[1;35mwarning:"), std::string::npos);  // magenta warning
}

TEST(Render, WerrorRaisesWarningsOnly) {
  std::vector<Diagnostic> diags = {make(Rule::SyntaxError, Span{}, "e")};
  diags.push_back(diags[0]);
  diags[1].severity = Severity::Warning;
  diags.push_back(diags[0]);
  diags[2].severity = Severity::Note;
  auto raised = effective_diagnostics(diags, true);
  EXPECT_EQ(raised[1].severity, Severity::Error);
  EXPECT_EQ(raised[2].severity, Severity::Note);
  EXPECT_EQ(effective_diagnostics(diags, false)[1].severity, Severity::Warning);
}

TEST(Render, SummaryWording) {
  auto e = make(Rule::SyntaxError, Span{}, "e");
  auto w = e;
  w.severity = Severity::Warning;
  EXPECT_EQ(summary_line({}), "");
  EXPECT_EQ(summary_line({e}), "1 error generated.");
  EXPECT_EQ(summary_line({w, w}), "2 warnings generated.");
  EXPECT_EQ(summary_line({e, e, w}), "2 errors and 1 warning generated.");
}

TEST(RenderJson, KeysAndPositions) {
  SourceManager sm;
  FileId id = sm.add("chat.dol", kChat);
  std::ostringstream out;
  render_json(out, sm, {make(Rule::CrdtTypeMismatch, span_of(sm, id, "@crdt(or_set)"), "m", {"n1", "n2"})});
  auto doc = nlohmann::json::parse(out.str());
  ASSERT_TRUE(doc.is_array());
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["file"], "chat.dol");
  EXPECT_EQ(doc[0]["line"], 2);
  EXPECT_EQ(doc[0]["column"], 3);
  EXPECT_EQ(doc[0]["end_line"], 2);
  EXPECT_EQ(doc[0]["end_column"], 16);
  EXPECT_EQ(doc[0]["severity"], "error");
  EXPECT_EQ(doc[0]["rule"], "crdt-type-mismatch");
  EXPECT_EQ(doc[0]["notes"], nlohmann::json({"n1", "n2"}));
  std::ostringstream empty;
  render_json(empty, sm, {});
  EXPECT_EQ(nlohmann::json::parse(empty.str()), nlohmann::json::array());
}

TEST(RenderSarif, RuleIndexPointsAtTheRule) {
  SourceManager sm;
  FileId id = sm.add("chat.dol", kChat);
  std::ostringstream out;
  RenderOptions options;
  options.tool_version = "9.9.9";
  render_sarif(out, sm,
               {make(Rule::CrdtTypeMismatch, span_of(sm, id, "@crdt(or_set)"), "m"),
                make(Rule::SyntaxError, Span{}, "nowhere")},
               options);
  auto doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["version"], "2.1.0");
  auto& run = doc["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["version"], "9.9.9");
  auto& rules = run["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), all_rules().size());
  for (auto& result : run["results"]) EXPECT_EQ(rules[result["ruleIndex"].get<size_t>()]["id"], result["ruleId"]);
  auto& region = run["results"][0]["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(region["startLine"], 2);
  EXPECT_EQ(region["endColumn"], 16);
  EXPECT_FALSE(run["results"][1].contains("locations"));  // no span, no location
}

TEST(RenderGithub, EscapesDataAndProperties) {
  SourceManager sm;
  FileId id = sm.add("odd,name:1.dol", kChat);
  std::ostringstream out;
  auto d = make(Rule::CrdtTypeMismatch, span_of(sm, id, "@crdt(or_set)"), "100% wrong\r\nreally", {"fix: it"});
  render_github(out, sm, {d});
  EXPECT_EQ(out.str(),
            "::error file=odd%2Cname%3A1.dol,line=2,col=3,endLine=2,endColumn=16,title=crdt-type-mismatch::"
            "100%25 wrong%0D%0Areally%0Anote: fix: it\n");
  d.severity = Severity::Warning;
  std::ostringstream warn;
  render_github(warn, sm, {d});
  EXPECT_EQ(warn.str().rfind("::warning ", 0), 0u);
}

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("dolc-render-test-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Output, WritesOnlyWhenChangedAndLeavesNoTemporaries) {
  TempDir tmp;
  std::string target = (tmp.path / "x.json").string(), error;
  bool changed = false;
  ASSERT_TRUE(driver::write_file_if_changed(target, "one", &error, &changed)) << error;
  EXPECT_TRUE(changed);
  auto mtime = fs::last_write_time(target);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(driver::write_file_if_changed(target, "one", &error, &changed));
  EXPECT_FALSE(changed);
  EXPECT_EQ(fs::last_write_time(target), mtime);
  ASSERT_TRUE(driver::write_file_if_changed(target, "two", &error, &changed));
  EXPECT_TRUE(changed);
  EXPECT_EQ(slurp(target), "two");
  size_t entries = std::distance(fs::directory_iterator(tmp.path), fs::directory_iterator());
  EXPECT_EQ(entries, 1u);  // the temporary was renamed, not left behind
}

TEST(Output, UnwritableTargetIsAnErrorNotACrash) {
  TempDir tmp;
  std::string error;
  EXPECT_FALSE(driver::write_file_if_changed((tmp.path / "missing-dir" / "x").string(), "z", &error));
  EXPECT_NE(error.find("cannot write"), std::string::npos) << error;
  fs::create_directories(tmp.path / "a-dir");
  EXPECT_FALSE(driver::write_file_if_changed((tmp.path / "a-dir").string(), "z", &error));  // a directory
}

TEST(Output, DepfileEscapesSpacesHashAndDollar) {
  EXPECT_EQ(driver::depfile_text({"out/a b.wasm", "out/a.wit"}, {"my dir/x.dol", "c#.dol", "$d.dol"}),
            "out/a\\ b.wasm out/a.wit: \\\n  my\\ dir/x.dol \\\n  c\\#.dol \\\n  $$d.dol\n");
  EXPECT_EQ(driver::depfile_text({"t"}, {}), "t:\n");
}

}  // namespace
}  // namespace dolc
