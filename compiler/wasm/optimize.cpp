// compiler/wasm: Binaryen -Oz in-process (see wasm.hpp). Output is
// byte-identical to `wasm-opt -Oz --converge --low-memory-unused
// --zero-filled-memory` with the same features (at most five rounds).
#include <binaryen-c.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "wasm/wasm.hpp"

namespace dolc::wasm {

namespace {

BinaryenType core_type(char c) {
  switch (c) {
    case 'I': return BinaryenTypeInt64();
    case 'f': return BinaryenTypeFloat32();
    case 'F': return BinaryenTypeFloat64();
    default: return BinaryenTypeInt32();
  }
}

// Each forwarded export: `(func (params...) (result r) (call $dispatcher
// (i32.const row) (local.get 0) ...))`, exported under its own name. false
// when a dispatcher is missing (the generated C++ and the list disagree).
bool add_forwards(BinaryenModuleRef module, const std::vector<ForwardedExport>& forwards, std::string* error) {
  std::vector<std::string> dispatchers;
  for (size_t i = 0; i < forwards.size(); ++i) {
    const ForwardedExport& f = forwards[i];
    BinaryenExportRef dispatcher = BinaryenGetExport(module, f.dispatcher.c_str());
    if (!dispatcher) {
      *error = "the linked module has no '" + f.dispatcher + "' (a dolc bug; please report it)";
      return false;
    }
    if (std::find(dispatchers.begin(), dispatchers.end(), f.dispatcher) == dispatchers.end())
      dispatchers.push_back(f.dispatcher);
    std::vector<BinaryenType> params;
    std::vector<BinaryenExpressionRef> operands = {BinaryenConst(module, BinaryenLiteralInt32(static_cast<int32_t>(f.row)))};
    for (size_t k = 0; k < f.params.size(); ++k) {
      params.push_back(core_type(f.params[k]));
      operands.push_back(BinaryenLocalGet(module, static_cast<BinaryenIndex>(k), params.back()));
    }
    BinaryenType result = f.result ? core_type(f.result) : BinaryenTypeNone();
    BinaryenExpressionRef call = BinaryenCall(module, BinaryenExportGetValue(dispatcher), operands.data(),
                                              static_cast<BinaryenIndex>(operands.size()), result);
    std::string internal = "dolc$forward$" + std::to_string(i);
    BinaryenAddFunction(module, internal.c_str(), BinaryenTypeCreate(params.data(), static_cast<BinaryenIndex>(params.size())),
                        result, nullptr, 0, call);
    BinaryenAddFunctionExport(module, internal.c_str(), f.name.c_str());
  }
  for (const std::string& d : dispatchers) BinaryenRemoveExport(module, d.c_str());
  return true;
}

}  // namespace

bool optimize(const std::string& in, std::string* out, std::string* error) { return optimize(in, {}, out, error); }

bool optimize(const std::string& in, const std::vector<ForwardedExport>& forwards, std::string* out,
              std::string* error) {
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
  if (!add_forwards(module, forwards, error)) {
    BinaryenModuleDispose(module);
    return false;
  }
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
