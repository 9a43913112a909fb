// compiler/sema/evolutions.cpp: evolutions of a gene between versions, and
// crdt.md's table of safe, unsafe and migration-needing changes.
//
// Decisions (documented here because crdt.md leaves them open):
// * Unsafe strategy changes (X -> immutable, peritext -> lww/immutable,
//   or_set -> pn_counter, removing @crdt, unrelated strategies) are errors
//   even with a `migrate` body: a migration converts the value once, it
//   cannot give the old merge semantics back.
// * Type changes: widening an integer, or T -> Option<T>, is safe; a
//   conversion between scalars (and string <-> RichText) needs a migrate body
//   (`evolution-missing-migration`); anything else is unsafe unless a migrate
//   body computes the new value.
// * The fields an evolution may name are those of the gene as declared plus
//   every field added, renamed, removed or deprecated by any evolution of it
//   (the declared gene may be the newest or an older version).
#include <algorithm>
#include <unordered_set>

#include "sema/checker.hpp"

namespace dolc::sema {

namespace {

using S = ir::Strategy;
using Safety = ir::EvolutionChange::Safety;

Safety strategy_change_safety(std::optional<S> from, std::optional<S> to) {
  if (!to) return from ? Safety::Unsafe : Safety::Safe;  // removing @crdt
  if (!from) return Safety::Safe;                         // adding @crdt to a field that was lww
  if (*from == *to) return Safety::Safe;
  if (*to == S::Immutable) return Safety::Unsafe;
  if (*from == S::Immutable && (*to == S::Lww || *to == S::MvRegister)) return Safety::Safe;
  if (*from == S::Lww && *to == S::MvRegister) return Safety::Safe;
  if (*from == S::Lww && *to == S::Peritext) return Safety::NeedsMigration;
  if (*from == S::OrSet && *to == S::Rga) return Safety::NeedsMigration;
  return Safety::Unsafe;
}

bool int_widening(const ir::Type& a, const ir::Type& b) {
  return a.kind == ir::Type::Kind::Int && b.kind == ir::Type::Kind::Int && b.bits >= a.bits &&
         (a.is_signed == b.is_signed || (!a.is_signed && b.is_signed && b.bits > a.bits));
}

Safety type_change_safety(const ir::Type& from, const ir::Type& to) {
  using K = ir::Type::Kind;
  if (from.kind == K::Error || to.kind == K::Error || from == to) return Safety::Safe;
  if (int_widening(from, to)) return Safety::Safe;
  if (from.kind == K::Float && to.kind == K::Float && to.bits >= from.bits) return Safety::Safe;
  if (to.kind == K::Option && !to.args.empty() && to.args[0] == from) return Safety::Safe;
  bool from_text = from.kind == K::String || from.kind == K::RichText;
  bool to_text = to.kind == K::String || to.kind == K::RichText;
  if ((from.is_scalar() || from_text) && (to.is_scalar() || to_text)) return Safety::NeedsMigration;
  return Safety::Unsafe;
}

const char* const kNondeterministic[] = {"now", "random", "uuid", "env"};

void find_nondeterministic(const ir::Expr& e, std::vector<const ir::Expr*>& out) {
  if (e.kind == ir::Expr::Kind::Call && !e.children.empty() && e.children[0].kind == ir::Expr::Kind::Name &&
      e.children[0].ref == ir::Expr::Ref::Builtin &&
      std::find(std::begin(kNondeterministic), std::end(kNondeterministic), e.children[0].text) !=
          std::end(kNondeterministic))
    out.push_back(&e);
  for (const auto& c : e.children) find_nondeterministic(c, out);
  for (const auto& s : e.stmts) {
    if (s.expr) find_nondeterministic(*s.expr, out);
  }
  for (const auto& a : e.arms) find_nondeterministic(a.body, out);
}

bool version_less(const ir::Version& a, const ir::Version& b) {
  return std::tie(a.major, a.minor, a.patch) < std::tie(b.major, b.minor, b.patch);
}

std::optional<S> strategy_of(const std::optional<ast::Annotation>& ann) {
  if (!ann || ann->name != "crdt") return std::nullopt;
  for (const auto& a : ann->args)
    if (a.key.empty()) return ir::strategy_from_name(a.value.text);
  return std::nullopt;
}

}  // namespace

void Checker::check_evolutions() {
  struct Pending {
    const ast::Evolution* ast;
    std::string module;
    size_t index;  // into schema_.evolutions
  };
  std::vector<Pending> pending;
  std::unordered_map<std::string, std::unordered_set<std::string>> known_fields;  // gene -> names from evolutions
  for (size_t f = 0; f < files_.size(); ++f) {
    for (const auto& ev : files_[f].ast.evolutions) {
      ir::Evolution out;
      out.name = ev.name;
      out.span = ev.span;
      out.docs = ev.docs ? ev.docs->text : "";
      if (ev.to_version) out.to_version.text = ev.to_version->text, out.to_version.major = ev.to_version->major,
                         out.to_version.minor = ev.to_version->minor, out.to_version.patch = ev.to_version->patch;
      if (ev.from_version) out.from_version.text = ev.from_version->text,
                           out.from_version.major = ev.from_version->major,
                           out.from_version.minor = ev.from_version->minor,
                           out.from_version.patch = ev.from_version->patch;
      if (ev.from_name) out.from_name = ev.from_name->text;
      // Target: the gene named, or (2.0 form) the gene it evolves from.
      out.gene = gene_name({ev.name, ev.name_span}, files_[f].module, "evolution", false);
      if (out.gene.empty() && ev.from_name) out.gene = gene_name(*ev.from_name, files_[f].module, "evolution", false);
      if (out.gene.empty()) {
        std::string best = closest_match(ev.name, gene_names_);
        std::vector<std::string> notes;
        if (!best.empty()) notes.push_back("did you mean `" + best + "`?");
        notes.push_back("an evolution describes a declared gene; declare it, or `use` the module that declares it");
        diags_.report(Rule::UnknownDeclaration, ev.from_name ? ev.from_name->span : ev.name_span,
                      "evolution `" + ev.name + "` targets unknown gene `" + (ev.from_name ? ev.from_name->text : ev.name) + "`",
                      notes);
      } else {
        auto& known = known_fields[out.gene];
        for (const auto& item : ev.items) {
          if (item.kind == ast::EvolutionItem::Kind::Adds && item.field) known.insert(item.field->name);
          if (item.kind == ast::EvolutionItem::Kind::Renames) known.insert(item.name), known.insert(item.new_name);
          if (item.kind == ast::EvolutionItem::Kind::Removes || item.kind == ast::EvolutionItem::Kind::Deprecates)
            known.insert(item.name);
        }
      }
      pending.push_back({&ev, files_[f].module, schema_.evolutions.size()});
      schema_.evolutions.push_back(std::move(out));
    }
  }

  for (const auto& p : pending) {
    const ast::Evolution& ev = *p.ast;
    ir::Evolution& out = schema_.evolutions[p.index];
    const ir::Gene* gene = out.gene.empty() ? nullptr : gene_by_name(out.gene);
    const auto* known = gene ? &known_fields[out.gene] : nullptr;
    auto field_known = [&](const std::string& name, Span span) {
      if (!gene || gene->field(name) || known->count(name)) return true;
      std::vector<std::string> names;
      for (const auto& f : gene->fields) names.push_back(f.name);
      std::string best = closest_match(name, names);
      std::vector<std::string> notes;
      if (!best.empty()) notes.push_back("did you mean `" + best + "`?");
      notes.push_back("fields of `" + gene->name + "`: " + join(names, ", "));
      diags_.report(Rule::UnknownField, span, "gene `" + gene->name + "` has no field `" + name + "`", notes);
      return false;
    };
    std::unordered_set<std::string> migrated;
    for (const auto& item : ev.items)
      if (item.kind == ast::EvolutionItem::Kind::Migrate) migrated.insert(item.name);
    // Migration bodies first: they are referenced by the changes.
    for (const auto& item : ev.items) {
      if (item.kind != ast::EvolutionItem::Kind::Migrate || !item.expr) continue;
      field_known(item.name, item.span);
      Scope scope;
      scope.gene = gene;
      scope.in_migration = true;
      scope.extra_fields = known;
      ir::Migration m{item.name, check_expr(*item.expr, scope), item.span};
      std::vector<const ir::Expr*> bad;
      find_nondeterministic(m.body, bad);
      for (const ir::Expr* call : bad)
        diags_.report(Rule::EvolutionNondeterministicMigration, call->span,
                      "migration of `" + item.name + "` calls `" + call->children[0].text +
                          "()`, so replicas would compute different values",
                      {"every replica must compute the same migration: use fixed values (the evolution's "
                       "`actor_id:` and `timestamp:`) or values from `old`"});
      out.migrations.push_back(std::move(m));
    }
    for (const auto& item : ev.items) {
      ir::EvolutionChange ch;
      ch.span = item.span;
      ch.field = item.name;
      ch.has_migration = migrated.count(item.name) > 0;
      switch (item.kind) {
        case ast::EvolutionItem::Kind::Adds:
          ch.kind = ir::EvolutionChange::Kind::Adds;
          if (item.field) {
            ch.field = item.field->name;
            ch.added = check_field(*item.field, gene ? gene->type_params : std::vector<std::string>{}, gene);
          }
          break;
        case ast::EvolutionItem::Kind::Removes: {
          ch.kind = ir::EvolutionChange::Kind::Removes;
          // Deprecated in an older evolution of the same gene?
          bool deprecated = false;
          for (const auto& q : pending) {
            const ir::Evolution& other = schema_.evolutions[q.index];
            if (q.index == p.index || other.gene != out.gene) continue;
            bool older = out.to_version.present() && other.to_version.present()
                             ? version_less(other.to_version, out.to_version)
                             : q.index < p.index;
            if (!older) continue;
            for (const auto& oi : q.ast->items)
              if (oi.kind == ast::EvolutionItem::Kind::Deprecates && oi.name == item.name) deprecated = true;
          }
          if (!deprecated)
            diags_.report(Rule::EvolutionDataLoss, item.span,
                          "`removes " + item.name + "` drops the field and its data without an earlier deprecation",
                          {"first ship a version with `deprecates " + item.name +
                           "` so that readers can move off it, then remove it"});
          break;
        }
        case ast::EvolutionItem::Kind::Renames:
          ch.kind = ir::EvolutionChange::Kind::Renames;
          ch.new_name = item.new_name;
          field_known(item.name, item.span);
          break;
        case ast::EvolutionItem::Kind::Deprecates:
          ch.kind = ir::EvolutionChange::Kind::Deprecates;
          field_known(item.name, item.span);
          break;
        case ast::EvolutionItem::Kind::Changes: {
          field_known(item.name, item.span);
          if (item.from_type || item.to_type) {
            ch.kind = ir::EvolutionChange::Kind::ChangesType;
            std::vector<std::string> tp = gene ? gene->type_params : std::vector<std::string>{};
            if (item.from_type) ch.from_type = resolve_type(*item.from_type, tp);
            if (item.to_type) ch.to_type = resolve_type(*item.to_type, tp);
            if (ch.from_type && ch.to_type) ch.safety = type_change_safety(*ch.from_type, *ch.to_type);
            std::string what = "changing `" + item.name + "` from `" + (ch.from_type ? ch.from_type->canonical() : "?") +
                               "` to `" + (ch.to_type ? ch.to_type->canonical() : "?") + "`";
            if (ch.safety == Safety::NeedsMigration && !ch.has_migration)
              diags_.report(Rule::EvolutionMissingMigration, item.span, what + " needs a conversion, and no `migrate " +
                                                                            item.name + "` body is given",
                            {"add `migrate " + item.name + " { ... }` computing the new value from `old." + item.name + "`"});
            if (ch.safety == Safety::Unsafe && !ch.has_migration)
              diags_.report(Rule::EvolutionUnsafeMigration, item.span, what + " is incompatible and would lose its data",
                            {"add `migrate " + item.name + " { ... }` computing the new value, or add a new field instead"});
          }
          if (item.from || item.to) {
            if (ch.kind == ir::EvolutionChange::Kind::ChangesType) {  // both kinds in one item: record the strategy too
              out.changes.push_back(ch);
              ch.from_type.reset();
              ch.to_type.reset();
            }
            ch.kind = ir::EvolutionChange::Kind::ChangesStrategy;
            ch.from_strategy = strategy_of(item.from);
            ch.to_strategy = strategy_of(item.to);
            ch.safety = strategy_change_safety(ch.from_strategy, ch.to_strategy);
            auto name = [](std::optional<S> s) { return s ? std::string("`") + ir::strategy_name(*s) + "`" : std::string("no `@crdt`"); };
            Span span = item.to ? item.to->span : item.span;
            if (ch.safety == Safety::Unsafe) {
              std::string why = !ch.to_strategy ? "removing `@crdt` leaves the field's merge undefined for old replicas"
                                : *ch.to_strategy == S::Immutable ? "an immutable field cannot take the values replicas already changed"
                                : "the two strategies keep different data, so the change loses data or meaning";
              diags_.report(Rule::EvolutionUnsafeMigration, span,
                            "changing `" + item.name + "` from " + name(ch.from_strategy) + " to " + name(ch.to_strategy) +
                                " is unsafe: " + why,
                            {"keep the old strategy, or add a new field with the new strategy and migrate into it"});
            } else if (ch.safety == Safety::NeedsMigration && !ch.has_migration) {
              diags_.report(Rule::EvolutionMissingMigration, span,
                            "changing `" + item.name + "` from " + name(ch.from_strategy) + " to " + name(ch.to_strategy) +
                                " needs a conversion, and no `migrate " + item.name + "` body is given",
                            {std::string("add `migrate ") + item.name + " { " +
                             (ch.to_strategy == S::Peritext ? "from_text(old." + item.name + ")" : "old." + item.name) + " }`"});
            }
          }
          break;
        }
        case ast::EvolutionItem::Kind::Migrate: continue;
        case ast::EvolutionItem::Kind::Because: out.because = item.text; continue;
        case ast::EvolutionItem::Kind::Meta:
          out.meta.emplace_back(item.text, item.expr ? std::string(sources_.text(item.expr->span)) : "");
          continue;
        case ast::EvolutionItem::Kind::Sentence:
          ch.kind = ir::EvolutionChange::Kind::Sentence;
          ch.words = item.words;
          break;
      }
      out.changes.push_back(std::move(ch));
    }
  }
}

}  // namespace dolc::sema
