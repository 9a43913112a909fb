// compiler/sema/constraints.cpp: constraints (inline `rule`s and top-level
// `constraint`s), their target gene, their clauses, and the two CRDT rules:
// `constraint-crdt-conflict` (never-changes on a field that can change; a
// method that changes an immutable field) and `constraint-needs-coordination`
// (invariants that merging cannot keep: a bound on a pn_counter that
// concurrent operations can cross, uniqueness across instances, a condition
// over two genes that would need an atomic change of both).
#include <algorithm>

#include "ir/strategies.hpp"
#include "sema/checker.hpp"

namespace dolc::sema {

namespace {

bool mentions_unique(const std::vector<std::string>& words) {
  for (const auto& w : words)
    if (w == "unique" || w == "uniquely" || w == "distinct" || w.rfind("unique_", 0) == 0) return true;
  return false;
}

// Field names (of `gene`) a condition reads, and other genes it names.
void collect_refs(const ir::Expr& e, std::vector<std::string>& fields, std::vector<const ir::Expr*>& calls) {
  if (e.ref == ir::Expr::Ref::GeneField && !e.field.empty()) fields.push_back(e.field);
  if (e.kind == ir::Expr::Kind::Call || e.kind == ir::Expr::Kind::MethodCall) calls.push_back(&e);
  for (const auto& c : e.children) collect_refs(c, fields, calls);
}

// `k` or `-k`, an integer literal: its value in *v.
bool small_literal(const ir::Expr& e, int64_t* v) {
  if (e.kind == ir::Expr::Kind::Int) return *v = e.int_value, true;
  if (e.kind == ir::Expr::Kind::Unary && e.text == "-" && e.children.size() == 1 &&
      e.children[0].kind == ir::Expr::Kind::Int && e.children[0].int_value != INT64_MIN)
    return *v = -e.children[0].int_value, true;
  return false;
}

}  // namespace

void Checker::check_constraints() {
  for (size_t f = 0; f < files_.size(); ++f) {
    for (const auto& g : files_[f].ast.genes)
      if (!g.enum_variants && ast_gene_[g.name] == &g)
        for (const auto& c : g.constraints) check_constraint(c, files_[f].module, g.name);
    for (const auto& c : files_[f].ast.constraints) check_constraint(c, files_[f].module, "");
  }
  check_method_immutability();
}

// A constraint: its target gene, then each item by its kind. Items that are
// clauses (all but `on_violation:`) are kept in order, and a clause whose
// condition reads another gene's fields needs coordination.
void Checker::check_constraint(const ast::Constraint& c, const std::string& module, const std::string& inline_gene) {
  ir::Constraint out;
  out.name = inline_gene.empty() ? c.name : inline_gene + "." + c.name;
  out.span = c.span;
  out.is_inline = !inline_gene.empty();
  if (c.version) out.version.text = c.version->text;
  out.docs = c.docs ? c.docs->text : "";

  std::string target = constraint_target(c, module, inline_gene);
  if (target.empty()) return;  // reported
  out.gene = target;
  ir::Gene* gene = &schema_.genes[gene_index_.at(target)];

  for (const auto& item : c.items) {
    ir::ConstraintClause cl;
    cl.span = item.span;
    Scope scope;
    scope.gene = gene;
    scope.bare_names_are_fields = true;
    bool keep = true;
    switch (item.kind) {
      case ast::ConstraintItem::Kind::OnViolation:
        check_violation_policy(item, out);
        keep = false;
        break;
      case ast::ConstraintItem::Kind::NeverChanges: keep = check_never_changes(c, item, *gene, scope, cl); break;
      case ast::ConstraintItem::Kind::Always:
      case ast::ConstraintItem::Kind::Require: keep = check_invariant(c, item, *gene, scope, cl); break;
      case ast::ConstraintItem::Kind::Sentence: check_predicate(c, item, cl); break;
    }
    if (!keep) continue;
    if (cl.expr && !cl.needs_coordination) check_cross_gene(c, item, *gene, cl);
    out.clauses.push_back(std::move(cl));
  }
  gene->constraints.push_back(out.name);
  schema_.constraints.push_back(std::move(out));
}

// The gene a constraint applies to (language.md, "Constraints"): the gene it
// is written in, its `on` gene, or the one gene its namespace and subjects
// point to. "" after reporting when there is none, or several.
std::string Checker::constraint_target(const ast::Constraint& c, const std::string& module,
                                       const std::string& inline_gene) {
  if (!inline_gene.empty()) return inline_gene;
  if (c.on) return gene_name(*c.on, module, "`on`");
  std::string ns = c.name.find('.') == std::string::npos ? "" : c.name.substr(0, c.name.rfind('.'));
  std::vector<std::string> subjects;
  for (const auto& item : c.items) {
    if (item.kind == ast::ConstraintItem::Kind::NeverChanges) subjects.push_back(item.subject);
    if (item.kind == ast::ConstraintItem::Kind::Sentence && !item.words.empty()) subjects.push_back(item.words[0]);
  }
  std::vector<std::string> in_namespace;
  for (const auto& g : schema_.genes)
    if (!ns.empty() && (g.name == ns || g.name.rfind(ns + ".", 0) == 0)) in_namespace.push_back(g.name);
  std::vector<std::string> by_subject;
  for (const auto& name : in_namespace)
    for (const auto& s : subjects)
      if ((name == s || last_segment(name) == s) &&
          std::find(by_subject.begin(), by_subject.end(), name) == by_subject.end())
        by_subject.push_back(name);
  if (by_subject.size() == 1) return by_subject[0];
  if (by_subject.empty() && gene_by_name(ns)) return ns;
  if (by_subject.empty() && in_namespace.size() == 1) return in_namespace[0];
  const auto& candidates = by_subject.empty() ? in_namespace : by_subject;
  diags_.report(Rule::UnknownDeclaration, c.name_span,
                candidates.empty() ? "constraint `" + c.name + "` applies to no gene: namespace `" + ns +
                                         "` holds no gene"
                                   : "constraint `" + c.name + "` could apply to several genes: " +
                                         join(candidates, ", "),
                {"say which gene with `constraint " + c.name + " on GENE { ... }`"});
  return "";
}

// `on_violation: policy`.
void Checker::check_violation_policy(const ast::ConstraintItem& item, ir::Constraint& out) {
  if (item.word == "reject_operation") out.on_violation = ir::ViolationPolicy::RejectOperation;
  else if (item.word == "flag_for_review") out.on_violation = ir::ViolationPolicy::FlagForReview;
  else if (item.word == "auto_adjust") out.on_violation = ir::ViolationPolicy::AutoAdjust;
  else {
    std::string hint = did_you_mean_text(item.word, {"reject_operation", "flag_for_review", "auto_adjust"});
    diags_.report(Rule::CrdtInvalidOption, item.span, "unknown `on_violation` policy `" + item.word + "`",
                  {hint.empty() ? "use `reject_operation`, `flag_for_review` or `auto_adjust`" : hint});
  }
  out.on_violation_explicit = true;
}

// `x never changes f`: f must exist, and be immutable. false when the field
// is unknown (reported; no clause).
bool Checker::check_never_changes(const ast::Constraint& c, const ast::ConstraintItem& item, const ir::Gene& gene,
                                  Scope& scope, ir::ConstraintClause& cl) {
  cl.kind = ir::ConstraintClause::Kind::NeverChanges;
  cl.field = item.field;
  const ir::Field* field = gene.field(item.field);
  if (!field) {
    ast::Expr name;
    name.kind = ast::Expr::Kind::Name;
    name.text = item.field;
    name.span = item.span;
    check_expr(name, scope);  // reports unknown-field with a suggestion
    return false;
  }
  if (!ir::strategy_info(field->strategy).once) {  // strategies.def's ONCE
    diags_.report(Rule::ConstraintCrdtConflict, item.span,
                  "constraint `" + c.name + "` says `" + item.field + "` never changes, but it merges by `" +
                      ir::strategy_name(field->strategy) + "`, which lets replicas change it",
                  {"declare the field `@crdt(immutable)`, or drop the never-changes clause"});
  }
  return true;
}

// `f always OP rhs` and `require: cond`: a boolean condition, checked at run
// time; bounds on counters and uniqueness need coordination. false when the
// item has no condition (no clause).
bool Checker::check_invariant(const ast::Constraint& c, const ast::ConstraintItem& item, const ir::Gene& gene,
                              Scope& scope, ir::ConstraintClause& cl) {
  cl.kind = ir::ConstraintClause::Kind::Invariant;
  cl.needs_runtime_check = true;
  if (item.kind == ast::ConstraintItem::Kind::Always && item.lhs && item.expr) {
    cl.op = item.op;
    cl.lhs = check_expr(*item.lhs, scope);
    cl.rhs = check_expr(*item.expr, scope);
    if (cl.lhs->ref == ir::Expr::Ref::GeneField) cl.field = cl.lhs->field;
    if (!assignable(cl.rhs->type, cl.lhs->type, &*cl.rhs) && !assignable(cl.lhs->type, cl.rhs->type, &*cl.lhs))
      diags_.report(Rule::TypeMismatch, item.span,
                    "cannot compare `" + cl.lhs->type.canonical() + "` with `" + cl.rhs->type.canonical() + "`",
                    {"both sides of `" + item.op + "` must have the same type"});
    // The whole condition as one expression, for back ends.
    ir::Expr whole;
    whole.kind = ir::Expr::Kind::Binary;
    whole.text = item.op;
    whole.span = item.span;
    whole.type = ir::Type::make(ir::Type::Kind::Bool);
    whole.children = {*cl.lhs, *cl.rhs};
    cl.expr = std::move(whole);
  } else if (item.expr) {
    cl.expr = check_expr(*item.expr, scope);
    expect_type(*cl.expr, ir::Type::make(ir::Type::Kind::Bool), "the condition of constraint `" + c.name + "`");
    const ir::Expr& x = *cl.expr;
    if (x.kind == ir::Expr::Kind::Binary && x.children.size() == 2) {
      cl.op = x.text;
      cl.lhs = x.children[0];
      cl.rhs = x.children[1];
      if (cl.lhs->ref == ir::Expr::Ref::GeneField) cl.field = cl.lhs->field;
    }
  } else {
    return false;
  }
  // Coordination analysis.
  std::vector<std::string> fields;
  std::vector<const ir::Expr*> calls;
  collect_refs(*cl.expr, fields, calls);
  bool bound = cl.op == ">=" || cl.op == ">" || cl.op == "<=" || cl.op == "<";
  for (const auto& name : fields) {
    const ir::Field* fld = gene.field(name);
    // strategies.def's ADDS: concurrent changes add up, so a bound each
    // replica keeps locally can be crossed by the merge.
    if (bound && fld && ir::strategy_info(fld->strategy).adds) {
      bool lower = (cl.field == name) == (cl.op == ">=" || cl.op == ">");
      // An escrow counter never goes below its `min_value` on any
      // replica (crdt.md): `field >= k` with k <= min_value (or `>` with
      // k < min_value) holds without coordination.
      int64_t k = 0;
      if (lower && fld->options.escrow && fld->options.min_value && cl.field == name && cl.rhs &&
          small_literal(*cl.rhs, &k) && (cl.op == ">=" ? k <= *fld->options.min_value : k < *fld->options.min_value))
        continue;
      cl.needs_coordination = true;
      diags_.report(Rule::ConstraintNeedsCoordination, item.span,
                    std::string("constraint `") + c.name + "` puts a" + (lower ? " lower" : "n upper") +
                        " bound on `" + ir::strategy_name(fld->strategy) + "` field `" + name + "`, which concurrent " +
                        (lower ? "decrements" : "increments") + " on different replicas can cross",
                    {"keep the bound with an escrow/bounded counter (per-replica rights), or coordinate at the "
                     "host before the operation; the generated code checks it locally and after each merge"});
      break;
    }
  }
  for (const ir::Expr* call : calls) {
    std::string callee = call->kind == ir::Expr::Kind::MethodCall ? call->text
                                                                   : (call->children.empty() ? "" : call->children[0].text);
    if (!cl.needs_coordination && mentions_unique({callee})) {
      cl.needs_coordination = true;
      diags_.report(Rule::ConstraintNeedsCoordination, item.span,
                    "constraint `" + c.name + "` requires uniqueness across instances, which replicas "
                    "creating instances concurrently cannot see",
                    {"coordinate at the host (a registry or a server that assigns names), or derive the "
                     "value from a unique id"});
    }
  }
  return true;
}

// A sentence kept as a named predicate; uniqueness, or a relation between
// two genes, needs coordination.
void Checker::check_predicate(const ast::Constraint& c, const ast::ConstraintItem& item, ir::ConstraintClause& cl) {
  cl.kind = ir::ConstraintClause::Kind::Predicate;
  cl.words = item.words;
  if (mentions_unique(item.words)) {
    // `column_order has no_duplicates` is kept by a set; uniqueness of a value across instances is not.
    cl.needs_coordination = true;
    diags_.report(Rule::ConstraintNeedsCoordination, item.span,
                  "constraint `" + c.name + "` requires uniqueness across instances (`" + join(item.words, " ") +
                      "`), which merging cannot keep",
                  {"coordinate at the host (a registry or a server that assigns names), or derive the value "
                   "from a unique id"});
    return;
  }
  // Several genes named in one sentence: a change that must be atomic across genes.
  std::vector<std::string> genes_named;
  for (const auto& w : item.words) {
    const DeclRef* d = decls_.count(w) ? &decls_.at(w).front() : nullptr;
    if (d && d->kind == DeclKind::Gene) {
      std::string n = files_[d->file].ast.genes[d->index].name;
      if (std::find(genes_named.begin(), genes_named.end(), n) == genes_named.end()) genes_named.push_back(n);
    }
  }
  if (genes_named.size() >= 2) {
    cl.needs_coordination = true;
    diags_.report(Rule::ConstraintNeedsCoordination, item.span,
                  "constraint `" + c.name + "` relates genes " + join(genes_named, " and ") +
                      ", which would need an atomic change of two documents",
                  {"keep both values in one gene, or coordinate the change at the host"});
  }
}

// A condition that reads another gene's fields (`other.gene.f`): an atomic
// change of two genes. Scans the source expression for `GeneName.field`.
void Checker::check_cross_gene(const ast::Constraint& c, const ast::ConstraintItem& item, const ir::Gene& gene,
                               ir::ConstraintClause& cl) {
  std::vector<const ast::Expr*> stack;
  const ast::Expr* src = item.kind == ast::ConstraintItem::Kind::Always ? (item.lhs ? &*item.lhs : nullptr)
                                                                        : (item.expr ? &*item.expr : nullptr);
  if (src) stack.push_back(src);
  if (item.kind == ast::ConstraintItem::Kind::Always && item.expr) stack.push_back(&*item.expr);
  while (!stack.empty()) {
    const ast::Expr* x = stack.back();
    stack.pop_back();
    if (x->kind == ast::Expr::Kind::Field && !x->children.empty() && x->children[0].kind == ast::Expr::Kind::Name) {
      const std::string& root = x->children[0].text;
      const ir::Gene* other = gene_by_name(root);
      if (other && other->name != gene.name && !gene.field(root)) {
        cl.needs_coordination = true;
        diags_.report(Rule::ConstraintNeedsCoordination, item.span,
                      "constraint `" + c.name + "` relates `" + gene.name + "` and `" + other->name +
                          "`, which would need an atomic change of two genes",
                      {"keep both values in one gene, or coordinate the change at the host"});
        break;
      }
    }
    for (const auto& ch : x->children) stack.push_back(&ch);
  }
}

// A method that assigns (or calls a mutating method on) an immutable field can
// only fail at run time once the field is set: reported as a conflict between
// the method and the field's strategy.
void Checker::check_method_immutability() {
  for (const auto& g : schema_.genes) {
    for (const auto& m : g.methods) {
      for (const auto& name : m.mutated_fields) {
        const ir::Field* f = g.field(name);
        if (!f || !ir::strategy_info(f->strategy).once || !f->strategy_explicit) continue;
        diags_.report(Rule::ConstraintCrdtConflict, m.name_span,
                      "method `" + m.name + "` changes `" + name + "`, which is `immutable` in gene `" + g.name + "`",
                      {"an immutable field is set once; make it `lww` if it must change, or remove the change"});
      }
    }
  }
}

}  // namespace dolc::sema
