// tests/parse/parse_test.cpp: the AST the parser builds for each construct
// of language.md, in the three dialects and mixed, with spans checked
// against the text they cover; and the examples parse without diagnostics.
#include <fstream>
#include <set>
#include <sstream>

#include "parse_support.hpp"

namespace dolc::test {
namespace {

using ast::Expr;
using ast::Stmt;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const ast::Field& field_named(const ast::Gene& gene, const std::string& name) {
  for (const ast::Field& f : gene.fields)
    if (f.name == name) return f;
  ADD_FAILURE() << "no field " << name << " in " << gene.name;
  static ast::Field none;
  return none;
}

std::string strategy_of(const ast::Field& f) {
  for (const ast::Annotation& a : f.annotations)
    if (a.name == "crdt" && !a.args.empty()) return a.args[0].value.text;
  return "";
}

// ---------------------------------------------------------------- header

TEST(ParseHeader, ModuleAndUses) {
  Parsed p(R"(module shop.core @ 1.0.0
use shop.common.{ Money, Address }
use stdlib.sync.Syncable
use @org/pkg
use @git:github.com/acme/types
use @https://example.com/types.dol
)");
  EXPECT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  ASSERT_TRUE(p.file.module.has_value());
  EXPECT_EQ(p.file.module->text, "shop.core");
  ASSERT_TRUE(p.file.module_version.has_value());
  EXPECT_EQ(p.file.module_version->minor, 0u);
  EXPECT_EQ(p.file.module_version->major, 1u);
  ASSERT_EQ(p.file.uses.size(), 5u);
  EXPECT_EQ(p.file.uses[0].path, "shop.common");
  EXPECT_EQ(p.file.uses[0].items, (std::vector<std::string>{"Money", "Address"}));
  EXPECT_EQ(p.text(p.file.uses[0].span), "use shop.common.{ Money, Address }");
  EXPECT_EQ(p.file.uses[1].path, "stdlib.sync.Syncable");
  EXPECT_TRUE(p.file.uses[1].items.empty());
  EXPECT_FALSE(p.file.uses[1].is_external);
  EXPECT_EQ(p.file.uses[2].path, "@org/pkg");
  EXPECT_TRUE(p.file.uses[2].is_external);
  EXPECT_EQ(p.file.uses[3].path, "@git:github.com/acme/types");
  EXPECT_EQ(p.file.uses[4].path, "@https://example.com/types.dol");
  EXPECT_TRUE(p.file.uses[4].is_external);
}

// ---------------------------------------------------------------- genes, v0.8

TEST(ParseGene, V08FieldsAnnotationsDefaultsAndDocsAfterBrace) {
  Parsed p(R"(gen board.card @ 1.2.0 {
  @crdt(immutable)
  has id: Uuid

  @crdt(lww)
  has title: string = "untitled"

  @crdt(pn_counter, min_value=0)
  has votes: i64 where votes >= 0

  @crdt(peritext, formatting="markdown", max_length=20000)
  has body: RichText

  fun vote() { this.votes += 1 }
}

docs { A card on a collaborative board. }
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  ASSERT_EQ(p.file.genes.size(), 1u);
  const ast::Gene& g = p.file.genes[0];
  EXPECT_EQ(g.name, "board.card");
  EXPECT_EQ(g.keyword, "gen");
  EXPECT_EQ(p.text(g.name_span), "board.card");
  ASSERT_TRUE(g.version.has_value());
  EXPECT_EQ(g.version->text, "1.2.0");
  EXPECT_EQ(g.version->minor, 2u);
  ASSERT_EQ(g.fields.size(), 4u);

  const ast::Field& title = g.fields[1];
  EXPECT_EQ(title.name, "title");
  EXPECT_TRUE(title.has_keyword);
  EXPECT_EQ(p.text(title.name_span), "title");
  EXPECT_EQ(title.type.name, "string");
  EXPECT_EQ(p.text(title.type.span), "string");
  ASSERT_TRUE(title.default_value.has_value());
  EXPECT_EQ(title.default_value->kind, Expr::Kind::String);
  EXPECT_EQ(title.default_value->text, "untitled");
  EXPECT_EQ(p.text(title.default_value->span), "\"untitled\"");
  ASSERT_EQ(title.annotations.size(), 1u);
  EXPECT_EQ(p.text(title.annotations[0].span), "@crdt(lww)");
  EXPECT_EQ(p.where(title.annotations[0].span), "5:3");

  const ast::Field& votes = g.fields[2];
  ASSERT_EQ(votes.annotations.size(), 1u);
  const ast::Annotation& crdt = votes.annotations[0];
  EXPECT_EQ(crdt.name, "crdt");
  ASSERT_EQ(crdt.args.size(), 2u);
  EXPECT_EQ(crdt.args[0].key, "");
  EXPECT_EQ(crdt.args[0].value.kind, Expr::Kind::Name);
  EXPECT_EQ(crdt.args[0].value.text, "pn_counter");
  EXPECT_EQ(crdt.args[1].key, "min_value");
  EXPECT_EQ(crdt.args[1].value.int_value, 0);
  ASSERT_TRUE(votes.where.has_value());
  EXPECT_EQ(votes.where->kind, Expr::Kind::Binary);
  EXPECT_EQ(votes.where->text, ">=");
  EXPECT_EQ(p.text(votes.where->span), "votes >= 0");

  const ast::Field& body = g.fields[3];
  EXPECT_EQ(strategy_of(body), "peritext");
  ASSERT_EQ(body.annotations[0].args.size(), 3u);
  EXPECT_EQ(body.annotations[0].args[1].value.text, "markdown");
  EXPECT_EQ(body.annotations[0].args[2].value.int_value, 20000);

  ASSERT_EQ(g.methods.size(), 1u);
  EXPECT_EQ(g.methods[0].name, "vote");
  EXPECT_EQ(p.text(g.methods[0].name_span), "vote");

  ASSERT_TRUE(g.docs.has_value());
  EXPECT_EQ(g.docs->text, "A card on a collaborative board.");
  EXPECT_TRUE(p.file.others.empty());  // the docs block attached, it is no declaration of its own
}

// ---------------------------------------------------------------- genes, RFC

TEST(ParseGene, RfcFieldsWithoutHasAndHashComments) {
  Parsed p(R"(# An RFC-style gene
gen message.chat {
  @crdt(immutable)
  id: Uuid            # set once
  @crdt(or_set)
  #[serde(rename = "r")]
  reactions: Set<Reaction>   # add-wins
}
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  const ast::Gene& g = p.file.genes.at(0);
  ASSERT_EQ(g.fields.size(), 2u);
  EXPECT_FALSE(g.fields[0].has_keyword);
  EXPECT_EQ(strategy_of(g.fields[0]), "immutable");
  const ast::Field& reactions = g.fields[1];
  EXPECT_EQ(reactions.type.name, "Set");
  ASSERT_EQ(reactions.type.args.size(), 1u);
  EXPECT_EQ(reactions.type.args[0].name, "Reaction");
  ASSERT_EQ(reactions.annotations.size(), 2u);
  EXPECT_FALSE(reactions.annotations[0].is_attribute);
  EXPECT_TRUE(reactions.annotations[1].is_attribute);
  EXPECT_EQ(reactions.annotations[1].name, "serde");
  EXPECT_EQ(reactions.annotations[1].args.at(0).key, "rename");
  // A field's span runs from its first annotation to its type; the comment is not part of it.
  EXPECT_EQ(p.text(reactions.name_span), "reactions");
  std::string whole = p.text(reactions.span);
  EXPECT_EQ(whole.substr(0, 13), "@crdt(or_set)");
  EXPECT_EQ(whole.substr(whole.size() - 13), "Set<Reaction>");
}

// ---------------------------------------------------------------- genes, early 2.0

TEST(ParseGene, Early20TrailingAnnotationsStayOnTheirLine) {
  Parsed p(R"(gene User {
  name: String @crdt(lww)
  @crdt(or_set)
  tags: Set<String>
  email: String @crdt(lww) @personal
  verified: Bool @crdt(lww) @default(false)
  balance: Int @crdt(pn_counter) = 0
  exegesis { A user of the app. }
}
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  const ast::Gene& g = p.file.genes.at(0);
  EXPECT_EQ(g.keyword, "gene");
  ASSERT_EQ(g.fields.size(), 5u);
  ASSERT_EQ(g.fields[0].annotations.size(), 1u) << "the `@crdt(or_set)` on the next line belongs to `tags`";
  EXPECT_EQ(strategy_of(g.fields[0]), "lww");
  EXPECT_EQ(strategy_of(g.fields[1]), "or_set");
  const ast::Field& email = field_named(g, "email");
  ASSERT_EQ(email.annotations.size(), 2u);
  EXPECT_EQ(email.annotations[1].name, "personal");
  EXPECT_EQ(p.text(email.annotations[1].span), "@personal");
  const ast::Field& verified = field_named(g, "verified");
  ASSERT_EQ(verified.annotations.size(), 2u);
  EXPECT_EQ(verified.annotations[1].name, "default");
  EXPECT_EQ(verified.annotations[1].args.at(0).value.kind, Expr::Kind::Bool);
  const ast::Field& balance = field_named(g, "balance");
  ASSERT_TRUE(balance.default_value.has_value());
  EXPECT_EQ(balance.default_value->int_value, 0);
  ASSERT_TRUE(g.docs.has_value());
  EXPECT_EQ(g.docs->text, "A user of the app.");
}

TEST(ParseGene, HeaderExtendsIsTypeParamsVisibilityAndVersionAnnotation) {
  Parsed p(R"(@version(2)
pub gen shop.item<T> @ 0.0.2 extends shop.base is sync.syncable, shop.priced {
  @crdt(lww) has value: T
}
pub(crate) type shop.id @1.0.0 { @crdt(immutable) has raw: Uuid }
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  ASSERT_EQ(p.file.genes.size(), 2u);
  const ast::Gene& g = p.file.genes[0];
  EXPECT_EQ(g.visibility, ast::Visibility::Pub);
  EXPECT_EQ(g.type_params, (std::vector<std::string>{"T"}));
  EXPECT_EQ(g.version->text, "0.0.2");
  ASSERT_TRUE(g.extends.has_value());
  EXPECT_EQ(g.extends->text, "shop.base");
  ASSERT_EQ(g.traits.size(), 2u);
  EXPECT_EQ(g.traits[1].text, "shop.priced");
  EXPECT_EQ(p.text(g.traits[0].span), "sync.syncable");
  ASSERT_EQ(g.annotations.size(), 1u);
  EXPECT_EQ(g.annotations[0].name, "version");
  EXPECT_EQ(p.file.genes[1].keyword, "type");
  EXPECT_EQ(p.file.genes[1].visibility, ast::Visibility::PubCrate);
  EXPECT_EQ(p.file.genes[1].version->text, "1.0.0");
}

TEST(ParseGene, KeywordsAreFieldNames) {
  Parsed p(R"(gen odd.names {
  state: String @crdt(lww)
  type: String @crdt(lww)
  system: i64 @crdt(pn_counter)
  from: Bool @crdt(lww)
  @crdt(lww) has has: string
  @crdt(lww) has docs: string
  @crdt(lww) has return: string
}
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  std::vector<std::string> names;
  for (const ast::Field& f : p.file.genes.at(0).fields) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"state", "type", "system", "from", "has", "docs", "return"}));
}

TEST(ParseGene, EnumsSentencesAndInlineRules) {
  Parsed p(R"(gen task.status { enum { Todo, Doing, Done } }
type Priority = enum { Low, Medium, High, }
pub type Id = Uuid
gen container.box {
  container has identity
  container is running
  @crdt(pn_counter) has qty: i64
  rule positive { this.qty >= 0 }
  constraint bounded { qty always <= 100 }
}
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  ASSERT_EQ(p.file.genes.size(), 2u);
  ASSERT_TRUE(p.file.genes[0].enum_variants.has_value());
  EXPECT_EQ(*p.file.genes[0].enum_variants, (std::vector<std::string>{"Todo", "Doing", "Done"}));
  ASSERT_EQ(p.file.aliases.size(), 2u);
  EXPECT_EQ(p.file.aliases[0].name, "Priority");
  EXPECT_EQ(p.file.aliases[0].type.kind, ast::TypeRef::Kind::Enum);
  EXPECT_EQ(p.file.aliases[0].type.enum_variants.size(), 3u);
  EXPECT_EQ(p.file.aliases[1].type.name, "Uuid");
  EXPECT_EQ(p.file.aliases[1].visibility, ast::Visibility::Pub);

  const ast::Gene& box = p.file.genes[1];
  ASSERT_EQ(box.sentences.size(), 2u);
  EXPECT_EQ(box.sentences[0].words, (std::vector<std::string>{"container", "has", "identity"}));
  EXPECT_EQ(box.sentences[1].words, (std::vector<std::string>{"container", "is", "running"}));
  EXPECT_EQ(p.text(box.sentences[1].span), "container is running");
  ASSERT_EQ(box.fields.size(), 1u);
  ASSERT_EQ(box.constraints.size(), 2u);
  EXPECT_EQ(box.constraints[0].keyword, "rule");
  EXPECT_EQ(box.constraints[0].name, "positive");
  ASSERT_EQ(box.constraints[0].items.size(), 1u);
  EXPECT_EQ(box.constraints[0].items[0].kind, ast::ConstraintItem::Kind::Require);
  EXPECT_EQ(p.text(box.constraints[0].items[0].expr->span), "this.qty >= 0");
  ASSERT_EQ(box.constraints[1].items.size(), 1u);
  EXPECT_EQ(box.constraints[1].items[0].kind, ast::ConstraintItem::Kind::Always);
  EXPECT_EQ(box.constraints[1].items[0].op, "<=");
}

// ---------------------------------------------------------------- functions

TEST(ParseFunction, StatementsAndExpressions) {
  Parsed p(R"(gen a.b {
  fn f(a: i64, mut b: i64) -> Result<(), Error> {
    let mut x: i64 = a + b * 2
    x = x - 1
    x -= 1
    if x > 0 && !done { return Ok(()) } else if x < 0 { return Err(Error::Negative) } else { x += 1 }
    for i in 0..10 { continue }
    while x < 10 { x += 1 }
    loop { break }
    let r = Reaction { emoji: "e", user_id: u }
    let items = [1, 2, 3]
    let table = { "a": 1, "b": 2 }
    let add = |p, q| p + q
    let doubled = items
      .filter(|v| v > 0)
      .map(|v| v * 2)
    let y = x as f64
    let piped = x |> g
    let tried = h(x, weight: w)?
    let all = forall a: Account. a.balance >= 0
    let some = exists a: Account. a.balance < 0 implies false
    let q = quote { x + 1 }
    let m = !(anything (goes) here)
    let k = Status::Done
    this.labels.insert(x)
    return
  }
}
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  const ast::Function& f = p.file.genes.at(0).methods.at(0);
  EXPECT_EQ(f.name, "f");
  ASSERT_EQ(f.params.size(), 2u);
  EXPECT_EQ(f.params[1].name, "b");
  ASSERT_TRUE(f.result.has_value());
  EXPECT_EQ(f.result->name, "Result");
  EXPECT_EQ(f.result->args.at(0).kind, ast::TypeRef::Kind::Unit);
  ASSERT_TRUE(f.body.has_value());
  const std::vector<Stmt>& s = f.body->stmts;
  ASSERT_EQ(s.size(), 22u);

  EXPECT_EQ(s[0].kind, Stmt::Kind::Let);
  EXPECT_TRUE(s[0].is_mut);
  EXPECT_EQ(s[0].name, "x");
  EXPECT_EQ(s[0].expr->text, "+");
  EXPECT_EQ(s[0].expr->children.at(1).text, "*");  // precedence

  EXPECT_EQ(s[1].expr->kind, Expr::Kind::Assign);
  EXPECT_EQ(s[1].expr->text, "=");
  EXPECT_EQ(s[2].expr->text, "-=");

  const Expr& iff = *s[3].expr;
  EXPECT_EQ(iff.kind, Expr::Kind::If);
  ASSERT_EQ(iff.children.size(), 3u);
  EXPECT_EQ(iff.children[0].text, "&&");
  EXPECT_EQ(iff.children[1].stmts.at(0).kind, Stmt::Kind::Return);
  EXPECT_EQ(iff.children[2].kind, Expr::Kind::If);  // else if

  EXPECT_EQ(s[4].kind, Stmt::Kind::For);
  EXPECT_EQ(s[4].name, "i");
  EXPECT_EQ(s[4].expr->text, "..");
  EXPECT_EQ(s[4].body.at(0).kind, Stmt::Kind::Continue);
  EXPECT_EQ(s[5].kind, Stmt::Kind::While);
  EXPECT_EQ(s[6].kind, Stmt::Kind::Loop);
  EXPECT_EQ(s[6].body.at(0).kind, Stmt::Kind::Break);

  const Expr& lit = *s[7].expr;
  EXPECT_EQ(lit.kind, Expr::Kind::StructLit);
  EXPECT_EQ(lit.text, "Reaction");
  EXPECT_EQ(lit.arg_names, (std::vector<std::string>{"emoji", "user_id"}));
  EXPECT_EQ(s[8].expr->kind, Expr::Kind::ListLit);
  EXPECT_EQ(s[8].expr->children.size(), 3u);
  EXPECT_EQ(s[9].expr->kind, Expr::Kind::MapLit);
  EXPECT_EQ(s[9].expr->children.size(), 4u);
  EXPECT_EQ(s[10].expr->kind, Expr::Kind::Closure);
  EXPECT_EQ(s[10].expr->params, (std::vector<std::string>{"p", "q"}));

  const Expr& chain = *s[11].expr;  // a method chain across lines
  EXPECT_EQ(chain.kind, Expr::Kind::MethodCall);
  EXPECT_EQ(chain.text, "map");
  EXPECT_EQ(chain.children.at(0).kind, Expr::Kind::MethodCall);
  EXPECT_EQ(chain.children.at(0).text, "filter");

  EXPECT_EQ(s[12].expr->kind, Expr::Kind::Cast);
  EXPECT_EQ(s[12].expr->type->name, "f64");
  EXPECT_EQ(s[13].expr->text, "|>");
  const Expr& tried = *s[14].expr;
  EXPECT_EQ(tried.kind, Expr::Kind::Try);
  EXPECT_EQ(tried.children.at(0).kind, Expr::Kind::Call);
  EXPECT_EQ(tried.children.at(0).arg_names, (std::vector<std::string>{"", "weight"}));
  EXPECT_EQ(s[15].expr->kind, Expr::Kind::Quantifier);
  EXPECT_EQ(s[15].expr->text, "forall");
  EXPECT_EQ(s[15].expr->params, (std::vector<std::string>{"a"}));
  EXPECT_EQ(s[15].expr->type->name, "Account");
  EXPECT_EQ(p.text(s[15].expr->children.at(0).span), "a.balance >= 0");
  EXPECT_EQ(s[16].expr->text, "exists");
  EXPECT_EQ(s[16].expr->children.at(0).text, "implies");
  EXPECT_EQ(s[17].expr->kind, Expr::Kind::Opaque);
  EXPECT_EQ(s[18].expr->kind, Expr::Kind::Opaque);
  EXPECT_EQ(s[18].expr->text, "!(anything (goes) here)");
  EXPECT_EQ(s[19].expr->kind, Expr::Kind::Path);
  EXPECT_EQ(s[19].expr->text, "Status::Done");

  const Expr& insert = *s[20].expr;
  EXPECT_EQ(insert.kind, Expr::Kind::MethodCall);
  EXPECT_EQ(insert.text, "insert");
  EXPECT_EQ(insert.children.at(0).kind, Expr::Kind::Field);
  EXPECT_EQ(insert.children.at(0).text, "labels");
  EXPECT_EQ(insert.arg_names.size(), 1u);
  EXPECT_EQ(p.text(insert.span), "this.labels.insert(x)");

  EXPECT_EQ(s[21].kind, Stmt::Kind::Return);
  EXPECT_FALSE(s[21].expr.has_value());
}

TEST(ParseFunction, MatchArmsPatternsAndGuards) {
  Parsed p(R"(fun classify(x: i64) -> i64 {
  match x {
    0 => 1,
    -1 => 2,
    n if n > 5 => { n * 2 }
    Status::Done => 3,
    Some(y) => y,
    (a, _) => a,
    _ => return 0
  }
}
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  ASSERT_EQ(p.file.functions.size(), 1u);
  const Expr& m = *p.file.functions[0].body->stmts.at(0).expr;
  ASSERT_EQ(m.kind, Expr::Kind::Match);
  ASSERT_EQ(m.arms.size(), 7u);
  EXPECT_EQ(m.arms[0].pattern.kind, ast::Pattern::Kind::Literal);
  EXPECT_EQ(m.arms[1].pattern.kind, ast::Pattern::Kind::Literal);
  EXPECT_EQ(m.arms[2].pattern.kind, ast::Pattern::Kind::Binding);
  ASSERT_TRUE(m.arms[2].guard.has_value());
  EXPECT_EQ(p.text(m.arms[2].guard->span), "n > 5");
  EXPECT_EQ(m.arms[3].pattern.kind, ast::Pattern::Kind::Variant);
  EXPECT_EQ(m.arms[3].pattern.text, "Status::Done");
  EXPECT_EQ(m.arms[4].pattern.kind, ast::Pattern::Kind::Variant);
  EXPECT_EQ(m.arms[4].pattern.sub.size(), 1u);
  EXPECT_EQ(m.arms[5].pattern.kind, ast::Pattern::Kind::Tuple);
  EXPECT_EQ(m.arms[6].pattern.kind, ast::Pattern::Kind::Wildcard);
}

TEST(ParseFunction, ReturnValueOnNextLineIsANewStatement) {
  Parsed p(R"(fun f() {
  return
  g()
}
fun h() -> i64 { return 1 + 2 }
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  const auto& first = p.file.functions.at(0).body->stmts;
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].kind, Stmt::Kind::Return);
  EXPECT_FALSE(first[0].expr.has_value());
  const auto& second = p.file.functions.at(1).body->stmts;
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].kind, Stmt::Kind::Return);
  EXPECT_EQ(second[0].expr->text, "+");
}

TEST(ParseFunction, SexExternAndTopLevelFunctions) {
  Parsed p(R"(sex fun log(msg: string) { print(msg) }
sex extern fun now() -> i64
pub fn pure<T>(x: T) -> T { x }
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  ASSERT_EQ(p.file.functions.size(), 3u);
  EXPECT_TRUE(p.file.functions[0].is_sex);
  EXPECT_FALSE(p.file.functions[0].is_extern);
  EXPECT_TRUE(p.file.functions[1].is_sex);
  EXPECT_TRUE(p.file.functions[1].is_extern);
  EXPECT_FALSE(p.file.functions[1].body.has_value());
  EXPECT_EQ(p.file.functions[2].type_params, (std::vector<std::string>{"T"}));
  EXPECT_EQ(p.file.functions[2].visibility, ast::Visibility::Pub);
}

// ---------------------------------------------------------------- traits, constraints

TEST(ParseTrait, MethodsUsesAndDocs) {
  Parsed p(R"(trait sync.syncable {
  uses sync.versioned, sync.named
  fun local_changes() -> List<Operation>
  fun apply_remote(ops: List<Operation>) -> Result<(), ConflictError>
  fun merge(other: Self) -> Self { other }
  docs { Replicas exchange operations. }
}
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  const ast::Trait& t = p.file.traits.at(0);
  EXPECT_EQ(t.name, "sync.syncable");
  ASSERT_EQ(t.uses.size(), 2u);
  EXPECT_EQ(t.uses[1].text, "sync.named");
  ASSERT_EQ(t.methods.size(), 3u);
  EXPECT_FALSE(t.methods[0].body.has_value());
  EXPECT_TRUE(t.methods[2].body.has_value());
  EXPECT_EQ(t.docs->text, "Replicas exchange operations.");
}

TEST(ParseConstraint, AllThreeForms) {
  Parsed p(R"(constraint account.solvency {
  confirmed_balance always >= 0
  local_escrow always <= confirmed_balance
  account never changes id
  all reactions from authenticated_users
}
constraint NonNegativeBalance on User {
  require: self.balance >= 0
  on_violation: reject_operation
}
rule account.positive { this.balance >= 0 }
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  ASSERT_EQ(p.file.constraints.size(), 3u);
  using K = ast::ConstraintItem::Kind;
  const ast::Constraint& sol = p.file.constraints[0];
  EXPECT_EQ(sol.keyword, "constraint");
  ASSERT_EQ(sol.items.size(), 4u);
  EXPECT_EQ(sol.items[0].kind, K::Always);
  EXPECT_EQ(sol.items[0].op, ">=");
  EXPECT_EQ(p.text(sol.items[0].lhs->span), "confirmed_balance");
  EXPECT_EQ(sol.items[1].kind, K::Always);
  EXPECT_EQ(sol.items[1].expr->text, "confirmed_balance");
  EXPECT_EQ(sol.items[2].kind, K::NeverChanges);
  EXPECT_EQ(sol.items[2].subject, "account");
  EXPECT_EQ(sol.items[2].field, "id");
  EXPECT_EQ(p.text(sol.items[2].span), "account never changes id");
  EXPECT_EQ(sol.items[3].kind, K::Sentence);
  EXPECT_EQ(sol.items[3].words, (std::vector<std::string>{"all", "reactions", "from", "authenticated_users"}));

  const ast::Constraint& nn = p.file.constraints[1];
  ASSERT_TRUE(nn.on.has_value());
  EXPECT_EQ(nn.on->text, "User");
  ASSERT_EQ(nn.items.size(), 2u);
  EXPECT_EQ(nn.items[0].kind, K::Require);
  EXPECT_EQ(nn.items[1].kind, K::OnViolation);
  EXPECT_EQ(nn.items[1].word, "reject_operation");

  EXPECT_EQ(p.file.constraints[2].keyword, "rule");
  EXPECT_EQ(p.file.constraints[2].items.at(0).kind, K::Require);
}

// ---------------------------------------------------------------- systems

TEST(ParseSystem, RequiresGenesSyncPolicyStateAndSentences) {
  Parsed p(R"(system chat.app @ 1.0.0 {
  requires message.chat >= 1.0.0, room.state >= 0.1.0
  genes: [message.chat, room.state]
  traits: [sync.syncable]
  sync_policy {
    strategy: eager              // eager | lazy | on_demand
    conflict_resolution: crdt, max_peers: 100
  }
  state peers: i64
  chat has peers
}
system other.app { sync_policy: { offline_storage: persistent } }
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  ASSERT_EQ(p.file.systems.size(), 2u);
  const ast::System& s = p.file.systems[0];
  ASSERT_EQ(s.requires_.size(), 2u);
  EXPECT_EQ(s.requires_[0].name.text, "message.chat");
  EXPECT_EQ(s.requires_[0].op, ">=");
  EXPECT_EQ(s.requires_[1].version->text, "0.1.0");
  ASSERT_EQ(s.genes.size(), 2u);
  EXPECT_EQ(p.text(s.genes[1].span), "room.state");
  ASSERT_EQ(s.traits.size(), 1u);
  ASSERT_EQ(s.sync_policy.size(), 3u);
  EXPECT_EQ(s.sync_policy[0].key, "strategy");
  EXPECT_EQ(s.sync_policy[0].value.text, "eager");
  EXPECT_EQ(s.sync_policy[2].value.int_value, 100);
  ASSERT_EQ(s.state.size(), 1u);
  EXPECT_EQ(s.state[0].name, "peers");
  ASSERT_EQ(s.sentences.size(), 1u);
  ASSERT_EQ(p.file.systems[1].sync_policy.size(), 1u);
  EXPECT_EQ(p.file.systems[1].sync_policy[0].key, "offline_storage");
}

// ---------------------------------------------------------------- evolutions

TEST(ParseEvolution, V08Form) {
  Parsed p(R"(evo message.chat @ 1.1.0 > 1.0.0 {
  adds @crdt(or_set) reactions: Set<Reaction>
  renames body -> content
  changes content from @crdt(lww) to @crdt(peritext)
  removes legacy_flag
  deprecates pinned
  migrate content { from_text(old.content) }
  because "collaborative editing and reactions"
  adds identity has rotation
}
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  const ast::Evolution& e = p.file.evolutions.at(0);
  EXPECT_EQ(e.name, "message.chat");
  EXPECT_EQ(e.to_version->text, "1.1.0");
  EXPECT_EQ(e.from_version->text, "1.0.0");
  using K = ast::EvolutionItem::Kind;
  ASSERT_EQ(e.items.size(), 8u);
  EXPECT_EQ(e.items[0].kind, K::Adds);
  EXPECT_EQ(e.items[0].field->name, "reactions");
  EXPECT_EQ(strategy_of(*e.items[0].field), "or_set");
  EXPECT_EQ(e.items[1].kind, K::Renames);
  EXPECT_EQ(e.items[1].name, "body");
  EXPECT_EQ(e.items[1].new_name, "content");
  EXPECT_EQ(e.items[2].kind, K::Changes);
  EXPECT_EQ(e.items[2].from->args.at(0).value.text, "lww");
  EXPECT_EQ(e.items[2].to->args.at(0).value.text, "peritext");
  EXPECT_EQ(e.items[3].kind, K::Removes);
  EXPECT_EQ(e.items[4].kind, K::Deprecates);
  EXPECT_EQ(e.items[5].kind, K::Migrate);
  EXPECT_EQ(e.items[5].name, "content");
  EXPECT_EQ(e.items[6].kind, K::Because);
  EXPECT_EQ(e.items[6].text, "collaborative editing and reactions");
  EXPECT_EQ(e.items[7].kind, K::Sentence);
}

TEST(ParseEvolution, Early20Form) {
  Parsed p(R"(evolution UserV2 from UserV1 {
  add_field: verified: Bool @default(false)
  rename_field: name -> display_name
  migration_id: "user-v2-20260201"
  actor_id: 0x0000000000000001
  timestamp: 1706745600000
}
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  const ast::Evolution& e = p.file.evolutions.at(0);
  EXPECT_EQ(e.name, "UserV2");
  ASSERT_TRUE(e.from_name.has_value());
  EXPECT_EQ(e.from_name->text, "UserV1");
  using K = ast::EvolutionItem::Kind;
  ASSERT_EQ(e.items.size(), 5u);
  EXPECT_EQ(e.items[0].kind, K::Adds);
  EXPECT_EQ(e.items[0].field->annotations.at(0).name, "default");
  EXPECT_EQ(e.items[1].kind, K::Renames);
  EXPECT_EQ(e.items[1].new_name, "display_name");
  EXPECT_EQ(e.items[2].kind, K::Meta);
  EXPECT_EQ(e.items[2].text, "migration_id");
  EXPECT_EQ(e.items[3].expr->int_value, 1);
  EXPECT_EQ(e.items[4].expr->int_value, 1706745600000);
}

// ---------------------------------------------------------------- the rest of DOL

TEST(ParseOther, ImplConstModSpiritConfigTestDocs) {
  Parsed p(R"(impl sync.syncable for board.card { fun merge(other: Self) -> Self { other } }
const MAX_ITEMS: i64 = 1_000
pub(parent) mod inner { gen thing { x: i64 @crdt(lww) } }
spirit shop @ 0.1.0 {
  has name: "shop"
  has version: "1.0"
}
config { debug: true, level = 3 }
test adds_up { assert(1 + 1 == 2) }
docs "one line"
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  ASSERT_EQ(p.file.impls.size(), 1u);
  EXPECT_EQ(p.file.impls[0].trait.text, "sync.syncable");
  EXPECT_EQ(p.file.impls[0].gene.text, "board.card");
  EXPECT_EQ(p.file.impls[0].methods.size(), 1u);
  ASSERT_EQ(p.file.consts.size(), 1u);
  EXPECT_EQ(p.file.consts[0].value.int_value, 1000);
  EXPECT_EQ(p.file.consts[0].value.text, "1_000");
  ASSERT_EQ(p.file.genes.size(), 1u);
  EXPECT_EQ(p.file.genes[0].name, "inner.thing");  // mod contents are flattened with a prefix
  std::vector<std::string> kinds;
  for (const ast::OtherDecl& o : p.file.others) kinds.push_back(o.kind + ":" + o.name);
  EXPECT_EQ(kinds, (std::vector<std::string>{"mod:inner", "spirit:shop", "config:", "test:adds_up", "docs:"}));
  EXPECT_EQ(p.file.others[1].entries.size(), 2u);
  EXPECT_EQ(p.file.others[2].entries.size(), 2u);
  EXPECT_EQ(p.file.others[2].entries[1].key, "level");
}

TEST(ParseOther, CommentsOfEveryKind) {
  Parsed p(R"(// line comment
-- dash comment
--
/* block
   comment */
# hash comment
gen a.b { -- after a brace
  @crdt(pn_counter) has n: i64 = 5 - -3  # trailing
  #[attr]
  @crdt(lww) has s: string
}
)");
  ASSERT_EQ(p.error_count(), 0u) << ::testing::PrintToString(p.messages());
  const ast::Gene& g = p.file.genes.at(0);
  ASSERT_EQ(g.fields.size(), 2u);
  EXPECT_EQ(p.text(g.fields[0].default_value->span), "5 - -3");
  EXPECT_EQ(g.fields[1].annotations.at(0).name, "attr");
  EXPECT_TRUE(g.fields[1].annotations.at(0).is_attribute);
}

// ---------------------------------------------------------------- spans and text

TEST(ParseSpans, ByteOffsetsAfterNonAsciiText) {
  Parsed p("gen a.emoji {\n  @crdt(lww) has face: string = \"👍 héllo\"  @crdt(lww)\n}\n"
           "gen a.after { @crdt(lww) has ünïcode_free: string }\n");
  // Non-ASCII identifiers are not DOL names; only the second gene has an error.
  ASSERT_GE(p.file.genes.size(), 1u);
  const ast::Field& face = p.file.genes[0].fields.at(0);
  EXPECT_EQ(face.default_value->text, "👍 héllo");
  EXPECT_EQ(p.text(face.default_value->span), "\"👍 héllo\"");
  // The annotation after the emoji string: spans are bytes, not code points.
  ASSERT_EQ(face.annotations.size(), 2u);
  EXPECT_EQ(p.text(face.annotations[1].span), "@crdt(lww)");
  EXPECT_EQ(p.text(face.span).substr(0, 10), "@crdt(lww)");
  ASSERT_EQ(p.error_count(), 1u) << ::testing::PrintToString(p.messages());
  EXPECT_EQ(p.where(p.diags.diagnostics()[0].span), "4:30");
}

TEST(ParseSpans, WholeDeclarationSpans) {
  Parsed p("gen a.b {\n  @crdt(lww) has x: i64\n}\n\nsystem s.t { genes: [a.b] }\n");
  ASSERT_EQ(p.error_count(), 0u);
  EXPECT_EQ(p.text(p.file.genes.at(0).span), "gen a.b {\n  @crdt(lww) has x: i64\n}");
  EXPECT_EQ(p.text(p.file.genes[0].fields.at(0).span), "@crdt(lww) has x: i64");
  EXPECT_EQ(p.text(p.file.systems.at(0).span), "system s.t { genes: [a.b] }");
  EXPECT_EQ(p.where(p.file.systems[0].name_span), "5:8");
}

TEST(ParseSpans, EmptyAndCommentOnlyFiles) {
  Parsed empty("");
  EXPECT_EQ(empty.error_count(), 0u);
  EXPECT_TRUE(empty.file.genes.empty());
  Parsed comments("// nothing here\n/* really */\n");
  EXPECT_EQ(comments.error_count(), 0u);
  EXPECT_EQ(comments.file.file, comments.id);
}

// ---------------------------------------------------------------- examples

class ExampleFile : public ::testing::TestWithParam<const char*> {};

TEST_P(ExampleFile, ParsesWithoutDiagnosticsAndEveryFieldHasAStrategy) {
  std::string path = std::string(DOLC_EXAMPLES_DIR) + "/" + GetParam();
  std::string text = read_file(path);
  ASSERT_FALSE(text.empty()) << path;
  Parsed p(text, path);
  EXPECT_TRUE(p.diags.diagnostics().empty()) << ::testing::PrintToString(p.messages());
  EXPECT_FALSE(p.file.genes.empty());
  for (const ast::Gene& g : p.file.genes)
    for (const ast::Field& f : g.fields) EXPECT_NE(strategy_of(f), "") << g.name << "." << f.name;
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleFile, ::testing::Values("chat.dol", "kanban.dol", "ledger.dol"));

TEST(Examples, ChatUsesAllSevenStrategiesAndASystem) {
  Parsed p(read_file(std::string(DOLC_EXAMPLES_DIR) + "/chat.dol"));
  std::set<std::string> used;
  for (const ast::Gene& g : p.file.genes)
    for (const ast::Field& f : g.fields) used.insert(strategy_of(f));
  EXPECT_EQ(used, (std::set<std::string>{"immutable", "lww", "mv_register", "or_set", "pn_counter", "rga",
                                          "peritext"}));
  ASSERT_EQ(p.file.systems.size(), 1u);
  EXPECT_EQ(p.file.systems[0].name, "chat.app");
}

TEST(Examples, LedgerHasBothConstraintFormsAndAMigration) {
  Parsed p(read_file(std::string(DOLC_EXAMPLES_DIR) + "/ledger.dol"));
  bool sentence_form = false, violation_form = false, migrate = false;
  for (const ast::Constraint& c : p.file.constraints)
    for (const ast::ConstraintItem& item : c.items) {
      if (item.kind == ast::ConstraintItem::Kind::Always || item.kind == ast::ConstraintItem::Kind::NeverChanges)
        sentence_form = true;
      if (item.kind == ast::ConstraintItem::Kind::OnViolation) violation_form = true;
    }
  for (const ast::Evolution& e : p.file.evolutions)
    for (const ast::EvolutionItem& item : e.items) migrate |= item.kind == ast::EvolutionItem::Kind::Migrate;
  EXPECT_TRUE(sentence_form);
  EXPECT_TRUE(violation_form);
  EXPECT_TRUE(migrate);
}

}  // namespace
}  // namespace dolc::test
