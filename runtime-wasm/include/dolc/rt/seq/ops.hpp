// runtime-wasm/seq: the operations of `rga` lists and `peritext` text, as
// plain structs, with their wire encoding.
//
// Local edits on Text / RgaList return one of these; the core runtime ships it
// inside a change and, on the other replicas, hands it to can_apply() then
// apply(). encode() writes the op with the encoding.hpp primitives; decode()
// reads it back from untrusted bytes and checks only its *structure* (bounded
// counts, no zero lengths, no id overflow) — whether the ids it refers to
// exist is the structure's can_apply(), which needs the state.
//
// Ids: an insert of n elements occupies ids (L, a) .. (L+n-1, a); the caller
// reserves n consecutive lamports. A null OpId (0, 0) as an origin means "the
// start" (origin_left) or "the end" (origin_right); as a mark anchor it means
// the start (start anchor) or the end (end anchor) of the text.
//
// Wire format of every op (all integers LEB128 varints, ids as
// varint lamport + varint actor, strings length-prefixed):
//   TextInsertOp: id, origin_left, origin_right, utf8 text (>= 1 code point)
//   ListInsertOp: id, origin_left, origin_right, count >= 1, count x bytes
//   DeleteOp:     count >= 1, count x (id, len >= 1)
//   MoveOp:       id, element, origin_left, origin_right
//   MarkOp:       id, start.id, start.after(u8), end.id, end.after(u8),
//                 name, u8 remove, value
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dolc/rt/encoding.hpp"
#include "dolc/rt/ids.hpp"

namespace dolc::rt::seq {

// A run of ids of one actor: (first.lamport + k, first.actor), k < len.
struct IdRange {
  OpId first;
  uint32_t len = 0;
  friend bool operator==(const IdRange& a, const IdRange& b) { return a.first == b.first && a.len == b.len; }
};

// Insert of code points into a Text (content stored as code points; the
// encoding carries UTF-8).
struct TextInsertOp {
  OpId id;            // id of the first inserted character
  OpId origin_left;   // character left of the insertion point when created (null = start)
  OpId origin_right;  // slot right of the insertion point when created (null = end)
  std::u32string text;
  bool empty() const { return text.empty(); }
};

// Insert of values into an RgaList (each value: opaque encoded bytes).
struct ListInsertOp {
  OpId id;
  OpId origin_left;
  OpId origin_right;
  std::vector<Bytes> values;
  bool empty() const { return values.empty(); }
};

// Delete of elements (characters or list elements) by id. For lists the
// ranges name *elements* (insert ids), never move slots.
struct DeleteOp {
  std::vector<IdRange> ranges;
  bool empty() const { return ranges.empty(); }
};

// Move of a list element: a new position slot `id` placed like a one-element
// insert between the origins; the element's position is its move with the
// largest OpId (last writer wins), so concurrent moves converge.
struct MoveOp {
  OpId id;       // the new position slot; null id = "no move" (empty op)
  OpId element;  // the element moved (its insert id)
  OpId origin_left;
  OpId origin_right;
  bool empty() const { return id.is_null(); }
};

// An anchor of a mark end: just before or just after a character. A null id
// is the start of the text (for a start anchor) or its end (for an end anchor).
struct Anchor {
  OpId id;
  bool after = false;
  friend bool operator==(const Anchor& a, const Anchor& b) { return a.id == b.id && a.after == b.after; }
};

// A formatting mark (or its removal) over [start, end) of a Text.
struct MarkOp {
  OpId id;  // null id = empty op (nothing to mark)
  Anchor start, end;
  std::string name;
  std::string value;  // ignored when remove
  bool remove = false;
  bool empty() const { return id.is_null(); }
};

void encode(Writer& w, const TextInsertOp& op);
void encode(Writer& w, const ListInsertOp& op);
void encode(Writer& w, const DeleteOp& op);
void encode(Writer& w, const MoveOp& op);
void encode(Writer& w, const MarkOp& op);

// Each decode() reads one op; returns false (and leaves `out` unspecified) on
// malformed structure. Limits: names <= 256 bytes; ranges and values bounded
// by the remaining input.
bool decode(Reader& r, TextInsertOp& out);
bool decode(Reader& r, ListInsertOp& out);
bool decode(Reader& r, DeleteOp& out);
bool decode(Reader& r, MoveOp& out);
bool decode(Reader& r, MarkOp& out);

}  // namespace dolc::rt::seq
