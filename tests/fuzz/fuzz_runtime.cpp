// tests/fuzz: libFuzzer target for the bytes a document takes from the
// network: apply(), load() and merge() on a populated document. Refused
// input must leave the document exactly as it was (same save() bytes); a
// loaded document is then read, and made to replay its history (a frozen
// one thaws), and must read the same unless the thaw reported a reset.
#include <cstdlib>

#include "runtime_schema.hpp"

using namespace dolc_gen;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Bytes base = [] {
    Doc d(&fuzz_schema::kDoc, 7);
    fuzz_schema::populate(d, 1);
    return d.save();
  }();
  if (size == 0) return 0;
  Doc d(&fuzz_schema::kDoc, 9);
  d.take_events(true);  // listen: a thaw that replaces what was shown is a `reset`
  if (!d.load(base).ok) abort();
  Bytes before = d.save();
  Bytes input(data + 1, data + size);
  Status st;
  switch (data[0] % 3) {
    case 0: st = d.apply(input); break;
    case 1: st = d.load(input); break;
    default: st = d.merge(input); break;
  }
  if (!st.ok && d.save() != before) abort();  // a refusal must change nothing
  // A load with a snapshot opens frozen: make it replay its history (which
  // may fail for hostile bytes; the document must then stay as loaded).
  if (st.ok) {
    Bytes loaded = d.save();
    // Reads of a frozen document (answered from its snapshot) read as the
    // live document does after it thaws, unless the snapshot lied: then
    // the history stands and the thaw says so with a `reset` event.
    d.take_events(true);
    size_t frozen_reads = fuzz_schema::read_root(d);
    if (!d.changes_since(Bytes{}).ok && d.save() != loaded) abort();
    bool reset = d.take_events(true).find("\"reset\"") != std::string::npos;
    if (!reset && fuzz_schema::read_root(d) != frozen_reads) abort();
  }
  // Whatever was accepted must survive a save/load round trip.
  Doc again(&fuzz_schema::kDoc, 9);
  if (!again.load(d.save()).ok) abort();
  return 0;
}
