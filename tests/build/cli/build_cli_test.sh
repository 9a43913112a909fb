#!/usr/bin/env bash
# tests/build/cli/build_cli_test.sh DOLC EXAMPLE.dol: `dolc build` as a build
# tool. Checks: two builds give identical bytes (determinism); a rebuild with
# nothing changed rewrites nothing (mtimes unchanged); the depfile names the
# input; a missing toolchain (`--clang /nonexistent`) exits 2 with a clear
# error and leaves no output behind; a bad --emit value exits 2.
# Prints `N passed, N failed`.
set -uo pipefail
dolc="$1" example="$2"
name="$(basename "$example" .dol)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

"$dolc" build "$example" -o "$work/a" --emit=wasm,wit,js,cpp --depfile "$work/a.d" 2>"$work/a.err"
rc=$?
[ $rc -eq 0 ] && ok "first build exits 0" || { fail "first build exits 0 (got $rc)"; cat "$work/a.err"; }
[ -s "$work/a/$name.wasm" ] && ok "$name.wasm written" || fail "$name.wasm written"
"$dolc" build "$example" -o "$work/b" --emit=wasm,wit,js,cpp 2>/dev/null
if diff -r "$work/a" "$work/b" >/dev/null; then ok "two builds give identical bytes"; else fail "two builds give identical bytes"; diff -rq "$work/a" "$work/b"; fi

before="$(stat -c '%n %y' "$work"/a/* | sort)"
sleep 1
"$dolc" build "$example" -o "$work/a" --emit=wasm,wit,js,cpp --depfile "$work/a.d" 2>/dev/null
after="$(stat -c '%n %y' "$work"/a/* | sort)"
[ "$before" = "$after" ] && ok "a rebuild with no change rewrites nothing (mtimes kept)" || fail "a rebuild with no change rewrites nothing"
ls -A "$work/a" | grep -q '\.tmp' && fail "no temporary files left" || ok "no temporary files left"

grep -q "$name.wasm" "$work/a.d" && grep -q "$(basename "$example")" "$work/a.d" && ok "depfile lists outputs and the input" || fail "depfile lists outputs and the input"

"$dolc" build "$example" -o "$work/c" --clang /nonexistent >"$work/c.out" 2>&1
rc=$?
[ $rc -eq 2 ] && ok "missing toolchain exits 2" || fail "missing toolchain exits 2 (got $rc)"
grep -q "error:" "$work/c.out" && grep -qi "clang" "$work/c.out" && ok "missing toolchain gives a clear error" || { fail "missing toolchain gives a clear error"; cat "$work/c.out"; }
[ ! -e "$work/c" ] && ok "no partial outputs after a failed build" || fail "no partial outputs after a failed build: $(ls "$work/c")"

"$dolc" build "$example" -o "$work/d" --emit=wasm,nope >"$work/d.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "nope" "$work/d.out" && ok "bad --emit exits 2 naming the entry" || fail "bad --emit exits 2 naming the entry"

"$dolc" build "$example" 2>"$work/e.out"
[ $? -eq 2 ] && ok "missing -o exits 2" || fail "missing -o exits 2"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
