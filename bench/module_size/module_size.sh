#!/usr/bin/env bash
# bench/module_size/module_size.sh [BUILD_DIR] [--functions SCHEMA.dol [N]]
#
# The size of the modules `dolc build` makes, as outputs.md budgets them
# (wasm, gzip -9): every example under examples/, then one schema per
# strategy (a gene with a single field of that strategy, written here), so
# that "strategies a schema does not use add nothing" can be read off: each
# one-strategy module against the lww one, and all of them against chat
# (which uses all seven). Prints a Markdown table. Not a test: the exit
# status is 1 only when a build fails.
#
# --functions SCHEMA.dol [N]: instead, where the bytes of one module go: its
# generated C++ compiled and linked as `dolc build` does (compiler/wasm/
# toolchain.cpp), but keeping names, through `wasm-opt -Oz -g`, and the N
# largest functions (default 40) with their share of the code (func_sizes.mjs).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$(cd "$build" 2>/dev/null && pwd || echo "$root/$build")" ;; esac
dolc="$build/dolc"
if [ ! -x "$dolc" ]; then
  echo "module_size: $dolc not found; build first (make build)" >&2
  exit 2
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if [ "${2:-}" = "--functions" ]; then
  schema="${3:?usage: module_size.sh BUILD --functions SCHEMA.dol [N]}"
  "$dolc" build "$schema" --emit=cpp -o "$out/cpp" >/dev/null
  clang="$(command -v clang++ || command -v clang++-14)"
  # The flags of compiler/wasm/toolchain.cpp (compile_flags), and its link
  # line without --strip-all (the names are what we are after).
  flags=(--target=wasm32-wasi -std=c++17 -Oz -fno-exceptions -fno-rtti -mbulk-memory -msign-ext -flto
         -ffunction-sections -fdata-sections -fvisibility=hidden -DNDEBUG -DDOLC_SYNTHESIZED_EXPORTS
         -I"$out/cpp" -I"$root/runtime-wasm/include")
  objs=()
  for src in "$out"/cpp/*.cpp; do
    "$clang" "${flags[@]}" -c "$src" -o "$src.o"
    objs+=("$src.o")
  done
  "$clang" --target=wasm32-wasi -mexec-model=reactor -fno-exceptions -Wl,--gc-sections -Wl,--strip-debug \
    "${objs[@]}" "$build/runtime-wasm/wasm32/libdolc_runtime_wasm.a" -o "$out/linked.wasm"
  wasm-opt -Oz -g --low-memory-unused --zero-filled-memory --enable-bulk-memory --enable-sign-ext \
    --enable-nontrapping-float-to-int --enable-mutable-globals "$out/linked.wasm" -o "$out/named.wasm"
  node "$root/bench/module_size/func_sizes.mjs" "$out/named.wasm" "${4:-40}"
  exit 0
fi

gz() { gzip -9 -c "$1" | wc -c; }
status=0
row() {  # name, schema file
  local name="$1" schema="$2"
  rm -rf "$out/m"
  if ! "$dolc" build "$schema" -o "$out/m" >"$out/log" 2>&1; then
    echo "| $name | **FAILED** | |"
    sed 's/^/    /' "$out/log" >&2
    status=1
    return
  fi
  local wasm
  wasm="$(ls "$out"/m/*.wasm)"
  printf '| %s | %s | %s |\n' "$name" "$(stat -c %s "$wasm")" "$(gz "$wasm")"
}

echo "## bench/module_size/module_size.sh"
echo
echo '| module | wasm (bytes) | wasm gzip -9 (bytes) |'
echo '|---|---|---|'
for schema in "$root"/examples/*.dol; do
  row "examples/$(basename "$schema")" "$schema"
done
# One gene, one field: the module of a schema that uses only that strategy.
one() {  # name, field declaration
  printf 'module one @ 1.0.0\n\ngen one.doc @ 1.0.0 {\n  %s\n}\n\ndocs { One field. }\n' "$2" >"$out/$1.dol"
  row "only $1" "$out/$1.dol"
}
one immutable '@crdt(immutable) has v: string'
one lww '@crdt(lww) has v: string'
one mv_register '@crdt(mv_register) has v: string'
one or_set '@crdt(or_set) has v: Set<string>'
one or_set_map '@crdt(or_set) has v: Map<string, i64>'
one pn_counter '@crdt(pn_counter) has v: i64'
one rga '@crdt(rga) has v: List<string>'
one peritext '@crdt(peritext) has v: RichText'
exit $status
