// compiler/driver: `dolc fmt`, the canonical layout of DOL files
// (compiler/fmt/format.hpp says what the layout is).
//
//   dolc fmt FILE.dol...           rewrite the files in place (only those that change)
//   dolc fmt --check FILE.dol...   change nothing; print a diff and exit 1 if any would change
//   dolc fmt --stdout FILE.dol     print the formatted text instead of writing it
//   dolc fmt -                     format stdin to stdout
//
// A file with a syntax error is not formatted (its diagnostics are printed,
// as `dolc check` would, and the exit status is 1): a layout of text that
// does not parse could only guess. Files are written atomically.
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "driver/output.hpp"
#include "driver/session.hpp"
#include "fmt/format.hpp"
#include "parse/parse.hpp"

namespace dolc::driver {

namespace {

const char* kFmtUsage = "usage: dolc fmt [--check | --stdout] FILE.dol... (or - for stdin)";

// Parses `text` for syntax errors only; prints them (text format) and
// returns false when there are any.
bool parses(const std::string& path, const std::string& text, const Invocation& inv) {
  Frontend fe;
  FileId id = fe.sources.add(path, text);
  parse_file(fe.sources, id, fe.diags);
  if (!fe.diags.has_errors()) return true;
  finish(inv, fe);
  return false;
}

}  // namespace

int run_fmt(const std::vector<std::string>& args) {
  bool check = false, to_stdout = false;
  std::vector<std::string> files;
  for (const std::string& a : args) {
    if (a == "--check") check = true;
    else if (a == "--stdout") to_stdout = true;
    else if (a.size() > 1 && a[0] == '-') {
      print_tool_error("unknown option '" + a + "' for fmt" + hint(a, {"--check", "--stdout"}) + "; " + kFmtUsage);
      return kExitUsage;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    print_tool_error(std::string("no input files; ") + kFmtUsage);
    return kExitUsage;
  }
  if (check && to_stdout) {
    print_tool_error(std::string("--check and --stdout do not go together; ") + kFmtUsage);
    return kExitUsage;
  }
  Invocation inv;  // diagnostics: text on stderr, colour when a terminal
  int status = kExitClean;
  for (const std::string& path : files) {
    std::string text;
    if (path == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      SourceManager probe;
      std::string error;
      auto id = probe.load(path, &error);
      if (!id) {
        print_tool_error(error.empty() ? "cannot open '" + path + "'" : error);
        return kExitUsage;
      }
      text = probe.file(*id).text();
    }
    const std::string shown = path == "-" ? "<stdin>" : path;
    if (!parses(shown, text, inv)) {
      std::cerr << "dolc: " << shown << " has syntax errors; not formatted\n";
      status = kExitFindings;
      continue;
    }
    std::string formatted, error;
    if (!fmt::format_dol(text, &formatted, &error)) {
      print_tool_error(shown + ": " + error);
      status = kExitFindings;
      continue;
    }
    if (path == "-" || to_stdout) {
      std::cout << formatted;
    } else if (check) {
      if (formatted != text) {
        std::cout << fmt::unified_diff(text, formatted, path);
        status = kExitFindings;
      }
    } else if (formatted != text) {
      if (!write_file_if_changed(path, formatted, &error)) {
        print_tool_error(error);
        return kExitUsage;
      }
    }
  }
  if (check && status == kExitFindings) std::cerr << "dolc: some files are not formatted (run `dolc fmt FILE...`)\n";
  return status;
}

}  // namespace dolc::driver
