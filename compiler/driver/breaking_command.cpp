// compiler/driver: `dolc breaking NEW.dol... --against OLD` (docs/breaking.md),
// the CI gate that compares the schemas about to ship with the last release.
//
// This file owns the command line and the loading of both sides; the rules
// are in compiler/breaking. NEW is checked as `dolc check` would; if it has
// errors those are the findings (exit 1) and nothing is compared. OLD is
// checked silently: its warnings are not the user's business, but an OLD that
// cannot be read or does not check is a usage problem (exit 2), because no
// comparison against it would mean anything. OLD comes from .dol files, from
// a NAME.schema.json, or (--against-git REV) from the same paths at a git
// revision, read with `git show`; files those `use` are read from the working
// tree.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "breaking/breaking.hpp"
#include "driver/loader.hpp"
#include "driver/session.hpp"

namespace dolc::driver {

namespace {

namespace fs = std::filesystem;

struct BreakingArgs {
  std::vector<std::string> against;  // --against (repeatable for .dol files)
  std::string git_revision;          // --against-git
  std::vector<std::string> rest;     // everything else, parsed as for `dolc check`
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool split_args(const std::vector<std::string>& args, BreakingArgs* out, std::string* error) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    for (const std::string flag : {"--against", "--against-git"}) {
      std::string value;
      if (a == flag) {
        if (i + 1 >= args.size()) {
          *error = "option '" + flag + "' needs a value";
          return false;
        }
        value = args[++i];
      } else if (a.rfind(flag + "=", 0) == 0) {
        value = a.substr(flag.size() + 1);
      } else {
        continue;
      }
      if (value.empty()) {
        *error = "option '" + flag + "' needs a value";
        return false;
      }
      if (flag == "--against") {
        out->against.push_back(value);
      } else {
        if (!out->git_revision.empty()) {
          *error = "--against-git is given twice; compare with one revision";
          return false;
        }
        out->git_revision = value;
      }
      goto next;
    }
    out->rest.push_back(a);
  next:;
  }
  if (out->against.empty() && out->git_revision.empty()) {
    *error = "name the old schema: --against OLD.dol, --against OLD.schema.json or --against-git REV";
    return false;
  }
  if (!out->against.empty() && !out->git_revision.empty()) {
    *error = "--against and --against-git exclude each other; give one";
    return false;
  }
  size_t json_count = 0;
  for (const auto& path : out->against) json_count += ends_with(path, ".json");
  if (json_count > 0 && out->against.size() > 1) {
    *error = "--against takes one .schema.json (it holds the whole old schema), or any number of .dol files";
    return false;
  }
  if (!out->git_revision.empty() && out->git_revision[0] == '-') {
    *error = "'" + out->git_revision + "' is not a git revision (--against-git REV, e.g. origin/main)";
    return false;
  }
  return true;
}

// Runs `command` through the shell; stdout in `output`. The exit status, or -1.
int run_shell(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output->append(buffer, n);
  int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string first_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  size_t nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

// The old schema and everything its spans point into.
struct OldSide {
  SourceManager sources;
  breaking::OldSchema old;
};

CheckOptions check_options(const Invocation& inv) {
  CheckOptions options;
  options.include_dirs = inv.include_dirs;
  options.stdlib_dir = inv.stdlib_dir;
  return options;
}

// Checks the old .dol roots already in side->sources. false (message printed)
// when the old schema has errors.
bool check_old(const Invocation& inv, const std::vector<FileId>& roots, const std::string& what, OldSide* side) {
  DiagnosticSink diags;
  ParsingLoader loader(side->sources);
  CheckResult result = check(side->sources, roots, check_options(inv), loader, diags);
  if (diags.has_errors()) {
    diags.sort_stable();
    std::string first;
    for (const Diagnostic& d : diags.diagnostics()) {
      if (d.severity != Severity::Error) continue;
      first = d.message;
      if (d.span.valid() && d.span.file < side->sources.size()) {
        const SourceFile& f = side->sources.file(d.span.file);
        auto named = side->old.display_names.find(d.span.file);
        LineCol pos = f.position(d.span.begin);
        first = (named != side->old.display_names.end() ? named->second : f.path()) + ":" +
                std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + first;
      }
      break;
    }
    print_tool_error("the old schema (" + what + ") does not check, so there is nothing sound to compare with: " +
                     first + " (" + std::to_string(diags.count(Severity::Error)) +
                     " error(s); see them with `dolc check`)");
    return false;
  }
  side->old.schema = std::move(result.schema);
  side->old.sources = &side->sources;
  return true;
}

bool load_old_dol(const Invocation& inv, const std::vector<std::string>& paths, OldSide* side) {
  std::vector<FileId> roots;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      print_tool_error("the old schema '" + path + "' is a directory; name its .dol files");
      return false;
    }
    std::string error;
    auto id = side->sources.load(path, &error);
    if (!id) {
      // load() says "cannot open 'PATH': why"; keep only the why.
      std::string prefix = "cannot open '" + path + "': ";
      std::string why = error.rfind(prefix, 0) == 0 ? error.substr(prefix.size()) : error;
      print_tool_error("cannot open the old schema '" + path + "': " + why);
      return false;
    }
    roots.push_back(*id);
  }
  side->old.label = paths.front();
  std::string what;
  for (const auto& p : paths) what += (what.empty() ? "" : ", ") + p;
  return check_old(inv, roots, what, side);
}

bool load_old_json(const std::string& path, OldSide* side) {
  if (fs::is_directory(path)) {
    print_tool_error("the old schema '" + path + "' is a directory; name its NAME.schema.json");
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    print_tool_error("cannot open the old schema '" + path + "': " + std::strerror(errno));
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string error;
  if (!breaking::read_schema_json(text.str(), &side->old.schema, &error)) {
    print_tool_error("cannot read the old schema '" + path + "': " + error +
                     " (expected the NAME.schema.json written by `dolc check --emit=schema-json -o DIR`)");
    return false;
  }
  side->old.label = path;
  return true;
}

// --against-git: each NEW input as it was at `revision`. Sets *nothing_to_compare
// when none of the inputs existed there (new files break nothing).
bool load_old_git(const Invocation& inv, const std::string& revision, OldSide* side, bool* nothing_to_compare) {
  *nothing_to_compare = false;
  std::string top;
  if (run_shell("git rev-parse --show-toplevel 2>/dev/null", &top) != 0 || first_line(top).empty()) {
    print_tool_error("--against-git needs a git work tree, and '" + fs::current_path().string() +
                     "' is not inside one (or git is not installed)");
    return false;
  }
  top = first_line(top);
  std::string ignored;
  if (run_shell("git -C " + shell_quote(top) + " rev-parse --verify --quiet " + shell_quote(revision + "^{commit}") +
                    " 2>/dev/null",
                &ignored) != 0) {
    print_tool_error("unknown git revision '" + revision + "' (run `git fetch` first in a shallow CI checkout)");
    return false;
  }
  std::error_code ec;
  fs::path top_path = fs::weakly_canonical(top, ec);
  std::vector<FileId> roots;
  std::string what;
  for (const std::string& input : inv.inputs) {
    fs::path full = fs::weakly_canonical(fs::absolute(input, ec), ec);
    fs::path rel = full.lexically_relative(top_path);
    if (rel.empty() || *rel.begin() == "..") {
      print_tool_error("'" + input + "' is outside the git work tree '" + top + "'; --against-git compares files in it");
      return false;
    }
    std::string spec = revision + ":" + rel.generic_string();
    std::string text;
    if (run_shell("git -C " + shell_quote(top) + " show " + shell_quote(spec) + " 2>/dev/null", &text) != 0) {
      // A file the revision does not have is new: it cannot break anything.
      std::cerr << "dolc: note: '" << input << "' does not exist at " << revision << "; nothing to compare it with\n";
      continue;
    }
    // Added under the working-tree path, so that the files it `use`s resolve
    // next to it (from the working tree); notes show the revision instead.
    FileId id = side->sources.add(input, text);
    side->old.display_names[id] = spec;
    roots.push_back(id);
    what += (what.empty() ? "" : ", ") + spec;
  }
  if (roots.empty()) {
    *nothing_to_compare = true;
    return true;
  }
  side->old.label = what;
  return check_old(inv, roots, what, side);
}

}  // namespace

int run_breaking(const std::vector<std::string>& args) {
  BreakingArgs parsed;
  std::string error;
  if (!split_args(args, &parsed, &error)) {
    print_tool_error(error + " (see 'dolc help breaking')");
    return kExitUsage;
  }
  Invocation inv;
  if (!parse_invocation("breaking", parsed.rest, &inv, &error)) {
    print_tool_error(error);
    return kExitUsage;
  }
  if (!inv.out_dir.empty() || !inv.emit.empty() || !inv.depfile.empty()) {
    print_tool_error("'dolc breaking' writes no files: drop -o, --emit and --depfile (see 'dolc help breaking')");
    return kExitUsage;
  }

  Frontend fe;
  if (int rc = run_frontend(inv, fe); rc != kExitClean) return rc;
  if (fe.diags.has_errors()) {
    // A schema that does not check cannot be compared; its errors are the findings.
    DiagnosticSink errors;
    for (const Diagnostic& d : fe.diags.diagnostics())
      if (d.severity == Severity::Error) errors.report(d.rule, d.span, d.message, d.notes);
    fe.diags = std::move(errors);
    int rc = finish(inv, fe);
    if (inv.format == DiagFormat::Text)
      std::cerr << "dolc: error: the new schema has errors; fix them (`dolc check`) before comparing\n";
    return rc;
  }

  OldSide side;
  bool nothing_to_compare = false;
  bool loaded = !parsed.git_revision.empty() ? load_old_git(inv, parsed.git_revision, &side, &nothing_to_compare)
                : ends_with(parsed.against.front(), ".json") ? load_old_json(parsed.against.front(), &side)
                                                              : load_old_dol(inv, parsed.against, &side);
  if (!loaded) return kExitUsage;

  // The new schema's own warnings are `dolc check`'s business, not this gate's.
  fe.diags = DiagnosticSink();
  if (!nothing_to_compare) {
    breaking::NewSchema new_schema{&fe.result.schema, &fe.sources, fe.roots};
    breaking::compare(side.old, new_schema, fe.diags);
  }
  return finish(inv, fe);
}

}  // namespace dolc::driver
