// runtime-wasm/seq: SeqCore, the YATA sequence with run-length items, a
// counted treap for positions and a per-actor map for ids. The contract is in
// include/dolc/rt/seq/seq_core.hpp; the saved item format in SEQUENCES.md.
#include "dolc/rt/seq/seq_core.hpp"

#include <algorithm>
#include <limits>

namespace dolc::rt::seq {

namespace {

// Deterministic treap priority from an item's first id (no global RNG, so
// every run of a program builds the same tree).
uint32_t priority_of(OpId id, uint32_t salt) {
  uint64_t x = id.lamport * 0x9E3779B97F4A7C15ull ^ (id.actor + 0x632BE59BD9B4E019ull) ^ (uint64_t(salt) << 32);
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return static_cast<uint32_t>(x);
}

}  // namespace

std::pair<uint32_t, uint32_t> SeqCore::find_visible(uint32_t pos) const {
  uint32_t n = root_;
  while (n != kNoItem) {
    const Item& it = items_[n];
    uint32_t lv = it.left == kNoItem ? 0 : items_[it.left].sub_visible;
    if (pos < lv) {
      n = it.left;
      continue;
    }
    pos -= lv;
    uint32_t v = it.visible_len();
    if (pos < v) return {n, pos};
    pos -= v;
    n = it.right;
  }
  return {kNoItem, 0};
}

uint32_t SeqCore::find_id(OpId id, uint32_t* offset) const {
  auto a = by_actor_.find(id.actor);
  if (a == by_actor_.end()) return kNoItem;
  auto it = a->second.upper_bound(id.lamport);
  if (it == a->second.begin()) return kNoItem;
  --it;
  const Item& item = items_[it->second];
  if (id.lamport - item.id.lamport >= item.len) return kNoItem;
  if (offset) *offset = static_cast<uint32_t>(id.lamport - item.id.lamport);
  return it->second;
}

bool SeqCore::overlaps(OpId first, uint32_t len) const {
  auto a = by_actor_.find(first.actor);
  if (a == by_actor_.end()) return false;
  auto it = a->second.upper_bound(first.lamport);
  if (it != a->second.end() && it->first - first.lamport < len) return true;
  if (it == a->second.begin()) return false;
  --it;
  const Item& item = items_[it->second];
  return first.lamport - item.id.lamport < item.len;
}

uint32_t SeqCore::visible_before(uint32_t i) const {
  const Item& start = items_[i];
  uint32_t sum = start.left == kNoItem ? 0 : items_[start.left].sub_visible;
  for (uint32_t n = i, p = start.parent; p != kNoItem; n = p, p = items_[p].parent) {
    const Item& pi = items_[p];
    if (pi.right == n) sum += (pi.left == kNoItem ? 0 : items_[pi.left].sub_visible) + pi.visible_len();
  }
  return sum;
}

uint32_t SeqCore::total_before(uint32_t i) const {
  const Item& start = items_[i];
  uint32_t sum = start.left == kNoItem ? 0 : items_[start.left].sub_total;
  for (uint32_t n = i, p = start.parent; p != kNoItem; n = p, p = items_[p].parent) {
    const Item& pi = items_[p];
    if (pi.right == n) sum += (pi.left == kNoItem ? 0 : items_[pi.left].sub_total) + pi.len;
  }
  return sum;
}

uint32_t SeqCore::new_item(OpId id, uint32_t len, OpId ol, OpId orr, uint32_t content, uint8_t flags) {
  Item it;
  it.id = id;
  it.origin_left = ol;
  it.origin_right = orr;
  it.len = len;
  it.content = content;
  it.flags = flags;
  it.priority = priority_of(id, static_cast<uint32_t>(items_.size()));
  it.sub_total = len;
  it.sub_visible = it.visible_len();
  items_.push_back(it);
  return static_cast<uint32_t>(items_.size() - 1);
}

void SeqCore::recount(uint32_t n) {
  Item& it = items_[n];
  it.sub_visible = it.visible_len();
  it.sub_total = it.len;
  if (it.left != kNoItem) {
    it.sub_visible += items_[it.left].sub_visible;
    it.sub_total += items_[it.left].sub_total;
  }
  if (it.right != kNoItem) {
    it.sub_visible += items_[it.right].sub_visible;
    it.sub_total += items_[it.right].sub_total;
  }
}

void SeqCore::add_up(uint32_t n, int64_t dv, int64_t dt) {
  for (; n != kNoItem; n = items_[n].parent) {
    items_[n].sub_visible = static_cast<uint32_t>(items_[n].sub_visible + dv);
    items_[n].sub_total = static_cast<uint32_t>(items_[n].sub_total + dt);
  }
}

void SeqCore::rotate_up(uint32_t x) {
  while (items_[x].parent != kNoItem && items_[x].priority > items_[items_[x].parent].priority) {
    uint32_t p = items_[x].parent;
    uint32_t g = items_[p].parent;
    if (items_[p].left == x) {
      uint32_t b = items_[x].right;
      items_[p].left = b;
      if (b != kNoItem) items_[b].parent = p;
      items_[x].right = p;
    } else {
      uint32_t b = items_[x].left;
      items_[p].right = b;
      if (b != kNoItem) items_[b].parent = p;
      items_[x].left = p;
    }
    items_[p].parent = x;
    items_[x].parent = g;
    if (g == kNoItem) {
      root_ = x;
    } else if (items_[g].left == p) {
      items_[g].left = x;
    } else {
      items_[g].right = x;
    }
    recount(p);
    recount(x);
  }
}

void SeqCore::tree_insert_after(uint32_t after, uint32_t node) {
  // Document-order links first.
  uint32_t nxt = after == kNoItem ? first_ : items_[after].next;
  items_[node].prev = after;
  items_[node].next = nxt;
  if (after == kNoItem) first_ = node; else items_[after].next = node;
  if (nxt == kNoItem) last_ = node; else items_[nxt].prev = node;

  // Then the tree: node becomes the in-order successor of `after`.
  if (root_ == kNoItem) {
    root_ = node;
    return;
  }
  uint32_t parent;
  bool as_left;
  if (after == kNoItem || items_[after].right != kNoItem) {
    parent = after == kNoItem ? root_ : items_[after].right;
    while (items_[parent].left != kNoItem) parent = items_[parent].left;
    as_left = true;
  } else {
    parent = after;
    as_left = false;
  }
  items_[node].parent = parent;
  if (as_left) items_[parent].left = node; else items_[parent].right = node;
  add_up(parent, items_[node].visible_len(), items_[node].len);
  rotate_up(node);
}

void SeqCore::index_add(uint32_t i) { by_actor_[items_[i].id.actor][items_[i].id.lamport] = i; }

uint32_t SeqCore::split(uint32_t i, uint32_t offset) {
  Item head = items_[i];
  uint32_t tail = new_item(head.id_at(offset), head.len - offset, head.id_at(offset - 1), head.origin_right,
                           head.content + offset, head.flags);
  uint32_t removed = head.len - offset;
  items_[i].len = offset;
  add_up(i, head.visible() ? -int64_t(removed) : 0, -int64_t(removed));
  tree_insert_after(i, tail);
  index_add(tail);
  return tail;
}

uint32_t SeqCore::isolate_start(uint32_t item, uint32_t offset) { return offset == 0 ? item : split(item, offset); }

void SeqCore::set_flags(uint32_t i, uint8_t flags) {
  uint32_t before = items_[i].visible_len();
  items_[i].flags = flags;
  uint32_t after = items_[i].visible_len();
  if (before != after) add_up(i, int64_t(after) - int64_t(before), 0);
}

SeqCore::Place SeqCore::place_at(uint32_t pos) {
  Place pl;
  if (pos == 0) {
    pl.right_item = first_;
  } else {
    auto [it, off] = find_visible(pos - 1);
    if (off + 1 < items_[it].len) split(it, off + 1);
    pl.left_item = it;
    pl.origin_left = items_[it].id_at(off);
    pl.right_item = items_[it].next;
  }
  if (pl.right_item != kNoItem) pl.origin_right = items_[pl.right_item].id;
  return pl;
}

uint32_t SeqCore::integrate(OpId id, uint32_t len, OpId ol, OpId orr, uint32_t content, uint8_t flags,
                            uint32_t left, uint32_t right) {
  uint32_t off = 0;
  if (left == kNoItem && !ol.is_null()) {
    left = find_id(ol, &off);
    if (off + 1 < items_[left].len) split(left, off + 1);
  }
  if (right == kNoItem && !orr.is_null()) {
    right = find_id(orr, &off);
    right = isolate_start(right, off);
  }
  // YATA conflict scan over the items between the two origins (usually none).
  // Yjs keeps two sets, the items scanned and those of the current conflict;
  // both are runs of consecutive items (the scan walks document order, and
  // the conflict restarts after the item that resets it), so "x is in the
  // set" is "x starts within the run", told by slot positions in O(log n).
  // (Linear searches of the items scanned made one insert whose origins are
  // far apart, e.g. a peer's text typed into an empty document, quadratic
  // in the items between them: 157 ms for 20,000.)
  uint32_t o = left == kNoItem ? first_ : items_[left].next;
  if (o != right) {
    // Offsets in slots from the first item scanned: of o, and of the start
    // of the current conflict. The first item's own position is looked up
    // only if an origin must be placed (most scans are a few items).
    uint32_t first_scanned = o, scan_start = 0, at = 0, conflict_start = 0;
    bool placed = false;
    while (o != kNoItem && o != right) {
      const Item& cur = items_[o];
      if (cur.origin_left == ol) {
        if (cur.id < id) {
          left = o;
          conflict_start = at + cur.len;
        } else if (cur.origin_right == orr) {
          break;
        }
      } else if (!cur.origin_left.is_null()) {
        uint32_t origin_item = find_id(cur.origin_left);
        if (origin_item == kNoItem) break;
        if (!placed) scan_start = total_before(first_scanned);
        placed = true;
        uint32_t origin_at = total_before(origin_item);
        if (origin_at < scan_start || origin_at - scan_start > at) break;  // not scanned
        if (origin_at - scan_start < conflict_start) {  // scanned, not in the current conflict
          left = o;
          conflict_start = at + cur.len;
        }
      } else {
        break;
      }
      at += cur.len;
      o = cur.next;
    }
  }
  // Run-length merge: continue the left item when this run is its natural
  // continuation (same actor, next ids, chained origin, same right origin).
  if (left != kNoItem) {
    Item& l = items_[left];
    if (l.id.actor == id.actor && l.id.lamport + l.len == id.lamport && l.last_id() == ol &&
        l.origin_right == orr && l.flags == flags && l.content + l.len == content && !(flags & kMoveSlot)) {
      l.len += len;
      add_up(left, l.visible() ? len : 0, len);
      return left;
    }
  }
  uint32_t n = new_item(id, len, ol, orr, content, flags);
  tree_insert_after(left, n);
  index_add(n);
  return n;
}

uint32_t SeqCore::append_raw(OpId id, uint32_t len, OpId ol, OpId orr, uint32_t content, uint8_t flags) {
  uint32_t n = new_item(id, len, ol, orr, content, flags);
  tree_insert_after(last_, n);
  index_add(n);
  return n;
}

size_t SeqCore::memory_bytes() const {
  size_t bytes = items_.capacity() * sizeof(Item);
  for (const auto& a : by_actor_) bytes += a.second.size() * (sizeof(Lamport) + sizeof(uint32_t) + 4 * sizeof(void*));
  return bytes;
}

// ---- save / load of the item list (format: SEQUENCES.md, "Saved state") ----

namespace {
enum SaveBit : uint8_t {
  kContinuesPrev = 8,       // id = previous item's last id + 1, same actor
  kLeftNull = 16,           // origin_left is null
  kLeftIsPrevLast = 32,     // origin_left = previous item's last id
  kRightNull = 64,          // origin_right is null
  kRightIsNextFirst = 128,  // origin_right = next item's first id
};
constexpr uint8_t kFlagMask = kDeleted | kMoveSlot | kHidden;
}  // namespace

void SeqCore::save_items(Writer& w) const {
  std::unordered_map<ActorId, uint64_t> actor_index;
  std::vector<ActorId> actors;
  auto note = [&](OpId id) {
    if (id.is_null()) return;
    if (actor_index.emplace(id.actor, actors.size()).second) actors.push_back(id.actor);
  };
  for (uint32_t i = first_; i != kNoItem; i = items_[i].next) {
    note(items_[i].id);
    note(items_[i].origin_left);
    note(items_[i].origin_right);
  }
  w.varint(actors.size());
  for (ActorId a : actors) w.fixed64(a);
  w.varint(items_.size());
  auto put_id = [&](OpId id) {
    w.varint(actor_index[id.actor]);
    w.varint(id.lamport);
  };
  uint32_t prev = kNoItem;
  for (uint32_t i = first_; i != kNoItem; prev = i, i = items_[i].next) {
    const Item& it = items_[i];
    uint8_t bits = it.flags & kFlagMask;
    bool continues = prev != kNoItem && items_[prev].id.actor == it.id.actor &&
                     items_[prev].id.lamport + items_[prev].len == it.id.lamport;
    if (continues) bits |= kContinuesPrev;
    if (it.origin_left.is_null()) bits |= kLeftNull;
    else if (prev != kNoItem && items_[prev].last_id() == it.origin_left) bits |= kLeftIsPrevLast;
    if (it.origin_right.is_null()) bits |= kRightNull;
    else if (it.next != kNoItem && items_[it.next].id == it.origin_right) bits |= kRightIsNextFirst;
    w.u8(bits);
    if (!continues) put_id(it.id);
    w.varint(it.len);
    if (!(bits & (kLeftNull | kLeftIsPrevLast))) put_id(it.origin_left);
    if (!(bits & (kRightNull | kRightIsNextFirst))) put_id(it.origin_right);
  }
}

bool SeqCore::load_items(Reader& r, bool (*has_content)(uint8_t), uint64_t* content_count) {
  uint64_t actor_count = r.count(8);
  std::vector<ActorId> actors;
  actors.reserve(actor_count);
  for (uint64_t i = 0; i < actor_count && r.ok(); ++i) {
    actors.push_back(r.fixed64());
    if (actors.back() == 0) return false;
  }
  uint64_t item_count = r.count(2);
  if (!r.ok()) return false;
  auto get_id = [&](OpId* out) {
    uint64_t a = r.varint();
    uint64_t l = r.varint();
    if (!r.ok() || a >= actors.size()) return false;
    *out = OpId{l, actors[a]};
    return true;
  };
  uint64_t content = 0;
  bool pending_right = false;  // previous item's origin_right is this item's id
  for (uint64_t k = 0; k < item_count; ++k) {
    uint8_t bits = r.u8();
    if (!r.ok()) return false;
    uint32_t prev = last_;
    OpId id, ol, orr;
    if (bits & kContinuesPrev) {
      if (prev == kNoItem) return false;
      id = OpId{items_[prev].id.lamport + items_[prev].len, items_[prev].id.actor};
    } else if (!get_id(&id)) {
      return false;
    }
    uint64_t len = r.varint();
    if (!r.ok() || len == 0 || len > 0xffffffffu || id.lamport > std::numeric_limits<Lamport>::max() - len)
      return false;
    if (bits & kLeftNull) {
      if (bits & kLeftIsPrevLast) return false;
    } else if (bits & kLeftIsPrevLast) {
      if (prev == kNoItem) return false;
      ol = items_[prev].last_id();
    } else if (!get_id(&ol) || ol.actor == 0) {
      return false;
    }
    if (bits & kRightNull) {
      if (bits & kRightIsNextFirst) return false;
    } else if (bits & kRightIsNextFirst) {
      // resolved when the next item is read
    } else if (!get_id(&orr)) {
      return false;
    }
    if (pending_right) items_[prev].origin_right = id;
    pending_right = (bits & kRightIsNextFirst) != 0;
    uint8_t flags = bits & kFlagMask;
    if ((flags & kMoveSlot) && len != 1) return false;
    if (overlaps(id, static_cast<uint32_t>(len))) return false;
    if (total() > 0xffffffffu - len - 1) return false;
    uint32_t c = 0;
    if (has_content(flags)) {
      c = static_cast<uint32_t>(content);
      content += len;
      if (content > 0xffffffffu) return false;
    }
    append_raw(id, static_cast<uint32_t>(len), ol, orr, c, flags);
  }
  if (pending_right || !r.ok()) return false;
  for (uint32_t i = 0; i < items_.size(); ++i) {
    const Item& it = items_[i];
    if (!it.origin_left.is_null() && find_id(it.origin_left) == kNoItem) return false;
    if (!it.origin_right.is_null() && find_id(it.origin_right) == kNoItem) return false;
  }
  *content_count = content;
  return true;
}

}  // namespace dolc::rt::seq
