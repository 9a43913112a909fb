# tools/cmake/Packaging.cmake: a Debian package of dolc through CPack, holding
# exactly what `cmake --install` puts under a prefix (bin/dolc, its standard
# library, the runtime, headers and the CMake package), installed under /usr.
# Build it with `make deb` (or `cpack -G DEB` in the build tree);
# tests/cmake/deb_test.sh unpacks the package and uses it.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dolc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "dolc")
set(CPACK_PACKAGE_CONTACT "dolc maintainers <dolc@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "DOL schema compiler: CRDT documents as WebAssembly modules, with WIT, JS/TS and C++ bindings")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# What `dolc` runs and links at run time on Debian 12: Binaryen and fmt
# (linked), clang/wasm-ld with the wasm32 libraries (`dolc build` compiles the
# generated C++ to wasm32). Listed by hand: dpkg-shlibdeps needs dpkg-dev,
# which a build machine need not have, and would miss the tools anyway.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "binaryen (>= 108), libfmt9, libstdc++6, clang-14 | clang, lld-14 | lld, wasi-libc, libc++-14-dev-wasm32, libc++abi-14-dev-wasm32, libclang-rt-14-dev-wasm32")
include(CPack)
