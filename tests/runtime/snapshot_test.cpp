// tests/runtime/snapshot_test.cpp: saved documents with a snapshot
// (runtime-wasm/src/snapshot.hpp, FORMAT.md "Snapshot").
//
// A document whose history is long enough saves a snapshot of its root
// fields (registers, counters, texts and collections of plain values) next to
// the history; load() then opens it frozen, without replaying the history,
// and the first call that needs the history replays it. What a
// user relies on: a frozen document reads, versions and saves exactly as the
// document that was saved; it edits and syncs after thawing as if it had
// been loaded by replay; bytes whose snapshot is malformed are refused with
// the document unchanged; a snapshot that disagrees with its history loses
// to the history; a history that does not replay leaves the document
// readable and refuses edits with a clear error. Root texts are kept once:
// visible characters in the snapshot's text section, deleted ones in the
// history.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "dolc_gen_rt.hpp"

namespace {

using namespace dolc_gen;

const FieldInfo kItemFields[] = {
    {"label", Strategy::Lww},
    {"votes", Strategy::PnCounter},
};
const GeneInfo kItem = {"item", kItemFields, 2};

const FieldInfo kFields[] = {
    {"title", Strategy::Lww},           // 0
    {"status", Strategy::MvRegister},   // 1
    {"members", Strategy::OrSet},       // 2
    {"scores", Strategy::OrMap},        // 3 scalar values
    {"likes", Strategy::PnCounter},     // 4
    {"log", Strategy::Rga},             // 5 values
    {"body", Strategy::Peritext},       // 6
    {"meta", Strategy::Nested, &kItem}, // 7 not in the snapshot: read after a replay
    {"items", Strategy::Rga, &kItem},   // 8 not in the snapshot
    {"unset", Strategy::Lww},           // 9 never written
};
const GeneInfo kGene = {"note", kFields, 10, &kSequenceSupport};

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string s(const Bytes& v) { return std::string(v.begin(), v.end()); }

// The root fields a snapshot holds, through the API (a frozen document
// answers them from its snapshot).
std::string plain_dump(const Doc& d) {
  std::string out;
  auto reg = d.reg_get(kRoot, &kGene, 0);
  out += "title=" + (reg ? s(*reg) : "-") + ";unset=" + (d.reg_get(kRoot, &kGene, 9) ? "set" : "-") + ";status=";
  for (const Bytes& v : d.mv_values(kRoot, &kGene, 1)) out += s(v) + "|";
  out += ";members(" + std::to_string(d.set_size(kRoot, &kGene, 2)) + ")=";
  for (const Bytes& v : d.set_values(kRoot, &kGene, 2)) out += s(v) + (d.set_has(kRoot, &kGene, 2, v) ? "," : "!");
  out += ";scores=";
  for (const Bytes& k : d.map_keys(kRoot, &kGene, 3)) {
    auto v = d.map_get(kRoot, &kGene, 3, k);
    out += s(k) + "=" + (v ? s(*v) : "?") + (d.map_has(kRoot, &kGene, 3, k) ? "," : "!");
  }
  out += ";likes=" + std::to_string(d.counter_value(kRoot, &kGene, 4)) + ";log=";
  for (uint32_t i = 0; i < d.list_length(kRoot, &kGene, 5); ++i) out += s(d.list_get(kRoot, &kGene, 5, i).value()) + ",";
  out += ";body(" + std::to_string(d.text_length(kRoot, &kGene, 6)) + ")=" + d.text_string(kRoot, &kGene, 6);
  // Reads of what is not there answer as the live document does.
  out += std::string(";absent:") + (d.set_has(kRoot, &kGene, 2, b("nope")) ? "has" : "-") +
         (d.map_has(kRoot, &kGene, 3, b("nope")) ? "has" : "-") + (d.map_get(kRoot, &kGene, 3, b("nope")) ? "get" : "-") +
         (d.list_get(kRoot, &kGene, 5, 1u << 30) ? "at" : "-");
  return out;
}
// Everything, including what only a replayed document answers.
std::string full_dump(const Doc& d) {
  std::string out = plain_dump(d) + ";spans=" + d.text_spans(kRoot, &kGene, 6);
  Bytes meta = d.nested_child(kRoot, &kGene, 7);
  auto label = d.reg_get(meta, &kItem, 0);
  out += ";meta=" + (label ? s(*label) : "-") + "/" + std::to_string(d.counter_value(meta, &kItem, 1));
  out += ";items=" + std::to_string(d.list_length(kRoot, &kGene, 8));
  return out;
}

// A document of two actors with a history of a few thousand ops over every
// kind of field, with markers: QQQQ visible in the body, DDDD deleted from
// it, the title last set to TTTT-final.
void build(Doc& a, Doc& other) {
  std::mt19937 rng(7);
  auto word = [&] { return std::string(1, static_cast<char>('a' + rng() % 26)) + std::to_string(rng() % 50); };
  for (int i = 0; i < 1500; ++i) {
    Doc& d = i % 5 == 4 ? other : a;
    switch (rng() % 9) {
      case 0: ASSERT_TRUE(d.reg_set(kRoot, &kGene, 0, b(word())).ok); break;
      case 1: ASSERT_TRUE(d.mv_set(kRoot, &kGene, 1, b(word())).ok); break;
      case 2: ASSERT_TRUE(d.set_add(kRoot, &kGene, 2, b(word())).ok); break;
      case 3: {
        auto all = d.set_values(kRoot, &kGene, 2);
        if (!all.empty()) ASSERT_TRUE(d.set_remove(kRoot, &kGene, 2, all[rng() % all.size()]).ok);
        break;
      }
      case 4: ASSERT_TRUE(d.map_set(kRoot, &kGene, 3, b(word()), b(word())).ok); break;
      case 5: ASSERT_TRUE(d.counter_add(kRoot, &kGene, 4, static_cast<int64_t>(rng() % 7) - 3).ok); break;
      case 6: {
        uint32_t n = d.list_length(kRoot, &kGene, 5);
        ASSERT_TRUE(d.list_insert(kRoot, &kGene, 5, n ? rng() % (n + 1) : 0, b(word())).ok);
        break;
      }
      default: {
        uint32_t n = d.text_length(kRoot, &kGene, 6);
        if (n > 10 && rng() % 3 == 0) ASSERT_TRUE(d.text_delete(kRoot, &kGene, 6, rng() % (n - 2), 2).ok);
        else ASSERT_TRUE(d.text_insert(kRoot, &kGene, 6, n ? rng() % n : 0, word() + " ").ok);
      }
    }
    if (i % 50 == 49) {  // exchange, so that the history holds many changes
      auto to_a = other.changes_since(a.version());
      auto to_other = a.changes_since(other.version());
      ASSERT_TRUE(to_a.ok && to_other.ok);
      ASSERT_TRUE(a.apply(to_a.value).ok);
      ASSERT_TRUE(other.apply(to_other.value).ok);
    }
  }
  ASSERT_TRUE(a.text_insert(kRoot, &kGene, 6, 0, "DDDD").ok);  // deleted: only in the history
  ASSERT_TRUE(a.text_delete(kRoot, &kGene, 6, 0, 4).ok);
  ASSERT_TRUE(a.text_insert(kRoot, &kGene, 6, 0, "QQQQ").ok);  // visible: only in the snapshot's text section
  ASSERT_TRUE(a.text_mark(kRoot, &kGene, 6, 0, 4, "bold", "true").ok);
  ASSERT_TRUE(a.reg_set(kRoot, &kGene, 0, b("TTTT-final")).ok);  // a register: in the history and the snapshot
  // Collections: in the history and the snapshot too (set elements and map
  // keys ascend there: SSSS-1, SSSS-2 are next to each other).
  ASSERT_TRUE(a.set_add(kRoot, &kGene, 2, b("SSSS-1")).ok);
  ASSERT_TRUE(a.set_add(kRoot, &kGene, 2, b("SSSS-2")).ok);
  ASSERT_TRUE(a.map_set(kRoot, &kGene, 3, b("MMMM"), b("mval-MMMM")).ok);
  ASSERT_TRUE(a.list_insert(kRoot, &kGene, 5, 1, b("LLLL-list")).ok);
  ASSERT_TRUE(a.mv_set(kRoot, &kGene, 1, b("VVVV-mv")).ok);
  ASSERT_TRUE(a.reg_set(a.nested_child(kRoot, &kGene, 7), &kItem, 0, b("nested")).ok);
  ASSERT_TRUE(a.list_insert_new(kRoot, &kGene, 8, 0).ok);
  ASSERT_TRUE(a.apply(other.changes_since(a.version()).value).ok);
  ASSERT_TRUE(other.mv_set(kRoot, &kGene, 1, b("VVVV-concurrent")).ok);  // two values at once
  ASSERT_TRUE(a.apply(other.changes_since(a.version()).value).ok);
}

// FNV-1a 32 over the body: the frame's checksum (FORMAT.md, "Framing").
void reframe(Bytes& blob) {
  uint32_t h = 2166136261u;
  for (size_t i = 3; i + 4 < blob.size(); ++i) h = (h ^ blob[i]) * 16777619u;
  for (int i = 0; i < 4; ++i) blob[blob.size() - 4 + i] = static_cast<uint8_t>(h >> (8 * i));
}
// Replaces the last (`last`) or first occurrence of `from` in the blob.
bool replace(Bytes& blob, const std::string& from, const std::string& to, bool last) {
  std::string text(blob.begin(), blob.end());
  size_t at = last ? text.rfind(from) : text.find(from);
  if (at == std::string::npos) return false;
  for (size_t i = 0; i < to.size(); ++i) blob[at + i] = static_cast<uint8_t>(to[i]);
  reframe(blob);
  return true;
}

class SnapshotLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    build(a, other);
    saved = a.save();
  }
  Doc a{&kGene, 1}, other{&kGene, 2};
  Bytes saved;
};

TEST_F(SnapshotLoad, AFrozenDocumentReadsVersionsAndSavesAsTheSavedOne) {
  Doc loaded(&kGene, 3);
  ASSERT_TRUE(loaded.load(saved).ok);
  EXPECT_EQ(plain_dump(loaded), plain_dump(a));
  EXPECT_EQ(loaded.version(), a.version());
  EXPECT_EQ(loaded.save(), saved);  // unchanged: the very bytes
  // Reads the snapshot does not hold replay the history, and then all agrees.
  EXPECT_EQ(full_dump(loaded), full_dump(a));
  EXPECT_EQ(loaded.version(), a.version());
  EXPECT_EQ(loaded.save(), saved);  // replayed: the same bytes again
  EXPECT_EQ(loaded.changes_since(Bytes{}).value, a.changes_since(Bytes{}).value);
  EXPECT_EQ(a.mv_values(kRoot, &kGene, 1).size(), 2u);  // (the dumps cover a concurrent mv_register)
}

// The collections are read from the snapshot: a snapshot forged to show
// other entries shows them while the document is frozen (a replay would
// not), and loses to the history when it replays. An honest one thaws
// without a `reset`.
TEST_F(SnapshotLoad, CollectionsAreReadFromTheSnapshotUntilTheHistoryReplays) {
  Doc honest(&kGene, 3);
  honest.take_events(true);
  ASSERT_TRUE(honest.load(saved).ok);
  honest.take_events(true);
  ASSERT_TRUE(honest.text_insert(kRoot, &kGene, 6, 0, "!").ok);  // replays
  EXPECT_EQ(honest.take_events(true).find("\"reset\""), std::string::npos);

  Bytes forged = saved;
  ASSERT_TRUE(replace(forged, "mval-MMMM", "mval-XXXX", /*last=*/true));
  ASSERT_TRUE(replace(forged, "LLLL-list", "XXXX-list", /*last=*/true));
  ASSERT_TRUE(replace(forged, "VVVV-mv", "XXXX-mv", /*last=*/true));
  ASSERT_TRUE(replace(forged, "SSSS-2", "SSSS-3", /*last=*/true));  // still ascending
  Doc loaded(&kGene, 3);
  loaded.take_events(true);
  ASSERT_TRUE(loaded.load(forged).ok);
  loaded.take_events(true);
  EXPECT_EQ(s(loaded.map_get(kRoot, &kGene, 3, b("MMMM")).value()), "mval-XXXX");
  EXPECT_EQ(s(loaded.list_get(kRoot, &kGene, 5, 1).value()), "XXXX-list");
  EXPECT_TRUE(loaded.set_has(kRoot, &kGene, 2, b("SSSS-3")));
  EXPECT_FALSE(loaded.set_has(kRoot, &kGene, 2, b("SSSS-2")));
  bool forged_mv = false;
  for (const Bytes& v : loaded.mv_values(kRoot, &kGene, 1)) forged_mv |= s(v) == "XXXX-mv";
  EXPECT_TRUE(forged_mv);
  EXPECT_EQ(loaded.save(), forged);                                  // still frozen: the very bytes
  ASSERT_TRUE(loaded.text_insert(kRoot, &kGene, 6, 0, "!").ok);      // the history replays
  EXPECT_NE(loaded.take_events(true).find("\"reset\""), std::string::npos);
  ASSERT_TRUE(a.text_insert(kRoot, &kGene, 6, 0, "!").ok);
  EXPECT_EQ(plain_dump(loaded), plain_dump(a));
}

// Set elements and map keys must ascend in a snapshot (no duplicates):
// bytes that break it are refused. A kind this reader does not know loads
// by replay (a newer writer's snapshot).
TEST_F(SnapshotLoad, CollectionsOutOfOrderAreRefusedUnknownKindsReplay) {
  Doc d(&kGene, 3);
  ASSERT_TRUE(d.reg_set(kRoot, &kGene, 0, b("mine")).ok);
  Bytes before = d.save();
  for (const char* to : {"SSSS-1", "SSSS-0"}) {  // a duplicate; out of order
    Bytes bad = saved;
    ASSERT_TRUE(replace(bad, "SSSS-2", to, /*last=*/true));
    Status st = d.load(bad);
    EXPECT_FALSE(st.ok) << to;
    EXPECT_NE(st.error.find("snapshot"), std::string::npos) << st.error;
    EXPECT_EQ(d.save(), before);
  }
  // The tag after the snapshot's "members" key: the set's kind (3).
  std::string text(saved.begin(), saved.end());
  size_t tag = text.rfind("members") + 7;
  ASSERT_EQ(saved[tag], 3);
  for (uint8_t kind : {uint8_t{4}, uint8_t{8}, uint8_t{0}}) {  // another field's kind: malformed; unknown: replay
    Bytes other = saved;
    other[tag] = kind;
    reframe(other);
    Status st = d.load(other);
    EXPECT_EQ(st.ok, kind != 4) << int{kind} << ": " << st.error;
    if (st.ok) EXPECT_EQ(full_dump(d), full_dump(a));
  }
}

TEST_F(SnapshotLoad, ItHoldsTheStateAndKeepsTextsOnce) {
  std::string text(saved.begin(), saved.end());
  auto count = [](const std::string& in, const std::string& what) {
    size_t n = 0;
    for (size_t at = in.find(what); at != std::string::npos; at = in.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(text, "TTTT-final"), 2u);  // the register's write, and its value in the snapshot
  EXPECT_EQ(count(text, "QQQQ"), 1u);        // visible text: once, in the text section
  EXPECT_EQ(count(text, "DDDD"), 1u);        // deleted text: once, in the history
  // A short history has no snapshot: replaying it costs less than reading one.
  Doc small(&kGene, 5);
  ASSERT_TRUE(small.reg_set(kRoot, &kGene, 0, b("TTTT-final")).ok);
  ASSERT_TRUE(small.text_insert(kRoot, &kGene, 6, 0, "QQQQ").ok);
  Bytes few = small.save();
  std::string small_text(few.begin(), few.end());
  EXPECT_EQ(count(small_text, "TTTT-final"), 1u);
  EXPECT_EQ(count(small_text, "QQQQ"), 1u);
  Doc reloaded(&kGene, 6);
  ASSERT_TRUE(reloaded.load(few).ok);
  EXPECT_EQ(full_dump(reloaded), full_dump(small));
}

TEST_F(SnapshotLoad, EditsAfterLoadSyncWithTheOriginal) {
  Doc loaded(&kGene, 3);
  ASSERT_TRUE(loaded.load(saved).ok);
  Status first = loaded.text_insert(kRoot, &kGene, 6, 2, "loaded ");  // the first edit replays the history
  ASSERT_TRUE(first.ok) << first.error;
  ASSERT_TRUE(loaded.map_set(kRoot, &kGene, 3, b("k"), b("from-loaded")).ok);
  ASSERT_TRUE(a.text_insert(kRoot, &kGene, 6, 2, "original ").ok);
  ASSERT_TRUE(a.counter_add(kRoot, &kGene, 4, 5).ok);
  auto to_a = loaded.changes_since(a.version());
  auto to_loaded = a.changes_since(loaded.version());
  ASSERT_TRUE(to_a.ok && to_loaded.ok);
  ASSERT_TRUE(a.apply(to_a.value).ok);
  ASSERT_TRUE(loaded.apply(to_loaded.value).ok);
  EXPECT_EQ(full_dump(loaded), full_dump(a));
  EXPECT_NE(loaded.text_string(kRoot, &kGene, 6).find("loaded "), std::string::npos);
  // A frozen document merges too (its history replays first).
  Doc merged(&kGene, 4);
  ASSERT_TRUE(merged.load(saved).ok);
  ASSERT_TRUE(merged.merge(a.save()).ok);
  EXPECT_EQ(full_dump(merged), full_dump(a));
}

TEST_F(SnapshotLoad, ASnapshotThatDisagreesWithItsHistoryLosesToIt) {
  Bytes forged = saved;
  ASSERT_TRUE(replace(forged, "TTTT-final", "XXXX-final", /*last=*/true));  // the snapshot's copy of the title
  Doc loaded(&kGene, 3);
  loaded.take_events(true);  // listen
  ASSERT_TRUE(loaded.load(forged).ok);
  loaded.take_events(true);
  EXPECT_EQ(s(loaded.reg_get(kRoot, &kGene, 0).value()), "XXXX-final");  // what the snapshot says, until...
  ASSERT_TRUE(loaded.text_insert(kRoot, &kGene, 6, 0, "!").ok);        // ...the history replays
  EXPECT_EQ(s(loaded.reg_get(kRoot, &kGene, 0).value()), "TTTT-final");
  EXPECT_NE(loaded.take_events(true).find("\"reset\""), std::string::npos);  // subscribers re-read everything
  ASSERT_TRUE(a.text_insert(kRoot, &kGene, 6, 0, "!").ok);
  ASSERT_TRUE(a.apply(loaded.changes_since(a.version()).value).ok);
  ASSERT_TRUE(loaded.apply(a.changes_since(loaded.version()).value).ok);
  EXPECT_EQ(full_dump(loaded), full_dump(a));
}

TEST_F(SnapshotLoad, AMalformedSnapshotIsRefusedAndChangesNothing) {
  Bytes bad = saved;
  // The snapshot names its fields by key; one the gene does not have is malformed.
  ASSERT_TRUE(replace(bad, "likes", "likez", /*last=*/true));
  Doc d(&kGene, 3);
  ASSERT_TRUE(d.reg_set(kRoot, &kGene, 0, b("mine")).ok);
  Bytes before = d.save();
  Status st = d.load(bad);
  EXPECT_FALSE(st.ok);
  EXPECT_NE(st.error.find("snapshot"), std::string::npos) << st.error;
  EXPECT_EQ(d.save(), before);
  // Every truncation of the bytes is refused too (framing and checksum first).
  for (size_t cut = 1; cut < saved.size(); cut += saved.size() / 97 + 1) {
    Bytes truncated(saved.begin(), saved.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_FALSE(d.load(truncated).ok);
  }
  EXPECT_EQ(d.save(), before);
}

TEST_F(SnapshotLoad, AHistoryThatDoesNotReplayLeavesTheDocumentReadable) {
  Bytes bad = saved;
  // Deleted text, which only the history holds, becomes invalid UTF-8.
  ASSERT_TRUE(replace(bad, "DDDD", "\xff\xff\xff\xff", /*last=*/false));
  Doc loaded(&kGene, 3);
  ASSERT_TRUE(loaded.load(bad).ok);  // the history is read when first needed
  // Everything the snapshot holds reads as saved (a replay would fail, and
  // leave the collections empty).
  EXPECT_EQ(plain_dump(loaded), plain_dump(a));
  Status st = loaded.text_insert(kRoot, &kGene, 6, 0, "x");
  EXPECT_FALSE(st.ok);
  EXPECT_NE(st.error.find("does not replay"), std::string::npos) << st.error;
  EXPECT_FALSE(loaded.apply(a.changes_since(Bytes{}).value).ok);
  EXPECT_EQ(plain_dump(loaded), plain_dump(a));  // still readable, as loaded
  EXPECT_EQ(loaded.save(), bad);
}

}  // namespace
