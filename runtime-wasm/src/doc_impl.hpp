// runtime-wasm/src/doc_impl.hpp: what the files of the document runtime
// share (internal to the runtime; generated code never sees it): Doc::Impl,
// the field states, the key table, change events, undo records, and the
// functions more than one of them calls (namespace internal; what one file
// alone uses stays file-local there). The runtime implements
// dolc_gen::Doc, the interface generated code calls (declared in
// compiler/lower/support/dolc_gen_rt.hpp, which dolc writes next to the
// generated sources), in one file per role, so that each can be read alone:
//  * doc_wire.cpp: framing, the schema header, the row formats' reader,
//    encode/decode of change blobs, version vectors (version, changes_since);
//  * doc_merge.cpp: every field kind's merge rule (apply_op), paths, cloning;
//  * doc_sequences.cpp: rga and peritext ops (kSequenceSupport);
//  * doc_events.cpp: change events (take_events);
//  * doc_log.cpp: the change log, causal delivery, forks, baselines;
//  * doc_sync.cpp: apply, merge, save, load (frozen documents), checkpoints;
//  * doc_access.cpp: the field API generated code calls (reg_*, map_*, ...);
//  * doc_undo.cpp: cursors, undo and redo.
//
// Model (runtime-wasm/README.md has the full story, FORMAT.md the bytes):
//  * Every edit is an operation with an OpId (lamport, actor). Local edits
//    are applied at once and appended to the change log; consecutive local
//    operations share one change until something is exported or applied.
//  * A change carries its actor, its sequence number and its dependencies
//    (the version vector when it was started). A replica applies a change
//    only when it has everything the change depends on; earlier arrivals
//    are held (`held`, `blocked_on`). Re-delivered changes are ignored.
//  * Merge rules are per field kind (crdt.md): immutable first writer wins,
//    lww last writer wins, mv_register keeps concurrent values, or_set is
//    add-wins with dots, pn_counter sums per-actor totals, rga and peritext
//    are the YATA sequences of src/seq.
//  * Replaying the log from nothing rebuilds the state exactly; that is how
//    load() works and how a refused apply() or a rolled-back local operation
//    leaves the document as it was.
//  * Ops name fields by key (Keys), never by position, so documents cross
//    schema versions (FORMAT.md, "Field identity"): ops on fields of other
//    versions are kept and forwarded; writes to hidden fields of earlier
//    versions are converted into their replacements as they apply.
// No exceptions (the wasm build has none): every failure is a Status.
#pragma once
#include <algorithm>
#include <tuple>
#include <initializer_list>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dolc/rt/encoding.hpp"
#include "dolc/rt/ids.hpp"
#include "dolc/rt/seq/rga.hpp"
#include "dolc/rt/format.hpp"
#include "dolc/rt/sha256.hpp"
#include "dolc/rt/seq/text.hpp"
#include "dolc/rt/seq/utf8.hpp"
#include "dolc_gen_rt.hpp"
#include "log.hpp"
#include "snapshot.hpp"
#include "personal.hpp"

namespace dolc_gen {
namespace {

namespace seq = dolc::rt::seq;

// The document runtime's files all work in these names.
using namespace internal;

}  // namespace

namespace internal {

constexpr uint8_t kFormatVersion = dolc::rt::kDocumentFormat;  // saves and changes: columns (columnar.cpp); formats 1 and 2 are still read
constexpr uint8_t kFormatV4 = 4;       // "DC" only: format 3 with a choice of layout (no value columns)
constexpr uint8_t kFormatV3 = 3;       // the schema header, then columns (no value columns)
constexpr uint8_t kFormatV2 = 2;       // the schema header, then changes row by row
constexpr uint8_t kFormatV1 = 1;       // positional field indexes, no schema header
static_assert(kFormatV1 == dolc::rt::kOldestDocumentFormat, "the oldest format read is format 1");
constexpr uint8_t kVersionFormat = dolc::rt::kVersionVectorFormat;  // version vectors ("DV") with SHA-256 chains; 2 (FNV chains) and 1 (none) are still read
constexpr uint8_t kChangesFormat = dolc::rt::kChangesFormat;  // "DC" as written: format 3 with a choice of layout
// Sync blobs of at most this many changes are also laid out in rows, and the
// smaller of the two layouts is sent (FORMAT.md "Rows").
constexpr size_t kRowsMaxChanges = 16;
inline constexpr uint8_t kMagicChanges[2] = {'D', 'C'};
inline constexpr uint8_t kMagicSave[2] = {'D', 'S'};
inline constexpr uint8_t kMagicVersion[2] = {'D', 'V'};
constexpr size_t kMaxKeys = 4096;  // field keys a document's table may hold

Failure fail(const char* message);
// Joins message parts: one function instead of a chain of operator+ calls at
// every refusal (which cost the wasm module kilobytes).
std::string cat(std::initializer_list<std::string_view> parts);
extern const Failure kClockExhausted;

// Framing of every blob (doc_wire.cpp).
Bytes frame(const uint8_t magic[2], const Bytes& body, uint8_t version = kFormatVersion);
bool unframe(const uint8_t magic[2], const Bytes& blob, Bytes* body, uint8_t* version);

// ------------------------------------------------------------ field states

struct Object;
struct ApplyContext;

struct Register {  // immutable and lww
  bool has = false;
  OpId stamp;
  Bytes value;
};

struct MvRegister {
  std::vector<std::pair<OpId, Bytes>> values;  // sorted by OpId
  // A field that replaced an older version's register: the newest of that
  // register's writes so far (converted into `values` unless a write of
  // this version superseded it). Null when there is none.
  OpId converted;
};

void mv_insert(MvRegister& mv, OpId id, Bytes value);
void mv_erase(MvRegister& mv, OpId id);

struct OrSet {
  std::map<Bytes, std::set<OpId>> dots;  // element -> the adds not yet removed
  // bias=remove (FieldInfo::remove_wins): element -> the removes no add has
  // seen yet. An element is there only with a dot and no such remove: a
  // remove beats every add it did not see (a concurrent one), and an add
  // that saw the remove (its payload names it) lifts it. Both sets are a
  // function of the ops applied (adds minus the dots removes observed,
  // removes minus those adds observed), so any causal order converges.
  std::map<Bytes, std::set<OpId>> tombs;
  bool has(const Bytes& v) const { return dots.count(v) && !tombs.count(v); }
};

struct MapEntry {
  std::set<OpId> dots;  // key presence (add-wins)
  std::set<OpId> tombs;  // bias=remove: deletes no set of the key has seen (see OrSet::tombs)
  Register value;       // scalar values: lww by stamp
  std::unique_ptr<Object> child;  // gene values: merge field by field
};

struct OrMap {
  std::map<Bytes, MapEntry> entries;
};

struct Counter {
  std::map<uint64_t, std::pair<int64_t, int64_t>> totals;  // actor -> (increments, decrements)
  void add(uint64_t actor, int64_t delta) {
    auto& t = totals[actor];
    // Totals wrap like the value does: merging stays order-independent.
    if (delta >= 0) t.first = static_cast<int64_t>(static_cast<uint64_t>(t.first) + static_cast<uint64_t>(delta));
    else t.second = static_cast<int64_t>(static_cast<uint64_t>(t.second) - static_cast<uint64_t>(delta));
  }
  int64_t value() const {
    uint64_t sum = 0;  // wrap-around arithmetic: same result in every order
    for (auto& [a, t] : totals) sum += static_cast<uint64_t>(t.first) - static_cast<uint64_t>(t.second);
    return static_cast<int64_t>(sum);
  }
  // escrow=true (crdt.md; Balegas et al. 2015): actor -> its rights, what it
  // may still decrement. An increment adds to its author's rights, a
  // decrement or a transfer spends them, a transfer adds to the receiver's.
  // An actor's rights fall only by its own ops, which every replica applies
  // in their order after all it had seen, so they are never below what the
  // author saw: an op that spends more than its author holds is malformed.
  // value - start = sum of rights >= 0 on every replica at every moment; the
  // value's start (0, its slack above min_value) is held by nobody.
  std::map<uint64_t, int64_t> rights;
  int64_t rights_of(uint64_t actor) const {
    auto it = rights.find(actor);
    return it == rights.end() ? 0 : it->second;
  }
  // Moves `amount` rights (> 0) from `from` (nullptr: created by an
  // increment) to `to` (nullptr: spent by a decrement); false when `from`
  // holds too few or `to` would overflow (then nothing changes).
  bool move_rights(const uint64_t* from, const uint64_t* to, int64_t amount) {
    if (amount <= 0) return false;
    if (from && rights_of(*from) < amount) return false;
    int64_t after = 0;
    if (to && __builtin_add_overflow(rights_of(*to), amount, &after)) return false;
    if (from) rights[*from] -= amount;
    if (to) rights[*to] += amount;
    return true;
  }
};

struct List {
  seq::RgaList items;
  std::map<OpId, std::unique_ptr<Object>> children;  // gene elements, by element id
};

struct Field {
  Register reg;
  MvRegister mv;
  OrSet set;
  OrMap map;
  Counter counter;
  std::unique_ptr<List> list;
  std::unique_ptr<seq::Text> text;
  std::unique_ptr<Object> nested;
};

struct Object {
  const GeneInfo* gene;
  std::vector<Field> fields;
  explicit Object(const GeneInfo* g);
};

// ----- amplification cap
//
// One op may not create nested objects out of proportion to its own size. A
// list insert of N values into a list of genes creates N objects, each about
// a kilobyte (every field's state, a list or a text per sequence field), from
// about one byte per value: issue 14 measured 1 MB of input taking 891 MiB
// of wasm memory and 33-52 s. The objects one op creates may take at most
// kCreatedBytesPerByte estimated bytes per byte of its payload, beyond the
// first object (an honest insert or map entry creates one object per op, and
// always passes). Judged per op from the op alone, so every replica decides
// alike whatever batch or order the op arrives in; an op over the cap does
// not fit, and its blob is refused with kOverCap, the document unchanged.
const char* const kOverCap = "refused: an operation creates nested objects out of proportion to its size (FORMAT.md)";
// Set when an op over the cap was refused, so that apply/merge/load can say
// why (the change log's refusal says only "does not fit").
#if defined(__wasm__)
extern bool over_cap;
#else
extern thread_local bool over_cap;
#endif

bool within_create_cap(const GeneInfo* g, uint64_t count, size_t payload);

// The document's table of field keys (FORMAT.md, "Field identity"). Every
// gene reachable from the root has its keys interned at construction, in a
// fixed order, so known keys have the same ids in every document of one
// module (paths handed to generated code stay valid across load()); keys
// that arrive from newer schema versions are appended.
struct Keys {
  // Linear searches throughout: a schema has a few genes and dozens of keys,
  // and maps of strings would cost the wasm module kilobytes.
  std::vector<std::string> names;                                           // key id -> key
  std::vector<std::pair<const GeneInfo*, std::vector<uint32_t>>> of_gene;  // per gene: field index -> key id

  // The id of `key`, added if new (when `may_add`); UINT32_MAX if absent.
  uint32_t intern(std::string_view key, bool may_add = true) {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == key) return static_cast<uint32_t>(i);
    if (!may_add) return UINT32_MAX;
    names.emplace_back(key);
    return static_cast<uint32_t>(names.size() - 1);
  }
  const std::vector<uint32_t>* fields(const GeneInfo* g) const {
    for (const auto& [gene, keys] : of_gene)
      if (gene == g) return &keys;
    return nullptr;
  }
  void add_gene(const GeneInfo* g) {
    if (!g || fields(g)) return;
    std::vector<uint32_t> keys;
    for (uint32_t i = 0; i < g->field_count; ++i) {
      const FieldInfo& f = g->fields[i];
      keys.push_back(intern(f.key ? f.key : f.name));
    }
    of_gene.emplace_back(g, std::move(keys));
    for (uint32_t i = 0; i < g->field_count; ++i) add_gene(g->fields[i].nested);
  }
  // The key id of a field; an id no field has when `g` is not in this
  // document (a caller's mistake: the op is then refused, not misplaced).
  uint32_t key_of(const GeneInfo* g, uint32_t field) const {
    const std::vector<uint32_t>* keys = fields(g);
    return keys && field < keys->size() ? (*keys)[field] : UINT32_MAX;
  }
  // The field of `g` with key id `key`, or -1 (a field of another version).
  int field_of(const GeneInfo* g, uint64_t key) const {
    if (const std::vector<uint32_t>* keys = fields(g))
      for (size_t i = 0; i < keys->size(); ++i)
        if ((*keys)[i] == key) return static_cast<int>(i);
    return -1;
  }
};

// An older version's write that could not be converted to the new field.
struct Conflict {
  uint32_t key;
  OpId id;
};

// ----- change events (Doc::take_events)
//
// Off until someone listens (a flag check per op). Each applied op that
// changes what a reader sees appends one entry: the object's path, the
// field, and the rest of its JSON with positions in the field as they are
// at that moment. Paths are rendered when the entries are taken, in the
// state then (list indexes after the call). Replays of the log (rebuild)
// record nothing; a replay that replaces the state records "reset".
struct Events {
  struct Entry {
    Bytes path;
    const FieldInfo* field = nullptr;
    std::string tail;  // `,"kind":...` up to the closing brace
  };
  bool on = false;
  int mute = 0;        // > 0 while the log replays
  bool reset = false;  // the state was replaced: readers must re-read it
  std::vector<Entry> out;
  Entry cur;           // where the op being applied is
  std::vector<std::pair<uint64_t, size_t>> marks;  // checkpoint mark -> out.size() then
  Events* active() { return on && !mute ? this : nullptr; }
  void add(std::string tail) {
    out.push_back(cur);
    out.back().tail = std::move(tail);
  }
};

// What an entry says, and how (doc_events.cpp).
bool event_path(Events& ev, const Bytes& path, const FieldInfo& last);
bool render_path(const Events::Entry& e, Object* root, const Keys& keys, std::string& out);
std::string event_value(const FieldInfo& info, const Bytes& v);
std::string mv_json(const FieldInfo& info, const MvRegister& mv);
void counter_event(Events& ev, int64_t from, int64_t to);
void map_event(Events& ev, const FieldInfo& info, const Bytes& key, const char* change);
std::string inserted_marks(const seq::Text& text, size_t at);
const char* list_kind(const FieldInfo& info);
void list_move_event(Events& ev, const seq::RgaList& items, const FieldInfo& info, OpId element, size_t from,
                     const Bytes* value);
void mark_event(Events& ev, size_t start, size_t end, const seq::MarkOp& op);

}  // namespace internal

// What a module that uses rga or peritext links in: applying their ops and
// encoding typing runs. Reached only through GeneInfo::sequences.
struct SequenceSupport {
  bool (*apply)(internal::Field& f, const FieldInfo& info, const internal::Op& op, Reader& r, uint64_t* span,
                internal::Events* ev);
  void (*encode_insert)(Writer& w, const seq::TextInsertOp& op);
  void (*encode_delete)(Writer& w, const seq::DeleteOp& op);
  // A write to a register replaced by this text field (lww -> peritext):
  // adds the converted text, and hides whichever register value lost.
  void (*migrate_text)(internal::Field& text, const Bytes* added, OpId added_id, const Bytes* hidden, OpId hidden_id);
  // An add (or the removes) of an older version's set replaced by this list.
  void (*migrate_list)(internal::Field& list, const Bytes* added, OpId added_id, const std::vector<OpId>& removed);
  // save(), texts kept once (TextSplit): how many characters from `id` (at
  // most `max`) of text field `f` are all visible or all deleted; 0: unknown.
  uint32_t (*text_run)(const internal::Field& f, OpId id, uint32_t max, bool* visible);
  // Whether a text insert's payload is what encoding its decoded op gives
  // (a split insert is rebuilt from the decoded op, so only those split).
  bool (*canonical_insert)(const internal::Op& op);
  // load(): completes the inserts a text section left without their visible
  // characters, by replaying each such text's inserts and deletes. False: the
  // section and the history disagree (malformed).
  bool (*join_texts)(std::vector<internal::Change>& changes, const internal::TextJoin& join);
  // A copy of a text or list field's state, a list's gene elements included (Doc::Impl's baseline).
  void (*copy)(const internal::Field& from, internal::Field& to, const internal::ApplyContext& cx);
};

namespace internal {

// Paths (doc_merge.cpp).
StepTag tag_of(Strategy s);
bool visible(const MapEntry& e);

// What apply_op needs besides the op: the document's key table, the
// sequence code (null when the schema has no sequences), the other
// strategies' code (StrategySupport) and where writes of an older version
// that could not be converted are recorded.
struct ApplyContext {
  const Keys* keys;
  const SequenceSupport* seqs;
  const StrategySupport* const* strategies;  // indexed by Strategy (null entries: not in this module)
  std::vector<Conflict>* conflicts;
  Events* ev = nullptr;  // recording change events (null: off)
  const PersonalKeys* personal = nullptr;  // keys that open @personal values in events (null: none held)
};
}  // namespace internal

// What a module that uses a strategy (other than the sequences: kSequenceSupport)
// links in: applying its ops, local or remote. Reached only through
// GeneInfo::strategies, which the generated descriptors fill with the
// strategies the module's fields have (hidden fields of earlier versions
// included), so a module links the merge code of those only. A field's ops
// go to its strategy's apply, which refuses op kinds of other strategies
// (malformed), as one switch over every op kind did.
struct StrategySupport {
  bool (*apply)(internal::Object* obj, uint32_t field, const internal::Op& op, const internal::ApplyContext& cx);
  // A copy of a field's state (Doc::Impl's baseline): per strategy, so a
  // module links the copy code of its strategies only.
  void (*copy)(const internal::Field& from, internal::Field& to, const internal::ApplyContext& cx);
};

namespace internal {

std::unique_ptr<Object> clone_object(const Object& from, const ApplyContext& cx);

enum class Applied { Yes, Foreign, Bad };
Applied apply_op(Object* root, const Op& op, uint64_t* span, const ApplyContext& cx);

Bytes personal_aad(const GeneInfo* g, const FieldInfo& f);

Field* field_at(Object* root, const Keys& keys, const Bytes& path, const GeneInfo* gene, uint32_t field);
extern const Failure kNoObject;

const StrategySupport* const* strategies_of(const GeneInfo* g);

// ----- undo and redo: what a local operation recorded (docs/generated-api.md, "Undo and redo")
//
// With an undo manager, each local operation records what would revert it
// (an inverse intent, judged against the state when it is undone), grouped
// into steps. Undo and redo apply those intents as new local operations, so
// they sync like any edit. Ids an undo or redo re-creates (a re-inserted
// character, a register value written again) are remapped old -> new, so
// older steps that name the old ids still find them. Local state only:
// nothing here is saved or sent.
enum class UndoKind : uint8_t { Reg, Mv, Counter, SetAdd, SetRemove, MapSet, MapDelete, TextIns, TextDel, ListIns, ListDel, ListMove };
struct UndoEntry;
// How an entry is undone: invert_entry<kind> (with the undo code, doc_undo.cpp),
// stored in the entry by the operation that records it. So a module links
// the inverse of a kind only if it links an operation that records that
// kind (a schema without sets has no set_add, nor its undo; a switch over
// every kind linked all of them, sequences included, into every module).
// `impl` is the Doc::Impl.
using InvertFn = void (*)(Doc& doc, void* impl, const UndoEntry& e);
template <UndoKind K, class I>
void invert_entry(Doc& doc, void* impl, const UndoEntry& e);
// Which instance undoes kind `k`: one per strategy (a set's adds and
// removes share one, as do a map's; texts and lists share theirs, as the
// sequences share kSequenceSupport): one per kind cost the modules that have
// them all, chat, about 0.5 KB gzip of repeated prologues.
constexpr UndoKind inverse_of(UndoKind k) {
  return k == UndoKind::SetRemove ? UndoKind::SetAdd
         : k == UndoKind::MapDelete ? UndoKind::MapSet
         : k >= UndoKind::TextIns ? UndoKind::TextIns
                                  : k;
}
struct UndoEntry {
  UndoKind kind;
  InvertFn invert;
  uint32_t field;
  const GeneInfo* gene;
  uint64_t at;  // where its op is in the log, (change + 1) << 32 | op: rollback() drops what follows a mark
  Bytes path;
  Bytes a, b;         // the value or key, and the previous value
  bool had = false;   // there was a previous value (b)
  OpId ours, prev;    // our op (or move slot) and the previous value's stamp (or the element's previous slot)
  OpId elem;          // the element a move moved
  int64_t delta = 0;  // a counter's change
  std::vector<seq::IdRange> ids;  // characters or elements inserted or deleted; dots removed
};
using UndoStep = std::vector<UndoEntry>;
struct Undo {
  uint32_t max_steps = 100;
  std::vector<UndoStep> undos, redos;
  UndoStep open;              // the step being captured
  UndoStep* target = &open;   // where entries go (an undo records its own inverse as a redo step)
  std::map<OpId, OpId> remap;  // an id undo or redo re-created -> its newest copy
  size_t fence = 0;           // entries of `target` before a checkpoint: later ones do not merge into them
  // The last entry, if a new one of `kind` on that field may merge into it.
  UndoEntry* last(UndoKind kind, const Bytes& path, const GeneInfo* g, uint32_t field) {
    UndoEntry* e = target->size() > fence ? &target->back() : nullptr;
    return e && e->kind == kind && e->field == field && e->gene == g && e->path == path ? e : nullptr;
  }
  __attribute__((noinline)) OpId follow(OpId id) const {
    for (auto it = remap.find(id); it != remap.end(); it = remap.find(id)) id = it->second;  // new ids are newer: it ends
    return id;
  }
  void map(OpId from, OpId to) {
    if (!from.is_null() && from != to) remap[from] = to;
  }
  // Closes the step being captured: a new step makes what was undone unreachable.
  void close() {
    if (open.empty()) return;
    undos.push_back(std::move(open));
    open.clear();
    fence = 0;
    redos.clear();
    if (undos.size() > max_steps) undos.erase(undos.begin());
  }
};

// A local op on field `field` of `gene` (doc_access.cpp).
Op make_op(OpId id, const Bytes& path, const Keys& keys, const GeneInfo* gene, uint32_t field, OpKind kind,
           Bytes payload);

// set_remove and map_delete: the value (or key) and the adds it removes, the
// dots this replica observed. One body for both, a smaller module. (A
// template: Doc::Impl is private to Doc, and deduction does not name it.)
template <class I>
Status remove_observed(I& d, const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value,
                       const std::set<OpId>& dots, OpKind kind) {
  Writer w;
  w.bytes(value.data(), value.size());
  w.varint(dots.size());
  for (OpId dot : dots) write_id(w, dot);
  return d.commit_local(make_op(d.next_id(), path, d.keys, gene, field, kind, w.take()));
}

}  // namespace internal

// ------------------------------------------------------------ Doc

struct Doc::Impl {
  // The functions defined out of line are in the file of their role, each
  // with its comment: the change log's in doc_log.cpp (most of them), the
  // wire formats' in doc_wire.cpp, split_texts, summary and the frozen
  // documents' in doc_sync.cpp, seal_personal in doc_access.cpp, and the undo
  // recording in doc_undo.cpp.
  const GeneInfo* gene;
  const SequenceSupport* seqs;                // null: the schema has no rga/peritext field
  const StrategySupport* const* strategies;   // GeneInfo::strategies (native: every strategy when null)
  uint64_t actor;
  uint64_t clock = 0;                         // largest lamport seen
  std::map<uint64_t, uint64_t> version;       // actor -> changes applied
  std::vector<Change> log;                    // in application order
  // Per actor, the log positions of its changes in seq order (seq s at
  // [s - 1]): changes_since() finds what a peer lacks without a scan of the
  // whole history, which made each sync slower as the history grew.
  std::map<uint64_t, std::vector<uint32_t>> positions;
  // The version (our own entry left out) when our previous change started.
  // A new change lists as dependencies only the entries that grew since: the
  // rest are implied by that previous change, which every replica applies
  // first. Empty (= list everything) after a rebuild or load.
  std::map<uint64_t, uint64_t> deps_at_last_change;
  // Received changes waiting for what they depend on, by (actor, seq), and
  // for each requirement (actor, seq: "version[actor] reaches seq") the held
  // changes waiting for it. A change is looked at again only when what it
  // waits for arrives, so out-of-order delivery costs near-linear time (a
  // rescan of every held change per pass was quadratic).
  //
  // One (actor, seq) may have several candidates: a forged change claiming
  // an actor's next seq, waiting for something that never comes, must not
  // hide the genuine change (FORMAT.md, "Change identity").
  using ChangeKey = std::pair<uint64_t, uint64_t>;
  struct Held {
    Change change;
    uint64_t batch;  // the receive() it arrived in (refused with it while that one runs)
  };
  uint64_t batch = 1;  // the receive() under way (0: none; replays)
  bool fresh(const Held& h) const { return h.batch == batch; }
  std::map<ChangeKey, std::vector<Held>> held;
  std::map<ChangeKey, std::vector<ChangeKey>> blocked_on;
  // What is held, for the caps (a peer cannot make us hold without bound).
  size_t held_changes = 0;
  size_t held_bytes = 0;
  std::map<uint64_t, uint64_t> held_per_actor;
  static constexpr size_t kMaxHeldChanges = 65536;
  static constexpr size_t kMaxHeldPerActor = 32768;
  static constexpr size_t kMaxHeldBytes = size_t{64} << 20;
  // Forks: changes with the (actor, seq) of a change in the log and other
  // content (an actor id shared by two devices, a restored backup, a forger).
  // Every replica keeps, of each fork, the candidate with the lowest
  // (digest, canonical bytes) that does not itself depend on that slot, so
  // all converge; the others are kept here, reported by pending().
  std::vector<Change> forks;
  std::vector<Held> contenders;  // forks found while draining, settled after (settle())
  bool forky_batch = false;       // the receive() under way carries a fork (see receive())
  static constexpr size_t kMaxForks = 64;
  // Per actor, the largest op lamport applied: an actor's op ids never
  // repeat, even across its changes (a reused id with a concurrent remove
  // made replicas diverge).
  std::map<uint64_t, uint64_t> actor_last;
  // Per log position, the chain digest of its actor after that change
  // (SHA-256 of the previous chain digest and of the change's canonical
  // bytes; all zeros: not computed yet), computed on demand for version()
  // and changes_since(); cleared when the log changes under it (rebuild).
  mutable std::vector<dolc::rt::ChainDigest> chains;
  // The same with the 64-bit FNV-1a chains of version vectors of format 2,
  // which apps may have stored from older releases: computed only when such
  // a version is compared (changes_since).
  mutable std::vector<uint64_t> legacy_chains;
  // Per log position, whether the change is past a fork: its actor forked at
  // or before its seq, or it depends on such a change. Past a fork, ops that
  // do not fit are skipped (apply_change), and whether one fits can depend on
  // the order in which such changes applied (the two sides' ids collide). So
  // they apply in one order on every replica, (effective lamport, actor, seq):
  // when one arrives after a larger one applied, receive() replays the log in
  // that order (replay_in_canonical_order). Changes not past a fork only
  // name what their causal past made, and apply the same in any order.
  std::vector<uint8_t> tainted;
  // Per log position, the change's effective lamport (effective_of): the
  // lamport that canonical order goes by.
  std::vector<uint64_t> effective;
  std::tuple<uint64_t, uint64_t, uint64_t> largest_tainted{};
  bool tainted_out_of_order = false;
  // Whether a change past a fork skipped an op since the state was last
  // built from nothing (sticky until then: a baseline keeps it). Only then
  // can the order of a change not past the fork matter (append).
  bool skipped_past_fork = false;
  // Log positions (from the receive() under way's start) applied from fresh
  // candidates: a refused apply() holds again the others it applied.
  std::vector<uint8_t> applied_fresh;
  std::unique_ptr<Object> root;
  bool open_change = false;                   // the last log entry is ours and may still grow
  Keys keys;                                  // field keys: ops and paths name fields by key id
  std::vector<Conflict> conflicts;            // older writes no migration could convert (derived from the log)
  Events ev;                                  // change events (take_events)
  // @personal: the subject keys this replica holds (created by the first
  // set_personal_key, so modules without @personal fields link no cipher)
  // and the subject whose key seals this replica's writes.
  std::unique_ptr<PersonalKeys> personal;
  std::string personal_subject;
  ApplyContext context() { return ApplyContext{&keys, seqs, strategies, &conflicts, ev.active(), personal.get()}; }
  Result<Bytes> seal_personal(const GeneInfo* g, const FieldInfo& info, const Bytes& plain);
  // Starts an event entry for a local sequence op on (path, gene, field):
  // null when nobody records.
  Events* local_event(const Bytes& path, const GeneInfo* g, uint32_t field) {
    Events* e = ev.active();
    return e && event_path(*e, path, g->fields[field]) ? e : nullptr;
  }
  // Undo history (null until an undo manager is made: recording costs a test).
  std::unique_ptr<Undo> undo;
  // A new entry for the local op just logged, or null when nothing records.
  // (Out of line, as the other helpers here: every op calls them.)
  // (A template on the kind, so that each recording site links its own
  // kind's inverse only: InvertFn.)
  template <UndoKind K>
  UndoEntry* record(const Bytes& path, const GeneInfo* g, uint32_t field) {
    return record_as(K, &invert_entry<inverse_of(K), Impl>, path, g, field);
  }
  __attribute__((noinline)) UndoEntry* record_as(UndoKind kind, InvertFn invert, const Bytes& path, const GeneInfo* g,
                                                 uint32_t field);
  __attribute__((noinline)) void note_counter(const Bytes& path, const GeneInfo* g, uint32_t field, int64_t delta);
  template <UndoKind K>
  void note_ids(const Bytes& path, const GeneInfo* g, uint32_t field, const std::vector<seq::IdRange>& ids) {
    note_ids_as(K, &invert_entry<inverse_of(K), Impl>, path, g, field, ids);
  }
  // One range: builds the vector only when an undo manager records (every
  // insert of a typing loop comes here; the allocation showed in profiles).
  template <UndoKind K>
  void note_ids(const Bytes& path, const GeneInfo* g, uint32_t field, const seq::IdRange& one) {
    if (undo) note_ids_as(K, &invert_entry<inverse_of(K), Impl>, path, g, field, {one});
  }
  __attribute__((noinline)) void note_ids_as(UndoKind kind, InvertFn invert, const Bytes& path, const GeneInfo* g,
                                             uint32_t field, const std::vector<seq::IdRange>& ids);

  // The last op of the open change when it is a local text insert or delete,
  // kept decoded so that a typing run extends it instead of adding one op
  // per keystroke (run-length merged ops: the saved size of a document
  // written by hand shrinks by an order of magnitude, and loads faster).
  // The run's op payload is encoded once, when the run ends (end_run), not
  // per keystroke: re-encoding a growing run each time was quadratic in it.
  struct TextRun {
    bool active = false;
    bool dirty = false;  // the op in the log is older than `ins`/`del`
    bool is_insert = false;
    seq::TextInsertOp ins;
    seq::DeleteOp del;
  };
  TextRun run;
  static constexpr size_t kMaxRun = 4096;
  // The counters incremented in the open change, each with its op there
  // (one per direction): later increments of the same counter in the same
  // direction add to that op (Doc::counter_add). Cleared when the change
  // closes or may be cut (a checkpoint), never by the change's own ops.
  struct CounterOp {
    Field* field;
    bool up;
    size_t op;    // index in the open change's ops
    int64_t sum;  // its delta so far
  };
  std::vector<CounterOp> counter_ops;

  // Whether `op` continues the open insert run: same object and field, next
  // ids, chained origins (typing on from where the run ends).
  bool extends_run(const Bytes& path, uint32_t field, const seq::TextInsertOp& op) const {
    if (!run.active || !run.is_insert || !open_change || log.empty() || log.back().ops.empty()) return false;
    const Op& last = log.back().ops.back();
    const seq::TextInsertOp& r = run.ins;
    uint64_t end = r.id.lamport + r.text.size();
    return last.field == field && last.path == path && op.id.lamport == end && op.id.actor == r.id.actor &&
           op.origin_left == OpId{end - 1, r.id.actor} && op.origin_right == r.origin_right &&
           r.text.size() + op.text.size() <= kMaxRun;
  }

  Impl(const GeneInfo* g, uint64_t a)
      : gene(g), seqs(g->sequences), strategies(strategies_of(g)), actor(a), root(std::make_unique<Object>(g)) {
    keys.add_gene(g);
  }

  // ----- frozen documents (snapshot.hpp)
  //
  // A document loaded from bytes with a snapshot is frozen: `root` is empty,
  // `version`, `actor_last` and `clock` come from the snapshot's summary, and
  // `frozen` keeps the bytes. Reads the snapshot answers are answered from
  // it; every other call thaws first: the saved history replays into a live
  // document (load_history), which replaces this one's state.
  std::unique_ptr<FrozenView> frozen;
  std::string thaw_error;  // why the saved history did not replay (the document then stays frozen)
  bool thaw();
  // Out of line, so that each API call pays a call rather than the code:
  // why a call that needs the history failed (thaw() was false),
  __attribute__((noinline)) Failure thaw_failure() const { return Failure{thaw_error}; }
  // the field of a call that edits or reads the live document (null: no such
  // object, or a frozen document whose history does not replay),
  __attribute__((noinline)) Field* live_field(const Bytes& path, const GeneInfo* g, uint32_t field) {
    return thaw() ? field_at(root.get(), keys, path, g, field) : nullptr;
  }
  // and the failure to report for a null live_field().
  __attribute__((noinline)) Failure no_object() const { return thaw_error.empty() ? kNoObject : thaw_failure(); }
  // The frozen value of a field when a read can be answered from the
  // snapshot (at any path it holds); otherwise null, the document thawed
  // first (when it can).
  const FrozenField* cold(const Bytes& path, const GeneInfo* g, uint32_t field, SnapKind kind) {
    if (!frozen) return nullptr;
    auto field_of = [](const void* k, const GeneInfo* in, uint64_t key) { return static_cast<const Keys*>(k)->field_of(in, key); };
    if (const FrozenField* z = frozen->field(path, g, field, kind, field_of, &keys)) return z;
    thaw();
    return nullptr;
  }
  // Builds this (new, empty) document from saved bytes by replaying their history.
  Status load_history(const Bytes& saved);
  // Makes this (new, empty) document a frozen one when `saved` has a usable snapshot.
  Result<bool> open_frozen(const Bytes& saved);
  std::vector<uint8_t> split_texts() const;
  SnapshotSummary summary() const;

  // Wire formats (FORMAT.md), defined with Doc's blob functions (doc_wire.cpp).
  Bytes encode(const uint8_t magic[2], const std::vector<const Change*>& changes, bool with_forks,
               const Bytes* snapshot = nullptr, const TextSplit* split = nullptr) const;
  Status decode(const uint8_t magic[2], const Bytes& blob, std::vector<Change>* out, const char* what);
  bool convert_v1_op(Op* op, uint64_t position);

  void end_run(bool change_goes_on = false);

  bool ready(const Change& c) const;
  bool known(const Change& c) const;

  bool apply_change(const Change& c);

  void append(Change c);
  bool is_tainted(const Change& c) const;

  void rebuild(size_t changes, size_t ops_in_last);

  // ----- the baseline: what rebuild() starts from when it can (see there)
  static constexpr size_t kBaselineMinOps = 1024;
  //
  // Invariant: the baseline holds the state that applying log[0..changes)
  // in log order gives, with the forks known now. So it is dropped when
  // the log changes before `changes` (a rebuild that cuts there, a replay
  // that reorders there) and when a fork of one of those entries' slots is
  // added or leaves `forks` (which changes what is past a fork among them,
  // or swaps the logged change: fork_moved). Forked documents keep one
  // after every replay in canonical order, whatever their size.
  struct Baseline {
    size_t changes = 0;  // the log entries it holds the state after
    // Whether log[0..changes) ascend in canonical order (key_at): then a
    // replay in canonical order can start from here (canonical_start).
    bool ascends = false;
    std::unique_ptr<Object> root;
    std::map<uint64_t, uint64_t> version, actor_last;
    std::vector<Conflict> conflicts;
    uint64_t clock = 0;
    std::tuple<uint64_t, uint64_t, uint64_t> largest_tainted{};
  };
  std::unique_ptr<Baseline> baseline;  // null: none (until a costly rebuild or a replay in canonical order)
  uint64_t replayed_ops = 0;           // Doc::replayed_ops
  size_t receive_start = SIZE_MAX;     // the log's size when the receive() under way began (none: SIZE_MAX)
  void keep_baseline(bool ascends);
  size_t restore_baseline();
  // The order a replay in canonical order applies changes in: (effective
  // lamport, actor), and whether log[from - 1..to) ascend in it.
  //
  // A change's effective lamport is its first op's lamport, raised above
  // the effective lamport of every change it depends on (its author's
  // previous change and its dependencies, as this replica holds them). For
  // a change this runtime made it is its first lamport, which is above
  // everything its author had seen. Past a fork it may not be: a change
  // made on the side that lost here depends on the change that holds the
  // slot here, which its author never saw, and whose lamports may be far
  // above its own (a restored backup whose other device had received much).
  // Ordered by first lamport alone, such a change waited in the replay
  // until everything after it had applied, the log stopped ascending, and
  // every later replay started from nothing (FORMAT.md, "Past a fork").
  // `effective_at(p)` gives the effective lamport of log[p] (a dependency).
  template <class EffectiveAt>
  uint64_t effective_of(const Change& c, EffectiveAt effective_at) const {
    // Our own new change has no ops yet: its first will be clock + 1.
    uint64_t eff = c.ops.empty() ? clock + 1 : c.ops[0].id.lamport;
    auto above = [&](uint64_t a, uint64_t s) {
      auto at = positions.find(a);
      if (s == 0 || at == positions.end() || s > at->second.size()) return;
      eff = std::max(eff, effective_at(at->second[s - 1]) + 1);
    };
    above(c.actor, c.seq - 1);
    for (const auto& [a, s] : c.deps) above(a, s);
    return eff;
  }
  uint64_t effective_in_log(const Change& c) const {
    return effective_of(c, [&](size_t p) { return effective[p]; });
  }
  std::vector<uint64_t> effective_from(size_t from) const;
  ChangeKey key_at(size_t i) const { return ChangeKey{effective[i], log[i].actor}; }
  bool ascending(size_t from, size_t to) const;

  Status commit_local(Op op, uint64_t span = 1, bool applied = false);

  OpId next_id() const { return OpId{clock + 1, actor}; }
  // Whether `span` more lamports would pass the clock's bound (a hostile op
  // can push the clock there: the document then refuses edits, and stays
  // readable and in sync). Checked before a sequence op changes anything.
  bool exhausted(uint64_t span) const { return clock > kMaxLamport - span; }

  uint64_t version_of(uint64_t a) const {
    auto it = version.find(a);
    return it == version.end() ? 0 : it->second;
  }
  bool first_unmet(const Change& c, ChangeKey* need) const;

  // ----- held changes and forks (FORMAT.md, "Change identity")

  static size_t weight(const Change& c) {
    size_t w = sizeof(Change) + c.deps.size() * 16;
    for (const Op& op : c.ops) w += sizeof(Op) + op.path.size() + op.payload.size();
    return w;
  }
  void hold(Change c, uint64_t in_batch);
  Change unhold(std::vector<Held>& list, size_t i);
  bool holds(const Change& c) const;
  const Change& logged(uint64_t a, uint64_t s) const { return log[positions.at(a)[s - 1]]; }
  bool fork_touched(uint64_t who) const;
  dolc::rt::ChainDigest forks_digest() const;
  uint64_t legacy_forks_digest() const;
  bool past_a_fork(const Change& c) const;
  bool forked(const Change& c) const;

  Bytes canonical(const Change& c) const;
  uint64_t digest(const Change& c) const;
  dolc::rt::Sha256Digest content_hash(const Change& c) const;
  bool preferred(const Change& a, const Change& b) const;
  dolc::rt::ChainDigest chain_at(uint64_t a, uint64_t s) const;
  uint64_t legacy_chain_at(uint64_t a, uint64_t s) const;
  template <class Digest, class Link>
  Digest walk_chain(uint64_t a, uint64_t s, std::vector<Digest>& cache, Link link) const;
  bool depends_on_slot(const Change& c, uint64_t a, uint64_t s, bool own_chain = false) const;

  bool drain(std::vector<ChangeKey> queue);

  void replay_in_canonical_order();
  size_t canonical_start() const;
  void fork_moved(uint64_t a, uint64_t s);
  // During a replay in canonical order: keeps the new baseline just before
  // the change that goes at `cut_at` or after it (drain() calls this before
  // applying each change), if the entries before it ascend.
  ChangeKey cut_at{};
  ChangeKey fork_point{UINT64_MAX, UINT64_MAX};  // the lowest slot settle() found a fork of, since the last replay
  bool cut_pending = false;
  size_t replay_from = 0;  // where the replay under way started (entries before it ascend)
  void cut_due(const Change& c);

  void settle();

  Status receive(std::vector<Change> incoming);
  Status receive_batch(std::vector<Change> incoming);
};

}  // namespace dolc_gen
