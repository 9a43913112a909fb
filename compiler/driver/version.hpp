// compiler/driver: version and built-in paths, set by CMake at configure time.
#pragma once

#ifndef DOLC_VERSION_STRING
#define DOLC_VERSION_STRING "0.0.0"
#endif
#ifndef DOLC_DEFAULT_STDLIB_DIR
#define DOLC_DEFAULT_STDLIB_DIR "stdlib-dol"
#endif
