// compiler/driver: the `dolc` command line. Subcommands: check (alias lint),
// build, breaking, fmt, lsp, help; --version and --help. Exit codes: 0 clean (warnings allowed),
// 1 findings (errors, or warnings with -Werror), 2 usage or I/O problems.
#include <iostream>
#include <string>
#include <vector>

#include "driver/session.hpp"
#include "driver/version.hpp"
#include "emit/outputs.hpp"
#include "dolc/rt/format.hpp"
#include "source/interrupt.hpp"

namespace {

const char* kMainHelp =
    "dolc - compile DOL schemas with @crdt annotations to WebAssembly CRDT modules\n"
    "\n"
    "usage: dolc <command> [options] FILE.dol...\n"
    "\n"
    "commands:\n"
    "  check    parse and check schemas, report findings (alias: lint)\n"
    "  build    check, then generate NAME.wasm, NAME.wit, NAME.js/.d.ts (and more with --emit)\n"
    "  breaking compare schemas with the last release, report breaking changes (a CI gate)\n"
    "  fmt      rewrite schemas in the canonical layout (--check: only report, for CI)\n"
    "  lsp      a Language Server Protocol server on stdin/stdout, for editors\n"
    "  help     show help for a command: dolc help build\n"
    "\n"
    "options:\n"
    "  --version    print the version\n"
    "  --help       print this help\n";

const char* kCheckHelp =
    "usage: dolc check FILE.dol... [options]\n"
    "\n"
    "  -I DIR                      search DIR for `use`d modules (before stdlib-dol)\n"
    "  --error-format=FORMAT       text (default), json, sarif or github; machine formats go to stdout\n"
    "  --color=auto|always|never   colour in text mode (auto: only on a terminal, never with NO_COLOR)\n"
    "  -Werror                     treat warnings as errors\n"
    "  --require-docs              warn about declarations without docs (missing-docs)\n"
    "  --emit=schema-json -o DIR   write DIR/NAME.schema.json (the checked schema); NAME is the\n"
    "                              first input's file name without .dol; written only when changed\n"
    "  --depfile FILE              with --emit: a Make-style depfile listing every file read\n"
    "  --stdlib DIR                use DIR as the standard library (default: built in; env DOLC_STDLIB)\n"
    "\n"
    "exit status: 0 clean (warnings allowed), 1 findings, 2 usage or I/O problems\n";

// The --emit lines come from the output kinds' table (emit/outputs.def).
std::string build_help() {
  return "usage: dolc build FILE.dol... -o DIR [options]\n"
         "\n"
         "  -o DIR                      output directory (created if missing)\n" +
         dolc::emit::emit_help() +
         "  --depfile FILE              write a Make-style depfile listing every file read\n"
         "  --clang PATH                clang++ to use for wasm32 (default: PATH; env DOLC_CLANG)\n"
         "  -I DIR, --error-format, --color, -Werror, --stdlib   as for check\n"
         "\n"
         "outputs NAME.* where NAME is the first input's file name without .dol\n";
}

const char* kFmtHelp =
    "usage: dolc fmt FILE.dol...            rewrite the files in the canonical layout (in place)\n"
    "       dolc fmt --check FILE.dol...    change nothing; print a diff and exit 1 if a file would change\n"
    "       dolc fmt --stdout FILE.dol      print the formatted text\n"
    "       dolc fmt -                      format stdin to stdout\n"
    "\n"
    "The layout keeps every token, comment, docs block and line break; it sets the\n"
    "indentation (four spaces per open bracket) and the spaces within lines, and at\n"
    "most one blank line in a row. Files with syntax errors are reported, not formatted.\n"
    "\n"
    "exit status: 0 done (or, with --check, nothing to change), 1 a file would change or\n"
    "has syntax errors, 2 usage or I/O problems\n";

const char* kBreakingHelp =
    "usage: dolc breaking NEW.dol... --against OLD.dol...      [options]\n"
    "       dolc breaking NEW.dol... --against OLD.schema.json [options]\n"
    "       dolc breaking NEW.dol... --against-git REV          [options]\n"
    "\n"
    "Compares the schemas about to ship (NEW) with the last release (OLD) and reports\n"
    "what would break documents, merges or apps built on the generated API. Rules\n"
    "(all errors): breaking-field-identity, breaking-merge, breaking-missing-evolution,\n"
    "breaking-api, breaking-option; docs/breaking.md explains each.\n"
    "\n"
    "  --against FILE              the old schema: .dol files (repeat the option for several),\n"
    "                              or the NAME.schema.json of the release (`dolc check\n"
    "                              --emit=schema-json -o DIR` writes it)\n"
    "  --against-git REV           the NEW files as they are at git revision REV (`git show\n"
    "                              REV:path`); files they `use` are read from the working tree\n"
    "  -I DIR, --stdlib DIR        as for check (used for both sides)\n"
    "  --error-format=FORMAT       text (default), json, sarif or github; machine formats go to stdout\n"
    "  --color=auto|always|never   colour in text mode\n"
    "\n"
    "NEW must check cleanly: its errors are reported instead of a comparison. OLD is\n"
    "checked silently; an OLD that cannot be read or does not check is exit status 2.\n"
    "\n"
    "exit status: 0 no breaking change, 1 findings, 2 usage or I/O problems\n";

const char* kLspHelp =
    "usage: dolc lsp [--stdio] [-I DIR]... [--stdlib DIR] [--require-docs]\n"
    "\n"
    "A Language Server Protocol server speaking JSON-RPC on stdin and stdout, for\n"
    "editors: diagnostics as you type (the rules of dolc check), hover on fields\n"
    "(merge strategy and options explained) and genes, go to definition, document\n"
    "symbols, completion of strategies, options and types. docs/lsp.md has editor set-ups.\n"
    "\n"
    "  --stdio                     accepted and ignored (stdio is the only transport)\n"
    "  -I DIR, --stdlib DIR, --require-docs   as for check\n"
    "\n"
    "exit status: 0 after shutdown and exit, 1 on exit without shutdown or end of input\n";

}  // namespace

namespace dolc::lsp {
int run_lsp(const std::vector<std::string>& args);  // compiler/lsp/server.hpp
}  // namespace dolc::lsp

namespace dolc::driver {
// breaking_command.cpp: takes the arguments after `breaking` (it has options
// of its own: --against, --against-git).
int run_breaking(const std::vector<std::string>& args);
// fmt_command.cpp: `dolc fmt` (options of its own: --check, --stdout).
int run_fmt(const std::vector<std::string>& args);
}  // namespace dolc::driver

namespace {

int run(int argc, char** argv) {
  using namespace dolc::driver;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kMainHelp;
    return kExitUsage;
  }
  const std::string command = args[0];
  if (command == "--version" || command == "-V") {
    // The bytes its modules write are a promise: say which (FORMAT.md).
    std::cout << "dolc " << DOLC_VERSION_STRING << "\n"
              << "document format " << int(dolc::rt::kDocumentFormat) << " (saves), " << int(dolc::rt::kChangesFormat)
              << " (changes); reads formats " << int(dolc::rt::kOldestDocumentFormat) << "-"
              << int(dolc::rt::kChangesFormat) << " (saves never had format 4); version vector format "
              << int(dolc::rt::kVersionVectorFormat) << " (reads 1-" << int(dolc::rt::kVersionVectorFormat) << ")\n";
    return kExitClean;
  }
  if (command == "--help" || command == "-h") {
    std::cout << kMainHelp;
    return kExitClean;
  }
  if (command == "help") {
    std::string topic = args.size() > 1 ? args[1] : "";
    if (topic == "check" || topic == "lint") std::cout << kCheckHelp;
    else if (topic == "build") std::cout << build_help();
    else if (topic == "breaking") std::cout << kBreakingHelp;
    else if (topic == "fmt") std::cout << kFmtHelp;
    else if (topic == "lsp") std::cout << kLspHelp;
    else if (topic.empty() || topic == "help") std::cout << kMainHelp;
    else {
      print_tool_error("no help for '" + topic + "'" + hint(topic, {"check", "lint", "build", "breaking", "fmt", "lsp"}) +
                       " (commands: check, lint, build, breaking, fmt, lsp)");
      return kExitUsage;
    }
    return kExitClean;
  }
  if (command != "check" && command != "lint" && command != "build" && command != "breaking" && command != "fmt" &&
      command != "lsp") {
    print_tool_error("unknown command '" + command + "'" +
                     hint(command, {"check", "lint", "build", "breaking", "fmt", "lsp", "help"}) +
                     " (expected check, lint, build, breaking, fmt, lsp or help)");
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const auto& a : rest)
    if (a == "--help" || a == "-h") {
      std::cout << (command == "build" ? build_help() : command == "breaking" ? kBreakingHelp
                    : command == "fmt"    ? kFmtHelp
                    : command == "lsp"    ? kLspHelp : kCheckHelp);
      return kExitClean;
    }
  if (command == "breaking") return run_breaking(rest);
  if (command == "fmt") return run_fmt(rest);
  if (command == "lsp") return dolc::lsp::run_lsp(rest);
  Invocation inv;
  std::string error;
  std::string canonical = command == "lint" ? "check" : command;
  if (!parse_invocation(canonical, rest, &inv, &error)) {
    print_tool_error(error);
    return kExitUsage;
  }
  return canonical == "build" ? run_build(inv) : run_check(inv);
}

}  // namespace

int main(int argc, char** argv) {
  // Interrupts kill clang and remove temporaries (source/interrupt.hpp).
  dolc::interrupt::install();
  // No exception may end dolc with SIGABRT: an I/O failure the code did not
  // foresee (a filesystem error, memory running out on a huge input) is a
  // message and exit status 2 like every other I/O problem.
  try {
    return run(argc, argv);
  } catch (const std::bad_alloc&) {
    dolc::driver::print_tool_error("out of memory");
  } catch (const std::exception& e) {
    dolc::driver::print_tool_error(e.what());
  } catch (...) {
    dolc::driver::print_tool_error("unexpected internal error");
  }
  return dolc::driver::kExitUsage;
}
