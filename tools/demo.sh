#!/usr/bin/env bash
# tools/demo.sh [BUILD]: the two-replica chat demo (`make demo`).
#
# Compiles examples/chat.dol with BUILD/dolc into BUILD/demo/ (chat.wasm,
# chat.wit, chat.js, chat.d.ts), then runs tools/demo.mjs: two replicas of
# one chat message (actors alice and bob) edit it concurrently offline — text
# with a bold mark, reactions, likes, pinned, status — sync both ways with
# version/changesSince/apply, and print the converged document.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
dolc="$build/dolc"
if [ ! -x "$dolc" ]; then
  echo "demo: $dolc not found; run 'make build' first" >&2
  exit 2
fi
out="$build/demo"
echo "== dolc build examples/chat.dol -o $out"
"$dolc" build "$root/examples/chat.dol" -o "$out"
echo '{"type": "module"}' > "$out/package.json"
ls -l "$out" | sed 's/^/   /'
echo
echo "== two replicas in Node (tools/demo.mjs)"
node "$root/tools/demo.mjs" "$out"
