// compiler/sema/calls.cpp: the number of arguments of calls in method
// bodies (type-mismatch). Two kinds of callee are known exactly: a method of
// a gene (`this.react(e)`, `this.profile.rename(n)`, a method of an object a
// gene-typed local names) and an operation of a CRDT field
// (`this.likes.increment(1)`), whose arguments lower/methods.cpp reads by
// position, ignoring extra ones and failing the build (not-compiled) on
// missing ones. Anything else (bare calls, built-ins, methods of plain
// values, names that are no method or operation) is not judged here.
//
// It runs once every gene's method list is complete (Checker::run): bodies
// are typed while the list is still being built, so a call of a method
// declared later, or inherited from a trait, is only known afterwards.
#include <functional>

#include "ir/strategies.hpp"
#include "sema/checker.hpp"

namespace dolc::sema {

namespace {

using K = ir::Type::Kind;
using EK = ir::Expr::Kind;

std::string arguments(size_t n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); }

using CallFn = std::function<void(const ir::Expr&)>;
void each_call_in(const ir::Stmt& s, const CallFn& f);

// Every call in an expression, statements and match arms included.
void each_call(const ir::Expr& e, const CallFn& f) {
  if (e.kind == EK::Call || e.kind == EK::MethodCall) f(e);
  for (const auto& c : e.children) each_call(c, f);
  for (const auto& s : e.stmts) each_call_in(s, f);
  for (const auto& a : e.arms) {
    if (a.guard) each_call(*a.guard, f);
    each_call(a.body, f);
  }
}

void each_call_in(const ir::Stmt& s, const CallFn& f) {
  if (s.expr) each_call(*s.expr, f);
  for (const auto& b : s.body) each_call_in(b, f);
}

}  // namespace

void Checker::check_call_arities() {
  std::set<std::pair<uint32_t, uint32_t>> seen;  // a trait's default body is checked once per gene: report once
  for (const auto& g : schema_.genes)
    for (const auto& m : g.methods)
      if (m.body) each_call(*m.body, [&](const ir::Expr& call) { check_call_arity(g, call, seen); });
}

// `call` inside a method of `gene`.
void Checker::check_call_arity(const ir::Gene& gene, const ir::Expr& call,
                               std::set<std::pair<uint32_t, uint32_t>>& seen) {
  if (call.children.empty()) return;
  size_t given = call.children.size() - 1;  // children[0]: the callee or the receiver
  const ir::Expr& recv = call.children[0];
  auto report = [&](const std::string& message, const std::string& note) {
    if (seen.insert({call.span.file, call.span.begin}).second)
      diags_.report(Rule::TypeMismatch, call.span, message, {note});
  };
  // The field the receiver names (`this.f`, `f`, `x.f` for an object `x`).
  const ir::Field* field = nullptr;
  if (call.kind == EK::MethodCall && recv.ref == ir::Expr::Ref::GeneField) {
    const ir::Gene* owner = &gene;
    if (recv.kind == EK::Field && recv.children.size() == 1 && recv.children[0].ref != ir::Expr::Ref::SelfValue)
      owner = recv.children[0].type.kind == K::Gene ? gene_by_name(recv.children[0].type.name) : nullptr;
    field = owner ? owner->field(recv.field) : nullptr;
  }
  // A gene method: called on `this`, or on an object of a gene (a
  // nested field or a local), but not on a register holding a gene value,
  // whose calls are the register's operations (as lower/methods.cpp reads them).
  // A bare `m(args)` is not judged: DOL code calls free functions that way
  // (`sqrt(x)`, `pow(r, n)` in the corpus's `Complex`, beside its own
  // `fun sqrt()`), so the name alone does not say which is meant.
  if (call.kind != EK::MethodCall) return;
  const ir::Gene* callee_gene = nullptr;
  const std::string& name = call.text;
  if (recv.ref == ir::Expr::Ref::SelfValue) {
    callee_gene = &gene;
  } else if (recv.type.kind == K::Gene && (!field || field->nested_gene)) {
    callee_gene = gene_by_name(recv.type.name);
  }
  if (callee_gene) {
    for (const auto& m : callee_gene->methods) {
      if (m.name != name) continue;
      if (m.params.size() != given)
        report("`" + name + "` is called with " + arguments(given) + ", but method `" + name + "` of gene `" +
                   callee_gene->name + "` takes " + std::to_string(m.params.size()),
               "it is declared `" + signature_text(m) + "`: pass one argument per parameter");
      return;
    }
    return;
  }
  if (!field || field->nested_gene || field->type.kind == K::Error || field->type.kind == K::TypeParam) return;
  // The field operations a body may call are strategies.def's DOLC_BODY_OP
  // rows, which lower/methods.cpp lowers: it reads the arguments by
  // position and ignores extra ones, so a wrong count is caught here or not
  // at all. A name without a row is no operation of the field (the build
  // reports such a call as not-compiled).
  const ir::BodyOpInfo* op = ir::find_body_op(ir::field_shape(*field), name);
  if (!op) return;
  if (given < op->min_args || given > op->max_args)
    report("`." + name + "()` is called with " + arguments(given) + ", but on the " +
               ir::strategy_name(field->strategy) + " field `" + field->name + "` it takes " +
               (op->min_args == op->max_args ? std::to_string(op->min_args)
                                             : std::to_string(op->min_args) + " or " + std::to_string(op->max_args)),
           "call it as `" + std::string(sources_.text(recv.span)) + "." + op->usage + "`");
}

}  // namespace dolc::sema
