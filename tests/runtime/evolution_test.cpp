// tests/runtime/evolution_test.cpp: documents across schema versions
// (../shared/spec/evolution.md) through the runtime API generated code uses.
//
// Hand-written descriptors stand for what dolc generates from an `evo`
// chain: field keys (stable through renames and reordering), the layouts a
// module knows, hidden fields of replaced strategies and their conversions.
// Unit tests pin each promise; the property test runs replicas of three
// versions making random edits, delivered in random order with duplicates
// and save/load in the middle, and checks that every replica agrees on the
// fields it knows, that the newest shows every write, and that replicas that
// migrate independently end byte-identical.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dolc_gen_rt.hpp"

namespace {

using namespace dolc_gen;

Bytes b(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string s(const Bytes& v) { return std::string(v.begin(), v.end()); }
std::string reg(const Doc& d, const GeneInfo* g, uint32_t f) {
  auto v = d.reg_get(kRoot, g, f);
  return v ? s(*v) : "-";
}

// ---- three versions of one gene `note`
//
// v1: title (lww), body (lww string), likes (counter), tags (set)
// v2: adds `due` before everything, renames title -> heading, changes body
//     from lww to peritext (key body@2 with a conversion), moves tags first
// v3: adds `color` (lww), and an upper-cased conversion of nothing else

const FieldInfo kNote1Fields[] = {
    {"title", Strategy::Lww},
    {"body", Strategy::Lww},
    {"likes", Strategy::PnCounter},
    {"tags", Strategy::OrSet},
};
const LayoutInfo kLayouts1[] = {{"1.0.0", 0x1111}};
const char* const kFormat1[] = {"title", "body", "likes", "tags"};
const GeneInfo kNote1 = {"note", kNote1Fields, 4, nullptr, "1.0.0", kLayouts1, 1, kFormat1, 4};

// The conversion a `migrate body { from_text(old.body) }` lowers to: the
// old string is the new text. An empty body is refused, to exercise
// migration_conflicts().
bool body_to_text(const Bytes& in, Bytes* out) {
  if (in.empty()) return false;
  *out = in;
  return true;
}

FieldInfo keyed(const char* name, Strategy st, const char* key) {
  FieldInfo f{name, st};
  f.key = key;
  return f;
}
FieldInfo hidden(const char* name, const char* key, int32_t replaced_by, bool (*convert)(const Bytes&, Bytes*)) {
  FieldInfo f{name, Strategy::Lww};
  f.key = key;
  f.hidden = true;
  f.replaced_by = replaced_by;
  f.convert = convert;
  return f;
}

const FieldInfo kNote2Fields[] = {
    {"tags", Strategy::OrSet},                         // 0
    {"due", Strategy::Lww},                            // 1 added
    keyed("heading", Strategy::Lww, "title"),          // 2 renamed
    keyed("body", Strategy::Peritext, "body@2.0.0"),   // 3 replaced
    {"likes", Strategy::PnCounter},                    // 4
    hidden("body", "body", 3, body_to_text),           // 5 v1's body
};
const LayoutInfo kLayouts2[] = {{"1.0.0", 0x1111}, {"2.0.0", 0x2222}};
const GeneInfo kNote2 = {"note", kNote2Fields, 6, &kSequenceSupport, "2.0.0", kLayouts2, 2, kFormat1, 4};

const FieldInfo kNote3Fields[] = {
    {"tags", Strategy::OrSet},
    {"due", Strategy::Lww},
    keyed("heading", Strategy::Lww, "title"),
    keyed("body", Strategy::Peritext, "body@2.0.0"),
    {"likes", Strategy::PnCounter},
    {"color", Strategy::Lww},                          // 5 added in v3
    hidden("body", "body", 3, body_to_text),           // 6
};
const LayoutInfo kLayouts3[] = {{"1.0.0", 0x1111}, {"2.0.0", 0x2222}, {"3.0.0", 0x3333}};
const GeneInfo kNote3 = {"note", kNote3Fields, 7, &kSequenceSupport, "3.0.0", kLayouts3, 3, kFormat1, 4};

void sync(Doc& from, Doc& to) {
  auto c = from.changes_since(to.version());
  ASSERT_TRUE(c.ok) << c.error;
  Status st = to.apply(c.value);
  ASSERT_TRUE(st.ok) << st.error;
}

TEST(Evolution, ReorderedInsertedAndRenamedFieldsKeepTheirValues) {
  Doc v1(&kNote1, 1);
  ASSERT_TRUE(v1.reg_set(kRoot, &kNote1, 0, b("Shopping")).ok);
  ASSERT_TRUE(v1.counter_add(kRoot, &kNote1, 2, 3).ok);
  ASSERT_TRUE(v1.set_add(kRoot, &kNote1, 3, b("home")).ok);
  Doc v2(&kNote2, 2);
  Status st = v2.load(v1.save());
  ASSERT_TRUE(st.ok) << st.error;
  EXPECT_EQ(reg(v2, &kNote2, 2), "Shopping");  // title -> heading, moved
  EXPECT_EQ(reg(v2, &kNote2, 1), "-");         // due: added, not set (the default shows)
  EXPECT_EQ(v2.counter_value(kRoot, &kNote2, 4), 3);
  EXPECT_TRUE(v2.set_has(kRoot, &kNote2, 0, b("home")));
}

TEST(Evolution, RegisterWritesOfAnOlderVersionConvertIntoTheNewText) {
  Doc v1(&kNote1, 1);
  ASSERT_TRUE(v1.reg_set(kRoot, &kNote1, 1, b("milk")).ok);
  Doc v2(&kNote2, 2);
  ASSERT_TRUE(v2.load(v1.save()).ok);
  EXPECT_EQ(v2.text_string(kRoot, &kNote2, 3), "milk");
  // v2 edits the migrated text; v1 meanwhile sets the body as a whole.
  ASSERT_TRUE(v2.text_insert(kRoot, &kNote2, 3, 4, " and eggs").ok);
  ASSERT_TRUE(v1.reg_set(kRoot, &kNote1, 1, b("bread")).ok);
  sync(v1, v2);
  sync(v2, v1);
  // The newest write of v1 replaces the text; what v2 typed concurrently
  // stays (like a concurrent insert into a deleted range). Where it lands
  // relative to the new text is fixed by ids, the same on every replica.
  std::string text = v2.text_string(kRoot, &kNote2, 3);
  EXPECT_TRUE(text == "bread and eggs" || text == " and eggsbread") << text;
  Doc other(&kNote2, 3);
  ASSERT_TRUE(other.apply(v1.changes_since(Bytes{}).value).ok);  // v1's writes first, then v2's edit
  ASSERT_TRUE(other.apply(v2.changes_since(Bytes{}).value).ok);
  EXPECT_EQ(other.text_string(kRoot, &kNote2, 3), text);
  EXPECT_EQ(reg(v1, &kNote1, 1), "bread");  // v1 keeps its own view
  EXPECT_EQ(v2.migration_conflicts(), "[]");
}

TEST(Evolution, IndependentMigrationsConvergeByteForByte) {
  Doc v1(&kNote1, 1);
  ASSERT_TRUE(v1.reg_set(kRoot, &kNote1, 1, b("shared text")).ok);
  Bytes saved = v1.save();
  Doc a(&kNote2, 2), c(&kNote2, 3);
  ASSERT_TRUE(a.load(saved).ok);
  ASSERT_TRUE(c.load(saved).ok);
  ASSERT_TRUE(a.text_insert(kRoot, &kNote2, 3, 0, ">").ok);
  ASSERT_TRUE(c.reg_set(kRoot, &kNote2, 1, b("friday")).ok);
  sync(a, c);
  sync(c, a);
  EXPECT_EQ(a.text_string(kRoot, &kNote2, 3), ">shared text");  // one copy, not two
  Doc a2(&kNote2, 2), c2(&kNote2, 3);
  ASSERT_TRUE(a2.load(a.save()).ok);
  ASSERT_TRUE(c2.load(c.save()).ok);
  EXPECT_EQ(a2.text_string(kRoot, &kNote2, 3), c2.text_string(kRoot, &kNote2, 3));
  EXPECT_EQ(reg(a2, &kNote2, 1), "friday");
}

TEST(Evolution, LwwWritesOfAnOlderVersionBecomeMultiValues) {
  // `changes state from @crdt(lww) to @crdt(mv_register)` (safe, no body).
  const FieldInfo old_fields[] = {{"state", Strategy::Lww}};
  const GeneInfo v1 = {"task", old_fields, 1, nullptr, "1.0.0"};
  FieldInfo mv = keyed("state", Strategy::MvRegister, "state@2.0.0");
  const FieldInfo new_fields[] = {mv, hidden("state", "state", 0, nullptr)};
  const GeneInfo v2 = {"task", new_fields, 2, nullptr, "2.0.0"};
  Doc a(&v1, 1), c(&v1, 2);
  ASSERT_TRUE(a.reg_set(kRoot, &v1, 0, b("todo")).ok);
  ASSERT_TRUE(c.reg_set(kRoot, &v1, 0, b("doing")).ok);  // concurrent: c's id wins the lww
  auto values = [](const Doc& d, const GeneInfo* g) {
    std::string out;
    for (auto& v : d.mv_values(kRoot, g, 0)) out += s(v) + "|";
    return out;
  };
  Doc x(&v2, 3), y(&v2, 4);
  sync(a, x);
  sync(c, x);
  sync(c, y);
  sync(a, y);
  EXPECT_EQ(values(x, &v2), "doing|");  // the older version's last writer, as it saw it
  EXPECT_EQ(values(y, &v2), values(x, &v2));
  ASSERT_TRUE(x.mv_set(kRoot, &v2, 0, b("done")).ok);  // supersedes what x has seen
  ASSERT_TRUE(a.reg_set(kRoot, &v1, 0, b("blocked")).ok);
  sync(x, y);
  sync(a, y);
  sync(a, x);
  EXPECT_EQ(values(x, &v2), values(y, &v2));
  EXPECT_EQ(values(x, &v2), "blocked|done|");  // concurrent with "done": both kept
  EXPECT_EQ(x.migration_conflicts(), "[]");
}

TEST(Evolution, SetsOfAnOlderVersionBecomeLists) {
  // `changes tags from @crdt(or_set) to @crdt(rga)`, `migrate tags { old.tags }`.
  const FieldInfo old_fields[] = {{"tags", Strategy::OrSet}};
  const GeneInfo v1 = {"task", old_fields, 1, nullptr, "1.0.0"};
  FieldInfo old_tags = hidden("tags", "tags", 0, nullptr);
  old_tags.strategy = Strategy::OrSet;
  const FieldInfo new_fields[] = {keyed("tags", Strategy::Rga, "tags@2.0.0"), old_tags};
  const GeneInfo v2 = {"task", new_fields, 2, &kSequenceSupport, "2.0.0"};
  auto list = [](const Doc& d, const GeneInfo* g) {
    std::string out;
    for (uint32_t i = 0; i < d.list_length(kRoot, g, 0); ++i) out += s(*d.list_get(kRoot, g, 0, i)) + ",";
    return out;
  };
  Doc a(&v1, 1), c(&v1, 2);
  ASSERT_TRUE(a.set_add(kRoot, &v1, 0, b("red")).ok);
  ASSERT_TRUE(a.set_add(kRoot, &v1, 0, b("blue")).ok);
  ASSERT_TRUE(c.set_add(kRoot, &v1, 0, b("green")).ok);
  Doc x(&v2, 3), y(&v2, 4);
  sync(a, x);
  sync(c, x);
  sync(c, y);
  sync(a, y);
  std::string seen = list(x, &v2);
  EXPECT_EQ(seen.size(), std::string("red,blue,green,").size()) << seen;
  EXPECT_EQ(list(y, &v2), seen);
  ASSERT_TRUE(x.list_insert(kRoot, &v2, 0, 0, b("first")).ok);  // the new version orders its list
  ASSERT_TRUE(a.set_remove(kRoot, &v1, 0, b("red")).ok);        // the old one still removes
  sync(a, x);
  sync(x, y);
  EXPECT_EQ(list(x, &v2), list(y, &v2));
  EXPECT_EQ(list(x, &v2).find("red"), std::string::npos);
  EXPECT_EQ(list(x, &v2).substr(0, 6), "first,");
  EXPECT_EQ(x.migration_conflicts(), "[]");
}

TEST(Evolution, UnconvertibleWritesAreKeptAndReported) {
  Doc v1(&kNote1, 1);
  ASSERT_TRUE(v1.reg_set(kRoot, &kNote1, 1, b("")).ok);  // body_to_text refuses ""
  Doc v2(&kNote2, 2);
  ASSERT_TRUE(v2.load(v1.save()).ok);
  EXPECT_EQ(v2.migration_conflicts(), "[{\"field\":\"body\",\"lamport\":1,\"actor\":\"1\"}]");
  Doc again(&kNote2, 5);
  ASSERT_TRUE(again.load(v2.save()).ok);  // the write is still in the log
  EXPECT_EQ(again.migration_conflicts(), v2.migration_conflicts());
}

TEST(Evolution, OlderReplicasKeepAndForwardWhatTheyDoNotKnow) {
  Doc v2(&kNote2, 2), v1(&kNote1, 1), other(&kNote2, 3);
  ASSERT_TRUE(v2.reg_set(kRoot, &kNote2, 1, b("monday")).ok);     // unknown to v1
  ASSERT_TRUE(v2.counter_add(kRoot, &kNote2, 4, 7).ok);            // known to v1
  ASSERT_TRUE(v2.text_insert(kRoot, &kNote2, 3, 0, "text").ok);    // body@2: unknown to v1
  sync(v2, v1);  // not refused
  EXPECT_EQ(v1.counter_value(kRoot, &kNote1, 2), 7);
  // v2 -> v1 -> (save, load) -> v2: arrives intact.
  Doc v1b(&kNote1, 1);
  ASSERT_TRUE(v1b.load(v1.save()).ok);
  ASSERT_TRUE(v1b.counter_add(kRoot, &kNote1, 2, 1).ok);
  sync(v1b, other);
  EXPECT_EQ(reg(other, &kNote2, 1), "monday");
  EXPECT_EQ(other.text_string(kRoot, &kNote2, 3), "text");
  EXPECT_EQ(other.counter_value(kRoot, &kNote2, 4), 8);
  // The older replica's clock passed the unknown ops: its ids never collide.
  ASSERT_TRUE(v1b.reg_set(kRoot, &kNote1, 0, b("after")).ok);
  sync(v1b, other);
  EXPECT_EQ(reg(other, &kNote2, 2), "after");
}

TEST(Evolution, RemovedFieldsDisappearButTheirWritesAreKept) {
  // v4 `removes likes`: the key is gone from its layout.
  const FieldInfo fields[] = {
      {"tags", Strategy::OrSet},
      keyed("heading", Strategy::Lww, "title"),
  };
  const LayoutInfo layouts[] = {{"1.0.0", 0x1111}, {"2.0.0", 0x2222}, {"4.0.0", 0x4444}};
  const GeneInfo note4 = {"note", fields, 2, nullptr, "4.0.0", layouts, 3};
  Doc v2(&kNote2, 2);
  ASSERT_TRUE(v2.counter_add(kRoot, &kNote2, 4, 5).ok);
  ASSERT_TRUE(v2.reg_set(kRoot, &kNote2, 2, b("kept")).ok);
  Doc v4(&note4, 4);
  Status st = v4.load(v2.save());
  ASSERT_TRUE(st.ok) << st.error;
  EXPECT_EQ(reg(v4, &note4, 1), "kept");
  ASSERT_TRUE(v4.set_add(kRoot, &note4, 0, b("new")).ok);
  Doc other(&kNote2, 6);  // an older replica that only hears from v4
  sync(v4, other);
  EXPECT_EQ(other.counter_value(kRoot, &kNote2, 4), 5);
  EXPECT_TRUE(other.set_has(kRoot, &kNote2, 0, b("new")));
}

TEST(Evolution, BytesOfAnotherGeneOrAnUnknownLayoutAreRefusedWithBothNames) {
  const FieldInfo fields[] = {{"title", Strategy::Lww}};
  const GeneInfo task = {"task", fields, 1, nullptr, "1.0.0", kLayouts1, 1};
  Doc t(&task, 1);
  ASSERT_TRUE(t.reg_set(kRoot, &task, 0, b("x")).ok);
  Doc n(&kNote2, 2);
  ASSERT_TRUE(n.reg_set(kRoot, &kNote2, 2, b("mine")).ok);
  Bytes before = n.save();
  Status st = n.load(t.save());
  EXPECT_FALSE(st.ok);
  EXPECT_NE(st.error.find("`task@1.0.0`"), std::string::npos) << st.error;
  EXPECT_NE(st.error.find("`note@2.0.0`"), std::string::npos) << st.error;
  EXPECT_FALSE(n.apply(t.changes_since(Bytes{}).value).ok);
  EXPECT_EQ(n.save(), before);
  // Same gene, an older version with a layout the chain does not have.
  const LayoutInfo stray[] = {{"1.5.0", 0x9999}};
  const GeneInfo note15 = {"note", kNote1Fields, 4, nullptr, "1.5.0", stray, 1};
  Doc odd(&note15, 3);
  ASSERT_TRUE(odd.reg_set(kRoot, &note15, 0, b("x")).ok);
  st = n.merge(odd.save());
  EXPECT_FALSE(st.ok);
  EXPECT_NE(st.error.find("`note@1.5.0`"), std::string::npos) << st.error;
  EXPECT_NE(st.error.find("0x00009999"), std::string::npos) << st.error;
  EXPECT_NE(st.error.find("1.0.0 (0x00001111), 2.0.0 (0x00002222)"), std::string::npos) << st.error;
  EXPECT_EQ(n.save(), before);
  // A newer version (not in the chain, by definition) is accepted.
  Doc v3(&kNote3, 4);
  ASSERT_TRUE(v3.reg_set(kRoot, &kNote3, 5, b("red")).ok);
  EXPECT_TRUE(n.merge(v3.save()).ok);
}

TEST(Evolution, TruncatedOrCorruptedHeadersAreRefusedAndChangeNothing) {
  Doc v2(&kNote2, 2), n(&kNote2, 3);
  ASSERT_TRUE(v2.reg_set(kRoot, &kNote2, 2, b("head")).ok);
  ASSERT_TRUE(n.reg_set(kRoot, &kNote2, 2, b("mine")).ok);
  Bytes saved = v2.save(), before = n.save();
  for (size_t cut = 0; cut < saved.size(); ++cut) {
    EXPECT_FALSE(n.load(Bytes(saved.begin(), saved.begin() + static_cast<long>(cut))).ok) << cut;
    EXPECT_FALSE(n.merge(Bytes(saved.begin(), saved.begin() + static_cast<long>(cut))).ok) << cut;
  }
  Bytes future = saved;
  future[2] = 4;  // a format this runtime does not read
  Status st = n.load(future);
  EXPECT_FALSE(st.ok);
  EXPECT_NE(st.error.find("format 4"), std::string::npos) << st.error;
  EXPECT_EQ(n.save(), before);
}

TEST(Evolution, TheKeyTableIsBounded) {
  // A writer whose gene has 5000 fields (hostile or absurd): its blob would
  // grow the reader's key table without end, so it is refused whole.
  std::vector<std::string> names;
  for (int i = 0; i < 5000; ++i) names.push_back("f" + std::to_string(i));
  std::vector<FieldInfo> fields;
  for (const auto& n : names) fields.push_back(FieldInfo{n.c_str(), Strategy::Lww});
  const GeneInfo huge = {"note", fields.data(), static_cast<uint32_t>(fields.size())};
  Doc w(&huge, 9);
  for (uint32_t i = 0; i < fields.size(); ++i) ASSERT_TRUE(w.reg_set(kRoot, &huge, i, b("x")).ok);
  Doc n(&kNote2, 2);
  ASSERT_TRUE(n.reg_set(kRoot, &kNote2, 2, b("mine")).ok);
  Bytes before = n.save();
  EXPECT_FALSE(n.apply(w.changes_since(Bytes{}).value).ok);
  EXPECT_EQ(n.save(), before);
  EXPECT_EQ(reg(n, &kNote2, 2), "mine");
}

// ---- property: three versions, random edits, random delivery

struct Replica {
  const GeneInfo* gene;
  std::unique_ptr<Doc> doc;
};

// One random edit through whichever fields this version has.
void random_edit(Replica& r, std::mt19937_64& rng) {
  const GeneInfo* g = r.gene;
  Doc& d = *r.doc;
  static const char* words[] = {"a", "bb", "Zoë", "🎉", "text", ""};
  auto word = [&] { return std::string(words[rng() % 6]); };
  uint32_t f = static_cast<uint32_t>(rng() % g->field_count);
  const FieldInfo& info = g->fields[f];
  if (info.hidden) return;
  switch (info.strategy) {
    case Strategy::Lww: (void)d.reg_set(kRoot, g, f, b(word())); break;
    case Strategy::PnCounter: (void)d.counter_add(kRoot, g, f, static_cast<int64_t>(rng() % 7) - 3); break;
    case Strategy::OrSet:
      if (rng() % 3 == 0 && d.set_size(kRoot, g, f)) (void)d.set_remove(kRoot, g, f, d.set_values(kRoot, g, f)[0]);
      else (void)d.set_add(kRoot, g, f, b(word()));
      break;
    case Strategy::Peritext: {
      uint32_t n = d.text_length(kRoot, g, f);
      if (n && rng() % 3 == 0) (void)d.text_delete(kRoot, g, f, static_cast<uint32_t>(rng() % n), 1);
      else (void)d.text_insert(kRoot, g, f, static_cast<uint32_t>(rng() % (n + 1)), word() + "x");
      break;
    }
    default: break;
  }
}

// Every readable field by key, so replicas of different versions compare.
std::string view(const Replica& r, bool shared_only) {
  const GeneInfo* g = r.gene;
  const Doc& d = *r.doc;
  std::vector<std::string> entries;  // sorted by key: versions order fields differently
  for (uint32_t f = 0; f < g->field_count; ++f) {
    const FieldInfo& info = g->fields[f];
    std::string key = info.key ? info.key : info.name;
    if (info.hidden) continue;
    if (shared_only && key != "title" && key != "likes" && key != "tags") continue;
    std::string out = key + "=";
    switch (info.strategy) {
      case Strategy::Lww: out += reg(d, g, f); break;
      case Strategy::PnCounter: out += std::to_string(d.counter_value(kRoot, g, f)); break;
      case Strategy::OrSet:
        for (auto& v : d.set_values(kRoot, g, f)) out += s(v) + ",";
        break;
      case Strategy::Peritext: out += d.text_string(kRoot, g, f); break;
      default: break;
    }
    entries.push_back(out + ";");
  }
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (auto& e : entries) out += e;
  return out;
}

TEST(EvolutionProperty, MixedVersionsConvergeAndTheNewestShowsEveryWrite) {
  const char* env = std::getenv("DOLC_SEED");
  uint64_t seed = env ? std::strtoull(env, nullptr, 10) : std::random_device{}();
  double scale = std::getenv("DOLC_PROPERTY_SCALE") ? std::atof(std::getenv("DOLC_PROPERTY_SCALE")) : 1.0;
  std::printf("evolution property seed %llu (DOLC_SEED replays it)\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  int rounds = std::max(1, static_cast<int>(40 * scale));
  for (int round = 0; round < rounds; ++round) {
    std::vector<Replica> rs;
    const GeneInfo* versions[] = {&kNote1, &kNote1, &kNote2, &kNote2, &kNote3};
    for (uint64_t i = 0; i < 5; ++i) rs.push_back({versions[i], std::make_unique<Doc>(versions[i], i + 1)});
    std::vector<Bytes> network;  // every blob ever sent; delivered at random, some twice
    for (int step = 0; step < 150; ++step) {
      Replica& r = rs[rng() % rs.size()];
      uint64_t what = rng() % 10;
      if (what < 6) {
        random_edit(r, rng);
      } else if (what < 8) {
        network.push_back(r.doc->changes_since(rs[rng() % rs.size()].doc->version()).value);
      } else if (what < 9 && !network.empty()) {
        Status st = r.doc->apply(network[rng() % network.size()]);
        ASSERT_TRUE(st.ok) << st.error << " (seed " << seed << ")";
      } else {  // a restart: save, load (held changes are not saved: peers resend them)
        auto fresh = std::make_unique<Doc>(r.gene, r.doc->actor());
        Status st = fresh->load(r.doc->save());
        ASSERT_TRUE(st.ok) << st.error << " (seed " << seed << ")";
        std::string before = view(r, false);
        r.doc = std::move(fresh);
        ASSERT_EQ(view(r, false), before) << "seed " << seed;
      }
    }
    // Anti-entropy until quiet, every pair both ways.
    for (int pass = 0; pass < 3; ++pass)
      for (auto& a : rs)
        for (auto& c : rs)
          if (&a != &c) sync(*a.doc, *c.doc);
    for (auto& r : rs) EXPECT_EQ(view(r, true), view(rs[0], true)) << "seed " << seed;
    EXPECT_EQ(view(rs[2], false), view(rs[3], false)) << "seed " << seed;
    EXPECT_EQ(view(rs[0], false), view(rs[1], false)) << "seed " << seed;
    // The newest (v3) agrees with v2 on everything v2 has, and sees v1's body.
    std::string v3 = view(rs[4], false), v2 = view(rs[2], false);
    size_t color = v3.find("color="), color_end = v3.find(';', color);
    EXPECT_EQ(v3.erase(color, color_end + 1 - color), v2) << "seed " << seed;
    // Independent migrations: equal state, and equal bytes after a round trip of saves.
    EXPECT_EQ(rs[2].doc->migration_conflicts(), rs[4].doc->migration_conflicts());
    if (HasFailure()) return;
  }
}

}  // namespace
