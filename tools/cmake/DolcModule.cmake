# tools/cmake/DolcModule.cmake: dolc_add_module(), the CMake rule that runs
# `dolc build` on DOL schemas. Documented in docs/cmake.md.
#
#   dolc_add_module(NAME SCHEMAS a.dol [b.dol ...]
#                   [INCLUDE_DIRS dir ...]       # -I DIR for `use`d modules
#                   [EMIT wasm wit js cpp schema-json]   # default: wasm wit js
#                                                # (the kinds: compiler/emit/outputs.def)
#                   [OUTPUT_DIR dir]             # default: ${CMAKE_CURRENT_BINARY_DIR}/dolc_gen/NAME
#                   [DOLC path]                  # the compiler to run
#                   [CPP_LIBRARY lib]            # a static library of the generated C++
#                   [EXCLUDE_FROM_ALL])
#
# One custom command runs `dolc build` with --depfile, so Ninja (and Make)
# rerun it when any file it read changes, `use`d files included. dolc writes
# an output only when its bytes change and CMake marks custom commands
# `restat`, so an edit that changes nothing downstream stops there.
#
# Gives: a custom target NAME; in the caller's scope NAME_OUTPUTS (every file
# written) and NAME_OUTPUT_DIR; on the target, the properties DOLC_OUTPUTS,
# DOLC_OUTPUT_DIR and DOLC_BASENAME (the outputs' stem: the first schema's file
# name without .dol).
#
# Which dolc: DOLC, else the DOLC_EXECUTABLE cache variable (set by
# find_package(dolc)), else the `dolc` target of this project, else `dolc` on
# PATH. CPP_LIBRARY links the native runtime: the `dolc_runtime` target in this
# project, `dolc::runtime` from find_package(dolc).
include_guard(GLOBAL)
if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "dolc_add_module needs CMake 3.20 or newer (DEPFILE with CMP0116)")
endif()
# The functions below record these policies whatever the caller's version;
# among them CMP0116 (Ninja rewrites DEPFILE paths for the build dir).
cmake_policy(VERSION 3.20)

# The output kinds are the rows of dolc's compiler/emit/outputs.def, read
# here with a regular expression: in a source tree from ../../compiler/emit,
# in an installed package from the copy next to this file.
if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/dolc_outputs.def")
  set(_dolc_outputs_def "${CMAKE_CURRENT_LIST_DIR}/dolc_outputs.def")
else()
  set(_dolc_outputs_def "${CMAKE_CURRENT_LIST_DIR}/../../compiler/emit/outputs.def")
endif()
file(STRINGS "${_dolc_outputs_def}" _dolc_output_rows REGEX "^DOLC_OUTPUT\\(")
set(_dolc_kinds "")
set(_dolc_default_kinds "")
foreach(row IN LISTS _dolc_output_rows)
  if(NOT row MATCHES "^DOLC_OUTPUT\\([A-Za-z]+, \"([^\"]+)\", (true|false), \"([^\"]+)\"")
    message(FATAL_ERROR "DolcModule.cmake: cannot read this row of ${_dolc_outputs_def}: ${row}")
  endif()
  list(APPEND _dolc_kinds ${CMAKE_MATCH_1})
  if(CMAKE_MATCH_2 STREQUAL "true")
    list(APPEND _dolc_default_kinds ${CMAKE_MATCH_1})
  endif()
  # A global property: dolc_add_module() may be called from any directory.
  set_property(GLOBAL PROPERTY _DOLC_FILES_${CMAKE_MATCH_1} "${CMAKE_MATCH_3}")
endforeach()
# What --emit takes, in the order dolc writes (and lists in the depfile).
set_property(GLOBAL PROPERTY _DOLC_KINDS "${_dolc_kinds}")
set_property(GLOBAL PROPERTY _DOLC_DEFAULT_KINDS "${_dolc_default_kinds}")

# The files `dolc build --emit=KIND` writes for outputs named STEM.
function(_dolc_files_of kind stem out_var)
  get_property(pattern GLOBAL PROPERTY _DOLC_FILES_${kind})
  string(REPLACE " " ";" files "${pattern}")
  list(TRANSFORM files REPLACE "^NAME" "${stem}")
  set(${out_var} ${files} PARENT_SCOPE)
endfunction()

# The command that runs dolc (out_cmd) and what the custom command depends on
# for it (out_deps).
function(_dolc_find_compiler explicit out_cmd out_deps)
  if(explicit)
    set(cmd ${explicit})
  elseif(DOLC_EXECUTABLE)
    set(cmd ${DOLC_EXECUTABLE})
  elseif(TARGET dolc)
    set(${out_cmd} $<TARGET_FILE:dolc> PARENT_SCOPE)
    set(${out_deps} dolc PARENT_SCOPE)
    return()
  else()
    find_program(DOLC_EXECUTABLE dolc)
    if(NOT DOLC_EXECUTABLE)
      message(FATAL_ERROR "dolc_add_module: dolc not found; pass DOLC, set DOLC_EXECUTABLE, or find_package(dolc)")
    endif()
    set(cmd ${DOLC_EXECUTABLE})
  endif()
  get_filename_component(cmd "${cmd}" ABSOLUTE)
  set(${out_cmd} ${cmd} PARENT_SCOPE)
  set(${out_deps} ${cmd} PARENT_SCOPE)
endfunction()

function(dolc_add_module name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "EXCLUDE_FROM_ALL" "OUTPUT_DIR;DOLC;CPP_LIBRARY" "SCHEMAS;INCLUDE_DIRS;EMIT")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "dolc_add_module(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SCHEMAS)
    message(FATAL_ERROR "dolc_add_module(${name}): SCHEMAS is required")
  endif()
  if(NOT arg_EMIT)
    get_property(arg_EMIT GLOBAL PROPERTY _DOLC_DEFAULT_KINDS)
  endif()
  if(arg_CPP_LIBRARY AND NOT "cpp" IN_LIST arg_EMIT)
    list(APPEND arg_EMIT cpp)
  endif()
  if(NOT arg_OUTPUT_DIR)
    set(arg_OUTPUT_DIR dolc_gen/${name})
  endif()
  get_filename_component(out_dir "${arg_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")

  # Absolute paths everywhere, so the depfile dolc writes is absolute too.
  set(schemas "")
  foreach(schema IN LISTS arg_SCHEMAS)
    get_filename_component(schema "${schema}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND schemas "${schema}")
  endforeach()
  set(include_flags "")
  foreach(dir IN LISTS arg_INCLUDE_DIRS)
    get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND include_flags -I "${dir}")
  endforeach()

  list(GET schemas 0 first)
  get_filename_component(stem "${first}" NAME)
  string(REGEX REPLACE "\\.dol$" "" stem "${stem}")
  get_property(kinds GLOBAL PROPERTY _DOLC_KINDS)
  foreach(kind IN LISTS arg_EMIT)
    if(NOT kind IN_LIST kinds)
      string(REPLACE ";" ", " expected "${kinds}")
      message(FATAL_ERROR "dolc_add_module(${name}): unknown EMIT kind '${kind}' (expected ${expected})")
    endif()
  endforeach()
  # In dolc's order: Ninja wants the depfile's first target to be the first OUTPUT.
  set(outputs "")
  set(emit "")
  foreach(kind IN LISTS kinds)
    if(kind IN_LIST arg_EMIT)
      _dolc_files_of(${kind} ${stem} files)
      list(TRANSFORM files PREPEND "${out_dir}/")
      list(APPEND outputs ${files})
      list(APPEND emit ${kind})
    endif()
  endforeach()
  string(REPLACE ";" "," emit_csv "${emit}")

  _dolc_find_compiler("${arg_DOLC}" dolc_cmd dolc_deps)
  # A module links the wasm32 runtime, which the depfile does not list.
  if("wasm" IN_LIST arg_EMIT AND DOLC_RUNTIME_WASM_LIB)
    list(APPEND dolc_deps ${DOLC_RUNTIME_WASM_LIB})
  endif()

  set(depfile "${out_dir}/${stem}.d")
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ${dolc_cmd} build ${schemas} -o ${out_dir} --emit=${emit_csv} --depfile ${depfile} ${include_flags}
    DEPENDS ${schemas} ${dolc_deps}
    DEPFILE ${depfile}
    COMMENT "dolc build ${name} (${emit_csv})"
    VERBATIM)
  if(arg_EXCLUDE_FROM_ALL)
    add_custom_target(${name} DEPENDS ${outputs})
  else()
    add_custom_target(${name} ALL DEPENDS ${outputs})
  endif()
  set_target_properties(${name} PROPERTIES DOLC_OUTPUTS "${outputs}" DOLC_OUTPUT_DIR "${out_dir}" DOLC_BASENAME "${stem}")
  set(${name}_OUTPUTS ${outputs} PARENT_SCOPE)
  set(${name}_OUTPUT_DIR ${out_dir} PARENT_SCOPE)

  if(arg_CPP_LIBRARY)
    if(TARGET dolc_runtime)
      set(runtime dolc_runtime)
    elseif(TARGET dolc::runtime)
      set(runtime dolc::runtime)
    else()
      message(FATAL_ERROR "dolc_add_module(${name}): CPP_LIBRARY needs the native runtime: "
                          "find_package(dolc) from a dolc build tree, or call it inside the dolc project")
    endif()
    add_library(${arg_CPP_LIBRARY} STATIC ${out_dir}/${stem}.cpp)
    # BEFORE: the generated dolc_gen_rt.hpp wins over the runtime's copy.
    target_include_directories(${arg_CPP_LIBRARY} BEFORE PUBLIC ${out_dir})
    target_link_libraries(${arg_CPP_LIBRARY} PUBLIC ${runtime})
    target_compile_features(${arg_CPP_LIBRARY} PUBLIC cxx_std_17)
    add_dependencies(${arg_CPP_LIBRARY} ${name})
  endif()
endfunction()
