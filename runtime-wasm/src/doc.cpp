// runtime-wasm/src/doc.cpp: documents — the change log, causal delivery,
// sync, storage, and every field kind's merge rule. Implements
// dolc_gen::Doc, the interface generated code calls (declared in
// compiler/lower/support/dolc_gen_rt.hpp, which dolc writes next to the
// generated sources).
//
// Model (runtime-wasm/README.md has the full story, FORMAT.md the bytes):
//  * Every edit is an operation with an OpId (lamport, actor). Local edits
//    are applied at once and appended to the change log; consecutive local
//    operations share one change until something is exported or applied.
//  * A change carries its actor, its sequence number and its dependencies
//    (the version vector when it was started). A replica applies a change
//    only when it has everything the change depends on; earlier arrivals
//    wait in `pending_`. Re-delivered changes are ignored (idempotence).
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
constexpr uint8_t kMagicChanges[2] = {'D', 'C'};
constexpr uint8_t kMagicSave[2] = {'D', 'S'};
constexpr uint8_t kMagicVersion[2] = {'D', 'V'};
constexpr size_t kMaxKeys = 4096;  // field keys a document's table may hold

Failure fail(const char* message) { return Failure{message}; }
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p.data(), p.size());
  return out;
}
const Failure kClockExhausted{"refused: the document's clock reached its bound (2^62); it cannot take more edits"};

}  // namespace

namespace {

using namespace internal;

// Reads one change of the row formats (2 and 1). Format 2: keys are blob indexes, mapped through
// `blob_keys` to document key ids. Format 1: fields are positions and paths
// positional steps; `v1` converts them (see Impl::convert_v1_op).
template <class ConvertV1>
bool decode_change(Reader& r, Change* c, uint8_t format, const std::vector<uint32_t>& blob_keys, ConvertV1&& v1) {
  c->actor = r.varint();
  c->seq = r.varint();
  uint64_t ndeps = r.count(2);
  c->deps.clear();
  for (uint64_t i = 0; i < ndeps && r.ok(); ++i) {
    uint64_t a = r.varint();
    uint64_t s = r.varint();
    c->deps.emplace_back(a, s);
  }
  uint64_t nops = r.count(5);
  c->ops.clear();
  c->ops.reserve(static_cast<size_t>(nops));
  uint64_t prev = 0;
  for (uint64_t i = 0; i < nops && r.ok(); ++i) {
    Op op;
    uint64_t delta = r.varint();
    if (i > 0 && delta == 0) return false;  // op ids of one change are distinct
    op.id.lamport = prev + delta;
    // Lamports have a bound, far above any real history, so that the clock
    // can never wrap (a wrapped clock would reuse ids and lose the document).
    if (op.id.lamport < prev || op.id.lamport > kMaxLamport) return false;
    prev = op.id.lamport;
    op.id.actor = c->actor;
    std::string_view path = r.bytes_view();
    op.path.assign(path.begin(), path.end());
    uint64_t field = r.varint();
    uint8_t kind = r.u8();
    if (!r.ok() || kind < 1 || kind > 15) return false;
    op.kind = static_cast<OpKind>(kind);
    std::string_view payload = r.bytes_view();
    op.payload.assign(payload.begin(), payload.end());
    if (format == kFormatV1) {
      if (!v1(&op, field)) return false;
    } else {
      if (field >= blob_keys.size()) return false;
      op.field = blob_keys[static_cast<size_t>(field)];
      if (!op.path.empty() && !remap_path(Bytes(op.path), &op.path, nullptr, &blob_keys)) return false;
    }
    c->ops.push_back(std::move(op));
  }
  return r.ok() && c->actor != 0 && c->seq != 0 && c->seq <= kMaxLamport && !c->ops.empty() &&
         c->ops[0].id.lamport != 0;
}

// Framing of every blob: magic, format version, body, checksum32 of the body.
Bytes frame(const uint8_t magic[2], const Bytes& body, uint8_t version = kFormatVersion) {
  Writer w;
  w.u8(magic[0]);
  w.u8(magic[1]);
  w.u8(version);
  w.raw(body.data(), body.size());
  uint32_t sum = dolc::rt::checksum32(body.data(), body.size());
  for (int i = 0; i < 4; ++i) w.u8(static_cast<uint8_t>(sum >> (8 * i)));
  return w.take();
}

// Checks magic and checksum; `*version` receives the format version byte.
bool unframe(const uint8_t magic[2], const Bytes& blob, Bytes* body, uint8_t* version) {
  if (blob.size() < 7 || blob[0] != magic[0] || blob[1] != magic[1]) return false;
  *version = blob[2];
  size_t n = blob.size() - 7;
  const uint8_t* b = blob.data() + 3;
  uint32_t sum = 0;
  for (int i = 0; i < 4; ++i) sum |= static_cast<uint32_t>(blob[3 + n + static_cast<size_t>(i)]) << (8 * i);
  if (dolc::rt::checksum32(b, n) != sum) return false;
  body->assign(b, b + n);
  return true;
}

// ------------------------------------------------------------ field states

}  // namespace

namespace internal {

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

Object::Object(const GeneInfo* g) : gene(g), fields(g->field_count) {
  for (uint32_t i = 0; i < g->field_count; ++i) {
    const FieldInfo& f = g->fields[i];
    if (f.strategy == Strategy::Rga) fields[i].list = std::make_unique<List>();
    if (f.strategy == Strategy::Peritext) fields[i].text = std::make_unique<seq::Text>();
    if (f.strategy == Strategy::Nested && f.nested) fields[i].nested = std::make_unique<Object>(f.nested);
  }
}

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
constexpr uint64_t kCreatedBytesPerByte = 64;
const char* const kOverCap = "refused: an operation creates nested objects out of proportion to its size (FORMAT.md)";
// Set when an op over the cap was refused, so that apply/merge/load can say
// why (the change log's refusal says only "does not fit").
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

// Starts an entry for field `last` of the object at `path`.
bool event_path(Events& ev, const Bytes& path, const FieldInfo& last) {
  ev.cur.path = path;
  ev.cur.field = &last;
  return true;
}

// `{"obj":"<path in hex>","path":[API names, list indexes, map keys as JSON]`
// for an entry, in the current state; false when the object is gone.
bool render_path(const Events::Entry& e, Object* root, const Keys& keys, std::string& out) {
  out += "{\"obj\":\"";  // the object's path: what subscriptions of nested objects filter on
  for (uint8_t b : e.path) {
    out += "0123456789abcdef"[b >> 4];
    out += "0123456789abcdef"[b & 15];
  }
  out += "\",\"path\":[";
  Reader r(e.path);
  Object* obj = root;
  while (!r.at_end()) {
    uint64_t v = r.varint();
    uint64_t tag = v & 3;
    OpId id;
    std::string_view key;
    if (tag == kStepElement) id = read_id(r);
    if (tag == kStepEntry) key = r.bytes_view();
    int fi = r.ok() && obj ? keys.field_of(obj->gene, v >> 2) : -1;
    if (fi < 0) return false;
    const FieldInfo& info = obj->gene->fields[fi];
    Field& f = obj->fields[static_cast<size_t>(fi)];
    out += json_string(info.api ? info.api : info.name);
    obj = nullptr;
    if (tag == kStepNested) {
      obj = f.nested.get();
    } else if (tag == kStepElement && f.list) {
      size_t at = 0;
      auto it = f.list->children.find(id);
      if (it != f.list->children.end() && f.list->items.index_of(id, &at)) obj = it->second.get();
      out += ',';
      out += decimal(uint64_t{at});
    } else if (tag == kStepEntry) {
      Bytes k(key.begin(), key.end());
      auto it = f.map.entries.find(k);
      if (it != f.map.entries.end() && !it->second.dots.empty()) obj = it->second.child.get();
      out += ',';
      out += info.key_json ? info.key_json(k) : json_string(std::string(key));
    }
    out += ',';
  }
  out += json_string(e.field->api ? e.field->api : e.field->name);
  out += "]";
  return obj != nullptr;
}

// A value as JSON, by the field's function (null when it has none).
std::string event_value(const FieldInfo& info, const Bytes& v) {
  return info.value_json ? info.value_json(v) : std::string("null");
}

// A multi-value register's values as a JSON array.
std::string mv_json(const FieldInfo& info, const MvRegister& mv) {
  if (mv.values.empty() && info.default_json) return "[" + info.default_json() + "]";
  std::string out = "[";
  for (auto& [id, x] : mv.values) out += (out.size() > 1 ? "," : "") + event_value(info, x);
  return out + "]";
}

void counter_event(Events& ev, int64_t from, int64_t to) {
  if (from != to) ev.add(cat({",\"kind\":\"counter\",\"from\":", decimal(from), ",\"value\":", decimal(to)}));
}

void map_event(Events& ev, const FieldInfo& info, const Bytes& key, const char* change) {
  ev.add(cat({",\"kind\":\"map\",\"key\":", info.key_json ? info.key_json(key) : json_string(std::string(key.begin(), key.end())),
              ",\"op\":\"", change, "\""}));
}

// The marks inserted text takes from where it lands (typed inside or at the
// growing end of a bold run, it is bold), as `,"attributes":{...}` for its
// event, or "" when it has none (always "" for a text without marks).
std::string inserted_marks(const seq::Text& text, size_t at) {
  std::string out;
  for (const auto& [name, value] : text.marks_at(at))
    out += (out.empty() ? ",\"attributes\":{" : ",") + json_string(name) + ":" + json_string(value);
  return out.empty() ? out : out + "}";
}

// Visible positions (before the op applies) of the ids a delete names, as
// `{"at":p,"delete":n}` entries from the last run to the first, so each
// position holds when its entry applies. False: too many to look at.
template <class Seq>
bool record_deletes(Events& ev, const Seq& seq, const seq::DeleteOp& del, const char* kind) {
  std::map<uint64_t, uint64_t> at;  // an ordered set of positions
  for (const seq::IdRange& rg : del.ranges) {
    if (rg.len > seq.size() + 1024) return false;
    for (uint32_t k = 0; k < rg.len; ++k) {
      size_t i = 0;
      if (seq.index_of(OpId{rg.first.lamport + k, rg.first.actor}, &i)) at[i] = 0;
    }
  }
  for (auto it = at.rbegin(); it != at.rend();) {
    uint64_t end = it->first, n = 0;
    while (it != at.rend() && it->first == end - n) ++n, ++it;
    ev.add(cat({",\"kind\":\"", kind, "\",\"at\":", decimal(end + 1 - n), ",\"delete\":", decimal(n)}));
  }
  return true;
}

// Lists of genes report "objects" (their elements are read through the list).
const char* list_kind(const FieldInfo& info) { return info.nested ? "objects" : "list"; }

// A move, once applied: the element leaves `from` and arrives where it is now.
void list_move_event(Events& ev, const seq::RgaList& items, const FieldInfo& info, OpId element, size_t from,
                     const Bytes* value) {
  size_t to = 0;
  if (!items.index_of(element, &to) || to == from) return;
  ev.add(cat({",\"kind\":\"", list_kind(info), "\",\"at\":", decimal(uint64_t{from}), ",\"delete\":1"}));
  ev.add(cat({",\"kind\":\"", list_kind(info), "\",\"at\":", decimal(uint64_t{to}), ",\"insert\":[",
              info.nested || !value ? "null" : event_value(info, *value), "]"}));
}

void mark_event(Events& ev, size_t start, size_t end, const seq::MarkOp& op) {
  if (end <= start) return;
  ev.add(cat({",\"kind\":\"text\",\"at\":", decimal(uint64_t{start}), ",\"retain\":", decimal(uint64_t{end - start}),
              ",\"attributes\":{", json_string(op.name), ":", op.remove ? "null" : json_string(op.value), "}"}));
}

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

namespace {

StepTag tag_of(Strategy s) {
  return s == Strategy::Rga ? kStepElement : s == Strategy::OrMap ? kStepEntry : kStepNested;
}

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

bool visible(const MapEntry& e) { return !e.dots.empty() && e.tombs.empty(); }

std::vector<OpId> read_ids(Reader& r) {
  std::vector<OpId> ids;
  uint64_t n = r.count(2);
  for (uint64_t i = 0; i < n && r.ok(); ++i) ids.push_back(read_id(r));
  return ids;
}

}  // namespace

namespace internal {
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

namespace {
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
}  // namespace

namespace {

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

enum class Applied { Yes, Foreign, Bad };
bool apply_known(Object* obj, uint32_t field, const Op& op, uint64_t* span, const ApplyContext& cx);

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

namespace {

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
// How an entry is undone: invert_entry<kind> (with the undo code, below),
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

}  // namespace

namespace {
// The field `field` of `gene` at `path`, or null when there is no such object.
Field* field_at(Object* root, const Keys& keys, const Bytes& path, const GeneInfo* gene, uint32_t field) {
  Object* obj = resolve(root, keys, path);
  if (!obj || obj->gene != gene || field >= gene->field_count) return nullptr;
  return &obj->fields[field];
}
const Failure kNoObject{"the object does not exist (deleted, or a path from another document)"};
}  // namespace

// ------------------------------------------------------------ Doc

namespace {
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
}  // namespace

struct Doc::Impl {
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
  // they apply in one order on every replica, (first op lamport, actor, seq):
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
  // Starts an event entry for a local sequence op on (path, gene, field):
  // null when nobody records.
  // A local write's value for @personal field `info`, sealed for the current subject.
  Result<Bytes> seal_personal(const GeneInfo* g, const FieldInfo& info, const Bytes& plain) {
    std::string field = cat({"`", info.name, "` is @personal"});
    if (personal_subject.empty())
      return Failure{cat({field, ": give the document a subject's key first (setPersonalKey(subject, key))"})};
    if (!personal || !personal->has(personal_subject))
      return Failure{cat({field, " and the key of subject `", personal_subject,
                          "` is not held (forgotten?): set it again, or choose another subject"})};
    std::optional<Bytes> sealed = personal->seal(personal_subject, personal_aad(g, info), plain);
    if (!sealed) return Failure{cat({field, ": the key of `", personal_subject, "` sealed 2^32 values; set it again to renew its nonces"})};
    return std::move(*sealed);
  }
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
                                                 uint32_t field) {
    if (!undo || log.empty() || log.back().ops.empty()) return nullptr;
    undo->target->push_back(UndoEntry{kind, invert, field, g, uint64_t{log.size()} << 32 | (log.back().ops.size() - 1),
                                      path, {}, {}, false, {}, {}, {}, 0, {}});
    return &undo->target->back();
  }
  // Counter changes and typing runs add to the step's last entry for the field.
  __attribute__((noinline)) void note_counter(const Bytes& path, const GeneInfo* g, uint32_t field, int64_t delta) {
    if (!undo) return;
    UndoEntry* e = undo->last(UndoKind::Counter, path, g, field);
    if (e && !__builtin_add_overflow(e->delta, delta, &e->delta)) return;
    if ((e = record<UndoKind::Counter>(path, g, field))) e->delta = delta;
  }
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
                                             uint32_t field, const std::vector<seq::IdRange>& ids) {
    if (!undo) return;
    UndoEntry* e = undo->last(kind, path, g, field);
    if (!e) e = record_as(kind, invert, path, g, field);
    if (!e) return;
    for (const seq::IdRange& r : ids) {
      seq::IdRange* back = e->ids.empty() ? nullptr : &e->ids.back();
      if (back && back->first.actor == r.first.actor && back->first.lamport + back->len == r.first.lamport)
        back->len += r.len;
      else if (back && back->first.actor == r.first.actor && r.first.lamport + r.len == back->first.lamport)
        back->first = r.first, back->len += r.len;  // backspace
      else
        e->ids.push_back(r);
    }
  }

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
  // The root texts a save keeps once (TextSplit), by root field index:
  // peritext fields that no migration writes into (converted text is not in
  // the history a reader replays), whose root inserts are all in canonical
  // bytes (a split insert is rebuilt from its decoded op).
  std::vector<uint8_t> split_texts() const {
    std::vector<uint8_t> out(gene->field_count);
    if (!seqs) return out;
    for (uint32_t i = 0; i < gene->field_count; ++i) {
      const FieldInfo& f = gene->fields[i];
      out[i] = f.strategy == Strategy::Peritext && snapshot_kind(f).has_value();
      for (uint32_t h = 0; h < gene->field_count; ++h)
        if (gene->fields[h].hidden && gene->fields[h].replaced_by == static_cast<int32_t>(i)) out[i] = false;
    }
    for (const Change& c : log)
      for (const Op& op : c.ops)
        if (op.kind == OpKind::TextInsert && op.path.empty()) {
          int fi = keys.field_of(gene, op.field);
          if (fi >= 0 && out[fi] && reads_as_text_insert(op) && !seqs->canonical_insert(op)) out[fi] = false;
        }
    return out;
  }
  // The summary a snapshot of this document carries.
  SnapshotSummary summary() const {
    SnapshotSummary s;
    s.clock = clock;
    for (auto& [a, seq] : version) {
      auto last = actor_last.find(a);
      s.actors.push_back(SnapshotActor{a, seq, last == actor_last.end() ? 0 : last->second, chain_at(a, seq)});
    }
    return s;
  }

  // Wire formats (FORMAT.md), defined with Doc's blob functions below.
  Bytes encode(const uint8_t magic[2], const std::vector<const Change*>& changes, bool with_forks,
               const Bytes* snapshot = nullptr, const TextSplit* split = nullptr) const;
  Status decode(const uint8_t magic[2], const Bytes& blob, std::vector<Change>* out, const char* what);
  bool convert_v1_op(Op* op, uint64_t position);

  // Ends the typing run, writing its final payload into its op (the last op
  // of the log). Called before anything reads, cuts or appends to the log.
  void end_run(bool change_goes_on = false) {
    if (!change_goes_on) counter_ops.clear();
    if (run.active && run.dirty && !log.empty() && !log.back().ops.empty()) {
      Writer w;
      // A run exists only after a text edit, which needs seqs (see kNoSequences).
      if (run.is_insert) seqs->encode_insert(w, run.ins);
      else seqs->encode_delete(w, run.del);
      log.back().ops.back().payload = w.take();
    }
    run.active = false;
    run.dirty = false;
  }

  bool ready(const Change& c) const {
    auto it = version.find(c.actor);
    uint64_t have = it == version.end() ? 0 : it->second;
    if (c.seq != have + 1) return false;
    for (auto& [a, s] : c.deps) {
      auto d = version.find(a);
      if ((d == version.end() ? 0 : d->second) < s) return false;
    }
    return true;
  }
  bool known(const Change& c) const {
    auto it = version.find(c.actor);
    return it != version.end() && c.seq <= it->second;
  }

  // Applies a whole change; false if any op does not fit (state then needs a rebuild).
  //
  // Past a fork (a change of a forked actor from the forked seq on, or one
  // that depends on a forked slot), an op that does not fit is skipped
  // instead: it may have been made on the side of the fork that lost here,
  // and refusing it would stall its author for good (FORMAT.md, "Change
  // identity").
  bool apply_change(const Change& c) {
    ApplyContext cx = context();
    uint64_t& actor_clock = actor_last[c.actor];
    int tolerant = -1;  // unknown until an op does not fit
    for (const Op& op : c.ops) {
      uint64_t span = 1;
      if (op.id.lamport <= actor_clock || apply_op(root.get(), op, &span, cx) == Applied::Bad) {
        if (tolerant < 0) tolerant = past_a_fork(c);
        if (!tolerant) return false;
        skipped_past_fork = true;
        continue;
      }
      uint64_t last = op.id.lamport + span - 1;
      if (last > kMaxLamport) return false;  // the clock may not pass its bound
      if (last > clock) clock = last;
      actor_clock = last;
    }
    version[c.actor] = c.seq;
    return true;
  }

  // Appends an applied change to the log (and its index).
  void append(Change c) {
    uint64_t eff = effective_of(c, [&](size_t p) { return effective[p]; });
    positions[c.actor].push_back(static_cast<uint32_t>(log.size()));
    effective.push_back(eff);
    bool past_fork = !forks.empty() && is_tainted(c);
    tainted.push_back(past_fork);
    if (past_fork) {
      auto key = std::make_tuple(eff, c.actor, c.seq);
      if (key < largest_tainted) tainted_out_of_order = true;
      else largest_tainted = key;
    } else if (skipped_past_fork && !forks.empty() && !c.ops.empty() &&
               std::make_tuple(eff, c.actor, c.seq) < largest_tainted) {
      // A change not past the fork that sorts before one past it that has
      // already applied, when such a one skipped an op: it may have named
      // this one's ids (a crafted change need not list what it names among
      // its dependencies), and a replica that got them in the other order
      // applied it. The replay in canonical order puts this one first, as
      // every replica does; without it replicas at one version differed.
      // (When nothing was skipped, every op of both applied, and the order
      // of ops that all apply does not change the state.)
      tainted_out_of_order = true;
    }
    log.push_back(std::move(c));
  }
  bool is_tainted(const Change& c) const {
    for (const Change& f : forks)
      if (f.actor == c.actor && c.seq >= f.seq) return true;
    auto tainted_at = [&](uint64_t a, uint64_t s) {
      auto at = positions.find(a);
      return s && at != positions.end() && s <= at->second.size() && at->second[s - 1] < tainted.size() &&
             tainted[at->second[s - 1]];
    };
    if (tainted_at(c.actor, c.seq - 1)) return true;
    for (const auto& [a, s] : c.deps)
      if (tainted_at(a, s)) return true;
    return false;
  }

  // Rebuilds the state from the first `changes` log entries (keeping
  // `ops_in_last` ops of the last): after a refused apply() (the batch may
  // have partly applied), a held change that no longer fits, or rollback().
  //
  // From the baseline (a copy of the state after its first entries) when
  // there is one that the kept entries extend: then only the entries after
  // it replay. Otherwise from nothing, and when that replayed at least
  // kBaselineMinOps ops a baseline is kept for next time. So a peer that
  // keeps sending blobs that decode but do not fit costs one replay of the
  // history, then a copy of the state and the few changes since per blob
  // (FORMAT.md, "Validation and atomicity").
  void rebuild(size_t changes, size_t ops_in_last) {
    end_run();
    ++ev.mute;
    log.resize(std::min(changes, log.size()));
    bool cut_last = !log.empty() && ops_in_last < log.back().ops.size();
    if (cut_last) log.back().ops.resize(ops_in_last);
    if (!log.empty() && log.back().ops.empty()) log.pop_back();
    // Chain digests name changes by log position: those the cut left as
    // they were stay (recomputing them hashed the whole history again).
    size_t unchanged = log.size() - (cut_last && !log.empty() ? 1 : 0);
    chains.resize(std::min(chains.size(), unchanged));
    legacy_chains.resize(std::min(legacy_chains.size(), unchanged));
    deps_at_last_change.clear();  // our last change may be gone: list full dependencies next time
    size_t from = 0;
    bool ascends = true;  // log[0..from) in canonical order (Baseline::ascends)
    if (baseline && baseline->changes <= unchanged) {
      ascends = baseline->ascends;
      from = restore_baseline();
    } else {
      root = std::make_unique<Object>(gene);
      version.clear();
      positions.clear();
      conflicts.clear();
      actor_last.clear();
      tainted.clear();
      effective.clear();
      largest_tainted = {};
      skipped_past_fork = false;
      clock = 0;
    }
    baseline.reset();
    // The new baseline's place: after every entry but a last one of ours,
    // which rollback() may reopen and grow (the copy would then be stale).
    // Nor past the start of a receive() under way, which may still be
    // refused back to it (a held change that no longer fits rebuilds in the
    // middle of one; a baseline past its start would then be of no use).
    size_t keep_at = std::min(log.size() - (!log.empty() && log.back().actor == actor ? 1 : 0), receive_start);
    // With forks known, a baseline that a replay in canonical order can
    // start from stays where it is: moved past later changes, it would be
    // behind the next change past the fork that arrives out of order, which
    // would then replay from nothing (a peer could alternate the two).
    if (from > 0 && ascends && !forks.empty()) keep_at = from;
    size_t replayed = 0;
    for (size_t i = from; i < log.size(); ++i) replayed += log[i].ops.size();
    replayed_ops += replayed;
    // (Restored from the baseline, the state moved out of it: it is kept
    // again, at the new place.)
    bool keep = from > 0 || replayed >= kBaselineMinOps;
    std::vector<Change> kept(std::make_move_iterator(log.begin() + static_cast<std::ptrdiff_t>(from)),
                             std::make_move_iterator(log.end()));
    log.resize(from);
    if (keep && keep_at == from) keep_baseline(ascends);
    for (Change& c : kept) {
      apply_change(c);
      append(std::move(c));
      ascends = ascends && ascending(log.size() - 1, log.size());
      if (keep && log.size() == keep_at) keep_baseline(ascends);
    }
    open_change = false;
    --ev.mute;
  }

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
  void keep_baseline(bool ascends) {
    baseline = std::make_unique<Baseline>(Baseline{log.size(), ascends, clone_object(*root, context()), version,
                                                   actor_last, conflicts, clock, largest_tainted});
  }
  // Moves the baseline's state in (the log already cut to its entries) and
  // returns how many entries that is; the baseline is gone.
  size_t restore_baseline() {
    size_t from = baseline->changes;
    root = std::move(baseline->root);
    version = std::move(baseline->version);
    actor_last = std::move(baseline->actor_last);
    conflicts = std::move(baseline->conflicts);
    clock = baseline->clock;
    largest_tainted = baseline->largest_tainted;
    for (auto it = positions.begin(); it != positions.end();) {
      auto v = version.find(it->first);
      if (v == version.end()) {
        it = positions.erase(it);
      } else {
        it->second.resize(static_cast<size_t>(v->second));
        ++it;
      }
    }
    tainted.resize(from);
    effective.resize(from);
    baseline.reset();
    return from;
  }
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
  ChangeKey key_at(size_t i) const { return ChangeKey{effective[i], log[i].actor}; }
  bool ascending(size_t from, size_t to) const {
    for (size_t i = from ? from : 1; i < to; ++i)
      if (!(key_at(i - 1) < key_at(i))) return false;
    return true;
  }

  // Starts or extends our open change and records `op`. Register, set, map
  // and counter ops are applied here through the same path as remote ops, so
  // local and remote edits cannot disagree; sequence ops were applied by the
  // sequence's own local method (`applied`), which uses `span` ids.
  Status commit_local(Op op, uint64_t span = 1, bool applied = false) {
    end_run(/*change_goes_on=*/true);
    if (op.id.lamport + span - 1 > kMaxLamport) return kClockExhausted;
    op.id.actor = actor;
    if (!open_change) {
      counter_ops.clear();  // they were ops of the previous change
      Change c;
      c.actor = actor;
      auto it = version.find(actor);
      c.seq = (it == version.end() ? 0 : it->second) + 1;
      for (auto& [a, s] : version) {
        if (a == actor) continue;
        auto before = deps_at_last_change.find(a);
        if (before == deps_at_last_change.end() || before->second < s) c.deps.emplace_back(a, s);
      }
      deps_at_last_change = version;
      deps_at_last_change.erase(actor);
      append(std::move(c));
      version[actor] = log.back().seq;
      open_change = true;
    }
    if (!applied && apply_op(root.get(), op, &span, context()) != Applied::Yes) {
      if (log.back().ops.empty()) {
        log.pop_back();
        tainted.pop_back();
        effective.pop_back();
        positions[actor].pop_back();
        deps_at_last_change.clear();
        auto it = version.find(actor);
        if (it != version.end() && it->second > 0) --it->second;
        if (it != version.end() && it->second == 0) version.erase(it);
        open_change = false;
      }
      return fail("the operation does not fit the document");
    }
    uint64_t last = op.id.lamport + span - 1;
    if (last > clock) clock = last;
    actor_last[actor] = last;
    log.back().ops.push_back(std::move(op));
    return {};
  }

  OpId next_id() const { return OpId{clock + 1, actor}; }
  // Whether `span` more lamports would pass the clock's bound (a hostile op
  // can push the clock there: the document then refuses edits, and stays
  // readable and in sync). Checked before a sequence op changes anything.
  bool exhausted(uint64_t span) const { return clock > kMaxLamport - span; }

  uint64_t version_of(uint64_t a) const {
    auto it = version.find(a);
    return it == version.end() ? 0 : it->second;
  }
  // The first thing `c` waits for: its author's previous change, then each
  // dependency. False when `c` is ready.
  bool first_unmet(const Change& c, ChangeKey* need) const {
    if (version_of(c.actor) + 1 < c.seq) {
      *need = {c.actor, c.seq - 1};
      return true;
    }
    for (auto& [a, s] : c.deps)
      if (version_of(a) < s) {
        *need = {a, s};
        return true;
      }
    return false;
  }

  // ----- held changes and forks (FORMAT.md, "Change identity")

  static size_t weight(const Change& c) {
    size_t w = sizeof(Change) + c.deps.size() * 16;
    for (const Op& op : c.ops) w += sizeof(Op) + op.path.size() + op.payload.size();
    return w;
  }
  void hold(Change c, uint64_t in_batch) {
    ++held_changes;
    held_bytes += weight(c);
    ++held_per_actor[c.actor];
    held[ChangeKey{c.actor, c.seq}].push_back(Held{std::move(c), in_batch});
  }
  Change unhold(std::vector<Held>& list, size_t i) {
    Change c = std::move(list[i].change);
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
    --held_changes;
    held_bytes -= weight(c);
    if (--held_per_actor[c.actor] == 0) held_per_actor.erase(c.actor);
    return c;
  }
  bool holds(const Change& c) const {
    auto it = held.find(ChangeKey{c.actor, c.seq});
    if (it != held.end())
      for (const Held& h : it->second)
        if (same_change(h.change, c)) return true;
    return false;
  }
  const Change& logged(uint64_t a, uint64_t s) const { return log[positions.at(a)[s - 1]]; }
  bool fork_touched(uint64_t who) const {
    for (const Change& f : forks)
      if (f.actor == who) return true;
    for (const Held& h : contenders)
      if (h.change.actor == who) return true;
    return false;
  }
  // The forks this replica knows, as one digest (all zeros: none), whatever
  // their order: SHA-256 of their content digests in ascending order. (Not
  // a sum or xor of digests: a set of forks with a chosen sum is easy to
  // find, and two replicas would then take different fork sets for equal.)
  dolc::rt::ChainDigest forks_digest() const {
    dolc::rt::ChainDigest out{};
    if (forks.empty()) return out;
    std::vector<dolc::rt::Sha256Digest> each;
    // Ascending; insertion sort: at most kMaxForks digests, and std::sort of
    // 32-byte arrays would add 1 KB of code to every module.
    for (const Change& f : forks) {
      dolc::rt::Sha256Digest d = content_hash(f);
      auto at = each.begin();
      while (at != each.end() && *at < d) ++at;
      each.insert(at, d);
    }
    dolc::rt::Sha256 h;
    for (const auto& d : each) h.update(d.data(), d.size());
    dolc::rt::Sha256Digest full = h.finish();
    for (size_t i = 0; i < out.size(); ++i) out[i] = full[i];
    out[0] |= 1;
    return out;
  }
  // What version vectors of format 2 carried instead: the sum of the forks'
  // FNV-1a digests (0: none).
  uint64_t legacy_forks_digest() const {
    uint64_t sum = 0;
    for (const Change& f : forks) sum += digest(f);
    return sum;
  }
  // Past a fork: a change of a forked actor from the forked seq on, or one
  // that depends on a forked slot, through its dependencies or through its
  // own actor's earlier changes (a change lists only the dependencies its
  // actor's previous change did not: without the own chain, a delete of text
  // whose insert was seen two changes earlier, on the side of a fork that
  // lost here, was refused, and the replica stalled).
  bool past_a_fork(const Change& c) const {
    for (const Change& f : forks)
      if ((c.actor == f.actor && c.seq >= f.seq) || depends_on_slot(c, f.actor, f.seq, /*own_chain=*/true)) return true;
    return false;
  }
  bool forked(const Change& c) const {
    for (const Change& f : forks)
      if (same_change(f, c)) return true;
    return false;
  }

  // A change's canonical bytes: format 3 columns of it alone, after the
  // names of the keys it uses; equal on every replica, whatever its key ids.
  // (The open change's typing run must be written first: end_run.)
  Bytes canonical(const Change& c) const {
    BlobKeys used;
    Writer body;
    encode_columns(body, {&c}, used, {}, nullptr);
    Writer w;
    w.varint(used.table.size());
    for (uint32_t k : used.table) w.str(keys.names[k]);
    w.raw(body.buffer().data(), body.size());
    return w.take();
  }
  // FNV-1a 64 of the canonical bytes: the order in which forks compete
  // (preferred) and format 2's chains. An order, not a security property: a
  // forger can try contents until it wins with any hash (FORMAT.md).
  uint64_t digest(const Change& c) const {
    Bytes b = canonical(c);
    return dolc::rt::digest64(b.data(), b.size());
  }
  // SHA-256 of the canonical bytes: what chain digests are made of.
  dolc::rt::Sha256Digest content_hash(const Change& c) const {
    Bytes b = canonical(c);
    return dolc::rt::Sha256::of(b.data(), b.size());
  }
  // Which of two forks of one (actor, seq) every replica keeps.
  bool preferred(const Change& a, const Change& b) const {
    Bytes x = canonical(a), y = canonical(b);
    uint64_t dx = dolc::rt::digest64(x.data(), x.size()), dy = dolc::rt::digest64(y.data(), y.size());
    return dx != dy ? dx < dy : x < y;
  }
  // The chain digest of actor `a` after its change `s` (1 <= s <= version).
  dolc::rt::ChainDigest chain_at(uint64_t a, uint64_t s) const {
    return walk_chain(a, s, chains, [&](const dolc::rt::ChainDigest& prev, const Change& c) {
      return dolc::rt::chain_link(prev, content_hash(c));
    });
  }
  // The same as version vectors of format 2 computed it (FNV-1a 64).
  uint64_t legacy_chain_at(uint64_t a, uint64_t s) const {
    return walk_chain(a, s, legacy_chains, [&](uint64_t prev, const Change& c) {
      uint8_t link[16];
      uint64_t d = digest(c);
      for (int b = 0; b < 8; ++b) {
        link[b] = static_cast<uint8_t>(prev >> (8 * b));
        link[8 + b] = static_cast<uint8_t>(d >> (8 * b));
      }
      return dolc::rt::digest64(link, sizeof link) | 1;  // never 0 (= not computed)
    });
  }
  // Walks actor `a`'s chain to its change `s` with `link`, caching each
  // link in `cache` (per log position; a value-initialized entry: not yet).
  template <class Digest, class Link>
  Digest walk_chain(uint64_t a, uint64_t s, std::vector<Digest>& cache, Link link) const {
    const std::vector<uint32_t>& at = positions.at(a);
    cache.resize(log.size());
    // The open change is never cached: it may still grow.
    auto growing = [&](uint64_t i) { return open_change && at[i] + size_t{1} == log.size(); };
    // Start after the latest link already known, so that a version() per
    // keystroke costs the new links only, not the actor's whole history
    // (which made the concurrent traces quadratic: 1.7 s of 2.9).
    uint64_t i = s;
    while (i > 0 && (cache[at[i - 1]] == Digest{} || growing(i - 1))) --i;
    Digest prev = i > 0 ? cache[at[i - 1]] : Digest{};
    for (; i < s; ++i) {
      prev = link(prev, log[at[i]]);
      if (!growing(i)) cache[at[i]] = prev;
    }
    return prev;
  }
  // Whether `c` depends, through its dependencies and theirs, on the change
  // in slot (a, s): such a fork could only apply after itself, so it never
  // replaces the change there (the same on every replica).
  // With `own_chain`, c's own previous change counts as a dependency too
  // (it is one, though c.deps leaves it out).
  bool depends_on_slot(const Change& c, uint64_t a, uint64_t s, bool own_chain = false) const {
    std::map<uint64_t, uint64_t> explored;  // actor -> its changes 1..n explored
    std::vector<ChangeKey> todo(c.deps.begin(), c.deps.end());
    if (own_chain && c.seq > 1) todo.emplace_back(c.actor, c.seq - 1);
    while (!todo.empty()) {
      ChangeKey k = todo.back();
      todo.pop_back();
      if (k.first == a && k.second >= s) return true;
      uint64_t& done = explored[k.first];
      auto at = positions.find(k.first);
      uint64_t upto = at == positions.end() ? 0 : std::min<uint64_t>(k.second, at->second.size());
      for (; done < upto; ++done)
        for (const ChangeKey& d : log[at->second[done]].deps) todo.push_back(d);
    }
    return false;
  }

  // Applies the held changes of `queue` that are ready, and those they make
  // ready in turn; the others wait in `blocked_on`. Held changes whose
  // (actor, seq) is already in the log are duplicates (dropped) or forks
  // (set aside in `contenders`, for settle()).
  //
  // A change that does not fit when its turn comes is refused. If it came in
  // the current batch (fresh), the whole batch is refused (the caller
  // restores everything). If it was held from an earlier apply(), that call
  // already succeeded: the change is dropped and the state rebuilt without
  // its partial effect, so one bad held change cannot block later applies.
  bool drain(std::vector<ChangeKey> queue) {
    for (size_t qi = 0; qi < queue.size(); ++qi) {
      auto it = held.find(queue[qi]);
      if (it == held.end()) continue;
      std::vector<Held>& list = it->second;
      for (size_t i = 0; i < list.size();) {
        Change& c = list[i].change;
        ChangeKey need;
        if (known(c) && same_change(c, logged(c.actor, c.seq))) {
          unhold(list, i);  // a duplicate of something applied meanwhile
        } else if (first_unmet(c, &need)) {
          blocked_on[need].push_back(it->first);
          ++i;
        } else if (known(c)) {
          uint64_t in_batch = list[i].batch;
          contenders.push_back(Held{unhold(list, i), in_batch});
        } else if (cut_due(c), !apply_change(c)) {  // (cut_due: a replay may keep its baseline here)
          // A change of an actor with a fork may have been made on top of
          // the other side of it: it is looked at again once the fork is
          // settled (settle()), not held against the whole batch.
          bool forked_actor = forky_batch || fork_touched(c.actor);
          if (fresh(list[i]) && !forked_actor) return false;
          uint64_t in_batch = list[i].batch;
          Change bad = unhold(list, i);
          if (forked_actor) contenders.push_back(Held{std::move(bad), in_batch});
          rebuild(log.size(), log.empty() ? 0 : log.back().ops.size());  // undo its partial effect
        } else {
          ChangeKey done{c.actor, c.seq};
          applied_fresh.push_back(fresh(list[i]));
          append(unhold(list, i));
          auto waiting = blocked_on.find(done);
          if (waiting != blocked_on.end()) {
            queue.insert(queue.end(), waiting->second.begin(), waiting->second.end());
            blocked_on.erase(waiting);
          }
        }
      }
      if (list.empty()) held.erase(it);
    }
    return true;
  }

  // Rebuilds the state from the log in an order every replica with the
  // same changes shares: by first op id (which follows causality for
  // changes made by this runtime), through the held machinery (which waits
  // for dependencies whatever the order). Past a fork, ops that do not fit
  // are skipped, and whether an op fits can depend on the order in which
  // the two sides' changes (whose ids may collide) were applied: a document
  // that knows a fork is replayed this way whenever a change past it
  // arrives after a later one (in that order) applied, so replicas agree.
  //
  // Not from nothing when it can be helped (FORMAT.md, "Past a fork"): from
  // the baseline when the replay would begin with its entries exactly as
  // logged (canonical_start), replaying only the entries after it; and a
  // new baseline is kept just before the first change that came out of
  // order, so that the next one (its author's next change, most often)
  // replays only what follows that point.
  void replay_in_canonical_order() {
    end_run();
    ev.reset = ev.on;  // what was recorded no longer describes the state
    size_t from = canonical_start();
    // Where the new baseline goes: before the lowest entry (in that order)
    // that follows a higher one in the log, i.e. that came out of order;
    // of those, the ones this apply() brought when there are any (the next
    // change of their author most likely goes after them, while earlier
    // ones, not past the fork, applied where they were). When none came out
    // of order (a new fork was found), before the change in the fork's slot:
    // changes past the fork go after it.
    std::vector<uint64_t> eff = effective_from(from);
    ChangeKey top{0, 0}, none{UINT64_MAX, UINT64_MAX}, lowest = none, lowest_new = none;
    for (size_t i = from; i < log.size(); ++i) {
      ChangeKey k{eff[i - from], log[i].actor};
      if (i > from && k < top) {
        if (k < lowest) lowest = k;
        if (i >= receive_start && k < lowest_new) lowest_new = k;
      }
      if (top < k) top = k;
      replayed_ops += log[i].ops.size();
    }
    cut_at = lowest_new != none ? lowest_new : lowest != none ? lowest : fork_point;
    fork_point = none;
    std::vector<Change> all(std::make_move_iterator(log.begin() + static_cast<std::ptrdiff_t>(from)),
                            std::make_move_iterator(log.end()));
    log.resize(from);
    if (from > 0) {
      restore_baseline();  // log[0..from) stay as they are, and so do their chain digests
      chains.resize(std::min(chains.size(), from));
      legacy_chains.resize(std::min(legacy_chains.size(), from));
      deps_at_last_change.clear();
      open_change = false;
    } else {
      baseline.reset();  // the log's order changes under it
      rebuild(0, 0);
    }
    // Ordered by (effective lamport, actor); an actor's changes that share
    // one (two sides of a fork) stay in seq order, as logged.
    // (A map rather than a sort keeps the wasm module smaller.)
    std::map<ChangeKey, std::vector<ChangeKey>> order;
    for (size_t i = 0; i < all.size(); ++i) order[ChangeKey{eff[i], all[i].actor}].push_back(ChangeKey{i, 0});
    blocked_on.clear();
    std::vector<ChangeKey> queue;
    for (const auto& [key, indexes] : order)
      for (const ChangeKey& i : indexes) {
        Change& c = all[static_cast<size_t>(i.first)];
        queue.emplace_back(c.actor, c.seq);
        hold(std::move(c), 0);
      }
    for (const auto& [k, list] : held) queue.push_back(k);
    replay_from = from;
    cut_pending = cut_at != none;
    drain(std::move(queue));
    cut_pending = false;
    // A fork whose slot the replay left empty (the change there no longer
    // fits) is a candidate again.
    queue.clear();
    for (size_t i = 0; i < forks.size();)
      if (known(forks[i])) {
        ++i;
      } else {
        fork_moved(forks[i].actor, forks[i].seq);
        queue.emplace_back(forks[i].actor, forks[i].seq);
        hold(std::move(forks[i]), 0);
        forks.erase(forks.begin() + static_cast<std::ptrdiff_t>(i));
      }
    drain(std::move(queue));
    tainted_out_of_order = false;  // this is the canonical order
  }
  // Where a replay in canonical order may start: after the baseline's
  // entries when the full replay would apply exactly them first, as they
  // were logged (0: from nothing). That holds when they ascend in that
  // order (each one's dependencies are logged before it, so each is ready
  // at its turn), every later entry comes after them in it, and nothing
  // held is another candidate for one of their slots (the full replay would
  // look at it among them). Costs the entries after the baseline and a look
  // at each held slot.
  size_t canonical_start() const {
    if (!baseline || !baseline->ascends || baseline->changes == 0 || baseline->changes > log.size()) return 0;
    size_t k = baseline->changes;
    ChangeKey last = key_at(k - 1);
    std::vector<uint64_t> eff = effective_from(k);
    for (size_t i = k; i < log.size(); ++i)
      if (!(last < ChangeKey{eff[i - k], log[i].actor})) return 0;
    for (const auto& [slot, list] : held) {
      auto v = baseline->version.find(slot.first);
      if (!list.empty() && v != baseline->version.end() && slot.second <= v->second) return 0;
    }
    return k;
  }
  // The effective lamports of log[from..), worked out from the changes that
  // hold the slots now (a fork settled since they were logged may have
  // swapped a change they depend on), in any order the log holds them:
  // depth first, with a stack of its own (chains are long).
  std::vector<uint64_t> effective_from(size_t from) const {
    std::vector<uint64_t> eff(log.size() - from, 0);
    std::vector<uint8_t> state(log.size() - from, 0);  // 1: under way, 2: done
    std::vector<size_t> stack;
    for (size_t i = from; i < log.size(); ++i) {
      stack.push_back(i);
      while (!stack.empty()) {
        size_t j = stack.back();
        if (state[j - from] == 2) {
          stack.pop_back();
          continue;
        }
        state[j - from] = 1;
        bool waits = false;
        uint64_t e = effective_of(log[j], [&](size_t p) {
          if (p < from) return effective[p];
          if (state[p - from] == 0) {
            stack.push_back(p);
            waits = true;
          }
          return eff[p - from];  // (under way: a cycle, which settle() never makes; not followed)
        });
        if (!waits) {
          eff[j - from] = e;
          state[j - from] = 2;
          stack.pop_back();
        }
      }
    }
    return eff;
  }
  // A fork of slot (a, s) joins or leaves `forks` (and the change logged
  // there may be swapped): the baseline stays only if its entries do not
  // include that slot. (Then none of them is past it: an actor's later
  // seqs and what depends on the slot are logged after it.)
  void fork_moved(uint64_t a, uint64_t s) {
    if (!baseline) return;
    auto v = baseline->version.find(a);
    if (v != baseline->version.end() && v->second >= s) baseline.reset();
  }
  // During a replay in canonical order: keeps the new baseline just before
  // the change that goes at `cut_at` or after it (drain() calls this before
  // applying each change), if the entries before it ascend.
  ChangeKey cut_at{};
  ChangeKey fork_point{UINT64_MAX, UINT64_MAX};  // the lowest slot settle() found a fork of, since the last replay
  bool cut_pending = false;
  size_t replay_from = 0;  // where the replay under way started (entries before it ascend)
  void cut_due(const Change& c) {
    if (!cut_pending || ChangeKey{effective_of(c, [&](size_t p) { return effective[p]; }), c.actor} < cut_at) return;
    cut_pending = false;
    if (ascending(replay_from, log.size())) keep_baseline(true);
  }

  // Settles the forks drain() found: each one either replaces the change in
  // its slot (it is preferred and does not depend on that slot), and the
  // state is replayed with it, or is kept aside in `forks`.
  void settle() {
    std::vector<Change> retry;  // changes that did not fit before their actor's fork was settled
    // Each round replays only after a replacement; the fork cap (receive)
    // bounds the rounds.
    for (size_t round = 0; !contenders.empty() && round <= kMaxForks; ++round) {
      std::vector<Held> found = std::move(contenders);
      contenders.clear();
      bool replay = false;
      for (Held& h : found) {
        Change& c = h.change;
        if (!known(c)) {
          retry.push_back(std::move(c));
          continue;
        }
        if (forked(c)) continue;
        Change& in_log = log[positions.at(c.actor)[c.seq - 1]];
        if (same_change(c, in_log)) continue;
        fork_moved(c.actor, c.seq);
        size_t slot = positions.at(c.actor)[c.seq - 1];
        if (!depends_on_slot(c, c.actor, c.seq) && preferred(c, in_log)) {
          std::swap(c, in_log);
          effective[slot] = effective_of(in_log, [&](size_t p) { return effective[p]; });
        }
        if (key_at(slot) < fork_point) fork_point = key_at(slot);
        forks.push_back(std::move(c));
        replay = true;  // a new fork: the changes past it apply in canonical order
      }
      if (replay) replay_in_canonical_order();
    }
    contenders.clear();
    // Last chance for what did not fit: applied now, held, or dropped.
    std::vector<ChangeKey> queue;
    for (Change& c : retry)
      if (!known(c) && !holds(c)) {
        queue.emplace_back(c.actor, c.seq);
        hold(std::move(c), 0);
      }
    drain(std::move(queue));
    contenders.clear();
  }

  // Applies decoded changes atomically: all of them (or held until they can
  // apply), or none.
  Status receive(std::vector<Change> incoming) {
    receive_start = log.size();
    Status st = receive_batch(std::move(incoming));
    receive_start = SIZE_MAX;
    return st;
  }
  Status receive_batch(std::vector<Change> incoming) {
    end_run();
    open_change = false;  // remote changes close our open change
    size_t mark = log.size();
    size_t mark_ops = log.empty() ? 0 : log.back().ops.size();
    size_t ev_mark = ev.out.size();
    bool ev_reset = ev.reset;
    // Our own changes we lack (a replica of us restored from an older save)
    // are accepted like anyone else's. Re-sent copies of a change still
    // waiting for its predecessors are held once: repeated anti-entropy
    // rounds must not grow what is held.
    std::vector<ChangeKey> queue;
    ++batch;
    tainted_out_of_order = false;
    // A batch that carries a fork (a change for a slot already taken, here or
    // earlier in the batch) may carry changes made on its other side, which
    // fit only once it is settled: they are retried then, not refused.
    forky_batch = false;
    for (Change& c : incoming) {
      if ((known(c) && (same_change(c, logged(c.actor, c.seq)) || forked(c))) || holds(c)) continue;
      if (known(c) || held.count(ChangeKey{c.actor, c.seq})) forky_batch = true;  // another candidate for its slot
      queue.emplace_back(c.actor, c.seq);
      hold(std::move(c), batch);
    }
    applied_fresh.clear();
    bool fits = drain(std::move(queue));
    auto over = held_per_actor.empty() ? 0 : std::max_element(held_per_actor.begin(), held_per_actor.end(),
                                                               [](auto& x, auto& y) { return x.second < y.second; })->second;
    const char* capped = held_changes > kMaxHeldChanges ? "65536 changes in all"
                         : over > kMaxHeldPerActor     ? "32768 changes of one actor"
                         : held_bytes > kMaxHeldBytes  ? "64 MiB"
                         : forks.size() + contenders.size() > kMaxForks ? "64 forks (changes reusing an actor's seq)"
                                                       : nullptr;
    if (!fits || capped) {
      // Back to how things were: the batch's changes out, the held changes
      // this call applied held again, the state rebuilt without any of them.
      for (auto it = held.begin(); it != held.end();) {
        for (size_t i = 0; i < it->second.size();)
          if (fresh(it->second[i])) unhold(it->second, i);
          else ++i;
        it = it->second.empty() ? held.erase(it) : std::next(it);
      }
      for (size_t i = mark; i < log.size(); ++i)
        if (!applied_fresh[i - mark]) hold(log[i], 0);
      for (Held& h : contenders)
        if (!fresh(h)) hold(std::move(h.change), 0);  // looked at again next time
      contenders.clear();
      rebuild(mark, mark_ops);
      ev.out.resize(ev_mark);  // a refused apply changed nothing
      ev.reset = ev_reset;
      blocked_on.clear();
      ChangeKey need;
      for (const auto& [k, list] : held)
        for (const Held& h : list)
          if (first_unmet(h.change, &need)) blocked_on[need].push_back(k);
      if (capped)
        return Failure{cat({"refused: the changes would leave more than ", capped,
                            " held; apply what they wait for first, or dropPending() what can never apply"})};
      return fail("refused: the changes do not fit this document (corrupted or from another schema)");
    }
    settle();
    if (tainted_out_of_order) replay_in_canonical_order();
    return {};
  }
};

Doc::Doc(const GeneInfo* root, uint64_t actor) : impl_(std::make_unique<Impl>(root, actor == 0 ? 1 : actor)) {}
Doc::~Doc() = default;

uint64_t Doc::actor() const { return impl_->actor; }

Bytes Doc::version() const {
  // The chain digests cover the open change as it is now (its typing run
  // written out; the next keystroke starts a new run).
  impl_->end_run(/*change_goes_on=*/true);
  Writer w;
  w.varint(impl_->version.size());
  for (auto& [a, s] : impl_->version) {
    w.varint(a);
    w.varint(s);
    dolc::rt::ChainDigest d{};  // frozen: the snapshot's summary, which holds the same actors
    if (impl_->frozen)
      for (const SnapshotActor& sa : impl_->frozen->summary.actors) d = sa.actor == a ? sa.chain : d;
    else
      d = impl_->chain_at(a, s);
    w.raw(d.data(), d.size());
  }
  // Then, when this replica knows forks, their digest: a peer that knows
  // other forks is sent ours (changes_since).
  dolc::rt::ChainDigest forks = impl_->forks_digest();
  if (!dolc::rt::is_zero(forks)) w.raw(forks.data(), forks.size());
  return frame(kMagicVersion, w.buffer(), kVersionFormat);
}

namespace {
// A peer's version: per actor, the changes it has and the chain digest
// after the last of them, then the digest of the forks it knows (absent:
// none). Format 3 carries SHA-256 chains, format 2 FNV-1a ones (a version an
// app stored from an older release), format 1 none (nothing to compare).
struct PeerVersion {
  uint8_t format = kVersionFormat;
  std::map<uint64_t, uint64_t> seqs;
  std::map<uint64_t, dolc::rt::ChainDigest> chains;  // format 3
  std::map<uint64_t, uint64_t> legacy_chains;        // format 2
  dolc::rt::ChainDigest forks{};                     // format 3
  uint64_t legacy_forks = 0;                         // format 2
};
bool decode_version(const Bytes& blob, PeerVersion* out) {
  if (blob.empty()) return true;  // "nothing": the other side has no changes
  Bytes body;
  uint8_t format = 0;
  if (!unframe(kMagicVersion, blob, &body, &format) || format < 1 || format > kVersionFormat) return false;
  out->format = format;
  const size_t chain_bytes = format == 1 ? 0 : format == 2 ? 8 : 16;
  Reader r(body);
  uint64_t n = r.count(2 + chain_bytes);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    uint64_t actor = r.varint();
    out->seqs[actor] = r.varint();
    if (format == 2) {
      uint64_t chain = 0;
      for (int b = 0; b < 8; ++b) chain |= static_cast<uint64_t>(r.u8()) << (8 * b);
      if (chain) out->legacy_chains[actor] = chain;
    } else if (format == 3) {
      dolc::rt::ChainDigest chain;
      for (uint8_t& b : chain) b = r.u8();
      if (!dolc::rt::is_zero(chain)) out->chains[actor] = chain;
    }
  }
  if (format == 2 && r.ok() && !r.at_end())
    for (int b = 0; b < 8; ++b) out->legacy_forks |= static_cast<uint64_t>(r.u8()) << (8 * b);
  if (format == 3 && r.ok() && !r.at_end())
    for (uint8_t& b : out->forks) b = r.u8();
  return r.ok() && r.at_end();
}

// The schema a blob says wrote it (format 2 header).
struct SchemaHeader {
  std::string gene, version;
  uint32_t hash = 0;
};

// Joins message parts: one function instead of a chain of operator+ calls at
// every refusal (which cost the wasm module kilobytes).

std::string schema_name(std::string_view gene, std::string_view version) {
  return cat({"`", gene, version.empty() ? "" : "@", version, "`"});
}

std::string hex32(uint32_t v) {
  const char* digits = "0123456789abcdef";
  std::string out = "0x";
  for (int i = 7; i >= 0; --i) out += digits[(v >> (4 * i)) & 15];
  return out;
}

// Numeric comparison of dotted versions ("1.10.0" > "1.9.2"); -1, 0, 1.
int compare_versions(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    uint64_t x = 0, y = 0;
    for (; i < a.size() && a[i] != '.'; ++i) x = x * 10 + static_cast<uint64_t>(a[i] - '0');
    for (; j < b.size() && b[j] != '.'; ++j) y = y * 10 + static_cast<uint64_t>(b[j] - '0');
    if (x != y) return x < y ? -1 : 1;
    ++i, ++j;
  }
  return 0;
}

// Whether this module may read bytes written by schema `h` (evolution.md,
// "What a module knows"): its own gene only; a layout of its evo chain; or a
// newer version, whose fields it does not know but keeps.
Status check_schema(const GeneInfo* g, const SchemaHeader& h) {
  std::string ours = schema_name(g->name, g->version ? g->version : "");
  std::string theirs = schema_name(h.gene, h.version);
  if (h.gene != g->name)
    return Failure{cat({"refused: these bytes hold a ", theirs, " document; this module opens ", ours,
                        " documents (use the class of `", h.gene, "`)"})};
  // Without versions there is no chain to check against (field keys still
  // keep every value on its field).
  if (g->layout_count == 0 || h.version.empty() || !g->version || !*g->version) return {};
  for (uint32_t i = 0; i < g->layout_count; ++i)
    if (g->layouts[i].hash == h.hash) return {};
  if (compare_versions(h.version, g->version) > 0) return {};
  std::string known;
  for (uint32_t i = 0; i < g->layout_count; ++i)
    known += cat({i ? ", " : "", g->layouts[i].version, " (", hex32(g->layouts[i].hash), ")"});
  return Failure{cat({"refused: the bytes were written by schema ", theirs, " with layout ", hex32(h.hash),
                      ", which is not in the evo chain of ", ours, " (it knows ", known,
                      "); declare that version with an `evo`, or open the bytes with the module that wrote them"})};
}
}  // namespace

// Encodes changes with the schema header and the key table they use. Sync
// blobs (format 4) then say their layout: columns, or for a few changes the
// rows when those are smaller (a keystroke: 48 bytes instead of 73).
Bytes Doc::Impl::encode(const uint8_t magic[2], const std::vector<const Change*>& changes, bool with_forks,
                        const Bytes* snapshot, const TextSplit* split) const {
  BlobKeys used;
  Writer body;
  std::vector<const Change*> fork_list;
  for (const Change& f : forks)
    if (with_forks) fork_list.push_back(&f);
  bool sync = magic[1] == kMagicChanges[1];
  if (sync) body.varint(static_cast<uint64_t>(ChangeLayout::Columns));
  encode_columns(body, changes, used, fork_list, snapshot, split, ChangeLayout::Columns, ColumnSet::Values);
  if (sync && changes.size() <= kRowsMaxChanges) {
    // Both layouts walk the changes alike, so the key table is the same.
    Writer rows;
    rows.varint(static_cast<uint64_t>(ChangeLayout::Rows));
    encode_columns(rows, changes, used, fork_list, snapshot, split, ChangeLayout::Rows, ColumnSet::Values);
    if (rows.size() < body.size()) body = std::move(rows);
  }
  Writer w;
  w.str(gene->name);
  w.str(gene->version ? gene->version : "");
  uint32_t hash = gene->layout_count ? gene->layouts[gene->layout_count - 1].hash : 0;
  for (int i = 0; i < 4; ++i) w.u8(static_cast<uint8_t>(hash >> (8 * i)));
  w.varint(used.table.size());
  for (uint32_t k : used.table) w.str(keys.names[k]);
  w.raw(body.buffer().data(), body.size());
  return frame(magic, w.buffer(), sync ? kChangesFormat : kFormatVersion);
}

// Format 1 named fields by position in the writing module's gene: maps a
// position (and each step of the op's path) to a key through the genes'
// format1_keys, the oldest layout their evo chains describe.
bool Doc::Impl::convert_v1_op(Op* op, uint64_t position) {
  Reader r(op->path);
  Writer w;
  const GeneInfo* g = gene;
  size_t depth = 0;
  while (!r.at_end()) {
    uint64_t p = r.varint();
    if (++depth > kMaxPathDepth || !r.ok() || !g || !g->format1_keys || p >= g->format1_key_count) return false;
    uint32_t key = keys.intern(g->format1_keys[p]);
    int fi = keys.field_of(g, key);
    if (fi < 0) return false;
    const FieldInfo& info = g->fields[fi];
    w.varint(uint64_t{key} << 2 | tag_of(info.strategy));
    if (info.strategy == Strategy::Rga) write_id(w, read_id(r));
    else if (info.strategy == Strategy::OrMap) w.str(r.bytes_view());
    else if (info.strategy != Strategy::Nested) return false;
    if (!r.ok()) return false;
    g = info.nested;
  }
  if (!g || !g->format1_keys || position >= g->format1_key_count) return false;
  op->field = keys.intern(g->format1_keys[position]);
  op->path = w.take();
  return true;
}

// Decodes a "DC" or "DS" blob of format 1 or 2 into changes whose keys are
// this document's key ids. `what` names the blob in error messages.
Status Doc::Impl::decode(const uint8_t magic[2], const Bytes& blob, std::vector<Change>* out, const char* what) {
  Bytes body;
  uint8_t format = 0;
  std::string malformed = cat({"refused: malformed or corrupted ", what});
  if (!unframe(magic, blob, &body, &format)) return Failure{malformed};
  bool sync = magic[1] == kMagicChanges[1];
  // Saves: formats 1, 2, 3 and 5; changes: 1 to 5 (4 was changes only).
  static_assert(kFormatVersion == 5 && kChangesFormat == 5, "the formats read below");
  if (format < kFormatV1 || format > kFormatVersion || (!sync && format == kFormatV4)) {
    char digit[2] = {static_cast<char>('0' + format % 10), 0};
    return Failure{cat({"refused: ", what, " in format ", format < 10 ? digit : "> 9",
                        ", newer than this module reads (1 to 5); rebuild the app with a newer dolc"})};
  }
  Reader r(body);
  std::vector<uint32_t> blob_keys;
  if (format != kFormatV1) {
    SchemaHeader h;
    std::string_view g = r.bytes_view(), v = r.bytes_view();
    h.gene.assign(g.begin(), g.end());
    h.version.assign(v.begin(), v.end());
    for (int i = 0; i < 4; ++i) h.hash |= static_cast<uint32_t>(r.u8()) << (8 * i);
    uint64_t n = r.count(1);
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      std::string_view k = r.bytes_view();
      // Bounded: hostile blobs must not grow the key table without end (a
      // schema's versions together have far fewer fields).
      uint32_t id = k.empty() || k.size() > 256 ? UINT32_MAX : keys.intern(k, keys.names.size() < kMaxKeys);
      if (id == UINT32_MAX) r.fail();
      else blob_keys.push_back(id);
    }
    if (!r.ok()) return Failure{cat({malformed, " (its schema header)"})};
    Status schema = check_schema(gene, h);
    if (!schema.ok) return schema;
  } else if (!gene->format1_keys) {
    return Failure{cat({"refused: ", what, " in format 1 (written before dolc stored field keys), and `", gene->name,
                        "`'s evo chain removes fields, so their positions are unknown; open it with the module that "
                        "wrote it and save it again"})};
  }
  if (format >= kFormatV3) {
    uint64_t layout = sync && format >= kFormatV4 ? r.varint() : 0;
    if (layout > static_cast<uint64_t>(ChangeLayout::Rows)) return Failure{malformed};
    TextJoin join;
    ColumnSet set = format >= 5 ? ColumnSet::Values : ColumnSet::Format3;
    if (!decode_columns(r, out, blob_keys, true, seqs ? &join : nullptr, static_cast<ChangeLayout>(layout), set) ||
        !r.at_end())
      return Failure{malformed};
    if (!join.fields.empty() && !seqs->join_texts(*out, join)) return Failure{cat({malformed, " (its texts)"})};
    return {};
  }
  auto v1 = [this](Op* op, uint64_t position) { return convert_v1_op(op, position); };
  uint64_t n = r.count(4);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    Change c;
    if (!decode_change(r, &c, format, blob_keys, v1)) return Failure{malformed};
    out->push_back(std::move(c));
  }
  if (!r.ok() || !r.at_end()) return Failure{malformed};
  return {};
}

Result<Bytes> Doc::changes_since(const Bytes& version) const {
  if (!impl_->thaw()) return impl_->thaw_failure();
  PeerVersion peer;
  if (!decode_version(version, &peer)) return fail("refused: malformed version bytes");
  impl_->end_run();
  impl_->open_change = false;  // what we export must not grow afterwards
  // Per actor, how many of its changes the peer has. A peer whose chain
  // digest differs from ours at its seq has another history for that actor
  // (a fork, or an unrelated document that uses the same actor id): it gets
  // all of that actor's changes, and its apply() settles the fork.
  std::map<uint64_t, uint64_t> have;
  for (const auto& [actor, seq] : peer.seqs) {
    bool comparable = seq && seq <= impl_->version_of(actor);
    auto chain = peer.chains.find(actor);
    auto legacy = peer.legacy_chains.find(actor);
    bool differs = comparable && ((chain != peer.chains.end() && impl_->chain_at(actor, seq) != chain->second) ||
                                  (legacy != peer.legacy_chains.end() &&
                                   impl_->legacy_chain_at(actor, seq) != legacy->second));
    have[actor] = differs ? 0 : seq;
  }
  // Mark the log positions the peer lacks, then emit them in log order (which
  // is causal). Marks start at the earliest missing position, so a peer that
  // is nearly up to date costs little however long the history is. (A mark
  // vector rather than a sort keeps the wasm module smaller.)
  const auto& log = impl_->log;
  size_t first = log.size();
  for (const auto& [actor, at] : impl_->positions) {
    uint64_t h = have[actor];
    if (h < at.size() && at[h] < first) first = at[h];
  }
  std::vector<uint8_t> wanted(log.size() - first);
  for (const auto& [actor, at] : impl_->positions)
    for (uint64_t s = have[actor]; s < at.size(); ++s) wanted[at[s] - first] = 1;
  std::vector<const Change*> out;
  for (size_t i = 0; i < wanted.size(); ++i)
    if (wanted[i]) out.push_back(&log[first + i]);
  bool other_forks = peer.format == 2 ? peer.legacy_forks != impl_->legacy_forks_digest()
                                      : peer.forks != impl_->forks_digest();
  return impl_->encode(kMagicChanges, out, other_forks);
}

// apply() and merge(): decodes a blob from outside and receives its changes.
// A refused blob also leaves the key table as it was: keys it introduced
// would otherwise stay (up to kMaxKeys), memory that 20,000 refusals grow.
// (A template: Doc::Impl is private to Doc, and deduction does not name it.)
template <class Impl>
Status receive_blob(Impl& d, const uint8_t magic[2], const Bytes& blob, const char* what) {
  std::vector<Change> incoming;
  size_t keys_before = d.keys.names.size();
  over_cap = false;
  Status st = d.decode(magic, blob, &incoming, what);
  if (st.ok) st = d.receive(std::move(incoming));
  if (st.ok) return st;
  if (d.held.empty())
    d.keys.names.erase(d.keys.names.begin() + static_cast<std::ptrdiff_t>(keys_before), d.keys.names.end());
  return over_cap ? fail(kOverCap) : st;  // why, when an op was over the amplification cap
}

Status Doc::apply(const Bytes& changes) {
  if (!impl_->thaw()) return impl_->thaw_failure();
  return receive_blob(*impl_, kMagicChanges, changes, "change bytes");
}

Bytes Doc::save() const {
  Impl& d = *impl_;
  if (d.frozen) return d.frozen->blob;  // nothing changed since it was loaded: the same bytes
  d.end_run();
  d.open_change = false;
  std::vector<const Change*> all;
  for (const Change& c : d.log) all.push_back(&c);
  // A snapshot next to the history (snapshot.hpp), so that load() need not
  // replay it: when the history is long enough for a replay to cost more
  // than reading the state (a shorter one replays in well under a
  // millisecond, and its snapshot would add about its own size again). Not
  // when forks or migration conflicts are known: their state depends on
  // replays a snapshot does not describe.
  size_t ops = 0;
  for (const Change& c : d.log) ops += c.ops.size();
  if (ops < kSnapshotMinOps || !d.forks.empty() || !d.conflicts.empty()) return d.encode(kMagicSave, all, true);
  // Root texts are kept once: their visible characters in the snapshot's
  // text section, only the deleted ones in the history (FORMAT.md).
  std::vector<uint8_t> elsewhere = d.split_texts();
  Bytes snapshot = write_snapshot(*this, d.gene, d.summary(), elsewhere);
  TextSplit split;
  split.doc = &d;
  split.run = [](const void* doc, uint32_t key, OpId id, uint32_t max, bool* visible) -> uint32_t {
    const Impl& x = *static_cast<const Impl*>(doc);
    int fi = x.keys.field_of(x.gene, key);
    return fi < 0 ? 0 : x.seqs->text_run(x.root->fields[static_cast<size_t>(fi)], id, max, visible);
  };
  const std::vector<uint32_t>& root_keys = *d.keys.fields(d.gene);
  for (uint32_t i = 0; i < elsewhere.size(); ++i)
    if (elsewhere[i]) split.fields.emplace_back(root_keys[i], text_string(Bytes{}, d.gene, i));
  return d.encode(kMagicSave, all, true, &snapshot, &split);
}

Status Doc::merge(const Bytes& saved) {
  if (!impl_->thaw()) return impl_->thaw_failure();
  return receive_blob(*impl_, kMagicSave, saved, "saved document");
}

// Replays the history of saved bytes into this new document (how load()
// worked before snapshots, and how a frozen document thaws).
Status Doc::Impl::load_history(const Bytes& saved) {
  std::vector<Change> incoming;
  Status st = decode(kMagicSave, saved, &incoming, "saved document");
  if (!st.ok) return st;
  over_cap = false;
  // The forks (saved after the log, in their own section) are known before
  // the log replays: changes past them may hold ops that were skipped.
  std::map<uint64_t, uint64_t> last_seq;  // actor -> its largest seq so far: the log's seqs grow, a fork's do not
  std::vector<uint8_t> is_fork(incoming.size());
  for (size_t i = 0; i < incoming.size(); ++i)
    if (uint64_t& last = last_seq[incoming[i].actor]; incoming[i].seq > last) {
      last = incoming[i].seq;
    } else {
      is_fork[i] = true;
      if (forks.size() == kMaxForks) return fail("refused: the saved document is inconsistent");
      forks.push_back(incoming[i]);
    }
  for (size_t i = 0; i < incoming.size(); ++i) {
    if (is_fork[i]) continue;
    Change& c = incoming[i];
    if (!ready(c) || !apply_change(c))
      return fail(over_cap ? kOverCap : "refused: the saved document is inconsistent");
    append(std::move(c));
  }
  return {};
}

// Opens saved bytes from their snapshot when they have one this module can
// use: format 3, written by this very schema version (the same gene, version
// and layout: the snapshot names the reader's root fields), without the
// history's ops decoded. Returns false (nothing done) otherwise; bytes whose
// snapshot is malformed are refused.
Result<bool> Doc::Impl::open_frozen(const Bytes& saved) {
  Impl& d = *this;
  Bytes body;
  uint8_t format = 0;
  if (!unframe(kMagicSave, saved, &body, &format) || (format != kFormatVersion && format != kFormatV3)) return false;
  ColumnSet set = format == kFormatV3 ? ColumnSet::Format3 : ColumnSet::Values;
  Reader r(body);
  std::string_view g = r.bytes_view(), v = r.bytes_view();
  uint32_t hash = 0;
  for (int i = 0; i < 4; ++i) hash |= static_cast<uint32_t>(r.u8()) << (8 * i);
  uint64_t key_count = r.count(1);
  std::vector<std::string_view> key_names;
  for (uint64_t i = 0; i < key_count && r.ok(); ++i) key_names.push_back(r.bytes_view());
  uint32_t ours = gene->layout_count ? gene->layouts[gene->layout_count - 1].hash : 0;
  if (!r.ok() || g != gene->name || v != std::string_view(gene->version ? gene->version : "") || hash != ours)
    return false;
  std::string_view section;
  if (!find_section(r, kSnapshotSection, &section, set)) return false;
  auto view = std::make_unique<FrozenView>();
  const Failure malformed{"refused: malformed or corrupted saved document (its snapshot)"};
  bool unusable = false;
  if (!read_snapshot(section, gene, view.get(), &unusable)) return unusable ? Result<bool>(false) : Result<bool>(malformed);
  // Texts kept once: the visible characters are in the text section.
  std::string_view texts;
  if (find_section(r, kTextSection, &texts, set)) {
    Reader t(reinterpret_cast<const uint8_t*>(texts.data()), texts.size());
    uint64_t n = t.count(2);
    for (uint64_t i = 0; i < n && t.ok(); ++i) {
      uint64_t key = t.varint();
      std::string_view visible = t.bytes_view();
      if (!t.ok() || key >= key_names.size()) return malformed;
      if (!view->fill_text(gene, key_names[static_cast<size_t>(key)], visible)) return malformed;
    }
  }
  for (const auto& [i, f] : view->root.fields)
    if (f.text_pending) return malformed;
  view->blob = saved;
  view->section.assign(section.begin(), section.end());
  d.clock = view->summary.clock;
  for (const SnapshotActor& a : view->summary.actors) {
    d.version[a.actor] = a.seq;
    d.actor_last[a.actor] = a.last_lamport;
  }
  d.frozen = std::move(view);
  return true;
}

bool Doc::Impl::thaw() {
  if (!frozen) return true;
  if (!thaw_error.empty()) return false;
  Doc live(gene, actor);
  Status st = live.impl_->load_history(frozen->blob);
  if (!st.ok) {
    thaw_error = cat({"the saved document this one was loaded from does not replay (", st.error,
                      "); it stays as loaded, readable only"});
    return false;
  }
  // A snapshot is a cache of its history, and the history decides: when
  // they disagree (bytes forged to show one thing and sync another), the
  // state the history gives replaces what was shown, as a whole-state
  // change event.
  // (Only the fields the loaded snapshot holds: an older writer's holds fewer kinds.)
  bool agrees =
      write_snapshot(live, gene, live.impl_->summary(), live.impl_->split_texts(), frozen.get()) == frozen->section;
  Impl& l = *live.impl_;
  l.personal = std::move(personal);  // what the host set on the frozen document stays
  l.personal_subject = std::move(personal_subject);
  l.ev = std::move(ev);
  if (!agrees) l.ev.reset = l.ev.on;
  l.undo = std::move(undo);
  *this = std::move(l);
  return true;
}

Status Doc::load(const Bytes& saved) {
  // Build the loaded state aside; swap it in only when it is complete.
  auto fresh = std::make_unique<Impl>(impl_->gene, impl_->actor);
  Result<bool> frozen = fresh->open_frozen(saved);
  if (!frozen.ok) return Failure{frozen.error};
  over_cap = false;
  if (!frozen.value)
    if (Status st = fresh->load_history(saved); !st.ok) return st;
  fresh->ev.on = fresh->ev.reset = impl_->ev.on;  // the whole state was replaced
  if (impl_->undo) {  // another document now: the manager stays, its history does not apply
    fresh->undo = std::make_unique<Undo>();
    fresh->undo->max_steps = impl_->undo->max_steps;
  }
  impl_ = std::move(fresh);
  return {};
}

std::string Doc::migration_conflicts() const {
  impl_->thaw();
  std::string out = "[";
  for (const Conflict& c : impl_->conflicts) {
    out += out.size() > 1 ? ",{\"field\":" : "{\"field\":";
    out += json_string(impl_->keys.names[c.key]);
    out += ",\"lamport\":";
    out += decimal(c.id.lamport);
    out += ",\"actor\":\"";
    out += decimal(c.id.actor);
    out += "\"}";
  }
  return out + "]";
}

std::string Doc::pending() const {
  impl_->thaw();
  // Held changes with what each waits for, then the forks set aside.
  std::string out = "{\"held\":[";
  auto id = [](uint64_t actor, uint64_t seq) {
    return cat({"\"actor\":\"", decimal(actor), "\",\"seq\":", decimal(seq)});
  };
  bool first = true;
  for (const auto& [k, list] : impl_->held)
    for (const Impl::Held& h : list) {
      Impl::ChangeKey need{0, 0};
      impl_->first_unmet(h.change, &need);
      out += cat({first ? "{" : ",{", id(k.first, k.second), ",\"waitsFor\":{", id(need.first, need.second), "}}"});
      first = false;
    }
  out += "],\"forks\":[";
  first = true;
  for (const Change& c : impl_->forks) {
    out += cat({first ? "{" : ",{", id(c.actor, c.seq), "}"});
    first = false;
  }
  return out + "]}";
}

uint64_t Doc::replayed_ops() const { return impl_->replayed_ops; }

uint32_t Doc::drop_pending() {
  impl_->thaw();
  uint32_t dropped = static_cast<uint32_t>(impl_->held_changes);
  impl_->held.clear();
  impl_->blocked_on.clear();
  impl_->held_per_actor.clear();
  impl_->held_changes = 0;
  impl_->held_bytes = 0;
  return dropped;
}

uint64_t Doc::checkpoint() {
  impl_->thaw();
  impl_->end_run();  // ops after the mark must be separate ops, so a rollback can cut them
  uint64_t changes = impl_->log.size();
  uint64_t ops = impl_->log.empty() ? 0 : impl_->log.back().ops.size();
  // A rollback must not cut into a change someone else already saw.
  if (!impl_->open_change) ops = UINT32_MAX;
  if (impl_->undo) impl_->undo->fence = impl_->undo->target->size();  // (undo: entries after it stay separate)
  uint64_t mark = (changes << 32) | (ops & 0xffffffffu);
  if (impl_->ev.on) impl_->ev.marks.emplace_back(mark, impl_->ev.out.size());
  return mark;
}
namespace {
// Forgets the events checkpoint `mark` (and later ones) noted; a rollback
// also drops the events recorded since.
void end_event_mark(Events& ev, uint64_t mark, bool drop) {
  for (size_t i = ev.marks.size(); i-- > 0;)
    if (ev.marks[i].first == mark) {
      if (drop && ev.marks[i].second <= ev.out.size()) ev.out.resize(ev.marks[i].second);
      ev.marks.resize(i);
      return;
    }
}
}  // namespace
void Doc::commit(uint64_t mark) {
  impl_->thaw(); end_event_mark(impl_->ev, mark, false); }
void Doc::rollback(uint64_t mark) {
  impl_->thaw();
  size_t changes = static_cast<size_t>(mark >> 32);
  size_t ops = static_cast<size_t>(mark & 0xffffffffu);
  // The change may stay open only if it was open at the checkpoint: a change
  // closed then may already have been exported, and growing it afterwards
  // would hand other replicas ops they never receive (they know its seq).
  bool open_at_mark = impl_->open_change && ops != UINT32_MAX;
  end_event_mark(impl_->ev, mark, true);
  impl_->rebuild(changes, ops);
  impl_->open_change = open_at_mark && !impl_->log.empty() && impl_->log.back().actor == impl_->actor;
  // A reopened change may grow: a baseline that holds it would go stale.
  if (impl_->open_change && impl_->baseline && impl_->baseline->changes >= impl_->log.size()) impl_->baseline.reset();
  if (Undo* u = impl_->undo.get())  // what the cut ops recorded goes with them
    while (!u->target->empty() && u->target->back().at >= mark) u->target->pop_back();
}

// ----- field access

namespace {
// A local op on field `field` of `gene` (named by its key in the op).
Op make_op(OpId id, const Bytes& path, const Keys& keys, const GeneInfo* gene, uint32_t field, OpKind kind,
           Bytes payload) {
  Op op;
  op.id = id;
  op.path = path;
  op.field = keys.key_of(gene, field);
  op.kind = kind;
  op.payload = std::move(payload);
  return op;
}
// A hand-written GeneInfo without `sequences`: its documents could not encode
// or replay sequence ops, so they refuse to make them.
// rga `append_only=true` (crdt.md): elements are only appended. "Append"
// is at the end as this replica sees it; concurrent appends still merge by
// rga order. A peer's delete or move is malformed (apply_sequence_op).
const Failure kAppendOnlyInsert{"refused: the list is append-only (append_only=true): insert only at the end (index = length)"};
const Failure kAppendOnlyDelete{"refused: the list is append-only (append_only=true): its elements are never deleted"};
const Failure kAppendOnlyMove{"refused: the list is append-only (append_only=true): its elements are never moved"};
const Failure kNoSequences{"this document's gene descriptor lacks dolc_gen::kSequenceSupport (rga/peritext)"};
}  // namespace

std::optional<Bytes> Doc::reg_get(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Register))
    return z->items.empty() ? std::nullopt : std::optional<Bytes>(z->items[0]);
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f || !f->reg.has) return std::nullopt;
  const FieldInfo& info = gene->fields[field];
  if (!info.personal) return f->reg.value;
  // Sealed: readable with its subject's key only; without it the value reads
  // as never written (erased), whatever the bytes in the log.
  if (!impl_->personal) return std::nullopt;
  return impl_->personal->open(personal_aad(gene, info), f->reg.value);
}

Status Doc::reg_set(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  if (gene->fields[field].strategy == Strategy::Immutable && f->reg.has)
    return Failure{std::string("`") + gene->fields[field].name + "` is immutable and already set"};
  Impl& d = *impl_;
  const FieldInfo& info = gene->fields[field];
  // (undo: the value it replaces, or the field's default before a first
  // write; a @personal one as plaintext, sealed again when undone, and only
  // when this replica can open it)
  Bytes (*def)() = info.strategy == Strategy::Lww ? info.default_value : nullptr;
  std::optional<Bytes> previous;
  if (d.undo && f->reg.has) previous = info.personal ? reg_get(path, gene, field) : std::optional<Bytes>(f->reg.value);
  bool had = d.undo && (previous || (!f->reg.has && def));
  Bytes before = !had ? Bytes() : previous ? *previous : def();
  Bytes stored;
  if (info.personal) {
    Result<Bytes> sealed = d.seal_personal(gene, info, value);
    if (!sealed.ok) return Failure{sealed.error};
    stored = std::move(sealed.value);
  }
  OpId stamp = f->reg.stamp, id = d.next_id();
  Status st = d.commit_local(make_op(id, path, d.keys, gene, field, OpKind::RegSet, info.personal ? stored : value));
  if (st.ok && had)
    if (UndoEntry* e = d.record<UndoKind::Reg>(path, gene, field)) e->b = std::move(before), e->prev = stamp, e->ours = id;
  return st;
}

std::vector<Bytes> Doc::mv_values(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Mv)) return z->items;
  std::vector<Bytes> out;
  if (Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field))
    for (auto& [id, v] : f->mv.values) out.push_back(v);
  return out;
}

Status Doc::mv_set(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  Writer w;
  w.bytes(value.data(), value.size());
  w.varint(f->mv.values.size());
  for (auto& [id, v] : f->mv.values) write_id(w, id);  // a write replaces everything the writer has seen
  Impl& d = *impl_;
  // (undo: restores a single previous value only, or the field's default)
  Bytes (*def)() = f->mv.values.empty() ? gene->fields[field].default_value : nullptr;
  bool one = d.undo && (f->mv.values.size() == 1 || def);
  Bytes before = !one ? Bytes() : def ? def() : f->mv.values[0].second;
  OpId stamp = one && !def ? f->mv.values[0].first : OpId{}, id = d.next_id();
  Status st = d.commit_local(make_op(id, path, d.keys, gene, field, OpKind::MvSet, w.take()));
  if (st.ok && one)
    if (UndoEntry* e = d.record<UndoKind::Mv>(path, gene, field)) e->b = std::move(before), e->prev = stamp, e->ours = id;
  return st;
}

bool Doc::set_has(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Set))
    return std::binary_search(z->items.begin(), z->items.end(), value);
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f && f->set.has(value);
}
std::vector<Bytes> Doc::set_values(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Set)) return z->items;
  std::vector<Bytes> out;
  if (Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field))
    for (auto& [v, dots] : f->set.dots)
      if (!f->set.tombs.count(v)) out.push_back(v);
  return out;
}
uint32_t Doc::set_size(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Set)) return static_cast<uint32_t>(z->items.size());
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f) return 0;
  size_t masked = 0;  // bias=remove: elements a remove hides
  for (auto& [v, t] : f->set.tombs) masked += f->set.dots.count(v);
  return static_cast<uint32_t>(f->set.dots.size() - masked);
}
// bias=remove: `bytes value` and the removes (tombs) it saw, for SetAdd,
// MapSet and MapSetNew (FORMAT.md).
void write_tombs(Writer& w, const std::set<OpId>* tombs) {
  w.varint(tombs ? tombs->size() : 0);
  if (tombs)
    for (OpId t : *tombs) write_id(w, t);
}
const std::set<OpId>* tombs_of(const std::map<Bytes, std::set<OpId>>& tombs, const Bytes& v) {
  auto it = tombs.find(v);
  return it == tombs.end() ? nullptr : &it->second;
}

Status Doc::set_add(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  OpId id = impl_->next_id();
  Bytes payload = value;
  if (gene->fields[field].remove_wins) {
    Writer w;
    w.bytes(value.data(), value.size());
    write_tombs(w, tombs_of(f->set.tombs, value));
    payload = w.take();
  }
  Status st = impl_->commit_local(make_op(id, path, impl_->keys, gene, field, OpKind::SetAdd, payload));
  if (st.ok)
    if (UndoEntry* e = impl_->record<UndoKind::SetAdd>(path, gene, field)) e->a = value, e->ours = id;
  return st;
}
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
Status Doc::set_remove(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& value) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  auto it = f->set.dots.find(value);
  if (it == f->set.dots.end() || f->set.tombs.count(value)) return {};  // nothing observed: nothing to remove
  std::set<OpId> dots = impl_->undo ? it->second : std::set<OpId>();
  Status st = remove_observed(*impl_, path, gene, field, value, it->second, OpKind::SetRemove);
  if (st.ok)
    if (UndoEntry* e = impl_->record<UndoKind::SetRemove>(path, gene, field)) {
      e->a = value;
      for (OpId dot : dots) e->ids.push_back(seq::IdRange{dot, 1});
    }
  return st;
}

bool Doc::map_has(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Map))
    return std::binary_search(z->items.begin(), z->items.end(), key);
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f) return false;
  auto it = f->map.entries.find(key);
  return it != f->map.entries.end() && visible(it->second);
}
std::optional<Bytes> Doc::map_get(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Map)) {
    size_t at = static_cast<size_t>(std::lower_bound(z->items.begin(), z->items.end(), key) - z->items.begin());
    return at == z->items.size() || z->items[at] != key || !z->held[at] ? std::nullopt : std::optional<Bytes>(z->values[at]);
  }
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f) return std::nullopt;
  auto it = f->map.entries.find(key);
  if (it == f->map.entries.end() || !visible(it->second) || !it->second.value.has) return std::nullopt;
  return it->second.value.value;
}
std::vector<Bytes> Doc::map_keys(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Map)) return z->items;
  std::vector<Bytes> out;
  if (Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field))
    for (auto& [k, e] : f->map.entries)
      if (visible(e)) out.push_back(k);
  return out;
}
Status Doc::map_set(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key, const Bytes& value) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  Writer w;
  w.bytes(key.data(), key.size());
  w.bytes(value.data(), value.size());
  if (gene->fields[field].remove_wins) {
    auto e = f->map.entries.find(key);
    write_tombs(w, e == f->map.entries.end() ? nullptr : &e->second.tombs);
  }
  Impl& d = *impl_;
  const MapEntry* old = nullptr;  // (undo: the value it replaces)
  if (d.undo) {
    auto it = f->map.entries.find(key);
    if (it != f->map.entries.end() && visible(it->second) && it->second.value.has) old = &it->second;
  }
  Bytes before = old ? old->value.value : Bytes();
  OpId stamp = old ? old->value.stamp : OpId{}, id = d.next_id();
  Status st = d.commit_local(make_op(id, path, d.keys, gene, field, OpKind::MapSet, w.take()));
  if (st.ok)
    if (UndoEntry* e = d.record<UndoKind::MapSet>(path, gene, field))
      e->a = key, e->b = std::move(before), e->had = stamp != OpId{}, e->prev = stamp, e->ours = id;
  return st;
}
Status Doc::map_set_new(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  Writer w;
  w.bytes(key.data(), key.size());
  if (gene->fields[field].remove_wins) {
    auto e = f->map.entries.find(key);
    write_tombs(w, e == f->map.entries.end() ? nullptr : &e->second.tombs);
  }
  return impl_->commit_local(make_op(impl_->next_id(), path, impl_->keys, gene, field, OpKind::MapSetNew, w.take()));
}
Status Doc::map_delete(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  auto it = f->map.entries.find(key);
  if (it == f->map.entries.end() || !visible(it->second)) return {};
  bool scalar = impl_->undo && !gene->fields[field].nested;  // (undo: deleted nested objects are not restored)
  std::set<OpId> dots = scalar ? it->second.dots : std::set<OpId>();
  Register before = scalar ? it->second.value : Register();
  Status st = remove_observed(*impl_, path, gene, field, key, it->second.dots, OpKind::MapDelete);
  if (st.ok && scalar)
    if (UndoEntry* e = impl_->record<UndoKind::MapDelete>(path, gene, field)) {
      e->a = key, e->b = std::move(before.value), e->had = before.has;
      for (OpId dot : dots) e->ids.push_back(seq::IdRange{dot, 1});
    }
  return st;
}
Result<Bytes> Doc::map_child(const Bytes& path, const GeneInfo* gene, uint32_t field, const Bytes& key) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::MapOfGenes)) {  // (the path needs no replay)
    if (!std::binary_search(z->items.begin(), z->items.end(), key)) return fail("no such key");
  } else {
    Field* f = impl_->live_field(path, gene, field);
    if (!f) return impl_->no_object();
    auto it = f->map.entries.find(key);
    if (it == f->map.entries.end() || !visible(it->second) || !it->second.child) return fail("no such key");
  }
  Writer w;
  w.raw(path.data(), path.size());
  w.varint(uint64_t{impl_->keys.key_of(gene, field)} << 2 | kStepEntry);
  w.bytes(key.data(), key.size());
  return w.take();
}

int64_t Doc::counter_value(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Counter)) return z->counter;
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f ? f->counter.value() : 0;
}
int64_t Doc::counter_rights(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  impl_->thaw();
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f ? f->counter.rights_of(impl_->actor) : 0;
}
Status Doc::counter_transfer(const Bytes& path, const GeneInfo* gene, uint32_t field, uint64_t to, int64_t amount) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  const FieldInfo& info = gene->fields[field];
  if (info.strategy != Strategy::PnCounter || !info.escrow) return fail("refused: transfer() needs an escrow counter");
  if (to == 0 || to == impl_->actor) return fail("refused: transfer() to actor 0 or to this replica itself");
  if (amount <= 0) return fail("refused: a transfer moves a positive amount of rights");
  if (amount > f->counter.rights_of(impl_->actor))
    return Failure{std::string("refused: this replica holds ") + decimal(f->counter.rights_of(impl_->actor)) +
                   " rights on `" + info.name + "`, fewer than the " + decimal(amount) + " to transfer"};
  Writer w;
  w.varint(to);
  w.varint(static_cast<uint64_t>(amount));
  return impl_->commit_local(make_op(impl_->next_id(), path, impl_->keys, gene, field, OpKind::CounterTransfer, w.take()));
}
Status Doc::counter_add(const Bytes& path, const GeneInfo* gene, uint32_t field, int64_t delta) {
  Field* f = impl_->live_field(path, gene, field);
  if (!f) return impl_->no_object();
  const FieldInfo& info = gene->fields[field];
  int64_t current = f->counter.value();
  int64_t target;
  bool overflow = __builtin_add_overflow(current, delta, &target);
  int64_t lo = info.has_min ? info.min : INT64_MIN;
  int64_t hi = info.has_max ? info.max : INT64_MAX;
  // A value that merges took out of its range accepts any operation that
  // moves it toward the range (crdt.md): refusing those would leave the
  // counter stuck out of range. Such a move is applied as asked.
  bool toward = !overflow && ((current > hi && delta < 0 && target > hi) || (current < lo && delta > 0 && target < lo));
  if (info.escrow && delta < 0 && -delta > f->counter.rights_of(impl_->actor))  // (delta > INT64_MIN: generated code)
    return Failure{std::string("refused: `") + info.name + "` is an escrow counter and this replica holds " +
                   decimal(f->counter.rights_of(impl_->actor)) + " rights; a decrement of " + decimal(-delta) +
                   " needs as many (rights come from this replica's increments and from transfers)"};
  if (info.escrow && delta > 0 && f->counter.rights_of(impl_->actor) > INT64_MAX - delta)
    return Failure{std::string("refused: `") + info.name + "`: this replica's rights would pass 2^63 - 1"};
  if (!toward && (overflow || target < lo || target > hi)) {
    switch (info.overflow) {
      case Overflow::Error:
        return Failure{std::string("`") + info.name + "` would leave its range [" + decimal(lo) + ", " +
                       decimal(hi) + "]"};
      case Overflow::Saturate:
        // Already past the bound it pushes against: it stays (clamping would
        // move it the other way, an increment that decrements).
        if ((current > hi && delta > 0) || (current < lo && delta < 0)) target = current;
        else target = (overflow ? (delta > 0 ? hi : lo) : std::min(std::max(target, lo), hi));
        break;
      case Overflow::Wrap: {
        // Wrap around within [lo, hi] in unsigned arithmetic (range 0 = all
        // of int64). No 128-bit division: its builtin needs a stack protector
        // the wasm32 libc lacks.
        uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
        if (range == 0) {
          target = static_cast<int64_t>(static_cast<uint64_t>(current) + static_cast<uint64_t>(delta));
        } else {
          uint64_t off = (static_cast<uint64_t>(current) - static_cast<uint64_t>(lo)) % range;
          uint64_t step = delta >= 0 ? static_cast<uint64_t>(delta) % range
                                     : (range - (0 - static_cast<uint64_t>(delta)) % range) % range;
          off = off >= range - step ? off - (range - step) : off + step;
          target = static_cast<int64_t>(static_cast<uint64_t>(lo) + off);
        }
        break;
      }
    }
    delta = static_cast<int64_t>(static_cast<uint64_t>(target) - static_cast<uint64_t>(current));
  }
  if (delta == 0) return {};
  Impl& d = *impl_;
  // (not for escrow: a decrement folded into an earlier one could spend
  // rights an increment between them gave, and peers would refuse it)
  for (Impl::CounterOp& c : d.counter_ops) {
    int64_t sum = 0;
    if (info.escrow) break;
    if (c.field != f || c.up != (delta > 0) || __builtin_add_overflow(c.sum, delta, &sum)) continue;
    // Bounded growth (FORMAT.md, "Size notes"): an increment of a counter
    // this open change already increments, in the same direction, adds to
    // that op instead of adding one; 100,000 increments between two syncs
    // are one op. Counter ops commute, so moving an increment earlier in
    // its change changes nothing; the lamport it would have taken is unused.
    int64_t from = f->counter.value();
    f->counter.add(d.actor, delta);
    if (Events* e = d.local_event(path, gene, field)) counter_event(*e, from, f->counter.value());
    c.sum = sum;
    Writer w;
    w.svarint(sum);
    d.log.back().ops[c.op].payload = w.take();
    d.note_counter(path, gene, field, delta);
    return {};
  }
  Writer w;
  w.svarint(delta);
  Status st = d.commit_local(make_op(d.next_id(), path, d.keys, gene, field, OpKind::CounterAdd, w.take()));
  if (st.ok) d.counter_ops.push_back({f, delta > 0, d.log.back().ops.size() - 1, delta});
  if (st.ok) d.note_counter(path, gene, field, delta);
  return st;
}

uint32_t Doc::list_length(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::List)) return static_cast<uint32_t>(z->items.size());
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f && f->list ? static_cast<uint32_t>(f->list->items.size()) : 0;
}
std::optional<Bytes> Doc::list_get(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::List))
    return index < z->items.size() ? std::optional<Bytes>(z->items[index]) : std::nullopt;
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f || !f->list || index >= f->list->items.size()) return std::nullopt;
  return f->list->items.get(index);
}

Status Doc::list_insert(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index, const Bytes& value) {
  if (!impl_->seqs) return kNoSequences;
  if (impl_->exhausted(1)) return kClockExhausted;
  Field* f = impl_->live_field(path, gene, field);
  if (!f || !f->list) return impl_->no_object();
  if (index > f->list->items.size()) return fail("index out of range");
  if (gene->fields[field].append_only && index != f->list->items.size()) return kAppendOnlyInsert;
  OpId id = impl_->next_id();
  // RgaList::insert applies locally and returns the op to record.
  seq::ListInsertOp op = f->list->items.insert(index, {value}, id);
  if (gene->fields[field].nested) f->list->children[id] = std::make_unique<Object>(gene->fields[field].nested);
  if (Events* e = impl_->local_event(path, gene, field))
    e->add(cat({",\"kind\":\"", list_kind(gene->fields[field]), "\",\"at\":", decimal(uint64_t{index}), ",\"insert\":[",
                gene->fields[field].nested ? "null" : event_value(gene->fields[field], value), "]"}));
  Writer w;
  seq::encode(w, op);
  Status st = impl_->commit_local(make_op(id, path, impl_->keys, gene, field, OpKind::ListInsert, w.take()), 1, true);
  // (undo: inserted objects are not deleted; they could not be restored;
  // nor are appends to an append-only list: undoing one would delete it)
  if (st.ok && !gene->fields[field].nested && !gene->fields[field].append_only) impl_->note_ids<UndoKind::ListIns>(path, gene, field, seq::IdRange{id, 1});
  return st;
}

Status Doc::list_insert_new(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index) {
  if (!impl_->thaw()) return impl_->thaw_failure();
  return list_insert(path, gene, field, index, Bytes{});
}

Result<Bytes> Doc::list_child(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index) const {
  OpId el;
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::ListOfGenes)) {  // (the path needs no replay)
    if (index >= z->ids.size()) return fail("index out of range");
    el = z->ids[index];
  } else {
    Field* f = impl_->live_field(path, gene, field);
    if (!f || !f->list || index >= f->list->items.size()) return fail("index out of range");
    el = f->list->items.id_at(index);
    if (!f->list->children.count(el)) return fail("the list holds values, not objects");
  }
  Writer w;
  w.raw(path.data(), path.size());
  w.varint(uint64_t{impl_->keys.key_of(gene, field)} << 2 | kStepElement);
  write_id(w, el);
  return w.take();
}

Status Doc::list_delete(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t index, uint32_t count) {
  if (!impl_->seqs) return kNoSequences;
  if (impl_->exhausted(1)) return kClockExhausted;
  Field* f = impl_->live_field(path, gene, field);
  if (!f || !f->list) return impl_->no_object();
  if (gene->fields[field].append_only) return kAppendOnlyDelete;
  if (index > f->list->items.size() || count > f->list->items.size() - index) return fail("range out of bounds");
  if (count == 0) return {};
  if (Events* e = impl_->local_event(path, gene, field))
    e->add(cat({",\"kind\":\"", list_kind(gene->fields[field]), "\",\"at\":", decimal(uint64_t{index}), ",\"delete\":",
                decimal(uint64_t{count})}));
  seq::DeleteOp op = f->list->items.remove(index, count);
  Writer w;
  seq::encode(w, op);
  Status st = impl_->commit_local(make_op(impl_->next_id(), path, impl_->keys, gene, field, OpKind::ListDelete, w.take()), 1, true);
  // (undo: deleted objects are not restored)
  if (st.ok && !gene->fields[field].nested) impl_->note_ids<UndoKind::ListDel>(path, gene, field, op.ranges);
  return st;
}

Status Doc::list_move(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t from, uint32_t to) {
  if (!impl_->seqs) return kNoSequences;
  if (impl_->exhausted(1)) return kClockExhausted;
  Field* f = impl_->live_field(path, gene, field);
  if (!f || !f->list) return impl_->no_object();
  if (gene->fields[field].append_only) return kAppendOnlyMove;
  size_t n = f->list->items.size();
  if (from >= n || to >= n) return fail("index out of range");
  if (from == to) return {};
  OpId id = impl_->next_id();
  Bytes moved = f->list->items.get(from);
  OpId element = f->list->items.id_at(from), slot = f->list->items.slot_of(element);
  seq::MoveOp op = f->list->items.move(from, to, id);
  if (op.empty()) return {};
  if (Events* e = impl_->local_event(path, gene, field)) list_move_event(*e, f->list->items, gene->fields[field], op.element, from, &moved);
  Writer w;
  seq::encode(w, op);
  Status st = impl_->commit_local(make_op(id, path, impl_->keys, gene, field, OpKind::ListMove, w.take()), 1, true);
  if (st.ok)
    if (UndoEntry* e = impl_->record<UndoKind::ListMove>(path, gene, field)) e->elem = element, e->prev = slot, e->ours = id;
  return st;
}

uint32_t Doc::text_length(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Text)) return z->text_length;
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f && f->text ? static_cast<uint32_t>(f->text->size()) : 0;
}
std::string Doc::text_string(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  if (const FrozenField* z = impl_->cold(path, gene, field, SnapKind::Text)) return z->text;
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  return f && f->text ? f->text->to_string() : std::string();
}
Status Doc::text_insert(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t pos, const std::string& text) {
  if (!impl_->seqs) return kNoSequences;
  if (impl_->exhausted(text.size())) return kClockExhausted;
  Field* f = impl_->live_field(path, gene, field);
  if (!f || !f->text) return impl_->no_object();
  if (pos > f->text->size()) return fail("position out of range");
  if (text.empty()) return {};
  const FieldInfo& info = gene->fields[field];
  // Code points <= bytes: decode only when the byte count could exceed the limit.
  if (info.max_length > 0 && f->text->size() + text.size() > static_cast<uint64_t>(info.max_length) &&
      f->text->size() + seq::utf8_decode(text).size() > static_cast<uint64_t>(info.max_length))
    return Failure{std::string("`") + info.name + "` would exceed max_length " + decimal(info.max_length)};
  OpId id = impl_->next_id();
  seq::TextInsertOp op = f->text->insert(pos, text, id);
  if (op.empty()) return {};
  Impl& d = *impl_;
  if (Events* e = d.local_event(path, gene, field))
    e->add(cat({",\"kind\":\"text\",\"at\":", decimal(uint64_t{pos}), ",\"insert\":", json_string(text),
                inserted_marks(*f->text, pos)}));
  seq::IdRange ids{id, static_cast<uint32_t>(op.text.size())};  // (undo)
  if (d.extends_run(path, d.keys.key_of(gene, field), op)) {
    d.run.ins.text += op.text;
    d.run.dirty = true;
    d.clock = op.id.lamport + op.text.size() - 1;
    d.actor_last[d.actor] = d.clock;  // as a replay of the run computes it (snapshots write it)
    d.note_ids<UndoKind::TextIns>(path, gene, field, ids);
    return {};
  }
  Writer w;
  seq::encode(w, op);
  Status st = d.commit_local(make_op(id, path, d.keys, gene, field, OpKind::TextInsert, w.take()), op.text.size(), true);
  if (st.ok) d.note_ids<UndoKind::TextIns>(path, gene, field, ids);
  if (st.ok) {
    d.run.active = true;
    d.run.is_insert = true;
    d.run.ins = std::move(op);
  }
  return st;
}
Status Doc::text_delete(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t pos, uint32_t count) {
  if (!impl_->seqs) return kNoSequences;
  if (impl_->exhausted(1)) return kClockExhausted;
  Field* f = impl_->live_field(path, gene, field);
  if (!f || !f->text) return impl_->no_object();
  if (pos > f->text->size() || count > f->text->size() - pos) return fail("range out of bounds");
  if (count == 0) return {};
  seq::DeleteOp op = f->text->remove(pos, count);
  Impl& d = *impl_;
  if (Events* e = d.local_event(path, gene, field))
    e->add(cat({",\"kind\":\"text\",\"at\":", decimal(uint64_t{pos}), ",\"delete\":", decimal(uint64_t{count})}));
  const Op* last = d.open_change && !d.log.empty() && !d.log.back().ops.empty() ? &d.log.back().ops.back() : nullptr;
  if (d.run.active && !d.run.is_insert && last && last->field == d.keys.key_of(gene, field) && last->path == path &&
      d.run.del.ranges.size() + op.ranges.size() <= Impl::kMaxRun) {
    // Backspace and forward-delete runs join the previous range; others are appended.
    for (const seq::IdRange& r : op.ranges) {
      seq::IdRange& back = d.run.del.ranges.back();
      if (r.first.actor == back.first.actor && r.first.lamport + r.len == back.first.lamport) {
        back.first = r.first;
        back.len += r.len;
      } else if (r.first.actor == back.first.actor && back.first.lamport + back.len == r.first.lamport) {
        back.len += r.len;
      } else {
        d.run.del.ranges.push_back(r);
      }
    }
    d.run.dirty = true;
    d.note_ids<UndoKind::TextDel>(path, gene, field, op.ranges);
    return {};
  }
  Writer w;
  seq::encode(w, op);
  Status st = d.commit_local(make_op(d.next_id(), path, d.keys, gene, field, OpKind::TextDelete, w.take()), 1, true);
  if (st.ok) d.note_ids<UndoKind::TextDel>(path, gene, field, op.ranges);
  if (st.ok && !op.ranges.empty()) {
    d.run.active = true;
    d.run.is_insert = false;
    d.run.del = std::move(op);
  }
  return st;
}
// text_mark and text_unmark (value null): one body for both, a smaller module.
// (A template: Doc::Impl is private to Doc, and deduction does not name it.)
template <class I>
Status mark_text(I& d, const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t start, uint32_t end,
                 const std::string& name, const std::string* value) {
  if (!d.seqs) return kNoSequences;
  if (d.exhausted(1)) return kClockExhausted;
  Field* f = field_at(d.root.get(), d.keys, path, gene, field);
  if (!f || !f->text) return kNoObject;
  if (start >= end || end > f->text->size()) return fail("mark range out of bounds");
  if (name.empty() || name.size() > 256) return fail("mark names are 1 to 256 bytes");
  OpId id = d.next_id();
  seq::MarkOp op = value ? f->text->mark(start, end, name, *value, id) : f->text->unmark(start, end, name, id);
  if (op.empty()) return {};
  if (Events* e = d.local_event(path, gene, field)) mark_event(*e, start, end, op);
  Writer w;
  seq::encode(w, op);
  return d.commit_local(make_op(id, path, d.keys, gene, field, OpKind::TextMark, w.take()), 1, true);
}
Status Doc::text_mark(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t start, uint32_t end,
                      const std::string& name, const std::string& value) {
  if (!impl_->thaw()) return impl_->thaw_failure();
  return mark_text(*impl_, path, gene, field, start, end, name, &value);
}
Status Doc::text_unmark(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t start, uint32_t end,
                        const std::string& name) {
  if (!impl_->thaw()) return impl_->thaw_failure();
  return mark_text(*impl_, path, gene, field, start, end, name, nullptr);
}
std::string Doc::text_spans(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  impl_->thaw();
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  std::string out = "[";
  if (f && f->text) {
    bool first = true;
    for (const seq::TextSpan& s : f->text->spans()) {
      // Appends, not `a + b + c` chains: each chain's temporaries cost the
      // wasm module hundreds of bytes.
      out += first ? "{\"text\":" : ",{\"text\":";
      first = false;
      out += json_string(s.text);
      out += ",\"marks\":{";
      for (size_t i = 0; i < s.marks.size(); ++i) {
        if (i) out += ",";
        out += json_string(s.marks[i].first);
        out += ":";
        out += json_string(s.marks[i].second);
      }
      out += "}}";
    }
  }
  return out + "]";
}

Bytes Doc::nested_child(const Bytes& path, const GeneInfo* gene, uint32_t field) const {
  impl_->cold(path, gene, field, SnapKind::Nested);  // thaws unless the snapshot holds the object
  Writer w;
  w.raw(path.data(), path.size());
  w.varint(uint64_t{impl_->keys.key_of(gene, field)} << 2 | kStepNested);
  return w.take();
}

// ----- @personal values

namespace {
Status check_subject(const std::string& subject) {
  if (subject.empty() || subject.size() > kMaxSubjectBytes)
    return Failure{"a personal subject is 1 to 255 bytes (an id of the person the data is about)"};
  return {};
}
}  // namespace

Status Doc::set_personal_key(const std::string& subject, const Bytes& key, const Bytes& nonce_seed) {
  if (Status st = check_subject(subject); !st.ok) return st;
  if (key.size() != kPersonalKeyBytes)
    return Failure{cat({"a personal key is 32 bytes (AES-256), this one is ", std::to_string(key.size())})};
  if (nonce_seed.size() != kPersonalSeedBytes)
    return Failure{"the nonce seed is 8 random bytes, new for each call (crypto.getRandomValues)"};
  Impl& d = *impl_;
  if (!d.personal) d.personal = make_personal_keys();
  d.personal->set(subject, key.data(), nonce_seed.data());
  if (d.personal_subject.empty()) d.personal_subject = subject;
  return {};
}

bool Doc::forget_personal_key(const std::string& subject) { return impl_->personal && impl_->personal->forget(subject); }

Status Doc::set_personal_subject(const std::string& subject) {
  if (Status st = check_subject(subject); !st.ok) return st;
  impl_->personal_subject = subject;
  return {};
}

std::string Doc::personal_subject() const { return impl_->personal_subject; }

// ----- change events

std::string Doc::take_events(bool listen) {
  Events& ev = impl_->ev;
  std::string out;
  if (ev.reset) {
    out = "[{\"obj\":\"\",\"path\":[],\"kind\":\"reset\"}]";
  } else {
    for (const Events::Entry& e : ev.out) {
      size_t at = out.size();
      out += out.empty() ? "[" : ",";
      if (!render_path(e, impl_->root.get(), impl_->keys, out)) {
        out.resize(at);  // in an object the call deleted
        continue;
      }
      out += e.tail;
      out += "}";
    }
    if (!out.empty()) out += "]";
  }
  ev.on = listen;
  ev.reset = false;
  if (ev.out.size() > 64) ev.out = {};  // a large batch's memory is given back
  ev.out.clear();
  ev.marks.clear();
  return out;
}

// ----- bounds that merges can cross

namespace {
// Appends to `out` each counter bound and max_length that object `o` (at
// `where`: "gene.field[2].field") and the objects under it break. Remote
// operations are never refused for a bound (they merge, crdt.md), so a
// merged result past one is reported here, for nested objects too. Map keys
// show as their canonical bytes between quotes (string keys read as
// themselves). Written for size (measured): it is in every module with a bound.
void collect_broken_bounds(Object& o, std::string& where, std::vector<std::string>* out) {
  for (uint32_t i = 0; i < o.gene->field_count; ++i) {
    const FieldInfo& info = o.gene->fields[i];
    Field& f = o.fields[i];
    size_t at = where.size();
    where += ".";
    where += info.name;
    // Each bound: its sign and value (none: null), then each child to walk.
    const char* sign[3] = {nullptr, nullptr, nullptr};
    int64_t bound[3] = {0, 0, 0};
    if (info.hidden) {
    } else if (info.strategy == Strategy::PnCounter) {
      int64_t v = f.counter.value();
      if (info.has_min && v < info.min) sign[0] = " >= ", bound[0] = info.min;
      if (info.has_max && v > info.max) sign[1] = " <= ", bound[1] = info.max;
    } else if (f.text) {
      if (info.max_length > 0 && f.text->size() > static_cast<uint64_t>(info.max_length))
        sign[2] = " length <= ", bound[2] = info.max_length;
    } else if (f.nested) {
      collect_broken_bounds(*f.nested, where, out);
    } else if (f.list) {
      for (size_t k = 0; k < f.list->items.size() && !f.list->children.empty(); ++k) {
        OpId el = f.list->items.id_at(k);
        if (!f.list->children.count(el)) continue;  // (count and [], which modules already have, not find)
        size_t len = where.size();
        where += "[";
        where += decimal(uint64_t{k});
        where += "]";
        collect_broken_bounds(*f.list->children[el], where, out);
        where.erase(len);
      }
    } else {
      for (auto& [key, entry] : f.map.entries) {
        if (!visible(entry) || !entry.child) continue;
        size_t len = where.size();
        where += "[\"";
        where.append(reinterpret_cast<const char*>(key.data()), key.size());
        where += "\"]";
        collect_broken_bounds(*entry.child, where, out);
        where.erase(len);
      }
    }
    for (int k = 0; k < 3; ++k)
      if (sign[k]) {
        out->push_back(where);
        out->back() += sign[k];
        out->back() += decimal(bound[k]);
      }
    where.erase(at);
  }
}
}  // namespace

Status counter_amount_refused() {
  return fail("amount out of range (int64)");
}

void Doc::broken_bounds(std::vector<std::string>* out) const {
  impl_->thaw();
  std::string where = impl_->gene->name;
  collect_broken_bounds(*impl_->root, where, out);
}

// ------------------------------------------------------------ cursors, undo and redo
// docs/generated-api.md, "Cursors" and "Undo and redo".

namespace {
// The visible index of slot `id` in `core`: where it is, or where it was for
// a tombstone or a move's old slot (*shown false). False when unknown.
bool slot_index(const seq::SeqCore& core, OpId id, uint32_t* index, bool* shown) {
  uint32_t off = 0;
  uint32_t it = core.find_id(id, &off);
  if (it == seq::kNoItem) return false;
  *shown = core.item(it).visible();
  *index = core.visible_before(it) + (*shown ? off : 0);
  return true;
}
const seq::SeqCore& core_of(const Field& f) { return f.text ? f.text->core() : f.list->items.core(); }
}  // namespace

Result<std::string> Doc::cursor(const Bytes& path, const GeneInfo* gene, uint32_t field, uint32_t pos,
                                bool stick_left) const {
  Field* f = impl_->live_field(path, gene, field);
  if (!f || (!f->text && !f->list)) return impl_->no_object();
  size_t n = f->text ? f->text->size() : f->list->items.size();
  if (pos > n) return fail("position out of range");
  std::string out(1, stick_left ? 'L' : 'R');
  if (stick_left ? pos > 0 : pos < n) {
    size_t at = stick_left ? pos - 1 : pos;
    OpId id = f->text ? f->text->id_at(at) : f->list->items.id_at(at);
    out += decimal(id.lamport);
    out += '.';
    out += decimal(id.actor);
  }
  return out;
}

std::optional<uint32_t> Doc::cursor_position(const Bytes& path, const GeneInfo* gene, uint32_t field,
                                             const std::string& cursor) const {
  impl_->thaw();
  Field* f = field_at(impl_->root.get(), impl_->keys, path, gene, field);
  if (!f || (!f->text && !f->list) || cursor.empty() || (cursor[0] != 'L' && cursor[0] != 'R')) return std::nullopt;
  bool left = cursor[0] == 'L';
  if (cursor.size() == 1) return left ? 0u : static_cast<uint32_t>(core_of(*f).size());
  uint64_t part[2] = {0, 0};
  size_t k = 0, digits = 0;
  for (size_t i = 1; i < cursor.size(); ++i) {
    char c = cursor[i];
    if (c == '.' && k == 0 && digits) {
      k = 1, digits = 0;
      continue;
    }
    if (c < '0' || c > '9' || part[k] > (UINT64_MAX - 9) / 10) return std::nullopt;
    part[k] = part[k] * 10 + static_cast<uint64_t>(c - '0');
    ++digits;
  }
  if (k != 1 || !digits) return std::nullopt;
  OpId id{part[0], part[1]};
  if (f->list && !f->list->items.value_of(id)) return std::nullopt;  // not an element (yet)
  uint32_t index = 0;
  bool shown = false;
  if (!slot_index(core_of(*f), f->list ? f->list->items.slot_of(id) : id, &index, &shown)) return std::nullopt;
  return index + (left && shown ? 1 : 0);
}

void Doc::undo_manager(uint32_t max_steps) {
  if (!max_steps) return impl_->undo.reset();
  if (!impl_->undo) impl_->undo = std::make_unique<Undo>();
  impl_->undo->max_steps = max_steps;
}
void Doc::undo_stop_capturing() {
  if (impl_->undo) impl_->undo->close();
}
bool Doc::can_undo() const {
  const Undo* u = impl_->undo.get();
  return u && (!u->open.empty() || !u->undos.empty());
}
bool Doc::can_redo() const {
  const Undo* u = impl_->undo.get();
  return u && u->open.empty() && !u->redos.empty();
}

namespace {
// The elements of `ids` (followed through the remap) that are shown
// (`shown`) or deleted, in document order: document position -> visible
// index << 32 | index in *found. (A map of integers: the module has one.)
std::map<uint64_t, uint64_t> locate(const Undo& u, const Field& f, const std::vector<seq::IdRange>& ids, bool shown,
                                    std::vector<OpId>* found) {
  std::map<uint64_t, uint64_t> out;
  const seq::SeqCore& core = core_of(f);
  for (const seq::IdRange& r : ids)
    for (uint32_t k = 0; k < r.len; ++k) {
      OpId id = u.follow(OpId{r.first.lamport + k, r.first.actor});
      OpId slot = f.list ? f.list->items.slot_of(id) : id;
      uint32_t off = 0;
      uint32_t it = core.find_id(slot, &off);
      if (it == seq::kNoItem || core.item(it).visible() != shown) continue;
      if (!shown && f.list && !f.list->items.value_of(id)) continue;
      out[uint64_t{core.total_before(it)} + off] = uint64_t{core.visible_before(it) + (shown ? off : 0)} << 32 | found->size();
      found->push_back(id);
    }
  return out;
}

// Re-inserts deleted characters (`chars`) or a list value just after slot
// `after` (their tombstone), as a local operation; *first: the first new id.
// With `move` (no chars, no value): a move of list element `move` there.
template <class I>
bool insert_after(I& d, Field& f, const Bytes& p, const GeneInfo* g, uint32_t fi, OpId after,
                  const std::u32string* chars, const Bytes* value, OpId* first, OpId move = OpId{}) {
  const seq::SeqCore& core = core_of(f);
  uint32_t off = 0;
  uint32_t it = core.find_id(after, &off);
  size_t n = chars ? chars->size() : 1;
  if (it == seq::kNoItem || d.exhausted(n)) return false;
  uint32_t next = core.next(it);
  OpId right = off + 1 < core.item(it).len ? core.item(it).id_at(off + 1)
                                           : next == seq::kNoItem ? OpId{} : core.item(next).id;
  OpId id = d.next_id(), slot;
  Writer w;
  if (chars) {
    seq::TextInsertOp op{id, after, right, *chars};
    if (!f.text->can_apply(op)) return false;
    f.text->apply(op);
    seq::encode(w, op);
  } else if (value) {
    seq::ListInsertOp op{id, after, right, {*value}};
    if (!f.list->items.can_apply(op)) return false;
    f.list->items.apply(op);
    seq::encode(w, op);
  } else {
    seq::MoveOp op{id, move, after, right};
    if (!f.list->items.can_apply(op)) return false;
    slot = f.list->items.slot_of(move);
    f.list->items.apply(op);
    seq::encode(w, op);
  }
  OpKind kind = chars ? OpKind::TextInsert : value ? OpKind::ListInsert : OpKind::ListMove;
  if (!d.commit_local(make_op(id, p, d.keys, g, fi, kind, w.take()), n, true).ok) return false;
  if (kind == OpKind::TextInsert)
    d.template note_ids<UndoKind::TextIns>(p, g, fi, seq::IdRange{id, static_cast<uint32_t>(n)});
  else if (kind == OpKind::ListInsert)
    d.template note_ids<UndoKind::ListIns>(p, g, fi, seq::IdRange{id, static_cast<uint32_t>(n)});
  else if (UndoEntry* e = d.template record<UndoKind::ListMove>(p, g, fi))
    e->elem = move, e->prev = slot, e->ours = id;
  *first = id;
  return true;
}

// Applies the inverse of `e` as new local operations (which record their own
// inverses into the step under construction). Skips what no longer applies.
// (One instance per kind K = inverse_of(kind), reached through the entry's InvertFn.)
template <UndoKind K, class I>
void invert(Doc& doc, I& d, const UndoEntry& e) {
  Undo& u = *d.undo;
  Field* f = field_at(d.root.get(), d.keys, e.path, e.gene, e.field);
  if (!f) return;  // its object is gone
  const Bytes& p = e.path;
  const GeneInfo* g = e.gene;
  uint32_t fi = e.field;
  OpId next = d.next_id();
  // Each case is compiled into its group's instance only (inverse_of).
  switch (e.kind) {
    case UndoKind::Reg:  // only while the value is still ours
      if constexpr (K == UndoKind::Reg)
        if (f->reg.has && f->reg.stamp == u.follow(e.ours) && doc.reg_set(p, g, fi, e.b).ok) u.map(e.prev, next);
      break;
    case UndoKind::Mv:
      if constexpr (K == UndoKind::Mv)
        if (f->mv.values.size() == 1 && f->mv.values[0].first == u.follow(e.ours) && doc.mv_set(p, g, fi, e.b).ok)
          u.map(e.prev, next);
      break;
    case UndoKind::Counter:
      if constexpr (K == UndoKind::Counter)
        if (e.delta != INT64_MIN) doc.counter_add(p, g, fi, -e.delta);
      break;
    case UndoKind::SetAdd: if constexpr (K == UndoKind::SetAdd) {  // removes our add only: a peer's add of the value stays
      auto it = f->set.dots.find(e.a);
      OpId dot = u.follow(e.ours);
      if (it == f->set.dots.end() || !it->second.count(dot)) break;
      if (remove_observed(d, p, g, fi, e.a, std::set<OpId>{dot}, OpKind::SetRemove).ok)
        if (UndoEntry* r = d.template record<UndoKind::SetRemove>(p, g, fi)) r->a = e.a, r->ids.push_back(seq::IdRange{dot, 1});
      break;
    }
      break;
    case UndoKind::SetRemove:  // adds it again (also when a peer did: the add is then ours too)
      if constexpr (K == UndoKind::SetAdd) {
        if (!doc.set_add(p, g, fi, e.a).ok) break;
        for (const seq::IdRange& r : e.ids) u.map(r.first, next);
      }
      break;
    case UndoKind::MapSet: if constexpr (K == UndoKind::MapSet) {
      auto it = f->map.entries.find(e.a);
      if (it == f->map.entries.end() || !visible(it->second) || it->second.value.stamp != u.follow(e.ours)) break;
      if (!e.had) doc.map_delete(p, g, fi, e.a);
      else if (doc.map_set(p, g, fi, e.a, e.b).ok) u.map(e.prev, next);
      break;
    }
      break;
    case UndoKind::MapDelete:  // unless someone set the key since
      if constexpr (K == UndoKind::MapSet) {
        if (!e.had || doc.map_has(p, g, fi, e.a) || !doc.map_set(p, g, fi, e.a, e.b).ok) break;
        for (const seq::IdRange& r : e.ids) u.map(r.first, next);
      }
      break;
    case UndoKind::TextIns:
    case UndoKind::ListIns: if constexpr (K == UndoKind::TextIns) {  // deletes what is still shown, from the right, in runs
      std::vector<uint32_t> at;
      std::vector<OpId> ids;
      for (const auto& [pos, found] : locate(u, *f, e.ids, true, &ids)) at.push_back(static_cast<uint32_t>(found >> 32));
      for (size_t j = at.size(); j > 0;) {
        size_t k = j - 1;
        while (k > 0 && at[k - 1] + 1 == at[k]) --k;
        uint32_t n = static_cast<uint32_t>(j - k);
        if (f->text) doc.text_delete(p, g, fi, at[k], n);
        else doc.list_delete(p, g, fi, at[k], n);
        j = k;
      }
      break;
    }
      break;
    case UndoKind::TextDel:
    case UndoKind::ListDel: if constexpr (K == UndoKind::TextIns) {  // re-inserts what is still deleted where it was, with new ids
      std::vector<std::pair<uint64_t, OpId>> gone;  // (document position, id)
      std::vector<OpId> ids;
      for (const auto& [pos, found] : locate(u, *f, e.ids, false, &ids)) gone.emplace_back(pos, ids[found & 0xffffffffu]);
      for (size_t j = gone.size(); j > 0;) {
        size_t k = j - 1;
        OpId first;
        if (f->text) {  // adjacent characters (no other slot between): one insert, after the last
          while (k > 0 && gone[k - 1].first + 1 == gone[k].first) --k;
          std::u32string chars(j - k, U' ');
          for (size_t m = k; m < j; ++m) f->text->char_of(gone[m].second, &chars[m - k]);
          if (insert_after(d, *f, p, g, fi, gone[j - 1].second, &chars, nullptr, &first))
            for (size_t m = k; m < j; ++m) u.map(gone[m].second, OpId{first.lamport + (m - k), first.actor});
        } else {  // each element after the slot that placed it
          OpId was = gone[k].second, slot = f->list->items.slot_of(was);
          Bytes value = *f->list->items.value_of(was);
          if (insert_after(d, *f, p, g, fi, slot, nullptr, &value, &first)) {
            u.map(was, first);
            if (slot != was) u.map(slot, first);  // the move that placed it: now the new element's own slot
          }
        }
        j = k;
      }
      break;
    }
      break;
    case UndoKind::ListMove: if constexpr (K == UndoKind::TextIns) {  // back to its previous place, while this move still places it
      const seq::RgaList& items = f->list->items;
      // Its previous slot: an insert slot stays where it was (follow() would
      // give the element's re-inserted copy); a move slot may have a newer copy.
      OpId el = u.follow(e.elem), before = e.prev == e.elem ? e.prev : u.follow(e.prev);
      size_t i = 0;
      if (items.slot_of(el) != u.follow(e.ours) || !items.index_of(el, &i)) break;
      // A new slot just after the previous one (not at an index: the
      // previous slot's neighbours decide where the element goes back).
      // (An insert slot is never remapped: its id is the element's identity.)
      OpId first;
      if (insert_after(d, *f, p, g, fi, before, nullptr, nullptr, &first, el) && before != el)
        u.map(before, next);
      break;
    }
      break;
  }
}

// undo() and redo(): applies the last step of one stack, recording its
// inverse as a step of the other. Steps that no longer change anything are
// dropped, and the next one is tried.
template <class I>
bool undo_redo(Doc& doc, I& d, bool undoing) {
  if (!d.undo) return false;
  Undo& u = *d.undo;
  u.close();
  std::vector<UndoStep>& from = undoing ? u.undos : u.redos;
  std::vector<UndoStep>& to = undoing ? u.redos : u.undos;
  while (!from.empty()) {
    UndoStep step = std::move(from.back());
    from.pop_back();
    UndoStep made;
    u.target = &made;
    u.fence = 0;
    for (size_t i = step.size(); i-- > 0;) step[i].invert(doc, &d, step[i]);
    u.target = &u.open;
    u.fence = 0;
    if (made.empty()) continue;
    to.push_back(std::move(made));
    if (to.size() > u.max_steps) to.erase(to.begin());
    return true;
  }
  return false;
}

template <UndoKind K, class I>
void invert_entry(Doc& doc, void* impl, const UndoEntry& e) {
  invert<K>(doc, *static_cast<I*>(impl), e);
}
}  // namespace

bool Doc::undo() { return undo_redo(*this, *impl_, true); }
bool Doc::redo() { return undo_redo(*this, *impl_, false); }

// ------------------------------------------------------------ sequences

namespace {

// The rga and peritext cases of apply_op (see SequenceSupport).
bool apply_sequence_op(Field& f, const FieldInfo& info, const Op& op, Reader& r, uint64_t* span, Events* ev) {
  switch (op.kind) {
    case OpKind::ListInsert: {
      if (info.strategy != Strategy::Rga || !f.list) return false;
      seq::ListInsertOp ins;
      if (!seq::decode(r, ins) || !r.at_end() || ins.id != op.id || !f.list->items.can_apply(ins)) return false;
      if (info.nested && !within_create_cap(info.nested, ins.values.size(), op.payload.size())) return false;
      f.list->items.apply(ins);
      if (!ins.values.empty()) *span = ins.values.size();
      size_t at = 0;
      if (ev && f.list->items.index_of(ins.id, &at)) {
        std::string vals;
        for (const Bytes& v : ins.values) vals += (vals.empty() ? "" : ",") + (info.nested ? "null" : event_value(info, v));
        ev->add(cat({",\"kind\":\"", list_kind(info), "\",\"at\":", decimal(uint64_t{at}), ",\"insert\":[", vals, "]"}));
      }
      if (info.nested)
        for (size_t k = 0; k < ins.values.size(); ++k) {
          OpId el{ins.id.lamport + k, ins.id.actor};
          auto& child = f.list->children[el];
          if (!child) child = std::make_unique<Object>(info.nested);
        }
      return true;
    }
    case OpKind::ListDelete: {
      if (info.strategy != Strategy::Rga || !f.list || info.append_only) return false;
      seq::DeleteOp del;
      if (!seq::decode(r, del) || !r.at_end() || !f.list->items.can_apply(del)) return false;
      if (ev && !record_deletes(*ev, f.list->items, del, list_kind(info))) ev->reset = true;
      f.list->items.apply(del);
      return true;
    }
    case OpKind::ListMove: {
      if (info.strategy != Strategy::Rga || !f.list || info.append_only) return false;
      seq::MoveOp mv;
      if (!seq::decode(r, mv) || !r.at_end() || mv.id != op.id || !f.list->items.can_apply(mv)) return false;
      size_t from = 0;
      bool was = ev && f.list->items.index_of(mv.element, &from);
      f.list->items.apply(mv);
      if (was) list_move_event(*ev, f.list->items, info, mv.element, from, f.list->items.find(mv.element));
      return true;
    }
    case OpKind::TextInsert: {
      if (info.strategy != Strategy::Peritext || !f.text) return false;
      seq::TextInsertOp ins;
      if (!seq::decode(r, ins) || !r.at_end() || ins.id != op.id || !f.text->can_apply(ins)) return false;
      f.text->apply(ins);
      if (!ins.text.empty()) *span = ins.text.size();
      size_t at = 0;
      if (ev && !ins.text.empty() && f.text->index_of(ins.id, &at))
        ev->add(cat({",\"kind\":\"text\",\"at\":", decimal(uint64_t{at}), ",\"insert\":",
                     json_string(seq::utf8_encode(ins.text.data(), ins.text.size())), inserted_marks(*f.text, at)}));
      return true;
    }
    case OpKind::TextDelete: {
      if (info.strategy != Strategy::Peritext || !f.text) return false;
      seq::DeleteOp del;
      if (!seq::decode(r, del) || !r.at_end() || !f.text->can_apply(del)) return false;
      if (ev && !record_deletes(*ev, *f.text, del, "text")) ev->reset = true;
      f.text->apply(del);
      return true;
    }
    case OpKind::TextMark: {
      if (info.strategy != Strategy::Peritext || !f.text) return false;
      seq::MarkOp mk;
      if (!seq::decode(r, mk) || !r.at_end() || mk.id != op.id || !f.text->can_apply(mk)) return false;
      f.text->apply(mk);
      if (ev) {  // the range its anchors span now (before/after a character, or the ends)
        auto pos = [&](const seq::Anchor& a, size_t none) {
          size_t i = none;
          if (!a.id.is_null() && !f.text->index_of(a.id, &i)) return none;
          return a.id.is_null() ? none : i + (a.after ? 1 : 0);
        };
        mark_event(*ev, pos(mk.start, 0), pos(mk.end, f.text->size()), mk);
      }
      return true;
    }
    default: return false;
  }
}

void encode_text_insert(Writer& w, const seq::TextInsertOp& op) { seq::encode(w, op); }
void encode_delete(Writer& w, const seq::DeleteOp& op) { seq::encode(w, op); }

// The id of the text an older version's register write converts into: its
// own lamport, and an actor derived from the write's id with the top bit set
// (writes have distinct ids, so their texts never share element ids; real
// actors with the top bit set are not expected, see FORMAT.md).
OpId migrated_text_id(OpId write) {
  uint64_t x = write.actor * 0x9e3779b97f4a7c15ull ^ write.lamport;
  x ^= x >> 31;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 29;
  return OpId{write.lamport, x | (1ull << 63)};
}

// lww -> peritext: every write of the old register inserts its text at the
// start (fixed origins: the same op on every replica, whatever the state),
// and the text of the write that lost the register is deleted. The visible
// result is the register's winner plus whatever the new version typed, on
// every replica, in any order of arrival.
void migrate_text(Field& f, const Bytes* added, OpId added_id, const Bytes* hidden, OpId hidden_id) {
  seq::TextInsertOp ins;
  ins.id = migrated_text_id(added_id);
  if (added) ins.text = seq::utf8_decode(std::string(added->begin(), added->end()));
  if (!ins.text.empty() && f.text->can_apply(ins)) f.text->apply(ins);
  if (!hidden) return;
  size_t n = seq::utf8_decode(std::string(hidden->begin(), hidden->end())).size();
  if (n == 0) return;
  seq::DeleteOp del;
  del.ranges.push_back(seq::IdRange{migrated_text_id(hidden_id), static_cast<uint32_t>(n)});
  if (f.text->can_apply(del)) f.text->apply(del);
}

void migrate_list(Field& f, const Bytes* added, OpId added_id, const std::vector<OpId>& removed) {
  if (added) {
    seq::ListInsertOp ins;
    ins.id = migrated_text_id(added_id);
    ins.values.push_back(*added);
    if (f.list->items.can_apply(ins)) f.list->items.apply(ins);
  }
  for (OpId dot : removed) {  // one by one: an add whose conversion failed has no element
    seq::DeleteOp del;
    del.ranges.push_back(seq::IdRange{migrated_text_id(dot), 1});
    if (f.list->items.can_apply(del)) f.list->items.apply(del);
  }
}

uint32_t text_run(const Field& f, OpId id, uint32_t max, bool* visible) {
  uint32_t offset = 0;
  uint32_t item = f.text ? f.text->core().find_id(id, &offset) : seq::kNoItem;
  if (item == seq::kNoItem) return 0;
  const seq::Item& it = f.text->core().item(item);
  *visible = it.visible();
  return std::min(max, it.len - offset);
}

bool canonical_insert(const Op& op) {
  Reader r(op.payload);
  seq::TextInsertOp ins;
  if (!seq::decode(r, ins) || !r.at_end()) return false;
  Writer w;
  seq::encode(w, ins);
  return w.buffer() == op.payload;
}

// Texts kept once (FORMAT.md): each field of the text section is replayed
// (its root inserts, split ones as placeholders, and its deletes) into a
// scratch text, which tells for every character whether it is visible
// (then it is the visible text's character at its index) or deleted (then
// it is the next character of the section's deleted text, taken in op
// order). Every count must add up; anything else is malformed.
bool join_texts(std::vector<Change>& changes, const TextJoin& join) {
  if (!seq::valid_utf8(join.deleted)) return false;
  std::u32string deleted = seq::utf8_decode(join.deleted);
  std::vector<std::u32string> visible;
  std::vector<seq::Text> scratch(join.fields.size());
  size_t next = 0;  // the next split insert (join.inserts is in op order)
  std::vector<uint64_t> padded(join.fields.size());
  for (size_t fi = 0; fi < join.fields.size(); ++fi) {
    if (!seq::valid_utf8(join.fields[fi].second)) return false;
    visible.push_back(seq::utf8_decode(join.fields[fi].second));
  }
  // Bounds the placeholders before any is made: a split insert's characters
  // are visible or deleted ones, which the section holds.
  uint64_t total = 0;
  for (const TextJoin::Insert& in : join.inserts) total += in.points;
  uint64_t held = deleted.size();
  for (const std::u32string& v : visible) held += v.size();
  if (total > held) return false;
  for (size_t ci = 0; ci < changes.size(); ++ci)
    for (size_t oi = 0; oi < changes[ci].ops.size(); ++oi) {
      const Op& op = changes[ci].ops[oi];
      bool split = next < join.inserts.size() && join.inserts[next].change == ci && join.inserts[next].op == oi;
      size_t fi = 0;
      while (fi < join.fields.size() && (join.fields[fi].first != op.field || !op.path.empty())) ++fi;
      if (fi == join.fields.size()) continue;
      Reader r(op.payload);
      if (op.kind == OpKind::TextInsert) {
        seq::TextInsertOp ins;
        if (split) {  // ids and origins, no characters yet
          ins.id = read_id(r);
          ins.origin_left = read_id(r);
          ins.origin_right = read_id(r);
          if (r.bytes_view().size() != 0 || !r.ok() || !r.at_end()) return false;
          ins.text.assign(static_cast<size_t>(join.inserts[next++].points), U'\uFFFC');
        } else if (!seq::decode(r, ins) || !r.at_end()) {
          return false;
        }
        if (ins.text.empty() || !scratch[fi].can_apply(ins)) return false;
        scratch[fi].apply(ins);
      } else if (op.kind == OpKind::TextDelete) {
        seq::DeleteOp del;
        if (!seq::decode(r, del) || !r.at_end() || !scratch[fi].can_apply(del)) return false;
        scratch[fi].apply(del);
      }
    }
  if (next != join.inserts.size()) return false;
  for (size_t fi = 0; fi < join.fields.size(); ++fi)
    if (scratch[fi].size() != visible[fi].size()) return false;
  size_t used = 0;  // of the deleted characters
  for (const TextJoin::Insert& in : join.inserts) {
    Op& op = changes[in.change].ops[in.op];
    size_t fi = 0;
    while (join.fields[fi].first != op.field) ++fi;
    const seq::SeqCore& core = scratch[fi].core();
    Reader r(op.payload);
    seq::TextInsertOp ins;
    ins.id = read_id(r);
    ins.origin_left = read_id(r);
    ins.origin_right = read_id(r);
    for (uint64_t k = 0; k < in.points;) {
      uint32_t offset = 0;
      uint32_t item = core.find_id(OpId{ins.id.lamport + k, ins.id.actor}, &offset);
      if (item == seq::kNoItem) return false;
      const seq::Item& it = core.item(item);
      size_t run = static_cast<size_t>(std::min<uint64_t>(in.points - k, it.len - offset));
      if (it.visible()) {
        ins.text.append(visible[fi], core.visible_before(item) + offset, run);
      } else {
        if (used + run > deleted.size()) return false;
        ins.text.append(deleted, used, run);
        used += run;
      }
      k += run;
    }
    Writer w;
    seq::encode(w, ins);
    op.payload = w.take();
  }
  return used == deleted.size();
}

void copy_sequence(const Field& from, Field& to, const ApplyContext& cx) {
  if (from.text && to.text) *to.text = *from.text;
  if (!from.list || !to.list) return;
  to.list->items = from.list->items;
  for (const auto& [id, child] : from.list->children)
    to.list->children.emplace_hint(to.list->children.end(), id, clone_object(*child, cx));
}

}  // namespace

const SequenceSupport kSequenceSupport = {apply_sequence_op, encode_text_insert, encode_delete,
                                          migrate_text,      migrate_list,       text_run,
                                          canonical_insert,  join_texts,         copy_sequence};

}  // namespace dolc_gen
