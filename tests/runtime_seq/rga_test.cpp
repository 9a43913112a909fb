// tests/runtime_seq: unit tests of RgaList (rga): insert/delete, moves that
// keep element identity, concurrent moves converging, save/load and hostile
// bytes.
#include <gtest/gtest.h>

#include <random>

#include "dolc/rt/seq/rga.hpp"

using namespace dolc::rt;
using namespace dolc::rt::seq;

namespace {
OpId id(Lamport l, ActorId a) { return OpId{l, a}; }
Bytes v(uint8_t x) { return Bytes{x}; }
std::vector<uint8_t> flat(const RgaList& l) {
  std::vector<uint8_t> out;
  for (const Bytes& b : l.to_array()) out.push_back(b[0]);
  return out;
}
}  // namespace

TEST(Rga, InsertDeleteAndIds) {
  RgaList l;
  l.insert(0, {v(1), v(2), v(3)}, id(1, 1));
  l.insert(1, {v(9)}, id(4, 1));
  EXPECT_EQ(flat(l), (std::vector<uint8_t>{1, 9, 2, 3}));
  EXPECT_EQ(l.id_at(2), id(2, 1));
  size_t idx = 0;
  ASSERT_TRUE(l.index_of(id(3, 1), &idx));
  EXPECT_EQ(idx, 3u);
  l.remove(0, 2);
  EXPECT_EQ(flat(l), (std::vector<uint8_t>{2, 3}));
  EXPECT_EQ(l.find(id(1, 1)), nullptr);
}

TEST(Rga, MoveKeepsIdentity) {
  RgaList l;
  l.insert(0, {v(1), v(2), v(3), v(4)}, id(1, 1));
  MoveOp m = l.move(0, 3, id(10, 1));
  EXPECT_FALSE(m.empty());
  EXPECT_EQ(flat(l), (std::vector<uint8_t>{2, 3, 4, 1}));
  EXPECT_EQ(l.id_at(3), id(1, 1));
  l.move(3, 1, id(11, 1));
  EXPECT_EQ(flat(l), (std::vector<uint8_t>{2, 1, 3, 4}));
  ASSERT_NE(l.find(id(1, 1)), nullptr);
  l.remove(1, 1);
  EXPECT_EQ(flat(l), (std::vector<uint8_t>{2, 3, 4}));
}

TEST(Rga, ConcurrentMovesConvergeToLargestId) {
  RgaList a, b;
  b.apply(a.insert(0, {v(1), v(2), v(3), v(4)}, id(1, 1)));
  MoveOp ma = a.move(0, 3, id(10, 1));  // 1 to the end
  MoveOp mb = b.move(0, 1, id(10, 2));  // 1 after 2 (larger OpId: wins)
  a.apply(mb);
  b.apply(ma);
  EXPECT_EQ(flat(a), flat(b));
  EXPECT_EQ(flat(a), (std::vector<uint8_t>{2, 1, 3, 4}));
  // A concurrent delete hides the element whatever its moves.
  DeleteOp d = a.remove(1, 1);
  b.apply(d);
  EXPECT_EQ(flat(b), (std::vector<uint8_t>{2, 3, 4}));
}

TEST(Rga, SaveLoadAndHostileBytes) {
  RgaList l;
  l.insert(0, {v(1), v(2), v(3), v(4), v(5)}, id(1, 1));
  l.move(4, 0, id(10, 1));
  l.remove(2, 1);
  Writer w;
  l.save(w);
  RgaList loaded;
  Reader r(w.buffer());
  ASSERT_TRUE(loaded.load(r));
  EXPECT_EQ(flat(loaded), flat(l));
  EXPECT_EQ(loaded.id_at(0), id(5, 1));
  std::mt19937_64 rng(11);
  for (size_t cut = 0; cut < w.size(); ++cut) {
    Reader rr(w.buffer().data(), cut);
    EXPECT_FALSE(loaded.load(rr));
  }
  EXPECT_EQ(flat(loaded), flat(l));
  for (int i = 0; i < 3000; ++i) {
    Bytes b = w.buffer();
    b[rng() % b.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    RgaList x;
    Reader rr(b);
    if (x.load(rr)) (void)x.to_array();
  }
}

// The wasm build keeps a sequence's items in an ItemStore (blocks that never
// move once full-sized; seq_core.hpp); native builds use a vector, so the
// store is checked here on its own: indexes across block boundaries, items
// past the first block that stay where they are as it grows, and copies (a
// document's baseline copies its texts).
TEST(ItemStore, KeepsItemsInPlaceAcrossBlocks) {
  ItemStore store;
  const uint32_t n = 3 * ItemStore::kBlockItems + 17;
  Item first;
  first.len = 1;
  store.push_back(first);
  const Item* kept = nullptr;
  for (uint32_t i = 1; i < n; ++i) {
    Item it;
    it.id = id(i, 1);
    it.len = i + 1;
    store.push_back(it);
    if (i == ItemStore::kBlockItems) kept = &store[i];
  }
  ASSERT_EQ(store.size(), n);
  EXPECT_EQ(kept, &store[ItemStore::kBlockItems]) << "an item of the second block moved";
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(store[i].len, i + 1) << i;
  EXPECT_GE(store.capacity(), n);
  ItemStore copy = store;
  copy[ItemStore::kBlockItems].len = 0;
  EXPECT_EQ(store[ItemStore::kBlockItems].len, ItemStore::kBlockItems + 1);
  copy.push_back(first);
  EXPECT_EQ(copy.size(), n + 1);
  EXPECT_EQ(store.size(), n);
  EXPECT_EQ(copy[n].len, 1u);
}
