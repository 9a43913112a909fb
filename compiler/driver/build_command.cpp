// compiler/driver: `dolc build FILE... -o DIR [--emit=...] [--depfile F] [--clang PATH]`.
//
// Runs the front end, reports `not-compiled` warnings (declarations read but
// not turned into output, and fields/methods/constraints the generators
// leave out), generates the outputs (emit/outputs.hpp: WIT, JS, .d.ts, C++,
// schema JSON), compiles the generated C++ for wasm32 against the prebuilt
// runtime library and optimizes it with Binaryen in-process (wasm/wasm.hpp).
// Nothing is written until every output exists in memory, so a failure
// (errors in the schema, a missing toolchain, a compile error) leaves no
// partial outputs; then the outputs and the depfile (every file the front
// end read) are committed as one set (driver/output.hpp: each written to a
// temporary, all renamed only once all are written, unchanged files left
// alone), so a failing depfile leaves the old outputs in place.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "driver/output.hpp"
#include "driver/session.hpp"
#include "driver/install_paths.hpp"
#include "emit/outputs.hpp"
#include "sema/check.hpp"
#include "wasm/wasm.hpp"

namespace dolc::driver {

namespace {

// Where the runtime is: an installed dolc's own copy, else the paths this
// dolc was built with (install_paths.hpp); the environment overrides both.
std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Compiles the generated sources to an optimized module. false + error.
bool build_wasm(const Invocation& inv, const emit::Generated& gen, std::string* wasm_bytes, std::string* error) {
  wasm::ToolchainOptions toolchain_options;
  toolchain_options.clang = inv.clang;
  wasm::Toolchain toolchain;
  if (!wasm::find_toolchain(toolchain_options, &toolchain, error)) return false;
  std::string runtime_lib = env_or("DOLC_RUNTIME_LIB", default_runtime_lib());
  std::string runtime_include = env_or("DOLC_RUNTIME_INCLUDE", default_runtime_include());
  if (runtime_lib.empty() || !std::filesystem::exists(runtime_lib)) {
    *error = "the wasm32 runtime library is missing" + (runtime_lib.empty() ? std::string() : " ('" + runtime_lib + "')") +
             (installed_prefix().empty() ? "; build the `dolc_runtime_wasm` target or set DOLC_RUNTIME_LIB"
                                         : "; reinstall dolc (cmake --install) or set DOLC_RUNTIME_LIB");
    return false;
  }

  wasm::ModuleSources sources;
  for (const auto& f : gen.cpp_sources) sources.files.push_back({f.name, f.contents});
  sources.include_dirs.push_back(runtime_include);
  sources.static_libraries.push_back(runtime_lib);
  std::string bytes;
  if (!wasm::compile_module(toolchain, sources, &bytes, error)) return false;
  std::vector<wasm::ForwardedExport> forwards;
  for (const auto& t : gen.thin_exports) {
    static const char kCore[] = {'i', 'I', 'f', 'F'};  // lower::CoreType order
    wasm::ForwardedExport f;
    f.name = t.name;
    f.dispatcher = t.dispatcher;
    f.row = t.row;
    for (lower::CoreType c : t.params) f.params += kCore[static_cast<int>(c)];
    f.result = t.results.empty() ? 0 : kCore[static_cast<int>(t.results[0])];
    forwards.push_back(std::move(f));
  }
  return wasm::optimize(bytes, forwards, wasm_bytes, error);
}

}  // namespace

int run_build(const Invocation& inv) {
  if (inv.out_dir.empty()) {
    print_tool_error("'dolc build' needs an output directory: add -o DIR");
    return kExitUsage;
  }
  emit::EmitSet emit;  // the kinds on by default (emit/outputs.def)
  std::string error;
  if (!inv.emit.empty() && !emit::parse_emit_list(inv.emit, &emit, &error)) {
    print_tool_error(error);
    return kExitUsage;
  }

  Frontend fe;
  if (int rc = run_frontend(inv, fe); rc != kExitClean) return rc;
  if (fe.diags.has_errors()) return finish(inv, fe);
  report_not_compiled(fe.result, fe.diags);

  const std::string name = output_name(inv);
  emit::Generated gen = emit::generate(fe.result.schema, fe.roots, name, emit);
  emit::report_omissions(gen, fe.diags);
  if (gen.table.interfaces.empty())
    fe.diags.report(Rule::NotCompiled, Span{fe.roots.front(), 0, 0},
                    "no gene to compile: the module `" + name + "` exports nothing",
                    {"declare a gene with fields, or a system that requires some"});

  std::vector<emit::OutputFile> files = gen.files;
  if (emit.has(emit::OutputKind::Wasm)) {
    std::string wasm_bytes;
    if (!build_wasm(inv, gen, &wasm_bytes, &error)) {
      finish(inv, fe);
      print_tool_error(error);
      return kExitUsage;
    }
    files.insert(files.begin(), {name + ".wasm", wasm_bytes});
  }

  if (!make_directories(inv.out_dir, &error)) {
    finish(inv, fe);
    print_tool_error(error);
    return kExitUsage;
  }
  // One commit for the outputs and the depfile: a depfile that cannot be
  // written leaves every output as it was, so a build system never sees new
  // outputs without the dependencies that produced them.
  OutputSet set;
  std::vector<std::string> targets;
  for (const auto& f : files) {
    std::string path = (std::filesystem::path(inv.out_dir) / f.name).string();
    set.add(path, f.contents);
    targets.push_back(path);
  }
  if (!inv.depfile.empty()) set.add(inv.depfile, depfile_text(targets, fe.result.files_read));
  if (!set.commit(&error)) {
    finish(inv, fe);
    print_tool_error(error);
    return kExitUsage;
  }
  return finish(inv, fe);
}

}  // namespace dolc::driver
