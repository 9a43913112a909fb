// compiler/wasm: finding clang for wasm32 and running it (see wasm.hpp).
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "source/interrupt.hpp"
#include "wasm/wasm.hpp"

namespace dolc::wasm {
namespace fs = std::filesystem;

namespace {

const char* kPackagesHint =
    "install the wasm32 toolchain: apt-get install clang lld wasi-libc libc++-14-dev-wasm32 "
    "libc++abi-14-dev-wasm32 libclang-rt-14-dev-wasm32 (or run tools/setup.sh)";

bool executable(const std::string& path) {
  std::error_code ec;
  return !path.empty() && access(path.c_str(), X_OK) == 0 && !fs::is_directory(path, ec);
}

std::string search_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!path) return "";
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (executable(candidate)) return candidate;
  }
  return "";
}

// A private temporary directory, removed when the object dies, or by the
// interrupt handler (source/interrupt.hpp) when dolc is killed meanwhile.
struct TempDir {
  std::string path;
  TempDir() {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);  // TMPDIR unusable: fall back to /tmp
    std::string pattern = ((ec ? fs::path("/tmp") : base) / "dolc-XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data())) {
      path = buf.data();
      interrupt::add_path(path);
    }
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) {
      fs::remove_all(path, ec);
      interrupt::remove_path(path);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// Runs argv with stdout+stderr captured into `output`. Returns the exit
// status (-1 when it could not start or died by a signal). The child runs in
// a process group of its own that an interrupted dolc kills.
int run(const std::vector<std::string>& argv, const std::string& log_path, std::string* output) {
  pid_t pid = interrupt::spawn(argv, log_path, output);
  if (pid < 0) return -1;
  int status = interrupt::wait_child(pid);
  if (output) {
    std::ifstream in(log_path);
    std::ostringstream s;
    s << in.rdbuf();
    *output = s.str();
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

std::vector<std::string> compile_flags() {
  // -mbulk-memory -msign-ext: as the runtime is compiled (runtime-wasm/
  // CMakeLists.txt): memcpy/memset become memory.copy/fill and byte and
  // halfword sign extensions single instructions; smaller modules, and every
  // engine dolc targets (Node >= 16, current browsers) runs them.
  return {"--target=wasm32-wasi", "-std=c++17", "-Oz", "-fno-exceptions", "-fno-rtti", "-mbulk-memory", "-msign-ext", "-flto",
          "-ffunction-sections", "-fdata-sections", "-fvisibility=hidden", "-DNDEBUG",
          "-Wall", "-Wextra", "-Wshadow", "-Wno-unused-parameter", "-Wno-unused-function",
          // The generated code leaves its thin exports to optimize() (wasm.hpp,
          // ForwardedExport) instead of compiling a thunk per export.
          "-DDOLC_SYNTHESIZED_EXPORTS"};
}

}  // namespace

bool find_toolchain(const ToolchainOptions& options, Toolchain* out, std::string* error) {
  std::string clangxx = options.clang;
  if (!clangxx.empty()) {
    if (!executable(clangxx)) {
      *error = "clang++ not found at '" + clangxx + "' (from --clang or DOLC_CLANG); " + kPackagesHint;
      return false;
    }
  } else {
    for (const char* name : {"clang++", "clang++-14"}) {
      clangxx = search_path(name);
      if (!clangxx.empty()) break;
    }
    if (clangxx.empty()) {
      *error = std::string("clang++ is not on PATH; ") + kPackagesHint;
      return false;
    }
  }
  // Probe once: a wasm32 compile that needs libc++ headers, linked as a reactor.
  TempDir tmp;
  if (tmp.path.empty()) {
    *error = "cannot create a temporary directory";
    return false;
  }
  std::string src = tmp.path + "/probe.cpp";
  write_text(src, "#include <vector>\n__attribute__((export_name(\"probe\"))) int probe() { std::vector<int> v{1}; return v[0]; }\n");
  // Compiled, then linked, as modules are: a link line with -O makes clang
  // run any wasm-opt on PATH itself, without the features dolc enables.
  std::vector<std::string> argv = {clangxx};
  for (auto& f : compile_flags()) argv.push_back(f);
  for (const std::string& f : {std::string("-c"), src, std::string("-o"), tmp.path + "/probe.o"}) argv.push_back(f);
  std::string log;
  int rc = run(argv, tmp.path + "/probe.log", &log);
  if (rc == 0) {
    argv = {clangxx, "--target=wasm32-wasi", "-mexec-model=reactor", "-fno-exceptions", "-Wl,--strip-all",
            tmp.path + "/probe.o", "-o", tmp.path + "/probe.wasm"};
    rc = run(argv, tmp.path + "/probe.log", &log);
  }
  if (rc != 0) {
    std::string hint = kPackagesHint;
    if (log.find("wasm-ld") != std::string::npos && log.find("not found") != std::string::npos)
      hint = "wasm-ld is missing: apt-get install lld";
    else if (log.find("file not found") != std::string::npos)
      hint = "the wasm32 C++ headers are missing: apt-get install wasi-libc libc++-14-dev-wasm32 libc++abi-14-dev-wasm32";
    else if (log.find("libclang_rt") != std::string::npos)
      hint = "the wasm32 compiler runtime is missing: apt-get install libclang-rt-14-dev-wasm32";
    *error = "'" + clangxx + "' cannot build for wasm32; " + hint + (log.empty() ? "" : "\n" + log);
    return false;
  }
  out->clangxx = clangxx;
  return true;
}

bool compile_module(const Toolchain& toolchain, const ModuleSources& sources, std::string* wasm_bytes,
                    std::string* error) {
  TempDir tmp;
  if (tmp.path.empty()) {
    *error = "cannot create a temporary directory";
    return false;
  }
  std::vector<std::string> objects;
  for (const SourceFile& f : sources.files) {
    if (f.name.find('/') != std::string::npos || !write_text(tmp.path + "/" + f.name, f.contents)) {
      *error = "cannot write generated source '" + f.name + "'";
      return false;
    }
  }
  for (const SourceFile& f : sources.files) {
    if (f.name.size() < 4 || f.name.compare(f.name.size() - 4, 4, ".cpp") != 0) continue;
    std::string obj = tmp.path + "/" + f.name + ".o";
    std::vector<std::string> argv = {toolchain.clangxx};
    for (auto& flag : compile_flags()) argv.push_back(flag);
    // Keep the temporary directory's name out of the object files.
    argv.push_back("-ffile-prefix-map=" + tmp.path + "=.");
    argv.push_back("-I" + tmp.path);
    for (const auto& inc : sources.include_dirs) argv.push_back("-I" + inc);
    argv.push_back("-c");
    argv.push_back(tmp.path + "/" + f.name);
    argv.push_back("-o");
    argv.push_back(obj);
    std::string log;
    if (run(argv, tmp.path + "/compile.log", &log) != 0) {
      *error = "clang++ failed on generated '" + f.name + "' (a dolc bug; please report it):\n" + log;
      return false;
    }
    objects.push_back(obj);
  }
  std::string out = tmp.path + "/module.wasm";
  // No -O on the link line: clang would run wasm-opt from PATH itself.
  std::vector<std::string> argv = {toolchain.clangxx, "--target=wasm32-wasi", "-mexec-model=reactor",
                                   "-fno-exceptions", "-Wl,--gc-sections", "-Wl,--strip-all"};
  for (auto& o : objects) argv.push_back(o);
  for (auto& lib : sources.static_libraries) argv.push_back(lib);
  argv.push_back("-o");
  argv.push_back(out);
  std::string log;
  if (run(argv, tmp.path + "/link.log", &log) != 0) {
    *error = "linking the wasm module failed:\n" + log;
    return false;
  }
  std::ifstream in(out, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  *wasm_bytes = bytes.str();
  if (wasm_bytes->size() < 8) {
    *error = "the linker produced no module";
    return false;
  }
  return true;
}

}  // namespace dolc::wasm
