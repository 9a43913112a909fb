// compiler/driver: where dolc finds its own resources (the standard library,
// the wasm32 runtime and its headers).
//
// An installed dolc (`cmake --install`, `make install`) is relocatable: when
// this executable is PREFIX/bin/dolc and PREFIX/share/dolc exists, the
// resources are read from PREFIX (share/dolc/stdlib-dol, lib/dolc,
// include), wherever PREFIX was moved to. Otherwise (build/dolc in a build
// tree) they are the source and build tree paths CMake compiled in. The
// environment (DOLC_STDLIB, DOLC_RUNTIME_LIB, DOLC_RUNTIME_INCLUDE) and
// --stdlib override both.
#pragma once

#include <string>

namespace dolc::driver {

// PREFIX of an installed dolc, or "" when this one runs from a build tree.
std::string installed_prefix();

std::string default_stdlib_dir();
std::string default_runtime_lib();
std::string default_runtime_include();

}  // namespace dolc::driver
