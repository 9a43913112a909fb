// tests/runtime_seq: unit tests of Text (peritext): editing, concurrent
// inserts that must not interleave, marks and their growth at ends, ops
// encoding, save/load and hostile bytes given to load().
#include <gtest/gtest.h>

#include <random>

#include "dolc/rt/seq/text.hpp"

using namespace dolc::rt;
using namespace dolc::rt::seq;

namespace {
OpId id(Lamport l, ActorId a) { return OpId{l, a}; }
}  // namespace

TEST(Text, InsertDeleteLocal) {
  Text t;
  t.insert(0, "hello", id(1, 1));
  t.insert(5, " world", id(6, 1));
  EXPECT_EQ(t.to_string(), "hello world");
  t.insert(0, ">", id(12, 1));
  EXPECT_EQ(t.to_string(), ">hello world");
  DeleteOp d = t.remove(1, 6);
  EXPECT_EQ(t.to_string(), ">world");
  ASSERT_EQ(d.ranges.size(), 1u);
  EXPECT_EQ(d.ranges[0], (IdRange{id(1, 1), 6}));
  EXPECT_EQ(t.size(), 6u);
  EXPECT_EQ(t.core().item_count(), 3u);  // ">", deleted "hello ", "world"
}

TEST(Text, ConcurrentRunsDoNotInterleave) {
  Text a, b;
  auto base = a.insert(0, "[]", id(1, 1));
  b.apply(base);
  // Both type a word at the same place, one character at a time.
  std::vector<TextInsertOp> from_a, from_b;
  for (int i = 0; i < 4; ++i) from_a.push_back(a.insert(1 + i, std::string(1, "abcd"[i]), id(10 + i, 2)));
  for (int i = 0; i < 4; ++i) from_b.push_back(b.insert(1 + i, std::string(1, "wxyz"[i]), id(10 + i, 3)));
  for (auto& op : from_b) { ASSERT_TRUE(a.can_apply(op)); a.apply(op); }
  for (auto& op : from_a) { ASSERT_TRUE(b.can_apply(op)); b.apply(op); }
  EXPECT_EQ(a.to_string(), b.to_string());
  EXPECT_TRUE(a.to_string() == "[abcdwxyz]" || a.to_string() == "[wxyzabcd]") << a.to_string();
}

TEST(Text, UnicodePositionsAreCodePoints) {
  Text t;
  t.insert(0, "h\xC3\xA9llo \xF0\x9F\x98\x80", id(1, 1));
  EXPECT_EQ(t.size(), 7u);
  t.remove(1, 1);
  EXPECT_EQ(t.to_string(), "hllo \xF0\x9F\x98\x80");
  EXPECT_EQ(t.at(5), U'\U0001F600');
}

TEST(Text, BoldGrowsAtEndLinkDoesNot) {
  Text t;
  t.insert(0, "abc def", id(1, 1));
  t.mark(0, 3, "bold", "true", id(10, 1));
  t.mark(4, 7, "link", "x.org", id(11, 1));
  t.insert(3, "X", id(12, 1));  // typed at the end of the bold run
  t.insert(8, "Y", id(13, 1));  // typed at the end of the link (end of text)
  t.insert(0, "S", id(14, 1));  // typed before the bold run: not bold
  auto spans = t.spans();
  ASSERT_EQ(spans.size(), 5u);
  EXPECT_EQ(spans[0], (TextSpan{"S", {}}));
  EXPECT_EQ(spans[1], (TextSpan{"abcX", {{"bold", "true"}}}));
  EXPECT_EQ(spans[2], (TextSpan{" ", {}}));
  EXPECT_EQ(spans[3], (TextSpan{"def", {{"link", "x.org"}}}));
  EXPECT_EQ(spans[4], (TextSpan{"Y", {}}));
}

TEST(Text, UnmarkAndConcurrentMarksLargestIdWins) {
  Text a, b;
  b.apply(a.insert(0, "abcdef", id(1, 1)));
  auto m1 = a.mark(0, 6, "color", "red", id(10, 1));
  auto m2 = b.mark(2, 4, "color", "blue", id(10, 2));  // larger OpId (same lamport, larger actor)
  a.apply(m2);
  b.apply(m1);
  EXPECT_EQ(a.spans(), b.spans());
  auto spans = a.spans();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[1], (TextSpan{"cd", {{"color", "blue"}}}));
  a.unmark(0, 3, "color", id(20, 1));
  spans = a.spans();
  EXPECT_EQ(spans[0], (TextSpan{"abc", {}}));
  EXPECT_EQ(spans[1], (TextSpan{"d", {{"color", "blue"}}}));
}

TEST(Text, DeletingMarkedTextKeepsTheRestMarked) {
  Text t;
  t.insert(0, "abcdef", id(1, 1));
  t.mark(1, 5, "italic", "", id(10, 1));
  t.remove(2, 2);
  auto spans = t.spans();
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[1], (TextSpan{"be", {{"italic", ""}}}));
  t.remove(0, t.size());
  EXPECT_TRUE(t.spans().empty());
}

TEST(Text, OpsRefuseUnknownIdsAndBadBytes) {
  Text t;
  t.insert(0, "ab", id(1, 1));
  TextInsertOp bad{id(5, 2), id(99, 7), OpId{}, U"x"};
  EXPECT_FALSE(t.can_apply(bad));
  DeleteOp del{{IdRange{id(1, 1), 5}}};
  EXPECT_FALSE(t.can_apply(del));
  Writer w;
  encode(w, TextInsertOp{id(5, 2), id(1, 1), OpId{}, U"xyz"});
  for (size_t cut = 0; cut < w.size(); ++cut) {
    Reader r(w.buffer().data(), cut);
    TextInsertOp out;
    EXPECT_FALSE(decode(r, out)) << cut;
  }
}

TEST(Text, SaveLoadRoundTripAndHostileBytes) {
  Text t;
  t.insert(0, "hello brave new world", id(1, 1));
  t.remove(6, 6);
  t.mark(0, 5, "bold", "1", id(30, 1));
  t.insert(3, "\xE2\x82\xAC", id(40, 2));
  Writer w;
  t.save(w);
  Text loaded;
  Reader r(w.buffer());
  ASSERT_TRUE(loaded.load(r));
  EXPECT_EQ(loaded.to_string(), t.to_string());
  EXPECT_EQ(loaded.spans(), t.spans());
  // Truncations, bit flips and random bytes: refused or loaded, never a crash;
  // a refused load leaves the text unchanged.
  std::mt19937_64 rng(7);
  for (size_t cut = 0; cut < w.size(); ++cut) {
    Reader rr(w.buffer().data(), cut);
    EXPECT_FALSE(loaded.load(rr)) << cut;
    EXPECT_EQ(loaded.to_string(), t.to_string());
  }
  for (int i = 0; i < 3000; ++i) {
    Bytes b = w.buffer();
    b[rng() % b.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    Text x;
    Reader rr(b);
    if (x.load(rr)) { (void)x.to_string(); (void)x.spans(); }
    Bytes junk(rng() % 64);
    for (auto& c : junk) c = static_cast<uint8_t>(rng());
    Reader rj(junk);
    if (x.load(rj)) { (void)x.to_string(); (void)x.spans(); }
  }
}
