// tests/fuzz: structure-aware libFuzzer target for sync under hostile
// delivery. The input is not bytes for apply(): it is a script. Five
// replicas (honest actors 1-3, and two devices that share actor 50, so their
// histories fork) make edits, export real change lists, and deliver them to
// each other in the order, with the duplicates, drops and byte corruptions
// the script says, plus a forged change of actor 2 and mutated change lists
// whose checksum is fixed (so the decoder and the merge rules, not the
// checksum, must cope). Whatever the script:
// a refused apply() leaves the document's save() unchanged, and after
// anti-entropy every replica has the same version (chain digests included)
// and the same values. Any violation aborts, which libFuzzer reports.
#include <cstdlib>
#include <string>
#include <vector>

#include "dolc/rt/encoding.hpp"
#include "runtime_schema.hpp"

using namespace dolc_gen;
using fuzz_schema::kDoc;

namespace {

struct Script {
  const uint8_t* p;
  const uint8_t* end;
  bool more() const { return p < end; }
  uint8_t next() { return p < end ? *p++ : 0; }
};

// One edit chosen by the script, on fields of every kind that syncs text,
// sets, counters and lists (fuzz_schema::kFields: 1 title, 3 tags, 4 scores,
// 6 likes, 8 log, 9 body).
void edit(Doc& d, Script& s) {
  const Bytes& root = kRoot;
  uint8_t a = s.next(), b = s.next();
  Bytes v{static_cast<uint8_t>('a' + b % 4)};
  switch (a % 8) {
    case 0: (void)d.reg_set(root, &kDoc, 1, v); break;
    case 1: (void)d.set_add(root, &kDoc, 3, v); break;
    case 2: (void)d.set_remove(root, &kDoc, 3, v); break;
    case 3: (void)d.map_set(root, &kDoc, 4, v, Bytes{b}); break;
    case 4: (void)d.counter_add(root, &kDoc, 6, static_cast<int8_t>(b)); break;
    case 5: {
      uint32_t n = d.list_length(root, &kDoc, 8);
      if (n && (b & 1)) (void)d.list_delete(root, &kDoc, 8, b % n, 1);
      else (void)d.list_insert(root, &kDoc, 8, n ? b % (n + 1) : 0, v);
      break;
    }
    default: {
      uint32_t n = d.text_length(root, &kDoc, 9);
      if (n && (b & 1)) (void)d.text_delete(root, &kDoc, 9, b % n, 1);
      else (void)d.text_insert(root, &kDoc, 9, n ? b % (n + 1) : 0, b & 2 ? "xy" : "\xC3\xA9");
      break;
    }
  }
}

std::string dump(const Doc& d) {
  const Bytes& root = kRoot;
  auto title = d.reg_get(root, &kDoc, 1);
  std::string out = title ? std::string(title->begin(), title->end()) : "-";
  out += "|" + std::to_string(d.counter_value(root, &kDoc, 6)) + "|";
  for (auto& t : d.set_values(root, &kDoc, 3)) out += std::string(t.begin(), t.end()) + ",";
  out += "|";
  for (auto& k : d.map_keys(root, &kDoc, 4)) out += std::string(k.begin(), k.end()) + ",";
  out += "|";
  for (uint32_t i = 0; i < d.list_length(root, &kDoc, 8); ++i) {
    auto v = d.list_get(root, &kDoc, 8, i);
    out += v ? std::string(v->begin(), v->end()) : "?";
  }
  return out + "|" + d.text_string(root, &kDoc, 9);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Script s{data, data + size};
  std::vector<Doc*> docs;
  for (uint64_t actor : {1, 2, 3, 50, 50}) docs.push_back(new Doc(&kDoc, actor));
  std::vector<Bytes> pool;
  {
    Doc hidden(&kDoc, 77), forger(&kDoc, 2);
    (void)hidden.reg_set(kRoot, &kDoc, 1, Bytes{'h'});
    (void)forger.apply(hidden.changes_since(Bytes{}).value);
    (void)forger.counter_add(kRoot, &kDoc, 6, 3);
    pool.push_back(forger.changes_since(hidden.version()).value);  // waits for 77:1 forever
  }
  for (int steps = 0; s.more() && steps < 200; ++steps) {
    uint8_t op = s.next();
    Doc& d = *docs[op % docs.size()];
    switch (op / 8 % 4) {
      case 0: {  // an edit, sent to the pool as its delta
        Bytes before = d.version();
        edit(d, s);
        pool.push_back(d.changes_since(before).value);
        break;
      }
      case 1: {  // everything d has that another replica lacks
        pool.push_back(d.changes_since(docs[s.next() % docs.size()]->version()).value);
        break;
      }
      case 2: {  // a delivery, kept in the pool (a duplicate later) or not
        if (pool.empty()) break;
        uint8_t pick = s.next();
        Bytes& bytes = pool[pick % pool.size()];
        Bytes before = d.save();
        if (!d.apply(bytes).ok && d.save() != before) abort();  // a refusal changes nothing
        if (pick & 0x80) pool.erase(pool.begin() + pick % pool.size());
        break;
      }
      default: {  // a mutated delivery, checksum fixed: a hostile change list the decoder must judge
        if (pool.empty()) break;
        Bytes bytes = pool[s.next() % pool.size()];
        if (bytes.size() > 7) {
          size_t at = 3 + s.next() % (bytes.size() - 7);
          bytes[at] ^= static_cast<uint8_t>(1 + s.next() % 255);
          uint32_t sum = dolc::rt::checksum32(bytes.data() + 3, bytes.size() - 7);
          for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<uint8_t>(sum >> (8 * i));
        }
        Bytes before = d.save();
        if (!d.apply(bytes).ok && d.save() != before) abort();
        break;
      }
    }
  }
  // Anti-entropy: refusals are allowed in early rounds (a side of a fork not
  // known yet), none in the last two.
  const int rounds = 8;
  for (int round = 0; round < rounds; ++round)
    for (Doc* from : docs)
      for (Doc* to : docs) {
        if (from == to) continue;
        auto delta = from->changes_since(to->version());
        if (!delta.ok) abort();
        if (!to->apply(delta.value).ok && round >= rounds - 2) abort();
      }
  for (Doc* d : docs)
    if (d->version() != docs[0]->version() || dump(*d) != dump(*docs[0])) abort();
  for (Doc* d : docs) delete d;
  return 0;
}
