// tests/sema/strategy_table_test.cpp: the strategy table (ir/strategies.def)
// against its consumers, so that a row and the code reading it cannot drift:
//  * every strategy fits some type, and every option of it, written with its
//    example value, is accepted by the checker and reaches the schema JSON;
//  * every field shape is what ir::field_shape gives a field written for it,
//    and the API builder (lower/api.cpp) exports exactly its ops, in order;
//    a shape row without a case here fails the coverage check;
//  * the "writes", HOLDS and ONCE columns agree with the shapes' operations,
//    `@personal` and never-changes constraints; the DOLC_STRATEGY_CHANGE rows
//    are what ir::strategy_change_safety answers; every DOLC_OPTION_CHECK
//    row is reported by the checker when broken, and only then.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "ir/evolution_rules.hpp"
#include "ir/json.hpp"
#include "ir/strategies.hpp"
#include "lower/api.hpp"
#include "lower/field_ops.hpp"
#include "sema/check.hpp"

using namespace dolc;

namespace {

ast::TypeRef type(std::string name, std::vector<ast::TypeRef> args = {}) {
  ast::TypeRef t;
  t.name = std::move(name);
  t.args = std::move(args);
  return t;
}

ast::Expr word(std::string text) {
  ast::Expr e;
  e.kind = ast::Expr::Kind::Name;
  e.text = std::move(text);
  return e;
}

// An option value as the parser gives it: integers as Int literals (a
// leading `-` as a Unary), everything else as a bare word.
ast::Expr value(const std::string& text) {
  bool digits = !text.empty() && text.find_first_not_of("-0123456789") == std::string::npos;
  if (!digits) return word(text);
  ast::Expr e;
  e.kind = ast::Expr::Kind::Int;
  e.text = text[0] == '-' ? text.substr(1) : text;
  e.int_value = std::stoll(e.text);
  if (text[0] != '-') return e;
  ast::Expr neg;
  neg.kind = ast::Expr::Kind::Unary;
  neg.text = "-";
  neg.children.push_back(e);
  return neg;
}

ast::Field field(std::string name, ast::TypeRef t, const std::string& strategy,
                 std::vector<std::pair<std::string, std::string>> options = {}) {
  ast::Field f;
  f.name = std::move(name);
  f.type = std::move(t);
  if (!strategy.empty()) {
    ast::Annotation a;
    a.name = "crdt";
    a.args.push_back({"", word(strategy), {}});
    for (const auto& [k, v] : options) a.args.push_back({k, value(v), {}});
    f.annotations.push_back(a);
  }
  return f;
}

ast::Gene gene(std::string name, std::vector<ast::Field> fields) {
  ast::Gene g;
  g.name = std::move(name);
  g.keyword = "gen";
  g.fields = std::move(fields);
  return g;
}

class Loader : public ModuleLoader {
 public:
  ast::File file;
  ast::File load(FileId, DiagnosticSink&) override { return file; }
};

struct Checked {
  SourceManager sources;
  std::vector<FileId> roots;
  CheckResult result;
  DiagnosticSink diags;
  std::string messages() const {
    std::string out;
    for (const auto& d : diags.diagnostics()) out += std::string(rule_info(d.rule).id) + ": " + d.message + "\n";
    return out;
  }
};

std::unique_ptr<Checked> checked(std::vector<ast::Gene> genes) {
  auto c = std::make_unique<Checked>();
  c->roots.push_back(c->sources.add("test.dol", std::string(4096, ' ')));
  Loader loader;
  // Declared in the root file: what the API builder compiles.
  for (auto& g : genes) g.span = Span{c->roots[0], 0, 1};
  loader.file.genes = std::move(genes);
  c->result = dolc::check(c->sources, c->roots, {}, loader, c->diags);
  return c;
}

// Types to try a strategy on; one of them must fit each row's FITS.
const std::vector<ast::TypeRef> kCandidates = {
    type("i64"), type("string"), type("Set", {type("string")}), type("List", {type("string")}),
    type("Map", {type("string"), type("i64")}), type("RichText")};

// A type the strategy fits, by the checker's own judgement (nullptr: none).
const ast::TypeRef* fitting_type(const ir::StrategyInfo& s) {
  for (const auto& t : kCandidates) {
    auto c = checked({gene("g", {field("f", t, s.name)})});
    if (c->diags.diagnostics().empty()) return &t;
  }
  return nullptr;
}

// The shape a field of `s` gets on its first fitting type, without options.
ir::FieldShape plain_shape(const ir::StrategyInfo& s) {
  const ast::TypeRef* t = fitting_type(s);
  EXPECT_NE(t, nullptr) << s.name;
  auto c = checked({gene("g", {field("f", t ? *t : type("i64"), s.name)})});
  return ir::field_shape(c->result.schema.genes.at(0).fields.at(0));
}

std::vector<std::string> op_labels(ir::FieldShape shape) {
  std::vector<std::string> out;
  for (const lower::FieldOpSpec* op : lower::shape_ops(shape)) out.push_back(op->label);
  return out;
}

size_t count_rule(const Checked& c, Rule rule) {
  size_t n = 0;
  for (const auto& d : c.diags.diagnostics()) n += d.rule == rule;
  return n;
}

}  // namespace

TEST(StrategyTable, EveryOptionIsAcceptedAndReachesTheSchemaJson) {
  for (const auto& s : ir::strategies()) {
    SCOPED_TRACE(s.name);
    const ast::TypeRef* fits = fitting_type(s);
    ASSERT_NE(fits, nullptr) << "no candidate type fits `" << s.name << "`: add one to kCandidates";
    std::vector<std::pair<std::string, std::string>> options;
    for (const ir::OptionInfo* o : ir::options_of(s.strategy)) {
      options.emplace_back(o->name, o->example);
      EXPECT_STRNE(o->example, o->default_text) << o->name << ": the example must change something";
      if (o->kind == ir::OptionKind::Word) {
        auto words = o->words();
        EXPECT_NE(std::find(words.begin(), words.end(), o->default_text), words.end()) << o->name;
        EXPECT_NE(std::find(words.begin(), words.end(), o->example), words.end()) << o->name;
      }
    }
    auto c = checked({gene("g", {field("f", *fits, s.name, options)})});
    EXPECT_TRUE(c->diags.diagnostics().empty()) << c->messages();
    ASSERT_FALSE(c->result.schema.genes.empty());
    const ir::Field& f = c->result.schema.genes[0].fields.at(0);
    EXPECT_EQ(f.strategy, s.strategy);
    auto j = ir::schema_to_json(c->result.schema)["genes"][0]["fields"][0];
    EXPECT_EQ(j["strategy"], s.name);
    for (const ir::OptionInfo* o : ir::options_of(s.strategy)) {
      ASSERT_TRUE(j["options"].contains(o->name)) << o->name << "\n" << j.dump();
      EXPECT_EQ(j["options"][o->name].dump(), o->kind == ir::OptionKind::Word ? "\"" + std::string(o->example) + "\""
                                                                              : std::string(o->example))
          << o->name;
      EXPECT_TRUE(ir::option_changed(f.options, o->option)) << o->name;
    }
  }
}

TEST(StrategyTable, UnknownOptionsNameTheTableRows) {
  for (const auto& s : ir::strategies()) {
    auto c = checked({gene("g", {field("f", type("i64"), s.name, {{"no_such_option", "1"}})})});
    std::string names;
    for (const ir::OptionInfo* o : ir::options_of(s.strategy)) names += (names.empty() ? "" : ", ") + std::string(o->name);
    bool found = false;
    for (const auto& d : c->diags.diagnostics())
      if (d.rule == Rule::CrdtUnknownOption)
        for (const auto& n : d.notes)
          found = found || n == (names.empty() ? "`" + std::string(s.name) + "` takes no options"
                                               : "`" + std::string(s.name) + "` takes: " + names);
    EXPECT_TRUE(found) << s.name << "\n" << c->messages();
  }
}

TEST(StrategyTable, EveryShapeExportsItsOps) {
  using S = ir::FieldShape;
  // One field per shape (the name says which), on the root gene `doc`.
  std::map<std::string, S> expect = {
      {"nested", S::Nested},        {"imm", S::ImmutableRegister}, {"reg", S::LwwRegister},
      {"mv", S::MultiValue},        {"set", S::Set},               {"map", S::Map},
      {"objmap", S::ObjectMap},     {"counter", S::Counter},       {"escrow", S::EscrowCounter},
      {"list", S::List},            {"applist", S::AppendList},    {"objlist", S::ObjectList},
      {"appobjlist", S::AppendObjectList}, {"text", S::Text}};
  auto c = checked({gene("doc", {field("nested", type("item"), ""), field("imm", type("string"), "immutable"),
                               field("reg", type("string"), "lww"), field("mv", type("string"), "mv_register"),
                               field("set", type("Set", {type("string")}), "or_set"),
                               field("map", type("Map", {type("string"), type("i64")}), "or_set"),
                               field("objmap", type("Map", {type("string"), type("item")}), "or_set"),
                               field("counter", type("i64"), "pn_counter"),
                               field("escrow", type("i64"), "pn_counter", {{"escrow", "true"}, {"min_value", "0"}}),
                               field("list", type("List", {type("string")}), "rga"),
                               field("applist", type("List", {type("string")}), "rga", {{"append_only", "true"}}),
                               field("objlist", type("List", {type("item")}), "rga"),
                               field("appobjlist", type("List", {type("item")}), "rga", {{"append_only", "true"}}),
                               field("text", type("RichText"), "peritext")}),
                  gene("item", {field("n", type("i64"), "lww")})});
  ASSERT_TRUE(c->diags.diagnostics().empty()) << c->messages();
  lower::ExportTable table = lower::build_export_table(c->result.schema, c->roots, "test");
  const lower::ApiInterface* doc = nullptr;
  for (const auto& i : table.interfaces)
    if (i.gene->name == "doc") doc = &i;
  ASSERT_NE(doc, nullptr);
  std::set<S> seen;
  const ir::Gene& g = *doc->gene;
  for (size_t fi = 0; fi < g.fields.size(); ++fi) {
    const ir::Field& f = g.fields[fi];
    SCOPED_TRACE(f.name);
    S shape = ir::field_shape(f);
    EXPECT_EQ(shape, expect.at(f.name)) << ir::shape_info(shape).name;
    seen.insert(shape);
    std::vector<std::string> want, got;
    for (const lower::FieldOpSpec* op : lower::shape_ops(shape)) want.push_back(op->label);
    for (const auto& fn : doc->functions)
      if (fn.gene == &g && fn.gene_prefix.empty() && fn.field_index == static_cast<int>(fi) &&
          fn.op != lower::ApiOp::MethodCall)
        got.push_back(fn.op_label);
    EXPECT_EQ(got, want);
    // The shape's strategy column names the field's strategy (nested: none).
    EXPECT_EQ(std::string(ir::shape_info(shape).strategy), f.nested_gene ? "" : ir::strategy_name(f.strategy));
  }
  for (const auto& row : ir::shapes())
    EXPECT_TRUE(seen.count(row.shape)) << "no field of shape " << row.name << " in this test: add one";
}

// "writes": strategies share it exactly when their fields export the same
// operations (what `dolc breaking` calls the same accessor, and what layouts
// keep across a change between them).
TEST(StrategyTable, WritesColumnMatchesTheOperations) {
  for (const auto& a : ir::strategies())
    for (const auto& b : ir::strategies()) {
      SCOPED_TRACE(std::string(a.name) + " / " + b.name);
      EXPECT_EQ(ir::same_writes(a.strategy, b.strategy), op_labels(plain_shape(a)) == op_labels(plain_shape(b)));
    }
}

// HOLDS: One and Many are written whole by a `set` of the value (what a
// migration body's value is written with); only One can be `@personal`.
TEST(StrategyTable, HoldsColumnMatchesSetAndPersonal) {
  for (const auto& s : ir::strategies()) {
    SCOPED_TRACE(s.name);
    bool whole_set = false;
    for (const lower::FieldOpSpec* op : lower::shape_ops(plain_shape(s)))
      whole_set = whole_set || (std::string(op->label) == "set" && op->params.size() == 1 && op->params[0].second == "V");
    EXPECT_EQ(whole_set, s.holds != ir::Holds::Parts);
    const ast::TypeRef* t = fitting_type(s);
    ASSERT_NE(t, nullptr);
    ast::Field f = field("f", *t, s.name);
    ast::Annotation personal;
    personal.name = "personal";
    f.annotations.push_back(personal);
    auto c = checked({gene("g", {f})});
    EXPECT_EQ(count_rule(*c, Rule::PersonalUnsupported), s.holds == ir::Holds::One ? 0u : 1u) << c->messages();
  }
}

// ONCE: a never-changes clause holds only for a set-once strategy, and no
// change into one is safe.
TEST(StrategyTable, OnceColumnMatchesNeverChangesAndChanges) {
  for (const auto& s : ir::strategies()) {
    SCOPED_TRACE(s.name);
    const ast::TypeRef* t = fitting_type(s);
    ASSERT_NE(t, nullptr);
    ast::Gene g = gene("g", {field("f", *t, s.name)});
    ast::Constraint rule;
    rule.name = "fixed";
    rule.keyword = "rule";
    ast::ConstraintItem item;
    item.kind = ast::ConstraintItem::Kind::NeverChanges;
    item.subject = "g";
    item.field = "f";
    rule.items.push_back(item);
    g.constraints.push_back(rule);
    auto c = checked({g});
    EXPECT_EQ(count_rule(*c, Rule::ConstraintCrdtConflict), s.once ? 0u : 1u) << c->messages();
    for (const auto& from : ir::strategies())
      if (s.once && from.strategy != s.strategy)
        EXPECT_EQ(ir::strategy_change_safety(from.strategy, s.strategy), ir::EvolutionChange::Safety::Unsafe)
            << from.name;
  }
}

// DOLC_STRATEGY_CHANGE: one row per pair, never unsafe (the default) nor a
// no-op, and ir::strategy_change_safety answers each row and Unsafe for every
// other pair of different strategies.
TEST(StrategyTable, ChangeRowsAreTheSafetyRules) {
  using Safety = ir::EvolutionChange::Safety;
  std::set<std::pair<ir::Strategy, ir::Strategy>> pairs;
  for (const auto& r : ir::strategy_changes()) {
    SCOPED_TRACE(std::string(ir::strategy_name(r.from)) + " -> " + ir::strategy_name(r.to));
    EXPECT_NE(r.from, r.to);
    EXPECT_NE(r.safety, Safety::Unsafe) << "unsafe is the default: drop the row";
    EXPECT_TRUE(pairs.insert({r.from, r.to}).second) << "two rows for one pair";
  }
  for (const auto& a : ir::strategies())
    for (const auto& b : ir::strategies()) {
      SCOPED_TRACE(std::string(a.name) + " -> " + b.name);
      Safety want = a.strategy == b.strategy ? Safety::Safe : Safety::Unsafe;
      for (const auto& r : ir::strategy_changes())
        if (r.from == a.strategy && r.to == b.strategy) want = r.safety;
      EXPECT_EQ(ir::strategy_change_safety(a.strategy, b.strategy), want);
    }
}

// DOLC_OPTION_CHECK: each row, broken on an otherwise valid field, is one
// crdt-invalid-option with the row's hint; kept, nothing is reported.
TEST(StrategyTable, OptionChecksAreReportedWhenBroken) {
  for (const auto& row : ir::option_checks()) {
    const ir::OptionInfo& opt = ir::option_info(row.option);
    const ir::OptionInfo& other = ir::option_info(row.other);
    SCOPED_TRACE(std::string(opt.name) + " / " + other.name);
    ASSERT_EQ(opt.strategy, other.strategy) << "a check relates options of one strategy";
    const ast::TypeRef* t = fitting_type(ir::strategy_info(opt.strategy));
    ASSERT_NE(t, nullptr);
    std::vector<std::pair<std::string, std::string>> broken, kept;
    ast::TypeRef broken_type = *t;
    switch (row.check) {
      case ir::OptionCheck::Above:
        // The examples in order, then swapped.
        ASSERT_GT(std::stoll(opt.example), std::stoll(other.example));
        kept = {{opt.name, opt.example}, {other.name, other.example}};
        broken = {{opt.name, other.example}, {other.name, opt.example}};
        break;
      case ir::OptionCheck::Needs:
        kept = {{opt.name, opt.example}, {other.name, other.example}};
        broken = {{opt.name, opt.example}};
        break;
      case ir::OptionCheck::NotFloat:
        // Every option of the strategy (which the first test accepts together), on a float.
        for (const ir::OptionInfo* o : ir::options_of(opt.strategy)) kept.emplace_back(o->name, o->example);
        broken = kept;
        broken_type = type("f64");
        break;
    }
    auto ok = checked({gene("g", {field("f", *t, ir::strategy_name(opt.strategy), kept)})});
    EXPECT_EQ(count_rule(*ok, Rule::CrdtInvalidOption), 0u) << ok->messages();
    auto bad = checked({gene("g", {field("f", broken_type, ir::strategy_name(opt.strategy), broken)})});
    size_t found = 0;
    for (const auto& d : bad->diags.diagnostics())
      if (d.rule == Rule::CrdtInvalidOption && d.notes == std::vector<std::string>{row.hint}) ++found;
    EXPECT_EQ(found, 1u) << bad->messages();
    EXPECT_EQ(count_rule(*bad, Rule::CrdtInvalidOption), 1u) << bad->messages();
  }
}
