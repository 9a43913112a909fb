// compiler/driver: option parsing, running the front end, rendering findings.
#include "driver/session.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "driver/install_paths.hpp"
#include "driver/loader.hpp"
#include "driver/version.hpp"
#include "emit/outputs.hpp"
#include "lower/name_check.hpp"

namespace dolc::driver {

void print_tool_error(const std::string& message) { std::cerr << "dolc: error: " << message << "\n"; }

std::string hint(const std::string& word, const std::vector<std::string>& candidates) {
  std::string text = did_you_mean_text(word, candidates);
  return text.empty() ? "" : "; " + text;
}

namespace {

bool take_value(const std::vector<std::string>& args, size_t& i, const std::string& flag, std::string* value,
                std::string* error) {
  const std::string& a = args[i];
  if (a.size() > flag.size() && a.compare(0, flag.size() + 1, flag + "=") == 0) {
    *value = a.substr(flag.size() + 1);
    return true;
  }
  if (a == flag) {
    if (i + 1 >= args.size()) {
      *error = "option '" + flag + "' needs a value";
      return false;
    }
    *value = args[++i];
    return true;
  }
  return false;
}

}  // namespace

bool parse_invocation(const std::string& command, const std::vector<std::string>& args, Invocation* out,
                      std::string* error) {
  Invocation& inv = *out;
  inv.command = command;
  if (const char* env = std::getenv("DOLC_STDLIB")) inv.stdlib_dir = env;
  if (inv.stdlib_dir.empty()) inv.stdlib_dir = default_stdlib_dir();
  if (const char* env = std::getenv("DOLC_CLANG")) inv.clang = env;
  bool is_build = command == "build";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string value;
    if (a == "-Werror") {
      inv.warnings_as_errors = true;
    } else if (a == "--require-docs") {
      inv.require_docs = true;
    } else if (a.rfind("-I", 0) == 0 && a.size() > 2) {
      inv.include_dirs.push_back(a.substr(2));
    } else if (a == "-I") {
      if (i + 1 >= args.size()) {
        *error = "option '-I' needs a directory";
        return false;
      }
      inv.include_dirs.push_back(args[++i]);
    } else if (take_value(args, i, "--error-format", &value, error)) {
      if (value == "text") inv.format = DiagFormat::Text;
      else if (value == "json") inv.format = DiagFormat::Json;
      else if (value == "sarif") inv.format = DiagFormat::Sarif;
      else if (value == "github") inv.format = DiagFormat::Github;
      else {
        *error = "unknown error format '" + value + "'" + hint(value, {"text", "json", "sarif", "github"}) +
                 " (expected text, json, sarif or github)";
        return false;
      }
    } else if (take_value(args, i, "--color", &value, error)) {
      if (value != "auto" && value != "always" && value != "never") {
        *error = "unknown colour mode '" + value + "'" + hint(value, {"auto", "always", "never"}) +
                 " (expected auto, always or never)";
        return false;
      }
      inv.color = value;
    } else if (take_value(args, i, "--stdlib", &value, error)) {
      inv.stdlib_dir = value;
    } else if (take_value(args, i, "-o", &value, error)) {
      inv.out_dir = value;
    } else if (take_value(args, i, "--emit", &value, error)) {
      // `--emit=` (an empty list, often an unset variable) is a mistake, not
      // "the defaults": building something else than asked is worse than stopping.
      if (value.empty() || value.find_first_not_of(',') == std::string::npos) {
        *error = "--emit needs at least one output kind (" + emit::output_kind_names() + ")";
        return false;
      }
      inv.emit = value;
    } else if (take_value(args, i, "--depfile", &value, error)) {
      inv.depfile = value;
    } else if (is_build && take_value(args, i, "--clang", &value, error)) {
      inv.clang = value;
    } else if (!error->empty()) {
      return false;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      // `--error-fromat=json`: the option's name is what was mistyped.
      std::vector<std::string> options{"-Werror", "--require-docs", "-I",    "--error-format", "--color",
                                       "--stdlib", "-o",             "--emit", "--depfile",      "--help"};
      if (is_build) options.push_back("--clang");
      *error = "unknown option '" + a + "'" + hint(a.substr(0, a.find('=')), options) + " (see 'dolc help " + command + "')";
      return false;
    } else {
      inv.inputs.push_back(a);
    }
  }
  if (inv.inputs.empty()) {
    *error = "no input files (usage: dolc " + command + " FILE.dol...)";
    return false;
  }
  if (!inv.emit.empty() && !is_build && inv.emit != "schema-json") {
    *error = "'dolc check' can only --emit=schema-json (use 'dolc build' for code)";
    return false;
  }
  if (!inv.emit.empty() && inv.out_dir.empty()) {
    *error = "--emit needs an output directory: add -o DIR";
    return false;
  }
  if (!is_build && !inv.depfile.empty() && inv.emit.empty()) {
    *error = "'dolc check --depfile' lists the inputs of NAME.schema.json: add --emit=schema-json -o DIR";
    return false;
  }
  // A misspelt search path would otherwise surface later as a puzzling
  // "cannot find module"; name the real problem instead.
  std::error_code ec;  // (a symlink loop or a bad path is "not a directory", never an exception)
  for (const std::string& dir : inv.include_dirs)
    if (!std::filesystem::is_directory(dir, ec)) {
      *error = "include directory '" + dir + "' (-I) does not exist or is not a directory";
      return false;
    }
  if (!std::filesystem::is_directory(inv.stdlib_dir, ec)) {
    *error = "standard library directory '" + inv.stdlib_dir +
             "' does not exist; point --stdlib or DOLC_STDLIB at the stdlib-dol folder";
    return false;
  }
  return true;
}

int run_frontend(const Invocation& inv, Frontend& fe) {
  for (const std::string& path : inv.inputs) {
    std::string error;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      print_tool_error("'" + path + "' is a directory; name the .dol files to check");
      return kExitUsage;
    }
    auto id = fe.sources.load(path, &error);
    if (!id) {
      print_tool_error(error.empty() ? "cannot open '" + path + "'" : error);
      return kExitUsage;
    }
    fe.roots.push_back(*id);
  }
  check_loaded(inv, fe);
  return kExitClean;
}

void check_loaded(const Invocation& inv, Frontend& fe) {
  CheckOptions options;
  options.include_dirs = inv.include_dirs;
  options.stdlib_dir = inv.stdlib_dir;
  options.require_docs = inv.require_docs;
  ParsingLoader loader(fe.sources);
  fe.result = check(fe.sources, fe.roots, options, loader, fe.diags);
  // Names the generators would merge or that the generated API uses
  // (lower/name_check.hpp): judged on a clean schema only, since the export
  // table assumes one; part of `check` so that what checks clean builds.
  if (!fe.diags.has_errors())
    for (auto& p : lower::check_output_names(fe.result.schema, fe.roots, output_name(inv)))
      fe.diags.report(p.kind == lower::NameProblem::Kind::TooLong ? Rule::LimitExceeded : Rule::NameCollision, p.span,
                      std::move(p.message), std::move(p.notes));
}

int finish(const Invocation& inv, Frontend& fe) {
  fe.diags.sort_stable();
  std::vector<Diagnostic> diags = effective_diagnostics(fe.diags.diagnostics(), inv.warnings_as_errors);
  RenderOptions options;
  options.warnings_as_errors = inv.warnings_as_errors;
  options.tool_version = DOLC_VERSION_STRING;
  bool tty = isatty(STDERR_FILENO);
  const char* no_color = std::getenv("NO_COLOR");
  options.color = inv.color == "always" || (inv.color == "auto" && tty && (no_color == nullptr || *no_color == '\0'));
  switch (inv.format) {
    case DiagFormat::Text: {
      render_text(std::cerr, fe.sources, diags, options);
      std::string summary = summary_line(diags);
      if (!summary.empty()) std::cerr << summary << "\n";
      break;
    }
    case DiagFormat::Json: render_json(std::cout, fe.sources, diags); break;
    case DiagFormat::Sarif: render_sarif(std::cout, fe.sources, diags, options); break;
    case DiagFormat::Github: render_github(std::cout, fe.sources, diags); break;
  }
  std::cout.flush();
  for (const auto& d : diags)
    if (d.severity == Severity::Error) return kExitFindings;
  return kExitClean;
}

std::string output_name(const Invocation& inv) {
  return std::filesystem::path(inv.inputs.front()).stem().string();
}

}  // namespace dolc::driver
