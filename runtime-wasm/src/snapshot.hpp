// runtime-wasm/src/snapshot.hpp: the snapshot section of saved documents
// (FORMAT.md, "Snapshot"), internal to the runtime.
//
// save() writes, next to the full history, what the document shows: the
// value of each register, counter and text, the visible contents of each
// collection of plain values (mv_register values, or_set elements and map
// entries, rga elements), and the objects inside (a nested gene field, the
// genes of a map or list of genes), each with its own fields the same way,
// recursively; plus a summary of the history (per actor its seq, last op id
// and chain digest; the clock). load() of such bytes builds a *frozen*
// document from that alone, in time proportional to the state, and keeps
// the saved bytes: reads of those fields (at any path the snapshot holds)
// and version() are answered from the snapshot, and the first call that
// needs the history or the CRDT structure (an edit, a sync, a merge, marks,
// undo) replays the saved history into the live document, as load() did
// before. Opening a large document to show it therefore no longer replays it.
//
// Only the history decides what a document is: a snapshot is a cache of
// it, written by this runtime from the same read functions the API uses,
// so a frozen read returns what the live read would.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dolc/rt/sha256.hpp"
#include "log.hpp"

namespace dolc_gen::internal {

// Optional (even): a reader that does not know it replays the history.
// Kind 4 was the same section with 64-bit FNV-1a chain digests; this reader
// does not use it (it cannot give version() without replaying) and replays.
constexpr uint64_t kSnapshotSection = 6;
constexpr uint64_t kTextSection = 5;      // required (odd): root texts' visible characters (TextSplit, log.hpp)
constexpr size_t kSnapshotMinOps = 1024;  // save() writes a snapshot for histories of at least this many ops

// What version() and the clock need without the history.
struct SnapshotActor {
  uint64_t actor = 0, seq = 0, last_lamport = 0;
  dolc::rt::ChainDigest chain{};
};
struct SnapshotSummary {
  uint64_t clock = 0;
  std::vector<SnapshotActor> actors;  // ascending by actor, as the version map
};

// How a field's visible value is held (the tag written before it): 1-7 the
// number of the field's Strategy, so that a tag names the field kind it fits;
// 8 a nested gene field, 9 an or_set map of genes, 10 an rga list of genes
// (their objects' fields follow, the same way). A kind's layout never
// changes: a new layout takes a new kind.
enum class SnapKind : uint8_t {
  Register = 1, Mv = 2, Set = 3, Map = 4, Counter = 5, List = 6, Text = 7,
  Nested = 8, MapOfGenes = 9, ListOfGenes = 10
};
constexpr uint8_t kLastSnapKind = 10;

struct FrozenObject;
struct FrozenField {
  SnapKind kind = SnapKind::Register;
  // Register: its value (none: never written); Mv: the values; Set, List,
  // ListOfGenes: the elements; Map, MapOfGenes: the keys. Each in the order
  // the API returns them (Set and Maps: ascending bytes, so that a lookup is
  // a binary search).
  std::vector<Bytes> items;
  std::vector<Bytes> values;   // Maps: items[i]'s value, when held[i] (else a key without one; always so for genes)
  Bytes held;                  // Maps: 0 or 1 per key
  int64_t counter = 0;         // Counter
  std::string text;            // Text, UTF-8
  uint32_t text_length = 0;    // Text, in code points
  bool text_pending = false;   // Text kept in the text section (TextSplit): filled by fill_text
  // Nested: its object; MapOfGenes: items[i]'s; ListOfGenes: element i's.
  std::vector<FrozenObject> objects;
  std::vector<OpId> ids;  // ListOfGenes: element i's insert id (a path's step names it)
  std::vector<std::pair<OpId, uint32_t>> by_id;  // ListOfGenes: (id, i), ascending: a step's lookup
};

// An object's fields the snapshot holds: only those (a gene's other fields
// cost nothing, however many objects there are), by field index.
struct FrozenObject {
  const GeneInfo* gene = nullptr;
  std::vector<std::pair<uint32_t, FrozenField>> fields;
  const FrozenField* at(uint32_t field) const {
    for (const auto& [i, f] : fields)
      if (i == field) return &f;
    return nullptr;
  }
  FrozenField* at(uint32_t field) { return const_cast<FrozenField*>(static_cast<const FrozenObject*>(this)->at(field)); }
};
// The field index of key id `key` in gene `g` of the document, or -1.
using FieldOfKey = int (*)(const void* keys, const GeneInfo* g, uint64_t key);

// A frozen document: the saved bytes and what their snapshot says.
struct FrozenView {
  Bytes blob;     // the saved bytes: save() returns them, a thaw replays them
  Bytes section;  // the snapshot section's body, compared with the live document's when it thaws
  SnapshotSummary summary;
  FrozenObject root;  // the root object (its gene: the document's)
  // The field's frozen value when the read can be answered from it: an
  // object the snapshot holds at `path` (its steps' keys mapped by
  // `field_of`), of gene `gene`, a field it holds, of the kind asked (a map
  // or list read also takes the map or list of genes).
  const FrozenField* field(const Bytes& path, const GeneInfo* gene, uint32_t field, SnapKind kind, FieldOfKey field_of,
                           const void* keys) const;
  // The visible text of the root text `key` from the text section. False:
  // no such pending text, or not UTF-8.
  bool fill_text(const GeneInfo* root, std::string_view key, std::string_view text);
};

// The kind a field is held as, or none (@personal and hidden fields are not
// in the snapshot: reading them replays).
std::optional<SnapKind> snapshot_kind(const FieldInfo& f);
// The section body for `doc` (its root gene `root`), read through the API.
// `text_elsewhere` (by root field index): texts whose characters the text
// section holds (TextSplit), written here as a reference. `like`: only the
// fields that loaded snapshot holds (what a thaw compares it with: a
// snapshot of an older writer holds fewer kinds).
Bytes write_snapshot(const Doc& doc, const GeneInfo* root, const SnapshotSummary& summary,
                     const std::vector<uint8_t>& text_elsewhere, const FrozenView* like = nullptr);
// Parses a section body from untrusted bytes into `out` (fields by their
// gene's keys, objects at most kMaxPathDepth steps deep). False: malformed,
// or (`*unusable` set) well formed so far but holding a kind of value this
// reader does not know.
bool read_snapshot(std::string_view body, const GeneInfo* root, FrozenView* out, bool* unusable);

}  // namespace dolc_gen::internal
