#!/usr/bin/env bash
# tests/hostkit/run_tsc_kit.sh TSC GEN_DIR: type-checks kit_usage.ts against
# hostkit/*.d.ts and the generated chat.d.ts with `tsc --strict --noEmit`, in a
# scratch directory (hostkit/ is linked there so the program's imports resolve).
set -euo pipefail
tsc="$1" gen="$2"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$gen/chat.js" "$gen/chat.d.ts" "$here/kit_usage.ts" "$work/"
ln -s "$here/../../hostkit" "$work/hostkit"
echo '{"type": "module"}' > "$work/package.json"
cd "$work"
"$tsc" --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext --lib es2022,dom kit_usage.ts
echo "tsc accepted kit_usage.ts against hostkit/*.d.ts and chat.d.ts"
