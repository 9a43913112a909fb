// tests/runtime/snapshot_test.cpp: saved documents with a snapshot
// (runtime-wasm/src/snapshot.hpp, FORMAT.md "Snapshot").
//
// A document whose history is long enough saves a snapshot of its fields
// (registers, counters, texts and collections of plain values, at the root
// and in every nested object: a nested gene field, maps and lists of genes)
// next to the history; load() then opens it frozen, without replaying the
// history, and the first call that needs the history replays it. What a
// user relies on: a frozen document reads, versions and saves exactly as the
// document that was saved; it edits and syncs after thawing as if it had
// been loaded by replay; bytes whose snapshot is malformed are refused with
// the document unchanged; a snapshot that disagrees with its history loses
// to the history; a history that does not replay leaves the document
// readable and refuses edits with a clear error. Root texts are kept once:
// visible characters in the snapshot's text section, deleted ones in the
// history.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "../../runtime-wasm/src/snapshot.hpp"  // read_snapshot, for bytes no writer makes
#include "dolc_gen_rt.hpp"

namespace {

using namespace dolc_gen;

const FieldInfo kLeafFields[] = {{"name", Strategy::Lww}};
const GeneInfo kLeaf = {"leaf", kLeafFields, 1};
const FieldInfo kItemFields[] = {
    {"label", Strategy::Lww},
    {"votes", Strategy::PnCounter},
    {"note", Strategy::Peritext},      // a text in a nested object: kept in the snapshot whole
    {"tags", Strategy::OrSet},
    {"leaves", Strategy::Rga, &kLeaf},  // objects two levels down
};
const GeneInfo kItem = {"item", kItemFields, 5};

const FieldInfo kFields[] = {
    {"title", Strategy::Lww},           // 0
    {"status", Strategy::MvRegister},   // 1
    {"members", Strategy::OrSet},       // 2
    {"scores", Strategy::OrMap},        // 3 scalar values
    {"likes", Strategy::PnCounter},     // 4
    {"log", Strategy::Rga},             // 5 values
    {"body", Strategy::Peritext},       // 6
    {"meta", Strategy::Nested, &kItem}, // 7 a nested object (snapshot kind 8)
    {"items", Strategy::Rga, &kItem},   // 8 a list of genes (kind 10)
    {"unset", Strategy::Lww},           // 9 never written
    {"cards", Strategy::OrMap, &kItem}, // 10 a map of genes (kind 9)
};
const GeneInfo kGene = {"note", kFields, 11, &kSequenceSupport};

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
// An object of gene kItem at `at`, through the API (as the generated
// getters read it: *_child paths, then the fields at them).
std::string item_dump(const Doc& d, const Bytes& at) {
  auto label = d.reg_get(at, &kItem, 0);
  std::string out = "{" + (label ? s(*label) : "-") + "/" + std::to_string(d.counter_value(at, &kItem, 1)) + "/" +
                    d.text_string(at, &kItem, 2) + "(" + std::to_string(d.text_length(at, &kItem, 2)) + ")/";
  for (const Bytes& t : d.set_values(at, &kItem, 3)) out += s(t) + (d.set_has(at, &kItem, 3, t) ? "," : "!");
  out += "/leaves(" + std::to_string(d.list_length(at, &kItem, 4)) + "):";
  for (uint32_t i = 0; i < d.list_length(at, &kItem, 4); ++i) {
    Result<Bytes> leaf = d.list_child(at, &kItem, 4, i);
    auto name = leaf.ok ? d.reg_get(leaf.value, &kLeaf, 0) : std::nullopt;
    out += leaf.ok ? (name ? s(*name) : "-") + "," : "?,";
  }
  return out + "}";
}
// The nested objects: `meta`, each element of `items`, each entry of `cards`,
// and what is not there (which reads as the live document answers).
std::string nested_dump(const Doc& d) {
  std::string out = "meta=" + item_dump(d, d.nested_child(kRoot, &kGene, 7));
  out += ";items(" + std::to_string(d.list_length(kRoot, &kGene, 8)) + ")=";
  for (uint32_t i = 0; i < d.list_length(kRoot, &kGene, 8); ++i) {
    Result<Bytes> item = d.list_child(kRoot, &kGene, 8, i);
    out += item.ok ? item_dump(d, item.value) + "[" + s(d.list_get(kRoot, &kGene, 8, i).value()) + "]" : "?";
  }
  out += ";cards=";
  for (const Bytes& k : d.map_keys(kRoot, &kGene, 10)) {
    Result<Bytes> card = d.map_child(kRoot, &kGene, 10, k);
    out += s(k) + (d.map_has(kRoot, &kGene, 10, k) ? "" : "!") + (d.map_get(kRoot, &kGene, 10, k) ? "=value" : "") +
           "=" + (card.ok ? item_dump(d, card.value) : "?") + ",";
  }
  Result<Bytes> none = d.map_child(kRoot, &kGene, 10, b("nope"));
  Result<Bytes> past = d.list_child(kRoot, &kGene, 8, 1u << 20);
  out += std::string(";absent:") + (none.ok ? "child" : none.error) + "/" + (past.ok ? "child" : past.error) +
         (d.map_has(kRoot, &kGene, 10, b("nope")) ? "/has" : "/-");
  return out;
}
// Everything, including what only a replayed document answers.
std::string full_dump(const Doc& d) {
  return plain_dump(d) + ";" + nested_dump(d) + ";spans=" + d.text_spans(kRoot, &kGene, 6);
}

// One random edit inside a nested object: `meta`, an element of `items` or
// an entry of `cards` (made when missing), or a leaf of one of those.
template <class Word>
void nested_edit(Doc& d, std::mt19937& rng, Word& word) {
  Bytes at;
  switch (rng() % 3) {
    case 0: at = d.nested_child(kRoot, &kGene, 7); break;
    case 1: {
      uint32_t n = d.list_length(kRoot, &kGene, 8);
      if (n < 30 && rng() % 4 == 0) {
        ASSERT_TRUE(d.list_insert_new(kRoot, &kGene, 8, n ? rng() % (n + 1) : 0).ok);
        return;
      }
      if (!n) return;
      at = d.list_child(kRoot, &kGene, 8, rng() % n).value;
      break;
    }
    default: {
      Bytes key = b("card-" + std::to_string(rng() % 40));
      if (!d.map_has(kRoot, &kGene, 10, key)) {
        ASSERT_TRUE(d.map_set_new(kRoot, &kGene, 10, key).ok);
        return;
      }
      if (rng() % 8 == 0) {
        ASSERT_TRUE(d.map_delete(kRoot, &kGene, 10, key).ok);
        return;
      }
      at = d.map_child(kRoot, &kGene, 10, key).value;
    }
  }
  switch (rng() % 6) {
    case 0: ASSERT_TRUE(d.reg_set(at, &kItem, 0, b(word())).ok); break;
    case 1: ASSERT_TRUE(d.counter_add(at, &kItem, 1, static_cast<int64_t>(rng() % 5) - 2).ok); break;
    case 2: ASSERT_TRUE(d.text_insert(at, &kItem, 2, 0, word()).ok); break;
    case 3: ASSERT_TRUE(d.set_add(at, &kItem, 3, b(word())).ok); break;
    case 4: ASSERT_TRUE(d.list_insert_new(at, &kItem, 4, 0).ok); break;
    default: {
      uint32_t n = d.list_length(at, &kItem, 4);
      if (n) {
        ASSERT_TRUE(d.reg_set(d.list_child(at, &kItem, 4, rng() % n).value, &kLeaf, 0, b(word())).ok);
      }
    }
  }
}

// A document of two actors with a history of a few thousand ops over every
// kind of field, with markers: QQQQ visible in the body, DDDD deleted from
// it, the title last set to TTTT-final.
void build(Doc& a, Doc& other) {
  std::mt19937 rng(7);
  auto word = [&] { return std::string(1, static_cast<char>('a' + rng() % 26)) + std::to_string(rng() % 50); };
  for (int i = 0; i < 1500; ++i) {
    Doc& d = i % 5 == 4 ? other : a;
    switch (rng() % 10) {
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
      case 7: nested_edit(d, rng, word); break;
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
  // Nested objects, with markers in the snapshot's copy: NNNN-meta in `meta`,
  // IIII-item in the first element of `items`, KKKK-card in cz-1 of
  // `cards`, EEEE-leaf in a leaf of that card.
  ASSERT_TRUE(a.reg_set(a.nested_child(kRoot, &kGene, 7), &kItem, 0, b("NNNN-meta")).ok);
  ASSERT_TRUE(a.list_insert_new(kRoot, &kGene, 8, 0).ok);
  ASSERT_TRUE(a.reg_set(a.list_child(kRoot, &kGene, 8, 0).value, &kItem, 0, b("IIII-item")).ok);
  ASSERT_TRUE(a.map_set_new(kRoot, &kGene, 10, b("cz-1")).ok);  // the last two keys (bytewise)
  ASSERT_TRUE(a.map_set_new(kRoot, &kGene, 10, b("cz-2")).ok);
  Bytes card = a.map_child(kRoot, &kGene, 10, b("cz-1")).value;
  ASSERT_TRUE(a.reg_set(card, &kItem, 0, b("KKKK-card")).ok);
  ASSERT_TRUE(a.list_insert_new(card, &kItem, 4, 0).ok);
  ASSERT_TRUE(a.reg_set(a.list_child(card, &kItem, 4, 0).value, &kLeaf, 0, b("EEEE-leaf")).ok);
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
  EXPECT_EQ(nested_dump(loaded), nested_dump(a));
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
  // Another field's kind (4; 8, a nested object's): malformed; unknown (0, 11): replay.
  for (uint8_t kind : {uint8_t{4}, uint8_t{8}, uint8_t{0}, uint8_t{11}}) {
    Bytes other = saved;
    other[tag] = kind;
    reframe(other);
    Status st = d.load(other);
    EXPECT_EQ(st.ok, kind != 4 && kind != 8) << int{kind} << ": " << st.error;
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

// Nested objects (a nested gene field, the genes of a list and of a map, and
// theirs) are read from the snapshot: with a history that cannot replay,
// every one of them still reads as saved, so none of those reads needed it.
TEST_F(SnapshotLoad, NestedObjectsAreReadWithoutReplayingTheHistory) {
  std::string expected = nested_dump(a);
  ASSERT_NE(expected.find("NNNN-meta"), std::string::npos);
  ASSERT_NE(expected.find("IIII-item"), std::string::npos);
  ASSERT_NE(expected.find("EEEE-leaf"), std::string::npos);
  Bytes bad = saved;
  ASSERT_TRUE(replace(bad, "DDDD", "\xff\xff\xff\xff", /*last=*/false));
  Doc loaded(&kGene, 3);
  ASSERT_TRUE(loaded.load(bad).ok);
  EXPECT_EQ(nested_dump(loaded), expected);
  EXPECT_EQ(plain_dump(loaded), plain_dump(a));
  // Edits inside nested objects need the history: refused, nothing changes.
  Status st = loaded.reg_set(loaded.nested_child(kRoot, &kGene, 7), &kItem, 0, b("x"));
  EXPECT_FALSE(st.ok);
  EXPECT_NE(st.error.find("does not replay"), std::string::npos) << st.error;
  EXPECT_FALSE(loaded.map_set_new(kRoot, &kGene, 10, b("new")).ok);
  EXPECT_EQ(nested_dump(loaded), expected);
  EXPECT_EQ(loaded.save(), bad);
  // The honest bytes read the same, before and after a replay, and save
  // as the very bytes before and after it.
  Doc honest(&kGene, 4);
  ASSERT_TRUE(honest.load(saved).ok);
  EXPECT_EQ(nested_dump(honest), expected);
  EXPECT_EQ(honest.save(), saved);
  ASSERT_TRUE(honest.changes_since(Bytes{}).ok);  // replays
  EXPECT_EQ(nested_dump(honest), expected);
  EXPECT_EQ(honest.save(), saved);
  // And a document loaded by replay (merge() always replays) reads the same.
  Doc replayed(&kGene, 5);
  ASSERT_TRUE(replayed.merge(saved).ok);
  EXPECT_EQ(full_dump(replayed), full_dump(a));
}

// Paths a frozen document hands out (nested_child, list_child, map_child)
// are those of the live one: after the first edit replays the history, they
// still name the same objects, and edits through them sync.
TEST_F(SnapshotLoad, PathsTakenWhileFrozenWorkAfterTheHistoryReplays) {
  Doc loaded(&kGene, 3);
  loaded.take_events(true);
  ASSERT_TRUE(loaded.load(saved).ok);
  loaded.take_events(true);
  Bytes meta = loaded.nested_child(kRoot, &kGene, 7);
  Bytes item = loaded.list_child(kRoot, &kGene, 8, 0).value;
  Bytes card = loaded.map_child(kRoot, &kGene, 10, b("cz-1")).value;
  Bytes leaf = loaded.list_child(card, &kItem, 4, 0).value;
  EXPECT_EQ(meta, a.nested_child(kRoot, &kGene, 7));
  EXPECT_EQ(item, a.list_child(kRoot, &kGene, 8, 0).value);
  EXPECT_EQ(card, a.map_child(kRoot, &kGene, 10, b("cz-1")).value);
  EXPECT_EQ(leaf, a.list_child(a.map_child(kRoot, &kGene, 10, b("cz-1")).value, &kItem, 4, 0).value);
  EXPECT_EQ(s(loaded.reg_get(leaf, &kLeaf, 0).value()), "EEEE-leaf");
  ASSERT_TRUE(loaded.reg_set(leaf, &kLeaf, 0, b("leaf-after")).ok);  // the first edit: replays
  EXPECT_EQ(loaded.take_events(true).find("\"reset\""), std::string::npos);  // the snapshot was honest
  ASSERT_TRUE(loaded.counter_add(item, &kItem, 1, 7).ok);
  ASSERT_TRUE(loaded.text_insert(meta, &kItem, 2, 0, "meta-text ").ok);
  ASSERT_TRUE(a.reg_set(card, &kItem, 0, b("card-from-a")).ok);
  ASSERT_TRUE(a.apply(loaded.changes_since(a.version()).value).ok);
  ASSERT_TRUE(loaded.apply(a.changes_since(loaded.version()).value).ok);
  EXPECT_EQ(full_dump(loaded), full_dump(a));
  EXPECT_EQ(s(loaded.reg_get(leaf, &kLeaf, 0).value()), "leaf-after");
  EXPECT_EQ(s(loaded.reg_get(card, &kItem, 0).value()), "card-from-a");
  // Saved again (a new snapshot), loaded, and saved: the same bytes.
  Bytes again = loaded.save();
  Doc third(&kGene, 6);
  ASSERT_TRUE(third.load(again).ok);
  EXPECT_EQ(nested_dump(third), nested_dump(a));
  EXPECT_EQ(third.save(), again);
}

// A snapshot forged to show other values in nested objects shows them while
// the document is frozen, and loses to the history when it replays.
TEST_F(SnapshotLoad, ANestedObjectForgedInTheSnapshotLosesToTheHistory) {
  Bytes forged = saved;
  ASSERT_TRUE(replace(forged, "NNNN-meta", "XXXX-meta", /*last=*/true));
  ASSERT_TRUE(replace(forged, "IIII-item", "XXXX-item", /*last=*/true));
  ASSERT_TRUE(replace(forged, "KKKK-card", "XXXX-card", /*last=*/true));
  ASSERT_TRUE(replace(forged, "EEEE-leaf", "XXXX-leaf", /*last=*/true));
  Doc loaded(&kGene, 3);
  loaded.take_events(true);
  ASSERT_TRUE(loaded.load(forged).ok);
  loaded.take_events(true);
  std::string shown = nested_dump(loaded);
  for (const char* x : {"XXXX-meta", "XXXX-item", "XXXX-card", "XXXX-leaf"})
    EXPECT_NE(shown.find(x), std::string::npos) << x << " in " << shown;
  EXPECT_EQ(loaded.save(), forged);  // still frozen: the very bytes
  EXPECT_EQ(loaded.take_events(true), "");
  ASSERT_TRUE(loaded.counter_add(kRoot, &kGene, 4, 1).ok);  // the history replays
  EXPECT_NE(loaded.take_events(true).find("\"reset\""), std::string::npos);
  ASSERT_TRUE(a.counter_add(kRoot, &kGene, 4, 1).ok);
  EXPECT_EQ(nested_dump(loaded), nested_dump(a));
  EXPECT_EQ(full_dump(loaded), full_dump(a));
}

// Malformed nested objects refuse the bytes and leave the document as it
// was: a key no field of the object's gene has, a key of another gene's
// field, a kind that does not fit the field, map keys that repeat or
// descend. A kind this reader does not know, inside an object, loads by replay.
TEST_F(SnapshotLoad, AMalformedNestedSnapshotIsRefusedAndChangesNothing) {
  Doc d(&kGene, 3);
  ASSERT_TRUE(d.reg_set(kRoot, &kGene, 0, b("mine")).ok);
  Bytes before = d.save();
  std::string text(saved.begin(), saved.end());
  // The kind after a key (`bytes key`, `u8 kind`): its last one is the snapshot's.
  auto kind_at = [&](const std::string& key) { return text.rfind(static_cast<char>(key.size()) + key) + 1 + key.size(); };
  ASSERT_EQ(saved[kind_at("leaves")], 10);  // a list of genes
  ASSERT_EQ(saved[kind_at("cards")], 9);    // a map of genes
  ASSERT_EQ(saved[kind_at("meta")], 8);     // a nested object
  auto with_kind = [&](const char* key, uint8_t kind) {
    Bytes out = saved;
    out[kind_at(key)] = kind;
    reframe(out);
    return out;
  };
  struct Case {
    const char* what;
    Bytes bytes;
  };
  std::vector<Case> cases;
  auto forged = [&](const char* from, const char* to) {
    Bytes out = saved;
    EXPECT_TRUE(replace(out, from, to, /*last=*/true)) << from;
    return out;
  };
  cases.push_back({"an unknown key in a nested object", forged("votes", "vetos")});
  cases.push_back({"a key of the root gene in a nested object", forged("name", "body")});
  cases.push_back({"a duplicate key of a map of genes", forged("cz-2", "cz-1")});
  cases.push_back({"a map of genes out of order", forged("cz-2", "cz-0")});
  cases.push_back({"a list of genes as a list of values", with_kind("leaves", 6)});
  cases.push_back({"a map of genes as a map of values", with_kind("cards", 4)});
  cases.push_back({"a nested object as a register", with_kind("meta", 1)});
  for (const Case& c : cases) {
    Status st = d.load(c.bytes);
    EXPECT_FALSE(st.ok) << c.what;
    EXPECT_NE(st.error.find("snapshot"), std::string::npos) << c.what << ": " << st.error;
    EXPECT_EQ(d.save(), before) << c.what;
  }
  // Unknown kinds, inside nested objects too: the bytes load by replay.
  for (const char* key : {"leaves", "meta", "name"}) {
    Status st = d.load(with_kind(key, 11));
    ASSERT_TRUE(st.ok) << key << ": " << st.error;
    EXPECT_EQ(full_dump(d), full_dump(a)) << key;
  }
}

// Bytes no writer makes, read directly: objects nested deeper than a path
// reaches (64 steps), a list element's id twice or past the clock, a text
// kept in the text section inside an object (only root texts are).
extern const GeneInfo kFolder;  // recursive: its collections hold folders
const FieldInfo kFolderFields[] = {{"name", Strategy::Lww}, {"children", Strategy::OrMap, &kFolder},
                                   {"list", Strategy::Rga, &kFolder}, {"text", Strategy::Peritext}};
const GeneInfo kFolder = {"folder", kFolderFields, 4, &kSequenceSupport};

std::string varint(uint64_t v) {
  std::string out;
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    out += static_cast<char>(byte | (v ? 0x80 : 0));
  } while (v);
  return out;
}
std::string bytes(const std::string& v) { return varint(v.size()) + v; }
// A chain of `depth` objects below the root, each the only entry "k" of its
// parent's `children` (a map of genes: its objects' `shape`, then each
// entry's key and values); the deepest holds the fields `shape` names, with
// `values`.
std::string chain(size_t depth, const std::string& shape = varint(0), const std::string& values = "") {
  if (depth == 0) return varint(0);
  std::string map = shape + varint(1) + bytes("k") + values;  // the map holding the deepest object
  for (size_t i = 1; i < depth; ++i) map = varint(1) + bytes("children") + char{9} + varint(1) + bytes("k") + map;
  return varint(1) + bytes("children") + char{9} + map;  // the root object
}
bool reads(const std::string& objects, bool* unusable = nullptr) {
  std::string body = varint(100) + varint(0) + objects;  // clock 100, no actors
  internal::FrozenView view;
  bool ignored = false;
  return internal::read_snapshot(body, &kFolder, &view, unusable ? unusable : &ignored);
}

TEST(SnapshotReader, NestedObjectsAreBoundedAndChecked) {
  EXPECT_TRUE(reads(chain(0)));
  EXPECT_TRUE(reads(chain(64)));   // as deep as a path reaches
  EXPECT_FALSE(reads(chain(65)));  // deeper: malformed
  EXPECT_FALSE(reads(chain(5000)));
  // A kind this reader does not know, deep inside: unusable (replays), not malformed.
  bool unusable = false;
  EXPECT_FALSE(reads(chain(10, varint(1) + bytes("name") + char{11}, varint(0)), &unusable));
  EXPECT_TRUE(unusable);
  // A list of genes: its objects' shape (here none), then each element's
  // id, value bytes and values.
  auto element = [](uint64_t lamport, uint64_t actor) { return varint(lamport) + varint(actor) + bytes(""); };
  auto list = [](const std::string& elements, size_t n) {
    return varint(1) + bytes("list") + char{10} + varint(0) + varint(n) + elements;
  };
  EXPECT_TRUE(reads(list(element(5, 1) + element(5, 2), 2)));
  EXPECT_FALSE(reads(list(element(5, 1) + element(5, 1), 2)));  // one id twice
  EXPECT_FALSE(reads(list(element(101, 1), 1)));                // past the clock
  EXPECT_FALSE(reads(list(element(0, 1), 1)));                  // no such id
  EXPECT_FALSE(reads(list(element(5, 1), 1000)));               // a count past the bytes
  // Many elements in no order: found however they lie, a repeat found however far apart.
  std::string many;
  std::mt19937 rng(3);
  std::vector<uint64_t> lamports;
  for (uint64_t l = 1; l <= 90; ++l) lamports.push_back(l);
  std::shuffle(lamports.begin(), lamports.end(), rng);
  for (uint64_t l : lamports) many += element(l, 1 + l % 3);
  EXPECT_TRUE(reads(list(many, 90)));
  EXPECT_FALSE(reads(list(many + element(lamports[0], 1 + lamports[0] % 3), 91)));
  EXPECT_TRUE(reads(list(many + element(lamports[0], 4), 91)));
  std::string text = varint(1) + bytes("text") + char{7};
  EXPECT_TRUE(reads(chain(3, text, char{0} + bytes("hi"))));
  EXPECT_FALSE(reads(chain(3, text, std::string(1, char{1}))));  // only root texts are in the text section
  std::string name = bytes("name") + char{1};
  EXPECT_FALSE(reads(chain(3, varint(2) + name + name, std::string(2, char{0}))));  // a field twice
  EXPECT_TRUE(reads(chain(3, varint(1) + name, std::string(1, char{0}))));
  EXPECT_FALSE(reads(chain(3, varint(1) + name, "")));  // a value missing
  // The objects of a map of genes at the depth limit may hold no objects.
  std::string children = varint(1) + bytes("children") + char{9};
  EXPECT_TRUE(reads(chain(63, children, varint(0) + varint(0))));
  EXPECT_FALSE(reads(chain(64, children, varint(0) + varint(0))));
}

// Objects as deep as a path reaches save their fields in the snapshot and
// load frozen; the writer leaves out what lies deeper (nothing a path can
// name), so what it writes its reader reads.
TEST(SnapshotDepth, TheDeepestObjectsAPathReachesAreInTheSnapshot) {
  Doc d(&kFolder, 1);
  Bytes at = kRoot;
  for (int i = 0; i < 64; ++i) {
    ASSERT_TRUE(d.map_set_new(at, &kFolder, 1, b("k")).ok) << i;
    at = d.map_child(at, &kFolder, 1, b("k")).value;
  }
  ASSERT_TRUE(d.reg_set(at, &kFolder, 0, b("DEEP-64")).ok);
  // An object 65 steps down exists (an op 64 steps deep makes it) but no
  // path names it: the writer leaves the field holding it out.
  ASSERT_TRUE(d.map_set_new(at, &kFolder, 1, b("k")).ok);
  for (int i = 0; i < 1100; ++i) ASSERT_TRUE(d.reg_set(kRoot, &kFolder, 0, b("root-" + std::to_string(i))).ok);
  Bytes saved = d.save();
  Bytes forged = saved;
  ASSERT_TRUE(replace(forged, "DEEP-64", "XXXX-64", /*last=*/true));  // shows: read from the snapshot
  for (const Bytes* bytes_ : {&saved, &forged}) {
    Doc loaded(&kFolder, 2);
    ASSERT_TRUE(loaded.load(*bytes_).ok);
    Bytes path = kRoot;
    for (int i = 0; i < 64; ++i) path = loaded.map_child(path, &kFolder, 1, b("k")).value;
    EXPECT_EQ(path, at);
    EXPECT_EQ(s(loaded.reg_get(path, &kFolder, 0).value()), bytes_ == &saved ? "DEEP-64" : "XXXX-64");
    EXPECT_EQ(loaded.save(), *bytes_);
  }
}

}  // namespace
