// compiler/wasm: from generated C++ to an optimized core WebAssembly module.
//
// Three steps, each returning errors as values (never exiting):
//  * find_toolchain: clang++ and wasm-ld from --clang / DOLC_CLANG / PATH,
//    probed once with a tiny wasm32 compile, so that a missing piece is
//    reported with the Debian package that provides it;
//  * compile_module: clang++ --target=wasm32-wasi per source, then one link
//    (reactor, --gc-sections, --strip-all) against the prebuilt runtime
//    library. Sources are written to a private temporary directory, and
//    -ffile-prefix-map keeps that path out of the output: same input, same
//    bytes. Processes are spawned with argument vectors, never a shell;
//  * optimize: Binaryen linked into dolc (-Oz), validated before and after.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dolc::wasm {

struct ToolchainOptions {
  std::string clang;  // explicit clang++ (--clang or DOLC_CLANG); "" = search PATH
};

struct Toolchain {
  std::string clangxx;  // absolute path of the clang++ driver used for compile and link
};

// false + a message naming the package to install when something is missing.
bool find_toolchain(const ToolchainOptions& options, Toolchain* out, std::string* error);

struct SourceFile {
  std::string name;      // file name (no directories); .cpp files are compiled, others are headers
  std::string contents;
};

struct ModuleSources {
  std::vector<SourceFile> files;
  std::vector<std::string> include_dirs;
  std::vector<std::string> static_libraries;
};

// Compiles and links; `wasm_bytes` receives the unoptimized module.
bool compile_module(const Toolchain& toolchain, const ModuleSources& sources, std::string* wasm_bytes,
                    std::string* error);

// An export that dolc writes into the linked module itself instead of
// compiling it: a function of the given core signature that calls the
// module's exported `dispatcher` with `row` followed by all of its own
// parameters, exported as `name`. Generated code keeps one dispatcher per
// signature and one table row per export (lower/cpp.cpp, "thin field
// operations"): clang then costs nothing per export, which at thousands of
// fields was most of a build. Core types: 'i' i32, 'I' i64, 'f' f32, 'F' f64.
struct ForwardedExport {
  std::string name;
  std::string dispatcher;  // an export of the linked module; removed afterwards
  uint32_t row = 0;
  std::string params;      // core parameter types, e.g. "iiii"
  char result = 0;         // core result type, 0 for none
};

// Adds `forwards` (then drops their dispatchers' exports), then Binaryen -Oz
// in-process; `in` must be a module produced by compile_module.
bool optimize(const std::string& in, const std::vector<ForwardedExport>& forwards, std::string* out,
              std::string* error);
bool optimize(const std::string& in, std::string* out, std::string* error);

}  // namespace dolc::wasm
