#!/usr/bin/env bash
# tests/hostkit/run_with_module.sh DOLC SCHEMA.dol OUT_DIR -- COMMAND...: builds
# the schema with `dolc build` (wasm, js, schema-json: the kit reads the
# sync_policy from the schema JSON) into OUT_DIR, then runs COMMAND.
set -euo pipefail
dolc="$1" schema="$2" out="$3"
shift 4
rm -rf "$out"
"$dolc" build "$schema" -o "$out" --emit=wasm,js,schema-json
echo '{"type": "module"}' > "$out/package.json"
exec "$@"
