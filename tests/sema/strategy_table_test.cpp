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
//    row is reported by the checker when broken, and only then;
//  * ADDS matches the bounds the checker says need coordination, SEQUENCE
//    the shapes with cursors, CONVERTS what the old strategy holds;
//  * every DOLC_BODY_OP row lowers to an op of its shape with the arguments
//    it takes, and a method body calling it is checked (sema/calls.cpp) and
//    lowered (lower/methods.cpp) by that row.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "ir/evolution_rules.hpp"
#include "ir/json.hpp"
#include "ir/strategies.hpp"
#include "lower/api.hpp"
#include "lower/field_ops.hpp"
#include "lower/methods.hpp"
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

// A `rule` constraint of one item on `g`.
void add_rule(ast::Gene& g, std::string name, ast::ConstraintItem item) {
  ast::Constraint rule;
  rule.name = std::move(name);
  rule.keyword = "rule";
  rule.items.push_back(std::move(item));
  g.constraints.push_back(std::move(rule));
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
    ast::ConstraintItem item;
    item.kind = ast::ConstraintItem::Kind::NeverChanges;
    item.subject = "g";
    item.field = "f";
    add_rule(g, "fixed", item);
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

// ---- DOLC_BODY_OP: the operations a method body may call ------------------

namespace {

// The number N of each `$N` / `u32($N)` / `$N?1` in a row's args; 0 for
// any other argument (a number, `@label`).
size_t arg_number(const std::string& token) {
  size_t at = token.find('$');
  return at == std::string::npos ? 0 : std::stoul(token.substr(at + 1));
}

const lower::FieldOpSpec* shape_op(ir::FieldShape shape, const std::string& label) {
  for (const lower::FieldOpSpec* op : lower::shape_ops(shape))
    if (label == op->label) return op;
  return nullptr;
}

}  // namespace

// Each row lowers to an op its shape exports (the API builder's ops), with as
// many arguments as the op takes, each made of the body's arguments it
// takes; refused rows name no op. What sema/calls.cpp checks and what
// lower/methods.cpp emits cannot drift apart: both read these rows.
TEST(StrategyTable, BodyOpsLowerToOpsOfTheirShape) {
  using L = ir::BodyLowering;
  for (const auto& row : ir::body_ops()) {
    SCOPED_TRACE(std::string(ir::shape_info(row.shape).name) + "." + row.names.at(0));
    EXPECT_LE(row.min_args, row.max_args);
    bool refused = row.lowering == L::AppendOnly || row.lowering == L::NotLowered;
    EXPECT_EQ(std::string(row.op) == "None", refused);
    if (refused) {
      EXPECT_TRUE(row.arg_list().empty());
      continue;
    }
    const lower::FieldOpSpec* op = shape_op(row.shape, row.label);
    ASSERT_NE(op, nullptr) << "the shape exports no op `" << row.op << "`";
    std::set<size_t> used;
    for (const std::string& token : row.arg_list()) {
      if (token[0] == '@') EXPECT_NE(shape_op(row.shape, token.substr(1)), nullptr) << token;
      if (size_t n = arg_number(token)) used.insert(n);
    }
    for (size_t n : used) EXPECT_TRUE(n >= 1 && n <= row.max_args) << "$" << n;
    EXPECT_EQ(used.size(), row.max_args) << "every argument the body gives is passed on";
    switch (row.lowering) {
      case L::Write:
      case L::Query: EXPECT_EQ(row.arg_list().size(), op->params.size()); break;
      case L::Length:
      case L::KeyCount:
      case L::Empty: EXPECT_TRUE(row.arg_list().empty() && op->params.empty()); break;
      // Where the new object goes, then the value; the op creating it takes
      // that place, or nothing (an append).
      case L::NewObject:
        EXPECT_EQ(row.arg_list().size(), 2u);
        EXPECT_LE(op->params.size(), 1u);
        EXPECT_TRUE(ir::shape_info(row.shape).objects);
        break;
      case L::AppendOnly:
      case L::NotLowered: break;
    }
  }
}

// Per shape: names are not repeated, and every shape of a strategy has rows
// (a nested object's calls are its gene's methods: none).
TEST(StrategyTable, BodyOpNamesAreUniquePerShape) {
  for (const auto& shape : ir::shapes()) {
    SCOPED_TRACE(shape.name);
    std::set<std::string> names;
    size_t rows = 0;
    for (const auto& row : ir::body_ops()) {
      if (row.shape != shape.shape) continue;
      ++rows;
      for (const auto& n : row.names) {
        EXPECT_TRUE(names.insert(n).second) << "two rows for `" << n << "`";
        EXPECT_EQ(ir::find_body_op(shape.shape, n), &row);
      }
    }
    EXPECT_EQ(rows > 0, std::string(shape.strategy) != "") << "rows: " << rows;
  }
}

namespace {

ast::Expr int_lit(int64_t v) {
  ast::Expr e;
  e.kind = ast::Expr::Kind::Int;
  e.text = std::to_string(v);
  e.int_value = v;
  return e;
}

// `this.<field>.<name>(args...)` with `count` arguments of the kinds the
// row's op takes (a position or amount: 1; text: "x"; a new object: `item
// { n: 1 }`; anything else: 1, the test's fields hold i64).
ast::Expr body_call(const ir::BodyOpInfo& row, const std::string& field_name, size_t count) {
  ast::Expr self = word("this"), recv, call;
  recv.kind = ast::Expr::Kind::Field;
  recv.text = field_name;
  recv.children.push_back(self);
  call.kind = ast::Expr::Kind::MethodCall;
  call.text = row.names.at(0);
  call.children.push_back(recv);
  std::vector<std::string> tokens = row.arg_list();
  for (size_t n = 1; n <= count; ++n) {
    ast::Expr a = int_lit(1);
    for (size_t t = 0; t < tokens.size(); ++t) {
      if (tokens[t] != "$" + std::to_string(n)) continue;
      if (row.lowering == ir::BodyLowering::NewObject && t == 1) {
        a = ast::Expr{};
        a.kind = ast::Expr::Kind::StructLit;
        a.text = "item";
        a.children.push_back(int_lit(1));
        a.arg_names.push_back("n");
      } else if (row.shape == ir::FieldShape::Text) {
        a = ast::Expr{};
        a.kind = ast::Expr::Kind::String;
        a.text = "x";
      }
    }
    call.children.push_back(a);
    call.arg_names.push_back("");
  }
  return call;
}

// A method `m` whose body is the call: a statement, or `let x = call` for
// rows giving a value.
ast::Function method_calling(ast::Expr call, bool value) {
  ast::Stmt s;
  s.kind = value ? ast::Stmt::Kind::Let : ast::Stmt::Kind::Expr;
  s.name = value ? "x" : "";
  s.expr = std::move(call);
  ast::Expr body;
  body.kind = ast::Expr::Kind::Block;
  body.stmts.push_back(std::move(s));
  ast::Function m;
  m.name = "m";
  m.body = std::move(body);
  return m;
}

// One field of each shape with body ops, elements i64 (keys too).
std::map<ir::FieldShape, ast::Field> fields_by_shape() {
  using S = ir::FieldShape;
  return {{S::ImmutableRegister, field("imm", type("i64"), "immutable")},
          {S::LwwRegister, field("reg", type("i64"), "lww")},
          {S::MultiValue, field("mv", type("i64"), "mv_register")},
          {S::Set, field("set", type("Set", {type("i64")}), "or_set")},
          {S::Map, field("map", type("Map", {type("i64"), type("i64")}), "or_set")},
          {S::ObjectMap, field("objmap", type("Map", {type("i64"), type("item")}), "or_set")},
          {S::Counter, field("counter", type("i64"), "pn_counter")},
          {S::EscrowCounter, field("escrow", type("i64"), "pn_counter", {{"escrow", "true"}, {"min_value", "0"}})},
          {S::List, field("list", type("List", {type("i64")}), "rga")},
          {S::AppendList, field("applist", type("List", {type("i64")}), "rga", {{"append_only", "true"}})},
          {S::ObjectList, field("objlist", type("List", {type("item")}), "rga")},
          {S::AppendObjectList, field("appobjlist", type("List", {type("item")}), "rga", {{"append_only", "true"}})},
          {S::Text, field("text", type("RichText"), "peritext")}};
}

// Every Expr of a method body gets a span of its own in the root file (the
// checker reports a call once per place).
void give_spans(ast::Expr& e, FileId file, uint32_t& at) {
  e.span = Span{file, at, at + 1};
  ++at;
  for (auto& c : e.children) give_spans(c, file, at);
  for (auto& s : e.stmts)
    if (s.expr) give_spans(*s.expr, file, at);
}

size_t arity_reports(const Checked& c) {
  size_t n = 0;
  for (const auto& d : c.diags.diagnostics())
    n += d.rule == Rule::TypeMismatch && d.message.find("is called with") != std::string::npos;
  return n;
}

}  // namespace

// Through the checker and the method lowering: a row's call with its
// number of arguments is accepted by sema/calls.cpp, one more is a
// type-mismatch with the row's usage; lowered, it calls the row's op (or is
// refused, for refused rows).
TEST(StrategyTable, BodyOpsAreCheckedAndLoweredByTheirRow) {
  using L = ir::BodyLowering;
  std::map<ir::FieldShape, ast::Field> fields = fields_by_shape();
  std::set<ir::FieldShape> seen;
  for (const auto& row : ir::body_ops()) {
    if (row.names.at(0) == "*") continue;
    SCOPED_TRACE(std::string(ir::shape_info(row.shape).name) + "." + row.names.at(0));
    ASSERT_TRUE(fields.count(row.shape)) << "no field of this shape in fields_by_shape: add one";
    seen.insert(row.shape);
    const ast::Field& f = fields.at(row.shape);
    bool value = row.lowering == L::Query || row.lowering == L::Length || row.lowering == L::KeyCount ||
                 row.lowering == L::Empty;
    for (size_t count : {row.min_args, row.max_args, row.max_args + 1}) {
      SCOPED_TRACE(count);
      ast::Gene doc = gene("doc", {f});
      doc.methods.push_back(method_calling(body_call(row, f.name, count), value));
      auto c = std::make_unique<Checked>();
      c->roots.push_back(c->sources.add("test.dol", std::string(4096, ' ')));
      uint32_t at = 10;
      give_spans(*doc.methods[0].body, c->roots[0], at);
      Loader loader;
      doc.span = Span{c->roots[0], 0, 1};
      ast::Gene item = gene("item", {field("n", type("i64"), "lww")});
      item.span = Span{c->roots[0], 2, 3};
      loader.file.genes = {doc, item};
      c->result = dolc::check(c->sources, c->roots, {}, loader, c->diags);
      bool too_many = count > row.max_args;
      EXPECT_EQ(arity_reports(*c), too_many ? 1u : 0u) << c->messages();
      if (too_many) continue;
      const ir::Gene& g = c->result.schema.genes.at(0);
      ASSERT_EQ(g.name, "doc");
      // sema/exprs.cpp's names of changing calls (Method::mutated_fields,
      // what never-changes constraints judge) cover the rows
      // that change the field, and no row that only reads it.
      bool changes = row.lowering == L::Write || row.lowering == L::NewObject;
      bool reads = row.lowering == L::Query || row.lowering == L::Length || row.lowering == L::KeyCount ||
                   row.lowering == L::Empty;
      if (changes || reads) EXPECT_EQ(g.methods.at(0).mutated_fields.size(), changes ? 1u : 0u);
      std::string why;
      bool lowered = lower::method_lowerable(c->result.schema, g, g.methods.at(0), &why);
      if (row.lowering == L::AppendOnly || row.lowering == L::NotLowered) {
        EXPECT_FALSE(lowered);
        continue;
      }
      ASSERT_TRUE(lowered) << why << "\n" << c->messages();
      lower::ExportTable table = lower::build_export_table(c->result.schema, c->roots, "test");
      const lower::ApiFunction* fn = nullptr;
      const lower::ApiInterface* iface = nullptr;
      for (const auto& i : table.interfaces)
        for (const auto& x : i.functions)
          if (x.op == lower::ApiOp::MethodCall && x.gene == &g) fn = &x, iface = &i;
      ASSERT_NE(fn, nullptr);
      std::string cpp = lower::lower_method_body(c->result.schema, *iface, *fn);
      std::string member = f.name + "_" + row.label;
      std::replace(member.begin(), member.end(), '-', '_');
      EXPECT_NE(cpp.find("this->" + member + "("), std::string::npos) << cpp;
    }
  }
  for (const auto& [shape, f] : fields)
    EXPECT_TRUE(seen.count(shape)) << f.name << ": a shape without body ops";
}

// ADDS: a bound on a field (`f always >= 0`) needs coordination exactly when
// concurrent changes add up (tried on every strategy an i64 field can have).
TEST(StrategyTable, AddsColumnMatchesBoundsNeedingCoordination) {
  size_t tried = 0;
  for (const auto& s : ir::strategies()) {
    SCOPED_TRACE(s.name);
    ast::Gene g = gene("g", {field("f", type("i64"), s.name)});
    if (!checked({g})->diags.diagnostics().empty()) continue;  // does not fit an i64
    ++tried;
    ast::ConstraintItem item;
    item.kind = ast::ConstraintItem::Kind::Always;
    item.lhs = word("f");
    item.op = ">=";
    item.expr = int_lit(0);
    add_rule(g, "bounded", item);
    auto c = checked({g});
    EXPECT_EQ(count_rule(*c, Rule::ConstraintNeedsCoordination), s.adds ? 1u : 0u) << c->messages();
  }
  EXPECT_GE(tried, 2u);
}

// SEQUENCE: exactly the strategies whose fields have cursors (positions that
// follow the elements).
TEST(StrategyTable, SequenceColumnMatchesCursors) {
  for (const auto& s : ir::strategies()) {
    SCOPED_TRACE(s.name);
    std::vector<std::string> labels = op_labels(plain_shape(s));
    EXPECT_EQ(s.sequence, std::find(labels.begin(), labels.end(), "cursor") != labels.end());
  }
}

// CONVERTS: a change converting the value reads one old value (HOLDS One,
// what lower/migrations.cpp can read); one converting elements goes from a
// collection to a collection.
TEST(StrategyTable, ConvertsColumnMatchesWhatTheOldStrategyHolds) {
  for (const auto& r : ir::strategy_changes()) {
    SCOPED_TRACE(std::string(ir::strategy_name(r.from)) + " -> " + ir::strategy_name(r.to));
    EXPECT_EQ(ir::strategy_change(r.from, r.to), &r);
    bool from_one = ir::strategy_info(r.from).holds == ir::Holds::One;
    EXPECT_EQ(r.converts == ir::Converts::Value, from_one);
    if (r.converts == ir::Converts::Elements) {
      EXPECT_EQ(ir::strategy_info(r.to).holds, ir::Holds::Parts);
      EXPECT_EQ(r.safety, ir::EvolutionChange::Safety::NeedsMigration);
    }
  }
}
