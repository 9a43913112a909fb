// runtime-wasm/src/snapshot.cpp: writes and reads the snapshot section of
// saved documents (FORMAT.md, "Snapshot"; the design is in snapshot.hpp).
//
// The writer reads the document through the same Doc functions the
// generated API calls, so a value answered from a snapshot is, byte for
// byte, what the live document would answer. The reader trusts nothing:
// counts are bounded by the bytes left, keys must name root fields of the
// reader's gene with the kind they were written as, texts must be UTF-8,
// sets and maps must be in the order the live document keeps them.
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
    case Strategy::MvRegister: return SnapKind::Mv;
    case Strategy::OrSet: return SnapKind::Set;
    case Strategy::OrMap: return f.nested ? std::nullopt : std::optional<SnapKind>(SnapKind::Map);
    case Strategy::PnCounter: return SnapKind::Counter;
    case Strategy::Rga: return f.nested ? std::nullopt : std::optional<SnapKind>(SnapKind::List);
    case Strategy::Peritext: return SnapKind::Text;
    case Strategy::Nested: return std::nullopt;
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
void put_list(Writer& w, const std::vector<Bytes>& items) {
  w.varint(items.size());
  for (const Bytes& b : items) w.bytes(b.data(), b.size());
}
bool get_list(Reader& r, std::vector<Bytes>* out, bool ascending) {
  uint64_t n = r.count(1);
  out->reserve(n);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    std::string_view b = r.bytes_view();
    out->emplace_back(b.begin(), b.end());
    if (ascending && i > 0 && !((*out)[i - 1] < out->back())) return false;
  }
  return r.ok();
}
}  // namespace

Bytes write_snapshot(const Doc& doc, const GeneInfo* root, const SnapshotSummary& s,
                     const std::vector<uint8_t>& text_elsewhere) {
  Writer w;
  w.varint(s.clock);
  w.varint(s.actors.size());
  for (const SnapshotActor& a : s.actors) {
    w.varint(a.actor);
    w.varint(a.seq);
    w.varint(a.last_lamport);
    w.fixed64(a.chain);
  }
  const Bytes here;  // the root object's path
  uint64_t held = 0;
  for (uint32_t i = 0; i < root->field_count; ++i) held += snapshot_kind(root->fields[i]).has_value();
  w.varint(held);
  for (uint32_t i = 0; i < root->field_count; ++i) {
    const FieldInfo& f = root->fields[i];
    std::optional<SnapKind> kind = snapshot_kind(f);
    if (!kind) continue;
    w.str(f.key ? f.key : f.name);
    w.u8(static_cast<uint8_t>(*kind));
    switch (*kind) {
      case SnapKind::Register: {
        std::optional<Bytes> v = doc.reg_get(here, root, i);
        w.u8(v ? 1 : 0);
        if (v) w.bytes(v->data(), v->size());
        break;
      }
      case SnapKind::Mv: put_list(w, doc.mv_values(here, root, i)); break;
      case SnapKind::Set: put_list(w, doc.set_values(here, root, i)); break;
      case SnapKind::Map: {
        std::vector<Bytes> keys = doc.map_keys(here, root, i);
        put_list(w, keys);
        for (const Bytes& k : keys) {
          std::optional<Bytes> v = doc.map_get(here, root, i, k);
          w.u8(v ? 1 : 0);
          if (v) w.bytes(v->data(), v->size());
        }
        break;
      }
      case SnapKind::Counter: w.svarint(doc.counter_value(here, root, i)); break;
      case SnapKind::List: {
        std::vector<Bytes> items;
        uint32_t n = doc.list_length(here, root, i);
        for (uint32_t k = 0; k < n; ++k) items.push_back(doc.list_get(here, root, i, k).value_or(Bytes{}));
        put_list(w, items);
        break;
      }
      case SnapKind::Text: {
        bool elsewhere = i < text_elsewhere.size() && text_elsewhere[i];
        w.u8(elsewhere ? 1 : 0);
        if (!elsewhere) w.str(doc.text_string(here, root, i));
        break;
      }
    }
  }
  return w.take();
}

bool read_snapshot(std::string_view body, const GeneInfo* root, FrozenView* out) {
  Reader r(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  out->summary.clock = r.varint();
  uint64_t actors = r.count(11);
  for (uint64_t i = 0; i < actors && r.ok(); ++i) {
    SnapshotActor a;
    a.actor = r.varint();
    a.seq = r.varint();
    a.last_lamport = r.varint();
    a.chain = r.fixed64();
    // Actors ascend (the version map's order), each has changes, and no op
    // id passes the clock.
    bool ascending = out->summary.actors.empty() || out->summary.actors.back().actor < a.actor;
    if (!a.actor || !a.seq || !a.chain || a.last_lamport > out->summary.clock || !ascending) return false;
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
    if (!kind || static_cast<uint8_t>(*kind) != tag) return false;
    FrozenField f;
    f.kind = *kind;
    switch (*kind) {
      case SnapKind::Register: {
        uint8_t has = r.u8();
        if (has > 1) return false;
        f.has = has == 1;
        if (f.has) {
          std::string_view v = r.bytes_view();
          f.value.assign(v.begin(), v.end());
        }
        break;
      }
      case SnapKind::Mv:
        if (!get_list(r, &f.items, false)) return false;
        break;
      case SnapKind::Set:
        if (!get_list(r, &f.items, true)) return false;
        break;
      case SnapKind::Map: {
        if (!get_list(r, &f.keys, true)) return false;
        for (size_t k = 0; k < f.keys.size() && r.ok(); ++k) {
          uint8_t has = r.u8();
          std::string_view v = has == 1 ? r.bytes_view() : std::string_view();
          if (has > 1) return false;
          // A key without a value reads as absent (map_get's nullopt): an
          // empty item stands for it, marked by `has` in `value`.
          f.items.emplace_back(v.begin(), v.end());
          f.value.push_back(has);
        }
        break;
      }
      case SnapKind::Counter: f.counter = r.svarint(); break;
      case SnapKind::List:
        if (!get_list(r, &f.items, false)) return false;
        break;
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

std::optional<Bytes> FrozenField::entry(const Bytes& key) const {
  auto at = std::lower_bound(keys.begin(), keys.end(), key);
  size_t i = static_cast<size_t>(at - keys.begin());
  if (at == keys.end() || *at != key || !value[i]) return std::nullopt;
  return items[i];
}

const FrozenField* FrozenView::field(const GeneInfo* root, const Bytes& path, const GeneInfo* gene, uint32_t field,
                                     SnapKind kind) const {
  if (!path.empty() || gene != root || field >= fields.size() || !fields[field] || fields[field]->kind != kind)
    return nullptr;
  return &*fields[field];
}

}  // namespace dolc_gen::internal
