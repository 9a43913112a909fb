// tests/parse/errors_test.cpp: syntax errors. One diagnostic (rule
// syntax-error) per bad construct, at the right line:column, saying what was
// expected; recovery at the next declaration; no crash or hang on hostile
// input (deep nesting, long operator chains, invalid UTF-8, random bytes).
#include <chrono>
#include <random>

#include "parse_support.hpp"

namespace dolc::test {
namespace {

using Messages = std::vector<std::string>;

TEST(SyntaxErrors, MissingColonAfterFieldName) {
  Parsed p("// A field without `:`\ngen chat.room {\n  @crdt(lww)\n  has title string\n}\n");
  EXPECT_EQ(p.messages(), (Messages{"4:13: expected `:` after field name `title`"}));
  EXPECT_EQ(p.diags.diagnostics()[0].rule, Rule::SyntaxError);
  EXPECT_EQ(p.text(p.diags.diagnostics()[0].span), "string");
}

TEST(SyntaxErrors, MissingColonAfterParameterName) {
  Parsed p("fun f(a i64) { }\n");
  EXPECT_EQ(p.messages(), (Messages{"1:9: expected `)` after `a`, found `i64`"}));
}

TEST(SyntaxErrors, UnclosedCallNamesTheMissingBracket) {
  Parsed p("gen a.c {\n  fun tag(t: string) {\n    this.tags.insert(t\n  }\n}\ngen a.fine { @crdt(lww) has x: i64 }\n");
  EXPECT_EQ(p.messages(), (Messages{"4:3: expected `)` after `t`, found `}`"}));
  // The bad gene still declares its name (no cascade of unknown-gene errors), marked incomplete.
  ASSERT_EQ(p.file.genes.size(), 2u);
  EXPECT_EQ(p.file.genes[0].name, "a.c");
  EXPECT_TRUE(p.file.genes[0].incomplete);
  EXPECT_TRUE(p.file.genes[0].fields.empty());
  EXPECT_EQ(p.file.genes[1].name, "a.fine");
  EXPECT_FALSE(p.file.genes[1].incomplete);
}

TEST(SyntaxErrors, TwoBadDeclarationsAreBothReportedAndTheGoodOnesKept) {
  Parsed p(R"(gen a.one {
  @crdt(lww)
  has x: = 3
}

gen a.two {
  @crdt(lww)
  has y: string
}

system a.sys @ 1.0.0 {
  genes: [a.two
}

trait a.t { fun f() -> i64 }
)");
  EXPECT_EQ(p.messages(), (Messages{"3:10: expected a type after `:`, found `=`",
                                    "13:1: expected `,` or `]` after `two`, found `}`"}));
  ASSERT_EQ(p.file.genes.size(), 2u);
  EXPECT_EQ(p.file.genes[0].name, "a.one");
  EXPECT_TRUE(p.file.genes[0].incomplete);
  EXPECT_EQ(p.file.genes[1].name, "a.two");
  ASSERT_EQ(p.file.traits.size(), 1u);
  // The system keeps its name and good members; only `genes: [a.two` was cut.
  ASSERT_EQ(p.file.systems.size(), 1u);
  EXPECT_EQ(p.file.systems[0].name, "a.sys");
}

TEST(SyntaxErrors, EachBadMemberIsReportedAndTheGoodMembersKept) {
  Parsed p(R"(gen a.g {
  @crdt(lww) owner: string
  @crdt(pn_counter balance: i64
  @crdt(lww)
  memo string
  @crdt(lww) note: string

  fun f(n: i64) {
    this.owner = = "y"
    let x = n +
    this.note = "z"
  }

  fun g() {
    this.note = "ok"
  }
}
)");
  EXPECT_EQ(p.messages(), (Messages{"3:20: expected `)` after `pn_counter`, found `balance`",
                                    "5:8: expected `:` after field name `memo`",
                                    "9:18: expected an expression after `=`, found `=`",
                                    // `n +` runs on into the next line: one error, where the parser saw it
                                    "11:15: expected an expression or `;` after `note`, found `=`"}));
  ASSERT_EQ(p.file.genes.size(), 1u);
  const ast::Gene& g = p.file.genes[0];
  EXPECT_TRUE(g.incomplete);  // uses of the cut members are not reported again
  std::vector<std::string> fields;
  for (const auto& f : g.fields) fields.push_back(f.name);
  EXPECT_EQ(fields, (std::vector<std::string>{"owner", "note"}));
  // f had statements cut: it is left out whole; g is kept.
  ASSERT_EQ(g.methods.size(), 1u);
  EXPECT_EQ(g.methods[0].name, "g");
}

TEST(SyntaxErrors, RecoveryIsBoundedOnHostileInput) {
  // Every line of a long gene is broken: recovery stops after kMaxRecoveries
  // passes and drops the declaration instead of parsing it once per line.
  std::string text = "gen a.bad {\n";
  for (int i = 0; i < 2000; ++i) text += "  @crdt(lww) f" + std::to_string(i) + " string\n";
  text += "}\ngen a.fine { @crdt(lww) has x: i64 }\n";
  Parsed p(text);
  EXPECT_EQ(p.diags.diagnostics().size(), 33u);  // kMaxRecoveries + 1 passes, one error each
  ASSERT_EQ(p.file.genes.size(), 2u);
  EXPECT_TRUE(p.file.genes[0].incomplete);
  EXPECT_EQ(p.file.genes[1].name, "a.fine");
}

TEST(SyntaxErrors, MissingClosingBraceStaysInItsDeclaration) {
  Parsed p("gen a.open {\n  @crdt(lww)\n  has x: string\n\ngen a.next {\n  @crdt(lww) has y: i64\n}\n");
  EXPECT_EQ(p.messages(), (Messages{"3:16: unexpected end of declaration after `string`"}));
  ASSERT_EQ(p.file.genes.size(), 2u);
  EXPECT_EQ(p.file.genes[0].name, "a.open");
  EXPECT_TRUE(p.file.genes[0].incomplete);
  EXPECT_EQ(p.file.genes[1].name, "a.next");
}

TEST(SyntaxErrors, UnknownVisibility) {
  Parsed p("pub(world) gen a.thing {\n  @crdt(lww) has x: string\n}\n");
  EXPECT_EQ(p.messages(), (Messages{"1:5: unknown visibility `pub(world)`"}));
  EXPECT_EQ(p.file.genes.size(), 1u);  // the declaration itself is fine
}

TEST(SyntaxErrors, UnterminatedString) {
  Parsed p("gen a.s {\n  @crdt(lww)\n  has x: string = \"never closed\n}\n");
  EXPECT_EQ(p.messages(), (Messages{"3:19: this string has no closing `\"`"}));
}

TEST(SyntaxErrors, StrayTokensBetweenDeclarations) {
  Parsed p("gen a.ok {\n  @crdt(lww) has x: string\n}\n}\nhello world\ngen a.more { @crdt(lww) has y: i64 }\n");
  EXPECT_EQ(p.messages(),
            (Messages{"4:1: expected a declaration (`gen`, `trait`, `constraint`, `system`, `evo`, ...), found `}`"}));
  EXPECT_EQ(p.file.genes.size(), 2u);
}

TEST(SyntaxErrors, UnknownCharacter) {
  Parsed p("gen a.b {\n  @crdt(lww) has x: string $\n}\n");
  ASSERT_EQ(p.error_count(), 1u) << ::testing::PrintToString(p.messages());
  EXPECT_EQ(p.where(p.diags.diagnostics()[0].span), "2:28");
}

TEST(SyntaxErrors, InvalidUtf8IsReportedNotFatal) {
  std::string text = "gen a.b {\n  @crdt(lww) has x: string = \"a\xff\xfe\"\n}\n";
  Parsed p(text);
  ASSERT_EQ(p.error_count(), 1u) << ::testing::PrintToString(p.messages());
  EXPECT_EQ(p.where(p.diags.diagnostics()[0].span), "2:32");
  EXPECT_EQ(p.file.genes.size(), 1u);
}

// ---------------------------------------------------------------- hostile input

TEST(SyntaxErrors, DeepBracketsGiveOneError) {
  std::string text = "gen a.b { fun f() { " + std::string(100000, '(') + " } }\n";
  Parsed p(text);
  ASSERT_EQ(p.error_count(), 1u);
  EXPECT_NE(p.diags.diagnostics()[0].message.find("nests brackets more than 64 levels"), std::string::npos);
}

TEST(SyntaxErrors, ReasonableNestingIsAccepted) {
  // Up to kMaxNesting (64) bracket levels, the declaration's braces included.
  std::string parens = "gen a.b { fun f() { " + std::string(60, '(') + "1" + std::string(60, ')') + " } }\n";
  EXPECT_EQ(Parsed(parens).error_count(), 0u);
  std::string blocks;
  for (int i = 0; i < 60; ++i) blocks += "if x { ";
  blocks += "1";
  for (int i = 0; i < 60; ++i) blocks += " }";
  EXPECT_EQ(Parsed("fun f() { " + blocks + " }\n").error_count(), 0u);
  std::string sum = "fun f() -> i64 { ";
  for (int i = 0; i < 900; ++i) sum += "1 + ";
  EXPECT_EQ(Parsed(sum + "1 }\n").error_count(), 0u);
}

std::string repeat(const std::string& piece, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += piece;
  return out;
}

TEST(SyntaxErrors, LongOperatorChainsGiveOneErrorQuickly) {
  const std::vector<std::string> chains = {
      "fun f() { x = " + repeat("1 + ", 200000) + "1 }",
      "fun f() { x = " + repeat("- ", 100000) + "1 }",
      "fun f() { x = " + repeat("! ", 100000) + "1 }",
      "fun f() { x" + repeat(".y", 100000) + " }",
      "fun f() { x" + repeat("?", 100000) + " }",
      "fun f() { " + repeat("|x| ", 50000) + "1 }",
      "fun f() { " + repeat("return ", 50000) + "1 }",
      "fun f() { " + repeat("a implies ", 50000) + "b }",
      "fun f() { " + repeat("forall x: T. ", 50000) + "b }",
      "fun f() { x" + repeat(" as T", 100000) + " }",
  };
  for (const std::string& text : chains) {
    auto start = std::chrono::steady_clock::now();
    Parsed p(text);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(p.error_count(), 1u) << text.substr(0, 40);
    EXPECT_LT(seconds, 10.0) << text.substr(0, 40);
  }
}

TEST(SyntaxErrors, NestedReturnsAreFast) {
  auto start = std::chrono::steady_clock::now();
  Parsed p("fun f() { " + repeat("return ", 300) + "1 }");
  EXPECT_EQ(p.error_count(), 0u);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

TEST(SyntaxErrors, RandomInputNeverCrashes) {
  // Fragments of real syntax shuffled together, plus raw bytes: every input
  // must come back with a File (possibly with errors), never a crash.
  const std::vector<std::string> pieces = {
      "gen ", "a.b ", "{ ", "} ", "( ", ") ", "[ ", "] ", "@crdt(lww) ", "has ", "x", ": ", "i64 ", "= ",
      "\"s\" ", "1 ", "+ ", "- ", "|x| ", "return ", "fun ", "f", "\n", "docs { ", "evo ", "@ 1.0.0 ", "> ",
      "system ", "genes: ", "constraint ", "never changes ", "match ", "=> ", "_ ", "if ", "else ", "pub(", "#[",
      "#", "-- ", "/* ", "*/ ", "\xf0\x9f\x91\x8d", "\xff", "..", "::", "? ", "as ", "forall ", ". ", ", "};
  std::mt19937 rng(12345);  // fixed seed: the test is deterministic
  for (int round = 0; round < 300; ++round) {
    std::string text;
    size_t n = rng() % 60;
    for (size_t i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
    Parsed p(text);
    for (const Diagnostic& d : p.diags.diagnostics()) {
      EXPECT_EQ(d.rule, Rule::SyntaxError);
      EXPECT_LE(d.span.begin, d.span.end);
      EXPECT_LE(d.span.end, text.size());
    }
  }
}

}  // namespace
}  // namespace dolc::test
