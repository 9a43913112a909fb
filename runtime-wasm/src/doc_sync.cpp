// runtime-wasm/src/doc_sync.cpp: what Doc exchanges and stores, built on the
// log (doc_log.cpp) and the wire formats (doc_wire.cpp): apply() and merge()
// of blobs from outside, save() (with a snapshot and texts kept once for long
// histories), load() (frozen from a snapshot, thawed by a replay when needed),
// and the calls that report on or cut the log (pending, migration_conflicts,
// checkpoint, commit, rollback).
#include "doc_impl.hpp"

namespace dolc_gen {

// The root texts a save keeps once (TextSplit), by root field index:
// peritext fields that no migration writes into (converted text is not in
// the history a reader replays), whose root inserts are all in canonical
// bytes (a split insert is rebuilt from its decoded op).
std::vector<uint8_t> Doc::Impl::split_texts() const {
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
SnapshotSummary Doc::Impl::summary() const {
  SnapshotSummary s;
  s.clock = clock;
  for (auto& [a, seq] : version) {
    auto last = actor_last.find(a);
    s.actors.push_back(SnapshotActor{a, seq, last == actor_last.end() ? 0 : last->second, chain_at(a, seq)});
  }
  return s;
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

}  // namespace dolc_gen
