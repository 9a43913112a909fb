// runtime-wasm/seq: Text (peritext). Characters live in SeqCore; marks are
// kept as ops and resolved to runs when spans() is asked for. Contract in
// include/dolc/rt/seq/text.hpp.
#include "dolc/rt/seq/text.hpp"

#include <algorithm>

#include "dolc/rt/seq/utf8.hpp"

namespace dolc::rt::seq {

bool mark_grows_at_end(std::string_view name) {
  static const std::string_view kFixed[] = {"link", "comment", "href", "mention", "anchor"};
  for (std::string_view f : kFixed)
    if (f == name) return false;
  return true;
}

std::string Text::to_string() const { return slice(0, size()); }

std::string Text::slice(size_t start, size_t end) const {
  end = std::min(end, size());
  std::string out;
  if (start >= end) return out;
  auto [it, off] = core_.find_visible(static_cast<uint32_t>(start));
  size_t left = end - start;
  out.reserve(left);
  while (it != kNoItem && left > 0) {
    const Item& item = core_.item(it);
    if (item.visible()) {
      size_t take = std::min<size_t>(left, item.len - off);
      for (size_t k = 0; k < take; ++k) utf8_append(out, arena_[item.content + off + k]);
      left -= take;
    }
    off = 0;
    it = item.next;
  }
  return out;
}

char32_t Text::at(size_t i) const {
  auto [it, off] = core_.find_visible(static_cast<uint32_t>(i));
  return arena_[core_.item(it).content + off];
}

OpId Text::id_at(size_t i) const {
  auto [it, off] = core_.find_visible(static_cast<uint32_t>(i));
  return core_.item(it).id_at(off);
}

bool Text::index_of(OpId id, size_t* index) const {
  uint32_t off = 0;
  uint32_t it = core_.find_id(id, &off);
  if (it == kNoItem || !core_.item(it).visible()) return false;
  *index = core_.visible_before(it) + off;
  return true;
}

bool Text::char_of(OpId id, char32_t* c) const {
  uint32_t off = 0;
  uint32_t it = core_.find_id(id, &off);
  if (it == kNoItem) return false;
  *c = arena_[core_.item(it).content + off];
  return true;
}

TextInsertOp Text::insert(size_t pos, std::string_view utf8, OpId first_id) {
  TextInsertOp op;
  op.text = utf8_decode(utf8);
  if (op.text.empty()) return op;
  pos = std::min(pos, size());
  SeqCore::Place pl = core_.place_at(static_cast<uint32_t>(pos));
  op.id = first_id;
  op.origin_left = pl.origin_left;
  op.origin_right = pl.origin_right;
  uint32_t content = static_cast<uint32_t>(arena_.size());
  arena_.append(op.text);
  core_.integrate(op.id, static_cast<uint32_t>(op.text.size()), op.origin_left, op.origin_right, content, 0,
                  pl.left_item, pl.right_item);
  return op;
}

DeleteOp Text::remove(size_t pos, size_t n) {
  DeleteOp op;
  pos = std::min(pos, size());
  n = std::min(n, size() - pos);
  if (n == 0) return op;
  // Deletes as it walks: the items are at hand, so applying the op by its
  // ids (apply(DeleteOp), one id lookup per range) would only find them
  // again. Same result: the same characters are marked deleted.
  auto [it, off] = core_.find_visible(static_cast<uint32_t>(pos));
  while (n > 0 && it != kNoItem) {
    if (core_.item(it).visible()) {
      uint32_t take = static_cast<uint32_t>(std::min<size_t>(n, core_.item(it).len - off));
      OpId first = core_.item(it).id_at(off);
      IdRange* last = op.ranges.empty() ? nullptr : &op.ranges.back();
      if (last && last->first.actor == first.actor && last->first.lamport + last->len == first.lamport) {
        last->len += take;
      } else {
        op.ranges.push_back(IdRange{first, take});
      }
      it = core_.isolate_start(it, off);  // (splits move items: indices stay valid, references do not)
      if (take < core_.item(it).len) core_.split(it, take);
      core_.set_flags(it, core_.item(it).flags | kDeleted);
      n -= take;
    }
    off = 0;
    it = core_.item(it).next;
  }
  return op;
}

MarkOp Text::mark(size_t start, size_t end, std::string_view name, std::string_view value, OpId id) {
  MarkOp op;
  end = std::min(end, size());
  if (start >= end || name.empty()) return op;
  op.id = id;
  op.name.assign(name);
  op.value.assign(value);
  op.start = Anchor{id_at(start), false};
  if (!mark_grows_at_end(name)) op.end = Anchor{id_at(end - 1), true};
  else if (end < size()) op.end = Anchor{id_at(end), false};
  else op.end = Anchor{};  // the end of the text
  apply(op);
  return op;
}

MarkOp Text::unmark(size_t start, size_t end, std::string_view name, OpId id) {
  MarkOp op = mark(start, end, name, {}, id);
  if (op.empty()) return op;
  // mark() applied it as a formatting mark; turn that into the removal.
  op.remove = true;
  op.value.clear();
  marks_[op.id] = op;
  return op;
}

bool Text::can_apply(const TextInsertOp& op) const {
  uint64_t n = op.text.size();
  if (n == 0 || n > 0xffffffffu || op.id.actor == 0 || op.id.lamport > ~uint64_t(0) - n) return false;
  if ((!op.origin_left.is_null() && !has_id(op.origin_left)) ||
      (!op.origin_right.is_null() && !has_id(op.origin_right)))
    return false;
  if (has_id(op.id)) return true;  // a duplicate: applying it again is a no-op
  if (core_.overlaps(op.id, static_cast<uint32_t>(n))) return false;
  return arena_.size() + n <= 0xffffffffu;
}

bool Text::apply(const TextInsertOp& op) {
  if (op.text.empty() || has_id(op.id)) return false;
  uint32_t content = static_cast<uint32_t>(arena_.size());
  arena_.append(op.text);
  core_.integrate(op.id, static_cast<uint32_t>(op.text.size()), op.origin_left, op.origin_right, content, 0);
  return true;
}

bool Text::can_apply(const DeleteOp& op) const {
  for (const IdRange& rg : op.ranges) {
    if (rg.len == 0 || rg.first.lamport > ~uint64_t(0) - rg.len) return false;
    // Every id of the range must exist: walk the items covering it.
    uint64_t l = rg.first.lamport, end = rg.first.lamport + rg.len;
    while (l < end) {
      uint32_t off = 0;
      uint32_t it = core_.find_id(OpId{l, rg.first.actor}, &off);
      if (it == kNoItem) return false;
      l += core_.item(it).len - off;
    }
  }
  return true;
}

bool Text::apply(const DeleteOp& op) {
  bool changed = false;
  for (const IdRange& rg : op.ranges) {
    uint64_t l = rg.first.lamport, end = rg.first.lamport + rg.len;
    while (l < end) {
      uint32_t off = 0;
      uint32_t it = core_.find_id(OpId{l, rg.first.actor}, &off);
      if (it == kNoItem) break;  // can_apply() refuses this; stay safe anyway
      uint32_t len = core_.item(it).len - off;
      if (core_.item(it).flags & kDeleted) {
        l += len;
        continue;
      }
      it = core_.isolate_start(it, off);
      if (l + len > end) {
        core_.split(it, static_cast<uint32_t>(end - l));
        len = static_cast<uint32_t>(end - l);
      }
      core_.set_flags(it, core_.item(it).flags | kDeleted);
      changed = true;
      l += len;
    }
  }
  return changed;
}

bool Text::can_apply(const MarkOp& op) const {
  if (op.id.actor == 0 || op.name.empty()) return false;
  if (!op.start.id.is_null() && !has_id(op.start.id)) return false;
  if (!op.end.id.is_null() && !has_id(op.end.id)) return false;
  return true;
}

bool Text::apply(const MarkOp& op) {
  if (op.empty()) return false;
  return marks_.emplace(op.id, op).second;
}

uint32_t Text::gap_of(const Anchor& a, bool is_end) const {
  if (a.id.is_null()) return is_end ? core_.total() : 0;
  uint32_t off = 0;
  uint32_t it = core_.find_id(a.id, &off);
  if (it == kNoItem) return 0;
  return core_.total_before(it) + off + (a.after ? 1 : 0);
}

std::vector<TextSpan> Text::spans() const {
  // Mark ends as gaps in the full sequence (tombstones included): gap g lies
  // just before slot g. A mark covers slot g when start <= g < end.
  struct Event {
    uint32_t gap;
    bool open;
    const MarkOp* mark;
  };
  std::vector<Event> events;
  events.reserve(marks_.size() * 2);
  for (const auto& entry : marks_) {
    uint32_t s = gap_of(entry.second.start, false), e = gap_of(entry.second.end, true);
    if (s >= e) continue;
    events.push_back({s, true, &entry.second});
    events.push_back({e, false, &entry.second});
  }
  // A bottom-up merge sort by gap, stable (opens before closes in mark
  // order): std::stable_sort costs every module with text ~2 KB more code.
  std::vector<Event> buffer(events.size());
  for (size_t width = 1; width < events.size(); width *= 2) {
    for (size_t lo = 0; lo < events.size(); lo += 2 * width) {
      size_t mid = std::min(lo + width, events.size()), hi = std::min(lo + 2 * width, events.size());
      size_t a = lo, b = mid, k = lo;
      while (a < mid || b < hi) buffer[k++] = (b >= hi || (a < mid && events[a].gap <= events[b].gap)) ? events[a++] : events[b++];
    }
    events.swap(buffer);
  }

  std::map<std::string, std::map<OpId, const MarkOp*>> active;
  std::vector<std::pair<std::string, std::string>> current;
  bool dirty = false;
  size_t ei = 0;
  std::vector<TextSpan> out;
  uint32_t full = 0;
  for (uint32_t it = core_.first(); it != kNoItem; it = core_.next(it)) {
    const Item& item = core_.item(it);
    if (!item.visible()) {
      full += item.len;
      continue;
    }
    uint32_t k = 0;
    while (k < item.len) {
      uint32_t g = full + k;
      for (; ei < events.size() && events[ei].gap <= g; ++ei, dirty = true) {
        const Event& ev = events[ei];
        if (ev.open) {
          active[ev.mark->name][ev.mark->id] = ev.mark;
        } else {
          auto a = active.find(ev.mark->name);
          a->second.erase(ev.mark->id);
          if (a->second.empty()) active.erase(a);
        }
      }
      if (dirty) {
        current.clear();
        for (const auto& name : active) {
          const MarkOp* winner = name.second.rbegin()->second;  // largest OpId
          if (!winner->remove) current.emplace_back(name.first, winner->value);
        }
        dirty = false;
      }
      uint32_t stop = item.len;
      if (ei < events.size() && events[ei].gap < full + item.len) stop = events[ei].gap - full;
      if (out.empty() || out.back().marks != current) out.push_back(TextSpan{{}, current});
      for (uint32_t c = k; c < stop; ++c) utf8_append(out.back().text, arena_[item.content + c]);
      k = stop;
    }
    full += item.len;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Text::marks_at(size_t index) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (marks_.empty() || index >= size()) return out;
  auto [it, off] = core_.find_visible(static_cast<uint32_t>(index));
  uint32_t g = core_.total_before(it) + off;
  // Per name, the covering mark with the largest OpId wins (as in spans()).
  std::map<std::string, const MarkOp*> winners;
  for (const auto& entry : marks_) {
    const MarkOp& m = entry.second;
    if (gap_of(m.start, false) > g || g >= gap_of(m.end, true)) continue;
    const MarkOp*& w = winners[m.name];
    if (!w || w->id < m.id) w = &m;
  }
  for (const auto& [name, m] : winners)
    if (!m->remove) out.emplace_back(name, m->value);
  return out;
}

namespace {
bool text_item_has_content(uint8_t flags) { return (flags & kDeleted) == 0; }
constexpr uint64_t kTextFormatVersion = 1;
}  // namespace

void Text::save(Writer& w) const {
  w.varint(kTextFormatVersion);
  core_.save_items(w);
  // Content of live characters only, in document order, as one UTF-8 string.
  std::string live;
  for (uint32_t it = core_.first(); it != kNoItem; it = core_.next(it)) {
    const Item& item = core_.item(it);
    if (!text_item_has_content(item.flags)) continue;
    for (uint32_t k = 0; k < item.len; ++k) utf8_append(live, arena_[item.content + k]);
  }
  w.str(live);
  w.varint(marks_.size());
  for (const auto& m : marks_) encode(w, m.second);
}

bool Text::load(Reader& r) {
  if (r.varint() != kTextFormatVersion || !r.ok()) return false;
  Text fresh;
  uint64_t content_count = 0;
  if (!fresh.core_.load_items(r, text_item_has_content, &content_count)) return false;
  for (uint32_t i = 0; i < fresh.core_.item_count(); ++i)
    if (fresh.core_.item(i).flags & ~kDeleted) return false;  // no move slots in text
  std::string_view live = r.bytes_view();
  if (!r.ok() || !valid_utf8(live)) return false;
  fresh.arena_ = utf8_decode(live);
  if (fresh.arena_.size() != content_count) return false;
  uint64_t mark_count = r.count(8);
  for (uint64_t i = 0; i < mark_count && r.ok(); ++i) {
    MarkOp m;
    if (!decode(r, m) || !fresh.can_apply(m)) return false;
    if (!fresh.marks_.emplace(m.id, std::move(m)).second) return false;
  }
  if (!r.ok()) return false;
  *this = std::move(fresh);
  return true;
}

size_t Text::memory_bytes() const {
  return core_.memory_bytes() + arena_.capacity() * sizeof(char32_t) + marks_.size() * (sizeof(MarkOp) + 64);
}

}  // namespace dolc::rt::seq
