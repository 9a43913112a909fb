#!/usr/bin/env bash
# tests/build/e2e/thunks.sh DOLC CLANGXX RUNTIME_LIB RUNTIME_INCLUDE SCHEMA.dol OUT_DIR -- COMMAND...:
# the generated C++ compiled by hand, as a user of `--emit=cpp` would, without
# `dolc build`. dolc adds a big interface's thin exports to the linked module
# itself (lower/cpp.hpp, ThinExport); compiled elsewhere, NAME.cpp defines
# them as one-line thunks over the same dispatchers. This builds that variant
# (no DOLC_SYNTHESIZED_EXPORTS, no Binaryen) and runs COMMAND on it, so both
# ways of getting the exports are tested with the same script.
set -euo pipefail
dolc="$1" clangxx="$2" runtime_lib="$3" runtime_include="$4" schema="$5" out="$6"
shift 7
name="$(basename "$schema" .dol)"
rm -rf "$out"
"$dolc" build "$schema" -o "$out" --emit=js,cpp
"$clangxx" --target=wasm32-wasi -std=c++17 -Oz -fno-exceptions -fno-rtti -mbulk-memory -msign-ext -flto \
  -ffunction-sections -fdata-sections -fvisibility=hidden -DNDEBUG -Wall -Wextra -Wshadow -Werror \
  -Wno-unused-parameter -Wno-unused-function -I"$out" -I"$runtime_include" -c "$out/$name.cpp" -o "$out/$name.o"
"$clangxx" --target=wasm32-wasi -mexec-model=reactor -fno-exceptions -Wl,--gc-sections -Wl,--strip-all \
  "$out/$name.o" "$runtime_lib" -o "$out/$name.wasm"
echo '{"type": "module"}' > "$out/package.json"
exec "$@"
