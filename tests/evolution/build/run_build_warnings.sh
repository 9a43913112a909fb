#!/usr/bin/env bash
# tests/evolution/build/run_build_warnings.sh DOLC: `dolc build` of
# unconverted.dol succeeds and warns, once per field, with the golden text in
# unconverted.expected (paths made relative). UPDATE=1 rewrites the golden.
set -euo pipefail
dolc="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$here"
"$dolc" build unconverted.dol -o "$work/out" --color=never 2>"$work/stderr"
if [ "${UPDATE:-}" = 1 ]; then cp "$work/stderr" unconverted.expected; fi
if diff -u unconverted.expected "$work/stderr"; then echo "ok   build warnings match unconverted.expected"; else echo "FAIL build warnings differ"; exit 1; fi
