#!/usr/bin/env bash
# tests/build/tsc/run_tsc.sh TSC GEN_DIR NAME PROGRAM: type-checks PROGRAM (a
# .ts file importing ./NAME.js) against the generated GEN_DIR/NAME.d.ts with
# `tsc --strict --noEmit`, in a scratch directory.
set -euo pipefail
tsc="$1" gen="$2" name="$3" program="$4"
if [ ! -x "$tsc" ]; then
  echo "typescript is not installed at $tsc: run tools/setup.sh (npm install in tools/node)" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$gen/$name.js" "$gen/$name.d.ts" "$work/"
cp "$program" "$(dirname "$program")/tsconfig.json" "$work/"
cd "$work"
"$tsc" -p tsconfig.json
echo "tsc accepted $(basename "$program") against $name.d.ts"
