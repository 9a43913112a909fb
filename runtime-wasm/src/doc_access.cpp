// runtime-wasm/src/doc_access.cpp: the field API generated code calls: per
// kind, its reads (from the live state, or from a frozen document's snapshot)
// and its local edits (reg_*, mv_*, set_*, map_*, counter_*, list_*, text_*),
// which check their arguments, record what undo needs, and go through the log
// (commit_local). Also @personal keys and the bounds merges can cross.
#include "doc_impl.hpp"

namespace dolc_gen {

// A local write's value for @personal field `info`, sealed for the current subject.
Result<Bytes> Doc::Impl::seal_personal(const GeneInfo* g, const FieldInfo& info, const Bytes& plain) {
  std::string field = cat({"`", info.name, "` is @personal"});
  if (personal_subject.empty())
    return Failure{cat({field, ": give the document a subject's key first (setPersonalKey(subject, key))"})};
  if (!personal || !personal->has(personal_subject))
    return Failure{cat({field, " and the key of subject `", personal_subject,
                        "` is not held (forgotten?): set it again, or choose another subject"})};
  std::optional<Bytes> sealed = personal->seal(personal_subject, personal_aad(g, info), plain);
  if (!sealed) return Failure{cat({field, ": the key of `", personal_subject, "` sealed 2^32 values; set it again to renew its nonces"})};
  return std::move(*sealed);
}

// ----- field access

namespace internal {
// A local op on field `field` of `gene` (named by its key in the op).
Op make_op(OpId id, const Bytes& path, const Keys& keys, const GeneInfo* gene, uint32_t field, OpKind kind,
           Bytes payload) {
  Op op;
  op.id = id;
  op.path = path;
  op.field = keys.key_of(gene, field);
  op.kind = kind;
  op.payload = std::move(payload);
  return op;
}
}  // namespace internal

namespace {
// A hand-written GeneInfo without `sequences`: its documents could not encode
// or replay sequence ops, so they refuse to make them.
// rga `append_only=true` (crdt.md): elements are only appended. "Append"
// is at the end as this replica sees it; concurrent appends still merge by
// rga order. A peer's delete or move is malformed (apply_sequence_op).
const Failure kAppendOnlyInsert{"refused: the list is append-only (append_only=true): insert only at the end (index = length)"};
const Failure kAppendOnlyDelete{"refused: the list is append-only (append_only=true): its elements are never deleted"};
const Failure kAppendOnlyMove{"refused: the list is append-only (append_only=true): its elements are never moved"};
const Failure kNoSequences{"this document's gene descriptor lacks dolc_gen::kSequenceSupport (rga/peritext)"};
}  // namespace

std::optional<Bytes> Doc::reg_get(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Register))
    return z->items.empty() ? std::nullopt : std::optional<Bytes>(z->items[0]);
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f || !f->reg.has) return std::nullopt;
  const FieldInfo& info = gene->fields[field];
  if (!info.personal) return f->reg.value;
  // Sealed: readable with its subject's key only; without it the value reads
  // as never written (erased), whatever the bytes in the log.
  if (!impl_->personal) return std::nullopt;
  return impl_->personal->open(personal_aad(gene, info), f->reg.value);
}

Status Doc::reg_set(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  if (gene->fields[field].strategy == Strategy::Immutable && f->reg.has)
    return Failure{std::string("`") + gene->fields[field].name + "` is immutable and already set"};
  Impl& d = *impl_;
  const FieldInfo& info = gene->fields[field];
  // (undo: the value it replaces, or the field's default before a first
  // write; a @personal one as plaintext, sealed again when undone, and only
  // when this replica can open it)
  Bytes (*def)() = info.strategy == Strategy::Lww ? info.default_value : nullptr;
  std::optional<Bytes> previous;
  if (d.undo && f->reg.has) previous = info.personal ? reg_get(path, gene, field) : std::optional<Bytes>(f->reg.value);
  bool had = d.undo && (previous || (!f->reg.has && def));
  Bytes before = !had ? Bytes() : previous ? *previous : def();
  Bytes stored;
  if (info.personal) {
    Result<Bytes> sealed = d.seal_personal(gene, info, value);
    if (!sealed.ok) return Failure{sealed.error};
    stored = std::move(sealed.value);
  }
  OpId stamp = f->reg.stamp, id = d.next_id();
  Status st = d.commit_local(make_op(id, path, d.keys, gene, field, OpKind::RegSet, info.personal ? stored : value));
  if (st.ok && had)
    if (UndoEntry* e = d.record<UndoKind::Reg>(path, gene, field)) e->b = std::move(before), e->prev = stamp, e->ours = id;
  return st;
}

std::vector<Bytes> Doc::mv_values(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Mv)) return z->items;
  std::vector<Bytes> out;
  if (Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field))
    for (auto& [id, v] : f->mv.values) out.push_back(v);
  return out;
}

Status Doc::mv_set(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  Writer w;
  w.bytes(value.data(), value.size());
  w.varint(f->mv.values.size());
  for (auto& [id, v] : f->mv.values) write_id(w, id);  // a write replaces everything the writer has seen
  Impl& d = *impl_;
  // (undo: restores a single previous value only, or the field's default)
  Bytes (*def)() = f->mv.values.empty() ? gene->fields[field].default_value : nullptr;
  bool one = d.undo && (f->mv.values.size() == 1 || def);
  Bytes before = !one ? Bytes() : def ? def() : f->mv.values[0].second;
  OpId stamp = one && !def ? f->mv.values[0].first : OpId{}, id = d.next_id();
  Status st = d.commit_local(make_op(id, path, d.keys, gene, field, OpKind::MvSet, w.take()));
  if (st.ok && one)
    if (UndoEntry* e = d.record<UndoKind::Mv>(path, gene, field)) e->b = std::move(before), e->prev = stamp, e->ours = id;
  return st;
}

bool Doc::set_has(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Set))
    return std::binary_search(z->items.begin(), z->items.end(), value);
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f && f->set.has(value);
}
std::vector<Bytes> Doc::set_values(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Set)) return z->items;
  std::vector<Bytes> out;
  if (Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field))
    for (auto& [v, dots] : f->set.dots)
      if (!f->set.tombs.count(v)) out.push_back(v);
  return out;
}
uint32_t Doc::set_size(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Set)) return static_cast<uint32_t>(z->items.size());
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f) return 0;
  size_t masked = 0;  // bias=remove: elements a remove hides
  for (auto& [v, t] : f->set.tombs) masked += f->set.dots.count(v);
  return static_cast<uint32_t>(f->set.dots.size() - masked);
}
// bias=remove: `bytes value` and the removes (tombs) it saw, for SetAdd,
// MapSet and MapSetNew (FORMAT.md).
void write_tombs(Writer& w, const std::set<OpId>* tombs) {
  w.varint(tombs ? tombs->size() : 0);
  if (tombs)
    for (OpId t : *tombs) write_id(w, t);
}
const std::set<OpId>* tombs_of(const std::map<Bytes, std::set<OpId>>& tombs, const Bytes& v) {
  auto it = tombs.find(v);
  return it == tombs.end() ? nullptr : &it->second;
}

Status Doc::set_add(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  OpId id = impl_->next_id();
  Bytes payload = value;
  if (gene->fields[field].remove_wins) {
    Writer w;
    w.bytes(value.data(), value.size());
    write_tombs(w, tombs_of(f->set.tombs, value));
    payload = w.take();
  }
  Status st = impl_->commit_local(make_op(id, path, impl_->keys, gene, field, OpKind::SetAdd, payload));
  if (st.ok)
    if (UndoEntry* e = impl_->record<UndoKind::SetAdd>(path, gene, field)) e->a = value, e->ours = id;
  return st;
}
Status Doc::set_remove(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  auto it = f->set.dots.find(value);
  if (it == f->set.dots.end() || f->set.tombs.count(value)) return {};  // nothing observed: nothing to remove
  std::set<OpId> dots = impl_->undo ? it->second : std::set<OpId>();
  Status st = remove_observed(*impl_, path, gene, field, value, it->second, OpKind::SetRemove);
  if (st.ok)
    if (UndoEntry* e = impl_->record<UndoKind::SetRemove>(path, gene, field)) {
      e->a = value;
      for (OpId dot : dots) e->ids.push_back(seq::IdRange{dot, 1});
    }
  return st;
}

bool Doc::map_has(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Map))
    return std::binary_search(z->items.begin(), z->items.end(), key);
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f) return false;
  auto it = f->map.entries.find(key);
  return it != f->map.entries.end() && visible(it->second);
}
std::optional<Bytes> Doc::map_get(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Map)) {
    size_t at = static_cast<size_t>(std::lower_bound(z->items.begin(), z->items.end(), key) - z->items.begin());
    return at == z->items.size() || z->items[at] != key || !z->held[at] ? std::nullopt : std::optional<Bytes>(z->values[at]);
  }
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f) return std::nullopt;
  auto it = f->map.entries.find(key);
  if (it == f->map.entries.end() || !visible(it->second) || !it->second.value.has) return std::nullopt;
  return it->second.value.value;
}
std::vector<Bytes> Doc::map_keys(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Map)) return z->items;
  std::vector<Bytes> out;
  if (Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field))
    for (auto& [k, e] : f->map.entries)
      if (visible(e)) out.push_back(k);
  return out;
}
Status Doc::map_set(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key, const Bytes& value) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  Writer w;
  w.bytes(key.data(), key.size());
  w.bytes(value.data(), value.size());
  if (gene->fields[field].remove_wins) {
    auto e = f->map.entries.find(key);
    write_tombs(w, e == f->map.entries.end() ? nullptr : &e->second.tombs);
  }
  Impl& d = *impl_;
  const MapEntry* old = nullptr;  // (undo: the value it replaces)
  if (d.undo) {
    auto it = f->map.entries.find(key);
    if (it != f->map.entries.end() && visible(it->second) && it->second.value.has) old = &it->second;
  }
  Bytes before = old ? old->value.value : Bytes();
  OpId stamp = old ? old->value.stamp : OpId{}, id = d.next_id();
  Status st = d.commit_local(make_op(id, path, d.keys, gene, field, OpKind::MapSet, w.take()));
  if (st.ok)
    if (UndoEntry* e = d.record<UndoKind::MapSet>(path, gene, field))
      e->a = key, e->b = std::move(before), e->had = stamp != OpId{}, e->prev = stamp, e->ours = id;
  return st;
}
Status Doc::map_set_new(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  Writer w;
  w.bytes(key.data(), key.size());
  if (gene->fields[field].remove_wins) {
    auto e = f->map.entries.find(key);
    write_tombs(w, e == f->map.entries.end() ? nullptr : &e->second.tombs);
  }
  return impl_->commit_local(make_op(impl_->next_id(), path, impl_->keys, gene, field, OpKind::MapSetNew, w.take()));
}
Status Doc::map_delete(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  auto it = f->map.entries.find(key);
  if (it == f->map.entries.end() || !visible(it->second)) return {};
  bool scalar = impl_->undo && !gene->fields[field].nested;  // (undo: deleted nested objects are not restored)
  std::set<OpId> dots = scalar ? it->second.dots : std::set<OpId>();
  Register before = scalar ? it->second.value : Register();
  Status st = remove_observed(*impl_, path, gene, field, key, it->second.dots, OpKind::MapDelete);
  if (st.ok && scalar)
    if (UndoEntry* e = impl_->record<UndoKind::MapDelete>(path, gene, field)) {
      e->a = key, e->b = std::move(before.value), e->had = before.has;
      for (OpId dot : dots) e->ids.push_back(seq::IdRange{dot, 1});
    }
  return st;
}
Result<Bytes> Doc::map_child(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::MapOfGenes)) {  // (the path needs no replay)
    if (!std::binary_search(z->items.begin(), z->items.end(), key)) return fail("no such key");
  } else {
    Field* f = impl_->live_field(path, gene, field);
    if (!f) return impl_->no_object();
    auto it = f->map.entries.find(key);
    if (it == f->map.entries.end() || !visible(it->second) || !it->second.child) return fail("no such key");
  }
  Writer w;
  w.raw(path.data(), path.size());
  w.varint(uint64_t{impl_->keys.key_of(gene, field)} << 2 | kStepEntry);
  w.bytes(key.data(), key.size());
  return w.take();
}

int64_t Doc::counter_value(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Counter)) return z->counter;
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f ? f->counter.value() : 0;
}
int64_t Doc::counter_rights(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  impl_->thaw();
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f ? f->counter.rights_of(impl_->actor) : 0;
}
Status Doc::counter_transfer(const Bytes& path, const GeneInfo* gene, uint32_t field, uint64_t to, int64_t amount) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  const FieldInfo& info = gene->fields[field];
  if (info.strategy != Strategy::PnCounter || !info.escrow) return fail("refused: transfer() needs an escrow counter");
  if (to == 0 || to == impl_->actor) return fail("refused: transfer() to actor 0 or to this replica itself");
  if (amount <= 0) return fail("refused: a transfer moves a positive amount of rights");
  if (amount > f->counter.rights_of(impl_->actor))
    return Failure{std::string("refused: this replica holds ") + decimal(f->counter.rights_of(impl_->actor)) +
                   " rights on `" + info.name + "`, fewer than the " + decimal(amount) + " to transfer"};
  Writer w;
  w.varint(to);
  w.varint(static_cast<uint64_t>(amount));
  return impl_->commit_local(make_op(impl_->next_id(), path, impl_->keys, gene, field, OpKind::CounterTransfer, w.take()));
}
Status Doc::counter_add(const Bytes& path, const GeneInfo* gene, uint32_t field, int64_t delta) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  const FieldInfo& info = gene->fields[field];
  int64_t current = f->counter.value();
  int64_t target;
  bool overflow = __builtin_add_overflow(current, delta, &target);
  int64_t lo = info.has_min ? info.min : INT64_MIN;
  int64_t hi = info.has_max ? info.max : INT64_MAX;
  // A value that merges took out of its range accepts any operation that
  // moves it toward the range (crdt.md): refusing those would leave the
  // counter stuck out of range. Such a move is applied as asked.
  bool toward = !overflow && ((current > hi && delta < 0 && target > hi) || (current < lo && delta > 0 && target < lo));
  if (info.escrow && delta < 0 && -delta > f->counter.rights_of(impl_->actor))  // (delta > INT64_MIN: generated code)
    return Failure{std::string("refused: `") + info.name + "` is an escrow counter and this replica holds " +
                   decimal(f->counter.rights_of(impl_->actor)) + " rights; a decrement of " + decimal(-delta) +
                   " needs as many (rights come from this replica's increments and from transfers)"};
  if (info.escrow && delta > 0 && f->counter.rights_of(impl_->actor) > INT64_MAX - delta)
    return Failure{std::string("refused: `") + info.name + "`: this replica's rights would pass 2^63 - 1"};
  if (!toward && (overflow || target < lo || target > hi)) {
    switch (info.overflow) {
      case Overflow::Error:
        return Failure{std::string("`") + info.name + "` would leave its range [" + decimal(lo) + ", " +
                       decimal(hi) + "]"};
      case Overflow::Saturate:
        // Already past the bound it pushes against: it stays (clamping would
        // move it the other way, an increment that decrements).
        if ((current > hi && delta > 0) || (current < lo && delta < 0)) target = current;
        else target = (overflow ? (delta > 0 ? hi : lo) : std::min(std::max(target, lo), hi));
        break;
      case Overflow::Wrap: {
        // Wrap around within [lo, hi] in unsigned arithmetic (range 0 = all
        // of int64). No 128-bit division: its builtin needs a stack protector
        // the wasm32 libc lacks.
        uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
        if (range == 0) {
          target = static_cast<int64_t>(static_cast<uint64_t>(current) + static_cast<uint64_t>(delta));
        } else {
          uint64_t off = (static_cast<uint64_t>(current) - static_cast<uint64_t>(lo)) % range;
          uint64_t step = delta >= 0 ? static_cast<uint64_t>(delta) % range
                                     : (range - (0 - static_cast<uint64_t>(delta)) % range) % range;
          off = off >= range - step ? off - (range - step) : off + step;
          target = static_cast<int64_t>(static_cast<uint64_t>(lo) + off);
        }
        break;
      }
    }
    delta = static_cast<int64_t>(static_cast<uint64_t>(target) - static_cast<uint64_t>(current));
  }
  if (delta == 0) return {};
  Impl& d = *impl_;
  // (not for escrow: a decrement folded into an earlier one could spend
  // rights an increment between them gave, and peers would refuse it)
  for (Impl::CounterOp& c : d.counter_ops) {
    int64_t sum = 0;
    if (info.escrow) break;
    if (c.field != f || c.up != (delta > 0) || __builtin_add_overflow(c.sum, delta, &sum)) continue;
    // Bounded growth (FORMAT.md, "Size notes"): an increment of a counter
    // this open change already increments, in the same direction, adds to
    // that op instead of adding one; 100,000 increments between two syncs
    // are one op. Counter ops commute, so moving an increment earlier in
    // its change changes nothing; the lamport it would have taken is unused.
    int64_t from = f->counter.value();
    f->counter.add(d.actor, delta);
    if (Events* e = d.local_event(path, gene, field)) counter_event(*e, from, f->counter.value());
    c.sum = sum;
    Writer w;
    w.svarint(sum);
    d.log.back().ops[c.op].payload = w.take();
    d.note_counter(path, gene, field, delta);
    return {};
  }
  Writer w;
  w.svarint(delta);
  Status st = d.commit_local(make_op(d.next_id(), path, d.keys, gene, field, OpKind::CounterAdd, w.take()));
  if (st.ok) d.counter_ops.push_back({f, delta > 0, d.log.back().ops.size() - 1, delta});
  if (st.ok) d.note_counter(path, gene, field, delta);
  return st;
}

uint32_t Doc::list_length(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::List)) return static_cast<uint32_t>(z->items.size());
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f && f->list ? static_cast<uint32_t>(f->list->items.size()) : 0;
}
std::optional<Bytes> Doc::list_get(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::List))
    return index < z->items.size() ? std::optional<Bytes>(z->items[index]) : std::nullopt;
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f || !f->list || index >= f->list->items.size()) return std::nullopt;
  return f->list->items.get(index);
}

Status Doc::list_insert(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index, const Bytes& value) {
  if (!impl_->seqs) return kNoSequences;
  if (impl_->exhausted(1)) return kClockExhausted;
  Field* f = impl_->live_field(path, gene, field);
  if (!f || !f->list) return impl_->no_object();
  if (index > f->list->items.size()) return fail("index out of range");
  if (gene->fields[field].append_only && index != f->list->items.size()) return kAppendOnlyInsert;
  OpId id = impl_->next_id();
  // RgaList::insert applies locally and returns the op to record.
  seq::ListInsertOp op = f->list->items.insert(index, {value}, id);
  if (gene->fields[field].nested) f->list->children[id] = std::make_unique<Object>(gene->fields[field].nested);
  if (Events* e = impl_->local_event(path, gene, field))
    e->add(cat({",\"kind\":\"", list_kind(gene->fields[field]), "\",\"at\":", decimal(uint64_t{index}), ",\"insert\":[",
                gene->fields[field].nested ? "null" : event_value(gene->fields[field], value), "]"}));
  Writer w;
  seq::encode(w, op);
  Status st = impl_->commit_local(make_op(id, path, impl_->keys, gene, field, OpKind::ListInsert, w.take()), 1, true);
  // (undo: inserted objects are not deleted; they could not be restored;
  // nor are appends to an append-only list: undoing one would delete it)
  if (st.ok && !gene->fields[field].nested && !gene->fields[field].append_only) impl_->note_ids<UndoKind::ListIns>(path, gene, field, seq::IdRange{id, 1});
  return st;
}

Status Doc::list_insert_new(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index) {
  if (!impl_->thaw()) return impl_->thaw_failure();
  return list_insert(path, gene, field, index, Bytes{});
}

Result<Bytes> Doc::list_child(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index) const {
  OpId el;
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::ListOfGenes)) {  // (the path needs no replay)
    if (index >= z->ids.size()) return fail("index out of range");
    el = z->ids[index];
  } else {
    Field* f = impl_->live_field(path, gene, field);
    if (!f || !f->list || index >= f->list->items.size()) return fail("index out of range");
    el = f->list->items.id_at(index);
    if (!f->list->children.count(el)) return fail("the list holds values, not objects");
  }
  Writer w;
  w.raw(path.data(), path.size());
  w.varint(uint64_t{impl_->keys.key_of(gene, field)} << 2 | kStepElement);
  write_id(w, el);
  return w.take();
}

Status Doc::list_delete(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index, uint32_t count) {
  if (!impl_->seqs) return kNoSequences;
  if (impl_->exhausted(1)) return kClockExhausted;
  Field* f = impl_->live_field(path, gene, field);
  if (!f || !f->list) return impl_->no_object();
  if (gene->fields[field].append_only) return kAppendOnlyDelete;
  if (index > f->list->items.size() || count > f->list->items.size() - index) return fail("range out of bounds");
  if (count == 0) return {};
  if (Events* e = impl_->local_event(path, gene, field))
    e->add(cat({",\"kind\":\"", list_kind(gene->fields[field]), "\",\"at\":", decimal(uint64_t{index}), ",\"delete\":",
                decimal(uint64_t{count})}));
  seq::DeleteOp op = f->list->items.remove(index, count);
  Writer w;
  seq::encode(w, op);
  Status st = impl_->commit_local(make_op(impl_->next_id(), path, impl_->keys, gene, field, OpKind::ListDelete, w.take()), 1, true);
  // (undo: deleted objects are not restored)
  if (st.ok && !gene->fields[field].nested) impl_->note_ids<UndoKind::ListDel>(path, gene, field, op.ranges);
  return st;
}

Status Doc::list_move(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t from, uint32_t to) {
  if (!impl_->seqs) return kNoSequences;
  if (impl_->exhausted(1)) return kClockExhausted;
  Field* f = impl_->live_field(path, gene, field);
  if (!f || !f->list) return impl_->no_object();
  if (gene->fields[field].append_only) return kAppendOnlyMove;
  size_t n = f->list->items.size();
  if (from >= n || to >= n) return fail("index out of range");
  if (from == to) return {};
  OpId id = impl_->next_id();
  Bytes moved = f->list->items.get(from);
  OpId element = f->list->items.id_at(from), slot = f->list->items.slot_of(element);
  seq::MoveOp op = f->list->items.move(from, to, id);
  if (op.empty()) return {};
  if (Events* e = impl_->local_event(path, gene, field)) list_move_event(*e, f->list->items, gene->fields[field], op.element, from, &moved);
  Writer w;
  seq::encode(w, op);
  Status st = impl_->commit_local(make_op(id, path, impl_->keys, gene, field, OpKind::ListMove, w.take()), 1, true);
  if (st.ok)
    if (UndoEntry* e = impl_->record<UndoKind::ListMove>(path, gene, field)) e->elem = element, e->prev = slot, e->ours = id;
  return st;
}

uint32_t Doc::text_length(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Text)) return z->text_length;
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f && f->text ? static_cast<uint32_t>(f->text->size()) : 0;
}
std::string Doc::text_string(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Text)) return z->text;
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f && f->text ? f->text->to_string() : std::string();
}
Status Doc::text_insert(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t pos, const std::string& text) {
  if (!impl_->seqs) return kNoSequences;
  if (impl_->exhausted(text.size())) return kClockExhausted;
  Field* f = impl_->live_field(path, gene, field);
  if (!f || !f->text) return impl_->no_object();
  if (pos > f->text->size()) return fail("position out of range");
  if (text.empty()) return {};
  const FieldInfo& info = gene->fields[field];
  // Code points <= bytes: decode only when the byte count could exceed the limit.
  if (info.max_length > 0 && f->text->size() + text.size() > static_cast<uint64_t>(info.max_length) &&
      f->text->size() + seq::utf8_decode(text).size() > static_cast<uint64_t>(info.max_length))
    return Failure{std::string("`") + info.name + "` would exceed max_length " + decimal(info.max_length)};
  OpId id = impl_->next_id();
  seq::TextInsertOp op = f->text->insert(pos, text, id);
  if (op.empty()) return {};
  Impl& d = *impl_;
  if (Events* e = d.local_event(path, gene, field))
    e->add(cat({",\"kind\":\"text\",\"at\":", decimal(uint64_t{pos}), ",\"insert\":", json_string(text),
                inserted_marks(*f->text, pos)}));
  seq::IdRange ids{id, static_cast<uint32_t>(op.text.size())};  // (undo)
  if (d.extends_run(path, d.keys.key_of(gene, field), op)) {
    d.run.ins.text += op.text;
    d.run.dirty = true;
    d.clock = op.id.lamport + op.text.size() - 1;
    d.actor_last[d.actor] = d.clock;  // as a replay of the run computes it (snapshots write it)
    d.note_ids<UndoKind::TextIns>(path, gene, field, ids);
    return {};
  }
  Writer w;
  seq::encode(w, op);
  Status st = d.commit_local(make_op(id, path, d.keys, gene, field, OpKind::TextInsert, w.take()), op.text.size(), true);
  if (st.ok) d.note_ids<UndoKind::TextIns>(path, gene, field, ids);
  if (st.ok) {
    d.run.active = true;
    d.run.is_insert = true;
    d.run.ins = std::move(op);
  }
  return st;
}
Status Doc::text_delete(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t pos, uint32_t count) {
  if (!impl_->seqs) return kNoSequences;
  if (impl_->exhausted(1)) return kClockExhausted;
  Field* f = impl_->live_field(path, gene, field);
  if (!f || !f->text) return impl_->no_object();
  if (pos > f->text->size() || count > f->text->size() - pos) return fail("range out of bounds");
  if (count == 0) return {};
  seq::DeleteOp op = f->text->remove(pos, count);
  Impl& d = *impl_;
  if (Events* e = d.local_event(path, gene, field))
    e->add(cat({",\"kind\":\"text\",\"at\":", decimal(uint64_t{pos}), ",\"delete\":", decimal(uint64_t{count})}));
  const Op* last = d.open_change && !d.log.empty() && !d.log.back().ops.empty() ? &d.log.back().ops.back() : nullptr;
  if (d.run.active && !d.run.is_insert && last && last->field == d.keys.key_of(gene, field) && last->path == path &&
      d.run.del.ranges.size() + op.ranges.size() <= Impl::kMaxRun) {
    // Backspace and forward-delete runs join the previous range; others are appended.
    for (const seq::IdRange& r : op.ranges) {
      seq::IdRange& back = d.run.del.ranges.back();
      if (r.first.actor == back.first.actor && r.first.lamport + r.len == back.first.lamport) {
        back.first = r.first;
        back.len += r.len;
      } else if (r.first.actor == back.first.actor && back.first.lamport + back.len == r.first.lamport) {
        back.len += r.len;
      } else {
        d.run.del.ranges.push_back(r);
      }
    }
    d.run.dirty = true;
    d.note_ids<UndoKind::TextDel>(path, gene, field, op.ranges);
    return {};
  }
  Writer w;
  seq::encode(w, op);
  Status st = d.commit_local(make_op(d.next_id(), path, d.keys, gene, field, OpKind::TextDelete, w.take()), 1, true);
  if (st.ok) d.note_ids<UndoKind::TextDel>(path, gene, field, op.ranges);
  if (st.ok && !op.ranges.empty()) {
    d.run.active = true;
    d.run.is_insert = false;
    d.run.del = std::move(op);
  }
  return st;
}
// text_mark and text_unmark (value null): one body for both, a smaller module.
// (A template: Doc::Impl is private to Doc, and deduction does not name it.)
template <class I>
Status mark_text(I& d, const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t start, uint32_t end,
                 const std::string& name, const std::string* value) {
  if (!d.seqs) return kNoSequences;
  if (d.exhausted(1)) return kClockExhausted;
  Field* f = field_at(d.root.get(), d.keys, path, gene, field);
  if (!f || !f->text) return kNoObject;
  if (start >= end || end > f->text->size()) return fail("mark range out of bounds");
  if (name.empty() || name.size() > 256) return fail("mark names are 1 to 256 bytes");
  OpId id = d.next_id();
  seq::MarkOp op = value ? f->text->mark(start, end, name, *value, id) : f->text->unmark(start, end, name, id);
  if (op.empty()) return {};
  if (Events* e = d.local_event(path, gene, field)) mark_event(*e, start, end, op);
  Writer w;
  seq::encode(w, op);
  return d.commit_local(make_op(id, path, d.keys, gene, field, OpKind::TextMark, w.take()), 1, true);
}
Status Doc::text_mark(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t start, uint32_t end,
                      const std::string& name, const std::string& value) {
  if (!impl_->thaw()) return impl_->thaw_failure();
  return mark_text(*impl_, path, gene, field, start, end, name, &value);
}
Status Doc::text_unmark(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t start, uint32_t end,
                        const std::string& name) {
  if (!impl_->thaw()) return impl_->thaw_failure();
  return mark_text(*impl_, path, gene, field, start, end, name, nullptr);
}
std::string Doc::text_spans(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  impl_->thaw();
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  std::string out = "[";
  if (f && f->text) {
    bool first = true;
    for (const seq::TextSpan& s : f->text->spans()) {
      // Appends, not `a + b + c` chains: each chain's temporaries cost the
      // wasm module hundreds of bytes.
      out += first ? "{\"text\":" : ",{\"text\":";
      first = false;
      out += json_string(s.text);
      out += ",\"marks\":{";
      for (size_t i = 0; i < s.marks.size(); ++i) {
        if (i) out += ",";
        out += json_string(s.marks[i].first);
        out += ":";
        out += json_string(s.marks[i].second);
      }
      out += "}}";
    }
  }
  return out + "]";
}

Bytes Doc::nested_child(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  impl_->cold(path, gene, field, SnapKind::Nested);  // thaws unless the snapshot holds the object
  Writer w;
  w.raw(path.data(), path.size());
  w.varint(uint64_t{impl_->keys.key_of(gene, field)} << 2 | kStepNested);
  return w.take();
}

// ----- @personal values

namespace {
Status check_subject(const std::string& subject) {
  if (subject.empty() || subject.size() > kMaxSubjectBytes)
    return Failure{"a personal subject is 1 to 255 bytes (an id of the person the data is about)"};
  return {};
}
}  // namespace

Status Doc::set_personal_key(const std::string& subject, const Bytes& key, const Bytes& nonce_seed) {
  if (Status st = check_subject(subject); !st.ok) return st;
  if (key.size() != kPersonalKeyBytes)
    return Failure{cat({"a personal key is 32 bytes (AES-256), this one is ", std::to_string(key.size())})};
  if (nonce_seed.size() != kPersonalSeedBytes)
    return Failure{"the nonce seed is 8 random bytes, new for each call (crypto.getRandomValues)"};
  Impl& d = *impl_;
  if (!d.personal) d.personal = make_personal_keys();
  d.personal->set(subject, key.data(), nonce_seed.data());
  if (d.personal_subject.empty()) d.personal_subject = subject;
  return {};
}

bool Doc::forget_personal_key(const std::string& subject) { return impl_->personal && impl_->personal->forget(subject); }

Status Doc::set_personal_subject(const std::string& subject) {
  if (Status st = check_subject(subject); !st.ok) return st;
  impl_->personal_subject = subject;
  return {};
}

std::string Doc::personal_subject() const { return impl_->personal_subject; }

// ----- bounds that merges can cross

namespace {
// Appends to `out` each counter bound and max_length that object `o` (at
// `where`: "gene.field[2].field") and the objects under it break. Remote
// operations are never refused for a bound (they merge, crdt.md), so a
// merged result past one is reported here, for nested objects too. Map keys
// show as their canonical bytes between quotes (string keys read as
// themselves). Written for size (measured): it is in every module with a bound.
void collect_broken_bounds(Object& o, std::string& where, std::vector<std::string>* out) {
  for (uint32_t i = 0; i < o.gene->field_count; ++i) {
    const FieldInfo& info = o.gene->fields[i];
    Field& f = o.fields[i];
    size_t at = where.size();
    where += ".";
    where += info.name;
    // Each bound: its sign and value (none: null), then each child to walk.
    const char* sign[3] = {nullptr, nullptr, nullptr};
    int64_t bound[3] = {0, 0, 0};
    if (info.hidden) {
    } else if (info.strategy == Strategy::PnCounter) {
      int64_t v = f.counter.value();
      if (info.has_min && v < info.min) sign[0] = " >= ", bound[0] = info.min;
      if (info.has_max && v > info.max) sign[1] = " <= ", bound[1] = info.max;
    } else if (f.text) {
      if (info.max_length > 0 && f.text->size() > static_cast<uint64_t>(info.max_length))
        sign[2] = " length <= ", bound[2] = info.max_length;
    } else if (f.nested) {
      collect_broken_bounds(*f.nested, where, out);
    } else if (f.list) {
      for (size_t k = 0; k < f.list->items.size() && !f.list->children.empty(); ++k) {
        OpId el = f.list->items.id_at(k);
        if (!f.list->children.count(el)) continue;  // (count and [], which modules already have, not find)
        size_t len = where.size();
        where += "[";
        where += decimal(uint64_t{k});
        where += "]";
        collect_broken_bounds(*f.list->children[el], where, out);
        where.erase(len);
      }
    } else {
      for (auto& [key, entry] : f.map.entries) {
        if (!visible(entry) || !entry.child) continue;
        size_t len = where.size();
        where += "[\"";
        where.append(reinterpret_cast<const char*>(key.data()), key.size());
        where += "\"]";
        collect_broken_bounds(*entry.child, where, out);
        where.erase(len);
      }
    }
    for (int k = 0; k < 3; ++k)
      if (sign[k]) {
        out->push_back(where);
        out->back() += sign[k];
        out->back() += decimal(bound[k]);
      }
    where.erase(at);
  }
}
}  // namespace

Status counter_amount_refused() {
  return fail("amount out of range (int64)");
}

void Doc::broken_bounds(std::vector<std::string>* out) const {
  impl_->thaw();
  std::string where = impl_->gene->name;
  collect_broken_bounds(*impl_->root, where, out);
}

}  // namespace dolc_gen
