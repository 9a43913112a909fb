#!/usr/bin/env bash
# tools/run-tests.sh BUILD: runs the whole test suite. First the runtime alone
# under ASan+UBSan (build-asan/), then every test of the main build, so that
# ctest's summary of the full suite is the last thing printed.
set -euo pipefail
build="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="$(nproc)"

if [ "${DOLC_SKIP_SANITIZE:-0}" != "1" ]; then
  echo "== runtime tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  test -f "$root/build-asan/build.ninja" || cmake -S "$root" -B "$root/build-asan" -G Ninja \
      -DDOLC_SANITIZE=ON -DDOLC_RUNTIME_ONLY=ON -DDOLC_FUZZ=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build "$root/build-asan" -j "$jobs"
  # Sanitizers slow the property tests ~10x: run a fifth of the operations.
  (cd "$root/build-asan" && DOLC_PROPERTY_SCALE=0.2 ctest --output-on-failure -j "$jobs")
fi

echo "== full test suite"
cd "$build"
ctest --output-on-failure -j "$jobs"
