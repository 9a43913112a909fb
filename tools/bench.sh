#!/usr/bin/env bash
# tools/bench.sh [BUILD]: runs every benchmark program of bench/ (`make bench`,
# after `make build`) and prints their figures; bench/README.md says what each
# measures. Not part of `make test`: nothing here asserts on time. A program
# that fails, or whose output checks fail (a wrong final text, a crash), is
# named at the end and makes the exit status 1; the others still run.
#
# The figures also go to BUILD/bench/figures.md. Environment:
#   BENCH_ONLY="check scale traces sync modules sizes node api hostkit"  the programs to run (default: all)
#   BENCH_SCALE_SIZES=5000,50000            schema sizes for bench/schema_scale (fields)
#   BENCH_SCALE_BUILD_MAX=5000              dolc build only up to this many fields (check runs on all)
#   BENCH_NODE_ARGS="--runs 5 ..."          extra options for bench/node/compare.mjs
#   BENCH_MODULE_RUNS=5                     dolc builds per example (bench_modules.sh)
# Run it on an idle machine: another job's compile changes every figure.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
if ! build="$(cd "$build" 2>/dev/null && pwd)" || [ ! -x "$build/dolc" ]; then
  echo "bench: ${1:-$root/build}/dolc not found; run 'make build' first" >&2
  exit 2
fi
only=" ${BENCH_ONLY:-check scale traces sync modules sizes node api hostkit} "
mkdir -p "$build/bench"
figures="$build/bench/figures.md"
failed=()

# step NAME TITLE COMMAND...: runs one program when NAME is selected.
step() {
  local name="$1" title="$2"
  shift 2
  [[ "$only" == *" $name "* ]] || return 0
  echo
  echo "== $title"
  echo "   \$ ${*/#$root\//}"
  if ! (cd "$root" && "$@"); then
    failed+=("$title")
  fi
}

{
  echo "# dolc benchmark figures"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(
    git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

  step check "dolc check on a generated 12,000-line schema (bench/check)" \
    python3 "$root/bench/check/bench_check.py" "$build/dolc"
  step scale "dolc check and build against schema size (bench/schema_scale)" \
    python3 "$root/bench/schema_scale/bench_schema_scale.py" "$build/dolc" "${BENCH_SCALE_SIZES:-5000,50000}" \
    --build-max "${BENCH_SCALE_BUILD_MAX:-5000}"
  step traces "the runtime's text natively on the editing traces (bench/traces)" \
    "$build/bench/traces/bench_traces"
  # A whole document natively (change log, save/load), where the build has it.
  if [ -x "$build/bench/traces/bench_doc_traces" ]; then
    step traces "the traces through a whole document, natively (bench/traces)" \
      "$build/bench/traces/bench_doc_traces"
  fi
  step sync "out-of-order delivery natively (bench/sync)" \
    "$build/bench/sync/bench_held_changes" 20000
  step modules "module size and build time of the examples (bench/modules)" \
    bash "$root/bench/modules/bench_modules.sh" "$build" "${BENCH_MODULE_RUNS:-5}"
  step sizes "module size per example and per strategy (bench/module_size)" \
    bash "$root/bench/module_size/module_size.sh" "$build"
  # shellcheck disable=SC2086  # BENCH_NODE_ARGS is a list of options
  step node "dolc against Yjs, Automerge and Loro in Node (bench/node)" \
    node "$root/bench/node/compare.mjs" "$build" ${BENCH_NODE_ARGS:-}

  # The app-facing API (transactions, whole-document reads; events and undo
  # when the module has them) on the chat example.
  if [[ "$only" == *" api "* ]]; then
    mkdir -p "$build/bench/api-gen"
    "$build/dolc" build "$root/examples/chat.dol" -o "$build/bench/api-gen" >/dev/null 2>&1 || true
  fi
  step api "the app-facing API's costs in Node (bench/api)" \
    node "$root/bench/api/api_costs.mjs" "$build/bench/api-gen"
  step api "change events: the automerge-paper trace with and without a subscriber (bench/node/events.mjs)" \
    node "$root/bench/node/events.mjs" "$build"
  step api "undo/redo: tracking cost on the automerge-paper trace, undo and redo per step (bench/node/undo.mjs)" \
    node "$root/bench/node/undo.mjs" "$build"
  step api "editing while other documents stay open: the automerge-paper trace into 4 documents (bench/node/open_docs.mjs)" \
    node "$root/bench/node/open_docs.mjs" "$build"

  # The host kit's relay under load: one relay on files, two on Redis.
  if [[ "$only" == *" hostkit "* ]]; then
    mkdir -p "$build/bench/hostkit-gen"
    "$build/dolc" build "$root/examples/chat.dol" -o "$build/bench/hostkit-gen" >/dev/null 2>&1 || true
  fi
  step hostkit "the host kit's relay under load, on loopback (bench/hostkit)" \
    node "$root/bench/hostkit/relay_load.mjs" "$build/bench/hostkit-gen" --redis-server "$(command -v redis-server || echo redis-server)"

  echo
  if [ ${#failed[@]} -gt 0 ]; then
    echo "== bench: FAILED or WRONG (see the output above):"
    printf '   - %s\n' "${failed[@]}"
  else
    echo "== bench: every program ran and every check passed"
  fi
  [ ${#failed[@]} -eq 0 ]
} | tee "$figures"
status=${PIPESTATUS[0]}
echo "(figures also in ${figures#$root/})"
exit "$status"
