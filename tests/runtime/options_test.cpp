// tests/runtime/options_test.cpp: the strategy options of crdt.md that change
// a merge rule, in the document runtime (runtime-wasm/src/doc_merge.cpp,
// doc_sequences.cpp):
//
// * rga `append_only=true`: deletes, moves and inserts in the middle are
//   refused locally; a peer's change holding a delete or a move is refused
//   as malformed and the document stays as it was.
// * or_set `bias="remove"`: a remove (set) or delete (map) concurrent with an
//   add or an update wins; an add that saw the remove brings the element back.
// * pn_counter `escrow=true`: decrements spend the author's rights; no
//   interleaving of merges takes the value below min_value on any replica.
//
// Property tests run 3 replicas making random operations and exchanging
// snapshots of their changes in random order, with duplicates (a snapshot is
// everything its sender had, so most changes arrive many times); every
// replica must end in one state. DOLC_SEED replays one seed.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "dolc_gen_rt.hpp"

namespace {

using namespace dolc_gen;

FieldInfo journal_field(bool append_only) {
  FieldInfo f{"journal", Strategy::Rga};
  f.append_only = append_only;
  return f;
}
FieldInfo set_field(bool remove_wins) {
  FieldInfo f{"tags", Strategy::OrSet};
  f.remove_wins = remove_wins;
  return f;
}
FieldInfo map_field(bool remove_wins) {
  FieldInfo f{"scores", Strategy::OrMap};
  f.remove_wins = remove_wins;
  return f;
}
FieldInfo balance_field(bool escrow) {
  FieldInfo f{"balance", Strategy::PnCounter};
  f.has_min = true;
  f.min = 0;
  f.escrow = escrow;
  return f;
}

// The schema under test, and the same fields without the options (a peer
// that does not keep them: it produces the ops the options forbid, and
// shows the tests would notice add-wins or an unbounded counter).
const FieldInfo kFields[] = {journal_field(true), set_field(true), map_field(true), balance_field(true)};
const GeneInfo kLedger = {"ledger", kFields, 4, &kSequenceSupport};
const FieldInfo kPlainFields[] = {journal_field(false), set_field(false), map_field(false), balance_field(false)};
const GeneInfo kPlain = {"ledger", kPlainFields, 4, &kSequenceSupport};

constexpr uint32_t kJournal = 0, kTags = 1, kScores = 2, kBalance = 3;
const Bytes kRoot;

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string s(const Bytes& v) { return std::string(v.begin(), v.end()); }

std::string dump(const Doc& d, const GeneInfo* g) {
  std::string out = "journal:";
  for (uint32_t i = 0; i < d.list_length(kRoot, g, kJournal); ++i) out += s(*d.list_get(kRoot, g, kJournal, i)) + ",";
  out += " tags:";
  for (const Bytes& v : d.set_values(kRoot, g, kTags)) out += s(v) + ",";
  out += " scores:";
  for (const Bytes& k : d.map_keys(kRoot, g, kScores)) out += s(k) + "=" + s(d.map_get(kRoot, g, kScores, k).value_or(Bytes())) + ",";
  out += " balance:" + std::to_string(d.counter_value(kRoot, g, kBalance));
  return out;
}

Bytes all_changes(const Doc& d) {
  auto r = d.changes_since(Bytes());
  EXPECT_TRUE(r.ok) << r.error;
  return r.value;
}

uint64_t seed_for(uint64_t fallback) {
  const char* env = std::getenv("DOLC_SEED");
  return env ? std::strtoull(env, nullptr, 10) : fallback;
}

// ---- append_only

TEST(AppendOnly, RefusesDeleteMoveAndInsertInTheMiddleLocally) {
  Doc d(&kLedger, 1);
  ASSERT_TRUE(d.list_insert(kRoot, &kLedger, kJournal, 0, b("a")).ok);
  ASSERT_TRUE(d.list_insert(kRoot, &kLedger, kJournal, 1, b("b")).ok);
  Status del = d.list_delete(kRoot, &kLedger, kJournal, 0, 1);
  EXPECT_FALSE(del.ok);
  EXPECT_NE(del.error.find("append-only"), std::string::npos) << del.error;
  EXPECT_FALSE(d.list_move(kRoot, &kLedger, kJournal, 0, 1).ok);
  Status mid = d.list_insert(kRoot, &kLedger, kJournal, 0, b("x"));
  EXPECT_FALSE(mid.ok);
  EXPECT_NE(mid.error.find("insert only at the end"), std::string::npos) << mid.error;
  EXPECT_EQ(dump(d, &kLedger), "journal:a,b, tags: scores: balance:0");
  // The refusals wrote nothing: a peer receives the two appends only.
  Doc peer(&kLedger, 2);
  ASSERT_TRUE(peer.apply(all_changes(d)).ok);
  EXPECT_EQ(dump(peer, &kLedger), dump(d, &kLedger));
}

TEST(AppendOnly, RefusesAPeersDeleteOrMoveAsMalformed) {
  Doc d(&kLedger, 1);
  ASSERT_TRUE(d.list_insert(kRoot, &kLedger, kJournal, 0, b("a")).ok);
  ASSERT_TRUE(d.list_insert(kRoot, &kLedger, kJournal, 1, b("b")).ok);
  for (int which = 0; which < 2; ++which) {
    // A peer whose schema lets it delete (or move) in the same field.
    Doc rogue(&kPlain, 7 + which);
    ASSERT_TRUE(rogue.apply(all_changes(d)).ok);
    ASSERT_TRUE(rogue.set_add(kRoot, &kPlain, kTags, b("fine")).ok);  // an op the change may hold besides
    ASSERT_TRUE((which == 0 ? rogue.list_delete(kRoot, &kPlain, kJournal, 0, 1)
                            : rogue.list_move(kRoot, &kPlain, kJournal, 0, 1)).ok);
    std::string before = dump(d, &kLedger);
    Bytes version = d.version(), saved = d.save();
    Status st = d.apply(all_changes(rogue));
    EXPECT_FALSE(st.ok) << "a " << (which == 0 ? "delete" : "move") << " from a peer was accepted";
    EXPECT_EQ(dump(d, &kLedger), before);
    EXPECT_EQ(d.version(), version);
    EXPECT_EQ(d.save(), saved);
  }
}

TEST(AppendOnly, ConcurrentAppendsConvergeInRgaOrder) {
  std::mt19937_64 rng(seed_for(11));
  Doc a(&kLedger, 1), b2(&kLedger, 2), c(&kLedger, 3);
  Doc* docs[] = {&a, &b2, &c};
  for (int round = 0; round < 30; ++round) {
    for (Doc* d : docs)
      if (rng() % 2) ASSERT_TRUE(d->list_insert(kRoot, &kLedger, kJournal, d->list_length(kRoot, &kLedger, kJournal),
                                                b(std::to_string(d->actor()) + "." + std::to_string(round))).ok);
    Doc* from = docs[rng() % 3];
    Doc* to = docs[rng() % 3];
    ASSERT_TRUE(to->apply(all_changes(*from)).ok);
  }
  for (Doc* x : docs)
    for (Doc* y : docs) ASSERT_TRUE(x->apply(all_changes(*y)).ok);
  EXPECT_EQ(dump(a, &kLedger), dump(b2, &kLedger));
  EXPECT_EQ(dump(a, &kLedger), dump(c, &kLedger));
  // An element of one author never moves before an earlier one of its own.
  std::string prev[4];
  for (uint32_t i = 0; i < a.list_length(kRoot, &kLedger, kJournal); ++i) {
    std::string v = s(*a.list_get(kRoot, &kLedger, kJournal, i));
    int who = v[0] - '0';
    int round = std::stoi(v.substr(2));
    if (!prev[who].empty()) EXPECT_LT(std::stoi(prev[who]), round);
    prev[who] = std::to_string(round);
  }
}

// ---- bias = remove

// A removes what both saw while B adds it again (another dot): remove-wins
// hides it, add-wins keeps it. Same for a map delete against an update.
template <class Check>
void concurrent_remove_and_add(const GeneInfo* g, Check check) {
  Doc a(g, 1), b2(g, 2);
  ASSERT_TRUE(a.set_add(kRoot, g, kTags, b("x")).ok);
  ASSERT_TRUE(a.map_set(kRoot, g, kScores, b("k"), b("1")).ok);
  ASSERT_TRUE(b2.apply(all_changes(a)).ok);
  ASSERT_TRUE(a.set_remove(kRoot, g, kTags, b("x")).ok);
  ASSERT_TRUE(a.map_delete(kRoot, g, kScores, b("k")).ok);
  ASSERT_TRUE(b2.set_add(kRoot, g, kTags, b("x")).ok);
  ASSERT_TRUE(b2.map_set(kRoot, g, kScores, b("k"), b("2")).ok);
  Bytes from_a = all_changes(a), from_b = all_changes(b2);
  ASSERT_TRUE(a.apply(from_b).ok);
  ASSERT_TRUE(b2.apply(from_a).ok);
  ASSERT_TRUE(a.apply(from_b).ok);  // a duplicate changes nothing
  EXPECT_EQ(dump(a, g), dump(b2, g));
  check(a);
}

TEST(RemoveWins, ConcurrentRemoveBeatsAddAndUpdate) {
  concurrent_remove_and_add(&kLedger, [](const Doc& d) {
    EXPECT_FALSE(d.set_has(kRoot, &kLedger, kTags, b("x")));
    EXPECT_EQ(d.set_size(kRoot, &kLedger, kTags), 0u);
    EXPECT_FALSE(d.map_has(kRoot, &kLedger, kScores, b("k")));
    EXPECT_FALSE(d.map_get(kRoot, &kLedger, kScores, b("k")).has_value());
  });
  // The default bias keeps both: the test would see a wrong winner.
  concurrent_remove_and_add(&kPlain, [](const Doc& d) {
    EXPECT_TRUE(d.set_has(kRoot, &kPlain, kTags, b("x")));
    EXPECT_EQ(s(*d.map_get(kRoot, &kPlain, kScores, b("k"))), "2");
  });
}

TEST(RemoveWins, AnAddThatSawTheRemoveBringsItBack) {
  Doc a(&kLedger, 1), b2(&kLedger, 2);
  ASSERT_TRUE(a.set_add(kRoot, &kLedger, kTags, b("x")).ok);
  ASSERT_TRUE(a.map_set(kRoot, &kLedger, kScores, b("k"), b("1")).ok);
  ASSERT_TRUE(a.set_remove(kRoot, &kLedger, kTags, b("x")).ok);
  ASSERT_TRUE(a.map_delete(kRoot, &kLedger, kScores, b("k")).ok);
  ASSERT_TRUE(b2.apply(all_changes(a)).ok);
  ASSERT_TRUE(b2.set_add(kRoot, &kLedger, kTags, b("x")).ok);
  ASSERT_TRUE(b2.map_set(kRoot, &kLedger, kScores, b("k"), b("3")).ok);
  ASSERT_TRUE(a.apply(all_changes(b2)).ok);
  for (Doc* d : {&a, &b2}) {
    EXPECT_TRUE(d->set_has(kRoot, &kLedger, kTags, b("x")));
    EXPECT_EQ(s(d->map_get(kRoot, &kLedger, kScores, b("k")).value_or(Bytes())), "3");
  }
  // Save and load keep it (the state is rebuilt from the ops).
  Doc c(&kLedger, 3);
  ASSERT_TRUE(c.load(a.save()).ok);
  EXPECT_EQ(dump(c, &kLedger), dump(a, &kLedger));
}

// ---- escrow

TEST(Escrow, DecrementsSpendTheAuthorsRights) {
  Doc a(&kLedger, 1), b2(&kLedger, 2);
  EXPECT_EQ(a.counter_rights(kRoot, &kLedger, kBalance), 0);
  EXPECT_FALSE(a.counter_add(kRoot, &kLedger, kBalance, -1).ok);  // the start is nobody's
  ASSERT_TRUE(a.counter_add(kRoot, &kLedger, kBalance, 10).ok);
  EXPECT_EQ(a.counter_rights(kRoot, &kLedger, kBalance), 10);
  ASSERT_TRUE(b2.apply(all_changes(a)).ok);
  EXPECT_EQ(b2.counter_value(kRoot, &kLedger, kBalance), 10);
  EXPECT_EQ(b2.counter_rights(kRoot, &kLedger, kBalance), 0);
  Status st = b2.counter_add(kRoot, &kLedger, kBalance, -1);
  EXPECT_FALSE(st.ok);
  EXPECT_NE(st.error.find("rights"), std::string::npos) << st.error;
  EXPECT_FALSE(a.counter_transfer(kRoot, &kLedger, kBalance, 2, 11).ok);
  EXPECT_FALSE(a.counter_transfer(kRoot, &kLedger, kBalance, 1, 1).ok);  // to itself
  ASSERT_TRUE(a.counter_transfer(kRoot, &kLedger, kBalance, 2, 4).ok);
  EXPECT_EQ(a.counter_rights(kRoot, &kLedger, kBalance), 6);
  ASSERT_TRUE(b2.apply(all_changes(a)).ok);
  EXPECT_EQ(b2.counter_rights(kRoot, &kLedger, kBalance), 4);
  ASSERT_TRUE(b2.counter_add(kRoot, &kLedger, kBalance, -4).ok);
  EXPECT_FALSE(b2.counter_add(kRoot, &kLedger, kBalance, -1).ok);
  ASSERT_TRUE(a.counter_add(kRoot, &kLedger, kBalance, -6).ok);  // concurrently: both spend their own
  ASSERT_TRUE(a.apply(all_changes(b2)).ok);
  ASSERT_TRUE(b2.apply(all_changes(a)).ok);
  EXPECT_EQ(a.counter_value(kRoot, &kLedger, kBalance), 0);
  EXPECT_EQ(b2.counter_value(kRoot, &kLedger, kBalance), 0);
}

TEST(Escrow, APeersDecrementBeyondItsRightsIsRefused) {
  Doc a(&kLedger, 1);
  ASSERT_TRUE(a.counter_add(kRoot, &kLedger, kBalance, 5).ok);
  Doc rogue(&kPlain, 9);  // a module without the escrow: it decrements freely
  ASSERT_TRUE(rogue.apply(all_changes(a)).ok);
  ASSERT_TRUE(rogue.counter_add(kRoot, &kPlain, kBalance, -5).ok);
  std::string before = dump(a, &kLedger);
  EXPECT_FALSE(a.apply(all_changes(rogue)).ok);
  EXPECT_EQ(dump(a, &kLedger), before);
}

// ---- random operations on 3 replicas, random delivery with duplicates

struct Net {
  std::mt19937_64 rng;
  std::vector<std::unique_ptr<Doc>> docs;
  std::vector<std::vector<Bytes>> inbox;
  std::vector<std::vector<Bytes>> versions;  // each replica's earlier versions
  int held = 0;                              // deliveries after which a change waited
  const GeneInfo* g;
  Net(const GeneInfo* gene, uint64_t seed) : rng(seed), g(gene) {
    for (uint64_t a = 1; a <= 3; ++a) docs.push_back(std::make_unique<Doc>(g, a));
    inbox.resize(3);
    versions.resize(3);
  }
  std::string pick(const char* prefix, int n) { return prefix + std::to_string(rng() % n); }
  void random_op(Doc& d) {
    switch (rng() % 9) {
      case 0: {
        uint32_t n = d.list_length(kRoot, g, kJournal);
        d.list_insert(kRoot, g, kJournal, n, b(pick("e", 1000)));
        break;
      }
      case 1: d.set_add(kRoot, g, kTags, b(pick("t", 4))); break;
      case 2: d.set_remove(kRoot, g, kTags, b(pick("t", 4))); break;
      case 3: d.map_set(kRoot, g, kScores, b(pick("k", 3)), b(pick("v", 10))); break;
      case 4: d.map_delete(kRoot, g, kScores, b(pick("k", 3))); break;
      case 5: d.counter_add(kRoot, g, kBalance, static_cast<int64_t>(rng() % 5) + 1); break;
      case 6: case 7: {  // decrements: most are refused without rights, some spend all of them
        int64_t r = d.counter_rights(kRoot, g, kBalance);
        int64_t n = rng() % 3 == 0 && r > 0 ? r : static_cast<int64_t>(rng() % 6) + 1;
        d.counter_add(kRoot, g, kBalance, -n);
        break;
      }
      case 8: d.counter_transfer(kRoot, g, kBalance, rng() % 3 + 1, static_cast<int64_t>(rng() % 4) + 1); break;
    }
  }
  void check_bounds() {
    for (auto& d : docs) {
      ASSERT_GE(d->counter_value(kRoot, g, kBalance), 0) << "an escrow balance went below min_value";
      ASSERT_GE(d->counter_rights(kRoot, g, kBalance), 0);
    }
  }
  void run(int steps) {
    for (int i = 0; i < steps; ++i) {
      size_t who = rng() % 3;
      if (rng() % 3) {
        random_op(*docs[who]);
      } else if (rng() % 2) {
        // What `who` made or got since one of its earlier versions, to a
        // random peer (later): a receiver may lack what it depends on and
        // hold it until that arrives.
        versions[who].push_back(docs[who]->version());
        const Bytes& since = versions[who][rng() % versions[who].size()];
        auto r = docs[who]->changes_since(rng() % 4 ? since : Bytes());
        ASSERT_TRUE(r.ok) << r.error;
        inbox[(who + 1 + rng() % 2) % 3].push_back(r.value);
      } else if (!inbox[who].empty()) {  // deliver one held message, in random order
        size_t k = rng() % inbox[who].size();
        Status st = docs[who]->apply(inbox[who][k]);
        ASSERT_TRUE(st.ok) << st.error;
        if (docs[who]->pending().find("waitsFor") != std::string::npos) ++held;
        if (rng() % 4) inbox[who].erase(inbox[who].begin() + static_cast<long>(k));  // else: a duplicate later
      }
      check_bounds();
    }
    // Deliver everything left in random order, then anti-entropy.
    for (size_t who = 0; who < 3; ++who) {
      std::shuffle(inbox[who].begin(), inbox[who].end(), rng);
      for (const Bytes& m : inbox[who]) {
        ASSERT_TRUE(docs[who]->apply(m).ok);
        check_bounds();
      }
    }
    for (int round = 0; round < 2; ++round)  // (what was held applies once its dependencies arrive)
      for (auto& x : docs)
        for (auto& y : docs) {
          ASSERT_TRUE(x->apply(all_changes(*y)).ok);
          check_bounds();
        }
  }
};

TEST(OptionsProperty, ThreeReplicasConvergeAndTheEscrowKeepsItsBound) {
  uint64_t base = seed_for(20261130);
  int held = 0;  // the runs must have delivered changes before what they depend on
  for (uint64_t k = 0; k < 40; ++k) {
    uint64_t seed = base + k;
    SCOPED_TRACE("seed " + std::to_string(seed));
    Net net(&kLedger, seed);
    net.run(300);
    if (HasFatalFailure()) return;
    held += net.held;
    for (auto& d : net.docs) ASSERT_EQ(d->pending(), "{\"held\":[],\"forks\":[]}");
    std::string first = dump(*net.docs[0], &kLedger);
    if (std::getenv("DOLC_PEEK")) std::printf("held %d: %s\n", net.held, first.c_str());
    for (auto& d : net.docs) ASSERT_EQ(dump(*d, &kLedger), first);
    // Rights add up to what the value holds above its start (0): nothing is
    // created or lost by transfers, whatever the order.
    int64_t sum = 0;
    for (auto& d : net.docs) sum += d->counter_rights(kRoot, &kLedger, kBalance);
    EXPECT_EQ(sum, net.docs[0]->counter_value(kRoot, &kLedger, kBalance));
    // And the saved document loads into the same state.
    Doc loaded(&kLedger, 99);
    ASSERT_TRUE(loaded.load(net.docs[0]->save()).ok);
    EXPECT_EQ(dump(loaded, &kLedger), first);
  }
  EXPECT_GT(held, 0);
}

// Without the escrow the same random run does cross the bound somewhere: the
// property above is one the test can see broken.
TEST(OptionsProperty, WithoutEscrowConcurrentDecrementsCrossTheBound) {
  bool crossed = false;
  for (uint64_t seed = 1; seed < 40 && !crossed; ++seed) {
    Net net(&kPlain, seed);
    for (int i = 0; i < 400 && !crossed; ++i) {
      size_t who = net.rng() % 3;
      if (net.rng() % 2) net.docs[who]->counter_add(kRoot, &kPlain, kBalance, net.rng() % 2 ? 3 : -3);
      else net.docs[who]->apply(all_changes(*net.docs[net.rng() % 3]));
      for (auto& d : net.docs) crossed = crossed || d->counter_value(kRoot, &kPlain, kBalance) < 0;
    }
  }
  EXPECT_TRUE(crossed);
}

}  // namespace
