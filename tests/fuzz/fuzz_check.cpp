// tests/fuzz: libFuzzer target for the front end. Arbitrary bytes are parsed
// and checked as one DOL file; any crash, sanitizer report or hang (libFuzzer
// -timeout) is a bug. Built with clang (-fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <string>

#include "diag/diag.hpp"
#include "driver/loader.hpp"
#include "sema/check.hpp"
#include "source/source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dolc::SourceManager sources;
  dolc::FileId id = sources.add("fuzz.dol", std::string(reinterpret_cast<const char*>(data), size));
  dolc::DiagnosticSink diags;
  dolc::CheckOptions options;
  options.stdlib_dir = DOLC_FUZZ_STDLIB_DIR;
  dolc::driver::ParsingLoader loader(sources);
  dolc::check(sources, {id}, options, loader, diags);
  return 0;
}
