// tests/runtime/doc_test.cpp: the document runtime (runtime-wasm/src/doc_*.cpp)
// through the API generated code uses (dolc_gen::Doc).
//
// Unit tests pin each strategy's merge rule (crdt.md); property tests run
// 2..5 replicas making random operations and exchanging changes through a
// simulated network that reorders, duplicates, delays and drops messages
// (anti-entropy later re-sends what was lost). Every replica must end with
// the same state, equal to a replica that received everything in one batch,
// and save/load must round-trip it. Seeds are printed; DOLC_SEED replays one,
// DOLC_PROPERTY_SCALE scales the number of operations (0.1 under sanitizers,
// 10+ for a long run).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "blob_framing.hpp"
#include "dolc/rt/encoding.hpp"
#include "dolc/rt/format.hpp"
#include "dolc_gen_rt.hpp"

namespace {

using namespace dolc_gen;

// ---- a schema exercising every field kind, nested objects included

const FieldInfo kItemFields[] = {
    {"label", Strategy::Lww},
    {"votes", Strategy::PnCounter},
    {"tags", Strategy::OrSet},
};
const GeneInfo kItem = {"item", kItemFields, 3};

FieldInfo counter_field(const char* name, bool bounded, Overflow overflow) {
  FieldInfo f{name, Strategy::PnCounter};
  f.has_min = bounded;
  f.min = -50;
  f.has_max = bounded;
  f.max = 50;
  f.overflow = overflow;
  return f;
}

const FieldInfo kDocFields[] = {
    {"id", Strategy::Immutable},                                         // 0
    {"title", Strategy::Lww},                                            // 1
    {"topic", Strategy::Lww, nullptr, false, 0, false, 0, Overflow::Saturate, true},  // 2 content_hash
    {"status", Strategy::MvRegister},                                    // 3
    {"members", Strategy::OrSet},                                        // 4
    {"scores", Strategy::OrMap},                                         // 5 scalar values
    {"items_by_key", Strategy::OrMap, &kItem},                           // 6 gene values
    counter_field("likes", true, Overflow::Saturate),                    // 7
    counter_field("wrapping", true, Overflow::Wrap),                     // 8
    {"log", Strategy::Rga},                                              // 9 values
    {"items", Strategy::Rga, &kItem},                                    // 10 nested objects
    {"body", Strategy::Peritext},                                        // 11
    {"meta", Strategy::Nested, &kItem},                                  // 12
};
const GeneInfo kDoc = {"doc", kDocFields, 13, &kSequenceSupport};

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string s(const Bytes& v) { return std::string(v.begin(), v.end()); }

// A canonical dump of everything readable, recursively.
std::string dump(const Doc& d, const Bytes& path, const GeneInfo* g) {
  std::string out = "{";
  for (uint32_t i = 0; i < g->field_count; ++i) {
    const FieldInfo& f = g->fields[i];
    out += std::string(f.name) + ":";
    switch (f.strategy) {
      case Strategy::Immutable:
      case Strategy::Lww: {
        auto v = d.reg_get(path, g, i);
        out += v ? "'" + s(*v) + "'" : "-";
        break;
      }
      case Strategy::MvRegister:
        for (auto& v : d.mv_values(path, g, i)) out += "'" + s(v) + "'|";
        break;
      case Strategy::OrSet:
        for (auto& v : d.set_values(path, g, i)) out += s(v) + ",";
        break;
      case Strategy::OrMap:
        for (auto& k : d.map_keys(path, g, i)) {
          out += s(k) + "=";
          if (f.nested) {
            auto child = d.map_child(path, g, i, k);
            out += child.ok ? dump(d, child.value, f.nested) : "?";
          } else {
            auto v = d.map_get(path, g, i, k);
            out += v ? s(*v) : "?";
          }
          out += ",";
        }
        break;
      case Strategy::PnCounter: out += std::to_string(d.counter_value(path, g, i)); break;
      case Strategy::Rga:
        for (uint32_t k = 0; k < d.list_length(path, g, i); ++k) {
          if (f.nested) {
            auto child = d.list_child(path, g, i, k);
            out += child.ok ? dump(d, child.value, f.nested) : "?";
          } else {
            out += s(*d.list_get(path, g, i, k));
          }
          out += ",";
        }
        break;
      case Strategy::Peritext: out += d.text_string(path, g, i) + "#" + d.text_spans(path, g, i); break;
      case Strategy::Nested: out += dump(d, d.nested_child(path, g, i), f.nested); break;
    }
    out += ";";
  }
  return out + "}";
}
std::string dump(const Doc& d) { return dump(d, kRoot, &kDoc); }

// ---- value codecs

// json_value(double) writes what printf's "%.17g" writes, without stdio (which
// a wasm module cannot use): random bit patterns of every exponent, and
// integers, halves and the edges.
TEST(Codecs, DoublesPrintAsPrintfWould) {
  std::mt19937_64 rng(20261130);
  const double edges[] = {1, -1, 0.1, 21.5, 1e16, 1e17, 9.999999999999999e16, 1e-4, 1e-5, 5e-324,
                          1.7976931348623157e308, 2.2250738585072014e-308, 0.5, 123456789012345678.0};
  for (int i = 0; i < 200000; ++i) {
    double v;
    if (i < 14) {
      v = edges[i];
    } else if (i % 2) {
      uint64_t bits = rng();
      std::memcpy(&v, &bits, 8);
    } else {
      v = static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) / 64;
    }
    if (v != v || v - v != 0 || v == 0) continue;
    char want[64];
    std::snprintf(want, sizeof want, "%.17g", v);
    ASSERT_EQ(json_value(v), std::string(want)) << "bits of the value: " << i;
  }
  EXPECT_EQ(json_value(0.0), "0");
  EXPECT_EQ(json_value(1.0 / 0.0), "null");
}

// ---- unit tests of the merge rules

void sync(Doc& a, Doc& b) {
  auto ab = a.changes_since(b.version());
  ASSERT_TRUE(ab.ok);
  ASSERT_TRUE(b.apply(ab.value).ok);
  auto ba = b.changes_since(a.version());
  ASSERT_TRUE(ba.ok);
  ASSERT_TRUE(a.apply(ba.value).ok);
}

TEST(DocRules, ImmutableFirstWriterWinsAndRefusesLocalRewrite) {
  Doc a(&kDoc, 1), c(&kDoc, 2);
  ASSERT_TRUE(a.reg_set(kRoot, &kDoc, 0, b("from-a")).ok);
  ASSERT_TRUE(c.reg_set(kRoot, &kDoc, 0, b("from-c")).ok);
  sync(a, c);
  // Same lamport: the smaller actor wins, on both replicas.
  EXPECT_EQ(s(*a.reg_get(kRoot, &kDoc, 0)), "from-a");
  EXPECT_EQ(s(*c.reg_get(kRoot, &kDoc, 0)), "from-a");
  EXPECT_FALSE(a.reg_set(kRoot, &kDoc, 0, b("again")).ok);
}

TEST(DocRules, LwwLastWriterWins) {
  Doc a(&kDoc, 1), c(&kDoc, 2);
  ASSERT_TRUE(a.reg_set(kRoot, &kDoc, 1, b("a1")).ok);
  sync(a, c);
  ASSERT_TRUE(c.reg_set(kRoot, &kDoc, 1, b("c2")).ok);  // causally later
  sync(a, c);
  EXPECT_EQ(s(*a.reg_get(kRoot, &kDoc, 1)), "c2");
}

TEST(DocRules, MvRegisterKeepsConcurrentValuesAndAWriteReplacesWhatItSaw) {
  Doc a(&kDoc, 1), c(&kDoc, 2);
  ASSERT_TRUE(a.mv_set(kRoot, &kDoc, 3, b("draft")).ok);
  ASSERT_TRUE(c.mv_set(kRoot, &kDoc, 3, b("sent")).ok);
  sync(a, c);
  EXPECT_EQ(a.mv_values(kRoot, &kDoc, 3).size(), 2u);
  ASSERT_TRUE(a.mv_set(kRoot, &kDoc, 3, b("read")).ok);
  sync(a, c);
  auto vals = c.mv_values(kRoot, &kDoc, 3);
  ASSERT_EQ(vals.size(), 1u);
  EXPECT_EQ(s(vals[0]), "read");
}

TEST(DocRules, OrSetAddWinsOverConcurrentRemove) {
  Doc a(&kDoc, 1), c(&kDoc, 2);
  ASSERT_TRUE(a.set_add(kRoot, &kDoc, 4, b("x")).ok);
  sync(a, c);
  ASSERT_TRUE(a.set_remove(kRoot, &kDoc, 4, b("x")).ok);
  ASSERT_TRUE(c.set_add(kRoot, &kDoc, 4, b("x")).ok);  // concurrent re-add
  sync(a, c);
  EXPECT_TRUE(a.set_has(kRoot, &kDoc, 4, b("x")));
  EXPECT_TRUE(c.set_has(kRoot, &kDoc, 4, b("x")));
  ASSERT_TRUE(c.set_remove(kRoot, &kDoc, 4, b("x")).ok);
  sync(a, c);
  EXPECT_FALSE(a.set_has(kRoot, &kDoc, 4, b("x")));
}

TEST(DocRules, CounterBoundsSaturateWrapAndError) {
  Doc a(&kDoc, 1);
  ASSERT_TRUE(a.counter_add(kRoot, &kDoc, 7, 70).ok);
  EXPECT_EQ(a.counter_value(kRoot, &kDoc, 7), 50);  // saturated at max
  ASSERT_TRUE(a.counter_add(kRoot, &kDoc, 8, 60).ok);
  EXPECT_EQ(a.counter_value(kRoot, &kDoc, 8), -41);  // 60 wraps within [-50, 50]
  FieldInfo strict[] = {counter_field("n", true, Overflow::Error)};
  GeneInfo g = {"g", strict, 1};
  Doc e(&g, 1);
  EXPECT_FALSE(e.counter_add(kRoot, &g, 0, 51).ok);
  EXPECT_EQ(e.counter_value(kRoot, &g, 0), 0);
}

TEST(DocRules, NestedObjectsKeepMergingFieldByField) {
  Doc a(&kDoc, 1), c(&kDoc, 2);
  ASSERT_TRUE(a.list_insert_new(kRoot, &kDoc, 10, 0).ok);
  sync(a, c);
  auto pa = a.list_child(kRoot, &kDoc, 10, 0);
  auto pc = c.list_child(kRoot, &kDoc, 10, 0);
  ASSERT_TRUE(pa.ok && pc.ok);
  ASSERT_TRUE(a.counter_add(pa.value, &kItem, 1, 2).ok);
  ASSERT_TRUE(c.counter_add(pc.value, &kItem, 1, 3).ok);
  ASSERT_TRUE(c.reg_set(pc.value, &kItem, 0, b("card")).ok);
  sync(a, c);
  EXPECT_EQ(a.counter_value(pa.value, &kItem, 1), 5);
  EXPECT_EQ(s(*a.reg_get(pa.value, &kItem, 0)), "card");
  EXPECT_EQ(dump(a), dump(c));
}

TEST(DocRules, RollbackRestoresTheStateBeforeACheckpoint) {
  Doc a(&kDoc, 1);
  ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, 0, "hello").ok);
  std::string before = dump(a);
  uint64_t mark = a.checkpoint();
  ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, 5, " world").ok);
  ASSERT_TRUE(a.counter_add(kRoot, &kDoc, 7, 3).ok);
  a.rollback(mark);
  EXPECT_EQ(dump(a), before);
  ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, 5, "!").ok);
  EXPECT_EQ(a.text_string(kRoot, &kDoc, 11), "hello!");
}

// Past 1,024 ops a rollback restores a copy of the state (the baseline)
// and replays what followed it: every kind of field, nested objects in maps,
// lists and `meta` included, must come back exactly, and the document must
// still sync with one that never saw the rolled-back edits.
TEST(DocRules, RollbacksFromABaselineRestoreEveryKindOfField) {
  Doc a(&kDoc, 1), c(&kDoc, 2);
  auto edit = [&](int i) {
    std::string n = std::to_string(i % 40);
    ASSERT_TRUE(a.reg_set(kRoot, &kDoc, 1, b("t" + n)).ok);
    ASSERT_TRUE(a.mv_set(kRoot, &kDoc, 3, b("s" + n)).ok);
    ASSERT_TRUE(a.set_add(kRoot, &kDoc, 4, b("m" + n)).ok);
    if (i % 3 == 0) ASSERT_TRUE(a.set_remove(kRoot, &kDoc, 4, b("m" + std::to_string((i + 7) % 40))).ok);
    ASSERT_TRUE(a.map_set(kRoot, &kDoc, 5, b("k" + n), b("v" + std::to_string(i))).ok);
    ASSERT_TRUE(a.map_set_new(kRoot, &kDoc, 6, b("i" + std::to_string(i % 5))).ok);
    auto child = a.map_child(kRoot, &kDoc, 6, b("i" + std::to_string(i % 5)));
    ASSERT_TRUE(child.ok);
    ASSERT_TRUE(a.counter_add(child.value, &kItem, 1, 1).ok);
    ASSERT_TRUE(a.list_insert(kRoot, &kDoc, 9, 0, b("l" + n)).ok);
    if (i % 10 == 0) ASSERT_TRUE(a.list_insert_new(kRoot, &kDoc, 10, 0).ok);
    auto item = a.list_child(kRoot, &kDoc, 10, 0);
    ASSERT_TRUE(item.ok);
    ASSERT_TRUE(a.set_add(item.value, &kItem, 2, b("g" + n)).ok);
    ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, a.text_length(kRoot, &kDoc, 11) / 2, "ab").ok);
    ASSERT_TRUE(a.reg_set(a.nested_child(kRoot, &kDoc, 12), &kItem, 0, b("meta" + n)).ok);
    (void)a.changes_since(a.version());  // closes the change
  };
  for (int i = 0; i < 100; ++i) {
    edit(i);
    if (HasFatalFailure()) return;
  }
  for (int round = 0; round < 12; ++round) {
    std::string before = dump(a);
    uint64_t mark = a.checkpoint();
    edit(1000 + round);
    edit(2000 + round);
    a.rollback(mark);
    ASSERT_EQ(dump(a), before) << round;
    edit(round);
  }
  EXPECT_GT(a.replayed_ops(), 1024u);
  ASSERT_TRUE(c.apply(a.changes_since(c.version()).value).ok);
  EXPECT_EQ(dump(c), dump(a));
  EXPECT_EQ(c.version(), a.version());
}

// Regression (kanban e2e): a rollback to a checkpoint taken when our last
// change was already exported must not reopen that change. Reopening it let
// the next local op join a change the other replica already had (same seq),
// so that replica never saw the op and later refused ops that referred to it.
TEST(DocRules, RollbackDoesNotReopenAnExportedChange) {
  Doc a(&kDoc, 1), c(&kDoc, 2);
  ASSERT_TRUE(a.reg_set(kRoot, &kDoc, 1, b("first")).ok);
  ASSERT_TRUE(c.apply(a.changes_since(c.version()).value).ok);  // exports (closes) a's change
  uint64_t mark = a.checkpoint();
  ASSERT_TRUE(a.counter_add(kRoot, &kDoc, 7, 1).ok);
  a.rollback(mark);  // e.g. a reject_operation invariant refused the op
  ASSERT_TRUE(a.list_insert_new(kRoot, &kDoc, 10, 0).ok);
  auto item = a.list_child(kRoot, &kDoc, 10, 0);
  ASSERT_TRUE(item.ok);
  ASSERT_TRUE(a.reg_set(item.value, &kItem, 0, b("card")).ok);
  ASSERT_TRUE(c.apply(a.changes_since(c.version()).value).ok);
  EXPECT_EQ(dump(a), dump(c));
  EXPECT_EQ(c.version(), a.version());
}

TEST(DocRules, ChangesArrivingBeforeTheirPredecessorsAreHeld) {
  Doc a(&kDoc, 1), c(&kDoc, 2);
  ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, 0, "ab").ok);
  Bytes v0 = c.version();
  auto first = a.changes_since(v0);
  Bytes v1 = a.version();
  ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, 2, "cd").ok);
  auto second = a.changes_since(v1);
  ASSERT_TRUE(c.apply(second.value).ok);  // held: depends on the first
  EXPECT_EQ(c.text_string(kRoot, &kDoc, 11), "");
  ASSERT_TRUE(c.apply(first.value).ok);
  EXPECT_EQ(c.text_string(kRoot, &kDoc, 11), "abcd");
  ASSERT_TRUE(c.apply(first.value).ok);  // duplicates change nothing
  EXPECT_EQ(dump(a), dump(c));
}

// A change held for its predecessors (apply() accepted the bytes) that turns
// out not to fit once it can apply is dropped: it must not make every later
// apply() that completes its dependencies fail.
TEST(DocRules, AHeldChangeThatDoesNotFitIsDroppedNotBlocking) {
  // A writer whose `status` is a counter: its counter ops on `status` (an
  // mv_register here) do not fit (a field of another version would have
  // another key, and be kept instead).
  std::vector<FieldInfo> wrong(kDocFields, kDocFields + 13);
  wrong[3] = counter_field("status", false, Overflow::Saturate);
  GeneInfo other = {"doc", wrong.data(), 13, &kSequenceSupport};
  Doc x(&other, 9), c(&kDoc, 2), a(&kDoc, 1);
  ASSERT_TRUE(x.reg_set(kRoot, &other, 1, b("fits")).ok);
  auto first = x.changes_since(Bytes{});
  Bytes v1 = x.version();
  ASSERT_TRUE(x.counter_add(kRoot, &other, 3, 5).ok);
  auto second = x.changes_since(v1);
  ASSERT_TRUE(c.apply(second.value).ok);  // held: its predecessor is missing
  { auto st = c.apply(first.value); ASSERT_TRUE(st.ok) << st.error; }   // applies; the held one is dropped
  EXPECT_EQ(s(*c.reg_get(kRoot, &kDoc, 1)), "fits");
  ASSERT_TRUE(a.apply(first.value).ok);
  ASSERT_TRUE(a.reg_set(kRoot, &kDoc, 1, b("later")).ok);  // after "fits": wins
  ASSERT_TRUE(c.apply(a.changes_since(c.version()).value).ok);
  EXPECT_EQ(s(*c.reg_get(kRoot, &kDoc, 1)), "later");
  // The same bad change in one batch with its predecessor is refused whole.
  Doc d(&kDoc, 3);
  std::string before = dump(d);
  EXPECT_FALSE(d.apply(x.changes_since(Bytes{}).value).ok);
  EXPECT_EQ(dump(d), before);
}

// A change blob written by hand: one counter op on `likes` by actor 9 at
// `lamport` (FORMAT.md: framing, schema header, key table, change list).
Bytes counter_blob(uint64_t lamport) {
  dolc::rt::Writer body;
  body.str("doc");
  body.str("");
  for (int i = 0; i < 4; ++i) body.u8(0);  // layout hash (kDoc declares no layouts)
  body.varint(1);
  body.str("likes");
  body.varint(1);          // one change
  body.varint(9);          // actor
  body.varint(1);          // seq
  body.varint(0);          // no dependencies
  body.varint(1);          // one op
  body.varint(lamport);
  body.varint(0);          // root path
  body.varint(0);          // key 0: likes
  body.u8(8);              // CounterAdd
  body.varint(1);
  body.u8(2);              // svarint +1
  return framed_changes_v2(body);
}

TEST(DocRules, TheClockCannotWrap) {
  Doc d(&kDoc, 1);
  ASSERT_TRUE(d.counter_add(kRoot, &kDoc, 7, 2).ok);
  Bytes before = d.save();
  EXPECT_FALSE(d.apply(counter_blob((uint64_t{1} << 62) + 1)).ok);  // past the bound: refused
  EXPECT_EQ(d.save(), before);
  ASSERT_TRUE(d.apply(counter_blob(uint64_t{1} << 62)).ok);  // at the bound: accepted
  EXPECT_EQ(d.counter_value(kRoot, &kDoc, 7), 3);
  // The clock is exhausted: edits are refused, nothing else breaks.
  Status st = d.counter_add(kRoot, &kDoc, 7, 1);
  EXPECT_FALSE(st.ok);
  EXPECT_NE(st.error.find("bound"), std::string::npos) << st.error;
  EXPECT_FALSE(d.text_insert(kRoot, &kDoc, 11, 0, "x").ok);
  EXPECT_EQ(d.text_length(kRoot, &kDoc, 11), 0u);
  Doc copy(&kDoc, 2);
  ASSERT_TRUE(copy.load(d.save()).ok);
  EXPECT_EQ(copy.counter_value(kRoot, &kDoc, 7), 3);
}

TEST(DocRules, CorruptedBytesAreRefusedAndChangeNothing) {
  Doc a(&kDoc, 1), c(&kDoc, 2);
  ASSERT_TRUE(a.reg_set(kRoot, &kDoc, 1, b("t")).ok);
  ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, 0, "text").ok);
  ASSERT_TRUE(a.list_insert_new(kRoot, &kDoc, 10, 0).ok);
  ASSERT_TRUE(c.set_add(kRoot, &kDoc, 4, b("m")).ok);
  Bytes changes = a.changes_since(Bytes{}).value;
  Bytes saved = a.save();
  std::string before = dump(c);
  Bytes before_save = c.save();
  for (size_t i = 0; i < changes.size(); ++i) {
    Bytes bad = changes;
    bad[i] ^= 0x5a;
    EXPECT_FALSE(c.apply(bad).ok) << "flipped byte " << i;
    EXPECT_FALSE(c.apply(Bytes(changes.begin(), changes.begin() + static_cast<long>(i))).ok);
  }
  for (size_t i = 0; i < saved.size(); ++i) {
    Bytes bad = saved;
    bad[i] ^= 0xff;
    EXPECT_FALSE(c.load(bad).ok);
    EXPECT_FALSE(c.merge(bad).ok);
  }
  EXPECT_EQ(dump(c), before);
  EXPECT_EQ(c.save(), before_save);
}

// Typing runs: consecutive one-character inserts (and backspaces) by one
// actor coalesce into one op, so a hand-typed text saves compactly. The run
// must stay invisible semantically: a replica that syncs mid-run, a replica
// that receives everything at the end, and a reload all read the same text,
// and a rollback after a checkpoint inside a run cuts exactly what followed.
TEST(DocRules, TypingRunsCoalesceWithoutChangingTheText) {
  Doc a(&kDoc, 1), mid(&kDoc, 2), late(&kDoc, 3);
  std::string expect;
  for (int i = 0; i < 2000; ++i) {
    std::string ch(1, static_cast<char>('a' + i % 26));
    ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, static_cast<uint32_t>(expect.size()), ch).ok);
    expect += ch;
    if (i == 700) sync(a, mid);  // an export ends the run; typing goes on in a new one
  }
  for (int i = 0; i < 300; ++i) {  // backspace
    ASSERT_TRUE(a.text_delete(kRoot, &kDoc, 11, static_cast<uint32_t>(expect.size() - 1), 1).ok);
    expect.pop_back();
  }
  for (int i = 0; i < 100; ++i) {  // forward delete from the middle
    ASSERT_TRUE(a.text_delete(kRoot, &kDoc, 11, 500, 1).ok);
    expect.erase(500, 1);
  }
  EXPECT_EQ(a.text_string(kRoot, &kDoc, 11), expect);
  // The log keeps every typed character (deleted ones too: full history),
  // plus a few bytes per run; one op per keystroke would cost ~10 bytes each.
  EXPECT_LT(a.save().size(), 2000u + 400u);

  uint64_t mark = a.checkpoint();
  ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, 0, "x").ok);
  ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, 1, "y").ok);
  a.rollback(mark);
  EXPECT_EQ(a.text_string(kRoot, &kDoc, 11), expect);
  ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, 0, "z").ok);
  expect.insert(0, "z");

  sync(a, mid);
  ASSERT_TRUE(late.apply(a.changes_since(Bytes{}).value).ok);
  Doc reloaded(&kDoc, 4);
  ASSERT_TRUE(reloaded.load(a.save()).ok);
  EXPECT_EQ(mid.text_string(kRoot, &kDoc, 11), expect);
  EXPECT_EQ(dump(a), dump(mid));
  EXPECT_EQ(dump(a), dump(late));
  EXPECT_EQ(dump(a), dump(reloaded));
}

// A blob: magic, format version, body, checksum32 of the body (FORMAT.md).
Bytes framed(char m0, char m1, uint8_t version, const Bytes& body) {
  dolc::rt::Writer w;
  w.u8(static_cast<uint8_t>(m0));
  w.u8(static_cast<uint8_t>(m1));
  w.u8(version);
  w.raw(body.data(), body.size());
  uint32_t sum = dolc::rt::checksum32(body.data(), body.size());
  for (int i = 0; i < 4; ++i) w.u8(static_cast<uint8_t>(sum >> (8 * i)));
  return w.take();
}

const FieldInfo kTallyFields[] = {{"n", Strategy::PnCounter}, {"label", Strategy::Lww}};
const GeneInfo kTally = {"tally", kTallyFields, 2};

TEST(DocRules, CounterIncrementsFoldIntoOneOp) {
  // 100,000 increments between two syncs are one op: the save stays a few
  // dozen bytes (it was ~6 bytes per increment), and nothing else changes.
  Doc a(&kTally, 1), b2(&kTally, 2);
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(a.counter_add(kRoot, &kTally, 0, 1).ok);
  ASSERT_TRUE(b2.counter_add(kRoot, &kTally, 0, -5).ok);
  EXPECT_EQ(a.counter_value(kRoot, &kTally, 0), 100000);
  EXPECT_LT(a.save().size(), 80u);
  // A rollback inside a run removes only what came after the checkpoint.
  uint64_t mark = a.checkpoint();
  ASSERT_TRUE(a.counter_add(kRoot, &kTally, 0, 1).ok);
  ASSERT_TRUE(a.counter_add(kRoot, &kTally, 0, 1).ok);
  a.rollback(mark);
  EXPECT_EQ(a.counter_value(kRoot, &kTally, 0), 100000);
  // A decrement starts a new op (totals keep increments and decrements
  // apart); an increment after another field's write still folds.
  ASSERT_TRUE(a.counter_add(kRoot, &kTally, 0, -3).ok);
  ASSERT_TRUE(a.reg_set(kRoot, &kTally, 1, b("x")).ok);
  ASSERT_TRUE(a.counter_add(kRoot, &kTally, 0, 10).ok);
  sync(a, b2);
  EXPECT_EQ(a.counter_value(kRoot, &kTally, 0), 100000 - 3 + 10 - 5);
  EXPECT_EQ(b2.counter_value(kRoot, &kTally, 0), 100000 - 3 + 10 - 5);
  Doc reloaded(&kTally, 3);
  ASSERT_TRUE(reloaded.load(a.save()).ok);
  EXPECT_EQ(reloaded.counter_value(kRoot, &kTally, 0), 100000 - 3 + 10 - 5);
  EXPECT_EQ(reloaded.save(), a.save());
}

TEST(DocRules, IncrementsBetweenOtherWritesFoldToo) {
  // Increments interleaved with other writes in one change cost nothing
  // beyond the first: the save is that of the other writes plus one op.
  Doc with(&kTally, 1), without(&kTally, 1);
  for (int i = 0; i < 1000; ++i) {
    std::string v = "v" + std::to_string(i);
    ASSERT_TRUE(with.reg_set(kRoot, &kTally, 1, b(v)).ok);
    ASSERT_TRUE(with.counter_add(kRoot, &kTally, 0, 2).ok);
    ASSERT_TRUE(without.reg_set(kRoot, &kTally, 1, b(v)).ok);
  }
  EXPECT_LT(with.save().size(), without.save().size() + 16);
  Doc reloaded(&kTally, 2);
  ASSERT_TRUE(reloaded.load(with.save()).ok);
  EXPECT_EQ(reloaded.counter_value(kRoot, &kTally, 0), 2000);
  EXPECT_EQ(reloaded.save(), with.save());
}

// Format 5's value columns (FORMAT.md) take register, set and map values
// apart, integers as deltas: every value must come back byte for byte,
// whether or not it reads as an integer (shortest varints, longer ones,
// the largest u64, bytes that start like a varint and go on, empty bytes),
// through save/load and through changes_since/apply, in columns and rows.
TEST(DocRules, ValueColumnsKeepEveryValueByteForByte) {
  std::vector<Bytes> values = {
      {},         {0x00},       {0x7f},       {0x80, 0x01}, {0x80, 0x00} /* not shortest */, {0x05, 0x06},
      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01} /* 2^64 - 1 */,
      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f} /* past 64 bits */,
      {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, b("abc"), {0x03}, {0x02},
  };
  for (size_t few : {size_t{1}, values.size()}) {  // one change (rows) or many (columns)
    Doc a(&kDoc, 1);
    for (size_t i = 0; i < few; ++i) {
      const Bytes& v = values[i];
      ASSERT_TRUE(a.reg_set(kRoot, &kDoc, 1, v).ok);
      if (!v.empty()) ASSERT_TRUE(a.set_add(kRoot, &kDoc, 4, v).ok);
      ASSERT_TRUE(a.map_set(kRoot, &kDoc, 5, v.empty() ? b("empty") : v, values[values.size() - 1 - i]).ok);
      ASSERT_TRUE(a.map_set(kRoot, &kDoc, 5, b("k" + std::to_string(i)), v).ok);
      a.changes_since(a.version());  // closes the change: a change per value
    }
    std::string want = dump(a, kRoot, &kDoc);
    Bytes saved = a.save();
    ASSERT_EQ(saved[2], dolc::rt::kDocumentFormat);
    Doc loaded(&kDoc, 2);
    ASSERT_TRUE(loaded.load(saved).ok);
    EXPECT_EQ(dump(loaded, kRoot, &kDoc), want);
    EXPECT_EQ(loaded.save(), saved);
    Doc b2(&kDoc, 3);
    Bytes delta = a.changes_since(Bytes{}).value;
    ASSERT_EQ(delta[2], dolc::rt::kChangesFormat);
    ASSERT_TRUE(b2.apply(delta).ok);
    EXPECT_EQ(dump(b2, kRoot, &kDoc), want);
    EXPECT_EQ(b2.version(), a.version());
  }
}

// Format 5 writes a text insert's right origin as "the same as this actor's
// previous insert" when it is (typing in front of one character, change
// after change): two actors typing in the middle of one text, interleaved,
// must read back the same through save/load and through sync blobs of one
// change (rows) and of all (columns).
TEST(DocRules, TypingInTheMiddleRoundTrips) {
  Doc a(&kDoc, 1), c(&kDoc, 2);
  ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, 0, "[]{}").ok);
  std::vector<Bytes> sent = {a.changes_since(Bytes{}).value};
  ASSERT_TRUE(c.apply(sent[0]).ok);
  for (int i = 0; i < 40; ++i) {
    Bytes va = a.version(), vc = c.version();
    ASSERT_TRUE(a.text_insert(kRoot, &kDoc, 11, 1 + i, std::string(1, static_cast<char>('a' + i % 26))).ok);
    ASSERT_TRUE(c.text_insert(kRoot, &kDoc, 11, c.text_string(kRoot, &kDoc, 11).size() - 1, i % 3 ? "x" : "yz").ok);
    sent.push_back(a.changes_since(va).value);  // closes the change: one change per keystroke
    sent.push_back(c.changes_since(vc).value);
    if (i % 7 == 0) {
      ASSERT_TRUE(a.apply(sent.back()).ok);
      ASSERT_TRUE(c.apply(sent[sent.size() - 2]).ok);
    }
  }
  Doc r(&kDoc, 3);
  for (const Bytes& blob : sent) ASSERT_TRUE(r.apply(blob).ok);
  ASSERT_TRUE(a.apply(c.changes_since(a.version()).value).ok);
  ASSERT_TRUE(c.apply(a.changes_since(c.version()).value).ok);
  EXPECT_EQ(dump(a), dump(c));
  EXPECT_EQ(dump(r), dump(a));
  Doc loaded(&kDoc, 4);
  ASSERT_TRUE(loaded.load(a.save()).ok);
  EXPECT_EQ(dump(loaded), dump(a));
  EXPECT_EQ(loaded.save(), a.save());
  Doc all(&kDoc, 5);
  ASSERT_TRUE(all.apply(c.changes_since(Bytes{}).value).ok);
  EXPECT_EQ(dump(all), dump(a));
}

TEST(DocRules, RunLengthCodedBlobsCannotDemandUnboundedMemory) {
  // A change blob of a few dozen bytes could say "2^40 changes" and let
  // runs supply the values; what a blob decodes to is bounded by its size
  // (FORMAT.md, "Change columns"), so such a blob is refused at once and
  // the document stays as it was.
  Doc a(&kTally, 1);
  ASSERT_TRUE(a.counter_add(kRoot, &kTally, 0, 1).ok);
  Bytes good = a.changes_since(Bytes{}).value;
  // Find the change count: after the schema header and the layout (one
  // change: rows, where the count comes first; FORMAT.md "Rows").
  const uint8_t format = good[2];  // 4 on: a layout byte after the header
  ASSERT_GE(format, 4);
  dolc::rt::Reader r(good.data() + 3, good.size() - 7);
  r.bytes_view();  // gene
  r.bytes_view();  // version
  r.skip(4);       // layout hash
  for (uint64_t k = r.varint(); k > 0; --k) r.bytes_view();
  ASSERT_EQ(r.varint(), 1u);  // rows
  size_t at = static_cast<size_t>(r.position() - good.data());
  ASSERT_EQ(r.varint(), 1u);
  ASSERT_TRUE(r.ok());
  Bytes body(good.begin() + 3, good.begin() + static_cast<long>(at));
  for (uint8_t byte : {0x80, 0x80, 0x80, 0x80, 0x80, 0x20}) body.push_back(byte);  // 2^40
  body.insert(body.end(), good.begin() + static_cast<long>(at) + 1, good.end() - 4);
  Doc victim(&kTally, 2);
  ASSERT_TRUE(victim.reg_set(kRoot, &kTally, 1, b("mine")).ok);
  Bytes before = victim.save();
  EXPECT_FALSE(victim.apply(framed('D', 'C', format, body)).ok);
  EXPECT_EQ(victim.save(), before);
}

// ---- issue 14: bounds at every depth, out-of-range counters, amplification

// A gene with every bound: a strict counter, a saturating one, a short text,
// and the same below it (a nested object, list elements, map values).
FieldInfo bounded_counter(const char* name, int64_t lo, int64_t hi, Overflow o) {
  FieldInfo f{name, Strategy::PnCounter};
  f.has_min = f.has_max = true;
  f.min = lo;
  f.max = hi;
  f.overflow = o;
  return f;
}
FieldInfo short_text(const char* name, int64_t max_length) {
  FieldInfo f{name, Strategy::Peritext};
  f.max_length = max_length;
  return f;
}
const FieldInfo kCellFields[] = {bounded_counter("hits", 0, 10, Overflow::Error), short_text("label", 4)};
const GeneInfo kCell = {"cell", kCellFields, 2, &kSequenceSupport};
const FieldInfo kSheetFields[] = {
    bounded_counter("balance", -10, 10, Overflow::Error),  // 0
    bounded_counter("edits", 0, 3, Overflow::Saturate),    // 1
    short_text("title", 5),                                // 2
    {"meta", Strategy::Nested, &kCell},                    // 3
    {"cells", Strategy::Rga, &kCell},                      // 4
    {"by_key", Strategy::OrMap, &kCell},                   // 5
};
const GeneInfo kSheet = {"sheet", kSheetFields, 6, &kSequenceSupport};

TEST(Bounds, RemoteOperationsPastABoundMergeAndAreReportedWithTheirPath) {
  Doc a(&kSheet, 1);
  ASSERT_TRUE(a.list_insert_new(kRoot, &kSheet, 4, 0).ok);
  ASSERT_TRUE(a.map_set_new(kRoot, &kSheet, 5, b("k")).ok);
  ASSERT_TRUE(a.map_set_new(kRoot, &kSheet, 5, Bytes{1, 2}).ok);
  Doc c(&kSheet, 2);
  sync(a, c);
  std::vector<std::string> none;
  a.broken_bounds(&none);
  EXPECT_TRUE(none.empty());
  Bytes cell = a.list_child(kRoot, &kSheet, 4, 0).value;
  Bytes keyed = a.map_child(kRoot, &kSheet, 5, b("k")).value;
  Bytes binary = a.map_child(kRoot, &kSheet, 5, Bytes{1, 2}).value;
  Bytes meta = a.nested_child(kRoot, &kSheet, 3);
  for (Doc* d : {&a, &c}) {  // each within bounds locally
    ASSERT_TRUE(d->text_insert(kRoot, &kSheet, 2, 0, "abc").ok);
    ASSERT_TRUE(d->counter_add(kRoot, &kSheet, 0, -6).ok);
    ASSERT_TRUE(d->counter_add(meta, &kCell, 0, 6).ok);
    ASSERT_TRUE(d->counter_add(cell, &kCell, 0, 6).ok);
    ASSERT_TRUE(d->text_insert(keyed, &kCell, 1, 0, "abc").ok);
    ASSERT_TRUE(d->counter_add(binary, &kCell, 0, 7).ok);
  }
  EXPECT_FALSE(a.text_insert(kRoot, &kSheet, 2, 0, "xyz").ok);  // locally refused
  sync(a, c);
  std::vector<std::string> expected = {
      "sheet.balance >= -10",          "sheet.title length <= 5",   "sheet.meta.hits <= 10",
      "sheet.cells[0].hits <= 10",     "sheet.by_key[\"\x01\x02\"].hits <= 10",
      "sheet.by_key[\"k\"].label length <= 4",
  };
  std::vector<std::string> from_a, from_c;
  a.broken_bounds(&from_a);
  c.broken_bounds(&from_c);
  EXPECT_EQ(from_a, expected);
  EXPECT_EQ(from_c, expected);
  EXPECT_EQ(a.text_length(kRoot, &kSheet, 2), 6u);  // merged, not refused
}

TEST(Bounds, AnOutOfRangeCounterAcceptsEveryMoveTowardItsRange) {
  Doc a(&kSheet, 1), c(&kSheet, 2);
  ASSERT_TRUE(a.counter_add(kRoot, &kSheet, 0, -8).ok);
  ASSERT_TRUE(c.counter_add(kRoot, &kSheet, 0, -8).ok);
  ASSERT_TRUE(a.counter_add(kRoot, &kSheet, 1, 3).ok);
  ASSERT_TRUE(c.counter_add(kRoot, &kSheet, 1, 2).ok);
  sync(a, c);
  // overflow "error", at -16 below [-10, 10]
  EXPECT_FALSE(a.counter_add(kRoot, &kSheet, 0, -1).ok);  // away
  EXPECT_TRUE(a.counter_add(kRoot, &kSheet, 0, 2).ok);    // toward, still out: accepted
  EXPECT_EQ(a.counter_value(kRoot, &kSheet, 0), -14);
  EXPECT_FALSE(a.counter_add(kRoot, &kSheet, 0, 30).ok);  // past the other bound
  EXPECT_TRUE(a.counter_add(kRoot, &kSheet, 0, 4).ok);    // into the range
  EXPECT_EQ(a.counter_value(kRoot, &kSheet, 0), -10);
  // overflow "saturate", at 5 above [0, 3]
  EXPECT_EQ(a.counter_value(kRoot, &kSheet, 1), 5);
  EXPECT_TRUE(a.counter_add(kRoot, &kSheet, 1, 1).ok);
  EXPECT_EQ(a.counter_value(kRoot, &kSheet, 1), 5);  // stays; clamping made it 3
  EXPECT_TRUE(a.counter_add(kRoot, &kSheet, 1, -1).ok);
  EXPECT_EQ(a.counter_value(kRoot, &kSheet, 1), 4);
  EXPECT_TRUE(a.counter_add(kRoot, &kSheet, 1, -10).ok);
  EXPECT_EQ(a.counter_value(kRoot, &kSheet, 1), 0);  // saturated at the lower bound
}

// A format-2 change blob (FORMAT.md) of actor 9: one list insert of `count`
// empty values into `cells`, each a new nested cell, about a byte apiece.
Bytes one_insert_of(uint64_t count) {
  dolc::rt::Writer payload;
  for (uint64_t v : {1, 9, 0, 0, 0, 0}) payload.varint(v);  // id (1, 9), no origins
  payload.varint(count);
  for (uint64_t i = 0; i < count; ++i) payload.varint(0);
  dolc::rt::Writer body;
  body.str("sheet");
  body.str("");
  for (int i = 0; i < 4; ++i) body.u8(0);  // layout hash (kSheet declares none)
  body.varint(1);
  body.str("cells");
  for (uint64_t v : {1, 9, 1, 0, 1, 1, 0, 0}) body.varint(v);  // change (9, 1), one op at lamport 1, root, key 0
  body.u8(9);                                                  // ListInsert
  body.bytes(payload.buffer().data(), payload.size());
  return framed('D', 'C', 2, body.take());
}

TEST(Bounds, OneInsertCannotCreateObjectsOutOfProportionToItsSize) {
  Doc one(&kSheet, 1);
  ASSERT_TRUE(one.apply(one_insert_of(1)).ok);  // one object per op: what honest writers send
  EXPECT_EQ(one.list_length(kRoot, &kSheet, 4), 1u);
  Doc d(&kSheet, 1);
  ASSERT_TRUE(d.counter_add(kRoot, &kSheet, 0, 1).ok);
  Bytes before = d.save();
  Status st = d.apply(one_insert_of(100000));
  EXPECT_FALSE(st.ok);
  EXPECT_NE(st.error.find("out of proportion"), std::string::npos) << st.error;
  EXPECT_EQ(d.save(), before);
  EXPECT_EQ(d.list_length(kRoot, &kSheet, 4), 0u);
  // The same refusal from a saved document, and for merge().
  EXPECT_FALSE(d.merge(one_insert_of(100000)).ok);
  EXPECT_EQ(d.save(), before);
}

TEST(Bounds, ARefusedBlobLeavesTheKeyTableAsItWas) {
  // Keys a refused blob introduced are not kept: 20,000 refusals with new
  // key names would otherwise grow the table (to its 4096-key cap).
  Doc d(&kSheet, 1);
  ASSERT_TRUE(d.counter_add(kRoot, &kSheet, 0, 1).ok);
  for (int i = 0; i < 5000; ++i) {
    dolc::rt::Writer body;
    body.str("sheet");
    body.str("");
    for (int k = 0; k < 4; ++k) body.u8(0);
    body.varint(1);
    body.str("key" + std::to_string(i));
    body.varint(1);
    body.u8(0xff);  // a change that does not parse
    ASSERT_FALSE(d.apply(framed('D', 'C', 2, body.take())).ok);
  }
  // Were the 5000 keys kept, a save naming a new key (a field of a newer
  // version of the gene) would now be refused at the 4096-key cap; it is not.
  static const FieldInfo kNewerFields[] = {kSheetFields[0], {"extra", Strategy::Lww}};
  static const GeneInfo kNewer = {"sheet", kNewerFields, 2};
  Doc newer(&kNewer, 2);
  ASSERT_TRUE(newer.reg_set(kRoot, &kNewer, 1, b("x")).ok);
  ASSERT_TRUE(newer.counter_add(kRoot, &kNewer, 0, 2).ok);
  EXPECT_TRUE(d.merge(newer.save()).ok);
  EXPECT_EQ(d.counter_value(kRoot, &kSheet, 0), 3);
}

// ---- property tests

double scale() {
  const char* env = std::getenv("DOLC_PROPERTY_SCALE");
  return env ? std::max(0.01, std::atof(env)) : 1.0;
}
uint64_t base_seed() {
  const char* env = std::getenv("DOLC_SEED");
  return env ? std::strtoull(env, nullptr, 10) : std::random_device{}();
}

// One random operation on a random field of the kinds in `kinds`; returns
// true when an operation was attempted (refusals are fine: bounded counters,
// immutable rewrites, out-of-range positions).
void random_op(Doc& d, std::mt19937_64& rng, const std::vector<uint32_t>& fields) {
  auto pick = [&](uint64_t n) { return n == 0 ? 0 : static_cast<uint32_t>(rng() % n); };
  uint32_t fi = fields[pick(fields.size())];
  const FieldInfo& f = kDoc.fields[fi];
  std::string v = std::string(1, static_cast<char>('a' + pick(6)));
  switch (f.strategy) {
    case Strategy::Immutable:
    case Strategy::Lww: d.reg_set(kRoot, &kDoc, fi, b(v)); break;
    case Strategy::MvRegister: d.mv_set(kRoot, &kDoc, fi, b(v)); break;
    case Strategy::OrSet:
      if (rng() % 2) d.set_add(kRoot, &kDoc, fi, b(v));
      else d.set_remove(kRoot, &kDoc, fi, b(v));
      break;
    case Strategy::OrMap:
      if (rng() % 4 == 0) {
        d.map_delete(kRoot, &kDoc, fi, b(v));
      } else if (f.nested) {
        if (!d.map_has(kRoot, &kDoc, fi, b(v))) d.map_set_new(kRoot, &kDoc, fi, b(v));
        auto child = d.map_child(kRoot, &kDoc, fi, b(v));
        if (child.ok) d.counter_add(child.value, &kItem, 1, 1);
      } else {
        d.map_set(kRoot, &kDoc, fi, b(v), b(std::to_string(pick(100))));
      }
      break;
    case Strategy::PnCounter: d.counter_add(kRoot, &kDoc, fi, static_cast<int64_t>(pick(21)) - 10); break;
    case Strategy::Rga: {
      uint32_t n = d.list_length(kRoot, &kDoc, fi);
      uint32_t what = pick(10);
      if (what < 5 || n == 0) {
        if (f.nested) d.list_insert_new(kRoot, &kDoc, fi, pick(n + 1));
        else d.list_insert(kRoot, &kDoc, fi, pick(n + 1), b(v));
      } else if (what < 7) {
        d.list_delete(kRoot, &kDoc, fi, pick(n), 1);
      } else if (what < 8) {
        d.list_move(kRoot, &kDoc, fi, pick(n), pick(n));
      } else if (f.nested) {
        auto child = d.list_child(kRoot, &kDoc, fi, pick(n));
        if (child.ok) {
          d.reg_set(child.value, &kItem, 0, b(v));
          d.set_add(child.value, &kItem, 2, b(v));
        }
      }
      break;
    }
    case Strategy::Peritext: {
      uint32_t n = d.text_length(kRoot, &kDoc, fi);
      uint32_t what = pick(10);
      if (what < 6 || n == 0) {
        d.text_insert(kRoot, &kDoc, fi, pick(n + 1), std::string(1 + pick(3), v[0]));
      } else if (what < 8) {
        uint32_t at = pick(n);
        d.text_delete(kRoot, &kDoc, fi, at, 1 + pick(std::min<uint32_t>(3, n - at)));
      } else {
        uint32_t a0 = pick(n), a1 = a0 + 1 + pick(n - a0);
        if (what == 8) d.text_mark(kRoot, &kDoc, fi, a0, a1, rng() % 2 ? "bold" : "link", v);
        else d.text_unmark(kRoot, &kDoc, fi, a0, a1, "bold");
      }
      break;
    }
    case Strategy::Nested: {
      Bytes p = d.nested_child(kRoot, &kDoc, fi);
      d.reg_set(p, &kItem, 0, b(v));
      d.counter_add(p, &kItem, 1, 1);
      break;
    }
  }
}

// Runs one simulated network session; returns the number of operations made.
size_t run_session(uint64_t seed, const std::vector<uint32_t>& fields, size_t ops) {
  std::mt19937_64 rng(seed);
  size_t n = 2 + rng() % 4;
  std::vector<std::unique_ptr<Doc>> replicas;
  for (size_t i = 0; i < n; ++i) replicas.push_back(std::make_unique<Doc>(&kDoc, 100 + i));
  std::vector<Bytes> sent_version(n);  // what each replica last broadcast up to
  struct Message { size_t to; Bytes bytes; };
  std::vector<Message> network;
  // Replica 0 as it was at a few points: its save and its version, to check
  // that changes_since(any earlier version) brings that copy up to date.
  struct Snapshot { Bytes saved, version; };
  std::vector<Snapshot> snapshots;
  for (size_t k = 0; k < ops; ++k) {
    if (rng() % 400 == 0) snapshots.push_back({replicas[0]->save(), replicas[0]->version()});
    size_t r = rng() % n;
    if (rng() % 16 == 0) {
      // An operation refused after the fact (a reject_operation invariant):
      // generated code takes a checkpoint, applies, then rolls back.
      uint64_t mark = replicas[r]->checkpoint();
      random_op(*replicas[r], rng, fields);
      replicas[r]->rollback(mark);
    }
    random_op(*replicas[r], rng, fields);
    if (rng() % 8 == 0) {  // broadcast what is new since the last broadcast
      auto c = replicas[r]->changes_since(sent_version[r]);
      EXPECT_TRUE(c.ok);
      sent_version[r] = replicas[r]->version();
      for (size_t to = 0; to < n; ++to) {
        if (to == r || rng() % 10 == 0) continue;  // 10%: dropped
        network.push_back({to, c.value});
        if (rng() % 5 == 0) network.push_back({to, c.value});  // duplicated
      }
    }
    if (!network.empty() && rng() % 3 == 0) {  // deliver one, in random order
      size_t i = rng() % network.size();
      EXPECT_TRUE(replicas[network[i].to]->apply(network[i].bytes).ok);
      network.erase(network.begin() + static_cast<long>(i));
    }
  }
  for (auto& m : network) EXPECT_TRUE(replicas[m.to]->apply(m.bytes).ok);  // late deliveries
  // Anti-entropy: each replica pulls what it lacks from every other (re-sends the drops).
  for (size_t round = 0; round < 2; ++round)
    for (size_t a = 0; a < n; ++a)
      for (size_t c = 0; c < n; ++c)
        if (a != c) {
          auto missing = replicas[c]->changes_since(replicas[a]->version());
          EXPECT_TRUE(missing.ok);
          EXPECT_TRUE(replicas[a]->apply(missing.value).ok);
        }
  std::string expected = dump(*replicas[0]);
  for (size_t i = 1; i < n; ++i) EXPECT_EQ(dump(*replicas[i]), expected) << "replica " << i << " seed " << seed;
  // One replica that receives everything in one batch, in reverse replica order.
  Doc batch(&kDoc, 999);
  for (size_t i = n; i-- > 0;) EXPECT_TRUE(batch.merge(replicas[i]->save()).ok);
  EXPECT_EQ(dump(batch), expected) << "seed " << seed;
  // save -> load -> save is byte-identical, and the loaded document is the same.
  Bytes saved = replicas[0]->save();
  Doc loaded(&kDoc, 100);
  EXPECT_TRUE(loaded.load(saved).ok);
  EXPECT_EQ(dump(loaded), expected) << "seed " << seed;
  EXPECT_EQ(loaded.save(), saved) << "seed " << seed;
  for (const Snapshot& at : snapshots) {
    Doc earlier(&kDoc, 100);
    EXPECT_TRUE(earlier.load(at.saved).ok);
    auto missing = replicas[0]->changes_since(at.version);
    EXPECT_TRUE(missing.ok);
    EXPECT_TRUE(earlier.apply(missing.value).ok);
    EXPECT_EQ(dump(earlier), expected) << "seed " << seed;
  }
  return ops;
}

void property(const char* name, std::vector<uint32_t> fields) {
  uint64_t seed = base_seed();
  size_t target = static_cast<size_t>(100000 * scale());
  std::printf("[ property %s ] seed %llu (replay with DOLC_SEED=%llu), %zu operations\n", name,
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed), target);
  size_t done = 0;
  for (uint64_t s = seed; done < target && !::testing::Test::HasFailure(); ++s) done += run_session(s, fields, 2000);
}

TEST(DocProperty, Registers) { property("immutable+lww", {0, 1, 2}); }
TEST(DocProperty, MvRegister) { property("mv_register", {3}); }
TEST(DocProperty, OrSetAndMaps) { property("or_set", {4, 5, 6}); }
TEST(DocProperty, Counters) { property("pn_counter", {7, 8}); }
TEST(DocProperty, RgaListsWithNestedObjects) { property("rga", {9, 10}); }
TEST(DocProperty, Peritext) { property("peritext", {11}); }
TEST(DocProperty, WholeDocument) { property("document", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}); }
// Seeds that once failed, run every time. 3826723319: a typing run that
// grew the last change did not move its actor's largest lamport, which the
// snapshot of a save carries, so save -> load -> save differed by it.
TEST(DocProperty, SeedsThatOnceFailed) {
  for (uint64_t seed : {3826723319ull}) run_session(seed, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2000);
}

}  // namespace
