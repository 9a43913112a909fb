// tests/runtime_seq: unit tests of Text (peritext): editing, concurrent
// inserts that must not interleave, marks and their growth at ends, ops
// encoding, save/load and hostile bytes given to load().
#include <gtest/gtest.h>

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
