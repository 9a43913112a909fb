// runtime-wasm/src/doc_merge.cpp: the field states' merge rules. apply_op
// applies one operation, local or remote, to the state: it resolves the op's
// path, then the field kind's apply_* decides (immutable, lww, mv_register,
// or_set on a set or a map, pn_counter; rga and peritext are
// doc_sequences.cpp), and writes to hidden fields of older versions are
// converted (migrations). Each kind is reached through its StrategySupport, so
// a module links the rules of its own kinds only. Also the amplification cap
// and deep copies of objects (the log's baselines).
#include "doc_impl.hpp"

namespace dolc_gen {

namespace internal {

// Inserts (id, value) keeping `values` sorted by id (a sorted insert: a sort
// would cost the wasm module ~2 KB of code for a list of a few values).
void mv_insert(MvRegister& mv, OpId id, Bytes value) {
  auto& vals = mv.values;
  auto at = std::find_if(vals.begin(), vals.end(), [&](auto& p) { return !(p.first < id); });
  if (at == vals.end() || at->first != id) vals.emplace(at, id, std::move(value));
}
void mv_erase(MvRegister& mv, OpId id) {
  auto& vals = mv.values;
  vals.erase(std::remove_if(vals.begin(), vals.end(), [&](auto& p) { return p.first == id; }), vals.end());
}

Object::Object(const GeneInfo* g) : gene(g), fields(g->field_count) {
  for (uint32_t i = 0; i < g->field_count; ++i) {
    const FieldInfo& f = g->fields[i];
    if (f.strategy == Strategy::Rga) fields[i].list = std::make_unique<List>();
    if (f.strategy == Strategy::Peritext) fields[i].text = std::make_unique<seq::Text>();
    if (f.strategy == Strategy::Nested && f.nested) fields[i].nested = std::make_unique<Object>(f.nested);
  }
}

// ----- amplification cap (doc_impl.hpp)

constexpr uint64_t kCreatedBytesPerByte = 64;
#if defined(__wasm__)
bool over_cap = false;  // a module is single-threaded (and wasm32 has no thread_local here)
#else
thread_local bool over_cap = false;  // native documents may live on several threads
#endif

// Estimated bytes of a new object of gene `g`: a field's state with its
// containers (an upper estimate for every kind; nested genes count as their
// own objects when they are created). Coarse on purpose: the cap is about
// orders of magnitude, and this is in every module with a list of genes.
uint64_t object_bytes(const GeneInfo* g) { return (uint64_t{g->field_count} + 1) * (sizeof(Field) + 64); }

// Whether one op of `payload` bytes may create `count` objects of gene `g`.
bool within_create_cap(const GeneInfo* g, uint64_t count, size_t payload) {
  if (count <= 1) return true;
  if (count - 1 <= kCreatedBytesPerByte * uint64_t{payload} / object_bytes(g)) return true;
  over_cap = true;
  return false;
}

// Conflicts stay sorted by (key id, write): the same list on every replica,
// whatever the order of arrival (hidden fields' keys are known keys, whose
// ids are the same in every document of a module).
void add_conflict(std::vector<Conflict>& list, Conflict c) {
  list.push_back(c);
  for (size_t i = list.size() - 1; i > 0; --i) {
    const Conflict& a = list[i - 1];
    if (a.key < c.key || (a.key == c.key && a.id < c.id)) break;
    std::swap(list[i], list[i - 1]);
  }
}

StepTag tag_of(Strategy s) {
  return s == Strategy::Rga ? kStepElement : s == Strategy::OrMap ? kStepEntry : kStepNested;
}

bool visible(const MapEntry& e) { return !e.dots.empty() && e.tombs.empty(); }

// A deep copy of `from` (Doc::Impl's baseline), field by field through the
// strategies' and sequences' copy functions.
std::unique_ptr<Object> clone_object(const Object& from, const ApplyContext& cx) {
  auto to = std::make_unique<Object>(from.gene);
  for (uint32_t i = 0; i < from.gene->field_count; ++i) {
    const Field& a = from.fields[i];
    Field& b = to->fields[i];
    Strategy st = from.gene->fields[i].strategy;
    if (st == Strategy::Rga || st == Strategy::Peritext) {
      if (cx.seqs) cx.seqs->copy(a, b, cx);
    } else if (st == Strategy::Nested) {
      if (a.nested) b.nested = clone_object(*a.nested, cx);
    } else if (const StrategySupport* s = cx.strategies ? cx.strategies[static_cast<size_t>(st)] : nullptr) {
      s->copy(a, b, cx);
    }
  }
  return to;
}

}  // namespace internal

namespace {

// Where an op's path leads: to an object of this document, into fields of
// another schema version (kept, not applied), or nowhere (malformed).
enum class Where { Found, Foreign, Bad };

Where resolve(Object* root, const Keys& keys, const Bytes& path, Object** out) {
  Reader r(path);
  Object* obj = root;
  size_t depth = 0;
  bool foreign = false;
  while (!r.at_end()) {
    if (++depth > kMaxPathDepth) return Where::Bad;
    uint64_t v = r.varint();
    uint64_t tag = v & 3;
    if (!r.ok() || tag > kStepEntry) return Where::Bad;
    OpId id;
    std::string_view key;
    if (tag == kStepElement) id = read_id(r);
    if (tag == kStepEntry) key = r.bytes_view();
    if (!r.ok()) return Where::Bad;
    if (foreign) continue;  // only the syntax of the rest can be checked
    int fi = keys.field_of(obj->gene, v >> 2);
    if (fi < 0) {
      foreign = true;
      continue;
    }
    const FieldInfo& info = obj->gene->fields[fi];
    Field& f = obj->fields[static_cast<size_t>(fi)];
    if (info.hidden) {  // objects inside a field an evolution replaced: not converted, kept
      foreign = true;
      continue;
    }
    if (tag != tag_of(info.strategy) || (info.strategy != Strategy::Nested && info.strategy != Strategy::Rga &&
                                         info.strategy != Strategy::OrMap))
      return Where::Bad;
    if (tag == kStepNested) {
      obj = f.nested.get();
    } else if (tag == kStepElement) {
      obj = nullptr;
      if (f.list) {
        auto it = f.list->children.find(id);
        if (it != f.list->children.end()) obj = it->second.get();
      }
    } else {
      auto it = f.map.entries.find(Bytes(key.begin(), key.end()));
      obj = it == f.map.entries.end() ? nullptr : it->second.child.get();
    }
    if (!obj) return Where::Bad;
  }
  *out = obj;
  return foreign ? Where::Foreign : Where::Found;
}

Object* resolve(Object* root, const Keys& keys, const Bytes& path) {
  Object* obj = nullptr;
  return resolve(root, keys, path, &obj) == Where::Found ? obj : nullptr;
}

std::vector<OpId> read_ids(Reader& r) {
  std::vector<OpId> ids;
  uint64_t n = r.count(2);
  for (uint64_t i = 0; i < n && r.ok(); ++i) ids.push_back(read_id(r));
  return ids;
}

void copy_register(const Field& from, Field& to, const ApplyContext&) { to.reg = from.reg; }
void copy_mv(const Field& from, Field& to, const ApplyContext&) { to.mv = from.mv; }
void copy_set(const Field& from, Field& to, const ApplyContext&) { to.set = from.set; }
void copy_counter(const Field& from, Field& to, const ApplyContext&) { to.counter = from.counter; }
void copy_map(const Field& from, Field& to, const ApplyContext& cx) {
  for (const auto& [key, e] : from.map.entries) {
    MapEntry& c = to.map.entries.emplace_hint(to.map.entries.end(), key, MapEntry{})->second;
    c.dots = e.dots;
    c.tombs = e.tombs;
    c.value = e.value;
    if (e.child) c.child = clone_object(*e.child, cx);
  }
}

// Whether a register write stamped `id` wins over the register's value
// (immutable: first writer; lww: last writer, content_hash on equal lamports).
bool register_wins(const Register& reg, const FieldInfo& info, OpId id, const Bytes& value) {
  if (!reg.has) return true;
  if (info.strategy == Strategy::Immutable) return id < reg.stamp;  // the same on every replica
  if (info.content_hash && id.lamport == reg.stamp.lamport && id.actor != reg.stamp.actor) {
    uint32_t a = dolc::rt::checksum32(value.data(), value.size());
    uint32_t b = dolc::rt::checksum32(reg.value.data(), reg.value.size());
    return a != b ? a > b : id.actor > reg.stamp.actor;
  }
  return id > reg.stamp;
}

// A value of a hidden field converted for the field that replaced it: by
// the evolution's compiled `migrate` body, or unchanged when there is none.
bool convert_value(const FieldInfo& hidden, const Bytes& in, Bytes* out) {
  if (hidden.convert) return hidden.convert(in, out);
  *out = in;
  return true;
}

// A write to a hidden field of an older schema version, converted into the
// field that replaced it (FORMAT.md, "Migrations"). The converted write takes
// the original write's stamp, so every replica derives the same state from
// the same log, in any order, without new operations: migrations are
// deterministic and never duplicate a value.
void migrate_write(Object* obj, const FieldInfo& info, uint32_t key, const Op& op, const Register& before, bool won,
                   const ApplyContext& cx) {
  const GeneInfo* g = obj->gene;
  if (info.replaced_by < 0 || static_cast<uint32_t>(info.replaced_by) >= g->field_count) return;
  const FieldInfo& target = g->fields[info.replaced_by];
  Field& tf = obj->fields[static_cast<size_t>(info.replaced_by)];
  auto convert = [&](const Bytes& in, Bytes* out) { return convert_value(info, in, out); };
  Bytes value;
  bool converted = convert(op.payload, &value);
  if (converted && (target.strategy == Strategy::Immutable || target.strategy == Strategy::Lww)) {
    if (register_wins(tf.reg, target, op.id, value)) {
      tf.reg.has = true;
      tf.reg.stamp = op.id;
      tf.reg.value = std::move(value);
    }
    return;
  }
  if (converted && target.strategy == Strategy::MvRegister) {
    // lww -> mv_register: the older version's writes replace one another
    // (last writer wins, as they did there); the newest shows as one of the
    // values until a write of this version supersedes it (naming its id).
    MvRegister& mv = tf.mv;
    if (op.id < mv.converted) return;
    if (!mv.converted.is_null()) mv_erase(mv, mv.converted);
    mv.converted = op.id;
    mv_insert(mv, op.id, std::move(value));
    return;
  }
  if (target.strategy == Strategy::Peritext && cx.seqs && tf.text) {
    // The text shows the register's winning value: the new write's text is
    // added, and the loser's (the write itself, or the previous winner)
    // hidden; a winner that does not convert shows nothing.
    Bytes loser;
    bool hide = won ? before.has && convert(before.value, &loser) : converted;
    if (!won) loser = value;
    cx.seqs->migrate_text(tf, converted ? &value : nullptr, op.id, hide ? &loser : nullptr,
                          won ? before.stamp : op.id);
    if (converted) return;
  }
  add_conflict(*cx.conflicts, Conflict{key, op.id});
}

// or_set -> rga: an add of the older version's set becomes an insert of the
// element (converted) into the list, a remove deletes the elements of the
// adds it observed. The insert's id is derived from the add's dot and it
// has no origins, so it is the same op on every replica; the list's order of
// such elements is fixed by those ids (a set had no order to keep).
void migrate_set_op(Object* obj, const FieldInfo& info, uint32_t key, const Bytes* added, OpId id,
                    const std::vector<OpId>& removed, const ApplyContext& cx) {
  const GeneInfo* g = obj->gene;
  if (info.replaced_by < 0 || static_cast<uint32_t>(info.replaced_by) >= g->field_count) return;
  const FieldInfo& target = g->fields[info.replaced_by];
  Field& tf = obj->fields[static_cast<size_t>(info.replaced_by)];
  Bytes value;
  bool fits = target.strategy == Strategy::Rga && !target.nested && cx.seqs && tf.list;
  if (fits && added) fits = convert_value(info, *added, &value);
  if (!fits) {
    add_conflict(*cx.conflicts, Conflict{key, id});
    return;
  }
  cx.seqs->migrate_list(tf, added ? &value : nullptr, id, removed);
}

// The lamports an op of another schema version occupies (the clock must
// pass them, so that our later ids never collide with its ids): sequence
// inserts own one per element; the text's byte count bounds its code points.
bool foreign_span(const Op& op, uint64_t* span) {
  *span = 1;
  if (op.kind != OpKind::TextInsert && op.kind != OpKind::ListInsert) return true;
  Reader r(op.payload);
  for (int i = 0; i < 3; ++i) read_id(r);
  // A text insert owns one id per code point (UTF-8 lead bytes), not per byte.
  uint64_t n = 0;
  if (op.kind == OpKind::TextInsert)
    for (char c : r.bytes_view()) n += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  else
    n = r.varint();
  if (!r.ok() || n == 0 || n > kMaxLamport || op.id.lamport > kMaxLamport - n) return false;
  *span = n;
  return true;
}

// bias=remove: an add lifts the removes it saw (its payload names them).
void lift_tombs(std::map<Bytes, std::set<OpId>>& tombs, const Bytes& value, const std::vector<OpId>& seen) {
  auto it = tombs.find(value);
  if (it == tombs.end()) return;
  for (OpId t : seen) it->second.erase(t);
  if (it->second.empty()) tombs.erase(it);
}

bool apply_known(Object* obj, uint32_t field, const Op& op, uint64_t* span, const ApplyContext& cx);

}  // namespace

namespace internal {

// Applies one operation (local or remote) to the state. Bad: the operation
// does not fit the state (a path to nothing, the wrong op kind for the
// field, a malformed payload, references to things that do not exist).
// Foreign: it names a field of another schema version; it stays in the log
// (saved, passed on) without effect here.
Applied apply_op(Object* root, const Op& op, uint64_t* span, const ApplyContext& cx) {
  *span = 1;
  Object* obj = nullptr;
  Where where = resolve(root, *cx.keys, op.path, &obj);
  int fi = where == Where::Found ? cx.keys->field_of(obj->gene, op.field) : -1;
  if (where == Where::Bad) return Applied::Bad;
  if (fi < 0) return foreign_span(op, span) ? Applied::Foreign : Applied::Bad;
  const FieldInfo& info = obj->gene->fields[fi];
  if (info.hidden && info.strategy != Strategy::Immutable && info.strategy != Strategy::Lww &&
      info.strategy != Strategy::OrSet) {
    // Only register writes of an older version are converted (FORMAT.md);
    // the rest are kept in the log and reported.
    if (!foreign_span(op, span)) return Applied::Bad;
    add_conflict(*cx.conflicts, Conflict{op.field, op.id});
    return Applied::Foreign;
  }
  ApplyContext c = cx;
  if (c.ev && (info.hidden || !event_path(*c.ev, op.path, info))) c.ev = nullptr;
  return apply_known(obj, static_cast<uint32_t>(fi), op, span, c) ? Applied::Yes : Applied::Bad;
}

Bytes personal_aad(const GeneInfo* g, const FieldInfo& f) { return sealed_aad(g->name, f.key ? f.key : f.name); }

}  // namespace internal

namespace {

// A @personal register value in a change event: opened when this replica
// holds its subject's key, null when it does not.
std::string personal_event_value(const GeneInfo* g, const FieldInfo& info, const Bytes& sealed, const ApplyContext& cx) {
  std::optional<Bytes> plain = cx.personal ? cx.personal->open(personal_aad(g, info), sealed) : std::nullopt;
  return plain ? event_value(info, *plain) : "null";
}

// immutable and lww (kRegisterSupport).
bool apply_register(Object* obj, uint32_t field, const Op& op, const ApplyContext& cx) {
  const FieldInfo& info = obj->gene->fields[field];
  Field& f = obj->fields[field];
  Reader r(op.payload);
  switch (op.kind) {
    case OpKind::RegSet: {
      if (info.strategy != Strategy::Immutable && info.strategy != Strategy::Lww) return false;
      bool wins = register_wins(f.reg, info, op.id, op.payload);
      if (info.hidden && info.replaced_by >= 0) migrate_write(obj, info, op.field, op, f.reg, wins, cx);
      // A @personal value must have the shape of a sealed one (whether it
      // opens depends on the keys a replica holds, never on what it applied).
      SealedParts sealed;
      if (info.personal && !read_sealed(op.payload, &sealed)) return false;
      if (wins && cx.ev) {
        auto shown = [&](const Bytes& v) { return info.personal ? personal_event_value(obj->gene, info, v, cx) : event_value(info, v); };
        std::string from = f.reg.has ? shown(f.reg.value) : info.default_json ? info.default_json() : "null";
        std::string to = shown(op.payload);
        if (from != to) cx.ev->add(cat({",\"kind\":\"register\",\"from\":", from, ",\"value\":", to}));
      }
      if (wins) {
        f.reg.has = true;
        f.reg.stamp = op.id;
        f.reg.value = op.payload;
      }
      return true;
    }
    default: return false;
  }
}

// mv_register (kMvRegisterSupport).
bool apply_mv(Object* obj, uint32_t field, const Op& op, const ApplyContext& cx) {
  const FieldInfo& info = obj->gene->fields[field];
  Field& f = obj->fields[field];
  Reader r(op.payload);
  switch (op.kind) {
    case OpKind::MvSet: {
      if (info.strategy != Strategy::MvRegister) return false;
      std::string_view v = r.bytes_view();
      std::vector<OpId> seen = read_ids(r);
      if (!r.ok() || !r.at_end()) return false;
      std::string from = cx.ev ? mv_json(info, f.mv) : std::string();
      for (OpId s : seen) mv_erase(f.mv, s);
      mv_insert(f.mv, op.id, Bytes(v.begin(), v.end()));
      if (cx.ev) {
        std::string to = mv_json(info, f.mv);
        if (to != from) cx.ev->add(cat({",\"kind\":\"mv\",\"from\":", from, ",\"value\":", to}));
      }
      return true;
    }
    default: return false;
  }
}

// or_set on a Set (kOrSetSupport).
bool apply_set(Object* obj, uint32_t field, const Op& op, const ApplyContext& cx) {
  const FieldInfo& info = obj->gene->fields[field];
  Field& f = obj->fields[field];
  Reader r(op.payload);
  switch (op.kind) {
    case OpKind::SetAdd: {
      if (info.strategy != Strategy::OrSet) return false;
      if (info.remove_wins) {  // `bytes element`, the removes it saw (FORMAT.md)
        std::string_view v = r.bytes_view();
        std::vector<OpId> seen = read_ids(r);
        if (!r.ok() || !r.at_end()) return false;
        Bytes value(v.begin(), v.end());
        bool was = f.set.has(value);
        lift_tombs(f.set.tombs, value, seen);
        f.set.dots[value].insert(op.id);
        if (cx.ev && !was && f.set.has(value)) cx.ev->add(",\"kind\":\"set\",\"added\":" + event_value(info, value));
        return true;
      }
      if (cx.ev && !f.set.dots.count(op.payload))
        cx.ev->add(",\"kind\":\"set\",\"added\":" + event_value(info, op.payload));
      f.set.dots[op.payload].insert(op.id);
      if (info.hidden) migrate_set_op(obj, info, op.field, &op.payload, op.id, {}, cx);
      return true;
    }
    case OpKind::SetRemove: {
      if (info.strategy != Strategy::OrSet) return false;
      std::string_view v = r.bytes_view();
      std::vector<OpId> seen = read_ids(r);
      if (!r.ok() || !r.at_end()) return false;
      Bytes value(v.begin(), v.end());
      if (info.remove_wins) {  // the remove stays (a tomb) until an add sees it
        bool was = f.set.has(value);
        auto it = f.set.dots.find(value);
        if (it != f.set.dots.end()) {
          for (OpId d : seen) it->second.erase(d);
          if (it->second.empty()) f.set.dots.erase(it);
        }
        f.set.tombs[value].insert(op.id);
        if (cx.ev && was) cx.ev->add(",\"kind\":\"set\",\"removed\":" + event_value(info, value));
        return true;
      }
      auto it = f.set.dots.find(value);
      if (it != f.set.dots.end()) {
        for (OpId d : seen) it->second.erase(d);
        if (it->second.empty()) {
          if (cx.ev) cx.ev->add(",\"kind\":\"set\",\"removed\":" + event_value(info, it->first));
          f.set.dots.erase(it);
        }
      }
      if (info.hidden) migrate_set_op(obj, info, op.field, nullptr, op.id, seen, cx);
      return true;
    }
    default: return false;
  }
}

// or_set on a Map (kOrMapSupport).
bool apply_map(Object* obj, uint32_t field, const Op& op, const ApplyContext& cx) {
  const FieldInfo& info = obj->gene->fields[field];
  Field& f = obj->fields[field];
  Reader r(op.payload);
  switch (op.kind) {
    case OpKind::MapSet:
    case OpKind::MapSetNew: {
      if (info.strategy != Strategy::OrMap) return false;
      std::string_view k = r.bytes_view();
      std::string_view v = op.kind == OpKind::MapSet ? r.bytes_view() : std::string_view();
      std::vector<OpId> lifted;  // bias=remove: the deletes this set saw (FORMAT.md)
      if (info.remove_wins) lifted = read_ids(r);
      if (!r.ok() || !r.at_end()) return false;
      bool gene_values = info.nested != nullptr;
      if (gene_values != (op.kind == OpKind::MapSetNew)) return false;
      Bytes key(k.begin(), k.end());
      MapEntry& e = f.map.entries[key];
      const char* change = visible(e) ? nullptr : "add";
      for (OpId t : lifted) e.tombs.erase(t);
      e.dots.insert(op.id);
      if (!visible(e)) change = nullptr;  // a concurrent delete wins (bias=remove)
      if (gene_values) {
        if (!e.child) e.child = std::make_unique<Object>(info.nested);
      } else if (!e.value.has || op.id > e.value.stamp) {
        if (!change && e.value.value != Bytes(v.begin(), v.end())) change = "update";
        e.value.has = true;
        e.value.stamp = op.id;
        e.value.value.assign(v.begin(), v.end());
      }
      if (cx.ev && change) map_event(*cx.ev, info, key, change);
      return true;
    }
    case OpKind::MapDelete: {
      if (info.strategy != Strategy::OrMap) return false;
      std::string_view k = r.bytes_view();
      std::vector<OpId> seen = read_ids(r);
      if (!r.ok() || !r.at_end()) return false;
      auto it = f.map.entries.find(Bytes(k.begin(), k.end()));
      if (it != f.map.entries.end()) {
        bool was = visible(it->second);
        for (OpId d : seen) it->second.dots.erase(d);
        if (info.remove_wins) it->second.tombs.insert(op.id);
        if (cx.ev && was && !visible(it->second)) map_event(*cx.ev, info, it->first, "delete");
      } else if (info.remove_wins) {
        f.map.entries[Bytes(k.begin(), k.end())].tombs.insert(op.id);
      }
      return true;
    }
    default: return false;
  }
}

// pn_counter (kCounterSupport).
bool apply_counter(Object* obj, uint32_t field, const Op& op, const ApplyContext& cx) {
  const FieldInfo& info = obj->gene->fields[field];
  Field& f = obj->fields[field];
  Reader r(op.payload);
  switch (op.kind) {
    case OpKind::CounterAdd: {
      if (info.strategy != Strategy::PnCounter) return false;
      int64_t delta = r.svarint();
      if (!r.ok() || !r.at_end()) return false;
      if (info.escrow) {  // a decrement beyond its author's rights is malformed (Counter::rights)
        if (delta == 0 || delta == INT64_MIN) return false;
        uint64_t author = op.id.actor;
        if (!f.counter.move_rights(delta < 0 ? &author : nullptr, delta > 0 ? &author : nullptr,
                                   delta < 0 ? -delta : delta))
          return false;
      }
      int64_t from = f.counter.value();
      f.counter.add(op.id.actor, delta);
      if (cx.ev) counter_event(*cx.ev, from, f.counter.value());
      return true;
    }
    case OpKind::CounterTransfer: {  // escrow: `varint to`, `varint amount` (FORMAT.md)
      if (info.strategy != Strategy::PnCounter || !info.escrow) return false;
      uint64_t to = r.varint(), amount = r.varint();
      if (!r.ok() || !r.at_end() || to == 0 || to == op.id.actor || amount == 0 || amount > INT64_MAX) return false;
      uint64_t author = op.id.actor;
      return f.counter.move_rights(&author, &to, static_cast<int64_t>(amount));
    }
    default: return false;
  }
}

bool apply_known(Object* obj, uint32_t field, const Op& op, uint64_t* span, const ApplyContext& cx) {
  const FieldInfo& info = obj->gene->fields[field];
  if (info.strategy == Strategy::Rga || info.strategy == Strategy::Peritext) {
    Reader r(op.payload);
    return cx.seqs && cx.seqs->apply(obj->fields[field], info, op, r, span, cx.ev);
  }
  const StrategySupport* s = cx.strategies ? cx.strategies[static_cast<size_t>(info.strategy)] : nullptr;
  return s && s->apply(obj, field, op, cx);
}

}  // namespace

const StrategySupport kRegisterSupport = {apply_register, copy_register};
const StrategySupport kMvRegisterSupport = {apply_mv, copy_mv};
const StrategySupport kOrSetSupport = {apply_set, copy_set};
const StrategySupport kOrMapSupport = {apply_map, copy_map};
const StrategySupport kCounterSupport = {apply_counter, copy_counter};

namespace internal {

// The field `field` of `gene` at `path`, or null when there is no such object.
Field* field_at(Object* root, const Keys& keys, const Bytes& path, const GeneInfo* gene, uint32_t field) {
  Object* obj = resolve(root, keys, path);
  if (!obj || obj->gene != gene || field >= gene->field_count) return nullptr;
  return &obj->fields[field];
}
const Failure kNoObject{"the object does not exist (deleted, or a path from another document)"};

// The strategies a document's ops may use: its gene's table. A descriptor
// written by hand (native tests and tools) may leave it null: natively that
// means every strategy; a wasm module gets its table from dolc, and a null
// one there links nothing (every op but sequence ops is then refused).
#if defined(__wasm__)
const StrategySupport* const* strategies_of(const GeneInfo* g) { return g->strategies; }
#else
const StrategySupport* const kEveryStrategy[] = {&kRegisterSupport, &kRegisterSupport, &kMvRegisterSupport,
                                                 &kOrSetSupport,    &kOrMapSupport,    &kCounterSupport,
                                                 nullptr,           nullptr,           nullptr};
const StrategySupport* const* strategies_of(const GeneInfo* g) { return g->strategies ? g->strategies : kEveryStrategy; }
#endif

}  // namespace internal

}  // namespace dolc_gen
