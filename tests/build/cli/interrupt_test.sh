#!/usr/bin/env bash
# tests/build/cli/interrupt_test.sh DOLC EXAMPLE.dol: an interrupted `dolc
# build` cleans up. For SIGINT, SIGTERM and SIGHUP: starts a build, waits
# until its clang child runs, sends the signal, and checks that dolc exits
# with 128+signal, that no process of the build survives (clang, and the
# wasm-ld or cc1 it runs), that its temporary directory is gone (TMPDIR is
# private to the test) and that the output directory holds no file, whole or
# half-written. Prints `N passed, N failed`.
set -uo pipefail
set -m  # job control: background jobs get SIGINT like any process (not ignored)
dolc="$1" example="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# Every descendant pid of $1 (children first found by their parent pid).
descendants() {
  local kids
  kids="$(ps -o pid= --ppid "$1" 2>/dev/null)"
  for k in $kids; do
    echo "$k"
    descendants "$k"
  done
}

for sig in INT TERM HUP; do
  tmp="$work/tmp-$sig" out="$work/out-$sig"
  mkdir -p "$tmp"
  TMPDIR="$tmp" "$dolc" build "$example" -o "$out" --emit=wasm,wit,js,cpp 2>"$work/$sig.err" &
  pid=$!
  # Wait (up to 60 s) for the clang child compiling the generated module.
  kids=""
  for _ in $(seq 600); do
    kids="$(descendants "$pid")"
    [ -n "$kids" ] && [ -n "$(ls -A "$tmp")" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$kids" ]; then
    fail "SIG$sig: the build started a clang child (none seen)"
    wait "$pid"
    continue
  fi
  kill -s "$sig" "$pid"
  wait "$pid"
  rc=$?
  want=$((128 + $(kill -l "$sig")))
  [ "$rc" -eq "$want" ] && ok "SIG$sig: dolc exits $want" || fail "SIG$sig: dolc exits $want (got $rc)"
  alive=""
  for _ in $(seq 20); do
    alive=""
    for k in $kids; do kill -0 "$k" 2>/dev/null && alive="$alive $k"; done
    [ -z "$alive" ] && break
    sleep 0.1
  done
  [ -z "$alive" ] && ok "SIG$sig: no child of the build survives" ||
    { fail "SIG$sig: children survive:$alive"; ps -o pid,args -p ${alive// /,}; kill -9 $alive 2>/dev/null; }
  [ -z "$(ls -A "$tmp")" ] && ok "SIG$sig: the temporary directory is removed" ||
    fail "SIG$sig: temporaries left: $(ls -A "$tmp")"
  [ -z "$(ls -A "$out" 2>/dev/null)" ] && ok "SIG$sig: no output written" ||
    fail "SIG$sig: outputs left: $(ls -A "$out")"
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
