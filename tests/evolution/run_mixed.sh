#!/usr/bin/env bash
# tests/evolution/run_mixed.sh DOLC NODE OUT_DIR NAME SEEDS R1.dol R2.dol R3.dol:
# builds three releases of one schema (each as NAME.dol, so that the modules
# share file names) into OUT_DIR/r1..r3 and runs mixed_versions.mjs on them.
set -euo pipefail
dolc="$1" node="$2" out="$3" name="$4" seeds="$5"
shift 5
rm -rf "$out"
i=0
for schema in "$@"; do
  i=$((i + 1))
  mkdir -p "$out/src$i" "$out/r$i"
  cp "$schema" "$out/src$i/$name.dol"
  "$dolc" build "$out/src$i/$name.dol" -o "$out/r$i" --emit=wasm,wit,js
  echo '{"type": "module"}' > "$out/r$i/package.json"
done
here="$(cd "$(dirname "$0")" && pwd)"
exec "$node" "$here/mixed_versions.mjs" "$seeds" "$out/r1" "$out/r2" "$out/r3" "$name"
