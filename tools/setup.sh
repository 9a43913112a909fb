#!/usr/bin/env bash
# tools/setup.sh: installs every system and npm package dolc needs to build,
# test and run its demo on Debian 12. Safe to run repeatedly: it only asks apt
# for what is missing, and npm only when node_modules is absent or stale.
# Usable on its own (`bash tools/setup.sh`); `make demo` and `make test` call it.
set -euo pipefail

packages=(
  cmake ninja-build pkg-config make default-jre-headless antlr4 libantlr4-runtime-dev
  binaryen clang lld wasi-libc libc++-14-dev-wasm32 libc++abi-14-dev-wasm32
  libclang-rt-14-dev-wasm32 libclang-rt-14-dev g++ libfmt-dev nlohmann-json3-dev
  libgtest-dev uuid-dev nodejs gzip bc python3
  zlib1g-dev    # bench/traces measures what a host stores deflated
  chromium   # the hostkit browser test (tests/hostkit), driven by npm's playwright-core
  redis-server  # the hostkit scale-out test starts its own on loopback (Debian's service is not used)
)

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: system packages present"
fi

# Debian's nodejs 18 has no npm of its own and conflicts with the npm package
# on machines that carry NodeSource's nodejs (which bundles npm); ask only if absent.
if ! command -v npm >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive ${SUDO:-} apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# npm packages used by end-to-end tests and benchmarks (tools/node/package.json).
here="$(cd "$(dirname "$0")" && pwd)"
if [ -f "$here/node/package.json" ]; then
  stamp="$here/node/node_modules/.dolc-stamp"
  if [ ! -f "$stamp" ] || [ "$here/node/package.json" -nt "$stamp" ] || [ "$here/node/package-lock.json" -nt "$stamp" ]; then
    echo "setup: installing npm packages"
    # `npm ci` installs exactly the committed lock and never rewrites it; an
    # npm too old or too new to accept the lock falls back to `npm install`.
    (cd "$here/node" && { npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 ||
                          npm install --no-audit --no-fund --loglevel=error >/dev/null; } &&
       touch node_modules/.dolc-stamp)
  fi
fi
