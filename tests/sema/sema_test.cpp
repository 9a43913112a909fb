// tests/sema/sema_test.cpp: the checker's rules on hand-built ASTs.
//
// Each test builds an ast::File with the small helpers below (what the parser
// would produce), runs check(), and asserts on the rule ids reported and on
// the checked schema. The checker gets its trees from a ModuleLoader; here a
// loader that hands out the registered ASTs, which keeps these tests
// independent of the parser.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "ir/json.hpp"
#include "sema/check.hpp"

using namespace dolc;

namespace {

ast::TypeRef type(std::string name, std::vector<ast::TypeRef> args = {}) {
  ast::TypeRef t;
  t.name = std::move(name);
  t.args = std::move(args);
  return t;
}

ast::Expr name(std::string n) {
  ast::Expr e;
  e.kind = ast::Expr::Kind::Name;
  e.text = std::move(n);
  return e;
}
ast::Expr integer(int64_t v) {
  ast::Expr e;
  e.kind = ast::Expr::Kind::Int;
  e.int_value = v;
  e.text = std::to_string(v);
  return e;
}
ast::Expr str(std::string s) {
  ast::Expr e;
  e.kind = ast::Expr::Kind::String;
  e.text = std::move(s);
  return e;
}
ast::Expr field_of(ast::Expr recv, std::string f) {
  ast::Expr e;
  e.kind = ast::Expr::Kind::Field;
  e.text = std::move(f);
  e.children.push_back(std::move(recv));
  return e;
}
ast::Expr binary(std::string op, ast::Expr l, ast::Expr r) {
  ast::Expr e;
  e.kind = ast::Expr::Kind::Binary;
  e.text = std::move(op);
  e.children = {std::move(l), std::move(r)};
  return e;
}
ast::Expr call(std::string callee, std::vector<ast::Expr> args = {}) {
  ast::Expr e;
  e.kind = ast::Expr::Kind::Call;
  e.children.push_back(name(std::move(callee)));
  for (auto& a : args) e.children.push_back(std::move(a));
  e.arg_names.assign(e.children.size() - 1, "");
  return e;
}

ast::Annotation crdt(std::string strategy, std::vector<std::pair<std::string, ast::Expr>> options = {}) {
  ast::Annotation a;
  a.name = "crdt";
  a.args.push_back({"", name(std::move(strategy)), {}});
  for (auto& [k, v] : options) a.args.push_back({k, v, {}});
  return a;
}

ast::Field field(std::string n, ast::TypeRef t, std::vector<ast::Annotation> anns = {}) {
  ast::Field f;
  f.name = std::move(n);
  f.type = std::move(t);
  f.annotations = std::move(anns);
  return f;
}

ast::Gene gene(std::string n, std::vector<ast::Field> fields) {
  ast::Gene g;
  g.name = std::move(n);
  g.keyword = "gen";
  g.fields = std::move(fields);
  return g;
}

struct Run {
  CheckResult result;
  DiagnosticSink diags;
  std::vector<std::string> rules() const {
    std::vector<std::string> out;
    for (const auto& d : diags.diagnostics()) out.push_back(rule_info(d.rule).id);
    return out;
  }
  bool has(const std::string& id) const {
    for (const auto& r : rules())
      if (r == id) return true;
    return false;
  }
  std::string messages() const {
    std::string out;
    for (const auto& d : diags.diagnostics()) out += std::string(rule_info(d.rule).id) + ": " + d.message + "\n";
    return out;
  }
};

// The trees the tests built, by file path; a file nobody registered is empty.
class RegisteredAsts : public ModuleLoader {
 public:
  explicit RegisteredAsts(const SourceManager& sources) : sources_(sources) {}
  std::map<std::string, ast::File> asts;
  std::vector<std::string> asked;  // the path of every load, in order
  ast::File load(FileId file, DiagnosticSink&) override {
    const std::string& path = sources_.file(file).path();
    asked.push_back(path);
    auto it = asts.find(path);
    return it == asts.end() ? ast::File{} : it->second;
  }

 private:
  const SourceManager& sources_;
};

std::unique_ptr<Run> run(const ast::File& file, CheckOptions options = {}) {
  SourceManager sources;
  FileId id = sources.add("test.dol", std::string(4096, ' '));
  RegisteredAsts loader(sources);
  loader.asts["test.dol"] = file;
  auto r = std::make_unique<Run>();
  r->result = check(sources, {id}, options, loader, r->diags);
  return r;
}

ast::File file_with(std::vector<ast::Gene> genes) {
  ast::File f;
  f.genes = std::move(genes);
  return f;
}

}  // namespace

TEST(Sema, CanonicalTypesAndStrategies) {
  auto r = run(file_with({gene("board.card", {field("id", type("UUID"), {crdt("immutable")}),
                                              field("title", type("String"), {crdt("lww")}),
                                              field("labels", type("Set", {type("string")}), {crdt("or_set")}),
                                              field("votes", type("Int"), {crdt("pn_counter", {{"min_value", integer(0)}})}),
                                              field("items", type("Vec", {type("Int32")}), {crdt("rga")}),
                                              field("body", type("RichText"), {crdt("peritext", {{"formatting", str("markdown")}})})})}));
  EXPECT_TRUE(r->diags.diagnostics().empty()) << r->messages();
  const auto& g = r->result.schema.genes.at(0);
  EXPECT_EQ(g.fields[0].type.canonical(), "Uuid");
  EXPECT_EQ(g.fields[1].type.canonical(), "string");
  EXPECT_EQ(g.fields[3].type.canonical(), "i64");
  EXPECT_EQ(g.fields[4].type.canonical(), "List<i32>");
  EXPECT_EQ(g.fields[3].strategy, ir::Strategy::PnCounter);
  EXPECT_EQ(*g.fields[3].options.min_value, 0);
  EXPECT_EQ(g.fields[5].options.formatting, ir::Formatting::Markdown);
  auto j = ir::schema_to_json(r->result.schema);
  EXPECT_EQ(j["genes"][0]["fields"][2]["strategy"], "or_set");
  EXPECT_EQ(j["genes"][0]["fields"][3]["type"]["bits"], 64);
  EXPECT_EQ(ir::schema_to_json(r->result.schema).dump(), j.dump());  // deterministic
}

TEST(Sema, StrategyErrors) {
  auto r = run(file_with({gene("g", {field("name", type("string"), {crdt("or_set")}),
                                     field("n", type("i64"), {crdt("pn_countr")}),
                                     field("m", type("i64"), {crdt("pn_counter", {{"tie_break", name("actor_id")}})}),
                                     field("k", type("i64"), {crdt("pn_counter", {{"min_value", integer(5)}, {"max_value", integer(1)}})}),
                                     field("d", type("i64"), {crdt("lww"), crdt("lww")}),
                                     field("plain", type("string")),
                                     field("f", type("f64"), {crdt("peritext", {{"max_length", integer(0)}})}),
                                     field("x", type("Strng"), {crdt("lww")}),
                                     field("fl", type("Float"), {crdt("pn_counter")})})}));
  for (const char* id : {"crdt-type-mismatch", "crdt-unknown-strategy", "crdt-unknown-option", "crdt-invalid-option",
                         "crdt-duplicate-annotation", "crdt-missing-annotation", "unknown-type", "crdt-lossy-strategy"})
    EXPECT_TRUE(r->has(id)) << id << "\n" << r->messages();
  for (const auto& d : r->diags.diagnostics())
    if (d.rule == Rule::CrdtTypeMismatch && d.message.find("`or_set`") != std::string::npos) {
      EXPECT_EQ(d.message, "`or_set` cannot merge a field of type `string`");
      EXPECT_EQ(d.notes.at(0), "strategies that fit `string`: immutable, lww, peritext, mv_register");
    }
}

TEST(Sema, ExtendsDuplicatesAndNestedGenes) {
  auto parent = gene("base", {field("id", type("Uuid"), {crdt("immutable")})});
  auto child = gene("child", {field("id", type("string"), {crdt("lww")}), field("inner", type("base"))});
  child.extends = ast::QualifiedName{"base", {}};
  auto dup = gene("base", {});
  auto r = run(file_with({parent, child, dup}));
  EXPECT_TRUE(r->has("duplicate-field")) << r->messages();
  EXPECT_TRUE(r->has("duplicate-declaration")) << r->messages();
  EXPECT_FALSE(r->has("crdt-missing-annotation")) << "a nested gene merges by its own fields";
  const auto& c = r->result.schema.genes.at(1);
  EXPECT_EQ(c.fields.at(0).inherited_from, "base");
  EXPECT_TRUE(c.fields.at(1).nested_gene);
}

TEST(Sema, DefaultsAndMethods) {
  auto f = field("count", type("i64"), {crdt("pn_counter")});
  f.default_value = str("x");
  auto g = gene("g", {f, field("id", type("Uuid"), {crdt("immutable")})});
  ast::Function m;
  m.name = "reset";
  ast::Expr body;
  body.kind = ast::Expr::Kind::Block;
  ast::Stmt s;
  s.kind = ast::Stmt::Kind::Expr;
  ast::Expr assign;
  assign.kind = ast::Expr::Kind::Assign;
  assign.text = "=";
  assign.children = {field_of(name("this"), "id"), str("x")};
  s.expr = assign;
  body.stmts.push_back(s);
  ast::Stmt s2;
  s2.kind = ast::Stmt::Kind::Expr;
  s2.expr = field_of(name("this"), "nope");
  body.stmts.push_back(s2);
  m.body = body;
  g.methods.push_back(m);
  auto r = run(file_with({g}));
  EXPECT_TRUE(r->has("type-mismatch")) << r->messages();
  EXPECT_TRUE(r->has("constraint-crdt-conflict")) << r->messages();
  EXPECT_TRUE(r->has("unknown-field")) << r->messages();
  EXPECT_EQ(r->result.schema.genes[0].methods.at(0).mutated_fields, std::vector<std::string>{"id"});
}

TEST(Sema, ConstraintsTargetsAndCoordination) {
  auto account = gene("account", {field("balance", type("i64"), {crdt("pn_counter")}),
                                  field("id", type("Uuid"), {crdt("lww")})});
  ast::File f = file_with({account, gene("doc.page", {field("title", type("string"), {crdt("immutable")})}),
                           gene("doc.other", {})});
  ast::Constraint c;
  c.name = "account.solvency";
  ast::ConstraintItem always;
  always.kind = ast::ConstraintItem::Kind::Always;
  always.lhs = name("balance");
  always.op = ">=";
  always.expr = integer(0);
  ast::ConstraintItem never;
  never.kind = ast::ConstraintItem::Kind::NeverChanges;
  never.subject = "account";
  never.field = "id";
  c.items = {always, never};
  f.constraints.push_back(c);
  ast::Constraint page;
  page.name = "doc.page_identity";
  never.subject = "page";
  never.field = "title";
  page.items = {never};
  f.constraints.push_back(page);
  ast::Constraint ambiguous;
  ambiguous.name = "doc.rule";
  ast::ConstraintItem req;
  req.kind = ast::ConstraintItem::Kind::Require;
  req.expr = binary(">=", integer(1), integer(0));
  ambiguous.items = {req};
  f.constraints.push_back(ambiguous);
  auto r = run(f);
  EXPECT_TRUE(r->has("constraint-needs-coordination")) << r->messages();
  EXPECT_TRUE(r->has("constraint-crdt-conflict")) << r->messages();
  EXPECT_TRUE(r->has("unknown-declaration")) << r->messages();
  ASSERT_EQ(r->result.schema.constraints.size(), 2u);
  EXPECT_EQ(r->result.schema.constraints[0].gene, "account");
  EXPECT_EQ(r->result.schema.constraints[1].gene, "doc.page");
  EXPECT_EQ(r->result.schema.constraints[0].on_violation, ir::ViolationPolicy::RejectOperation);
}

TEST(Sema, Evolutions) {
  ast::File f = file_with({gene("msg", {field("content", type("string"), {crdt("peritext")})})});
  ast::Evolution ev;
  ev.name = "msg";
  auto item = [](ast::EvolutionItem::Kind k, std::string n) {
    ast::EvolutionItem i;
    i.kind = k;
    i.name = std::move(n);
    return i;
  };
  auto ch = item(ast::EvolutionItem::Kind::Changes, "content");
  ch.from = crdt("lww");
  ch.to = crdt("peritext");
  auto bad = item(ast::EvolutionItem::Kind::Changes, "content");
  bad.from = crdt("lww");
  bad.to = crdt("immutable");
  auto rm = item(ast::EvolutionItem::Kind::Removes, "legacy");
  ev.items = {ch, bad, rm};
  f.evolutions.push_back(ev);
  ast::Evolution ev2;
  ev2.name = "msg";
  auto mig = item(ast::EvolutionItem::Kind::Migrate, "content");
  mig.expr = call("now");
  ev2.items = {mig};
  f.evolutions.push_back(ev2);
  ast::Evolution ev3;
  ev3.name = "mgs";
  f.evolutions.push_back(ev3);
  auto r = run(f);
  for (const char* id : {"evolution-missing-migration", "evolution-unsafe-migration", "evolution-data-loss",
                         "evolution-nondeterministic-migration", "unknown-declaration"})
    EXPECT_TRUE(r->has(id)) << id << "\n" << r->messages();
}

namespace {

ast::Version ver(uint32_t major, uint32_t minor) {
  std::string text = std::to_string(major) + "." + std::to_string(minor) + ".0";
  return ast::Version{major, minor, 0, text, {}};
}

ast::Evolution evo(std::string gene, ast::Version to, ast::Version from, std::vector<ast::EvolutionItem> items) {
  ast::Evolution ev;
  ev.name = std::move(gene);
  ev.to_version = to;
  ev.from_version = from;
  ev.items = std::move(items);
  return ev;
}

ast::EvolutionItem renames(std::string from, std::string to) {
  ast::EvolutionItem i;
  i.kind = ast::EvolutionItem::Kind::Renames;
  i.name = std::move(from);
  i.new_name = std::move(to);
  return i;
}

ast::EvolutionItem adds(ast::Field f) {
  ast::EvolutionItem i;
  i.kind = ast::EvolutionItem::Kind::Adds;
  i.name = f.name;
  i.field = std::move(f);
  return i;
}

}  // namespace

TEST(Sema, GeneVersionsLinkedByEvo) {
  // The newest declaration comes first here: declaration order must not matter.
  auto v11 = gene("room", {field("title", type("string"), {crdt("lww")}),
                           field("members", type("Set", {type("string")}), {crdt("or_set")})});
  v11.version = ver(1, 1);
  auto v10 = gene("room", {field("name", type("string"), {crdt("lww")})});
  v10.version = ver(1, 0);
  auto lobby = gene("lobby", {field("room", type("room"), {crdt("lww")})});
  ast::File f = file_with({v11, v10, lobby});
  f.evolutions.push_back(evo("room", ver(1, 1), ver(1, 0),
                             {renames("name", "title"), adds(field("members", type("Set", {type("string")}), {crdt("or_set")}))}));
  ast::System s;
  s.name = "app";
  s.requires_.push_back({{"room", {}}, ">=", ver(1, 1), {}});
  f.systems.push_back(s);
  auto r = run(f);
  EXPECT_TRUE(r->diags.diagnostics().empty()) << r->messages();
  const auto& schema = r->result.schema;
  ASSERT_EQ(schema.genes.size(), 2u);
  EXPECT_EQ(schema.genes[0].name, "room");
  EXPECT_EQ(schema.genes[0].version.text, "1.1.0");
  EXPECT_EQ(schema.find_gene("room")->fields.size(), 2u);
  ASSERT_EQ(schema.gene_versions.size(), 1u);
  const auto& old = schema.gene_versions[0];
  EXPECT_EQ(old.name, "room");
  EXPECT_EQ(old.version.text, "1.0.0");
  ASSERT_EQ(old.fields.size(), 1u);
  EXPECT_EQ(old.fields[0].name, "name");
  EXPECT_EQ(old.fields[0].strategy, ir::Strategy::Lww);
  EXPECT_TRUE(old.methods.empty());
  EXPECT_EQ(schema.systems.at(0).compiled_genes, (std::vector<std::string>{"room"}));
  auto j = ir::schema_to_json(schema);
  EXPECT_EQ(j["gene_versions"].size(), 1u);
  EXPECT_EQ(j["gene_versions"][0]["version"], "1.0.0");
}

TEST(Sema, GeneVersionsWithoutEvoAndChainErrors) {
  auto v10 = gene("room", {field("name", type("string"), {crdt("lww")})});
  v10.version = ver(1, 0);
  auto v13 = gene("room", {field("name", type("string"), {crdt("lww")})});
  v13.version = ver(1, 3);
  ast::File f = file_with({v10, v13});
  f.evolutions.push_back(evo("room", ver(1, 3), ver(1, 2), {}));
  f.evolutions.push_back(evo("room", ver(1, 1), ver(1, 2), {}));
  auto r = run(f);
  for (const char* id : {"duplicate-declaration", "evolution-version-order"})
    EXPECT_TRUE(r->has(id)) << id << "\n" << r->messages();
  EXPECT_TRUE(r->result.schema.gene_versions.empty());
  ASSERT_EQ(r->result.schema.genes.size(), 1u);
  EXPECT_EQ(r->result.schema.genes[0].version.text, "1.3.0");
}

TEST(Sema, SystemsClosureAndRequirements) {
  auto inner = gene("room.member", {field("name", type("string"), {crdt("lww")})});
  auto room = gene("room.state", {field("members", type("List", {type("room.member")}), {crdt("rga")})});
  room.version = ast::Version{1, 0, 0, "1.0.0", {}};
  ast::File f = file_with({inner, room});
  ast::System s;
  s.name = "chat.app";
  s.requires_.push_back({{"room.state", {}}, ">=", ast::Version{2, 0, 0, "2.0.0", {}}, {}});
  s.requires_.push_back({{"room.stat", {}}, "", std::nullopt, {}});
  f.systems.push_back(s);
  auto r = run(f);
  EXPECT_TRUE(r->has("unknown-declaration")) << r->messages();
  const auto& sys = r->result.schema.systems.at(0);
  EXPECT_EQ(sys.compiled_genes, (std::vector<std::string>{"room.state", "room.member"}));
}

TEST(Sema, DocsAndNotCompiled) {
  ast::File f = file_with({gene("g", {field("x", type("bool"), {crdt("lww")})})});
  ast::OtherDecl t;
  t.kind = "test";
  t.name = "works";
  f.others.push_back(t);
  CheckOptions opts;
  opts.require_docs = true;
  auto r = run(f, opts);
  EXPECT_TRUE(r->has("missing-docs")) << r->messages();
  ASSERT_EQ(r->result.not_compiled.size(), 1u);
  DiagnosticSink sink;
  report_not_compiled(r->result, sink);
  ASSERT_EQ(sink.diagnostics().size(), 1u);
  EXPECT_EQ(sink.diagnostics()[0].rule, Rule::NotCompiled);
}

TEST(Sema, LargeSchemaIsFast) {
  ast::File f;
  for (int i = 0; i < 2000; ++i) {
    auto g = gene("g" + std::to_string(i), {field("a", type("string"), {crdt("lww")}),
                                             field("b", type("i64"), {crdt("pn_counter")}),
                                             field("c", type("Set", {type("string")}), {crdt("or_set")})});
    if (i) g.fields.push_back(field("prev", type("g" + std::to_string(i - 1)), {crdt("lww")}));
    f.genes.push_back(g);
  }
  auto start = std::chrono::steady_clock::now();
  auto r = run(f);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(r->diags.diagnostics().empty()) << r->messages();
  EXPECT_LT(ms, 500);
}

// The checker finds a `use`d module on disk and reads it, but its tree comes
// from the loader: the file's text here is not DOL at all.
TEST(Sema, ImportsComeFromTheLoader) {
  auto dir = std::filesystem::temp_directory_path() / ("dolc-sema-loader-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string lib_path = (dir / "shapes.dol").lexically_normal().string();
  std::ofstream(lib_path) << "not DOL: the loader, not a parser, gives this file's tree\n";

  SourceManager sources;
  FileId root = sources.add((dir / "app.dol").string(), std::string(64, ' '));
  RegisteredAsts loader(sources);
  ast::File app = file_with({gene("app.doc", {field("origin", type("shapes.point"), {crdt("lww")})})});
  ast::Use use;
  use.path = "shapes";
  app.uses.push_back(use);
  loader.asts[(dir / "app.dol").string()] = app;
  ast::File lib = file_with({gene("shapes.point", {field("x", type("i64"), {crdt("lww")})})});
  lib.module = ast::QualifiedName{"shapes", {}};
  loader.asts[lib_path] = lib;

  DiagnosticSink diags;
  CheckOptions options;
  CheckResult result = check(sources, {root}, options, loader, diags);
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(diags.diagnostics().empty());
  ASSERT_EQ(loader.asked.size(), 2u);
  EXPECT_EQ(loader.asked[1], lib_path);
  ASSERT_NE(result.schema.find_gene("shapes.point"), nullptr);
  EXPECT_TRUE(result.schema.find_gene("shapes.point")->fields.at(0).type.is_integer());
  EXPECT_EQ(result.files_read, (std::vector<std::string>{(dir / "app.dol").string(), lib_path}));
}
