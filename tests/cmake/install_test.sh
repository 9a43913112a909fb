#!/usr/bin/env bash
# tests/cmake/install_test.sh CMAKE NINJA BUILD_DIR SOURCE_DIR NODE [CXX]: dolc
# as an installed tool. Installs the build tree (`cmake --install`) into a
# temporary prefix, MOVES the install elsewhere (it must be relocatable), and
# checks, with no DOLC_* variable set:
#  * the installed dolc checks a schema that `use`s the standard library, and
#    builds examples/chat.dol into a module that Node loads and edits;
#  * it reads its own copies: without the installed stdlib or wasm runtime it
#    fails naming the installed path (not the build tree's);
#  * the installed CMake package: tests/cmake/cmake_rule_test.sh (a project of
#    its own, find_package(dolc), dolc_add_module, the generated C++ linked
#    with dolc::runtime) passes against the moved install.
# Prints `N passed, N failed`.
set -uo pipefail
cmake="$1" ninja="$2" build="$3" src="$4" node="$5" cxx="${6:-}"
unset DOLC_STDLIB DOLC_RUNTIME_LIB DOLC_RUNTIME_INCLUDE DOLC_CLANG
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); sed 's/^/     | /' "$work/log" | tail -20; }
check() { local name="$1"; shift; if "$@" >"$work/log" 2>&1; then ok "$name"; else fail "$name"; fi; }

check "cmake --install" "$cmake" --install "$build" --prefix "$work/staged"
mv "$work/staged" "$work/moved"
dolc="$work/moved/bin/dolc"
cd "$work"

check "installed dolc checks a schema that uses the standard library" \
  "$dolc" check "$src/tests/golden/names/stdlib_use.dol"
check "installed dolc builds examples/chat.dol" "$dolc" build "$src/examples/chat.dol" -o "$work/gen"
echo '{"type": "module"}' > "$work/gen/package.json"
cat > "$work/use.mjs" <<'JS'
const m = await import(process.argv[2]);
await m.loadFile();
const a = new m.MessageChat(1n), b = new m.MessageChat(2n);
a.content.insert(0, 'hello');
b.apply(a.changesSince(b.version()));
if (b.content.toString() !== 'hello') throw new Error('the module does not sync');
JS
check "the module it built loads and syncs in Node" "$node" "$work/use.mjs" "$work/gen/chat.js"

mv "$work/moved/share/dolc/stdlib-dol" "$work/stdlib-away"
"$dolc" check "$src/tests/golden/names/stdlib_use.dol" >"$work/log" 2>&1
if grep -qF "$work/moved/share/dolc/stdlib-dol" "$work/log"; then ok "it reads the installed stdlib (error names it when gone)"
else fail "it reads the installed stdlib (error names it when gone)"; fi
mv "$work/stdlib-away" "$work/moved/share/dolc/stdlib-dol"
mv "$work/moved/lib/dolc/libdolc_runtime_wasm.a" "$work/rt-away.a"
"$dolc" build "$src/examples/chat.dol" -o "$work/gen2" >"$work/log" 2>&1
if grep -qF "$work/moved/lib/dolc/libdolc_runtime_wasm.a" "$work/log" && [ ! -e "$work/gen2/chat.wasm" ]; then
  ok "it links the installed wasm runtime (error names it when gone)"
else fail "it links the installed wasm runtime (error names it when gone)"; fi
mv "$work/rt-away.a" "$work/moved/lib/dolc/libdolc_runtime_wasm.a"

if "$src/tests/cmake/cmake_rule_test.sh" "$cmake" "$ninja" "$work/moved/lib/cmake/dolc" "$src/tests/cmake/consumer" $cxx \
     >"$work/log" 2>&1; then
  ok "find_package(dolc) from the moved install: the CMake rule's own test passes"
else
  fail "find_package(dolc) from the moved install: the CMake rule's own test passes"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
