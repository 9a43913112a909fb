#!/usr/bin/env bash
# tests/cmake/deb_test.sh CPACK BUILD_DIR SOURCE_DIR: dolc as a Debian package.
# Builds the package from the build tree (`cpack -G DEB`, as `make deb` does),
# checks its control fields and file list, unpacks it into a temporary root
# (dpkg-deb -x: no root rights, nothing installed on this machine) and uses
# the unpacked dolc: --version names the byte formats, it checks a schema
# that `use`s the installed standard library, and builds a module with the
# installed runtime. Prints `N passed, N failed`.
set -uo pipefail
cpack="$1" build="$2" src="$3"
unset DOLC_STDLIB DOLC_RUNTIME_LIB DOLC_RUNTIME_INCLUDE DOLC_CLANG
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); sed 's/^/     | /' "$work/log" | tail -20; }
check() { local name="$1"; shift; if "$@" >"$work/log" 2>&1; then ok "$name"; else fail "$name"; fi; }

check "cpack -G DEB" sh -c "cd '$build' && '$cpack' -G DEB -B '$work/pkg'"
deb="$(ls "$work"/pkg/*.deb 2>/dev/null | head -1)"
check "one .deb written" test -f "$deb"
check "control: package dolc, a version, dependencies on clang and binaryen" \
  sh -c "dpkg-deb -f '$deb' Package Version Depends | tee /dev/stderr | grep -q '^Package: dolc' &&
         dpkg-deb -f '$deb' Depends | grep -q clang && dpkg-deb -f '$deb' Depends | grep -q binaryen"
dpkg-deb -c "$deb" > "$work/files" 2>/dev/null
for f in ./usr/bin/dolc ./usr/share/dolc/stdlib-dol/ ./usr/lib/cmake/dolc/dolcConfig.cmake ./usr/include/dolc/rt/format.hpp; do
  check "package holds $f" grep -q " $f\$" "$work/files"
done
check "dpkg-deb -x" dpkg-deb -x "$deb" "$work/root"
dolc="$work/root/usr/bin/dolc"
check "unpacked dolc --version names the document format" sh -c "'$dolc' --version | grep -q 'document format [0-9]'"
cd "$work"
check "unpacked dolc checks a schema that uses the standard library" "$dolc" check "$src/tests/golden/names/stdlib_use.dol"
check "unpacked dolc builds examples/chat.dol with the packaged runtime" \
  sh -c "'$dolc' build '$src/examples/chat.dol' -o '$work/gen' && test -s '$work/gen/chat.wasm'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
