// runtime-wasm/src/columnar.cpp: the compact change-list codec (format 3,
// FORMAT.md "Change columns"), used by save() and changes_since().
//
// A change list is written column by column rather than change by change:
// each column holds one attribute of every change or op (the actor, the
// lamport delta, the field, the kind...) and is run-length coded
// (columns.hpp), so attributes that repeat (one actor typing, one field,
// lamports advancing by the previous op's length) cost a few bytes in all.
// Actors are 64-bit; they are written once, in a table, and named by index.
// Text inserts and deletes (nearly all of a text's history) are taken apart
// into columns of their own: the inserted text goes into one column of
// plain UTF-8 (what a host's compressor then shrinks best), origins that
// are the default (the character just typed, or none) cost no id. Ops of
// other kinds keep their payload bytes as they are (one column of byte
// strings, run-length coded: 100,000 identical counter increments are one
// run). Decoding rebuilds exactly the ops that were encoded, payload bytes
// included, so save -> load -> save is byte-identical.
#include <map>

#include "columns.hpp"
#include "log.hpp"
#include "snapshot.hpp"

namespace dolc_gen::internal {
namespace {

using dolc::rt::ColumnReader;
using dolc::rt::ColumnWriter;
using dolc::rt::unzigzag;
using dolc::rt::zigzag;

// The columns, in the order they are written. Adding a column is a format
// change: readers refuse blobs whose column count they do not know.
enum Column : uint32_t {
  kChangeActor,    // actor index
  kChangeSeq,      // seq - (the previous seq of that actor in this blob) - 1
  kChangeDepCount,
  kDepActor,       // actor index
  kDepSeq,         // zigzag(seq - the previous dependency on that actor in this blob, or 0)
  kChangeOpCount,  // >= 1
  kOpLamport,      // zigzag(lamport - the previous op's end), see op_end()
  kOpPath,         // 0: the previous op's path; else 1 + the length of a new path in kPathBytes
  kPathBytes,      // new paths, concatenated (raw; steps name keys of the blob's table)
  kOpField,        // key index
  kOpKind,         // kind; + kRawPayload when the payload is in kPayload as is
  kPayloadLength,  // payloads of the kinds without columns of their own: lengths,
  kPayloadBytes,   // and the bytes, concatenated (raw)
  kInsertOrigins,  // text inserts: left mode + 3 x right mode (Origin)
  kInsertOriginActor,    // explicit origins: actor index
  kInsertOriginLamport,  // explicit origins: zigzag(lamport - op lamport)
  kInsertLength,   // bytes of UTF-8 text
  kText,           // the inserted text, concatenated (raw bytes, not a run-coded column)
  kDeleteCount,    // ranges per delete
  kDeleteActor,    // actor index of each range's first id
  kDeleteLamport,  // zigzag(first lamport - op lamport)
  kDeleteLength,   // range length
  // Format 5 on (ColumnSet::Values): the values of register writes, set
  // adds and map sets (key, then value), each an integer or bytes.
  kValueLength,    // 0: an integer, in kValueInt; n > 0: n - 1 bytes, in kValueBytes
  kValueBytes,     // the bytes values, concatenated (raw)
  kValueInt,       // zigzag(integer - the previous integer value in this blob)
  kColumnCount
};
constexpr uint32_t kFormat3ColumnCount = kValueLength;  // formats 3 and 4: columns 0-21
uint32_t column_count(ColumnSet set) { return set == ColumnSet::Values ? kColumnCount : kFormat3ColumnCount; }
bool is_raw_column(uint32_t c) { return c == kText || c == kPathBytes || c == kPayloadBytes || c == kValueBytes; }

constexpr uint64_t kRawPayload = 64;
constexpr uint64_t kForksSection = 2;  // optional section: changes that fork an actor's history
// Origin modes of a text insert. kAfterOwn: the character before this op's
// first one, by the same actor (typing on after one's own text).
// As a right origin (format 5 on), kSameRight: the right origin of the same
// actor's previous text insert in this blob (typing runs in the middle of a
// text keep the character they are typed in front of).
enum Origin : uint64_t { kNone = 0, kAfterOwn = 1, kExplicit = 2, kSameRight = 1 };

// Decoding limit: run-length coding lets a few bytes stand for many
// changes or ops, so what a blob decodes to is bounded by its size
// (FORMAT.md): 64 bytes of changes and ops per byte, plus 64 MiB. A hostile
// blob of a few bytes cannot make the reader allocate without bound, and
// every document dolc writes stays far inside (an op costs at least a byte
// of some column unless it repeats its predecessor exactly).
constexpr uint64_t kDecodedBytesPerByte = 64;
constexpr uint64_t kDecodedBytesAllowance = uint64_t{64} << 20;

// Code points of UTF-8 bytes: the lamports a text insert occupies.
uint64_t code_points(std::string_view s) {
  uint64_t n = 0;
  for (char c : s) n += (static_cast<uint8_t>(c) & 0xc0) != 0x80;
  return n;
}

// The lamport just past `op`: the default for the next op's (text inserts
// own one lamport per character, other ops one).
uint64_t op_end(const Op& op, uint64_t text_points) { return op.id.lamport + (text_points ? text_points : 1); }

// A text insert taken apart for the columns; false when the payload does
// not read as one (it then travels raw). Payloads with non-minimal varints
// are rebuilt minimal: the same op, in canonical bytes.
struct InsertParts {
  OpId left, right;
  std::string_view text;
};
bool split_insert(const Op& op, InsertParts* out) {
  Reader r(op.payload);
  OpId id = read_id(r);
  out->left = read_id(r);
  out->right = read_id(r);
  out->text = r.bytes_view();
  return r.ok() && r.at_end() && id == op.id && !out->text.empty();
}

// Whether a delete's payload reads as one (count, then count x (id, length));
// the encoder then walks it again to take it apart.
bool reads_as_delete(const Op& op) {
  Reader r(op.payload);
  uint64_t n = r.count(3);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    read_id(r);
    r.varint();
  }
  return r.ok() && r.at_end() && n > 0;
}

// The integer a value's bytes hold when they are exactly one varint in its
// shortest form (the generated code writes integers, bools and enums so;
// strings and other bytes rarely read as one). Taken apart, an integer
// costs its difference from the previous one (counts and timestamps that
// grow cost a byte or nothing), and writing the varint back gives the same
// bytes, so nothing is lost either way.
bool reads_as_integer(std::string_view v, uint64_t* out) {
  if (v.empty() || v.size() > 10) return false;
  Reader r(reinterpret_cast<const uint8_t*>(v.data()), v.size());
  *out = r.varint();
  // Shortest form: no final group of zeros (a save calls this per value, so
  // it checks the bytes rather than writing the varint again to compare).
  return r.ok() && r.at_end() && (v.size() == 1 || v.back() != 0);
}

// A map set's payload taken apart: `bytes key`, `bytes value`, nothing
// else (bias=remove payloads carry more, and travel raw).
bool split_map_set(const Op& op, std::string_view* key, std::string_view* value) {
  Reader r(op.payload);
  *key = r.bytes_view();
  *value = r.bytes_view();
  return r.ok() && r.at_end();
}

// A column of concatenated bytes, taken in pieces whose lengths another
// column gives. A piece past the end fails the column (done() is then false).
struct RawColumn {
  std::string_view bytes;
  size_t at = 0;
  bool failed = false;
  std::string_view take(uint64_t n) {
    if (n > bytes.size() - at) {
      failed = true;
      return {};
    }
    std::string_view out = bytes.substr(at, static_cast<size_t>(n));
    at += static_cast<size_t>(n);
    return out;
  }
  bool done() const { return !failed && at == bytes.size(); }
};

// The blob's actors in order of first use, named by index.
struct ActorTable {
  std::vector<uint64_t> actors;
  std::map<uint64_t, uint64_t> index_of;
  uint64_t index(uint64_t actor) {
    auto [it, added] = index_of.emplace(actor, actors.size());
    if (added) actors.push_back(actor);
    return it->second;
  }
};

// Where encode_columns puts values: each into its column (run-coded, or raw
// bytes whose lengths another column gives), or, for the rows layout, all
// into one stream in the order they come (FORMAT.md "Rows"): a change of one
// keystroke then costs a byte per value instead of a length and a group
// header per column. Actors are named by table index either way; in rows a
// new actor's id follows its first index.
struct ColumnSink {
  bool rows;
  ColumnWriter col[kColumnCount];
  Writer raw[kColumnCount];  // the raw columns (is_raw_column)
  Writer stream;
  ActorTable table;
  uint64_t last_int = 0;  // kValueInt's previous integer
  void put(uint32_t c, uint64_t v) {
    if (rows) stream.varint(v);
    else col[c].put(v);
  }
  void bytes(uint32_t c, const uint8_t* p, size_t n) { (rows ? stream : raw[c]).raw(p, n); }
  void value(std::string_view v) {
    uint64_t n = 0;
    if (reads_as_integer(v, &n)) {
      put(kValueLength, 0);
      put(kValueInt, zigzag(static_cast<int64_t>(n - last_int)));
      last_int = n;
    } else {
      put(kValueLength, v.size() + 1);
      bytes(kValueBytes, reinterpret_cast<const uint8_t*>(v.data()), v.size());
    }
  }
  uint64_t actor(uint32_t c, uint64_t a) {
    size_t known = table.actors.size();
    uint64_t i = table.index(a);
    put(c, i);
    if (rows && table.actors.size() > known) stream.varint(a);
    return i;
  }
};

// What decode_columns reads values from: the columns, or the rows stream
// (the blob's reader itself). Reads latch failure as the readers do.
struct ColumnSource {
  bool rows;
  Reader* stream;
  ColumnReader col[kColumnCount];
  RawColumn raw[kColumnCount];
  std::vector<uint64_t> actors;
  bool bad_actor = false;
  uint64_t last_int = 0;
  uint64_t next(uint32_t c) { return rows ? stream->varint() : col[c].next(); }
  // A value (ColumnSink::value), appended to `out` as `bytes` when `prefixed`.
  void value(Writer& out, bool prefixed) {
    uint64_t length = next(kValueLength);
    Writer integer;
    std::string_view v;
    if (length == 0) {
      last_int += static_cast<uint64_t>(unzigzag(next(kValueInt)));
      integer.varint(last_int);
      v = std::string_view(reinterpret_cast<const char*>(integer.buffer().data()), integer.size());
    } else {
      v = take(kValueBytes, length - 1);
    }
    if (prefixed) out.str(v);
    else out.raw(reinterpret_cast<const uint8_t*>(v.data()), v.size());
  }
  std::string_view take(uint32_t c, uint64_t n) {
    if (!rows) return raw[c].take(n);
    const uint8_t* p = stream->position();
    stream->skip(n > SIZE_MAX ? SIZE_MAX : static_cast<size_t>(n));
    return stream->ok() ? std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string_view();
  }
  // The actor an index in column `c` names; `*index` receives the index. A
  // bad index fails the blob.
  uint64_t actor(uint32_t c, uint64_t* index) {
    *index = next(c);
    if (rows && *index == actors.size() && stream->ok()) actors.push_back(stream->varint());
    if (*index < actors.size()) return actors[static_cast<size_t>(*index)];
    bad_actor = true;
    return 0;
  }
};

}  // namespace

bool reads_as_text_insert(const Op& op) {
  InsertParts ins;
  return split_insert(op, &ins);
}

void encode_columns(Writer& w, const std::vector<const Change*>& changes, BlobKeys& keys,
                    const std::vector<const Change*>& forks, const Bytes* snapshot, const TextSplit* split,
                    ChangeLayout layout, ColumnSet set) {
  ColumnSink out{layout == ChangeLayout::Rows, {}, {}, {}, {}};
  Writer deleted_text;  // the text section's: the deleted characters of split inserts, in op order
  Bytes prev_path;
  std::map<uint64_t, uint64_t> last_seq;  // actor index -> its previous seq in this blob
  std::map<uint64_t, uint64_t> last_dep;  // actor index -> the previous dependency on it in this blob
  uint64_t prev_end = 0;
  uint64_t cursor = 0;  // the lamport of the last id a text op wrote or named (see Column)
  std::map<uint64_t, OpId> last_right;  // actor -> the right origin of its previous text insert here (kSameRight)
  bool at_first_op = true;
  Bytes path;
  auto put_id = [&](Column actors, OpId id) {
    out.actor(actors, id.actor);
    out.put(actors + 1, zigzag(static_cast<int64_t>(id.lamport - cursor)));
    cursor = id.lamport;
  };
  for (const Change* c : changes) {
    uint64_t actor = out.actor(kChangeActor, c->actor);
    out.put(kChangeSeq, c->seq - last_seq[actor] - 1);
    last_seq[actor] = c->seq;
    out.put(kChangeDepCount, c->deps.size());
    for (auto& [a, s] : c->deps) {
      uint64_t dep = out.actor(kDepActor, a);
      out.put(kDepSeq, zigzag(static_cast<int64_t>(s - last_dep[dep])));
      last_dep[dep] = s;
    }
    out.put(kChangeOpCount, c->ops.size());
    for (const Op& op : c->ops) {
      out.put(kOpLamport, zigzag(static_cast<int64_t>(op.id.lamport - prev_end)));
      path.clear();
      if (!op.path.empty()) remap_path(op.path, &path, &keys, nullptr);
      if (at_first_op || path != prev_path) {
        out.put(kOpPath, path.size() + 1);
        out.bytes(kPathBytes, path.data(), path.size());
        prev_path = path;
      } else {
        out.put(kOpPath, 0);
      }
      at_first_op = false;
      out.put(kOpField, keys.index(op.field));
      uint64_t points = 0;
      InsertParts ins;
      if (op.kind == OpKind::TextInsert && split_insert(op, &ins)) {
        out.put(kOpKind, static_cast<uint64_t>(op.kind));
        bool after_own = ins.left == OpId{op.id.lamport - 1, op.id.actor};
        uint64_t left = ins.left.is_null() ? kNone : after_own ? kAfterOwn : kExplicit;
        bool same_right = set == ColumnSet::Values && !ins.right.is_null() && last_right[op.id.actor] == ins.right;
        uint64_t right = ins.right.is_null() ? kNone : same_right ? kSameRight : kExplicit;
        last_right[op.id.actor] = ins.right;
        out.put(kInsertOrigins, left + 3 * right);
        if (left == kExplicit) put_id(kInsertOriginActor, ins.left);
        if (right == kExplicit) put_id(kInsertOriginActor, ins.right);
        points = code_points(ins.text);
        const std::pair<uint32_t, std::string>* kept = nullptr;
        if (split && op.path.empty())
          for (const auto& f : split->fields) kept = f.first == op.field ? &f : kept;
        if (!kept) {
          out.put(kInsertLength, ins.text.size());
          out.bytes(kText, reinterpret_cast<const uint8_t*>(ins.text.data()), ins.text.size());
        } else {
          // The visible characters are in the text section already; the
          // deleted ones go to its stream of deleted text, in op order. The
          // length column gives the insert's code points (its lamport span),
          // which tell nothing of which are which: a reader finds that out by
          // replaying (join_texts).
          out.put(kInsertLength, points);
          size_t at = 0;  // byte offset in ins.text
          for (uint64_t k = 0; k < points;) {
            bool shown = false;
            uint32_t run = split->run(split->doc, op.field, OpId{op.id.lamport + k, op.id.actor},
                                      static_cast<uint32_t>(points - k), &shown);
            if (run == 0) run = static_cast<uint32_t>(points - k);  // cannot happen: the text holds every id it applied
            size_t from = at;
            for (uint32_t i = 0; i < run; ++i)
              do ++at; while (at < ins.text.size() && (static_cast<uint8_t>(ins.text[at]) & 0xc0) == 0x80);
            if (!shown) deleted_text.raw(reinterpret_cast<const uint8_t*>(ins.text.data() + from), at - from);
            k += run;
          }
        }
        cursor = op.id.lamport + points - 1;
      } else if ((op.kind == OpKind::TextDelete || op.kind == OpKind::ListDelete) && reads_as_delete(op)) {
        out.put(kOpKind, static_cast<uint64_t>(op.kind));
        Reader r(op.payload);
        uint64_t n = r.varint();
        out.put(kDeleteCount, n);
        for (uint64_t i = 0; i < n; ++i) {
          put_id(kDeleteActor, read_id(r));
          out.put(kDeleteLength, r.varint());
        }
      } else if (set == ColumnSet::Values && (op.kind == OpKind::RegSet || op.kind == OpKind::SetAdd)) {
        out.put(kOpKind, static_cast<uint64_t>(op.kind));
        out.value(std::string_view(reinterpret_cast<const char*>(op.payload.data()), op.payload.size()));
      } else if (std::string_view key, value; set == ColumnSet::Values && op.kind == OpKind::MapSet &&
                                              split_map_set(op, &key, &value)) {
        out.put(kOpKind, static_cast<uint64_t>(op.kind));
        out.value(key);
        out.value(value);
      } else {
        out.put(kOpKind, static_cast<uint64_t>(op.kind) + kRawPayload);
        out.put(kPayloadLength, op.payload.size());
        out.bytes(kPayloadBytes, op.payload.data(), op.payload.size());
      }
      prev_end = op_end(op, points);
    }
  }

  if (out.rows) {
    // Rows: the change count, the sections, then the stream to the end.
    w.varint(changes.size());
  } else {
    w.varint(out.table.actors.size());
    for (uint64_t a : out.table.actors) w.varint(a);
    w.varint(changes.size());
    w.varint(column_count(set));
    // Only the columns that hold something, after a mask of which those are
    // (a change of one keystroke uses half of them).
    Bytes columns[kColumnCount];
    uint64_t present = 0;
    for (uint32_t i = 0; i < column_count(set); ++i) {
      columns[i] = is_raw_column(i) ? out.raw[i].take() : out.col[i].finish();
      if (!columns[i].empty()) present |= uint64_t{1} << i;
    }
    w.varint(present);
    size_t total = 0;
    for (const Bytes& b : columns) total += b.empty() ? 0 : 10 + b.size();
    w.reserve_more(total);
    for (const Bytes& b : columns)
      if (!b.empty()) w.bytes(b.data(), b.size());
  }
  // Sections (FORMAT.md): kind 2, the forks this replica knows (changes
  // that reuse an actor's seq; they cannot sit among the columns, where an
  // actor's seqs grow, nor together: two may share one seq), each as
  // columns of its own.
  bool texts = split && !split->fields.empty();
  w.varint((forks.empty() ? 0 : 1) + (snapshot ? 1 : 0) + (texts ? 1 : 0));
  if (!forks.empty()) {
    Writer section;
    section.varint(forks.size());
    for (const Change* f : forks) {
      Writer one;
      encode_columns(one, {f}, keys, {}, nullptr, nullptr, ChangeLayout::Columns, set);
      section.bytes(one.buffer().data(), one.size());
    }
    w.varint(kForksSection);
    w.bytes(section.buffer().data(), section.size());
  }
  // Kind 5, the visible characters of root texts (TextSplit): required, as
  // the text column lacks them.
  if (texts) {
    Writer section;
    section.varint(split->fields.size());
    for (const auto& [key, visible] : split->fields) {
      section.varint(keys.index(key));
      section.str(visible);
    }
    section.bytes(deleted_text.buffer().data(), deleted_text.size());
    w.varint(kTextSection);
    w.bytes(section.buffer().data(), section.size());
  }
  // Kind 6, the snapshot (snapshot.hpp): last, so that a reader looking for
  // it skips the columns and the forks without decoding them.
  if (snapshot) {
    w.varint(kSnapshotSection);
    w.bytes(snapshot->data(), snapshot->size());
  }
  if (out.rows) w.raw(out.stream.buffer().data(), out.stream.size());
}

bool find_section(Reader r, uint64_t kind, std::string_view* body, ColumnSet set) {
  uint64_t actor_count = r.count(1);
  for (uint64_t i = 0; i < actor_count && r.ok(); ++i) r.varint();
  r.varint();  // changes
  const uint32_t columns = column_count(set);
  if (r.varint() != columns) return false;
  uint64_t present = r.varint();
  if (present >> columns) return false;
  for (uint32_t i = 0; i < columns; ++i)
    if (present >> i & 1) r.bytes_view();
  uint64_t sections = r.count(2);
  bool found = false;
  for (uint64_t i = 0; i < sections && r.ok(); ++i) {
    uint64_t k = r.varint();
    std::string_view b = r.bytes_view();
    if (k == kind && !found) {
      *body = b;
      found = true;
    }
  }
  return found && r.ok() && r.at_end();
}

bool decode_columns(Reader& r, std::vector<Change>* out, const std::vector<uint32_t>& blob_keys, bool outer,
                    TextJoin* join, ChangeLayout layout, ColumnSet set) {
  // Reads latch failure (ColumnReader, RawColumn and Reader all do): values
  // read after a failure are 0 or empty, every count stays bounded, and the
  // outcome is tested where a value drives memory and once at the end.
  ColumnSource in{layout == ChangeLayout::Rows, &r, {}, {}, {}, false};
  uint64_t actor_count = in.rows ? 0 : r.count(1);
  for (uint64_t i = 0; i < actor_count && r.ok(); ++i) in.actors.push_back(r.varint());
  uint64_t change_count = r.varint();
  // What the decoded changes may take (see kDecodedBytesPerByte), charged
  // before each allocation.
  uint64_t budget = kDecodedBytesPerByte * uint64_t{r.remaining()} + kDecodedBytesAllowance;
  const uint32_t columns = column_count(set);
  if ((!in.rows && r.varint() != columns) || change_count > budget / sizeof(Change)) return false;
  uint64_t present = in.rows ? 0 : r.varint();
  if (present >> columns) return false;
  for (uint32_t i = 0; i < columns && !in.rows; ++i) {
    std::string_view b;
    if (present >> i & 1) {
      b = r.bytes_view();
      if (b.empty()) r.fail();  // a present column holds something
    }
    in.col[i] = ColumnReader(reinterpret_cast<const uint8_t*>(b.data()), b.size());
    in.raw[i].bytes = b;
  }
  // Sections after the columns (FORMAT.md): a reader skips the optional
  // ones (even kinds) it does not know, and refuses a blob with a required
  // one (odd kinds) it does not know. This runtime knows the forks section
  // (outer blobs only), whose changes follow the others in `out`.
  uint64_t sections = r.count(2);
  std::string_view forks, texts;
  for (uint64_t i = 0; i < sections && r.ok(); ++i) {
    uint64_t kind = r.varint();
    std::string_view body = r.bytes_view();
    if (kind == kForksSection && outer && forks.empty()) forks = body;
    else if (kind == kTextSection && outer && join && texts.empty()) texts = body;
    else if (kind & 1) r.fail();
  }
  // The text section: which root texts keep their visible characters there
  // (their inserts then carry none: join_texts rebuilds them), and the
  // deleted characters of those inserts.
  if (!texts.empty()) {
    Reader t(reinterpret_cast<const uint8_t*>(texts.data()), texts.size());
    uint64_t n = t.count(2);
    for (uint64_t i = 0; i < n && t.ok(); ++i) {
      uint64_t key = t.varint();
      std::string_view visible = t.bytes_view();
      if (key >= blob_keys.size()) return false;
      for (const auto& f : join->fields)
        if (f.first == blob_keys[static_cast<size_t>(key)]) return false;  // one entry per field
      join->fields.emplace_back(blob_keys[static_cast<size_t>(key)], std::string(visible));
    }
    join->deleted = std::string(t.bytes_view());
    if (!t.ok() || !t.at_end()) return false;
  }
  auto split_field = [&](const Op& op) {
    if (texts.empty() || !op.path.empty()) return false;
    for (const auto& f : join->fields)
      if (f.first == op.field) return true;
    return false;
  };
  bool ok = r.ok();
  // An id written as actor index and zigzag(lamport - cursor), in two columns.
  uint64_t cursor = 0;
  std::map<uint64_t, OpId> last_right;  // actor -> the right origin of its previous text insert here (kSameRight)
  auto rel_id = [&](Column actor_column) {
    OpId id;
    uint64_t index;
    id.actor = in.actor(actor_column, &index);
    id.lamport = cursor + static_cast<uint64_t>(unzigzag(in.next(actor_column + 1)));
    cursor = id.lamport;
    return id;
  };

  // Per actor index: its previous seq in this blob, and the previous
  // dependency on it (rows add actors as they come).
  std::vector<uint64_t> last_seq(in.actors.size()), last_dep(in.actors.size());
  auto actor = [&](Column column, uint64_t* index) {
    uint64_t a = in.actor(column, index);
    if (last_seq.size() < in.actors.size()) {
      last_seq.resize(in.actors.size());
      last_dep.resize(in.actors.size());
    }
    ok = ok && !in.bad_actor;
    return a;
  };
  uint64_t prev_end = 0;
  // Charges `bytes` to the budget; false when it is spent.
  auto charge = [&](uint64_t bytes) {
    if (bytes > budget) return false;
    budget -= bytes;
    return true;
  };
  Bytes path;  // the previous op's, in the blob's key indexes
  for (uint64_t ci = 0; ci < change_count && ok; ++ci) {
    Change c;
    uint64_t actor_index;
    c.actor = actor(kChangeActor, &actor_index);
    uint64_t seq_delta = in.next(kChangeSeq);
    if (!ok || seq_delta >= kMaxLamport - last_seq[static_cast<size_t>(actor_index)]) return false;
    c.seq = last_seq[static_cast<size_t>(actor_index)] += seq_delta + 1;
    uint64_t dep_count = in.next(kChangeDepCount);
    // One entry per actor at most (rows name new actors as they come).
    if (dep_count > (in.rows ? r.remaining() : in.actors.size())) return false;
    for (uint64_t i = 0; i < dep_count && ok; ++i) {
      uint64_t dep;
      uint64_t dep_actor = actor(kDepActor, &dep);
      if (!ok) return false;
      last_dep[static_cast<size_t>(dep)] += static_cast<uint64_t>(unzigzag(in.next(kDepSeq)));
      c.deps.emplace_back(dep_actor, last_dep[static_cast<size_t>(dep)]);
    }
    uint64_t op_count = in.next(kChangeOpCount);
    if (op_count == 0 || op_count > budget / sizeof(Op) || !charge(sizeof(Change) + dep_count * 16 + op_count * sizeof(Op)))
      return false;
    c.ops.reserve(static_cast<size_t>(op_count));
    for (uint64_t oi = 0; oi < op_count && ok; ++oi) {
      Op op;
      op.id = OpId{prev_end + static_cast<uint64_t>(unzigzag(in.next(kOpLamport))), c.actor};
      uint64_t path_length = in.next(kOpPath);
      if (path_length > 0) {
        std::string_view p = in.take(kPathBytes, path_length - 1);
        path.assign(p.begin(), p.end());
      }
      uint64_t field = in.next(kOpField);
      uint64_t kind = in.next(kOpKind);
      bool raw = kind >= kRawPayload;
      if (raw) kind -= kRawPayload;
      // Lamports grow within a change and stay below the bound (FORMAT.md);
      // the first op has no previous path.
      if (op.id.lamport == 0 || op.id.lamport > kMaxLamport || (oi > 0 && op.id.lamport <= c.ops.back().id.lamport) ||
          (path_length == 0 && ci == 0 && oi == 0) || field >= blob_keys.size() || kind < 1 || kind > 15)
        return false;
      op.field = blob_keys[static_cast<size_t>(field)];
      if (!path.empty() && !remap_path(path, &op.path, nullptr, &blob_keys)) return false;
      op.kind = static_cast<OpKind>(kind);
      uint64_t points = 0;
      Writer payload;
      if (raw) {
        std::string_view p = in.take(kPayloadBytes, in.next(kPayloadLength));
        payload.raw(reinterpret_cast<const uint8_t*>(p.data()), p.size());
      } else if (op.kind == OpKind::TextInsert) {
        uint64_t modes = in.next(kInsertOrigins);
        if (modes >= 9 || (modes / 3 == kSameRight && set != ColumnSet::Values)) return false;
        OpId left, right;
        if (modes % 3 == kAfterOwn) left = OpId{op.id.lamport - 1, op.id.actor};
        if (modes % 3 == kExplicit) left = rel_id(kInsertOriginActor);
        if (modes / 3 == kExplicit) right = rel_id(kInsertOriginActor);
        if (modes / 3 == kSameRight) {
          right = last_right[op.id.actor];
          if (right.is_null()) return false;
        }
        last_right[op.id.actor] = right;
        std::string_view inserted;
        if (split_field(op)) {  // no characters until join_texts: the length is their count
          points = in.next(kInsertLength);
          if (points > kMaxLamport) return false;
          join->inserts.push_back(TextJoin::Insert{out->size(), c.ops.size(), points});
        } else {
          inserted = in.take(kText, in.next(kInsertLength));
          points = code_points(inserted);
        }
        if (points == 0) return false;
        write_id(payload, op.id);
        write_id(payload, left);
        write_id(payload, right);
        payload.str(inserted);
        cursor = op.id.lamport + points - 1;
      } else if (op.kind == OpKind::TextDelete || op.kind == OpKind::ListDelete) {
        uint64_t n = in.next(kDeleteCount);
        if (n == 0 || n > budget / 16 || !charge(n * 16)) return false;
        payload.varint(n);
        for (uint64_t i = 0; i < n && ok; ++i) {
          write_id(payload, rel_id(kDeleteActor));
          uint64_t length = in.next(kDeleteLength);
          payload.varint(length);
          ok = ok && (in.rows ? r.ok() : in.col[kDeleteLength].ok());
        }
      } else if (set == ColumnSet::Values && (op.kind == OpKind::RegSet || op.kind == OpKind::SetAdd)) {
        in.value(payload, false);
      } else if (set == ColumnSet::Values && op.kind == OpKind::MapSet) {
        in.value(payload, true);
        in.value(payload, true);
      } else {
        return false;  // kinds without columns of their own travel raw
      }
      op.payload = payload.take();
      if (!charge(op.payload.size() + op.path.size())) return false;
      prev_end = op_end(op, points);
      c.ops.push_back(std::move(op));
    }
    out->push_back(std::move(c));
  }
  // Every column read without failure and to its end: values left over, or
  // bytes no value used, make the blob malformed.
  // (Rows: the caller checks that the stream, `r`, ends there.)
  for (uint32_t i = 0; i < kColumnCount && !in.rows; ++i)
    ok = ok && (is_raw_column(i) ? in.raw[i].done() : in.col[i].done());
  if (!ok || in.bad_actor || !r.ok()) return false;
  if (forks.empty()) return true;
  Reader section(reinterpret_cast<const uint8_t*>(forks.data()), forks.size());
  uint64_t n = section.count(1);
  for (uint64_t i = 0; i < n && section.ok(); ++i) {
    std::string_view one = section.bytes_view();
    Reader fork(reinterpret_cast<const uint8_t*>(one.data()), one.size());
    if (!decode_columns(fork, out, blob_keys, false, nullptr, ChangeLayout::Columns, set) || !fork.at_end()) return false;
  }
  return section.ok() && section.at_end();
}

}  // namespace dolc_gen::internal
