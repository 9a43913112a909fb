// runtime-wasm/seq: the replicated-sequence engine shared by `rga` lists and
// `peritext` text (see Text in text.hpp and RgaList in rga.hpp).
//
// A sequence is a total order of *slots*. Every slot has an OpId; an insert of
// n elements by one actor takes the n consecutive ids (L, a), (L+1, a), ...
// Slots are never removed: a deleted element stays as an invisible tombstone
// so that concurrent operations that refer to it can still be placed.
//
// Integration rule: YATA (the rule of Yjs). Each inserted run carries
// origin_left (the id of the element immediately left of it when it was
// created, or null for "the start") and origin_right (the id of the slot
// immediately right of it, or null for "the end"). Inside a run, element k's
// origin_left is element k-1 and all share the run's origin_right, so a run
// is one unit. Concurrent runs inserted at the same place are ordered by the
// YATA conflict scan (same origin_left: smaller OpId goes left; otherwise an
// item whose origin lies inside the conflict region stays with its origin),
// which never interleaves two runs element by element, and is the same on
// every replica whatever the delivery order.
//
// Performance: consecutive slots with consecutive ids of one actor, chained
// origins, equal flags and contiguous content are ONE Item (run-length
// merge: a burst of typing is one item). Items live in a treap (randomised
// balanced binary tree, implicit key = document order) whose nodes carry the
// visible and total element counts of their subtree, so position -> item and
// item -> position are O(log n); a per-actor ordered map gives id -> item in
// O(log n). Items are also doubly linked in document order for the scan.
//
// Content is not stored here: each item holds `content`, the index of its
// first element in an append-only arena owned by the caller (code points for
// Text, values for RgaList); element k of the item is arena[content + k].
// Splitting an item therefore never copies content.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dolc/rt/encoding.hpp"
#include "dolc/rt/ids.hpp"

namespace dolc::rt::seq {

constexpr uint32_t kNoItem = 0xffffffffu;

// Item flags. An item is visible when it has neither kDeleted nor kHidden.
enum ItemFlag : uint8_t {
  kDeleted = 1,   // the element(s) were deleted (tombstone)
  kMoveSlot = 2,  // a position created by a move (RgaList); its element lives elsewhere
  kHidden = 4,    // not the element's current position (moved away / lost a move race)
};

struct Item {
  OpId id;            // id of the first slot; slot k has (id.lamport + k, id.actor)
  OpId origin_left;   // of the first slot (null = start of the sequence)
  OpId origin_right;  // shared by every slot of the item (null = end)
  uint32_t len = 0;
  uint32_t content = 0;  // arena index of the first element
  uint8_t flags = 0;
  // Treap and list links (indices into SeqCore::items()).
  uint32_t parent = kNoItem, left = kNoItem, right = kNoItem;
  uint32_t prev = kNoItem, next = kNoItem;
  uint32_t priority = 0;
  uint32_t sub_visible = 0, sub_total = 0;

  bool visible() const { return (flags & (kDeleted | kHidden)) == 0; }
  uint32_t visible_len() const { return visible() ? len : 0; }
  OpId id_at(uint32_t k) const { return OpId{id.lamport + k, id.actor}; }
  OpId last_id() const { return id_at(len - 1); }
};

// The items of a sequence, in blocks of kBlockItems that never move: a
// long text grows by a block at a time instead of copying all its items into
// an allocation twice as large. In wasm, where linear memory never shrinks
// and every first touch of a page costs a page fault, a vector's doubling
// copies held the automerge-paper trace's text in 32.5 MB of memory, and
// touching it was a fifth of the trace's time in Node (362 -> 285 ms in a
// fresh process with blocks). Natively a vector is faster (75 vs 95 ms:
// one indirection less per step of the tree walks, and large blocks are
// mapped and returned to the system), so the store is the wasm build's
// (Items below). The first block grows as a vector does, so small texts (a
// chat message's) stay small.
class ItemStore {
 public:
  static constexpr uint32_t kBlockBits = 12, kBlockItems = 1u << kBlockBits;
  uint32_t size() const { return size_; }
  Item& operator[](uint32_t i) { return blocks_[i >> kBlockBits][i & (kBlockItems - 1)]; }
  const Item& operator[](uint32_t i) const { return blocks_[i >> kBlockBits][i & (kBlockItems - 1)]; }
  void push_back(const Item& it) {
    if ((size_ & (kBlockItems - 1)) == 0 && (size_ >> kBlockBits) == blocks_.size()) {
      blocks_.emplace_back();
      if (size_ > 0) blocks_.back().reserve(kBlockItems);
    }
    blocks_.back().push_back(it);
    ++size_;
  }
  size_t capacity() const {
    size_t n = 0;
    for (const auto& b : blocks_) n += b.capacity();
    return n;
  }

 private:
  std::vector<std::vector<Item>> blocks_;
  uint32_t size_ = 0;
};

#if defined(__wasm__)
using Items = ItemStore;
#else
using Items = std::vector<Item>;
#endif

class SeqCore {
 public:
  // Number of visible elements / of all slots (tombstones included).
  uint32_t size() const { return root_ == kNoItem ? 0 : items_[root_].sub_visible; }
  uint32_t total() const { return root_ == kNoItem ? 0 : items_[root_].sub_total; }
  uint32_t item_count() const { return static_cast<uint32_t>(items_.size()); }
  const Item& item(uint32_t i) const { return items_[i]; }
  uint32_t first() const { return first_; }
  uint32_t next(uint32_t i) const { return items_[i].next; }

  // The item holding visible element `pos` (pos < size()) and the offset in it.
  std::pair<uint32_t, uint32_t> find_visible(uint32_t pos) const;
  // The item holding slot id `id`, or kNoItem; *offset receives its offset.
  uint32_t find_id(OpId id, uint32_t* offset = nullptr) const;
  // Does [first, first+len) of one actor overlap any existing slot?
  bool overlaps(OpId first, uint32_t len) const;
  // Visible elements / all slots before item i in document order.
  uint32_t visible_before(uint32_t i) const;
  uint32_t total_before(uint32_t i) const;

  // Split item i so that it keeps [0, offset) and a new item (returned) holds
  // [offset, len). Requires 0 < offset < len.
  uint32_t split(uint32_t i, uint32_t offset);
  // Make sure slot `id` starts its item (splitting if needed); returns the item.
  uint32_t isolate_start(uint32_t item, uint32_t offset);
  // Change the flags of item i (whole item), keeping subtree counts right.
  void set_flags(uint32_t i, uint8_t flags);
  // Point item i at another content arena index (RgaList's move slots share
  // their element's value).
  void set_content(uint32_t i, uint32_t content) { items_[i].content = content; }

  // Where a local insert at visible position pos goes: the origins to put in
  // the op, and the item hints (left item ending at origin_left, right item
  // starting at origin_right) for integrate(). Splits items as needed.
  struct Place {
    OpId origin_left, origin_right;
    uint32_t left_item = kNoItem, right_item = kNoItem;
  };
  Place place_at(uint32_t pos);

  // Integrate a run of `len` slots starting at id with the given origins,
  // content arena index and flags. The origins must exist (checked by the
  // callers' can_apply); hints may be kNoItem. Returns the item that holds
  // the run's first slot (it may be an existing item that was extended).
  uint32_t integrate(OpId id, uint32_t len, OpId origin_left, OpId origin_right, uint32_t content,
                     uint8_t flags, uint32_t left_hint = kNoItem, uint32_t right_hint = kNoItem);

  // Append an item at the end of the document order, without YATA placement
  // (used by load(), which restores a saved order). Does not merge items.
  uint32_t append_raw(OpId id, uint32_t len, OpId origin_left, OpId origin_right, uint32_t content,
                      uint8_t flags);

  // Bytes held by the index structures (for benchmarks).
  size_t memory_bytes() const;

  // Shared save/load of the item list; content is written by the owner.
  // The item section format is documented in runtime-wasm/SEQUENCES.md.
  void save_items(Writer& w) const;
  // Loads items into this (empty) core; content indices are assigned
  // consecutively over items that `has_content` says carry content
  // (returns the number of content elements needed in *content_count).
  // Validates ids (no overlap, actor != 0, no overflow) and that every origin
  // refers to an existing slot. Returns false on any malformed input.
  bool load_items(Reader& r, bool (*has_content)(uint8_t flags), uint64_t* content_count);

 private:
  uint32_t new_item(OpId id, uint32_t len, OpId ol, OpId orr, uint32_t content, uint8_t flags);
  void tree_insert_after(uint32_t after, uint32_t node);  // after == kNoItem: at the front
  void add_up(uint32_t node, int64_t dvisible, int64_t dtotal);
  void rotate_up(uint32_t node);
  void recount(uint32_t node);
  void index_add(uint32_t item);
  uint32_t item_of_id(OpId id) const { return find_id(id); }

  Items items_;
  uint32_t root_ = kNoItem, first_ = kNoItem, last_ = kNoItem;
  // Per actor: first lamport of each item -> item index.
  // (std::map, not unordered_map: replicas have few actors, and the hash
  // table's code would add ~3 KB to every wasm module.)
  std::map<ActorId, std::map<Lamport, uint32_t>> by_actor_;
};

}  // namespace dolc::rt::seq
