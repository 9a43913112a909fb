// runtime-wasm/seq: wire encoding of sequence operations (format in ops.hpp).
// Decoders check structure only; state-dependent checks are can_apply().
#include "dolc/rt/seq/ops.hpp"

#include <limits>

#include "dolc/rt/seq/utf8.hpp"

namespace dolc::rt::seq {

namespace {

constexpr size_t kMaxMarkName = 256;
constexpr uint64_t kMaxRun = 0xffffffffu;

void put_id(Writer& w, OpId id) {
  w.varint(id.lamport);
  w.varint(id.actor);
}

OpId get_id(Reader& r) {
  OpId id;
  id.lamport = r.varint();
  id.actor = r.varint();
  return id;
}

// An id that starts a run of n slots: not null, actor 0 is reserved, and the
// lamports of the run must not wrap around.
bool valid_run(OpId id, uint64_t n) {
  return id.actor != 0 && n >= 1 && n <= kMaxRun && id.lamport <= std::numeric_limits<Lamport>::max() - n;
}

// An origin or anchor: null, or a real id (actor != 0).
bool valid_ref(OpId id) { return id.is_null() || id.actor != 0; }

}  // namespace

void encode(Writer& w, const TextInsertOp& op) {
  put_id(w, op.id);
  put_id(w, op.origin_left);
  put_id(w, op.origin_right);
  w.str(utf8_encode(op.text.data(), op.text.size()));
}

bool decode(Reader& r, TextInsertOp& out) {
  out.id = get_id(r);
  out.origin_left = get_id(r);
  out.origin_right = get_id(r);
  std::string_view s = r.bytes_view();
  if (!r.ok() || !valid_utf8(s)) return false;
  out.text = utf8_decode(s);
  return valid_run(out.id, out.text.size()) && valid_ref(out.origin_left) && valid_ref(out.origin_right);
}

void encode(Writer& w, const ListInsertOp& op) {
  put_id(w, op.id);
  put_id(w, op.origin_left);
  put_id(w, op.origin_right);
  w.varint(op.values.size());
  for (const Bytes& v : op.values) w.bytes(v.data(), v.size());
}

bool decode(Reader& r, ListInsertOp& out) {
  out.id = get_id(r);
  out.origin_left = get_id(r);
  out.origin_right = get_id(r);
  uint64_t n = r.count(1);
  out.values.clear();
  out.values.reserve(n);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    std::string_view v = r.bytes_view();
    out.values.emplace_back(v.begin(), v.end());
  }
  return r.ok() && valid_run(out.id, n) && valid_ref(out.origin_left) && valid_ref(out.origin_right);
}

void encode(Writer& w, const DeleteOp& op) {
  w.varint(op.ranges.size());
  for (const IdRange& rg : op.ranges) {
    put_id(w, rg.first);
    w.varint(rg.len);
  }
}

bool decode(Reader& r, DeleteOp& out) {
  uint64_t n = r.count(3);
  out.ranges.clear();
  out.ranges.reserve(n);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    OpId first = get_id(r);
    uint64_t len = r.varint();
    if (!valid_run(first, len)) return false;
    out.ranges.push_back(IdRange{first, static_cast<uint32_t>(len)});
  }
  return r.ok() && n >= 1;
}

void encode(Writer& w, const MoveOp& op) {
  put_id(w, op.id);
  put_id(w, op.element);
  put_id(w, op.origin_left);
  put_id(w, op.origin_right);
}

bool decode(Reader& r, MoveOp& out) {
  out.id = get_id(r);
  out.element = get_id(r);
  out.origin_left = get_id(r);
  out.origin_right = get_id(r);
  return r.ok() && valid_run(out.id, 1) && out.element.actor != 0 && valid_ref(out.origin_left) &&
         valid_ref(out.origin_right);
}

void encode(Writer& w, const MarkOp& op) {
  put_id(w, op.id);
  put_id(w, op.start.id);
  w.u8(op.start.after ? 1 : 0);
  put_id(w, op.end.id);
  w.u8(op.end.after ? 1 : 0);
  w.str(op.name);
  w.u8(op.remove ? 1 : 0);
  w.str(op.remove ? std::string_view() : std::string_view(op.value));
}

bool decode(Reader& r, MarkOp& out) {
  out.id = get_id(r);
  out.start.id = get_id(r);
  uint8_t sa = r.u8();
  out.end.id = get_id(r);
  uint8_t ea = r.u8();
  std::string_view name = r.bytes_view();
  uint8_t rm = r.u8();
  std::string_view value = r.bytes_view();
  if (!r.ok() || sa > 1 || ea > 1 || rm > 1 || name.empty() || name.size() > kMaxMarkName) return false;
  // A null anchor is the text's start/end; "after" is meaningless there.
  if ((out.start.id.is_null() && sa) || (out.end.id.is_null() && ea)) return false;
  out.start.after = sa;
  out.end.after = ea;
  out.name.assign(name);
  out.remove = rm;
  out.value.assign(rm ? std::string_view() : value);
  return valid_run(out.id, 1) && valid_ref(out.start.id) && valid_ref(out.end.id);
}

}  // namespace dolc::rt::seq
