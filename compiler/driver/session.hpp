// compiler/driver: what `dolc check` and `dolc build` share.
//
// An Invocation is the parsed command line; a Frontend holds one run of the
// front end (sources, diagnostics, checked schema). The driver is the only
// place that prints: phases report to the DiagnosticSink and finish()
// renders them in the chosen format and turns them into the exit code.
#pragma once

#include <string>
#include <vector>

#include "diag/diag.hpp"
#include "diag/render.hpp"
#include "sema/check.hpp"
#include "source/source.hpp"

namespace dolc::driver {

inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

struct Invocation {
  std::string command;                    // "check" | "build"
  std::vector<std::string> inputs;
  std::vector<std::string> include_dirs;  // -I
  std::string stdlib_dir;                 // --stdlib, DOLC_STDLIB, or the built-in path
  DiagFormat format = DiagFormat::Text;
  bool warnings_as_errors = false;        // -Werror
  bool require_docs = false;              // --require-docs
  std::string color = "auto";             // --color=auto|always|never
  std::string out_dir;                    // -o
  std::string emit;                       // --emit=... as written ("" = the command's default)
  std::string depfile;                    // --depfile
  std::string clang;                      // --clang (build)
};

// Parses the arguments after the subcommand. false + `error` on a usage problem.
bool parse_invocation(const std::string& command, const std::vector<std::string>& args, Invocation* out,
                      std::string* error);

struct Frontend {
  SourceManager sources;
  DiagnosticSink diags;
  std::vector<FileId> roots;
  CheckResult result;
};

// Reads the inputs and checks them. Returns kExitUsage after printing an I/O
// error (an unreadable input), kExitClean otherwise (findings are in diags).
int run_frontend(const Invocation& inv, Frontend& fe);

// The checking half of run_frontend: checks the files already in fe.sources
// (fe.roots) with inv's options and adds the output-name checks. The
// language server (compiler/lsp) calls it on editor buffers, so that its
// diagnostics are exactly those of `dolc check`.
void check_loaded(const Invocation& inv, Frontend& fe);

// Renders the diagnostics to the right stream and computes the exit code.
int finish(const Invocation& inv, Frontend& fe);

// NAME of the outputs: the first input file's stem (`chat.dol` -> `chat`).
std::string output_name(const Invocation& inv);

// Prints `dolc: error: message` to stderr (usage and I/O problems).
// "; did you mean `check`?" when `word` is a plausible typo of a candidate,
// else "": the tail of a usage error (diag's did_you_mean_text, shared).
std::string hint(const std::string& word, const std::vector<std::string>& candidates);
void print_tool_error(const std::string& message);

int run_check(const Invocation& inv);
int run_build(const Invocation& inv);  // build_command.cpp

}  // namespace dolc::driver
