#!/usr/bin/env bash
# bench/modules/bench_modules.sh [BUILD_DIR] [RUNS]: for every example in
# examples/, the size of the module `dolc build` makes (the .wasm raw and
# gzip -9, the JS glue gzip -9, both together) and the `dolc build` wall time
# (median of RUNS builds, default 5, each into an empty directory; the
# runtime is prebuilt in BUILD_DIR, as in any use of dolc). Prints a Markdown
# table and the chat example against its budget (outputs.md: <= 40 KB gzip).
# Not a test: exit status 1 only when a build fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-build}"
runs="${2:-5}"
case "$build" in /*) ;; *) build="$(cd "$build" 2>/dev/null && pwd || echo "$root/$build")" ;; esac
dolc="$build/dolc"
if [ ! -x "$dolc" ]; then
  echo "bench_modules: $dolc not found; build first (make build)" >&2
  exit 2
fi
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: bench/modules/bench_modules.sh [BUILD_DIR] [RUNS >= 1]" >&2
  exit 2
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
gz() { gzip -9 -c "$1" | wc -c; }

echo "## bench/modules/bench_modules.sh"
echo
echo "dolc build time: median of $runs builds, each into an empty directory; load average $(cut -d' ' -f1-3 /proc/loadavg) at start."
echo
echo '| example | wasm (KB) | wasm gzip -9 (KB) | JS glue gzip -9 (KB) | wasm + JS gzip -9 (KB) | dolc build (s) |'
echo '|---|---|---|---|---|---|'
status=0
chat_gz=""
for schema in "$root"/examples/*.dol; do
  name="$(basename "$schema" .dol)"
  times=()
  failed=""
  for ((i = 0; i < runs; i++)); do
    rm -rf "$out/$name"
    start=$(date +%s%N)
    if ! "$dolc" build "$schema" -o "$out/$name" >"$out/log" 2>&1; then
      failed=1
      break
    fi
    end=$(date +%s%N)
    times+=($(((end - start) / 1000)))
  done
  if [ -n "$failed" ]; then
    echo "| $name | **FAILED**: dolc build exited non-zero | | | | |"
    sed 's/^/    /' "$out/log" >&2
    status=1
    continue
  fi
  median_us=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  wasm="$out/$name/$name.wasm"
  js="$out/$name/$name.js"
  raw=$(stat -c %s "$wasm")
  wasm_gz=$(gz "$wasm")
  js_gz=$(gz "$js")
  both_gz=$(cat "$wasm" "$js" | gzip -9 -c | wc -c)
  [ "$name" = chat ] && chat_gz=$wasm_gz
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$(kb "$raw")" "$(kb "$wasm_gz")" "$(kb "$js_gz")" \
    "$(kb "$both_gz")" "$(awk -v us="$median_us" 'BEGIN { printf "%.2f", us / 1e6 }')"
done
if [ -n "$chat_gz" ]; then
  verdict=$(awk -v b="$chat_gz" 'BEGIN { print (b <= 40 * 1024) ? "within" : "**over**" }')
  echo
  echo "chat module, wasm gzip -9: $(kb "$chat_gz") KB; budget <= 40 KB: $verdict."
fi
exit $status
