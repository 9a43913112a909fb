// runtime-wasm/src/doc_undo.cpp: cursors, undo and redo
// (docs/generated-api.md). Local edits record inverse intents
// (Doc::Impl::record, doc_impl.hpp, and the recording helpers here); undo and
// redo apply them as new local operations through the field API. Each kind's
// inverse is an instance of invert_entry, linked into a module only when an
// edit that records that kind is; the edits are in doc_access.cpp, so the
// instances (one per group inverse_of names) are instantiated here.
#include "doc_impl.hpp"

namespace dolc_gen {

UndoEntry* Doc::Impl::record_as(UndoKind kind, InvertFn invert, const Bytes& path, const GeneInfo* g,
                                               uint32_t field) {
  if (!undo || log.empty() || log.back().ops.empty()) return nullptr;
  undo->target->push_back(UndoEntry{kind, invert, field, g, uint64_t{log.size()} << 32 | (log.back().ops.size() - 1),
                                    path, {}, {}, false, {}, {}, {}, 0, {}});
  return &undo->target->back();
}

// Counter changes and typing runs add to the step's last entry for the field.
void Doc::Impl::note_counter(const Bytes& path, const GeneInfo* g, uint32_t field, int64_t delta) {
  if (!undo) return;
  UndoEntry* e = undo->last(UndoKind::Counter, path, g, field);
  if (e && !__builtin_add_overflow(e->delta, delta, &e->delta)) return;
  if ((e = record<UndoKind::Counter>(path, g, field))) e->delta = delta;
}

void Doc::Impl::note_ids_as(UndoKind kind, InvertFn invert, const Bytes& path, const GeneInfo* g,
                                           uint32_t field, const std::vector<seq::IdRange>& ids) {
  if (!undo) return;
  UndoEntry* e = undo->last(kind, path, g, field);
  if (!e) e = record_as(kind, invert, path, g, field);
  if (!e) return;
  for (const seq::IdRange& r : ids) {
    seq::IdRange* back = e->ids.empty() ? nullptr : &e->ids.back();
    if (back && back->first.actor == r.first.actor && back->first.lamport + back->len == r.first.lamport)
      back->len += r.len;
    else if (back && back->first.actor == r.first.actor && r.first.lamport + r.len == back->first.lamport)
      back->first = r.first, back->len += r.len;  // backspace
    else
      e->ids.push_back(r);
  }
}

// ------------------------------------------------------------ cursors, undo and redo
// docs/generated-api.md, "Cursors" and "Undo and redo".

namespace {
// The visible index of slot `id` in `core`: where it is, or where it was for
// a tombstone or a move's old slot (*shown false). False when unknown.
bool slot_index(const seq::SeqCore& core, OpId id, uint32_t* index, bool* shown) {
  uint32_t off = 0;
  uint32_t it = core.find_id(id, &off);
  if (it == seq::kNoItem) return false;
  *shown = core.item(it).visible();
  *index = core.visible_before(it) + (*shown ? off : 0);
  return true;
}
const seq::SeqCore& core_of(const Field& f) { return f.text ? f.text->core() : f.list->items.core(); }
}  // namespace

Result<std::string> Doc::cursor(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t pos,
                                bool stick_left) const {
  Field* f = impl_->live_field(path, gene, field);
  if (!f || (!f->text && !f->list)) return impl_->no_object();
  size_t n = f->text ? f->text->size() : f->list->items.size();
  if (pos > n) return fail("position out of range");
  std::string out(1, stick_left ? 'L' : 'R');
  if (stick_left ? pos > 0 : pos < n) {
    size_t at = stick_left ? pos - 1 : pos;
    OpId id = f->text ? f->text->id_at(at) : f->list->items.id_at(at);
    out += decimal(id.lamport);
    out += '.';
    out += decimal(id.actor);
  }
  return out;
}

std::optional<uint32_t> Doc::cursor_position(const Bytes& path, const GeneInfo* gene, uint32_t field,
                                             const std::string& cursor) const {
  impl_->thaw();
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f || (!f->text && !f->list) || cursor.empty() || (cursor[0] != 'L' && cursor[0] != 'R')) return std::nullopt;
  bool left = cursor[0] == 'L';
  if (cursor.size() == 1) return left ? 0u : static_cast<uint32_t>(core_of(*f).size());
  uint64_t part[2] = {0, 0};
  size_t k = 0, digits = 0;
  for (size_t i = 1; i < cursor.size(); ++i) {
    char c = cursor[i];
    if (c == '.' && k == 0 && digits) {
      k = 1, digits = 0;
      continue;
    }
    if (c < '0' || c > '9' || part[k] > (UINT64_MAX - 9) / 10) return std::nullopt;
    part[k] = part[k] * 10 + static_cast<uint64_t>(c - '0');
    ++digits;
  }
  if (k != 1 || !digits) return std::nullopt;
  OpId id{part[0], part[1]};
  if (f->list && !f->list->items.value_of(id)) return std::nullopt;  // not an element (yet)
  uint32_t index = 0;
  bool shown = false;
  if (!slot_index(core_of(*f), f->list ? f->list->items.slot_of(id) : id, &index, &shown)) return std::nullopt;
  return index + (left && shown ? 1 : 0);
}

void Doc::undo_manager(uint32_t max_steps) {
  if (!max_steps) return impl_->undo.reset();
  if (!impl_->undo) impl_->undo = std::make_unique<Undo>();
  impl_->undo->max_steps = max_steps;
}
void Doc::undo_stop_capturing() {
  if (impl_->undo) impl_->undo->close();
}
bool Doc::can_undo() const {
  const Undo* u = impl_->undo.get();
  return u && (!u->open.empty() || !u->undos.empty());
}
bool Doc::can_redo() const {
  const Undo* u = impl_->undo.get();
  return u && u->open.empty() && !u->redos.empty();
}

namespace {
// The elements of `ids` (followed through the remap) that are shown
// (`shown`) or deleted, in document order: document position -> visible
// index << 32 | index in *found. (A map of integers: the module has one.)
std::map<uint64_t, uint64_t> locate(const Undo& u, const Field& f, const std::vector<seq::IdRange>& ids, bool shown,
                                    std::vector<OpId>* found) {
  std::map<uint64_t, uint64_t> out;
  const seq::SeqCore& core = core_of(f);
  for (const seq::IdRange& r : ids)
    for (uint32_t k = 0; k < r.len; ++k) {
      OpId id = u.follow(OpId{r.first.lamport + k, r.first.actor});
      OpId slot = f.list ? f.list->items.slot_of(id) : id;
      uint32_t off = 0;
      uint32_t it = core.find_id(slot, &off);
      if (it == seq::kNoItem || core.item(it).visible() != shown) continue;
      if (!shown && f.list && !f.list->items.value_of(id)) continue;
      out[uint64_t{core.total_before(it)} + off] = uint64_t{core.visible_before(it) + (shown ? off : 0)} << 32 | found->size();
      found->push_back(id);
    }
  return out;
}

// Re-inserts deleted characters (`chars`) or a list value just after slot
// `after` (their tombstone), as a local operation; *first: the first new id.
// With `move` (no chars, no value): a move of list element `move` there.
template <class I>
bool insert_after(I& d, Field& f, const Bytes& p, const GeneInfo* g, uint32_t fi, OpId after,
                  const std::u32string* chars, const Bytes* value, OpId* first, OpId move = OpId{}) {
  const seq::SeqCore& core = core_of(f);
  uint32_t off = 0;
  uint32_t it = core.find_id(after, &off);
  size_t n = chars ? chars->size() : 1;
  if (it == seq::kNoItem || d.exhausted(n)) return false;
  uint32_t next = core.next(it);
  OpId right = off + 1 < core.item(it).len ? core.item(it).id_at(off + 1)
                                           : next == seq::kNoItem ? OpId{} : core.item(next).id;
  OpId id = d.next_id(), slot;
  Writer w;
  if (chars) {
    seq::TextInsertOp op{id, after, right, *chars};
    if (!f.text->can_apply(op)) return false;
    f.text->apply(op);
    seq::encode(w, op);
  } else if (value) {
    seq::ListInsertOp op{id, after, right, {*value}};
    if (!f.list->items.can_apply(op)) return false;
    f.list->items.apply(op);
    seq::encode(w, op);
  } else {
    seq::MoveOp op{id, move, after, right};
    if (!f.list->items.can_apply(op)) return false;
    slot = f.list->items.slot_of(move);
    f.list->items.apply(op);
    seq::encode(w, op);
  }
  OpKind kind = chars ? OpKind::TextInsert : value ? OpKind::ListInsert : OpKind::ListMove;
  if (!d.commit_local(make_op(id, p, d.keys, g, fi, kind, w.take()), n, true).ok) return false;
  if (kind == OpKind::TextInsert)
    d.template note_ids<UndoKind::TextIns>(p, g, fi, seq::IdRange{id, static_cast<uint32_t>(n)});
  else if (kind == OpKind::ListInsert)
    d.template note_ids<UndoKind::ListIns>(p, g, fi, seq::IdRange{id, static_cast<uint32_t>(n)});
  else if (UndoEntry* e = d.template record<UndoKind::ListMove>(p, g, fi))
    e->elem = move, e->prev = slot, e->ours = id;
  *first = id;
  return true;
}

// Applies the inverse of `e` as new local operations (which record their own
// inverses into the step under construction). Skips what no longer applies.
// (One instance per kind K = inverse_of(kind), reached through the entry's InvertFn.)
template <UndoKind K, class I>
void invert(Doc& doc, I& d, const UndoEntry& e) {
  Undo& u = *d.undo;
  Field* f = field_at(d.root.get(), d.keys, e.path, e.gene, e.field);
  if (!f) return;  // its object is gone
  const Bytes& p = e.path;
  const GeneInfo* g = e.gene;
  uint32_t fi = e.field;
  OpId next = d.next_id();
  // Each case is compiled into its group's instance only (inverse_of).
  switch (e.kind) {
    case UndoKind::Reg:  // only while the value is still ours
      if constexpr (K == UndoKind::Reg)
        if (f->reg.has && f->reg.stamp == u.follow(e.ours) && doc.reg_set(p, g, fi, e.b).ok) u.map(e.prev, next);
      break;
    case UndoKind::Mv:
      if constexpr (K == UndoKind::Mv)
        if (f->mv.values.size() == 1 && f->mv.values[0].first == u.follow(e.ours) && doc.mv_set(p, g, fi, e.b).ok)
          u.map(e.prev, next);
      break;
    case UndoKind::Counter:
      if constexpr (K == UndoKind::Counter)
        if (e.delta != INT64_MIN) doc.counter_add(p, g, fi, -e.delta);
      break;
    case UndoKind::SetAdd: if constexpr (K == UndoKind::SetAdd) {  // removes our add only: a peer's add of the value stays
      auto it = f->set.dots.find(e.a);
      OpId dot = u.follow(e.ours);
      if (it == f->set.dots.end() || !it->second.count(dot)) break;
      if (remove_observed(d, p, g, fi, e.a, std::set<OpId>{dot}, OpKind::SetRemove).ok)
        if (UndoEntry* r = d.template record<UndoKind::SetRemove>(p, g, fi)) r->a = e.a, r->ids.push_back(seq::IdRange{dot, 1});
      break;
    }
      break;
    case UndoKind::SetRemove:  // adds it again (also when a peer did: the add is then ours too)
      if constexpr (K == UndoKind::SetAdd) {
        if (!doc.set_add(p, g, fi, e.a).ok) break;
        for (const seq::IdRange& r : e.ids) u.map(r.first, next);
      }
      break;
    case UndoKind::MapSet: if constexpr (K == UndoKind::MapSet) {
      auto it = f->map.entries.find(e.a);
      if (it == f->map.entries.end() || !visible(it->second) || it->second.value.stamp != u.follow(e.ours)) break;
      if (!e.had) doc.map_delete(p, g, fi, e.a);
      else if (doc.map_set(p, g, fi, e.a, e.b).ok) u.map(e.prev, next);
      break;
    }
      break;
    case UndoKind::MapDelete:  // unless someone set the key since
      if constexpr (K == UndoKind::MapSet) {
        if (!e.had || doc.map_has(p, g, fi, e.a) || !doc.map_set(p, g, fi, e.a, e.b).ok) break;
        for (const seq::IdRange& r : e.ids) u.map(r.first, next);
      }
      break;
    case UndoKind::TextIns:
    case UndoKind::ListIns: if constexpr (K == UndoKind::TextIns) {  // deletes what is still shown, from the right, in runs
      std::vector<uint32_t> at;
      std::vector<OpId> ids;
      for (const auto& [pos, found] : locate(u, *f, e.ids, true, &ids)) at.push_back(static_cast<uint32_t>(found >> 32));
      for (size_t j = at.size(); j > 0;) {
        size_t k = j - 1;
        while (k > 0 && at[k - 1] + 1 == at[k]) --k;
        uint32_t n = static_cast<uint32_t>(j - k);
        if (f->text) doc.text_delete(p, g, fi, at[k], n);
        else doc.list_delete(p, g, fi, at[k], n);
        j = k;
      }
      break;
    }
      break;
    case UndoKind::TextDel:
    case UndoKind::ListDel: if constexpr (K == UndoKind::TextIns) {  // re-inserts what is still deleted where it was, with new ids
      std::vector<std::pair<uint64_t, OpId>> gone;  // (document position, id)
      std::vector<OpId> ids;
      for (const auto& [pos, found] : locate(u, *f, e.ids, false, &ids)) gone.emplace_back(pos, ids[found & 0xffffffffu]);
      for (size_t j = gone.size(); j > 0;) {
        size_t k = j - 1;
        OpId first;
        if (f->text) {  // adjacent characters (no other slot between): one insert, after the last
          while (k > 0 && gone[k - 1].first + 1 == gone[k].first) --k;
          std::u32string chars(j - k, U' ');
          for (size_t m = k; m < j; ++m) f->text->char_of(gone[m].second, &chars[m - k]);
          if (insert_after(d, *f, p, g, fi, gone[j - 1].second, &chars, nullptr, &first))
            for (size_t m = k; m < j; ++m) u.map(gone[m].second, OpId{first.lamport + (m - k), first.actor});
        } else {  // each element after the slot that placed it
          OpId was = gone[k].second, slot = f->list->items.slot_of(was);
          Bytes value = *f->list->items.value_of(was);
          if (insert_after(d, *f, p, g, fi, slot, nullptr, &value, &first)) {
            u.map(was, first);
            if (slot != was) u.map(slot, first);  // the move that placed it: now the new element's own slot
          }
        }
        j = k;
      }
      break;
    }
      break;
    case UndoKind::ListMove: if constexpr (K == UndoKind::TextIns) {  // back to its previous place, while this move still places it
      const seq::RgaList& items = f->list->items;
      // Its previous slot: an insert slot stays where it was (follow() would
      // give the element's re-inserted copy); a move slot may have a newer copy.
      OpId el = u.follow(e.elem), before = e.prev == e.elem ? e.prev : u.follow(e.prev);
      size_t i = 0;
      if (items.slot_of(el) != u.follow(e.ours) || !items.index_of(el, &i)) break;
      // A new slot just after the previous one (not at an index: the
      // previous slot's neighbours decide where the element goes back).
      // (An insert slot is never remapped: its id is the element's identity.)
      OpId first;
      if (insert_after(d, *f, p, g, fi, before, nullptr, nullptr, &first, el) && before != el)
        u.map(before, next);
      break;
    }
      break;
  }
}

// undo() and redo(): applies the last step of one stack, recording its
// inverse as a step of the other. Steps that no longer change anything are
// dropped, and the next one is tried.
template <class I>
bool undo_redo(Doc& doc, I& d, bool undoing) {
  if (!d.undo) return false;
  Undo& u = *d.undo;
  u.close();
  std::vector<UndoStep>& from = undoing ? u.undos : u.redos;
  std::vector<UndoStep>& to = undoing ? u.redos : u.undos;
  while (!from.empty()) {
    UndoStep step = std::move(from.back());
    from.pop_back();
    UndoStep made;
    u.target = &made;
    u.fence = 0;
    for (size_t i = step.size(); i-- > 0;) step[i].invert(doc, &d, step[i]);
    u.target = &u.open;
    u.fence = 0;
    if (made.empty()) continue;
    to.push_back(std::move(made));
    if (to.size() > u.max_steps) to.erase(to.begin());
    return true;
  }
  return false;
}

}  // namespace

namespace internal {

template <UndoKind K, class I>
void invert_entry(Doc& doc, void* impl, const UndoEntry& e) {
  invert<K>(doc, *static_cast<I*>(impl), e);
}

// The instances the recording sites name (one per group: inverse_of).
template void invert_entry<UndoKind::Reg, Doc::Impl>(Doc& doc, void* impl, const UndoEntry& e);
template void invert_entry<UndoKind::Mv, Doc::Impl>(Doc& doc, void* impl, const UndoEntry& e);
template void invert_entry<UndoKind::Counter, Doc::Impl>(Doc& doc, void* impl, const UndoEntry& e);
template void invert_entry<UndoKind::SetAdd, Doc::Impl>(Doc& doc, void* impl, const UndoEntry& e);
template void invert_entry<UndoKind::MapSet, Doc::Impl>(Doc& doc, void* impl, const UndoEntry& e);
template void invert_entry<UndoKind::TextIns, Doc::Impl>(Doc& doc, void* impl, const UndoEntry& e);

}  // namespace internal

bool Doc::undo() { return undo_redo(*this, *impl_, true); }
bool Doc::redo() { return undo_redo(*this, *impl_, false); }

}  // namespace dolc_gen
