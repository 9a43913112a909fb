// runtime-wasm/src/doc_wire.cpp: the bytes of a document (FORMAT.md): the
// framing of every blob, the schema header and the check of who wrote it, the
// reader of the row formats 2 and 1, the encoding and decoding of change blobs
// ("DC") and saves ("DS") around the columns of columnar.cpp, and version
// vectors ("DV"): version() writes them, changes_since() reads a peer's.
// Apart from the log and the merge rules, so that a format changes in one
// file (with columnar.cpp for the columns).
#include "doc_impl.hpp"

namespace dolc_gen {

namespace {

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

}  // namespace

namespace internal {

// Framing of every blob: magic, format version, body, checksum32 of the body.
Bytes frame(const uint8_t magic[2], const Bytes& body, uint8_t version) {
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

}  // namespace internal

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

}  // namespace dolc_gen
