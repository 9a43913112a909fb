// tests/fuzz: writes valid encodings (changes, saves) as the runtime fuzzer's
// seed corpus, each prefixed with the byte that picks apply/load/merge.
#include <fstream>
#include <string>

#include "runtime_schema.hpp"

using namespace dolc_gen;

static void write(const std::string& dir, const std::string& name, uint8_t mode, const Bytes& b) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.put(static_cast<char>(mode));
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  std::string dir = argv[1];
  Doc a(&fuzz_schema::kDoc, 7), c(&fuzz_schema::kDoc, 8);
  fuzz_schema::populate(a, 1);
  fuzz_schema::populate(c, 2);
  write(dir, "changes_a", 0, a.changes_since(Bytes{}).value);
  write(dir, "changes_c", 0, c.changes_since(Bytes{}).value);
  write(dir, "save_a", 1, a.save());
  write(dir, "merge_c", 2, c.save());
  // A history past 1,024 ops saves with a snapshot and its texts kept once
  // (FORMAT.md, "Snapshot"): load() opens it frozen, merge() replays it.
  Doc big(&fuzz_schema::kDoc, 6);
  fuzz_schema::populate(big, 3);
  for (int i = 0; i < 1030; ++i) big.reg_set(Bytes{}, &fuzz_schema::kDoc, 1, Bytes{static_cast<uint8_t>('a' + i % 3)});
  write(dir, "save_snapshot", 1, big.save());
  write(dir, "merge_snapshot", 2, big.save());
  // Writes of an earlier version, which kDoc converts (migrations).
  Doc old(&fuzz_schema::kOldDoc, 5);
  fuzz_schema::populate_old(old, 3);
  write(dir, "changes_old", 0, old.changes_since(Bytes{}).value);
  write(dir, "merge_old", 2, old.save());
  return 0;
}
