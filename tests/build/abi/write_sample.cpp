// tests/build/abi/write_sample.cpp: writes the generated outputs (WIT, JS,
// .d.ts, C++) of the hand-built sample schema into a directory, for the ABI
// test that compiles them to wasm32 with the Doc test double.
#include <fstream>
#include <iostream>

#include "emit/emit.hpp"
#include "lower/cpp.hpp"
#include "sample_schema.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_sample OUT_DIR\n";
    return 2;
  }
  std::string dir = argv[1];
  auto schema = dolc::testing::sample_schema(0);
  auto table = dolc::lower::build_export_table(schema, {0}, "sample");
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream out(dir + "/" + name, std::ios::binary);
    out << text;
    return static_cast<bool>(out);
  };
  bool ok = write("sample.wit", dolc::emit::emit_wit(table)) &&
            write("sample.js", dolc::emit::emit_js(table, "sample.wasm")) &&
            write("sample.d.ts", dolc::emit::emit_dts(table)) && write("package.json", "{\"type\": \"module\"}\n");
  for (const auto& f : dolc::lower::lower_to_cpp(schema, table)) ok = ok && write(f.name, f.contents);
  if (!ok) {
    std::cerr << "write_sample: cannot write into " << dir << "\n";
    return 1;
  }
  return 0;
}
