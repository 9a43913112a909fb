// compiler/parse: runs the ANTLR lexer and parser over one file and builds
// dolc's AST (ast::File) from the parse tree.
//
// The file is lexed once, then split into top-level declarations by a token
// scan (split.cpp), and each declaration is parsed on its own with the
// `declaration` entry rule. A syntax error therefore stays inside its
// declaration: it is reported once (the first error ANTLR finds there, turned
// into a readable "expected ..." message), that declaration is dropped, and
// parsing resumes with the next one. ANTLR's types never leave this file.
#include "parse/parse.hpp"

#include <antlr4-runtime.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>

#include "DOLLexer.h"
#include "parse/text_offsets.hpp"
#include "DOLParser.h"
#include "parse/recover.hpp"
#include "parse/split.hpp"

namespace dolc {
namespace {

using P = dolc_antlr::DOLParser;
using antlr4::Token;
using antlr4::tree::TerminalNode;

// ---------------------------------------------------------------- errors

// Readable name of a token type for "expected ..." messages.
std::string token_display(const antlr4::dfa::Vocabulary& vocab, size_t type) {
  switch (type) {
    case P::ID: return "a name";
    case P::INT: return "an integer";
    case P::FLOAT: return "a number";
    case P::STRING: return "a string";
    case P::VERSION: return "a version such as `1.0.0`";
    case P::DOCS_BLOCK: return "a docs block";
    case P::EXTERNAL_SOURCE: return "a package source";
    case Token::EOF: return "end of declaration";
    case P::AT_LEAD: return "`@`";
    default: break;
  }
  std::string lit = vocab.getLiteralName(type);
  if (lit.size() >= 2 && lit.front() == '\'') lit = lit.substr(1, lit.size() - 2);
  if (lit.empty()) lit = vocab.getSymbolicName(type);
  return "`" + lit + "`";
}

std::string found_display(Token* t) {
  if (t == nullptr || t->getType() == Token::EOF) return "the end of the declaration";
  std::string text = t->getText();
  if (t->getType() == P::DOCS_BLOCK) return "a docs block";
  if (text.size() > 24) text = text.substr(0, 24) + "...";
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return "`" + text + "`";
}

struct FirstError {
  bool seen = false;
  Token* offending = nullptr;
  Token* previous = nullptr;
  std::vector<std::string> expected;
  // What the previous token is, when the rule being parsed tells us
  // ("field name `title`"); empty to show the token itself.
  std::string previous_role;
  // Index of the first token of the innermost statement being parsed when
  // the error was found (SIZE_MAX outside statements): where recovery's cut
  // starts, since an expression may run on across lines (`let x = n +`).
  size_t statement_start = static_cast<size_t>(-1);
};

// Says what the token before an error is when it is the name of the field or
// parameter being declared, so the message reads "after field name `title`".
std::string previous_role(antlr4::ParserRuleContext* ctx, Token* previous) {
  if (ctx == nullptr || previous == nullptr) return "";
  if (auto* field = dynamic_cast<P::FieldDeclContext*>(ctx)) {
    if (field->ident() && field->ident()->getStop() == previous) return "field name `" + previous->getText() + "`";
  } else if (auto* param = dynamic_cast<P::ParamContext*>(ctx)) {
    if (param->ident() && param->ident()->getStop() == previous) return "parameter `" + previous->getText() + "`";
  } else if (auto* kv = dynamic_cast<P::KeyValueContext*>(ctx)) {
    if (kv->ident() && kv->ident()->getStop() == previous) return "key `" + previous->getText() + "`";
  }
  return "";
}

// When the offending token is a closing bracket that does not match the
// innermost bracket still open before it, the closer that one needs
// (`this.tags.insert(t }` -> "`)`"). ANTLR's own expected set is often
// computed at the start of the statement there, so the brackets are counted
// here instead.
std::string missing_closer(antlr4::TokenStream& tokens, Token* offending) {
  if (offending == nullptr) return "";
  size_t type = offending->getType();
  if (type != P::RPAREN && type != P::RBRACK && type != P::RBRACE) return "";
  std::vector<size_t> open;
  for (size_t i = 0; i < offending->getTokenIndex() && i < tokens.size(); ++i) {
    size_t t = tokens.get(i)->getType();
    if (t == P::LPAREN) open.push_back(P::RPAREN);
    else if (t == P::LBRACK || t == P::HASH_LBRACK) open.push_back(P::RBRACK);
    else if (t == P::LBRACE) open.push_back(P::RBRACE);
    else if ((t == P::RPAREN || t == P::RBRACK || t == P::RBRACE) && !open.empty()) open.pop_back();
  }
  if (open.empty() || open.back() == type) return "";
  return open.back() == P::RPAREN ? "`)`" : open.back() == P::RBRACK ? "`]`" : "`}`";
}

// True when ANTLR's expected list already names a closing bracket (then it
// is precise enough: "expected `,` or `]`").
bool mentions_closer(const std::vector<std::string>& expected) {
  for (const std::string& e : expected)
    if (e == "`)`" || e == "`]`" || e == "`}`") return true;
  return false;
}

// Thrown (not an ANTLR exception, so generated code lets it through) when
// rules nest deeper than kMaxRuleDepth: a long operator chain or prefix run
// (`1+1+...`, `- - - x`, `return return ...`) would otherwise overflow the
// stack, in ANTLR or in any later phase that walks the tree.
struct NestingTooDeep {
  Token* at;
};

// Counts rule nesting through ANTLR's parse-listener hooks, which fire for
// every rule entry and exit. A left-recursive rule (expr) is one call whose
// tree grows one level per operator without new enter events, so those
// levels are counted separately, from the recursion hooks of GuardedParser.
class DepthGuard : public antlr4::tree::ParseTreeListener {
 public:
  explicit DepthGuard(antlr4::Parser* parser) : parser_(parser) {}
  void enterEveryRule(antlr4::ParserRuleContext*) override {
    ++depth_;
    check();
  }
  void exitEveryRule(antlr4::ParserRuleContext*) override {
    if (depth_ > 0) --depth_;
  }
  void visitTerminal(antlr4::tree::TerminalNode*) override {}
  void visitErrorNode(antlr4::tree::ErrorNode*) override {}
  void check() const {
    if (depth_ + left_recursion_levels_ > kMaxRuleDepth) throw NestingTooDeep{parser_->getCurrentToken()};
  }
  void reset() {
    depth_ = 0;
    left_recursion_levels_ = 0;
  }
  size_t left_recursion_levels_ = 0;

 private:
  antlr4::Parser* parser_;
  size_t depth_ = 0;
};

// The generated parser with the depth guard attached to its recursion hooks.
class GuardedParser : public dolc_antlr::DOLParser {
 public:
  explicit GuardedParser(antlr4::TokenStream* input) : DOLParser(input), guard_(this) { addParseListener(&guard_); }
  ~GuardedParser() override { removeParseListener(&guard_); }
  void reset_guard() {
    guard_.reset();
    pushes_.clear();
  }

  using DOLParser::enterRecursionRule;
  void enterRecursionRule(antlr4::ParserRuleContext* localctx, size_t state, size_t ruleIndex,
                          int precedence) override {
    pushes_.push_back(0);
    DOLParser::enterRecursionRule(localctx, state, ruleIndex, precedence);
  }
  void pushNewRecursionContext(antlr4::ParserRuleContext* localctx, size_t state, size_t ruleIndex) override {
    if (!pushes_.empty()) ++pushes_.back();
    ++guard_.left_recursion_levels_;
    DOLParser::pushNewRecursionContext(localctx, state, ruleIndex);
    guard_.check();
  }
  void unrollRecursionContexts(antlr4::ParserRuleContext* parentctx) override {
    if (!pushes_.empty()) {
      guard_.left_recursion_levels_ -= std::min(guard_.left_recursion_levels_, pushes_.back());
      pushes_.pop_back();
    }
    DOLParser::unrollRecursionContexts(parentctx);
  }

 private:
  DepthGuard guard_;
  std::vector<size_t> pushes_;  // left-recursion levels of each active recursive rule call
};

// ANTLR's expected-token set in words. A set that holds every token that can
// start an expression, a type or a member is named by that construct ("an
// expression", "a type", "a field, `fun`, `rule` or docs"), followed by the
// tokens outside it (closing brackets, separators); otherwise the tokens are
// listed, keywords folded into "a name" when a name is expected.
std::vector<std::string> expected_words(const antlr4::misc::IntervalSet& set, antlr4::ParserRuleContext* ctx,
                                        const antlr4::dfa::Vocabulary& vocab) {
  auto has = [&](size_t t) { return set.contains(t); };
  std::vector<std::string> words;
  // The construct the set starts, and the tokens that only start it.
  std::function<bool(size_t)> part_of_construct = [](size_t) { return false; };
  bool in_member_list = ctx != nullptr && (dynamic_cast<P::GeneDeclContext*>(ctx) || dynamic_cast<P::TraitDeclContext*>(ctx) ||
                                           dynamic_cast<P::SystemDeclContext*>(ctx) || dynamic_cast<P::ConstraintDeclContext*>(ctx) ||
                                           dynamic_cast<P::EvolutionDeclContext*>(ctx) || dynamic_cast<P::SpiritDeclContext*>(ctx));
  bool expression = has(P::INT) && has(P::STRING) && has(P::ID);
  bool type = !expression && has(P::ID) && has(P::LPAREN) && has(P::AMP) && has(P::LBRACK);
  auto structural = [](size_t t) {
    switch (t) {
      case P::RBRACE: case P::RPAREN: case P::RBRACK: case P::COMMA: case P::COLON: case P::ASSIGN: case P::ARROW:
      case P::FAT_ARROW: case P::GT: case P::SEMI:
        return true;
      default:
        return false;
    }
  };
  if (in_member_list && has(P::RBRACE) && has(P::ID)) {
    if (dynamic_cast<P::GeneDeclContext*>(ctx)) words.push_back("a field (`name: Type`), `fun`, `rule` or docs");
    else if (dynamic_cast<P::TraitDeclContext*>(ctx)) words.push_back("`fun`, `uses` or docs");
    else if (dynamic_cast<P::SystemDeclContext*>(ctx)) words.push_back("`requires`, `genes:`, `sync_policy` or docs");
    else if (dynamic_cast<P::EvolutionDeclContext*>(ctx)) words.push_back("`adds`, `removes`, `renames`, `changes`, `migrate` or `because`");
    else words.push_back("a rule (`x never changes f`, `f always >= 0`, `require: expr`) or docs");
    part_of_construct = [&](size_t t) { return !structural(t); };
  } else if (expression) {
    // After a complete operand the set also holds every binary operator:
    // then the expression may continue, which is not worth listing.
    words.push_back("an expression");
    part_of_construct = [&](size_t t) { return !structural(t) || t == P::GT; };
  } else if (type) {
    words.push_back("a type");
    part_of_construct = [&](size_t t) { return !structural(t); };
  }
  bool name_expected = has(P::ID);
  for (ssize_t t : set.toList()) {
    if (t < 0) continue;  // EOF: "end of declaration" is never the useful news
    size_t type_id = static_cast<size_t>(t);
    if (part_of_construct(type_id)) continue;
    // Keywords are names too: when a name is expected, listing every
    // keyword would only bury the point.
    bool is_keyword = type_id >= P::MODULE && type_id <= P::UNDERSCORE_PAT;
    if (name_expected && is_keyword) continue;
    std::string d = token_display(vocab, type_id);
    if (std::find(words.begin(), words.end(), d) == words.end()) words.push_back(d);
  }
  return words;
}

// Records only the first error of a declaration; the declaration is dropped
// after it, so ANTLR's own recovery messages (the cascade) are never shown.
class FirstErrorListener : public antlr4::BaseErrorListener {
 public:
  explicit FirstErrorListener(FirstError* out) : out_(out) {}
  void syntaxError(antlr4::Recognizer* recognizer, Token* offending, size_t, size_t, const std::string&,
                   std::exception_ptr) override {
    if (out_->seen) return;
    out_->seen = true;
    out_->offending = offending;
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (parser == nullptr) return;
    antlr4::TokenStream* input = parser->getTokenStream();
    if (offending != nullptr && offending->getTokenIndex() > 0)
      out_->previous = input->get(offending->getTokenIndex() - 1);
    out_->previous_role = previous_role(parser->getContext(), out_->previous);
    for (antlr4::ParserRuleContext* c = parser->getContext(); c != nullptr;
         c = dynamic_cast<antlr4::ParserRuleContext*>(c->parent)) {
      if (dynamic_cast<P::StatementContext*>(c) != nullptr && c->getStart() != nullptr) {
        out_->statement_start = c->getStart()->getTokenIndex();
        break;
      }
    }
    antlr4::misc::IntervalSet expected;
    try {
      expected = parser->getExpectedTokens();
    } catch (...) {
      return;
    }
    out_->expected = expected_words(expected, parser->getContext(), parser->getVocabulary());
  }

 private:
  FirstError* out_;
};

// Error strategy for the second (full-LL) pass: report the first error to
// the listeners, then stop. dolc reports one error per declaration, so what
// ANTLR's recovery would parse after it is never used, and that recovery is
// what costs: after a dotted name in a broken declaration, each recovery
// re-predicts through the brackets that follow, exponentially in their depth
// (16 levels took 4 s, found by the front-end fuzzer). The first error and
// its expected tokens are the same as with the default strategy.
class FirstErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  void recover(antlr4::Parser*, std::exception_ptr) override { throw antlr4::ParseCancellationException(); }
  Token* recoverInline(antlr4::Parser* recognizer) override {
    antlr4::InputMismatchException mismatch(recognizer);
    reportError(recognizer, mismatch);
    throw antlr4::ParseCancellationException();
  }
  void sync(antlr4::Parser* recognizer) override {
    DefaultErrorStrategy::sync(recognizer);
    // sync may report an extraneous token and step over it; stop there too.
    // Stepping over it ends the error condition (single-token deletion
    // reports a match), so whether one was reported is tracked apart: a
    // stray `]` at the start of a block used to be stepped over, and the
    // parse went on in full LL through the statements after it, where a
    // call with deeply nested brackets (`a.b((((...))))`) took time
    // exponential in their depth (22 levels: over a minute; found by the
    // front-end fuzzer in CI).
    if (reported_ || inErrorRecoveryMode(recognizer)) throw antlr4::ParseCancellationException();
  }

 protected:
  void beginErrorCondition(antlr4::Parser* recognizer) override {
    reported_ = true;
    DefaultErrorStrategy::beginErrorCondition(recognizer);
  }

 private:
  bool reported_ = false;
};

// ---------------------------------------------------------------- building

class Builder {
 public:
  Builder(const SourceManager& sources, FileId file, const std::vector<uint32_t>& byte_of, DiagnosticSink& diags)
      : sources_(sources), file_(file), byte_of_(byte_of), diags_(diags) {}

  Span span(Token* a, Token* b) const {
    Span s;
    s.file = file_;
    if (a == nullptr) return s;
    if (b == nullptr) b = a;
    s.begin = byte_at(a->getStartIndex());
    size_t stop = b->getStopIndex();
    s.end = (b->getType() == Token::EOF || stop == static_cast<size_t>(-1)) ? s.begin : byte_at(stop + 1);
    if (s.end < s.begin) s.end = s.begin;
    return s;
  }
  Span span(antlr4::ParserRuleContext* ctx) const { return span(ctx->getStart(), ctx->getStop()); }
  Span span(TerminalNode* node) const { return span(node->getSymbol(), node->getSymbol()); }
  std::string text(antlr4::ParserRuleContext* ctx) const { return std::string(sources_.text(span(ctx))); }

  // ----- names and versions

  std::string ident(P::IdentContext* ctx) const { return ctx ? ctx->getText() : std::string(); }

  ast::QualifiedName qname(P::QualifiedNameContext* ctx) const {
    ast::QualifiedName q;
    if (ctx == nullptr) return q;
    for (auto* id : ctx->ident()) q.text += (q.text.empty() ? "" : ".") + id->getText();
    q.span = span(ctx);
    return q;
  }

  ast::Version version(TerminalNode* node) const { return node ? version_token(node->getSymbol()) : ast::Version{}; }

  ast::Version version_token(Token* tok) const {
    ast::Version v;
    v.text = tok->getText();
    v.span = span(tok, tok);
    uint64_t parts[3] = {0, 0, 0};
    int i = 0;
    bool too_big = false;
    for (char c : v.text) {
      if (c == '.') {
        if (++i > 2) break;
      } else if (c >= '0' && c <= '9') {
        parts[i] = parts[i] * 10 + static_cast<uint64_t>(c - '0');
        if (parts[i] > UINT32_MAX) {
          too_big = true;
          parts[i] = UINT32_MAX;  // saturate; the error below stops the build
        }
      }
    }
    // Versions are compared as 32-bit numbers and written into the WIT
    // package name, whose tooling (jco) refuses components past u64; one
    // limit for both, checked where the version is read.
    if (too_big)
      diags_.report(Rule::LimitExceeded, v.span,
                    "version `" + v.text + "` has a component larger than 4294967295",
                    {"version components are at most 4294967295; number releases with smaller values"});
    v.major = static_cast<uint32_t>(parts[0]);
    v.minor = static_cast<uint32_t>(parts[1]);
    v.patch = static_cast<uint32_t>(parts[2]);
    return v;
  }

  ast::Visibility visibility(P::VisibilityContext* ctx) {
    if (ctx == nullptr) return ast::Visibility::Private;
    if (ctx->ident() == nullptr) return ast::Visibility::Pub;
    std::string scope = ctx->ident()->getText();
    if (scope == "crate") return ast::Visibility::PubCrate;
    if (scope == "spirit") return ast::Visibility::PubSpirit;
    if (scope == "parent") return ast::Visibility::PubParent;
    diags_.report(Rule::SyntaxError, span(ctx->ident()),
                  "unknown visibility `pub(" + scope + ")`",
                  {"write `pub`, `pub(crate)`, `pub(spirit)` or `pub(parent)`"});
    return ast::Visibility::Pub;
  }

  ast::Docs docs(P::DocsDeclContext* ctx) const {
    ast::Docs d;
    d.span = span(ctx);
    if (ctx->STRING()) {
      d.text = unquote(ctx->STRING()->getText());
      return d;
    }
    if (ctx->DOC_STRING()) {  // """text"""
      std::string raw = ctx->DOC_STRING()->getText();
      d.text = trim(raw.size() >= 6 ? raw.substr(3, raw.size() - 6) : std::string());
      return d;
    }
    std::string raw(sources_.text(span(ctx->DOCS_BLOCK())));
    size_t open = raw.find('{');
    size_t close = raw.rfind('}');
    std::string body = (open != std::string::npos && close != std::string::npos && close > open)
                           ? raw.substr(open + 1, close - open - 1)
                           : std::string();
    d.text = trim(body);
    return d;
  }

  // ----- types

  ast::TypeRef type(P::TypeContext* ctx) {
    ast::TypeRef t;
    if (ctx == nullptr) return t;
    t.span = span(ctx);
    if (dynamic_cast<P::UnitTypeContext*>(ctx)) {
      t.kind = ast::TypeRef::Kind::Unit;
    } else if (auto* tup = dynamic_cast<P::TupleTypeContext*>(ctx)) {
      t.kind = ast::TypeRef::Kind::Tuple;
      for (auto* a : tup->type()) t.args.push_back(type(a));
    } else if (auto* par = dynamic_cast<P::ParenTypeContext*>(ctx)) {
      return type(par->type());
    } else if (auto* fn = dynamic_cast<P::FnTypeContext*>(ctx)) {
      t.kind = ast::TypeRef::Kind::Function;
      for (auto* a : fn->type()) t.args.push_back(type(a));
    } else if (auto* fn = dynamic_cast<P::NamedFnTypeContext*>(ctx)) {  // `Fn(A) -> B`
      t.kind = ast::TypeRef::Kind::Function;
      for (auto* a : fn->type()) t.args.push_back(type(a));
    } else if (auto* arr = dynamic_cast<P::ArrayTypeContext*>(ctx)) {  // `[T; N]`, `[T]`: a list
      t.kind = ast::TypeRef::Kind::Named;
      t.name = "List";
      t.args.push_back(type(arr->type()));
    } else if (auto* ref = dynamic_cast<P::RefTypeContext*>(ctx)) {
      return type(ref->type());  // `&T`, `&mut T`: DOL code outside schemas; the referenced type
    } else if (dynamic_cast<P::NeverTypeContext*>(ctx)) {
      t.kind = ast::TypeRef::Kind::Unit;  // `-> !` (never returns): no value, like `()`
    } else if (auto* en = dynamic_cast<P::EnumTypeContext*>(ctx)) {
      t.kind = ast::TypeRef::Kind::Enum;
      t.enum_variants = variant_names(en->enumVariants());
    } else if (auto* named = dynamic_cast<P::NamedTypeContext*>(ctx)) {
      t.kind = ast::TypeRef::Kind::Named;
      t.name = qname(named->qualifiedName()).text;
      for (auto* a : named->type()) t.args.push_back(type(a));
    } else if (auto* bracket = dynamic_cast<P::BracketTypeContext*>(ctx)) {  // `List[Int]` means `List<Int>`
      t.kind = ast::TypeRef::Kind::Named;
      t.name = qname(bracket->qualifiedName()).text;
      for (auto* a : bracket->type()) t.args.push_back(type(a));
    }
    return t;
  }

  // Variant names of an enum; payloads (`A(T)`, `A { x: T }`) are not kept.
  std::vector<std::string> variant_names(P::EnumVariantsContext* ctx) const {
    std::vector<std::string> names;
    if (ctx)
      for (auto* v : ctx->enumVariant()) names.push_back(ident(v->ident()));
    return names;
  }

  std::vector<std::string> type_params(P::TypeParamsContext* ctx) const {
    std::vector<std::string> names;
    if (ctx)
      for (auto* p : ctx->typeParam()) names.push_back(ident(p->ident()));
    return names;
  }

  // ----- annotations

  ast::Annotation annotation(P::AnnotationContext* ctx) {
    ast::Annotation a;
    a.span = span(ctx);
    P::AnnotationArgsContext* args = nullptr;
    if (auto* at = dynamic_cast<P::AtAnnotationContext*>(ctx)) {
      a.name = ident(at->ident());
      args = at->annotationArgs();
    } else if (auto* attr = dynamic_cast<P::AttributeContext*>(ctx)) {
      a.name = ident(attr->ident());
      a.is_attribute = true;
      args = attr->annotationArgs();
    }
    annotation_args(args, a);
    return a;
  }

  ast::Annotation annotation(P::SameLineAnnotationContext* ctx) {
    ast::Annotation a;
    a.span = span(ctx);
    a.name = ident(ctx->ident());
    a.is_attribute = ctx->HASH_LBRACK() != nullptr;
    annotation_args(ctx->annotationArgs(), a);
    return a;
  }

  void annotation_args(P::AnnotationArgsContext* args, ast::Annotation& a) {
    if (args)
      for (auto* arg : args->annotationArg()) {
        ast::AnnotationArg out;
        out.span = span(arg);
        if (arg->ident()) out.key = ident(arg->ident());
        out.value = expr(arg->expr());
        a.args.push_back(std::move(out));
      }
  }

  // ----- fields, sentences

  ast::Field field(P::FieldDeclContext* ctx) {
    ast::Field f;
    f.span = span(ctx);
    f.name = ident(ctx->ident());
    f.name_span = span(ctx->ident());
    f.has_keyword = ctx->HAS() != nullptr;
    f.type = type(ctx->type());
    // Annotations before the field and after its type share one list, in
    // source order, as ast.hpp promises.
    for (auto* a : ctx->annotation()) f.annotations.push_back(annotation(a));
    for (auto* a : ctx->sameLineAnnotation()) f.annotations.push_back(annotation(a));
    auto exprs = ctx->expr();
    size_t next = 0;
    if (ctx->ASSIGN() && next < exprs.size()) f.default_value = expr(exprs[next++]);
    if (ctx->WHERE() && next < exprs.size()) f.where = expr(exprs[next++]);
    return f;
  }

  ast::Sentence sentence(P::SentenceContext* ctx) const {
    ast::Sentence s;
    s.span = span(ctx);
    for (auto* child : ctx->children) {  // words and comparison operators, in order
      auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(child);
      if (rule == nullptr) continue;
      auto* w = dynamic_cast<P::SentenceWordContext*>(rule);
      s.words.push_back(w && w->STRING() ? unquote(w->getText()) : rule->getText());
    }
    return s;
  }

  // ----- functions and statements

  ast::Function function(P::FunctionDeclContext* ctx, P::VisibilityContext* vis) {
    ast::Function f;
    f.span = span(ctx);
    f.name = ident(ctx->ident());
    f.name_span = span(ctx->ident());
    f.visibility = visibility(vis);
    f.is_sex = ctx->SEX() != nullptr;
    f.is_extern = ctx->EXTERN() != nullptr;
    f.type_params = type_params(ctx->typeParams());
    add_params(f, ctx->params());
    if (ctx->type()) f.result = type(ctx->type());
    if (ctx->block()) f.body = block(ctx->block());
    return f;
  }

  void add_params(ast::Function& f, P::ParamsContext* params) {
    if (params)
      for (auto* p : params->param()) {
        ast::Param param;
        param.name = ident(p->ident());
        param.span = span(p);
        if (p->type()) {
          param.type = type(p->type());
        } else {
          param.type.name = "Self";
          param.type.span = param.span;
        }
        f.params.push_back(std::move(param));
      }
  }

  ast::Expr block(P::BlockContext* ctx) {
    ast::Expr e;
    e.kind = ast::Expr::Kind::Block;
    e.span = span(ctx);
    for (auto* s : ctx->statement()) {
      // Docs and nested helper functions inside a body are read, not kept.
      if (dynamic_cast<P::EmptyStmtContext*>(s) || dynamic_cast<P::DocStmtContext*>(s) ||
          dynamic_cast<P::NestedFunctionStmtContext*>(s))
        continue;
      e.stmts.push_back(statement(s));
    }
    return e;
  }

  std::vector<ast::Stmt> body_of(P::BlockContext* ctx) {
    ast::Expr b = block(ctx);
    return std::move(b.stmts);
  }

  ast::Stmt statement(P::StatementContext* ctx) {
    ast::Stmt s;
    s.span = span(ctx);
    using K = ast::Stmt::Kind;
    if (auto* let = dynamic_cast<P::LetStmtContext*>(ctx)) {
      s.kind = K::Let;
      s.name = ident(let->ident());
      s.is_mut = let->MUT() != nullptr;
      if (let->type()) s.type = type(let->type());
      if (let->expr()) s.expr = expr(let->expr());
    } else if (auto* destructure = dynamic_cast<P::LetPatternStmtContext*>(ctx)) {
      s.kind = K::Let;
      s.is_mut = destructure->MUT() != nullptr;
      s.pattern = pattern(destructure->pattern());
      if (destructure->type()) s.type = type(destructure->type());
      s.expr = expr(destructure->expr());
    } else if (auto* m = dynamic_cast<P::MutStmtContext*>(ctx)) {  // `mut x = e` is `let mut x = e`
      s.kind = K::Let;
      s.name = ident(m->ident());
      s.is_mut = true;
      if (m->type()) s.type = type(m->type());
      s.expr = expr(m->expr());
    } else if (auto* var = dynamic_cast<P::VarStmtContext*>(ctx)) {  // `var x = e` is `let mut x = e`
      s.kind = K::Let;
      s.name = ident(var->ident());
      s.is_mut = true;
      if (var->type()) s.type = type(var->type());
      if (var->expr()) s.expr = expr(var->expr());
    } else if (auto* fp = dynamic_cast<P::ForPatternStmtContext*>(ctx)) {  // `for (k, v) in m { }`
      s.kind = K::For;
      s.pattern = pattern(fp->pattern());
      if (s.pattern->kind == ast::Pattern::Kind::Binding) {
        s.name = s.pattern->text;
        s.pattern.reset();
      }
      s.expr = expr(fp->expr());
      s.body = body_of(fp->block());
    } else if (dynamic_cast<P::BreakStmtContext*>(ctx)) {
      s.kind = K::Break;
    } else if (dynamic_cast<P::ContinueStmtContext*>(ctx)) {
      s.kind = K::Continue;
    } else if (auto* f = dynamic_cast<P::ForStmtContext*>(ctx)) {
      s.kind = K::For;
      s.name = ident(f->ident());
      s.expr = expr(f->expr());
      s.body = body_of(f->block());
    } else if (auto* w = dynamic_cast<P::WhileStmtContext*>(ctx)) {
      s.kind = K::While;
      s.expr = expr(w->expr());
      s.body = body_of(w->block());
    } else if (auto* wl = dynamic_cast<P::WhileLetStmtContext*>(ctx)) {  // condition opaque, as for `if let`
      s.kind = K::While;
      ast::Expr opaque;
      opaque.kind = ast::Expr::Kind::Opaque;
      opaque.span = span(wl->pattern()->getStart(), wl->expr()->getStop());
      opaque.text = "let " + std::string(sources_.text(opaque.span));
      s.expr = std::move(opaque);
      s.body = body_of(wl->block());
    } else if (auto* l = dynamic_cast<P::LoopStmtContext*>(ctx)) {
      s.kind = K::Loop;
      s.body = body_of(l->block());
    } else if (auto* es = dynamic_cast<P::ExprStmtContext*>(ctx)) {
      s.kind = K::Expr;
      if (es->assignOp()) {
        ast::Expr e;
        e.kind = ast::Expr::Kind::Assign;
        e.span = span(ctx);
        e.text = es->assignOp()->getText();
        e.children.push_back(expr(es->expr(0)));
        e.children.push_back(expr(es->expr(1)));
        s.expr = std::move(e);
      } else if (auto* ret = return_of(es->expr(0))) {
        s.kind = K::Return;
        if (ret->expr()) s.expr = expr(ret->expr());
      } else {
        s.expr = expr(es->expr(0));
      }
    }
    return s;
  }

  // ----- expressions

  // The `return` primary when `ctx` is exactly `return [expr]`, else null.
  static P::ReturnExprContext* return_of(P::ExprContext* ctx) {
    auto* primary = dynamic_cast<P::PrimaryExprContext*>(ctx);
    return primary ? dynamic_cast<P::ReturnExprContext*>(primary->primary()) : nullptr;
  }

  void add_args(ast::Expr& call, P::ArgsContext* args) {
    if (args == nullptr) return;
    for (auto* a : args->arg()) {
      call.children.push_back(expr(a->expr()));
      call.arg_names.push_back(a->ident() ? ident(a->ident()) : std::string());
    }
  }

  ast::Expr expr(P::ExprContext* ctx) {
    ast::Expr e;
    if (ctx == nullptr) return e;
    e.span = span(ctx);
    using K = ast::Expr::Kind;
    if (auto* p = dynamic_cast<P::PrimaryExprContext*>(ctx)) return primary(p->primary());
    if (auto* m = dynamic_cast<P::MemberExprContext*>(ctx)) {
      if (m->LPAREN()) {
        e.kind = K::MethodCall;
        e.text = ident(m->ident());
        e.children.push_back(expr(m->expr()));
        e.arg_names.push_back("");
        add_args(e, m->args());
        // arg_names is per argument: drop the receiver's slot.
        e.arg_names.erase(e.arg_names.begin());
      } else {
        e.kind = K::Field;
        e.text = ident(m->ident());
        e.children.push_back(expr(m->expr()));
      }
      return e;
    }
    if (auto* t = dynamic_cast<P::TupleIndexExprContext*>(ctx)) {
      e.kind = K::Field;
      e.text = t->INT()->getText();
      e.children.push_back(expr(t->expr()));
      return e;
    }
    if (auto* c = dynamic_cast<P::CallExprContext*>(ctx)) {
      e.kind = K::Call;
      e.children.push_back(expr(c->expr()));
      add_args(e, c->args());
      return e;
    }
    if (auto* i = dynamic_cast<P::IndexExprContext*>(ctx)) {
      e.kind = K::Index;
      e.children.push_back(expr(i->expr(0)));
      e.children.push_back(expr(i->expr(1)));
      return e;
    }
    if (auto* t = dynamic_cast<P::TryExprContext*>(ctx)) {
      e.kind = K::Try;
      e.children.push_back(expr(t->expr()));
      return e;
    }
    if (auto* c = dynamic_cast<P::CastExprContext*>(ctx)) {
      e.kind = K::Cast;
      e.children.push_back(expr(c->expr()));
      e.type = type(c->type());
      return e;
    }
    if (auto* u = dynamic_cast<P::UnaryExprContext*>(ctx)) {
      e.kind = K::Unary;
      e.text = u->NOT() ? "!" : u->getStart()->getText();  // - ! * & (`not x` is `!x`)
      if (u->MUT()) e.text += "mut ";
      e.children.push_back(expr(u->expr()));
      return e;
    }
    if (auto* b = dynamic_cast<P::BinaryExprContext*>(ctx)) {
      e.kind = K::Binary;
      // The operator is the token(s) between the two operands (`>>` is two).
      for (size_t i = 1; i + 1 < b->children.size(); ++i) e.text += b->children[i]->getText();
      e.children.push_back(expr(b->expr(0)));
      e.children.push_back(expr(b->expr(1)));
      return e;
    }
    return e;
  }

  ast::Expr primary(P::PrimaryContext* ctx) {
    ast::Expr e;
    e.span = span(ctx);
    using K = ast::Expr::Kind;
    if (auto* i = dynamic_cast<P::IntLitContext*>(ctx)) {
      e.kind = K::Int;
      e.text = i->getText();
      e.int_value = parse_int(e.text);
    } else if (auto* f = dynamic_cast<P::FloatLitContext*>(ctx)) {
      e.kind = K::Float;
      e.text = f->getText();
    } else if (auto* s = dynamic_cast<P::StringLitContext*>(ctx)) {
      e.kind = K::String;
      e.text = unquote(s->getText());
    } else if (auto* c = dynamic_cast<P::CharLitContext*>(ctx)) {
      e.kind = K::String;  // a one-character string: DOL code outside schemas only compares them
      e.text = unquote(c->getText());
    } else if (auto* b = dynamic_cast<P::BoolLitContext*>(ctx)) {
      e.kind = K::Bool;
      e.text = b->getText();
    } else if (auto* st = dynamic_cast<P::StructLitContext*>(ctx)) {
      e.kind = K::StructLit;
      e.text = qname(st->qualifiedName()).text;
      for (auto* id : st->ident()) e.text += "::" + ident(id);
      for (auto* fi : st->fieldInit())
        if (fi->DOTDOT()) {
          // `T { ..old, x: 1 }` copies the other fields: checked and compiled
          // no further (the lowering would leave them at their defaults).
          e.kind = K::Opaque;
          e.text = text(ctx);
          return e;
        }
      for (auto* fi : st->fieldInit()) {
        e.arg_names.push_back(ident(fi->ident()));
        if (fi->expr()) {
          e.children.push_back(expr(fi->expr()));
        } else {
          // Shorthand `Point { x }` means `Point { x: x }`.
          ast::Expr name;
          name.kind = K::Name;
          name.text = ident(fi->ident());
          name.span = span(fi);
          e.children.push_back(std::move(name));
        }
      }
    } else if (auto* p = dynamic_cast<P::PathExprContext*>(ctx)) {
      e.kind = K::Path;
      e.text = p->exprName()->getText();
      for (auto* id : p->ident()) e.text += "::" + id->getText();
    } else if (auto* n = dynamic_cast<P::NameExprContext*>(ctx)) {
      e.kind = K::Name;
      e.text = n->exprName()->getText();
    } else if (dynamic_cast<P::UnitLitContext*>(ctx)) {
      e.kind = K::TupleLit;
    } else if (auto* par = dynamic_cast<P::ParenExprContext*>(ctx)) {
      ast::Expr inner = expr(par->expr());
      return inner;
    } else if (auto* t = dynamic_cast<P::TupleLitContext*>(ctx)) {
      e.kind = K::TupleLit;
      for (auto* x : t->expr()) e.children.push_back(expr(x));
    } else if (auto* l = dynamic_cast<P::ListLitContext*>(ctx)) {
      e.kind = K::ListLit;
      for (auto* x : l->expr()) e.children.push_back(expr(x));
    } else if (auto* m = dynamic_cast<P::MapLitContext*>(ctx)) {
      e.kind = K::MapLit;
      for (auto* entry : m->mapEntry()) {
        ast::Expr key;
        key.span = span(entry->getStart(), entry->getStart());
        if (entry->STRING()) {
          key.kind = K::String;
          key.text = unquote(entry->STRING()->getText());
        } else if (entry->ident()) {  // `{ type: "get" }`: a name key is its text
          key.kind = K::String;
          key.text = ident(entry->ident());
        } else {
          key.kind = K::Int;
          key.text = entry->INT()->getText();
          key.int_value = parse_int(key.text);
        }
        e.children.push_back(std::move(key));
        e.children.push_back(expr(entry->expr()));
      }
    } else if (auto* iflet = dynamic_cast<P::IfLetExprContext*>(ctx)) {
      return if_expr(iflet->expr(), iflet->block(), iflet->ifTail(), span(ctx), iflet->pattern());
    } else if (auto* ife = dynamic_cast<P::IfExprContext*>(ctx)) {
      return if_expr(ife->expr(), ife->block(), ife->ifTail(), span(ctx));
    } else if (auto* me = dynamic_cast<P::MatchExprContext*>(ctx)) {
      e.kind = K::Match;
      e.children.push_back(expr(me->expr()));
      for (auto* arm : me->matchArm()) {
        ast::MatchArm a;
        a.span = span(arm);
        // `A | B => ..`: the first alternative stands for the arm (bindings
        // of alternatives must be the same anyway).
        a.pattern = pattern(arm->pattern(0));
        if (arm->IF() && !arm->expr().empty()) a.guard = expr(arm->expr(0));
        if (arm->block()) {
          a.body = block(arm->block());
        } else if (arm->assignOp()) {  // `'T' => seq = seq + "U"`
          auto xs = arm->expr();
          a.body.kind = K::Assign;
          a.body.span = span(xs[xs.size() - 2]->getStart(), xs.back()->getStop());
          a.body.text = arm->assignOp()->getText();
          a.body.children.push_back(expr(xs[xs.size() - 2]));
          a.body.children.push_back(expr(xs.back()));
        } else {
          auto xs = arm->expr();
          if (!xs.empty()) a.body = expr(xs.back());
        }
        e.arms.push_back(std::move(a));
      }
    } else if (auto* be = dynamic_cast<P::BlockExprContext*>(ctx)) {
      return block(be->block());
    } else if (auto* cl = dynamic_cast<P::ClosureExprContext*>(ctx)) {
      e.kind = K::Closure;
      for (auto* p : cl->closureParam()) add_bindings(e.params, pattern(p->pattern()));
      e.children.push_back(expr(cl->expr()));
    } else if (auto* cl0 = dynamic_cast<P::ClosureNoArgsContext*>(ctx)) {
      e.kind = K::Closure;
      e.children.push_back(expr(cl0->expr()));
    } else if (auto* q = dynamic_cast<P::QuantifierExprContext*>(ctx)) {
      e.kind = K::Quantifier;
      e.text = q->FORALL() ? "forall" : "exists";
      for (auto* id : q->ident()) e.params.push_back(ident(id));
      e.type = type(q->type(0));
      e.children.push_back(expr(q->expr()));
    } else if (auto* qi = dynamic_cast<P::QuantifierInExprContext*>(ctx)) {
      // `forall (a, b) in xs. body`: the bound names, no declared type.
      e.kind = K::Quantifier;
      e.text = qi->FORALL() ? "forall" : "exists";
      for (auto* p : qi->pattern()) add_bindings(e.params, pattern(p));
      e.children.push_back(expr(qi->expr(1)));
    } else if (auto* ret = dynamic_cast<P::ReturnExprContext*>(ctx)) {
      // `return` in expression position (a match arm): a block holding it.
      e.kind = K::Block;
      ast::Stmt s;
      s.kind = ast::Stmt::Kind::Return;
      s.span = e.span;
      if (ret->expr()) s.expr = expr(ret->expr());
      e.stmts.push_back(std::move(s));
    } else if (dynamic_cast<P::QuoteExprContext*>(ctx) || dynamic_cast<P::MacroExprContext*>(ctx) ||
               dynamic_cast<P::MacroCallExprContext*>(ctx) || dynamic_cast<P::EffectExprContext*>(ctx) ||
               dynamic_cast<P::BreakExprContext*>(ctx) || dynamic_cast<P::ContinueExprContext*>(ctx)) {
      // Macros (`vec![..]`), effect calls (`@io.println`) and `break` in
      // expression position are read, checked no further, and not compiled.
      e.kind = K::Opaque;
      e.text = text(ctx);
    }
    return e;
  }

  // `if let P = e { }` keeps its condition as opaque text: the pattern's
  // bindings are not modelled, so the checker and the lowering go no further.
  ast::Expr if_head(P::ExprContext* cond, P::BlockContext* then, Span whole, P::PatternContext* let_pattern) {
    ast::Expr e;
    e.kind = ast::Expr::Kind::If;
    e.span = whole;
    if (let_pattern) {
      ast::Expr opaque;
      opaque.kind = ast::Expr::Kind::Opaque;
      opaque.span = span(let_pattern->getStart(), cond->getStop());
      opaque.text = "let " + std::string(sources_.text(opaque.span));
      e.children.push_back(std::move(opaque));
    } else {
      e.children.push_back(expr(cond));
    }
    if (then) e.children.push_back(block(then));
    return e;
  }

  ast::Expr if_expr(P::ExprContext* cond, std::vector<P::BlockContext*> blocks, P::IfTailContext* tail, Span whole,
                    P::PatternContext* let_pattern = nullptr) {
    ast::Expr e = if_head(cond, blocks.empty() ? nullptr : blocks[0], whole, let_pattern);
    if (blocks.empty()) return e;
    if (tail) {
      e.children.push_back(if_expr(tail->expr(), tail->block(), tail->ifTail(), span(tail), tail->pattern()));
    } else if (blocks.size() > 1) {
      e.children.push_back(block(blocks[1]));
    }
    return e;
  }

  ast::Pattern pattern(P::PatternContext* ctx) {
    ast::Pattern p;
    p.span = span(ctx);
    using K = ast::Pattern::Kind;
    if (dynamic_cast<P::WildcardPatternContext*>(ctx)) {
      p.kind = K::Wildcard;
    } else if (dynamic_cast<P::LiteralPatternContext*>(ctx)) {
      p.kind = K::Literal;
      p.text = ctx->getText();
      if (!p.text.empty() && p.text.front() == '"') p.text = unquote(p.text);
    } else if (auto* v = dynamic_cast<P::VariantPatternContext*>(ctx)) {
      p.kind = K::Variant;
      for (auto* id : v->ident()) p.text += (p.text.empty() ? "" : "::") + id->getText();
      for (auto* sub : v->pattern()) p.sub.push_back(pattern(sub));
    } else if (auto* st = dynamic_cast<P::StructPatternContext*>(ctx)) {  // `Named { path, kind: k }`
      p.kind = K::Variant;
      for (auto* id : st->ident()) p.text += (p.text.empty() ? "" : "::") + id->getText();
      for (auto* f : st->fieldPattern()) {
        if (f->pattern()) {
          p.sub.push_back(pattern(f->pattern()));
        } else {
          ast::Pattern binding;
          binding.kind = K::Binding;
          binding.text = ident(f->ident());
          binding.span = span(f);
          p.sub.push_back(std::move(binding));
        }
      }
    } else if (auto* path = dynamic_cast<P::PathPatternContext*>(ctx)) {
      p.kind = K::Variant;
      for (auto* id : path->ident()) p.text += (p.text.empty() ? "" : "::") + id->getText();
    } else if (auto* b = dynamic_cast<P::BindingPatternContext*>(ctx)) {
      p.kind = K::Binding;
      p.text = ident(b->ident());
    } else if (auto* t = dynamic_cast<P::TuplePatternContext*>(ctx)) {
      p.kind = K::Tuple;
      for (auto* sub : t->pattern()) p.sub.push_back(pattern(sub));
    }
    return p;
  }

  // The names a pattern binds, in source order.
  static void add_bindings(std::vector<std::string>& names, const ast::Pattern& p) {
    if (p.kind == ast::Pattern::Kind::Binding) names.push_back(p.text);
    for (const auto& sub : p.sub) add_bindings(names, sub);
  }

  // ----- declarations

  ast::Gene gene(P::GeneDeclContext* ctx, P::VisibilityContext* vis, const std::vector<P::AnnotationContext*>& annots) {
    ast::Gene g;
    g.span = span(ctx);
    auto names = ctx->qualifiedName();
    g.name = qname(names[0]).text;
    g.name_span = span(names[0]);
    g.keyword = ctx->getStart()->getText();
    g.visibility = visibility(vis);
    for (auto* a : annots) g.annotations.push_back(annotation(a));
    if (ctx->VERSION()) g.version = version(ctx->VERSION());
    size_t next = 1;
    if (ctx->EXTENDS() && next < names.size()) g.extends = qname(names[next++]);
    for (; next < names.size(); ++next) g.traits.push_back(qname(names[next]));
    g.type_params = type_params(ctx->typeParams());
    for (auto* m : ctx->geneMember()) {
      if (auto* f = dynamic_cast<P::MemberFieldContext*>(m)) {
        g.fields.push_back(field(f->fieldDecl()));
      } else if (auto* fn = dynamic_cast<P::MemberFunctionContext*>(m)) {
        g.methods.push_back(function(fn->functionDecl(), fn->visibility()));
      } else if (auto* c = dynamic_cast<P::MemberConstraintContext*>(m)) {
        g.constraints.push_back(constraint(c->constraintDecl(), nullptr));
      } else if (auto* en = dynamic_cast<P::MemberEnumContext*>(m)) {
        g.enum_variants = variant_names(en->enumVariants());
      } else if (auto* d = dynamic_cast<P::MemberDocsContext*>(m)) {
        g.docs = docs(d->docsDecl());
      } else if (auto* s = dynamic_cast<P::MemberSentenceContext*>(m)) {
        g.sentences.push_back(sentence(s->sentence()));
      }
    }
    return g;
  }

  ast::Constraint constraint(P::ConstraintDeclContext* ctx, P::VisibilityContext* vis) {
    ast::Constraint c;
    c.span = span(ctx);
    auto names = ctx->qualifiedName();
    c.name = qname(names[0]).text;
    c.name_span = span(names[0]);
    c.keyword = ctx->getStart()->getText();
    c.visibility = visibility(vis);
    if (ctx->VERSION()) c.version = version(ctx->VERSION());
    if (ctx->ON() && names.size() > 1) c.on = qname(names[1]);
    using K = ast::ConstraintItem::Kind;
    for (auto* item : ctx->constraintItem()) {
      ast::ConstraintItem it;
      it.span = span(item);
      if (auto* n = dynamic_cast<P::NeverChangesContext*>(item)) {
        it.kind = K::NeverChanges;
        it.subject = ident(n->ident(0));
        it.field = ident(n->ident(1));
      } else if (auto* a = dynamic_cast<P::AlwaysItemContext*>(item)) {
        it.kind = K::Always;
        it.lhs = expr(a->expr(0));
        it.op = a->compareOp()->getText();
        it.expr = expr(a->expr(1));
      } else if (auto* r = dynamic_cast<P::RequireItemContext*>(item)) {
        it.kind = K::Require;
        it.expr = expr(r->expr());
      } else if (auto* o = dynamic_cast<P::OnViolationItemContext*>(item)) {
        it.kind = K::OnViolation;
        it.word = ident(o->ident());
      } else if (auto* d = dynamic_cast<P::ConstraintDocsContext*>(item)) {
        c.docs = docs(d->docsDecl());
        continue;
      } else if (auto* s = dynamic_cast<P::ConstraintSentenceContext*>(item)) {
        it.kind = K::Sentence;
        it.words = sentence(s->sentence()).words;
      } else if (auto* e = dynamic_cast<P::ExprItemContext*>(item)) {
        it.kind = K::Require;
        it.expr = expr(e->expr());
      } else {
        continue;
      }
      c.items.push_back(std::move(it));
    }
    return c;
  }

  ast::Trait trait(P::TraitDeclContext* ctx, P::VisibilityContext* vis) {
    ast::Trait t;
    t.span = span(ctx);
    t.name = qname(ctx->qualifiedName()).text;
    t.name_span = span(ctx->qualifiedName());
    t.visibility = visibility(vis);
    if (ctx->VERSION()) t.version = version(ctx->VERSION());
    for (auto* m : ctx->traitMember()) {
      if (auto* u = dynamic_cast<P::TraitUsesContext*>(m)) {
        for (auto* q : u->qualifiedName()) t.uses.push_back(qname(q));
      } else if (auto* f = dynamic_cast<P::TraitFunctionContext*>(m)) {
        t.methods.push_back(function(f->functionDecl(), f->visibility()));
      } else if (auto* is = dynamic_cast<P::TraitIsMethodContext*>(m)) {
        // `is grow(g: Gradient) -> Self`: the older spelling of a method signature.
        ast::Function fn;
        fn.span = span(is);
        fn.name = ident(is->ident());
        fn.name_span = span(is->ident());
        fn.type_params = type_params(is->typeParams());
        add_params(fn, is->params());
        if (is->type()) fn.result = type(is->type());
        t.methods.push_back(std::move(fn));
      } else if (auto* d = dynamic_cast<P::TraitDocsContext*>(m)) {
        t.docs = docs(d->docsDecl());
      } else if (auto* s = dynamic_cast<P::TraitSentenceContext*>(m)) {
        t.sentences.push_back(sentence(s->sentence()));
      }
    }
    return t;
  }

  ast::KeyValue key_value(P::KeyValueContext* kv) {
    ast::KeyValue out;
    out.key = ident(kv->ident());
    out.value = expr(kv->expr());
    out.span = span(kv);
    return out;
  }

  ast::System system(P::SystemDeclContext* ctx, P::VisibilityContext* vis) {
    ast::System s;
    s.span = span(ctx);
    s.name = qname(ctx->qualifiedName()).text;
    s.name_span = span(ctx->qualifiedName());
    s.visibility = visibility(vis);
    if (ctx->VERSION()) s.version = version(ctx->VERSION());
    for (auto* item : ctx->systemItem()) {
      if (auto* r = dynamic_cast<P::SystemRequiresContext*>(item)) {
        for (auto* req : r->requirement()) {
          ast::Requirement out;
          out.name = qname(req->qualifiedName());
          out.span = span(req);
          if (req->VERSION()) {
            out.version = version(req->VERSION());
            std::string op = req->children.size() > 1 ? req->children[1]->getText() : "";
            out.op = (op == "@" || op == "=") ? "=" : op;
            if (op == "@") out.op = ">=";
          }
          s.requires_.push_back(std::move(out));
        }
      } else if (auto* g = dynamic_cast<P::SystemGenesContext*>(item)) {
        for (auto* q : g->qualifiedName()) s.genes.push_back(qname(q));
      } else if (auto* t = dynamic_cast<P::SystemTraitsContext*>(item)) {
        for (auto* q : t->qualifiedName()) s.traits.push_back(qname(q));
      } else if (auto* sp = dynamic_cast<P::SystemSyncPolicyContext*>(item)) {
        for (auto* kv : sp->keyValue()) s.sync_policy.push_back(key_value(kv));
      } else if (auto* st = dynamic_cast<P::SystemStateContext*>(item)) {
        ast::Param p;
        p.name = ident(st->ident());
        p.type = type(st->type());
        p.span = span(st);
        s.state.push_back(std::move(p));
      } else if (auto* d = dynamic_cast<P::SystemDocsContext*>(item)) {
        s.docs = docs(d->docsDecl());
      } else if (auto* se = dynamic_cast<P::SystemSentenceContext*>(item)) {
        s.sentences.push_back(sentence(se->sentence()));
      } else if (auto* uses = dynamic_cast<P::SystemUsesContext*>(item)) {
        // `uses hello.world`: kept as a documentation-level sentence, like the
        // property sentences of older systems.
        ast::Sentence words;
        words.span = span(uses);
        words.words.push_back("uses");
        for (auto* q : uses->qualifiedName()) words.words.push_back(qname(q).text);
        s.sentences.push_back(std::move(words));
      }
    }
    return s;
  }

  ast::Evolution evolution(P::EvolutionDeclContext* ctx, P::VisibilityContext* vis) {
    ast::Evolution ev;
    ev.span = span(ctx);
    ev.visibility = visibility(vis);
    std::vector<P::EvolutionItemContext*> items;
    if (auto* v = dynamic_cast<P::EvoVersionsContext*>(ctx)) {
      ev.name = qname(v->qualifiedName()).text;
      ev.name_span = span(v->qualifiedName());
      auto versions = v->VERSION();
      if (versions.size() >= 2) {
        ev.to_version = version(versions[0]);
        ev.from_version = version(versions[1]);
      }
      items = v->evolutionItem();
    } else if (auto* f = dynamic_cast<P::EvoFromNameContext*>(ctx)) {
      auto names = f->qualifiedName();
      ev.name = qname(names[0]).text;
      ev.name_span = span(names[0]);
      if (names.size() > 1) ev.from_name = qname(names[1]);
      items = f->evolutionItem();
    }
    using K = ast::EvolutionItem::Kind;
    for (auto* item : items) {
      ast::EvolutionItem it;
      it.span = span(item);
      if (auto* a = dynamic_cast<P::EvoAddsContext*>(item)) {
        it.kind = K::Adds;
        it.field = field(a->fieldDecl());
        it.name = it.field->name;
      } else if (auto* af = dynamic_cast<P::EvoAddFieldContext*>(item)) {
        it.kind = K::Adds;
        it.field = field(af->fieldDecl());
        it.name = it.field->name;
      } else if (auto* r = dynamic_cast<P::EvoRemovesContext*>(item)) {
        it.kind = K::Removes;
        it.name = ident(r->ident());
      } else if (auto* rf = dynamic_cast<P::EvoRemoveFieldContext*>(item)) {
        it.kind = K::Removes;
        it.name = ident(rf->ident());
      } else if (auto* rn = dynamic_cast<P::EvoRenamesContext*>(item)) {
        it.kind = K::Renames;
        it.name = ident(rn->ident(0));
        it.new_name = ident(rn->ident(1));
      } else if (auto* rnf = dynamic_cast<P::EvoRenameFieldContext*>(item)) {
        it.kind = K::Renames;
        it.name = ident(rnf->ident(0));
        it.new_name = ident(rnf->ident(1));
      } else if (auto* ch = dynamic_cast<P::EvoChangesContext*>(item)) {
        it.kind = K::Changes;
        it.name = ident(ch->ident());
        auto sides = ch->changeSide();
        for (size_t i = 0; i < sides.size() && i < 2; ++i) {
          if (sides[i]->annotation()) {
            (i == 0 ? it.from : it.to) = annotation(sides[i]->annotation());
          } else if (sides[i]->type()) {
            (i == 0 ? it.from_type : it.to_type) = type(sides[i]->type());
          }
        }
      } else if (auto* dp = dynamic_cast<P::EvoDeprecatesContext*>(item)) {
        it.kind = K::Deprecates;
        it.name = ident(dp->ident());
      } else if (auto* mg = dynamic_cast<P::EvoMigrateContext*>(item)) {
        it.kind = K::Migrate;
        it.name = ident(mg->ident());
        it.expr = block(mg->block());
      } else if (auto* bc = dynamic_cast<P::EvoBecauseContext*>(item)) {
        it.kind = K::Because;
        it.text = unquote(bc->STRING()->getText());
      } else if (auto* d = dynamic_cast<P::EvoDocsContext*>(item)) {
        ev.docs = docs(d->docsDecl());
        continue;
      } else if (auto* meta = dynamic_cast<P::EvoMetaContext*>(item)) {
        it.kind = K::Meta;
        it.text = ident(meta->ident());
        it.expr = expr(meta->expr());
      } else if (auto* s = dynamic_cast<P::EvoSentenceContext*>(item)) {
        it.kind = K::Sentence;
        it.words = sentence(s->sentence()).words;
      } else {
        continue;
      }
      ev.items.push_back(std::move(it));
    }
    return ev;
  }

  // Adds one top-level declaration to `file`; nested `mod` contents are
  // flattened with their names prefixed. Returns where a following
  // standalone docs block should attach.
  void top(P::TopDeclContext* ctx, ast::File& file, const std::string& prefix) {
    auto prefixed = [&](std::string name) { return prefix.empty() ? name : prefix + "." + name; };
    if (auto* g = dynamic_cast<P::TopGeneContext*>(ctx)) {
      ast::Gene gene_decl = gene(g->geneDecl(), g->visibility(), g->annotation());
      gene_decl.name = prefixed(gene_decl.name);
      file.genes.push_back(std::move(gene_decl));
      last_docs_ = [&file, i = file.genes.size() - 1]() { return &file.genes[i].docs; };
    } else if (auto* a = dynamic_cast<P::TopAliasContext*>(ctx)) {
      ast::TypeAlias alias;
      auto* ta = a->typeAlias();
      alias.span = span(ta);
      alias.name = prefixed(qname(ta->qualifiedName()).text);
      alias.name_span = span(ta->qualifiedName());
      alias.visibility = visibility(a->visibility());
      alias.type = type(ta->type());
      file.aliases.push_back(std::move(alias));
      last_docs_ = [&file, i = file.aliases.size() - 1]() { return &file.aliases[i].docs; };
    } else if (auto* t = dynamic_cast<P::TopTraitContext*>(ctx)) {
      ast::Trait tr = trait(t->traitDecl(), t->visibility());
      tr.name = prefixed(tr.name);
      file.traits.push_back(std::move(tr));
      last_docs_ = [&file, i = file.traits.size() - 1]() { return &file.traits[i].docs; };
    } else if (auto* c = dynamic_cast<P::TopConstraintContext*>(ctx)) {
      ast::Constraint con = constraint(c->constraintDecl(), c->visibility());
      con.name = prefixed(con.name);
      file.constraints.push_back(std::move(con));
      last_docs_ = [&file, i = file.constraints.size() - 1]() { return &file.constraints[i].docs; };
    } else if (auto* s = dynamic_cast<P::TopSystemContext*>(ctx)) {
      ast::System sys = system(s->systemDecl(), s->visibility());
      sys.name = prefixed(sys.name);
      file.systems.push_back(std::move(sys));
      last_docs_ = [&file, i = file.systems.size() - 1]() { return &file.systems[i].docs; };
    } else if (auto* between = dynamic_cast<P::EvoBetweenGenesContext*>(
                   dynamic_cast<P::TopEvolutionContext*>(ctx) ? dynamic_cast<P::TopEvolutionContext*>(ctx)->evolutionDecl()
                                                              : nullptr)) {
      // `evo A > B @ ..`: one gene becoming another, not a version step of
      // one gene; read and kept as a declaration the checker has nothing to verify in.
      ast::OtherDecl other;
      other.kind = "evo";
      other.name = qname(between->qualifiedName(1)).text;
      other.span = span(between);
      file.others.push_back(std::move(other));
      last_docs_ = nullptr;
    } else if (auto* e = dynamic_cast<P::TopEvolutionContext*>(ctx)) {
      file.evolutions.push_back(evolution(e->evolutionDecl(), e->visibility()));
      last_docs_ = [&file, i = file.evolutions.size() - 1]() { return &file.evolutions[i].docs; };
    } else if (auto* im = dynamic_cast<P::TopImplContext*>(ctx)) {
      auto* decl = im->implDecl();
      ast::Impl impl;
      impl.span = span(decl);
      impl.trait = qname(decl->qualifiedName(0));
      impl.gene = qname(decl->qualifiedName(1));
      auto vis = decl->visibility();
      auto fns = decl->functionDecl();
      // visibility() and functionDecl() are parallel only when every function
      // has one; match them by position in the source instead.
      for (auto* fn : fns) {
        P::VisibilityContext* v = nullptr;
        for (auto* candidate : vis)
          if (candidate->getStop()->getTokenIndex() + 1 == fn->getStart()->getTokenIndex()) v = candidate;
        impl.methods.push_back(function(fn, v));
      }
      file.impls.push_back(std::move(impl));
      last_docs_ = nullptr;
    } else if (auto* k = dynamic_cast<P::TopConstContext*>(ctx)) {
      auto* decl = k->constDecl();
      ast::Const c;
      c.span = span(decl);
      c.name = prefixed(ident(decl->ident()));
      c.name_span = span(decl->ident());
      c.visibility = visibility(k->visibility());
      if (decl->type()) c.type = type(decl->type());
      c.value = expr(decl->expr());
      file.consts.push_back(std::move(c));
      last_docs_ = nullptr;
    } else if (auto* f = dynamic_cast<P::TopFunctionContext*>(ctx)) {
      ast::Function fn = function(f->functionDecl(), f->visibility());
      fn.name = prefixed(fn.name);
      file.functions.push_back(std::move(fn));
      last_docs_ = [&file, i = file.functions.size() - 1]() { return &file.functions[i].docs; };
    } else if (auto* m = dynamic_cast<P::TopModContext*>(ctx)) {
      auto* decl = m->modDecl();
      ast::OtherDecl other;
      other.kind = "mod";
      other.name = prefixed(qname(decl->qualifiedName()).text);
      other.span = span(decl);
      visibility(m->visibility());
      std::string inner = other.name;
      file.others.push_back(std::move(other));
      for (auto* u : decl->useDecl()) use(u, file);
      for (auto* d : decl->topDecl()) top(d, file, inner);
      last_docs_ = nullptr;
    } else if (auto* sp = dynamic_cast<P::TopSpiritContext*>(ctx)) {
      auto* decl = sp->spiritDecl();
      ast::OtherDecl other;
      other.kind = "spirit";
      other.name = qname(decl->qualifiedName()).text;
      other.span = span(decl);
      visibility(sp->visibility());
      for (auto* item : decl->spiritItem())
        if (auto* entry = dynamic_cast<P::SpiritEntryContext*>(item)) {
          ast::KeyValue kv;
          kv.key = ident(entry->ident());
          kv.value = expr(entry->expr());
          kv.span = span(entry);
          other.entries.push_back(std::move(kv));
        }
      file.others.push_back(std::move(other));
      last_docs_ = nullptr;
    } else if (auto* var = dynamic_cast<P::TopVarContext*>(ctx)) {
      auto* decl = var->varDecl();
      ast::OtherDecl other;
      other.kind = "var";
      other.name = prefixed(ident(decl->ident()));
      other.span = span(decl);
      visibility(var->visibility());
      file.others.push_back(std::move(other));
      last_docs_ = nullptr;
    } else if (auto* cf = dynamic_cast<P::TopConfigContext*>(ctx)) {
      auto* decl = cf->configDecl();
      ast::OtherDecl other;
      other.kind = "config";
      if (decl->ident()) other.name = ident(decl->ident());
      other.span = span(decl);
      for (auto* kv : decl->keyValue()) other.entries.push_back(key_value(kv));
      file.others.push_back(std::move(other));
      last_docs_ = nullptr;
    } else if (auto* ts = dynamic_cast<P::TopTestContext*>(ctx)) {
      auto* decl = ts->testDecl();
      ast::OtherDecl other;
      other.kind = "test";
      other.name = decl->ident() ? ident(decl->ident()) : unquote(decl->STRING()->getText());
      other.span = span(decl);
      file.others.push_back(std::move(other));
      last_docs_ = nullptr;
    } else if (auto* d = dynamic_cast<P::TopDocsContext*>(ctx)) {
      // A docs block right after a declaration's closing brace documents it.
      ast::Docs doc = docs(d->docsDecl());
      if (last_docs_) {
        std::optional<ast::Docs>* slot = last_docs_();
        if (!slot->has_value()) *slot = std::move(doc);
      } else {
        ast::OtherDecl other;
        other.kind = "docs";
        other.span = doc.span;
        file.others.push_back(std::move(other));
      }
      last_docs_ = nullptr;
    }
  }

  // A gene whose declaration does not parse still declares its name, so that
  // `on`, `requires`, `extends` and field types naming it are not reported as
  // unknown: one syntax error, no cascade (crdt.md). Read from the tokens,
  // since there is no tree: prefixes (`pub`, annotations), `gen`/`gene`, then
  // the dotted name and an optional `@ version`.
  void declare_incomplete_gene(antlr4::TokenStream& tokens, ast::File& file) {
    size_t i = 0, n = tokens.size();
    auto type_at = [&](size_t k) { return k < n ? tokens.get(k)->getType() : Token::EOF; };
    auto is_name = [&](size_t k) { return type_at(k) == P::ID || (type_at(k) >= P::MODULE && type_at(k) <= P::UNDERSCORE_PAT); };
    while (i < n) {  // skip `pub(..)`, `@name(..)`, `#[..]`
      size_t t = type_at(i);
      if (t == P::PUB || t == P::AT || t == P::AT_LEAD || t == P::HASH_LBRACK) {
        ++i;
        if (t == P::AT || t == P::AT_LEAD) ++i;  // the annotation's name
        if (type_at(i) == P::LPAREN || t == P::HASH_LBRACK) {
          int depth = 0;
          for (; i < n; ++i) {
            size_t b = type_at(i);
            if (b == P::LPAREN || b == P::LBRACK || b == P::HASH_LBRACK) ++depth;
            if ((b == P::RPAREN || b == P::RBRACK) && --depth <= 0) { ++i; break; }
          }
        }
        continue;
      }
      break;
    }
    if (type_at(i) != P::GEN && type_at(i) != P::GENE) return;
    if (!is_name(++i)) return;
    ast::Gene g;
    g.keyword = tokens.get(i - 1)->getText();
    Token* first = tokens.get(i);
    Token* last = first;
    g.name = first->getText();
    while (type_at(i + 1) == P::DOT && is_name(i + 2) &&
           tokens.get(i + 1)->getStartIndex() == last->getStopIndex() + 1) {
      last = tokens.get(i + 2);
      g.name += "." + last->getText();
      i += 2;
    }
    g.name_span = span(first, last);
    g.span = span(tokens.get(0), tokens.get(n > 1 ? n - 2 : 0));
    if (type_at(i + 1) == P::AT && type_at(i + 2) == P::VERSION) g.version = version_token(tokens.get(i + 2));
    g.incomplete = true;
    file.genes.push_back(std::move(g));
  }

  void module(P::ModuleDeclContext* ctx, ast::File& file) {
    file.module = qname(ctx->qualifiedName());
    if (ctx->VERSION()) file.module_version = version(ctx->VERSION());
  }

  void use(P::UseDeclContext* ctx, ast::File& file) {
    ast::Use u;
    u.span = span(ctx);
    P::UseItemsContext* items = nullptr;
    if (auto* ext = dynamic_cast<P::UseExternalContext*>(ctx)) {
      u.path = ext->EXTERNAL_SOURCE()->getText();
      if (!u.path.empty() && u.path.back() == '.') u.path.pop_back();  // `@org/pkg.{ A }`
      u.is_external = true;
      items = ext->useItems();
      u.visibility = visibility(ext->visibility());
    } else if (auto* m = dynamic_cast<P::UseModuleContext*>(ctx)) {
      // `local::lib::X` and `lib.X` name the same thing: the path is kept dotted.
      for (auto* id : m->usePath()->ident()) u.path += (u.path.empty() ? "" : ".") + ident(id);
      u.is_local = m->usePath()->COLONCOLON().size() > 0;
      u.is_glob = m->STAR() != nullptr;
      items = m->useItems();
      u.visibility = visibility(m->visibility());
    }
    if (items)  // `{ A as B }` imports A (B is only a local name)
      for (auto* item : items->useItem()) u.items.push_back(ident(item->ident(0)));
    file.uses.push_back(std::move(u));
  }

  static std::string unquote(const std::string& quoted) {
    if (quoted.size() < 2) return quoted;
    std::string out;
    for (size_t i = 1; i + 1 < quoted.size(); ++i) {
      char c = quoted[i];
      if (c != '\\' || i + 2 >= quoted.size()) {
        out += c;
        continue;
      }
      char n = quoted[++i];
      switch (n) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '0': out += '\0'; break;
        default: out += n; break;
      }
    }
    return out;
  }

  static std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
  }

  static int64_t parse_int(const std::string& text) {
    uint64_t v = 0;
    int base = 10;
    size_t i = 0;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) base = 16, i = 2;
    else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) base = 2, i = 2;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c == '_') continue;
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (d < 0 || d >= base) break;
      // Saturate instead of wrapping: the checker reports out-of-range values.
      if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return INT64_MAX;
      v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    return v > static_cast<uint64_t>(INT64_MAX) ? static_cast<int64_t>(v) : static_cast<int64_t>(v);
  }

 private:
  uint32_t byte_at(size_t codepoint_index) const {
    if (codepoint_index >= byte_of_.size()) return byte_of_.empty() ? 0 : byte_of_.back();
    return byte_of_[codepoint_index];
  }

  const SourceManager& sources_;
  FileId file_;
  const std::vector<uint32_t>& byte_of_;
  DiagnosticSink& diags_;
  std::function<std::optional<ast::Docs>*()> last_docs_;
};


// Marks each `@` that begins an annotation on a line of its own (its line
// starts after the previous token's last line) as AT_LEAD; see the grammar.
// Same-line `@`s stay AT: those after a field's type are its trailing
// annotations, decided by sameLine() as before. A version's `@` (`@ 1.0.0`,
// `@ ^0.9`) is never retyped.
void retype_leading_annotations(std::vector<std::unique_ptr<Token>>& tokens) {
  for (size_t i = 1; i + 1 < tokens.size(); ++i) {
    Token* tok = tokens[i].get();
    if (tok->getType() != P::AT) continue;
    size_t next = tokens[i + 1]->getType();
    if (next == P::VERSION || next == P::FLOAT || next == P::INT || next == P::CARET || next == P::TILDE) continue;
    Token* prev = tokens[i - 1].get();
    size_t prev_line = prev->getLine();
    for (char c : prev->getText())
      if (c == '\n') ++prev_line;
    if (tok->getLine() == prev_line) continue;
    if (auto* common = dynamic_cast<antlr4::CommonToken*>(tok)) common->setType(P::AT_LEAD);
  }
}

}  // namespace

ast::File parse_file(const SourceManager& sources, FileId file_id, DiagnosticSink& diags) {
  ast::File file;
  file.file = file_id;
  std::string text = sources.file(file_id).text();
  size_t bad_byte = sanitize_utf8(text);
  if (bad_byte != std::string::npos) {
    Span at{file_id, static_cast<uint32_t>(bad_byte), static_cast<uint32_t>(bad_byte + 1)};
    diags.report(Rule::SyntaxError, at, "the file is not valid UTF-8 (first bad byte here)",
                 {"save the file as UTF-8"});
  }
  std::vector<uint32_t> byte_of = code_point_offsets(text);

  antlr4::ANTLRInputStream input(text);
  dolc_antlr::DOLLexer lexer(&input);
  lexer.removeErrorListeners();
  std::vector<std::unique_ptr<Token>> tokens = lexer.getAllTokens();

  Builder builder(sources, file_id, byte_of, diags);
  std::vector<DeclarationChunk> chunks = split_declarations(tokens);

  for (size_t chunk_index = 0; chunk_index < chunks.size(); ++chunk_index) {
    DeclarationChunk& chunk = chunks[chunk_index];
    if (chunk.too_deep) {
      Token* at = chunk.tokens[chunk.deepest_token].get();
      if (chunk.too_deep_operators)
        diags.report(Rule::SyntaxError, builder.span(at, at),
                     "this declaration nests more than " + std::to_string(kMaxPrefixChain) +
                         " operators (`-`, `!`, `|x|`, `return`, `implies`, ...) inside one another",
                     {"split the expression into smaller parts (with `let`)"});
      else
        diags.report(Rule::SyntaxError, builder.span(at, at),
                     "this declaration nests brackets more than " + std::to_string(kMaxNesting) + " levels deep",
                     {"split the expression or type into smaller parts"});
      continue;
    }
    if (chunk.tokens.empty()) continue;
    // Tokens outside any declaration (a stray `}` or a word at the top level).
    if (!chunk.starts_declaration) {
      Token* first = chunk.tokens.front().get();
      diags.report(Rule::SyntaxError, builder.span(first, first),
                   "expected a declaration (`gen`, `trait`, `constraint`, `system`, `evo`, ...), found " +
                       found_display(first),
                   {"every top-level item starts with a keyword; check for a missing `{` or an extra `}` above"});
      continue;
    }
    retype_leading_annotations(chunk.tokens);
    // One attempt per pass; a failed attempt reports its first error, leaves
    // out the member or statement holding it, and parses again (recover.hpp).
    std::vector<std::unique_ptr<Token>>& all = chunk.tokens;
    std::vector<DeclarationChunk> pending_after;  // see RecoveryCut::tail
    std::vector<bool> kept(all.size(), true);
    std::vector<std::pair<size_t, size_t>> doomed;  // methods with a statement cut, [begin, end) in `all`
    bool cut_any = false;
    for (size_t attempt = 0;; ++attempt) {
      std::vector<std::unique_ptr<Token>> copies;
      std::vector<size_t> master_of;  // index in `copies` -> index in `all`
      for (size_t i = 0; i < all.size(); ++i) {
        if (!kept[i]) continue;
        copies.push_back(std::make_unique<antlr4::CommonToken>(all[i].get()));
        master_of.push_back(i);
      }
      antlr4::ListTokenSource source(std::move(copies));
      antlr4::CommonTokenStream stream(&source);
      GuardedParser parser(&stream);
      parser.removeErrorListeners();
      FirstError error;
      FirstErrorListener listener(&error);
      P::DeclarationContext* tree = nullptr;
      // Two-stage parsing: the fast SLL prediction with bail-out first; only a
      // declaration that fails it is parsed again with full LL and error
      // reporting (the usual ANTLR recipe; most declarations never need LL).
      parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
      parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
      Token* too_deep_at = nullptr;
      try {
        tree = parser.declaration();
      } catch (const NestingTooDeep& deep) {
        too_deep_at = deep.at;
      } catch (...) {
        tree = nullptr;
      }
      auto report_too_deep = [&](Token* at) {
        diags.report(Rule::SyntaxError, builder.span(at, at),
                     "this declaration nests expressions more than " + std::to_string(kMaxRuleDepth) +
                         " levels deep",
                     {"split the expression into smaller parts (with `let`)"});
      };
      if (too_deep_at != nullptr) {
        report_too_deep(too_deep_at);
        break;
      }
      if (tree == nullptr) {
        stream.seek(0);
        parser.reset();
        parser.reset_guard();
        parser.setErrorHandler(std::make_shared<FirstErrorStrategy>());
        parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
        parser.addErrorListener(&listener);
        try {
          tree = parser.declaration();
        } catch (const NestingTooDeep& deep) {
          // A syntax error found before the limit is the better message.
          if (!error.seen) too_deep_at = deep.at;
          tree = nullptr;
        } catch (const std::exception&) {
          // ANTLR reports through the listener first; an exception without a
          // reported error still means this declaration could not be read.
          if (!error.seen) {
            error.seen = true;
            error.offending = stream.size() > 0 ? stream.get(0) : nullptr;
          }
        }
      }
      if (too_deep_at != nullptr) {
        report_too_deep(too_deep_at);
        break;
      }
      if (error.seen || tree == nullptr) {
        Token* at = error.offending;
        // Leaves out the member or statement holding the error (recover.hpp)
        // and says whether parsing again can find more.
        std::optional<RecoveryCut> cut;
        if (attempt < kMaxRecoveries) {
          stream.fill();
          std::vector<Token*> view;
          for (size_t i = 0; i < stream.size() && stream.get(i)->getType() != Token::EOF; ++i) view.push_back(stream.get(i));
          size_t off = at == nullptr || at->getType() == Token::EOF ? view.size() : at->getTokenIndex();
          cut = recovery_cut(view, off, error.statement_start);
        }
        // The tokens after this declaration's end are later declarations
        // that the top-level split kept here while a bracket was open: the
        // error is not this declaration's. Parse them on their own, next.
        if (cut && cut->tail) {
          std::vector<std::unique_ptr<Token>> rest;
          for (size_t k = cut->begin; k < cut->end; ++k) {
            rest.push_back(std::make_unique<antlr4::CommonToken>(all[master_of[k]].get()));
            kept[master_of[k]] = false;
          }
          std::vector<DeclarationChunk> after = split_declarations(rest);
          // `chunk` and `all` stay valid: the new chunks are inserted after the loop's pass.
          pending_after = std::move(after);
          continue;
        }
        auto try_recovery = [&]() {
          if (!cut) return false;
          for (size_t k = cut->begin; k < cut->end; ++k) kept[master_of[k]] = false;
          if (cut->statement) doomed.emplace_back(master_of[cut->member_begin], master_of[cut->member_end - 1] + 1);
          cut_any = true;
          return true;
        };
        Span where;
        if (at == nullptr || at->getType() == Token::EOF) {
          Token* end = stream.size() > 1 ? stream.get(stream.size() - 2) : nullptr;
          where = builder.span(end, end);
          where.begin = where.end;
        } else {
          where = builder.span(at, at);
        }
        std::string message;
        std::string after = !error.previous_role.empty() ? " after " + error.previous_role
                            : error.previous && error.previous->getType() != Token::EOF
                                ? " after " + found_display(error.previous)
                                : std::string();
        std::vector<std::string> notes;
        if (at != nullptr && at->getType() == P::UNTERMINATED_STRING) {
          diags.report(Rule::SyntaxError, where, "this string has no closing `\"`",
                       {"add `\"` before the end of the line (strings do not span lines; use `\\n` for a newline)"});
          if (try_recovery()) continue;
          builder.declare_incomplete_gene(stream, file);
          break;
        }
        if (at == nullptr || at->getType() == Token::EOF) {
          message = "unexpected end of declaration" + after;
          notes.push_back("the declaration ends here; check for a missing `}` or `)`");
        } else if (std::string closer = missing_closer(stream, at);
                   !closer.empty() && !(error.expected.size() <= 4 && mentions_closer(error.expected))) {
          // Many tokens could continue the expression, but a different closing
          // bracket came: the useful news is the bracket that is still open.
          message = "expected " + closer + after + ", found " + found_display(at);
          notes.push_back("a bracket opened before this point is not closed");
        } else if (!error.expected.empty()) {
          message = "expected ";
          // Past five alternatives a list stops helping: the first four, then "...".
          size_t shown = error.expected.size() > 5 ? 4 : error.expected.size();
          for (size_t i = 0; i < shown; ++i) {
            if (i > 0) message += (i + 1 == shown && shown == error.expected.size()) ? " or " : ", ";
            message += error.expected[i];
          }
          if (shown < error.expected.size()) message += ", ...";
          // With the role of the previous token known the message says it all
          // ("expected `:` after field name `title`"); the caret shows the rest.
          message += after;
          if (error.previous_role.empty()) message += ", found " + found_display(at);
        } else {
          message = "unexpected " + found_display(at) + after;
        }
        diags.report(Rule::SyntaxError, where, message, notes);
        if (try_recovery()) continue;
        builder.declare_incomplete_gene(stream, file);
        break;
      }
      // Methods that had a statement cut go too, now that every error in them
      // has been reported: parse once more without them.
      if (!doomed.empty()) {
        for (auto [b, e] : doomed)
          for (size_t k = b; k < e; ++k) kept[k] = false;
        doomed.clear();
        continue;
      }
      size_t genes_before = file.genes.size();
      if (tree->moduleDecl()) {
        builder.module(tree->moduleDecl(), file);
      } else if (tree->useDecl()) {
        builder.use(tree->useDecl(), file);
      } else if (tree->topDecl()) {
        builder.top(tree->topDecl(), file, "");
      }
      // A gene that lost members to recovery: sema must not report uses of
      // them as unknown fields (their syntax error was the news).
      if (cut_any && file.genes.size() > genes_before) file.genes.back().incomplete = true;
      break;
    }
    if (!pending_after.empty())
      chunks.insert(chunks.begin() + static_cast<std::ptrdiff_t>(chunk_index) + 1,
                    std::make_move_iterator(pending_after.begin()), std::make_move_iterator(pending_after.end()));
  }
  return file;
}

}  // namespace dolc
