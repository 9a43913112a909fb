// runtime-wasm/seq: RgaList, the `rga` strategy — a replicated list of opaque
// values (each element's value is its encoded bytes) with insert, delete and
// move (crdt.md). Wrapped by the core runtime as a field kind; a nested
// object in a list is keyed by its element id (stable across moves), which
// is why reads expose element ids and lookup by id.
//
// Ordering: SeqCore (YATA with left and right origins; concurrent runs never
// interleave), see seq_core.hpp.
//
// Move (last writer wins on location): move(from, to) puts a new hidden
// position slot, with its own OpId, at the target place (integrated like a
// one-element insert). An element's position is its move slot with the
// largest OpId, or its original insert slot if it was never moved; every
// other slot of the element is invisible. So the element keeps its identity
// (its id and value do not change), and concurrent moves of one element
// converge to the position of the move with the largest OpId. Deleting an
// element hides it wherever it is; a concurrent move does not revive it.
// move(from, to): afterwards the element is at index `to` (both < size()).
//
// Ops and replication, idempotence, clamping of positions: as for Text
// (text.hpp). Delete ranges name element ids (insert ids), never move slots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "dolc/rt/encoding.hpp"
#include "dolc/rt/ids.hpp"
#include "dolc/rt/seq/ops.hpp"
#include "dolc/rt/seq/seq_core.hpp"

namespace dolc::rt::seq {

class RgaList {
 public:
  // ---- reads ----
  size_t size() const { return core_.size(); }
  const Bytes& get(size_t i) const;  // i < size()
  OpId id_at(size_t i) const;        // element id at index i < size()
  // Index of a live element; false if unknown or deleted.
  bool index_of(OpId element, size_t* index) const;
  // Value of a live element, or nullptr if unknown or deleted.
  const Bytes* find(OpId element) const;
  std::vector<Bytes> to_array() const;
  // The slot that places `element` (its move with the largest id, or its
  // insert slot), and its value, deleted elements included (cursors and
  // undo use them); value_of is nullptr if the element is unknown.
  OpId slot_of(OpId element) const {
    auto mv = moves_.find(element);
    return mv == moves_.end() ? element : mv->second.winner;
  }
  const Bytes* value_of(OpId element) const;
  // Calls f(OpId element, const Bytes& value) for each element in order.
  template <class F>
  void for_each(F f) const {
    for (uint32_t it = core_.first(); it != kNoItem; it = core_.next(it)) {
      const Item& item = core_.item(it);
      if (!item.visible()) continue;
      for (uint32_t k = 0; k < item.len; ++k) f(element_of(item, k), arena_[item.content + k]);
    }
  }

  // ---- local edits (apply immediately, return the op to ship) ----
  ListInsertOp insert(size_t pos, std::vector<Bytes> values, OpId first_id);
  DeleteOp remove(size_t pos, size_t n);
  // Empty op when from/to are out of range or equal.
  MoveOp move(size_t from, size_t to, OpId id);

  // ---- remote ops ----
  bool can_apply(const ListInsertOp& op) const;
  bool can_apply(const DeleteOp& op) const;
  bool can_apply(const MoveOp& op) const;
  bool apply(const ListInsertOp& op);
  bool apply(const DeleteOp& op);
  bool apply(const MoveOp& op);

  // ---- state ----
  void save(Writer& w) const;
  bool load(Reader& r);  // false on malformed input; this list is then unchanged
  size_t memory_bytes() const;
  const SeqCore& core() const { return core_; }

 private:
  struct Moves {
    OpId winner;               // the move slot with the largest id
    std::vector<OpId> slots;   // every move slot of the element
  };
  OpId element_of(const Item& item, uint32_t off) const;
  bool is_element(OpId id) const;  // an insert slot (not a move slot)
  void refresh(OpId element);      // recompute visibility of the element's slots
  void add_move_slot(OpId slot, OpId element);

  SeqCore core_;
  std::vector<Bytes> arena_;
  std::map<OpId, Moves> moves_;        // element -> its moves
  std::map<OpId, OpId> slot_element_;  // move slot -> element
};

}  // namespace dolc::rt::seq
