#!/usr/bin/env bash
# tests/build/regress/run_build_warnings.sh DOLC NAME: `dolc build` of
# NAME.dol (in this folder) succeeds and prints exactly NAME.expected on
# stderr (the `not-compiled` warnings). UPDATE=1 rewrites the golden.
set -euo pipefail
dolc="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
name="$2"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$here"
"$dolc" build "$name.dol" -o "$work/out" --color=never 2>"$work/stderr"
test -s "$work/out/$name.wasm"
if [ "${UPDATE:-}" = 1 ]; then cp "$work/stderr" "$name.expected"; fi
if diff -u "$name.expected" "$work/stderr"; then echo "ok   build warnings match $name.expected"; else echo "FAIL build warnings differ"; exit 1; fi
