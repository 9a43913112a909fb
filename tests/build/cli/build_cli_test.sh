#!/usr/bin/env bash
# tests/build/cli/build_cli_test.sh DOLC EXAMPLE.dol: `dolc build` as a build
# tool. Checks: two builds give identical bytes (determinism); a rebuild with
# nothing changed rewrites nothing (mtimes unchanged); the depfile names the
# input; a missing toolchain (`--clang /nonexistent`) exits 2 with a clear
# error and leaves no output behind; a bad --emit value exits 2, and so does
# an empty one; I/O errors (an -o that is a symlink loop, `check /dev/zero`)
# exit 2 with a message, never an abort; a depfile that cannot be written
# leaves every output as it was.
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

"$dolc" build "$example" -o "$work/f" --emit= >"$work/f.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "emit" "$work/f.out" && [ ! -e "$work/f" ] && ok "--emit= (empty) is a usage error" ||
  { fail "--emit= (empty) is a usage error (got $rc)"; cat "$work/f.out"; }

ln -s "$work/loop" "$work/loop"
"$dolc" build "$example" -o "$work/loop/out" >"$work/g.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "error:" "$work/g.out" && ok "-o through a symlink loop exits 2 with a message" ||
  { fail "-o through a symlink loop exits 2 with a message (got $rc)"; cat "$work/g.out"; }
"$dolc" check "$work/loop" >"$work/g2.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "error:" "$work/g2.out" && ok "an input that is a symlink loop exits 2 with a message" ||
  { fail "an input that is a symlink loop exits 2 with a message (got $rc)"; cat "$work/g2.out"; }

timeout 60 "$dolc" check /dev/zero >"$work/h.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "larger than" "$work/h.out" && ok "check /dev/zero is refused by the size limit, exit 2" ||
  { fail "check /dev/zero is refused by the size limit, exit 2 (got $rc)"; head -c 500 "$work/h.out"; }

# A depfile that cannot be written: the build fails and every output keeps
# its old bytes (here: the outputs of a build of a different schema).
mkdir -p "$work/i"
other="$work/$name.dol"
sed 's/^module \([a-z.]*\) @ .*/module \1 @ 9.9.9/' "$example" >"$other"
"$dolc" build "$other" -o "$work/i" --emit=wit,js 2>/dev/null
before="$(cd "$work/i" && md5sum * | sort)"
"$dolc" build "$example" -o "$work/i" --emit=wit,js --depfile "$work/nodir/x.d" >"$work/i.out" 2>&1
rc=$?
after="$(cd "$work/i" && md5sum * | sort)"
[ $rc -eq 2 ] && grep -q "x.d" "$work/i.out" && ok "an unwritable depfile exits 2 naming it" ||
  { fail "an unwritable depfile exits 2 naming it (got $rc)"; cat "$work/i.out"; }
[ -n "$before" ] && [ "$before" = "$after" ] && ok "an unwritable depfile leaves the outputs as they were" ||
  fail "an unwritable depfile leaves the outputs as they were"
ls -A "$work/i" | grep -q '\.tmp' && fail "no temporaries after a failed depfile" || ok "no temporaries after a failed depfile"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
