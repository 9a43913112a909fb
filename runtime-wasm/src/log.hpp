// runtime-wasm/src/log.hpp: the change log's types and the pieces every
// wire codec shares (internal to the runtime; generated code never sees it).
//
// A document's history is a list of Changes; each holds Ops, which name the
// object they touch by a path and the field by its key id (FORMAT.md). Two
// codecs turn change lists into bytes: the row format 2 (read only, doc_wire.cpp)
// and the compact columnar format 3 (columnar.cpp), which is what dolc
// writes. Both name fields through a blob's own key table (BlobKeys) and
// write paths with remap_path, so field identity is one design for both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dolc/rt/encoding.hpp"
#include "dolc/rt/ids.hpp"
#include "dolc_gen_rt.hpp"

namespace dolc_gen {

using dolc::rt::OpId;
using dolc::rt::Reader;
using dolc::rt::Writer;

constexpr size_t kMaxPathDepth = 64;
constexpr uint64_t kMaxLamport = uint64_t{1} << 62;  // larger lamports are refused (FORMAT.md)

// The document's internal types live in a named namespace (not an anonymous
// one) because SequenceSupport, declared in the public header, refers to them.
namespace internal {

// Operation kinds on the wire. Each names the field kind it applies to.
enum class OpKind : uint8_t {
  RegSet = 1,      // immutable / lww: value
  MvSet = 2,       // mv_register: value, superseded ids
  SetAdd = 3,      // or_set: value (dot = op id)
  SetRemove = 4,   // or_set: value, observed dots
  MapSet = 5,      // or_set map: key, value (dot and stamp = op id)
  MapSetNew = 6,   // or_set map of genes: key (creates the nested object)
  MapDelete = 7,   // or_set map: key, observed dots
  CounterAdd = 8,  // pn_counter: delta
  ListInsert = 9,  // rga: seq::ListInsertOp
  ListDelete = 10, // rga: seq::DeleteOp
  ListMove = 11,   // rga: seq::MoveOp
  TextInsert = 12, // peritext: seq::TextInsertOp
  TextDelete = 13, // peritext: seq::DeleteOp
  TextMark = 14,   // peritext: seq::MarkOp
  CounterTransfer = 15,  // pn_counter escrow=true: varint to, varint amount (rights)
};

struct Op {
  OpId id;
  Bytes path;      // the object: steps from the root (see resolve()), naming fields by key id
  uint32_t field = 0;  // the field's key id in the document's key table (Keys)
  OpKind kind = OpKind::RegSet;
  Bytes payload;
};

inline bool operator==(const Op& a, const Op& b) {
  return a.id == b.id && a.field == b.field && a.kind == b.kind && a.path == b.path && a.payload == b.payload;
}

struct Change {
  uint64_t actor = 0;
  uint64_t seq = 0;  // 1, 2, 3... per actor
  std::vector<std::pair<uint64_t, uint64_t>> deps;  // (actor, seq) this change was made on top of
  std::vector<Op> ops;
};

// Whether two changes are one (a duplicate) rather than a fork: equal in
// everything, compared as decoded, so no hash collision can pass one for
// the other.
inline bool same_change(const Change& a, const Change& b) {
  return a.actor == b.actor && a.seq == b.seq && a.deps == b.deps && a.ops == b.ops;
}

inline void write_id(Writer& w, OpId id) {
  w.varint(id.lamport);
  w.varint(id.actor);
}
inline OpId read_id(Reader& r) {
  OpId id;
  id.lamport = r.varint();
  id.actor = r.varint();
  return id;
}

// Key ids in a blob index the blob's own key table (written in its header,
// in first-use order), not the document's: the table holds only the keys the
// blob uses, and a reader interns them into its own table.
struct BlobKeys {
  std::vector<uint32_t> table;     // blob index -> document key id
  std::vector<uint32_t> index_of;  // document key id -> blob index + 1 (0: not yet used)
  uint32_t index(uint32_t doc_key) {
    if (doc_key >= index_of.size()) index_of.resize(doc_key + 1);
    if (!index_of[doc_key]) {
      table.push_back(doc_key);
      index_of[doc_key] = static_cast<uint32_t>(table.size());
    }
    return index_of[doc_key] - 1;
  }
};

// A path step: varint (key << 2 | tag), then per tag: 0 Nested field (nothing),
// 1 rga element (id), 2 or_set map entry (bytes key). Self-describing, so a
// replica can carry paths through fields it does not know.
enum StepTag : uint8_t { kStepNested = 0, kStepElement = 1, kStepEntry = 2 };

// Copies a path, mapping each step's key: through `encode` (document key ->
// blob index, assigned on first use) or `decode` (blob index -> document
// key). False: malformed, or an index outside the blob's table. One function
// for both directions keeps the wasm module small.
inline bool remap_path(const Bytes& in, Bytes* out, BlobKeys* encode, const std::vector<uint32_t>* decode) {
  auto map = [&](uint64_t k, uint64_t* to) {
    if (encode) *to = encode->index(static_cast<uint32_t>(k));
    else if (k < decode->size()) *to = (*decode)[static_cast<size_t>(k)];
    else return false;
    return true;
  };
  Reader r(in);
  Writer w;
  size_t depth = 0;
  while (!r.at_end()) {
    if (++depth > kMaxPathDepth) return false;
    uint64_t v = r.varint();
    uint64_t tag = v & 3;
    uint64_t key = 0;
    if (!r.ok() || tag > kStepEntry || !map(v >> 2, &key)) return false;
    w.varint(key << 2 | tag);
    if (tag == kStepElement) {
      write_id(w, read_id(r));
    } else if (tag == kStepEntry) {
      std::string_view k = r.bytes_view();
      w.str(k);
    }
    if (!r.ok()) return false;
  }
  *out = w.take();
  return true;
}

// The compact format (format 3, FORMAT.md "Change columns"): appends the
// columns of `changes` to `w`, naming fields through `keys` (filled in first
// use order, written by the caller in the schema header).
// `forks` (changes reusing an actor's seq) go in a section of their own.
// Saved documents with a snapshot keep each root text's visible characters
// once (FORMAT.md, "Texts kept once"): in the text section (kind 5), in
// document order, and only the deleted ones in the text column. A reader
// finds which characters of an insert are which by replaying the text's
// inserts and deletes (join_texts, with the sequence code).
struct TextSplit {
  std::vector<std::pair<uint32_t, std::string>> fields;  // document key id of a root peritext field, its visible text
  // How many characters from `id` (at most `max`) are all visible or all
  // deleted in field `key` now (`*visible` says which); 0: unknown id.
  uint32_t (*run)(const void* doc, uint32_t key, OpId id, uint32_t max, bool* visible) = nullptr;
  const void* doc = nullptr;
};
// What decoding a blob with a text section leaves for join_texts: the
// visible texts, the deleted characters of split inserts (in op order), and
// per split insert (in op order) where it is and how many characters it has
// (its payload holds none).
struct TextJoin {
  std::vector<std::pair<uint32_t, std::string>> fields;  // document key id, visible text
  std::string deleted;
  struct Insert {
    size_t change, op;
    uint64_t points;
  };
  std::vector<Insert> inserts;
};
// Whether a text insert's payload reads as one (it can then be split).
bool reads_as_text_insert(const Op& op);

// `snapshot`, when given, is written as the snapshot section (snapshot.hpp);
// `split`, when given, keeps those root texts' visible characters in the
// text section.
// How a change list lays out its values (FORMAT.md): in columns (saves, and
// sync blobs of many changes), or in rows, value after value, which costs
// less for the one or few changes an app sends as they are made.
enum class ChangeLayout : uint8_t { Columns = 0, Rows = 1 };
// Which columns (FORMAT.md): formats 3 and 4 have 22; format 5 adds the
// value columns (register, set and map values taken apart, integers as
// deltas). A change's canonical bytes (its identity) stay format 3's, so
// that digests mean the same in every release.
enum class ColumnSet : uint8_t { Format3 = 0, Values = 1 };
void encode_columns(Writer& w, const std::vector<const Change*>& changes, BlobKeys& keys,
                    const std::vector<const Change*>& forks, const Bytes* snapshot, const TextSplit* split = nullptr,
                    ChangeLayout layout = ChangeLayout::Columns, ColumnSet set = ColumnSet::Format3);
// The body of the first section of `kind` after the columns `r` is at,
// found without decoding the columns. False: no such section, or the
// framing of columns and sections is malformed.
bool find_section(Reader r, uint64_t kind, std::string_view* body, ColumnSet set);
// Reads what encode_columns wrote from untrusted bytes; field keys map
// through `blob_keys` (blob index -> document key id). False: malformed.
// The forks section's changes (read in outer blobs only) follow the others.
// A blob with a text section fills `join` (null: such a blob is refused,
// for readers without sequence support); the caller completes the inserts.
bool decode_columns(Reader& r, std::vector<Change>* out, const std::vector<uint32_t>& blob_keys, bool outer = true,
                    TextJoin* join = nullptr, ChangeLayout layout = ChangeLayout::Columns,
                    ColumnSet set = ColumnSet::Format3);

}  // namespace internal

}  // namespace dolc_gen
