// compiler/driver: resource paths of an installed or in-tree dolc (see
// install_paths.hpp for the rule).
#include "driver/install_paths.hpp"

#include <filesystem>
#include <system_error>

#include "driver/version.hpp"

#ifndef DOLC_RUNTIME_WASM_LIB
#define DOLC_RUNTIME_WASM_LIB ""
#endif
#ifndef DOLC_RUNTIME_INCLUDE_DIR
#define DOLC_RUNTIME_INCLUDE_DIR ""
#endif

namespace dolc::driver {

std::string installed_prefix() {
  std::error_code ec;
  // Linux: the executable's real path, symlinks (e.g. /usr/local/bin/dolc ->
  // /opt/dolc/bin/dolc) resolved, so PREFIX is where the install really is.
  std::filesystem::path exe = std::filesystem::canonical("/proc/self/exe", ec);
  if (ec || exe.parent_path().filename() != "bin") return "";
  std::filesystem::path prefix = exe.parent_path().parent_path();
  if (!std::filesystem::is_directory(prefix / "share" / "dolc", ec)) return "";
  return prefix.string();
}

std::string default_stdlib_dir() {
  std::string prefix = installed_prefix();
  return prefix.empty() ? DOLC_DEFAULT_STDLIB_DIR : prefix + "/share/dolc/stdlib-dol";
}

std::string default_runtime_lib() {
  std::string prefix = installed_prefix();
  return prefix.empty() ? DOLC_RUNTIME_WASM_LIB : prefix + "/lib/dolc/libdolc_runtime_wasm.a";
}

std::string default_runtime_include() {
  std::string prefix = installed_prefix();
  return prefix.empty() ? DOLC_RUNTIME_INCLUDE_DIR : prefix + "/include";
}

}  // namespace dolc::driver
