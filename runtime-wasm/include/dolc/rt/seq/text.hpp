// runtime-wasm/seq: Text, the `peritext` strategy — a replicated text with
// formatting marks (crdt.md). Wrapped by the core runtime as a field kind.
//
// Characters are Unicode code points: every position and length in this API
// counts code points; strings in and out are UTF-8 (malformed input bytes
// become U+FFFD, see utf8.hpp). The character sequence is SeqCore (YATA with
// left and right origins; runs never interleave); see seq_core.hpp.
//
// Marks (Peritext): mark(start, end, name, value) formats [start, end). Its
// ends are anchored to character ids, not positions, so they follow edits:
//   start: just before the first character (text typed at `start` is outside);
//   end, for names that grow (mark_grows_at_end): just before the character
//     after the range (or the end of the text), so text typed at the end of a
//     bold run is bold;
//   end, for names that do not grow: just after the last character, so text
//     typed after a link is not part of the link.
// unmark(start, end, name) is a mark that removes `name`. For every character
// and name, the covering mark/unmark op with the largest OpId wins (so
// concurrent marks of one name resolve by OpId). Deleting marked text deletes
// the characters; the anchors stay valid (tombstones keep their ids).
//
// Ops and replication: local edits apply at once and return the op to ship
// (an empty op when there is nothing to do: empty text, n = 0, start >= end).
// Positions past the end are clamped to size(). Remote ops: decode() (ops.hpp)
// then can_apply() (ids referenced exist, no id collision) then apply().
// apply() is idempotent and concurrent ops commute. The core runtime delivers
// ops in causal order (an op after every op whose ids it references).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dolc/rt/encoding.hpp"
#include "dolc/rt/ids.hpp"
#include "dolc/rt/seq/ops.hpp"
#include "dolc/rt/seq/seq_core.hpp"

namespace dolc::rt::seq {

// The mark kind table. Names that do NOT grow at the end: "link", "comment",
// "href", "mention", "anchor". Every other name (bold, italic, underline,
// strikethrough, code, highlight, color, font, size, ... and unknown names)
// grows at the end.
bool mark_grows_at_end(std::string_view name);

// One run of text whose characters carry the same marks. `marks` is sorted by
// name: (name, value) pairs.
struct TextSpan {
  std::string text;  // UTF-8
  std::vector<std::pair<std::string, std::string>> marks;
  friend bool operator==(const TextSpan& a, const TextSpan& b) { return a.text == b.text && a.marks == b.marks; }
};

class Text {
 public:
  // ---- reads ----
  size_t size() const { return core_.size(); }
  std::string to_string() const;
  std::string slice(size_t start, size_t end) const;  // clamped, UTF-8
  char32_t at(size_t i) const;                         // i < size()
  OpId id_at(size_t i) const;                          // i < size()
  // Index of a visible character; false if unknown or deleted.
  bool index_of(OpId id, size_t* index) const;
  std::vector<TextSpan> spans() const;
  // The marks (name, value; sorted by name) on visible character `index`;
  // empty when the text has no marks (one test: the common case is cheap).
  std::vector<std::pair<std::string, std::string>> marks_at(size_t index) const;
  size_t mark_count() const { return marks_.size(); }
  // The character with id `id`, deleted ones included (undo re-inserts
  // them); false if unknown.
  bool char_of(OpId id, char32_t* c) const;

  // ---- local edits (apply immediately, return the op to ship) ----
  // Inserts UTF-8 text at code-point position pos; the n code points take ids
  // first_id .. (first_id.lamport + n - 1, first_id.actor).
  TextInsertOp insert(size_t pos, std::string_view utf8, OpId first_id);
  DeleteOp remove(size_t pos, size_t n);
  MarkOp mark(size_t start, size_t end, std::string_view name, std::string_view value, OpId id);
  MarkOp unmark(size_t start, size_t end, std::string_view name, OpId id);

  // ---- remote ops ----
  bool can_apply(const TextInsertOp& op) const;
  bool can_apply(const DeleteOp& op) const;
  bool can_apply(const MarkOp& op) const;
  // Apply an op that passed can_apply(). Returns true if the state changed.
  bool apply(const TextInsertOp& op);
  bool apply(const DeleteOp& op);
  bool apply(const MarkOp& op);

  // ---- state ----
  // Full state (characters with tombstones, origins, marks); see SEQUENCES.md.
  void save(Writer& w) const;
  // Replaces this text with the saved state. On malformed input returns false
  // and leaves this text unchanged.
  bool load(Reader& r);
  size_t memory_bytes() const;
  const SeqCore& core() const { return core_; }

 private:
  bool has_id(OpId id) const { return core_.find_id(id) != kNoItem; }
  uint32_t gap_of(const Anchor& a, bool is_end) const;

  SeqCore core_;
  std::u32string arena_;  // code points; items refer to it by index
  std::map<OpId, MarkOp> marks_;
};

}  // namespace dolc::rt::seq
