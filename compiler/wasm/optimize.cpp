// compiler/wasm: Binaryen -Oz in-process (see wasm.hpp). Output is
// byte-identical to `wasm-opt -Oz --converge --low-memory-unused
// --zero-filled-memory` with the same features (at most five rounds).
#include <binaryen-c.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "wasm/wasm.hpp"

namespace dolc::wasm {

bool optimize(const std::string& in, std::string* out, std::string* error) {
  // Binaryen aborts the process on malformed input, so refuse anything that
  // is not a wasm binary before handing it over.
  static const char kMagic[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  if (in.size() < 8 || std::memcmp(in.data(), kMagic, 8) != 0) {
    *error = "not a WebAssembly module";
    return false;
  }
  BinaryenModuleRef module = BinaryenModuleRead(const_cast<char*>(in.data()), in.size());
  // --strip-all removed the target_features section: name what clang may emit.
  BinaryenModuleSetFeatures(module, BinaryenFeatureMVP() | BinaryenFeatureMutableGlobals() |
                                        BinaryenFeatureSignExt() | BinaryenFeatureBulkMemory() |
                                        BinaryenFeatureNontrappingFPToInt());
  if (!BinaryenModuleValidate(module)) {
    BinaryenModuleDispose(module);
    *error = "the linked module does not validate (a dolc bug; please report it)";
    return false;
  }
  BinaryenSetOptimizeLevel(2);
  BinaryenSetShrinkLevel(2);
  // Facts about modules wasm-ld links that let Binaryen fold more (as
  // emscripten tells it): data starts at --global-base 1024, so addresses
  // below 1024 are never used; the module defines its memory, which starts
  // zero-filled. Together ~0.7 KB gzip of the chat module.
  BinaryenSetLowMemoryUnused(true);
  BinaryenSetZeroFilledMemory(true);
  BinaryenSetDebugInfo(false);
  BinaryenModuleOptimize(module);
  // As `wasm-opt --converge`: optimize again while the module shrinks (each
  // round exposes a little more to the next; ~0.2 KB gzip on the chat module).
  for (size_t size = SIZE_MAX, round = 0; round < 4; ++round) {
    BinaryenModuleAllocateAndWriteResult probe = BinaryenModuleAllocateAndWrite(module, nullptr);
    free(probe.binary);
    if (probe.sourceMap) free(probe.sourceMap);
    if (probe.binaryBytes >= size) break;
    size = probe.binaryBytes;
    BinaryenModuleOptimize(module);
  }
  if (!BinaryenModuleValidate(module)) {
    BinaryenModuleDispose(module);
    *error = "the optimized module does not validate (a dolc bug; please report it)";
    return false;
  }
  BinaryenModuleAllocateAndWriteResult result = BinaryenModuleAllocateAndWrite(module, nullptr);
  out->assign(static_cast<const char*>(result.binary), result.binaryBytes);
  free(result.binary);
  if (result.sourceMap) free(result.sourceMap);
  BinaryenModuleDispose(module);
  return true;
}

}  // namespace dolc::wasm
