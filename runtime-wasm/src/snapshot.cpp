// runtime-wasm/src/snapshot.cpp: writes and reads the snapshot section of
// saved documents (FORMAT.md, "Snapshot"; the design is in snapshot.hpp).
//
// The writer reads the document through the same Doc functions the
// generated API calls, so a value answered from a snapshot is, byte for
// byte, what the live document would answer. The reader trusts nothing:
// counts are bounded by the bytes left, keys must name root fields of the
// reader's gene with the kind they were written as, texts must be UTF-8,
// set elements and map keys must ascend (no duplicates, and the order the
// API returns them in).
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
    // Collections of plain values; of genes (`nested`), read after a replay.
    case Strategy::OrSet: return f.nested ? std::nullopt : std::optional<SnapKind>(SnapKind::Set);
    case Strategy::OrMap: return f.nested ? std::nullopt : std::optional<SnapKind>(SnapKind::Map);
    case Strategy::Rga: return f.nested ? std::nullopt : std::optional<SnapKind>(SnapKind::List);
    default: return std::nullopt;  // nested objects: read after a replay
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
  const Bytes here;  // the root object's path
  auto kind_of = [&](uint32_t i) {
    bool held = !like || (i < like->fields.size() && like->fields[i]);
    return held ? snapshot_kind(root->fields[i]) : std::nullopt;
  };
  uint64_t held = 0;
  for (uint32_t i = 0; i < root->field_count; ++i) held += kind_of(i).has_value();
  w.varint(held);
  for (uint32_t i = 0; i < root->field_count; ++i) {
    const FieldInfo& f = root->fields[i];
    std::optional<SnapKind> kind = kind_of(i);
    if (!kind) continue;
    w.str(f.key ? f.key : f.name);
    w.u8(static_cast<uint8_t>(*kind));
    switch (*kind) {
      case SnapKind::Register: write_optional(w, doc.reg_get(here, root, i)); break;
      case SnapKind::Counter: w.svarint(doc.counter_value(here, root, i)); break;
      case SnapKind::Text: {
        bool elsewhere = i < text_elsewhere.size() && text_elsewhere[i];
        w.u8(elsewhere ? 1 : 0);
        if (!elsewhere) w.str(doc.text_string(here, root, i));
        break;
      }
      case SnapKind::Mv: write_items(w, doc.mv_values(here, root, i)); break;
      case SnapKind::Set: write_items(w, doc.set_values(here, root, i)); break;
      case SnapKind::List: {
        uint32_t n = doc.list_length(here, root, i);
        w.varint(n);
        for (uint32_t k = 0; k < n; ++k) {
          std::optional<Bytes> v = doc.list_get(here, root, i, k);
          w.bytes(v->data(), v->size());  // (an index below the length always reads)
        }
        break;
      }
      case SnapKind::Map: {
        std::vector<Bytes> keys = doc.map_keys(here, root, i);
        w.varint(keys.size());
        for (const Bytes& k : keys) {
          w.bytes(k.data(), k.size());
          write_optional(w, doc.map_get(here, root, i, k));
        }
        break;
      }
    }
  }
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
  out->fields.assign(root->field_count, std::nullopt);
  uint64_t n = r.count(2);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    std::string_view key = r.bytes_view();
    uint8_t tag = r.u8();
    uint32_t index = root->field_count;
    for (uint32_t k = 0; k < root->field_count; ++k) {
      const FieldInfo& f = root->fields[k];
      if (key == std::string_view(f.key ? f.key : f.name)) index = k;
    }
    if (!r.ok() || index == root->field_count || out->fields[index]) return false;
    std::optional<SnapKind> kind = snapshot_kind(root->fields[index]);
    // A kind this reader does not hold (written by a runtime that keeps more
    // in snapshots, say): the snapshot is not for it, and it replays.
    if (tag < static_cast<uint8_t>(SnapKind::Register) || tag > static_cast<uint8_t>(SnapKind::Text)) {
      *unusable = true;
      return false;
    }
    if (!kind || static_cast<uint8_t>(*kind) != tag) return false;
    FrozenField f;
    f.kind = *kind;
    switch (*kind) {
      case SnapKind::Register:
      case SnapKind::Mv:
      case SnapKind::Set:
      case SnapKind::Map:
      case SnapKind::List:
        if (!read_items(r, f)) return false;
        break;
      case SnapKind::Counter: f.counter = r.svarint(); break;
      case SnapKind::Text: {
        uint8_t where = r.u8();  // 0: here; 1: in the text section
        if (where > 1) return false;
        f.text_pending = where == 1;
        if (!f.text_pending && !set_text(f, r.bytes_view())) return false;
        break;
      }
    }
    if (!r.ok()) return false;
    out->fields[index] = std::move(f);
  }
  return r.ok() && r.at_end();
}

bool FrozenView::fill_text(const GeneInfo* root, std::string_view key, std::string_view text) {
  for (uint32_t k = 0; k < root->field_count && k < fields.size(); ++k) {
    const FieldInfo& f = root->fields[k];
    if (key == std::string_view(f.key ? f.key : f.name))
      return fields[k] && fields[k]->text_pending && set_text(*fields[k], text);
  }
  return false;
}

const FrozenField* FrozenView::field(const GeneInfo* root, const Bytes& path, const GeneInfo* gene, uint32_t field,
                                     SnapKind kind) const {
  if (!path.empty() || gene != root || field >= fields.size() || !fields[field] || fields[field]->kind != kind)
    return nullptr;
  return &*fields[field];
}

}  // namespace dolc_gen::internal
