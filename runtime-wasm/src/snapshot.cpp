// runtime-wasm/src/snapshot.cpp: writes and reads the snapshot section of
// saved documents (FORMAT.md, "Snapshot"; the design is in snapshot.hpp).
//
// The writer reads the document through the same Doc functions the
// generated API calls, so a value answered from a snapshot is, byte for
// byte, what the live document would answer. Objects hold their fields by
// key (the root, a nested gene field's object), or, in a map or list of
// genes, by position after a shape that names them once for all of its
// objects (a thousand notes do not repeat their field names). The reader
// trusts nothing:
// counts are bounded by the bytes left, keys must name fields of the gene
// of their object with the kind they were written as, objects nest at most
// kMaxPathDepth steps deep (a path reaches no deeper), texts must be UTF-8,
// set elements and map keys must ascend and list elements' ids differ (no
// duplicates, and the order the API returns them in).
#include "snapshot.hpp"

#include <algorithm>

#include "dolc/rt/encoding.hpp"
#include "dolc/rt/seq/utf8.hpp"

namespace dolc_gen::internal {

using dolc::rt::Reader;
using dolc::rt::Writer;

std::optional<SnapKind> snapshot_kind(const FieldInfo& f) {
  if (f.hidden || f.personal) return std::nullopt;  // hidden: not read by the API; personal: opened with keys
  switch (f.strategy) {
    case Strategy::Immutable:
    case Strategy::Lww: return SnapKind::Register;
    case Strategy::PnCounter: return SnapKind::Counter;
    case Strategy::Peritext: return SnapKind::Text;
    case Strategy::MvRegister: return SnapKind::Mv;
    case Strategy::OrSet: return f.nested ? std::nullopt : std::optional<SnapKind>(SnapKind::Set);
    case Strategy::OrMap: return f.nested ? SnapKind::MapOfGenes : SnapKind::Map;
    case Strategy::Rga: return f.nested ? SnapKind::ListOfGenes : SnapKind::List;
    case Strategy::Nested: return f.nested ? std::optional<SnapKind>(SnapKind::Nested) : std::nullopt;
  }
  return std::nullopt;
}

namespace {
bool set_text(FrozenField& f, std::string_view t) {
  if (!dolc::rt::seq::valid_utf8(t)) return false;
  f.text.assign(t.begin(), t.end());
  f.text_length = 0;
  for (unsigned char c : f.text) f.text_length += (c & 0xc0) != 0x80;
  f.text_pending = false;
  return true;
}
void write_items(Writer& w, const std::vector<Bytes>& items) {
  w.varint(items.size());
  for (const Bytes& v : items) w.bytes(v.data(), v.size());
}
// A register's value, a map entry's: `u8 has` (0, 1), then if 1 `bytes
// value` (the bytes of a list of at most one item, as write_items writes).
void write_optional(Writer& w, const std::optional<Bytes>& v) {
  w.u8(v ? 1 : 0);
  if (v) w.bytes(v->data(), v->size());
}
// The value of a register, mv_register, set, map or list (the layouts in
// FORMAT.md, "Snapshot"): `varint n`, then n x `bytes item`, each followed
// for a map by `u8 has` and, if 1, `bytes value`. A register holds at most
// one item; set elements and map keys ascend (no duplicates).
bool read_items(Reader& r, FrozenField& f) {
  bool reg = f.kind == SnapKind::Register, ascending = f.kind == SnapKind::Set || f.kind == SnapKind::Map;
  uint64_t n = reg ? r.u8() : r.count(1);
  if (reg && n > 1) return false;
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    std::string_view v = r.bytes_view();
    f.items.emplace_back(v.begin(), v.end());
    if (ascending && i && !(f.items.end()[-2] < f.items.back())) return false;
    if (f.kind != SnapKind::Map) continue;
    uint8_t has = r.u8();
    if (has > 1) return false;
    f.held.push_back(has);
    std::string_view value = has ? r.bytes_view() : std::string_view();
    f.values.emplace_back(value.begin(), value.end());
  }
  return r.ok();
}

// The fields of gene `g` a snapshot holds for an object `depth` steps below
// the root, with their kinds, in field order. At the root, only those the
// loaded snapshot `like` holds (see write_snapshot). A field whose objects
// would lie deeper than a path reaches is left out (no read can name them;
// every writer leaves out the same ones).
using Shape = std::vector<std::pair<uint32_t, SnapKind>>;
Shape shape_of(const GeneInfo* g, size_t depth, const FrozenView* like) {
  Shape out;
  for (uint32_t i = 0; i < g->field_count; ++i) {
    std::optional<SnapKind> k = snapshot_kind(g->fields[i]);
    if (!k || (like && !like->root.at(i)) || (*k >= SnapKind::Nested && depth + 1 > kMaxPathDepth)) continue;
    out.emplace_back(i, *k);
  }
  return out;
}

void write_value(Writer& w, const Doc& doc, const Bytes& path, const GeneInfo* g, uint32_t i, SnapKind kind,
                 size_t depth, const std::vector<uint8_t>* text_elsewhere);

// `object`: `varint m`, m x (`bytes key`, `u8 kind`, value) (the root, a
// nested gene field).
void write_object(Writer& w, const Doc& doc, const Bytes& path, const GeneInfo* g, size_t depth,
                  const std::vector<uint8_t>* text_elsewhere, const FrozenView* like) {
  Shape shape = shape_of(g, depth, like);
  w.varint(shape.size());
  for (const auto& [i, kind] : shape) {
    w.str(g->fields[i].key ? g->fields[i].key : g->fields[i].name);
    w.u8(static_cast<uint8_t>(kind));
    write_value(w, doc, path, g, i, kind, depth, text_elsewhere);
  }
}

// The objects of a map or list of genes share their gene and depth, so
// their fields are named once: `shape` (`varint m`, m x (`bytes key`, `u8
// kind`)), then each object's values in that order.
Shape write_shape(Writer& w, const GeneInfo* g, size_t depth) {
  Shape shape = shape_of(g, depth, nullptr);
  w.varint(shape.size());
  for (const auto& [i, kind] : shape) {
    w.str(g->fields[i].key ? g->fields[i].key : g->fields[i].name);
    w.u8(static_cast<uint8_t>(kind));
  }
  return shape;
}
void write_values(Writer& w, const Doc& doc, const Bytes& path, const GeneInfo* g, size_t depth, const Shape& shape) {
  for (const auto& [i, kind] : shape) write_value(w, doc, path, g, i, kind, depth, nullptr);
}

// The value of field `i` of the object at `path` (gene `g`, `depth` steps
// below the root), as its kind lays it out (FORMAT.md, "Snapshot").
void write_value(Writer& w, const Doc& doc, const Bytes& path, const GeneInfo* g, uint32_t i, SnapKind kind,
                 size_t depth, const std::vector<uint8_t>* text_elsewhere) {
  const FieldInfo& f = g->fields[i];
  switch (kind) {
    case SnapKind::Register: write_optional(w, doc.reg_get(path, g, i)); break;
    case SnapKind::Counter: w.svarint(doc.counter_value(path, g, i)); break;
    case SnapKind::Text: {
      // (only root texts are kept once, in the text section)
      bool elsewhere = text_elsewhere && i < text_elsewhere->size() && (*text_elsewhere)[i];
      w.u8(elsewhere ? 1 : 0);
      if (!elsewhere) w.str(doc.text_string(path, g, i));
      break;
    }
    case SnapKind::Mv: write_items(w, doc.mv_values(path, g, i)); break;
    case SnapKind::Set: write_items(w, doc.set_values(path, g, i)); break;
    case SnapKind::List: {
      uint32_t n = doc.list_length(path, g, i);
      w.varint(n);
      for (uint32_t k = 0; k < n; ++k) {
        std::optional<Bytes> v = doc.list_get(path, g, i, k);
        w.bytes(v->data(), v->size());  // (an index below the length always reads)
      }
      break;
    }
    case SnapKind::Map: {
      std::vector<Bytes> keys = doc.map_keys(path, g, i);
      w.varint(keys.size());
      for (const Bytes& k : keys) {
        w.bytes(k.data(), k.size());
        write_optional(w, doc.map_get(path, g, i, k));
      }
      break;
    }
    case SnapKind::Nested: write_object(w, doc, doc.nested_child(path, g, i), f.nested, depth + 1, nullptr, nullptr); break;
    case SnapKind::MapOfGenes: {
      // `shape`, `varint n`, n x (`bytes key`, values): keys ascending, as map_keys gives them.
      Shape shape = write_shape(w, f.nested, depth + 1);
      std::vector<Bytes> keys = doc.map_keys(path, g, i);
      w.varint(keys.size());
      for (const Bytes& k : keys) {
        w.bytes(k.data(), k.size());
        // (a visible entry always has its object: MapSetNew makes it)
        write_values(w, doc, doc.map_child(path, g, i, k).value, f.nested, depth + 1, shape);
      }
      break;
    }
    case SnapKind::ListOfGenes: {
      // `shape`, `varint n`, n x (`id` element, `bytes value`, values), in
      // list order. The id is the last step of the element's path. (Every
      // element of a list of genes has its object: list_insert and a
      // ListInsert op make one per element.)
      Shape shape = write_shape(w, f.nested, depth + 1);
      uint32_t n = doc.list_length(path, g, i);
      w.varint(n);
      for (uint32_t k = 0; k < n; ++k) {
        Bytes child = doc.list_child(path, g, i, k).value;
        Reader step(child.data(), child.size());
        step.skip(path.size());
        step.varint();
        write_id(w, read_id(step));
        std::optional<Bytes> v = doc.list_get(path, g, i, k);
        w.bytes(v->data(), v->size());
        write_values(w, doc, child, f.nested, depth + 1, shape);
      }
      break;
    }
  }
}

// Sorts (id, index) pairs by id, in place: a heapsort, O(n log n) whatever
// the input (std::sort would cost every wasm module about 1.7 KB of code).
void sort_by_id(std::vector<std::pair<OpId, uint32_t>>& v) {
  auto sift = [&](size_t i, size_t n) {
    for (size_t c = 2 * i + 1; c < n; i = c, c = 2 * i + 1) {
      if (c + 1 < n && v[c].first < v[c + 1].first) ++c;
      if (!(v[i].first < v[c].first)) return;
      std::swap(v[i], v[c]);
    }
  };
  for (size_t i = v.size() / 2; i-- > 0;) sift(i, v.size());
  for (size_t end = v.size(); end > 1; --end) {
    std::swap(v[0], v[end - 1]);
    sift(0, end - 1);
  }
}

// What read_object checks against: the summary's clock bounds element ids.
struct ReadContext {
  uint64_t clock = 0;
  bool* unusable = nullptr;
};

bool read_object(Reader& r, const GeneInfo* g, size_t depth, FrozenObject* out, const ReadContext& cx);
bool read_shape(Reader& r, const GeneInfo* g, size_t depth, Shape* out, const ReadContext& cx);
bool read_values(Reader& r, const GeneInfo* g, size_t depth, const Shape& shape, FrozenObject* out,
                 const ReadContext& cx);

// One field's value, of kind `kind` (already checked against the field).
bool read_field(Reader& r, const FieldInfo& info, SnapKind kind, size_t depth, FrozenField& f, const ReadContext& cx) {
  f.kind = kind;
  switch (kind) {
    case SnapKind::Register:
    case SnapKind::Mv:
    case SnapKind::Set:
    case SnapKind::Map:
    case SnapKind::List: return read_items(r, f);
    case SnapKind::Counter: f.counter = r.svarint(); return r.ok();
    case SnapKind::Text: {
      uint8_t where = r.u8();  // 0: here; 1: in the text section (root texts only)
      if (where > 1 || (where == 1 && depth > 0)) return false;
      f.text_pending = where == 1;
      return f.text_pending ? r.ok() : set_text(f, r.bytes_view()) && r.ok();
    }
    case SnapKind::Nested:
      f.objects.emplace_back();
      return read_object(r, info.nested, depth + 1, &f.objects.back(), cx);
    case SnapKind::MapOfGenes: {
      Shape shape;
      if (!read_shape(r, info.nested, depth + 1, &shape, cx)) return false;
      uint64_t n = r.count(1);  // a key (at least its length), then the values (maybe none)
      for (uint64_t i = 0; i < n && r.ok(); ++i) {
        std::string_view k = r.bytes_view();
        f.items.emplace_back(k.begin(), k.end());
        if (i && !(f.items.end()[-2] < f.items.back())) return false;
        f.held.push_back(0);  // a map of genes holds objects, not values: map_get reads none
        f.values.emplace_back();
        f.objects.emplace_back();
        if (!read_values(r, info.nested, depth + 1, shape, &f.objects.back(), cx)) return false;
      }
      return r.ok();
    }
    case SnapKind::ListOfGenes: {
      Shape shape;
      if (!read_shape(r, info.nested, depth + 1, &shape, cx)) return false;
      uint64_t n = r.count(3);  // id (2), value (1), then the values (maybe none)
      for (uint64_t i = 0; i < n && r.ok(); ++i) {
        OpId id = read_id(r);
        if (!r.ok() || !id.lamport || !id.actor || id.lamport > cx.clock) return false;
        std::string_view v = r.bytes_view();
        f.items.emplace_back(v.begin(), v.end());
        f.ids.push_back(id);
        f.by_id.emplace_back(id, static_cast<uint32_t>(i));
        f.objects.emplace_back();
        if (!read_values(r, info.nested, depth + 1, shape, &f.objects.back(), cx)) return false;
      }
      sort_by_id(f.by_id);
      for (size_t i = 1; i < f.by_id.size(); ++i)
        if (f.by_id[i - 1].first == f.by_id[i].first) return false;  // one element, one id
      return r.ok();
    }
  }
  return false;
}

// A field named by `key` with kind `tag`, of an object of gene `g` `depth`
// steps below the root: its index, or false (malformed; `*cx.unusable`: a
// kind this reader does not know). Each field once (`seen`).
bool read_key(Reader& r, const GeneInfo* g, size_t depth, const Shape& seen, std::pair<uint32_t, SnapKind>* out,
              const ReadContext& cx) {
  std::string_view key = r.bytes_view();
  uint8_t tag = r.u8();
  uint32_t index = g->field_count;
  for (uint32_t k = 0; k < g->field_count; ++k) {
    const FieldInfo& f = g->fields[k];
    if (key == std::string_view(f.key ? f.key : f.name)) index = k;
  }
  if (!r.ok() || index == g->field_count) return false;
  for (const auto& [i, kind] : seen)
    if (i == index) return false;
  std::optional<SnapKind> kind = snapshot_kind(g->fields[index]);
  // A kind this reader does not hold (written by a runtime that keeps more
  // in snapshots, say): the snapshot is not for it, and it replays.
  if (tag < static_cast<uint8_t>(SnapKind::Register) || tag > kLastSnapKind) {
    *cx.unusable = true;
    return false;
  }
  // Objects deeper than a path reaches: none is written.
  if (!kind || static_cast<uint8_t>(*kind) != tag || (*kind >= SnapKind::Nested && depth + 1 > kMaxPathDepth))
    return false;
  *out = {index, *kind};
  return true;
}

// `object`: the fields of an object of gene `g`, `depth` steps below the
// root, each once, named by key.
bool read_object(Reader& r, const GeneInfo* g, size_t depth, FrozenObject* out, const ReadContext& cx) {
  if (!g || depth > kMaxPathDepth) return false;
  out->gene = g;
  Shape seen;
  uint64_t n = r.count(2);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    std::pair<uint32_t, SnapKind> field;
    if (!read_key(r, g, depth, seen, &field, cx)) return false;
    seen.push_back(field);
    out->fields.emplace_back(field.first, FrozenField());
    if (!read_field(r, g->fields[field.first], field.second, depth, out->fields.back().second, cx)) return false;
  }
  return r.ok();
}

// `shape`: the fields the objects of a map or list of genes hold.
bool read_shape(Reader& r, const GeneInfo* g, size_t depth, Shape* out, const ReadContext& cx) {
  if (!g || depth > kMaxPathDepth) return false;
  uint64_t n = r.count(2);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    std::pair<uint32_t, SnapKind> field;
    if (!read_key(r, g, depth, *out, &field, cx)) return false;
    out->push_back(field);
  }
  return r.ok();
}
// One object's values, in the order of its collection's shape.
bool read_values(Reader& r, const GeneInfo* g, size_t depth, const Shape& shape, FrozenObject* out,
                 const ReadContext& cx) {
  out->gene = g;
  for (const auto& [i, kind] : shape) {
    out->fields.emplace_back(i, FrozenField());
    if (!read_field(r, g->fields[i], kind, depth, out->fields.back().second, cx)) return false;
  }
  return r.ok();
}
}  // namespace

Bytes write_snapshot(const Doc& doc, const GeneInfo* root, const SnapshotSummary& s,
                     const std::vector<uint8_t>& text_elsewhere, const FrozenView* like) {
  Writer w;
  w.varint(s.clock);
  w.varint(s.actors.size());
  for (const SnapshotActor& a : s.actors) {
    w.varint(a.actor);
    w.varint(a.seq);
    w.varint(a.last_lamport);
    w.raw(a.chain.data(), a.chain.size());
  }
  write_object(w, doc, kRoot, root, 0, &text_elsewhere, like);
  return w.take();
}

bool read_snapshot(std::string_view body, const GeneInfo* root, FrozenView* out, bool* unusable) {
  Reader r(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  out->summary.clock = r.varint();
  uint64_t actors = r.count(11);
  for (uint64_t i = 0; i < actors && r.ok(); ++i) {
    SnapshotActor a;
    a.actor = r.varint();
    a.seq = r.varint();
    a.last_lamport = r.varint();
    for (uint8_t& b : a.chain) b = r.u8();
    // Actors ascend (the version map's order), each has changes, and no op
    // id passes the clock.
    bool ascending = out->summary.actors.empty() || out->summary.actors.back().actor < a.actor;
    if (!a.actor || !a.seq || dolc::rt::is_zero(a.chain) || a.last_lamport > out->summary.clock || !ascending) return false;
    out->summary.actors.push_back(a);
  }
  ReadContext cx;
  cx.clock = out->summary.clock;
  cx.unusable = unusable;
  return r.ok() && read_object(r, root, 0, &out->root, cx) && r.at_end();
}

bool FrozenView::fill_text(const GeneInfo* g, std::string_view key, std::string_view text) {
  for (uint32_t k = 0; k < g->field_count; ++k) {
    const FieldInfo& f = g->fields[k];
    if (key == std::string_view(f.key ? f.key : f.name)) {
      FrozenField* z = root.at(k);
      return z && z->text_pending && set_text(*z, text);
    }
  }
  return false;
}

const FrozenField* FrozenView::field(const Bytes& path, const GeneInfo* gene, uint32_t field, SnapKind kind,
                                     FieldOfKey field_of, const void* keys) const {
  // Follows the path's steps through the objects the snapshot holds (its
  // syntax as resolve() in doc_merge.cpp reads it); any step to something the
  // snapshot does not hold answers none: the live document answers.
  Reader r(path);
  const FrozenObject* obj = &root;
  size_t depth = 0;
  while (!r.at_end()) {
    uint64_t v = r.varint();
    if (!r.ok() || ++depth > kMaxPathDepth) return nullptr;
    int fi = field_of(keys, obj->gene, v >> 2);
    const FrozenField* f = fi < 0 ? nullptr : obj->at(static_cast<uint32_t>(fi));
    if (!f) return nullptr;
    uint64_t tag = v & 3;
    if (tag == kStepNested && f->kind == SnapKind::Nested) {
      obj = &f->objects[0];
    } else if (tag == kStepElement && f->kind == SnapKind::ListOfGenes) {
      OpId id = read_id(r);
      auto it = std::lower_bound(f->by_id.begin(), f->by_id.end(), id,
                                 [](const std::pair<OpId, uint32_t>& a, OpId b) { return a.first < b; });
      if (!r.ok() || it == f->by_id.end() || it->first != id) return nullptr;
      obj = &f->objects[it->second];
    } else if (tag == kStepEntry && f->kind == SnapKind::MapOfGenes) {
      std::string_view k = r.bytes_view();
      Bytes key(k.begin(), k.end());
      auto it = std::lower_bound(f->items.begin(), f->items.end(), key);
      if (!r.ok() || it == f->items.end() || *it != key) return nullptr;
      obj = &f->objects[static_cast<size_t>(it - f->items.begin())];
    } else {
      return nullptr;
    }
  }
  if (obj->gene != gene) return nullptr;
  const FrozenField* z = obj->at(field);
  if (!z) return nullptr;
  bool fits = z->kind == kind || (kind == SnapKind::Map && z->kind == SnapKind::MapOfGenes) ||
              (kind == SnapKind::List && z->kind == SnapKind::ListOfGenes);
  return fits ? z : nullptr;
}

}  // namespace dolc_gen::internal
