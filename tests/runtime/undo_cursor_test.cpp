// tests/runtime/undo_cursor_test.cpp: cursors (ids, not indexes) and undo /
// redo of a replica's own operations (issue 13, parts 3 and 4), natively
// through dolc_gen::Doc. docs/generated-api.md, "Cursors", "Undo and redo".
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "dolc_gen_rt.hpp"

namespace {

using namespace dolc_gen;

Bytes mood_default() { return Bytes{'o', 'k'}; }
const FieldInfo kFields[] = {
    {"title", Strategy::Lww},         // 0
    {"likes", Strategy::PnCounter},   // 1
    {"tags", Strategy::OrSet},        // 2
    {"body", Strategy::Peritext},     // 3
    {"log", Strategy::Rga},           // 4
    {"props", Strategy::OrMap},       // 5
    {"status", Strategy::MvRegister}, // 6
    {"mood", Strategy::Lww, nullptr, false, 0, false, 0, Overflow::Saturate, false, 0, nullptr, false, -1, nullptr,
     nullptr, nullptr, nullptr, nullptr, &mood_default},  // 7: default "ok" (no event renderers)
};
const GeneInfo kNote = {"note", kFields, 8, &kSequenceSupport};

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string s(const Bytes& v) { return std::string(v.begin(), v.end()); }

std::string body(const Doc& d) { return d.text_string(kRoot, &kNote, 3); }
std::string list(const Doc& d) {
  std::string out;
  for (uint32_t i = 0; i < d.list_length(kRoot, &kNote, 4); ++i) out += s(*d.list_get(kRoot, &kNote, 4, i));
  return out;
}
std::string state(const Doc& d) {
  auto title = d.reg_get(kRoot, &kNote, 0);
  std::string out = "title=" + (title ? s(*title) : "-") + " likes=" + std::to_string(d.counter_value(kRoot, &kNote, 1));
  out += " tags=";
  for (auto& v : d.set_values(kRoot, &kNote, 2)) out += s(v) + ",";
  out += " body=" + body(d) + " log=" + list(d) + " props=";
  for (auto& k : d.map_keys(kRoot, &kNote, 5)) out += s(k) + ":" + s(*d.map_get(kRoot, &kNote, 5, k)) + ",";
  out += " status=";
  for (auto& v : d.mv_values(kRoot, &kNote, 6)) out += s(v) + ",";
  return out;
}
void sync(Doc& from, Doc& to) {
  auto delta = from.changes_since(to.version());
  ASSERT_TRUE(delta.ok) << delta.error;
  ASSERT_TRUE(to.apply(delta.value).ok);
}
void sync_all(std::vector<Doc*> docs) {
  for (Doc* a : docs)
    for (Doc* c : docs)
      if (a != c) sync(*a, *c);
}

// ----- cursors

TEST(Cursor, TextFollowsItsCharacter) {
  Doc a(&kNote, 1), c(&kNote, 2);
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 0, "hello").ok);
  std::string at_l = a.cursor(kRoot, &kNote, 3, 2, false).value;   // before 'l'
  std::string after_e = a.cursor(kRoot, &kNote, 3, 2, true).value; // after 'e'
  std::string end = a.cursor(kRoot, &kNote, 3, 5, false).value;
  std::string start = a.cursor(kRoot, &kNote, 3, 0, true).value;
  EXPECT_EQ(end, "R");
  EXPECT_EQ(start, "L");
  EXPECT_EQ(at_l[0], 'R');
  EXPECT_FALSE(a.cursor(kRoot, &kNote, 3, 6, false).ok);
  // Another replica resolves it once it has the character, not before.
  EXPECT_EQ(c.cursor_position(kRoot, &kNote, 3, at_l), std::nullopt);
  sync(a, c);
  EXPECT_EQ(c.cursor_position(kRoot, &kNote, 3, at_l), 2u);
  ASSERT_TRUE(c.text_insert(kRoot, &kNote, 3, 0, ">> ").ok);
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 5, "!").ok);
  sync_all({&a, &c});
  ASSERT_EQ(body(a), ">> hello!");
  for (Doc* d : {&a, &c}) {
    EXPECT_EQ(d->cursor_position(kRoot, &kNote, 3, at_l), 5u);
    EXPECT_EQ(d->cursor_position(kRoot, &kNote, 3, after_e), 5u);
    EXPECT_EQ(d->cursor_position(kRoot, &kNote, 3, end), 9u);
    EXPECT_EQ(d->cursor_position(kRoot, &kNote, 3, start), 0u);
  }
  // Text typed at the cursor: a right cursor stays before its character, a
  // left one after its character.
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 5, "XY").ok);
  EXPECT_EQ(a.cursor_position(kRoot, &kNote, 3, at_l), 7u);
  EXPECT_EQ(a.cursor_position(kRoot, &kNote, 3, after_e), 5u);
  // A deleted anchor resolves to where it was.
  ASSERT_TRUE(a.text_delete(kRoot, &kNote, 3, 4, 4).ok);  // "eXYl"
  EXPECT_EQ(body(a), ">> hlo!");
  EXPECT_EQ(a.cursor_position(kRoot, &kNote, 3, at_l), 4u);
  EXPECT_EQ(a.cursor_position(kRoot, &kNote, 3, after_e), 4u);
  // Malformed cursors resolve to nothing.
  for (const char* bad : {"", "X", "R1", "R.1", "R1.", "R1.2.3", "Rx.1", "R99999999999999999999999.1", "R42.7"})
    EXPECT_EQ(a.cursor_position(kRoot, &kNote, 3, bad), std::nullopt) << bad;
}

TEST(Cursor, ListFollowsMovesAndDeletes) {
  Doc a(&kNote, 1);
  for (const char* v : {"a", "b", "c", "d"}) ASSERT_TRUE(a.list_insert(kRoot, &kNote, 4, a.list_length(kRoot, &kNote, 4), b(v)).ok);
  std::string on_b = a.cursor(kRoot, &kNote, 4, 1, false).value;
  std::string after_b = a.cursor(kRoot, &kNote, 4, 2, true).value;
  ASSERT_TRUE(a.list_move(kRoot, &kNote, 4, 1, 3).ok);  // a c d b
  ASSERT_EQ(list(a), "acdb");
  EXPECT_EQ(a.cursor_position(kRoot, &kNote, 4, on_b), 3u);
  EXPECT_EQ(a.cursor_position(kRoot, &kNote, 4, after_b), 4u);
  ASSERT_TRUE(a.list_delete(kRoot, &kNote, 4, 3, 1).ok);
  EXPECT_EQ(a.cursor_position(kRoot, &kNote, 4, on_b), 3u);
  EXPECT_EQ(a.cursor_position(kRoot, &kNote, 4, after_b), 3u);
}

// ----- undo and redo

TEST(Undo, NothingRecordedWithoutAManager) {
  Doc a(&kNote, 1);
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 0, "hi").ok);
  EXPECT_FALSE(a.can_undo());
  EXPECT_FALSE(a.undo());
  a.undo_manager(10);
  EXPECT_FALSE(a.can_undo());  // only what follows
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 2, "!").ok);
  EXPECT_TRUE(a.can_undo());
  a.undo_manager(0);
  EXPECT_FALSE(a.can_undo());
  EXPECT_EQ(body(a), "hi!");
}

TEST(Undo, TextStepsUndoAndRedo) {
  Doc a(&kNote, 1);
  a.undo_manager(100);
  for (char c : std::string("hello")) ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, a.text_length(kRoot, &kNote, 3), std::string(1, c)).ok);
  a.undo_stop_capturing();
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 5, " world").ok);
  a.undo_stop_capturing();
  ASSERT_TRUE(a.text_delete(kRoot, &kNote, 3, 1, 3).ok);  // "ho world"
  ASSERT_TRUE(a.text_delete(kRoot, &kNote, 3, 2, 1).ok);  // "howorld"
  ASSERT_EQ(body(a), "howorld");
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(body(a), "hello world");
  EXPECT_TRUE(a.can_redo());
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(body(a), "hello");
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(body(a), "");
  EXPECT_FALSE(a.undo());
  EXPECT_TRUE(a.redo());
  EXPECT_EQ(body(a), "hello");
  EXPECT_TRUE(a.redo());
  EXPECT_EQ(body(a), "hello world");
  EXPECT_TRUE(a.redo());
  EXPECT_EQ(body(a), "howorld");
  EXPECT_FALSE(a.redo());
  // Undo reaches characters that an earlier undo re-inserted (new ids).
  EXPECT_TRUE(a.undo());
  EXPECT_TRUE(a.undo());
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(body(a), "");
  // A new edit drops what was undone.
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 0, "x").ok);
  EXPECT_FALSE(a.can_redo());
  EXPECT_FALSE(a.redo());
  EXPECT_EQ(body(a), "x");
}

TEST(Undo, EveryStrategy) {
  Doc a(&kNote, 1);
  ASSERT_TRUE(a.reg_set(kRoot, &kNote, 0, b("first")).ok);  // before the manager: stays
  ASSERT_TRUE(a.mv_set(kRoot, &kNote, 6, b("zero")).ok);     // (a first write has nothing to restore)
  a.undo_manager(100);
  std::string before = state(a);
  ASSERT_TRUE(a.reg_set(kRoot, &kNote, 0, b("second")).ok);
  ASSERT_TRUE(a.counter_add(kRoot, &kNote, 1, 5).ok);
  ASSERT_TRUE(a.counter_add(kRoot, &kNote, 1, -2).ok);
  ASSERT_TRUE(a.set_add(kRoot, &kNote, 2, b("x")).ok);
  ASSERT_TRUE(a.list_insert(kRoot, &kNote, 4, 0, b("p")).ok);
  ASSERT_TRUE(a.list_insert(kRoot, &kNote, 4, 1, b("q")).ok);
  ASSERT_TRUE(a.map_set(kRoot, &kNote, 5, b("k"), b("v1")).ok);
  ASSERT_TRUE(a.mv_set(kRoot, &kNote, 6, b("one")).ok);
  a.undo_stop_capturing();
  std::string step1 = state(a);
  ASSERT_TRUE(a.reg_set(kRoot, &kNote, 0, b("third")).ok);
  ASSERT_TRUE(a.set_remove(kRoot, &kNote, 2, b("x")).ok);
  ASSERT_TRUE(a.set_add(kRoot, &kNote, 2, b("y")).ok);
  ASSERT_TRUE(a.list_move(kRoot, &kNote, 4, 0, 1).ok);
  ASSERT_TRUE(a.map_set(kRoot, &kNote, 5, b("k"), b("v2")).ok);
  ASSERT_TRUE(a.map_set(kRoot, &kNote, 5, b("j"), b("w")).ok);
  ASSERT_TRUE(a.mv_set(kRoot, &kNote, 6, b("two")).ok);
  a.undo_stop_capturing();
  std::string step2 = state(a);
  ASSERT_TRUE(a.list_delete(kRoot, &kNote, 4, 0, 2).ok);
  ASSERT_TRUE(a.map_delete(kRoot, &kNote, 5, b("k")).ok);
  std::string step3 = state(a);
  EXPECT_EQ(step2, "title=third likes=3 tags=y, body= log=qp props=j:w,k:v2, status=two,");
  EXPECT_EQ(before, "title=first likes=0 tags= body= log= props= status=zero,");
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(state(a), step2);
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(state(a), step1);
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(state(a), before);
  EXPECT_FALSE(a.undo());
  EXPECT_TRUE(a.redo());
  EXPECT_EQ(state(a), step1);
  EXPECT_TRUE(a.redo());
  EXPECT_EQ(state(a), step2);
  EXPECT_TRUE(a.redo());
  EXPECT_EQ(state(a), step3);
  EXPECT_TRUE(a.undo());
  EXPECT_TRUE(a.undo());
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(state(a), before);
}

TEST(Undo, NeverRevertsAPeer) {
  Doc a(&kNote, 1), c(&kNote, 2);
  a.undo_manager(100);
  c.undo_manager(100);
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 0, "abc").ok);
  ASSERT_TRUE(a.reg_set(kRoot, &kNote, 0, b("A0")).ok);
  sync(a, c);
  a.undo_stop_capturing();
  ASSERT_TRUE(a.reg_set(kRoot, &kNote, 0, b("A1")).ok);
  ASSERT_TRUE(a.set_add(kRoot, &kNote, 2, b("t")).ok);
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 1, "XYZ").ok);  // aXYZbc
  ASSERT_TRUE(c.text_insert(kRoot, &kNote, 3, 2, "pq").ok);   // abpqc
  ASSERT_TRUE(c.set_add(kRoot, &kNote, 2, b("t")).ok);
  sync_all({&a, &c});
  ASSERT_EQ(body(a), "aXYZbpqc");
  ASSERT_TRUE(c.reg_set(kRoot, &kNote, 0, b("C")).ok);  // after A1: a peer's value now
  sync_all({&a, &c});
  EXPECT_FALSE(c.can_undo() && false);
  EXPECT_TRUE(a.undo());
  sync_all({&a, &c});
  EXPECT_EQ(body(a), "abpqc");  // the peer's "pq" stays
  EXPECT_EQ(s(*a.reg_get(kRoot, &kNote, 0)), "C");  // not ours any more: kept
  EXPECT_TRUE(a.set_has(kRoot, &kNote, 2, b("t")));  // the peer's add stays
  EXPECT_EQ(state(a), state(c));
  EXPECT_TRUE(a.undo());  // "abc" and A0 (its first write: kept)
  sync_all({&a, &c});
  EXPECT_EQ(body(c), "pq");
  EXPECT_EQ(state(a), state(c));
  EXPECT_TRUE(a.redo());
  sync_all({&a, &c});
  EXPECT_EQ(body(c), "abpqc");
}

// A first write has no previous value: a field with a default gets the
// default back (what reads showed), one without keeps the write.
TEST(Undo, FirstWritesRestoreTheDefault) {
  Doc a(&kNote, 1);
  a.undo_manager(100);
  ASSERT_TRUE(a.reg_set(kRoot, &kNote, 7, b("sad")).ok);
  ASSERT_TRUE(a.reg_set(kRoot, &kNote, 0, b("title")).ok);
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(s(*a.reg_get(kRoot, &kNote, 7)), "ok");
  EXPECT_EQ(s(*a.reg_get(kRoot, &kNote, 0)), "title");
  EXPECT_TRUE(a.redo());
  EXPECT_EQ(s(*a.reg_get(kRoot, &kNote, 7)), "sad");
}

TEST(Undo, RollbackForgetsWhatItCut) {
  Doc a(&kNote, 1);
  a.undo_manager(100);
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 0, "ab").ok);
  uint64_t mark = a.checkpoint();
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 2, "cd").ok);
  ASSERT_TRUE(a.counter_add(kRoot, &kNote, 1, 4).ok);
  a.rollback(mark);
  EXPECT_EQ(body(a), "ab");
  ASSERT_TRUE(a.text_insert(kRoot, &kNote, 3, 2, "e").ok);
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(body(a), "");
  EXPECT_EQ(a.counter_value(kRoot, &kNote, 1), 0);
  EXPECT_TRUE(a.redo());
  EXPECT_EQ(body(a), "abe");
}

TEST(Undo, StepsAreBoundedAndLoadKeepsTheManager) {
  Doc a(&kNote, 1);
  a.undo_manager(3);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(a.counter_add(kRoot, &kNote, 1, 1).ok);
    a.undo_stop_capturing();
  }
  int undone = 0;
  while (a.undo()) ++undone;
  EXPECT_EQ(undone, 3);
  EXPECT_EQ(a.counter_value(kRoot, &kNote, 1), 3);
  Bytes saved = a.save();
  ASSERT_TRUE(a.load(saved).ok);
  EXPECT_FALSE(a.can_undo() || a.can_redo());
  ASSERT_TRUE(a.counter_add(kRoot, &kNote, 1, 1).ok);
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(a.counter_value(kRoot, &kNote, 1), 3);
}

// Random edits, undos and redos on three replicas with random delivery: all
// converge; undo then redo with nothing in between restores the state.
TEST(Undo, RandomConcurrentConverges) {
  const char* only = std::getenv("DOLC_SEED");
  bool debug = std::getenv("DOLC_DEBUG") != nullptr;
  for (uint32_t seed = 1; seed <= 100; ++seed) {
    if (only && seed != static_cast<uint32_t>(std::atoi(only))) continue;
    std::mt19937 rng(seed);
    Doc d1(&kNote, 1), d2(&kNote, 2), d3(&kNote, 3);
    std::vector<Doc*> docs{&d1, &d2, &d3};
    for (Doc* d : docs) d->undo_manager(50);
    auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
    for (int step = 0; step < 150; ++step) {
      uint32_t which = pick(3);
      Doc& d = *docs[which];
      uint32_t len = d.text_length(kRoot, &kNote, 3), n = d.list_length(kRoot, &kNote, 4);
      uint32_t what = pick(12);
      if (debug && (what >= 6)) std::fprintf(stderr, "step %d doc %u op %u log=%s\n", step, which, what, list(d).c_str());
      switch (what) {
        case 0: d.text_insert(kRoot, &kNote, 3, pick(len + 1), std::string(1 + pick(3), static_cast<char>('a' + pick(26)))); break;
        case 1: if (len) d.text_delete(kRoot, &kNote, 3, pick(len), 1); break;
        case 2: d.reg_set(kRoot, &kNote, 0, b(std::to_string(pick(9)))); break;
        case 3: d.counter_add(kRoot, &kNote, 1, static_cast<int64_t>(pick(5)) - 2); break;
        case 4: d.set_add(kRoot, &kNote, 2, b(std::to_string(pick(4)))); break;
        case 5: d.set_remove(kRoot, &kNote, 2, b(std::to_string(pick(4)))); break;
        case 6: d.list_insert(kRoot, &kNote, 4, pick(n + 1), b(std::string(1, static_cast<char>('A' + pick(26))))); break;
        case 7: if (n) d.list_delete(kRoot, &kNote, 4, pick(n), 1); else d.list_insert(kRoot, &kNote, 4, 0, b("Z")); break;
        case 8: if (n > 1) d.list_move(kRoot, &kNote, 4, pick(n), pick(n)); break;
        case 9: d.map_set(kRoot, &kNote, 5, b(std::to_string(pick(3))), b(std::to_string(pick(9)))); break;
        case 10: {
          d.undo_stop_capturing();
          std::string before = state(d);
          if (d.undo()) {
            ASSERT_TRUE(d.redo()) << seed;
            ASSERT_EQ(state(d), before) << "seed " << seed << " step " << step;
            d.undo();
          }
          break;
        }
        case 11: d.redo(); break;
      }
      if (pick(4) == 0) d.undo_stop_capturing();
      if (pick(5) == 0) sync(*docs[pick(3)], *docs[pick(3)]);
    }
    sync_all(docs);
    sync_all(docs);
    EXPECT_EQ(state(d1), state(d2)) << seed;
    EXPECT_EQ(state(d1), state(d3)) << seed;
  }
}

}  // namespace
namespace {
// A move undone and redone, its element deleted and restored: the moves'
// history follows the re-inserted element.
TEST(Undo, MovesFollowRestoredElements) {
  Doc a(&kNote, 1);
  ASSERT_TRUE(a.list_insert(kRoot, &kNote, 4, 0, b("p")).ok);
  ASSERT_TRUE(a.list_insert(kRoot, &kNote, 4, 1, b("q")).ok);
  a.undo_manager(100);
  ASSERT_TRUE(a.list_move(kRoot, &kNote, 4, 0, 1).ok);
  EXPECT_EQ(list(a), "qp");
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(list(a), "pq");
  EXPECT_TRUE(a.redo());
  EXPECT_EQ(list(a), "qp");
  ASSERT_TRUE(a.list_delete(kRoot, &kNote, 4, 0, 2).ok);
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(list(a), "qp");
  EXPECT_TRUE(a.undo());
  EXPECT_EQ(list(a), "pq");
}
}
