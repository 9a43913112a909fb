// tests/wasm: the wasm back-end stage: toolchain discovery errors, a real
// wasm32 compile + link, Binaryen optimization, and determinism.
#include <gtest/gtest.h>

#include "wasm/wasm.hpp"

namespace {

using namespace dolc::wasm;

const char* kSource = R"(#include <string>
#include <vector>
static std::vector<std::string> items;
__attribute__((export_name("push"))) int push(int n) { items.push_back(std::string(static_cast<size_t>(n), 'x')); return static_cast<int>(items.size()); }
)";

TEST(WasmToolchain, BogusClangNamesThePackages) {
  ToolchainOptions options;
  options.clang = "/nonexistent/clang++";
  Toolchain t;
  std::string error;
  EXPECT_FALSE(find_toolchain(options, &t, &error));
  EXPECT_NE(error.find("/nonexistent/clang++"), std::string::npos) << error;
  EXPECT_NE(error.find("apt-get install clang lld"), std::string::npos) << error;
}

TEST(WasmToolchain, CompilesLinksAndOptimizesDeterministically) {
  Toolchain t;
  std::string error;
  ASSERT_TRUE(find_toolchain({}, &t, &error)) << error;
  ModuleSources sources;
  sources.files.push_back({"m.cpp", kSource});
  std::string first, second;
  ASSERT_TRUE(compile_module(t, sources, &first, &error)) << error;
  ASSERT_TRUE(compile_module(t, sources, &second, &error)) << error;
  EXPECT_EQ(first, second) << "two builds of the same source differ";
  std::string optimized;
  ASSERT_TRUE(optimize(first, &optimized, &error)) << error;
  EXPECT_EQ(optimized.compare(0, 4, std::string("\0asm", 4)), 0);
  EXPECT_LE(optimized.size(), first.size());
  std::string again;
  ASSERT_TRUE(optimize(second, &again, &error)) << error;
  EXPECT_EQ(optimized, again);
}

TEST(WasmToolchain, CompileErrorsAreReported) {
  Toolchain t;
  std::string error;
  ASSERT_TRUE(find_toolchain({}, &t, &error)) << error;
  ModuleSources sources;
  sources.files.push_back({"bad.cpp", "int f( {"});
  std::string bytes;
  EXPECT_FALSE(compile_module(t, sources, &bytes, &error));
  EXPECT_NE(error.find("bad.cpp"), std::string::npos) << error;
}

TEST(WasmOptimize, RefusesBytesThatAreNotWasm) {
  std::string out, error;
  EXPECT_FALSE(optimize("hello world, not wasm", &out, &error));
  EXPECT_FALSE(optimize("", &out, &error));
  EXPECT_EQ(error, "not a WebAssembly module");
}

}  // namespace
