#!/usr/bin/env bash
# tests/build/e2e/run_example.sh DOLC EXAMPLE.dol OUT_DIR -- COMMAND...: builds
# the example with `dolc build` (wasm, wit, js) into OUT_DIR, then runs
# COMMAND (a Node test given OUT_DIR and the module name). Generating at test
# time keeps a broken example or runtime from breaking everyone's build.
set -euo pipefail
dolc="$1" example="$2" out="$3"
shift 4
rm -rf "$out"
"$dolc" build "$example" -o "$out" --emit=wasm,wit,js
echo '{"type": "module"}' > "$out/package.json"
exec "$@"
