// runtime-wasm/src/doc_log.cpp: the change log of Doc::Impl (doc_impl.hpp):
// local changes (commit_local, typing runs), causal delivery (changes held
// until what they depend on arrives, with caps), rebuilds from the log and the
// baselines that spare most of them, forks (changes reusing an actor's seq)
// and the replay in canonical order past them, and the canonical bytes and
// chain digests that name changes. The one place that decides which changes a
// document has applied, in which order.
#include "doc_impl.hpp"

namespace dolc_gen {

namespace internal {

Failure fail(const char* message) { return Failure{message}; }
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p.data(), p.size());
  return out;
}
const Failure kClockExhausted{"refused: the document's clock reached its bound (2^62); it cannot take more edits"};

}  // namespace internal

// Ends the typing run, writing its final payload into its op (the last op
// of the log). Called before anything reads, cuts or appends to the log.
void Doc::Impl::end_run(bool change_goes_on) {
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

bool Doc::Impl::ready(const Change& c) const {
  auto it = version.find(c.actor);
  uint64_t have = it == version.end() ? 0 : it->second;
  if (c.seq != have + 1) return false;
  for (auto& [a, s] : c.deps) {
    auto d = version.find(a);
    if ((d == version.end() ? 0 : d->second) < s) return false;
  }
  return true;
}

bool Doc::Impl::known(const Change& c) const {
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
bool Doc::Impl::apply_change(const Change& c) {
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
void Doc::Impl::append(Change c) {
  uint64_t eff = effective_in_log(c);
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

bool Doc::Impl::is_tainted(const Change& c) const {
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
void Doc::Impl::rebuild(size_t changes, size_t ops_in_last) {
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

void Doc::Impl::keep_baseline(bool ascends) {
  baseline = std::make_unique<Baseline>(Baseline{log.size(), ascends, clone_object(*root, context()), version,
                                                 actor_last, conflicts, clock, largest_tainted});
}

// Moves the baseline's state in (the log already cut to its entries) and
// returns how many entries that is; the baseline is gone.
size_t Doc::Impl::restore_baseline() {
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

bool Doc::Impl::ascending(size_t from, size_t to) const {
  for (size_t i = from ? from : 1; i < to; ++i)
    if (!(key_at(i - 1) < key_at(i))) return false;
  return true;
}

// Starts or extends our open change and records `op`. Register, set, map
// and counter ops are applied here through the same path as remote ops, so
// local and remote edits cannot disagree; sequence ops were applied by the
// sequence's own local method (`applied`), which uses `span` ids.
Status Doc::Impl::commit_local(Op op, uint64_t span, bool applied) {
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

// The first thing `c` waits for: its author's previous change, then each
// dependency. False when `c` is ready.
bool Doc::Impl::first_unmet(const Change& c, ChangeKey* need) const {
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

void Doc::Impl::hold(Change c, uint64_t in_batch) {
  ++held_changes;
  held_bytes += weight(c);
  ++held_per_actor[c.actor];
  held[ChangeKey{c.actor, c.seq}].push_back(Held{std::move(c), in_batch});
}

Change Doc::Impl::unhold(std::vector<Held>& list, size_t i) {
  Change c = std::move(list[i].change);
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
  --held_changes;
  held_bytes -= weight(c);
  if (--held_per_actor[c.actor] == 0) held_per_actor.erase(c.actor);
  return c;
}

bool Doc::Impl::holds(const Change& c) const {
  auto it = held.find(ChangeKey{c.actor, c.seq});
  if (it != held.end())
    for (const Held& h : it->second)
      if (same_change(h.change, c)) return true;
  return false;
}

bool Doc::Impl::fork_touched(uint64_t who) const {
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
dolc::rt::ChainDigest Doc::Impl::forks_digest() const {
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
uint64_t Doc::Impl::legacy_forks_digest() const {
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
bool Doc::Impl::past_a_fork(const Change& c) const {
  for (const Change& f : forks)
    if ((c.actor == f.actor && c.seq >= f.seq) || depends_on_slot(c, f.actor, f.seq, /*own_chain=*/true)) return true;
  return false;
}

bool Doc::Impl::forked(const Change& c) const {
  for (const Change& f : forks)
    if (same_change(f, c)) return true;
  return false;
}

// A change's canonical bytes: format 3 columns of it alone, after the
// names of the keys it uses; equal on every replica, whatever its key ids.
// (The open change's typing run must be written first: end_run.)
Bytes Doc::Impl::canonical(const Change& c) const {
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
uint64_t Doc::Impl::digest(const Change& c) const {
  Bytes b = canonical(c);
  return dolc::rt::digest64(b.data(), b.size());
}

// SHA-256 of the canonical bytes: what chain digests are made of.
dolc::rt::Sha256Digest Doc::Impl::content_hash(const Change& c) const {
  Bytes b = canonical(c);
  return dolc::rt::Sha256::of(b.data(), b.size());
}

// Which of two forks of one (actor, seq) every replica keeps.
bool Doc::Impl::preferred(const Change& a, const Change& b) const {
  Bytes x = canonical(a), y = canonical(b);
  uint64_t dx = dolc::rt::digest64(x.data(), x.size()), dy = dolc::rt::digest64(y.data(), y.size());
  return dx != dy ? dx < dy : x < y;
}

// The chain digest of actor `a` after its change `s` (1 <= s <= version).
dolc::rt::ChainDigest Doc::Impl::chain_at(uint64_t a, uint64_t s) const {
  return walk_chain(a, s, chains, [&](const dolc::rt::ChainDigest& prev, const Change& c) {
    return dolc::rt::chain_link(prev, content_hash(c));
  });
}

// The same as version vectors of format 2 computed it (FNV-1a 64).
uint64_t Doc::Impl::legacy_chain_at(uint64_t a, uint64_t s) const {
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
Digest Doc::Impl::walk_chain(uint64_t a, uint64_t s, std::vector<Digest>& cache, Link link) const {
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
bool Doc::Impl::depends_on_slot(const Change& c, uint64_t a, uint64_t s, bool own_chain) const {
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
bool Doc::Impl::drain(std::vector<ChangeKey> queue) {
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
// same changes shares: by effective lamport (key_at: it follows
// causality), through the held machinery (which waits for dependencies
// whatever the order). Past a fork, ops that do not fit
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
void Doc::Impl::replay_in_canonical_order() {
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
size_t Doc::Impl::canonical_start() const {
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
std::vector<uint64_t> Doc::Impl::effective_from(size_t from) const {
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
void Doc::Impl::fork_moved(uint64_t a, uint64_t s) {
  if (!baseline) return;
  auto v = baseline->version.find(a);
  if (v != baseline->version.end() && v->second >= s) baseline.reset();
}

void Doc::Impl::cut_due(const Change& c) {
  if (!cut_pending || ChangeKey{effective_in_log(c), c.actor} < cut_at) return;
  cut_pending = false;
  if (ascending(replay_from, log.size())) keep_baseline(true);
}

// Settles the forks drain() found: each one either replaces the change in
// its slot (it is preferred and does not depend on that slot), and the
// state is replayed with it, or is kept aside in `forks`.
void Doc::Impl::settle() {
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
        effective[slot] = effective_in_log(in_log);
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
Status Doc::Impl::receive(std::vector<Change> incoming) {
  receive_start = log.size();
  Status st = receive_batch(std::move(incoming));
  receive_start = SIZE_MAX;
  return st;
}

Status Doc::Impl::receive_batch(std::vector<Change> incoming) {
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

Doc::Doc(const GeneInfo* root, uint64_t actor) : impl_(std::make_unique<Impl>(root, actor == 0 ? 1 : actor)) {}
Doc::~Doc() = default;

uint64_t Doc::actor() const { return impl_->actor; }

}  // namespace dolc_gen
