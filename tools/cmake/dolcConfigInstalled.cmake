# dolcConfig.cmake of an installed dolc (installed from
# tools/cmake/dolcConfigInstalled.cmake as PREFIX/lib/cmake/dolc/dolcConfig.cmake).
# Gives dolc_add_module() (docs/cmake.md), DOLC_EXECUTABLE,
# DOLC_RUNTIME_WASM_LIB and dolc::runtime, all found from this file's place,
# so the install can be moved.
get_filename_component(_dolc_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(DOLC_EXECUTABLE "${_dolc_prefix}/bin/dolc" CACHE FILEPATH "the dolc compiler that dolc_add_module runs")
set(DOLC_RUNTIME_WASM_LIB "${_dolc_prefix}/lib/dolc/libdolc_runtime_wasm.a")
if(NOT TARGET dolc::runtime)
  include("${CMAKE_CURRENT_LIST_DIR}/dolcTargets.cmake")
endif()
include("${CMAKE_CURRENT_LIST_DIR}/DolcModule.cmake")
unset(_dolc_prefix)
