// runtime-wasm/seq: RgaList (`rga`): values in SeqCore slots, moves as
// last-writer-wins position slots. Contract in include/dolc/rt/seq/rga.hpp.
#include "dolc/rt/seq/rga.hpp"

#include <algorithm>

namespace dolc::rt::seq {

OpId RgaList::element_of(const Item& item, uint32_t off) const {
  if (item.flags & kMoveSlot) return slot_element_.find(item.id)->second;
  return item.id_at(off);
}

bool RgaList::is_element(OpId id) const {
  uint32_t it = core_.find_id(id);
  return it != kNoItem && !(core_.item(it).flags & kMoveSlot);
}

const Bytes& RgaList::get(size_t i) const {
  auto [it, off] = core_.find_visible(static_cast<uint32_t>(i));
  return arena_[core_.item(it).content + off];
}

OpId RgaList::id_at(size_t i) const {
  auto [it, off] = core_.find_visible(static_cast<uint32_t>(i));
  return element_of(core_.item(it), off);
}

bool RgaList::index_of(OpId element, size_t* index) const {
  auto mv = moves_.find(element);
  OpId slot = mv == moves_.end() ? element : mv->second.winner;
  uint32_t off = 0;
  uint32_t it = core_.find_id(slot, &off);
  if (it == kNoItem || !core_.item(it).visible()) return false;
  *index = core_.visible_before(it) + off;
  return true;
}

const Bytes* RgaList::find(OpId element) const {
  uint32_t off = 0;
  uint32_t it = core_.find_id(element, &off);
  if (it == kNoItem) return nullptr;
  const Item& item = core_.item(it);
  if (item.flags & (kMoveSlot | kDeleted)) return nullptr;
  return &arena_[item.content + off];
}

const Bytes* RgaList::value_of(OpId element) const {
  uint32_t off = 0;
  uint32_t it = core_.find_id(element, &off);
  if (it == kNoItem || (core_.item(it).flags & kMoveSlot)) return nullptr;
  return &arena_[core_.item(it).content + off];
}

std::vector<Bytes> RgaList::to_array() const {
  std::vector<Bytes> out;
  out.reserve(size());
  for_each([&](OpId, const Bytes& v) { out.push_back(v); });
  return out;
}

ListInsertOp RgaList::insert(size_t pos, std::vector<Bytes> values, OpId first_id) {
  ListInsertOp op;
  if (values.empty()) return op;
  pos = std::min(pos, size());
  SeqCore::Place pl = core_.place_at(static_cast<uint32_t>(pos));
  op.id = first_id;
  op.origin_left = pl.origin_left;
  op.origin_right = pl.origin_right;
  uint32_t content = static_cast<uint32_t>(arena_.size());
  arena_.insert(arena_.end(), values.begin(), values.end());
  op.values = std::move(values);
  core_.integrate(op.id, static_cast<uint32_t>(op.values.size()), op.origin_left, op.origin_right, content, 0,
                  pl.left_item, pl.right_item);
  return op;
}

DeleteOp RgaList::remove(size_t pos, size_t n) {
  DeleteOp op;
  pos = std::min(pos, size());
  n = std::min(n, size() - pos);
  if (n == 0) return op;
  auto [it, off] = core_.find_visible(static_cast<uint32_t>(pos));
  while (n > 0 && it != kNoItem) {
    const Item& item = core_.item(it);
    if (item.visible()) {
      uint32_t take = static_cast<uint32_t>(std::min<size_t>(n, item.len - off));
      for (uint32_t k = 0; k < take;) {
        OpId first = element_of(item, off + k);
        // Insert slots give runs of ids; a move slot gives its one element.
        uint32_t run = (item.flags & kMoveSlot) ? 1 : take - k;
        IdRange* last = op.ranges.empty() ? nullptr : &op.ranges.back();
        if (last && last->first.actor == first.actor && last->first.lamport + last->len == first.lamport)
          last->len += run;
        else
          op.ranges.push_back(IdRange{first, run});
        k += run;
      }
      n -= take;
    }
    off = 0;
    it = item.next;
  }
  apply(op);
  return op;
}

MoveOp RgaList::move(size_t from, size_t to, OpId id) {
  MoveOp op;
  if (from >= size() || to >= size() || from == to) return op;
  op.element = id_at(from);
  // `to` other elements must precede it: before index `to` when moving
  // left, after index `to` when moving right.
  SeqCore::Place pl = core_.place_at(static_cast<uint32_t>(to < from ? to : to + 1));
  op.id = id;
  op.origin_left = pl.origin_left;
  op.origin_right = pl.origin_right;
  uint32_t off = 0;
  uint32_t eit = core_.find_id(op.element, &off);
  uint32_t content = core_.item(eit).content + off;
  core_.integrate(op.id, 1, op.origin_left, op.origin_right, content, kMoveSlot | kHidden, pl.left_item,
                  pl.right_item);
  add_move_slot(op.id, op.element);
  return op;
}

void RgaList::add_move_slot(OpId slot, OpId element) {
  Moves& m = moves_[element];
  m.slots.push_back(slot);
  if (m.winner.is_null() || m.winner < slot) m.winner = slot;
  slot_element_[slot] = element;
  refresh(element);
}

void RgaList::refresh(OpId element) {
  auto mv = moves_.find(element);
  if (mv == moves_.end()) return;
  uint32_t off = 0;
  uint32_t it = core_.find_id(element, &off);
  it = core_.isolate_start(it, off);
  if (core_.item(it).len > 1) core_.split(it, 1);
  bool deleted = core_.item(it).flags & kDeleted;
  core_.set_flags(it, core_.item(it).flags | kHidden);  // the original slot never wins against a move
  for (OpId slot : mv->second.slots) {
    uint32_t s = core_.find_id(slot);
    uint8_t f = static_cast<uint8_t>((core_.item(s).flags & ~(kHidden | kDeleted)) |
                                     (deleted ? kDeleted : 0) | (slot != mv->second.winner ? kHidden : 0));
    core_.set_flags(s, f);
  }
}

bool RgaList::can_apply(const ListInsertOp& op) const {
  uint64_t n = op.values.size();
  if (n == 0 || n > 0xffffffffu || op.id.actor == 0 || op.id.lamport > ~uint64_t(0) - n) return false;
  if ((!op.origin_left.is_null() && core_.find_id(op.origin_left) == kNoItem) ||
      (!op.origin_right.is_null() && core_.find_id(op.origin_right) == kNoItem))
    return false;
  if (core_.find_id(op.id) != kNoItem) return true;  // duplicate
  return !core_.overlaps(op.id, static_cast<uint32_t>(n)) && arena_.size() + n <= 0xffffffffu;
}

bool RgaList::apply(const ListInsertOp& op) {
  if (op.values.empty() || core_.find_id(op.id) != kNoItem) return false;
  uint32_t content = static_cast<uint32_t>(arena_.size());
  arena_.insert(arena_.end(), op.values.begin(), op.values.end());
  core_.integrate(op.id, static_cast<uint32_t>(op.values.size()), op.origin_left, op.origin_right, content, 0);
  return true;
}

bool RgaList::can_apply(const DeleteOp& op) const {
  for (const IdRange& rg : op.ranges) {
    if (rg.len == 0 || rg.first.lamport > ~uint64_t(0) - rg.len) return false;
    uint64_t l = rg.first.lamport, end = rg.first.lamport + rg.len;
    while (l < end) {
      uint32_t off = 0;
      uint32_t it = core_.find_id(OpId{l, rg.first.actor}, &off);
      if (it == kNoItem || (core_.item(it).flags & kMoveSlot)) return false;
      l += core_.item(it).len - off;
    }
  }
  return true;
}

bool RgaList::apply(const DeleteOp& op) {
  bool changed = false;
  for (const IdRange& rg : op.ranges) {
    uint64_t l = rg.first.lamport, end = rg.first.lamport + rg.len;
    while (l < end) {
      uint32_t off = 0;
      uint32_t it = core_.find_id(OpId{l, rg.first.actor}, &off);
      if (it == kNoItem || (core_.item(it).flags & kMoveSlot)) break;  // refused by can_apply
      uint32_t len = core_.item(it).len - off;
      if (!(core_.item(it).flags & kDeleted)) {
        it = core_.isolate_start(it, off);
        if (l + len > end) {
          core_.split(it, static_cast<uint32_t>(end - l));
          len = static_cast<uint32_t>(end - l);
        }
        core_.set_flags(it, core_.item(it).flags | kDeleted);
        changed = true;
        if (!moves_.empty())
          for (uint32_t k = 0; k < len; ++k) refresh(OpId{l + k, rg.first.actor});
      }
      l += len;
    }
  }
  return changed;
}

bool RgaList::can_apply(const MoveOp& op) const {
  if (op.id.actor == 0 || op.id.lamport == ~uint64_t(0) || !is_element(op.element)) return false;
  if ((!op.origin_left.is_null() && core_.find_id(op.origin_left) == kNoItem) ||
      (!op.origin_right.is_null() && core_.find_id(op.origin_right) == kNoItem))
    return false;
  uint32_t it = core_.find_id(op.id);
  if (it != kNoItem) {  // a duplicate must be the same move
    auto s = slot_element_.find(op.id);
    return s != slot_element_.end() && s->second == op.element;
  }
  return true;
}

bool RgaList::apply(const MoveOp& op) {
  if (op.empty() || core_.find_id(op.id) != kNoItem) return false;
  uint32_t off = 0;
  uint32_t eit = core_.find_id(op.element, &off);
  if (eit == kNoItem) return false;
  core_.integrate(op.id, 1, op.origin_left, op.origin_right, core_.item(eit).content + off, kMoveSlot | kHidden);
  add_move_slot(op.id, op.element);
  return true;
}

namespace {
bool list_item_has_content(uint8_t flags) { return (flags & (kDeleted | kMoveSlot)) == 0; }
constexpr uint64_t kListFormatVersion = 1;
}  // namespace

void RgaList::save(Writer& w) const {
  w.varint(kListFormatVersion);
  core_.save_items(w);
  for (uint32_t it = core_.first(); it != kNoItem; it = core_.next(it)) {
    const Item& item = core_.item(it);
    if (item.flags & kMoveSlot) {
      OpId e = slot_element_.find(item.id)->second;
      w.varint(e.lamport);
      w.varint(e.actor);
    } else if (list_item_has_content(item.flags)) {
      for (uint32_t k = 0; k < item.len; ++k) w.bytes(arena_[item.content + k].data(), arena_[item.content + k].size());
    }
  }
}

bool RgaList::load(Reader& r) {
  if (r.varint() != kListFormatVersion || !r.ok()) return false;
  RgaList fresh;
  uint64_t content_count = 0;
  if (!fresh.core_.load_items(r, list_item_has_content, &content_count)) return false;
  if (content_count > r.remaining()) return false;
  fresh.arena_.reserve(content_count);
  std::vector<std::pair<OpId, OpId>> slots;  // (slot, element)
  for (uint32_t it = fresh.core_.first(); it != kNoItem && r.ok(); it = fresh.core_.next(it)) {
    const Item& item = fresh.core_.item(it);
    if (item.flags & kMoveSlot) {
      OpId e;
      e.lamport = r.varint();
      e.actor = r.varint();
      slots.emplace_back(item.id, e);
    } else if (list_item_has_content(item.flags)) {
      for (uint32_t k = 0; k < item.len && r.ok(); ++k) {
        std::string_view v = r.bytes_view();
        fresh.arena_.emplace_back(v.begin(), v.end());
      }
    }
  }
  if (!r.ok() || fresh.arena_.size() != content_count) return false;
  // Visibility is derived state: recompute it from the moves.
  for (uint32_t i = 0; i < fresh.core_.item_count(); ++i)
    fresh.core_.set_flags(i, fresh.core_.item(i).flags & ~kHidden);
  for (const auto& [slot, element] : slots) {
    if (!fresh.is_element(element)) return false;
    uint32_t off = 0;
    uint32_t eit = fresh.core_.find_id(element, &off);
    fresh.core_.set_content(fresh.core_.find_id(slot), fresh.core_.item(eit).content + off);
    fresh.add_move_slot(slot, element);
  }
  *this = std::move(fresh);
  return true;
}

size_t RgaList::memory_bytes() const {
  size_t bytes = core_.memory_bytes() + arena_.capacity() * sizeof(Bytes);
  for (const Bytes& b : arena_) bytes += b.capacity();
  return bytes + (moves_.size() + slot_element_.size()) * 96;
}

}  // namespace dolc::rt::seq
