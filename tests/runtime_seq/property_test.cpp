// tests/runtime_seq: property tests of Text (peritext) and RgaList (rga).
// 2..5 replicas make random local edits (runs inserted, ranges deleted,
// marks/unmarks, moves) and exchange ops in a random order that respects
// causality (an op is delivered only after everything its author had seen),
// with duplicates; every op crosses the wire (encode -> decode ->
// can_apply -> apply). At the end of each round all replicas must be equal
// (text + spans / element ids + values), equal to a replica that received
// everything at once, and survive save/load. Seeds: printed; set with
// DOLC_SEED. Size: DOLC_PROPERTY_SCALE multiplies the operation count
// (default 100k+ operations per strategy).
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <variant>

#include "dolc/rt/seq/rga.hpp"
#include "dolc/rt/seq/text.hpp"

using namespace dolc::rt;
using namespace dolc::rt::seq;

namespace {

uint64_t test_seed() {
  const char* s = std::getenv("DOLC_SEED");
  uint64_t seed = s ? std::strtoull(s, nullptr, 10) : std::random_device{}();
  std::cout << "[ seed     ] DOLC_SEED=" << seed << "\n";
  return seed;
}

double scale() {
  const char* s = std::getenv("DOLC_PROPERTY_SCALE");
  double v = s ? std::atof(s) : 1.0;
  return v > 0 ? v : 1.0;
}

template <class Op>
Op wire(const Op& op) {
  Writer w;
  encode(w, op);
  Reader r(w.buffer());
  Op out;
  EXPECT_TRUE(decode(r, out));
  EXPECT_TRUE(r.at_end());
  return out;
}

// The replication harness, generic over the structure. Traits give the op
// variant, local edit generation and the state comparison key.
template <class Traits>
class Network {
 public:
  using Doc = typename Traits::Doc;
  using Op = typename Traits::Op;
  struct Logged {
    Op op;
    std::vector<size_t> deps;  // per author: ops of theirs its author had applied
  };

  Network(size_t replicas, std::mt19937_64& rng) : rng_(rng), docs_(replicas), logs_(replicas),
      applied_(replicas, std::vector<size_t>(replicas, 0)), clocks_(replicas, 0) {}

  void local_edit() {
    size_t r = rng_() % docs_.size();
    Lamport& clock = clocks_[r];
    std::vector<Op> ops = Traits::edit(docs_[r], rng_, ActorId(r + 1), clock);
    for (Op& op : ops) {
      logs_[r].push_back(Logged{std::move(op), applied_[r]});
      applied_[r][r] = logs_[r].size();
    }
  }

  // Delivers one random ready op (or a duplicate); false if none was ready.
  bool deliver_one() {
    size_t r = rng_() % docs_.size(), from = rng_() % docs_.size();
    if (r == from) return false;
    size_t next = applied_[r][from];
    if (next > 0 && rng_() % 10 == 0) {  // a duplicate: must change nothing
      auto before = Traits::key(docs_[r]);
      deliver(r, logs_[from][rng_() % next].op);
      EXPECT_EQ(before, Traits::key(docs_[r]));
      return true;
    }
    if (next >= logs_[from].size()) return false;
    const Logged& l = logs_[from][next];
    for (size_t j = 0; j < docs_.size(); ++j)
      if (l.deps[j] > applied_[r][j]) return false;  // causally not ready: hold it
    deliver(r, l.op);
    applied_[r][from] = next + 1;
    return true;
  }

  void deliver_all() {
    bool progress = true;
    while (progress) {
      progress = false;
      for (size_t r = 0; r < docs_.size(); ++r)
        for (size_t from = 0; from < docs_.size(); ++from)
          while (applied_[r][from] < logs_[from].size()) {
            const Logged& l = logs_[from][applied_[r][from]];
            bool ready = true;
            for (size_t j = 0; j < docs_.size(); ++j) ready &= l.deps[j] <= applied_[r][j];
            if (!ready) break;
            deliver(r, l.op);
            applied_[r][from]++;
            progress = true;
          }
    }
  }

  // All replicas equal, equal to a fresh replica fed everything in one
  // batch (author by author in causal rounds), and save/load round-trips.
  void check_converged() {
    deliver_all();
    auto key0 = Traits::key(docs_[0]);
    for (size_t r = 1; r < docs_.size(); ++r) ASSERT_EQ(key0, Traits::key(docs_[r])) << "replica " << r;
    Doc batch;
    std::vector<size_t> done(docs_.size(), 0);
    bool progress = true;
    while (progress) {
      progress = false;
      for (size_t from = 0; from < docs_.size(); ++from)
        while (done[from] < logs_[from].size()) {
          const Logged& l = logs_[from][done[from]];
          bool ready = true;
          for (size_t j = 0; j < docs_.size(); ++j) ready &= l.deps[j] <= done[j];
          if (!ready) break;
          std::visit([&](const auto& op) { ASSERT_TRUE(batch.can_apply(op)); batch.apply(op); }, l.op);
          done[from]++;
          progress = true;
        }
    }
    ASSERT_EQ(key0, Traits::key(batch));
    Writer w;
    docs_[0].save(w);
    Doc loaded;
    Reader rd(w.buffer());
    ASSERT_TRUE(loaded.load(rd));
    ASSERT_EQ(key0, Traits::key(loaded));
  }

  size_t op_count() const {
    size_t n = 0;
    for (const auto& l : logs_) n += l.size();
    return n;
  }

 private:
  void deliver(size_t r, const Op& op) {
    std::visit(
        [&](const auto& o) {
          auto decoded = wire(o);
          ASSERT_TRUE(docs_[r].can_apply(decoded));
          docs_[r].apply(decoded);
        },
        op);
    // Lamport: a replica's next ids exceed every id it has seen.
    clocks_[r] = std::max(clocks_[r], Traits::max_lamport(op));
  }

  std::mt19937_64& rng_;
  std::vector<Doc> docs_;
  std::vector<std::vector<Logged>> logs_;
  std::vector<std::vector<size_t>> applied_;  // [replica][author]
  std::vector<Lamport> clocks_;
};

struct TextTraits {
  using Doc = Text;
  using Op = std::variant<TextInsertOp, DeleteOp, MarkOp>;
  static std::vector<Op> edit(Text& t, std::mt19937_64& rng, ActorId actor, Lamport& clock) {
    std::vector<Op> out;
    size_t n = t.size();
    unsigned pick = rng() % 20;
    if (pick < 10 || n == 0) {
      static const char* kPieces[] = {"a", "bc", "def", "\xC3\xA9", "\xE2\x82\xAC!", "xy z"};
      auto op = t.insert(rng() % (n + 1), kPieces[rng() % 6], OpId{clock + 1, actor});
      clock += op.text.size();
      out.push_back(op);
    } else if (pick < 15) {
      size_t pos = rng() % n;
      out.push_back(t.remove(pos, 1 + rng() % 3));
    } else {
      static const char* kNames[] = {"bold", "italic", "link", "comment"};
      size_t a = rng() % n, b = a + 1 + rng() % 6;
      const char* name = kNames[rng() % 4];
      ++clock;
      if (pick < 18) out.push_back(t.mark(a, b, name, std::to_string(rng() % 3), OpId{clock, actor}));
      else out.push_back(t.unmark(a, b, name, OpId{clock, actor}));
    }
    std::vector<Op> nonempty;
    for (auto& o : out)
      if (!std::visit([](const auto& x) { return x.empty(); }, o)) nonempty.push_back(std::move(o));
    return nonempty;
  }
  static Lamport max_lamport(const Op& op) {
    if (auto* i = std::get_if<TextInsertOp>(&op)) return i->id.lamport + i->text.size() - 1;
    if (auto* m = std::get_if<MarkOp>(&op)) return m->id.lamport;
    return 0;
  }
  static std::pair<std::string, std::vector<TextSpan>> key(const Text& t) { return {t.to_string(), t.spans()}; }
};

struct ListTraits {
  using Doc = RgaList;
  using Op = std::variant<ListInsertOp, DeleteOp, MoveOp>;
  static std::vector<Op> edit(RgaList& l, std::mt19937_64& rng, ActorId actor, Lamport& clock) {
    std::vector<Op> out;
    size_t n = l.size();
    unsigned pick = rng() % 10;
    if (pick < 5 || n == 0) {
      std::vector<Bytes> values(1 + rng() % 3);
      for (auto& v : values) v = Bytes{uint8_t(rng()), uint8_t(actor)};
      auto op = l.insert(rng() % (n + 1), values, OpId{clock + 1, actor});
      clock += op.values.size();
      out.push_back(op);
    } else if (pick < 7) {
      out.push_back(l.remove(rng() % n, 1 + rng() % 2));
    } else if (n >= 2) {
      ++clock;
      out.push_back(l.move(rng() % n, rng() % n, OpId{clock, actor}));
    }
    std::vector<Op> nonempty;
    for (auto& o : out)
      if (!std::visit([](const auto& x) { return x.empty(); }, o)) nonempty.push_back(std::move(o));
    return nonempty;
  }
  static Lamport max_lamport(const Op& op) {
    if (auto* i = std::get_if<ListInsertOp>(&op)) return i->id.lamport + i->values.size() - 1;
    if (auto* m = std::get_if<MoveOp>(&op)) return m->id.lamport;
    return 0;
  }
  static std::vector<std::pair<OpId, Bytes>> key(const RgaList& l) {
    std::vector<std::pair<OpId, Bytes>> out;
    l.for_each([&](OpId id, const Bytes& v) { out.emplace_back(id, v); });
    return out;
  }
};

template <class Traits>
void run_property(size_t target_ops) {
  std::mt19937_64 rng(test_seed());
  size_t total = 0;
  while (total < target_ops) {
    Network<Traits> net(2 + rng() % 4, rng);
    size_t round_ops = 300 + rng() % 400;
    while (net.op_count() < round_ops) {
      if (rng() % 3 == 0) net.local_edit();
      else
        for (int k = 0; k < 3; ++k) net.deliver_one();
    }
    net.check_converged();
    if (::testing::Test::HasFatalFailure()) return;
    total += net.op_count();
  }
}

}  // namespace

namespace dolc::rt {
inline bool operator==(const std::pair<OpId, Bytes>& a, const std::pair<OpId, Bytes>& b) {
  return a.first == b.first && a.second == b.second;
}
}  // namespace dolc::rt

TEST(TextProperty, ReplicasConverge) { run_property<TextTraits>(static_cast<size_t>(100000 * scale())); }
TEST(ListProperty, ReplicasConverge) { run_property<ListTraits>(static_cast<size_t>(100000 * scale())); }
