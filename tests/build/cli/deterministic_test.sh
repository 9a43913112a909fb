#!/usr/bin/env bash
# tests/build/cli/deterministic_test.sh DOLC EXAMPLES_DIR: every example's
# generated sources (JS, d.ts, WIT, C++, schema JSON; no wasm, so no clang)
# are the same bytes in two runs, and the JS field ids (a field's key in the
# bytes) are printable keys, not memory read after it was freed (the ledger
# example's ids once were). Prints `N passed, N failed`.
set -uo pipefail
dolc="$1" examples="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
for example in "$examples"/*.dol; do
  name="$(basename "$example" .dol)"
  for run in a b; do
    "$dolc" build "$example" -o "$work/$name.$run" --emit=js,wit,cpp,schema-json >/dev/null 2>&1
  done
  if [ -s "$work/$name.a/$name.js" ] && diff -r "$work/$name.a" "$work/$name.b" >/dev/null; then
    passed=$((passed + 1)); echo "ok   $name: two runs give identical sources"
  else
    failed=$((failed + 1)); echo "FAIL $name: two runs give identical sources"; diff -rq "$work/$name.a" "$work/$name.b"
  fi
  # Field ids are keys: a name, maybe @VERSION.
  if grep -o 'id: "[^"]*"' "$work/$name.a/$name.js" | grep -qv '^id: "[A-Za-z_][A-Za-z0-9_]*\(@[0-9][0-9A-Za-z.+-]*\)\?"$'; then
    failed=$((failed + 1)); echo "FAIL $name: field ids are keys"; grep -o 'id: "[^"]*"' "$work/$name.a/$name.js" | sort -u | head -5
  else
    passed=$((passed + 1)); echo "ok   $name: field ids are keys"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
