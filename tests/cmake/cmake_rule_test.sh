#!/usr/bin/env bash
# tests/cmake/cmake_rule_test.sh CMAKE NINJA DOLC_DIR CONSUMER_SRC [CXX]:
# dolc_add_module() as a build engineer uses it. Copies the consumer project
# (consumer/: order.dol `use`s schemas/lib/shop.common.dol) to a temporary
# folder, configures it with Ninja against the dolc package in DOLC_DIR
# (<build>/lib/cmake/dolc), then checks: the build writes every output in
# NAME_OUTPUTS and the program using the generated C++ runs; a second build
# has no work; touching the imported file reruns dolc but nothing downstream
# (outputs unchanged, restat) and leaves no work; editing it rebuilds the
# outputs and the C++ program; an error in it fails the build with dolc's
# diagnostic, keeps the old outputs, and fails again on the next build.
# Prints `N passed, N failed`.
set -uo pipefail
cmake="$1" ninja="$2" dolc_dir="$3" consumer="$4" cxx="${5:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
# check NAME COMMAND...: ok if the command succeeds, else fail and show the last build log.
check() {
  local name="$1"; shift
  if "$@"; then ok "$name"; else fail "$name"; sed 's/^/     | /' "$work/log"; fi
}
build() { "$ninja" -C "$work/b" >"$work/log" 2>&1; }
no_work() { build && grep -q '^ninja: no work to do\.$' "$work/log"; }
ran() { grep -qF "$1" "$work/log"; }
not_ran() { ! ran "$1"; }
mtimes() { stat -c '%n %y' $(cat "$work/b/outputs.txt") 2>/dev/null; }

cp -r "$consumer" "$work/src"
common="$work/src/schemas/lib/shop.common.dol"
gen="$work/b/dolc_gen/shop"

start=$SECONDS
"$cmake" -S "$work/src" -B "$work/b" -G Ninja -DCMAKE_MAKE_PROGRAM="$ninja" -Ddolc_DIR="$dolc_dir" \
    ${cxx:+-DCMAKE_CXX_COMPILER="$cxx"} >"$work/log" 2>&1
check "configure with find_package(dolc)" test $? -eq 0

check "first build" build
missing=""
for f in $(cat "$work/b/outputs.txt" 2>/dev/null); do [ -s "$f" ] || missing="$missing $f"; done
check "every file of NAME_OUTPUTS written${missing:+ (missing:$missing)}" test -z "$missing" -a -s "$work/b/outputs.txt"
"$work/b/shop_demo" >"$work/log" 2>&1
check "the CPP_LIBRARY program runs" grep -q '"amount_minor":1250' "$work/log"
check "a second build has no work to do" no_work

before="$(mtimes)"
touch "$common"
build
check "touching the imported file reruns dolc" ran "dolc build shop "
check "... but compiles no C++ (outputs unchanged, restat)" not_ran "Building CXX"
check "... and rewrites no output" test "$before" = "$(mtimes)"
check "... then there is no work to do" no_work

sed -i 's/  has currency: string/&\n\n  @crdt(lww)\n  has note: string/' "$common"
build
check "editing the imported file rebuilds the module" ran "dolc build shop "
check "... and the program using its C++" ran "Linking CXX executable shop_demo"
check "... with the new field in the outputs" grep -q '"note"' "$gen/order.schema.json"
check "... then there is no work to do" no_work

cp "$gen/order.js" "$work/order.js.before"
sed -i 's/has amount_minor: i64/has amount_minor: Int64x/' "$common"
build
rc=$?
check "an error in the imported file fails the build" test $rc -ne 0
check "... printing dolc's diagnostic" grep -qE 'shop\.common\.dol:[0-9]+:[0-9]+: error: unknown type `Int64x`' "$work/log"
check "... and keeping the previous outputs" cmp -s "$gen/order.js" "$work/order.js.before"
build
check "... and the next build fails again" test $? -ne 0

echo "consumer configured, built and edited in $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
