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
// * Versions (docs/evolution-checks.md): the evolutions of a gene form one
//   chain, each `evo g @ TO > FROM` starting where the previous one ends, the
//   newest ending at the gene's declared version (at the newest step's version
//   when the gene declares none). plan_evolutions() reports what breaks that
//   shape (backwards, overlapping, duplicated steps, gaps, a chain that runs
//   past or stops short of the gene) and keeps the linked part of the chain.
// * Field names per version: walking back from the declared gene, undoing
//   each step (drop `adds`, restore `removes`, reverse `renames`) gives the
//   fields of every version; where the same check run declares the gene at an
//   older version too (Schema::gene_versions), that declaration is the truth
//   for its version. Each step is then replayed forwards from the version
//   before it: `adds` of a field that exists, `removes`/`renames` of one that
//   does not, and names no version has are reported per version; where the
//   replay ends at a declared version with other fields than it declares,
//   `evolution-version-mismatch` names the step or item that disagrees.
// * Evolutions outside the linked chain (no versions: the 2.0 form; or
//   excluded by a version error) may name the gene's fields plus every field
//   added, renamed, removed or deprecated by any evolution of it.
#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_set>

#include "ir/evolution_rules.hpp"
#include "ir/strategies.hpp"
#include "sema/checker.hpp"

namespace dolc::sema {

namespace {

using S = ir::Strategy;
using Safety = ir::EvolutionChange::Safety;

using ir::strategy_change_safety;
using ir::type_change_safety;

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

int version_cmp(const ir::Version& a, const ir::Version& b) {
  return version_less(a, b) ? -1 : version_less(b, a) ? 1 : 0;
}

ir::Version ir_version(const ast::Version& v) {
  ir::Version out;
  out.major = v.major;
  out.minor = v.minor;
  out.patch = v.patch;
  out.text = v.text.empty() ? std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch)
                            : v.text;
  return out;
}

std::string vtext(const ir::Version& v) {
  return v.present() ? v.text : std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch);
}

std::string next_minor(const ir::Version& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor + 1) + ".0";
}

// "evo g @ 1.1.0 > 1.0.0", as users write it (`evolves` is the same keyword).
std::string evo_title(const ast::Evolution& ev) {
  return "evo " + ev.name + " @ " + ev.to_version->text + " > " + ev.from_version->text;
}

// The two versions of `evo g @ TO > FROM`.
Span versions_span(const ast::Evolution& ev) {
  Span s = ev.to_version->span;
  if (ev.from_version->span.valid() && ev.from_version->span.file == s.file) s.end = ev.from_version->span.end;
  return s.valid() ? s : ev.name_span;
}

// The field names of one version, in declaration order.
using Names = std::vector<std::string>;

bool has(const Names& names, const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); }

void erase(Names& names, const std::string& n) { names.erase(std::remove(names.begin(), names.end(), n), names.end()); }

Names field_names(const ir::Gene& g) {
  Names out;
  for (const auto& f : g.fields) out.push_back(f.name);
  return out;
}

// The names before one evolution, from the names after it.
Names undo(Names names, const ast::Evolution& ev) {
  using K = ast::EvolutionItem::Kind;
  for (auto it = ev.items.rbegin(); it != ev.items.rend(); ++it) {
    if (it->kind == K::Adds && it->field) erase(names, it->field->name);
    if (it->kind == K::Removes && !has(names, it->name)) names.push_back(it->name);
    if (it->kind == K::Renames) {
      auto pos = std::find(names.begin(), names.end(), it->new_name);
      if (has(names, it->name)) {
        if (pos != names.end()) names.erase(pos);
      } else if (pos != names.end()) {
        *pos = it->name;
      } else {
        names.push_back(it->name);
      }
    }
  }
  return names;
}

std::string strategy_code(std::optional<S> s) {  // as written, for inside backticks
  return s ? std::string("@crdt(") + ir::strategy_name(*s) + ")" : std::string("");
}

std::string strategy_words(std::optional<S> s) {
  return s ? "`" + strategy_code(s) + "`" : std::string("no `@crdt`");
}

std::optional<S> declared_strategy(const ir::Field& f) {
  return f.strategy_explicit ? std::optional<S>(f.strategy) : std::nullopt;
}

}  // namespace

void Checker::plan_evolutions() {
  struct Step {
    const ast::Evolution* ev;
    ir::Version from, to;
  };
  std::unordered_map<std::string, std::vector<Step>> by_gene;
  std::vector<std::string> genes;
  for (size_t f = 0; f < files_.size(); ++f)
    for (const auto& ev : files_[f].ast.evolutions) {
      if (!ev.to_version || !ev.from_version) continue;
      std::string gene = gene_name({ev.name, ev.name_span}, files_[f].module, "evolution", false);
      if (gene.empty() || !gene_index_.count(gene)) continue;  // unknown-declaration, in check_evolutions
      auto& steps = by_gene[gene];
      if (steps.empty()) genes.push_back(gene);
      steps.push_back({&ev, ir_version(*ev.from_version), ir_version(*ev.to_version)});
    }
  std::stable_sort(genes.begin(), genes.end(),
                   [&](const std::string& a, const std::string& b) { return gene_index_.at(a) < gene_index_.at(b); });

  for (const auto& gene : genes) {
    const ir::Gene& decl = *gene_by_name(gene);
    std::string declared_at = location(decl.name_span);
    std::vector<Step> valid;
    bool excluded = false;  // a step left out for its versions: the chain's end says little then
    for (const auto& s : by_gene[gene]) {
      if (version_cmp(s.to, s.from) < 0) {
        diags_.report(Rule::EvolutionVersionOrder, versions_span(*s.ev),
                      "`" + evo_title(*s.ev) + "` goes from " + s.from.text + " back to the older " + s.to.text +
                          ": the version after `@` is the new one",
                      {"write the newer version first: `evo " + s.ev->name + " @ " + s.from.text + " > " + s.to.text + "`"});
        excluded = true;
        continue;
      }
      if (version_cmp(s.to, s.from) == 0) {
        diags_.report(Rule::EvolutionVersionOrder, versions_span(*s.ev),
                      "`" + evo_title(*s.ev) + "` goes from " + s.from.text + " to the same version",
                      {"an evolution leads to a newer version: `evo " + s.ev->name + " @ " + next_minor(s.from) + " > " +
                       s.from.text + "`, with the gene declared at that version"});
        excluded = true;
        continue;
      }
      valid.push_back(s);
    }
    std::stable_sort(valid.begin(), valid.end(), [](const Step& a, const Step& b) {
      int c = version_cmp(a.from, b.from);
      return c != 0 ? c < 0 : version_cmp(a.to, b.to) < 0;
    });
    std::vector<Step> chain;
    for (const auto& s : valid) {
      if (!chain.empty()) {
        const Step& p = chain.back();
        if (version_cmp(s.from, p.from) == 0 && version_cmp(s.to, p.to) == 0) {
          diags_.report(Rule::DuplicateDeclaration, versions_span(*s.ev),
                        "evolution `" + evo_title(*s.ev) + "` is declared twice",
                        {"first declared at " + location(p.ev->span) + "; merge the two into one `evo`"});
          continue;
        }
        if (version_cmp(s.from, p.to) < 0) {
          std::vector<std::string> notes = {"`" + evo_title(*p.ev) + "` is declared at " + location(p.ev->span)};
          notes.push_back("the evolutions of a gene form one chain, each starting at the version the previous one ends at" +
                          (version_cmp(s.to, p.to) > 0
                               ? ": here `evo " + s.ev->name + " @ " + s.to.text + " > " + p.to.text + "`"
                               : std::string()));
          diags_.report(Rule::EvolutionVersionOrder, versions_span(*s.ev),
                        "`" + evo_title(*s.ev) + "` overlaps `" + evo_title(*p.ev) + "`: both describe the changes after " +
                            (version_cmp(s.from, p.from) > 0 ? s.from.text : p.from.text),
                        notes);
          excluded = true;
          continue;
        }
      }
      chain.push_back(s);
    }
    ir::Version declared = decl.version;
    if (declared.present()) {
      std::vector<Step> kept;
      for (const auto& s : chain) {
        if (version_cmp(s.to, declared) > 0) {
          diags_.report(Rule::EvolutionVersionMismatch, versions_span(*s.ev),
                        "`" + evo_title(*s.ev) + "` leads to " + s.to.text + ", but gene `" + gene +
                            "` is declared at " + declared.text,
                        {"gene `" + gene + "` @ " + declared.text + " is declared at " + declared_at +
                         "; declare it at " + s.to.text + " with the fields this evolution leads to, or correct the "
                         "evolution's versions"});
          continue;
        }
        kept.push_back(s);
      }
      chain = std::move(kept);
    }
    for (size_t i = 1; i < chain.size(); ++i) {
      const Step& p = chain[i - 1];
      const Step& s = chain[i];
      if (version_cmp(s.from, p.to) <= 0) continue;
      diags_.report(Rule::EvolutionChainGap, versions_span(*s.ev),
                    "the evolutions of `" + gene + "` skip from " + p.to.text + " to " + s.from.text +
                        ": no `evo` describes the changes between them",
                    {"the previous step, `" + evo_title(*p.ev) + "`, is declared at " + location(p.ev->span),
                     "add `evo " + gene + " @ " + s.from.text + " > " + p.to.text +
                         " { ... }` listing the changes (an empty body if nothing changed)"});
    }
    if (declared.present() && !excluded && !chain.empty() && version_cmp(chain.back().to, declared) < 0) {
      const Step& s = chain.back();
      diags_.report(Rule::EvolutionVersionMismatch, versions_span(*s.ev),
                    "the newest evolution of `" + gene + "` ends at " + s.to.text + ", but the gene is declared at " +
                        declared.text,
                    {"gene `" + gene + "` @ " + declared.text + " is declared at " + declared_at + "; add `evo " + gene +
                     " @ " + declared.text + " > " + s.to.text + " { ... }` for the changes since " + s.to.text +
                     ", or correct the versions"});
    }
    EvoChain linked;
    linked.declared = declared.present() ? declared : (chain.empty() ? ir::Version{} : chain.back().to);
    if (!chain.empty() && version_cmp(chain.back().to, linked.declared) == 0) {
      size_t first = chain.size() - 1;
      while (first > 0 && version_cmp(chain[first - 1].to, chain[first].from) == 0) --first;
      for (size_t k = first; k < chain.size(); ++k) {
        linked.steps.push_back(chain[k].ev);
        chained_evos_.insert(chain[k].ev);
      }
    }
    if (!linked.steps.empty()) {
      evo_chains_[gene] = std::move(linked);
      evo_chain_genes_.push_back(gene);
    }
  }

  // Older declarations of a gene: kept where the linked chain starts a step
  // at their version, a duplicate declaration otherwise.
  std::map<std::tuple<std::string, uint32_t, uint32_t, uint32_t>, Span> seen;
  std::vector<std::pair<std::tuple<size_t, uint32_t, uint32_t, uint32_t>, ir::Gene>> kept;
  for (const auto& o : older_genes_) {
    const ast::Gene& g = files_[o.file].ast.genes[o.index];
    const std::string& gene = o.newest->name;
    ir::Version w = ir_version(*g.version), v = ir_version(*o.newest->version);
    auto [it, inserted] = seen.emplace(std::make_tuple(gene, w.major, w.minor, w.patch), g.name_span);
    if (!inserted) {
      diags_.report(Rule::DuplicateDeclaration, g.name_span,
                    "gene `" + g.name + "` @ " + w.text + " is declared twice",
                    {"first declared at " + location(it->second) + "; rename or remove one"});
      continue;
    }
    auto chain = evo_chains_.find(gene);
    bool linked = false;
    ir::Version next = v;  // the version an `evo` from w would lead to
    if (chain != evo_chains_.end())
      for (const auto* ev : chain->second.steps) {
        ir::Version from = ir_version(*ev->from_version);
        if (version_cmp(from, w) == 0) linked = true;
        if (version_cmp(from, w) > 0 && version_cmp(from, next) < 0) next = from;
      }
    if (!linked || !gene_index_.count(gene)) {
      diags_.report(Rule::DuplicateDeclaration, g.name_span,
                    "gene `" + g.name + "` is declared at " + w.text + " and at " + v.text +
                        ", and no `evo` links the two versions",
                    {"the newest declaration (" + v.text + ", at " + location(o.newest->name_span) + ") is the gene",
                     "describe the changes with `evo " + g.name + " @ " + next.text + " > " + w.text +
                         " { ... }`, or remove the older declaration"});
      continue;
    }
    kept.emplace_back(std::make_tuple(gene_index_.at(gene), w.major, w.minor, w.patch), build_gene_version(o.file, o.index));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& k : kept) schema_.gene_versions.push_back(std::move(k.second));
}

void Checker::check_evolution_chain(const std::string& gene_name_) {
  using K = ast::EvolutionItem::Kind;
  const EvoChain& chain = evo_chains_.at(gene_name_);
  const ir::Gene* gene = gene_by_name(gene_name_);
  if (!gene || chain.steps.empty()) return;
  const std::string& g = gene->name;
  size_t n = chain.steps.size();
  // versions[k]: the version before step k; versions[n]: the gene's.
  std::vector<ir::Version> versions(n + 1);
  for (size_t k = 0; k < n; ++k) versions[k] = ir_version(*chain.steps[k]->from_version);
  versions[n] = chain.declared;
  // Declarations along the chain: the gene, and older declarations kept in gene_versions.
  std::vector<const ir::Gene*> declared(n + 1, nullptr);
  declared[n] = gene;
  for (size_t k = 0; k < n; ++k)
    for (const auto& old : schema_.gene_versions)
      if (old.name == g && version_cmp(old.version, versions[k]) == 0) declared[k] = &old;
  // Field names at each version: a declaration's, or undone from the next version's.
  std::vector<Names> names(n + 1);
  names[n] = field_names(*gene);
  for (size_t k = n; k-- > 0;) names[k] = declared[k] ? field_names(*declared[k]) : undo(names[k + 1], *chain.steps[k]);

  auto what = [&](size_t k) {  // "gene `g` @ 1.1.0"
    return "gene `" + g + "` @ " + vtext(versions[k]);
  };
  auto where = [&](size_t k) {
    return what(k) + " is declared at " + location(declared[k]->name_span);
  };
  auto unknown = [&](const std::string& name, Span span, const Names& at, size_t k) {
    std::vector<std::string> notes = did_you_mean(name, at);
    notes.push_back(at.empty() ? "`" + g + "` has no fields at " + vtext(versions[k])
                               : "fields of `" + g + "` at " + vtext(versions[k]) + ": " + join(at, ", "));
    diags_.report(Rule::UnknownField, span, "gene `" + g + "` has no field `" + name + "` at " + vtext(versions[k]),
                  notes);
  };

  // Replay the steps forwards, from each known version (a declaration, or the
  // reconstruction of the oldest version) to the next declaration.
  for (size_t k = 0; k < n;) {
    size_t j = k + 1;
    while (!declared[j]) ++j;
    Names state = names[k];
    bool item_errors = false;
    std::unordered_map<std::string, const ast::EvolutionItem*> introduced, dropped;
    std::unordered_map<std::string, const ast::Evolution*> added_by;
    for (size_t s = k; s < j; ++s) {
      const ast::Evolution& ev = *chain.steps[s];
      Names before = state;
      for (const auto& item : ev.items) {
        if (item.kind == K::Adds && item.field) {
          const std::string& f = item.field->name;
          if (has(state, f)) {
            auto by = added_by.find(f);
            std::string note = by != added_by.end() && by->second != &ev
                                   ? "`" + f + "` was added by `" + evo_title(*by->second) + "` at " + location(by->second->span)
                               : declared[s] && has(names[s], f) && &ev == chain.steps[k]
                                   ? where(s)
                                   : "`" + f + "` is already a field at " + vtext(versions[s]);
            diags_.report(Rule::DuplicateField, item.field->name_span,
                          "gene `" + g + "` already has a field `" + f + "` at " + vtext(versions[s]),
                          {note, "remove this line; to change the existing field, write `changes " + f + " from ... to ...`"});
            item_errors = true;
            continue;
          }
          state.push_back(f);
          introduced[f] = &item;
          dropped.erase(f);
          added_by[f] = &ev;
        } else if (item.kind == K::Removes) {
          if (!has(state, item.name)) {
            unknown(item.name, item.span, state, s);
            item_errors = true;
            continue;
          }
          erase(state, item.name);
          dropped[item.name] = &item;
          introduced.erase(item.name);
          added_by.erase(item.name);
        } else if (item.kind == K::Renames) {
          if (!has(state, item.name)) {
            unknown(item.name, item.span, state, s);
            item_errors = true;
            continue;
          }
          if (has(state, item.new_name)) {
            diags_.report(Rule::DuplicateField, item.span,
                          "cannot rename `" + item.name + "` to `" + item.new_name + "`: gene `" + g +
                              "` already has a field `" + item.new_name + "` at " + vtext(versions[s]),
                          {"pick another name, or remove `" + item.new_name + "` first (`removes " + item.new_name + "`)"});
            item_errors = true;
            continue;
          }
          *std::find(state.begin(), state.end(), item.name) = item.new_name;
          dropped[item.name] = &item;
          introduced.erase(item.name);
          introduced[item.new_name] = &item;
          dropped.erase(item.new_name);
          added_by.erase(item.name);
        }
      }
      // `changes`, `deprecates` and `migrate` name a field of either side of the step.
      for (const auto& item : ev.items) {
        if (item.kind != K::Changes && item.kind != K::Deprecates && item.kind != K::Migrate) continue;
        if (!has(before, item.name) && !has(state, item.name)) {
          unknown(item.name, item.span, before, s);
          item_errors = true;
        }
      }
      auto agree = [&](const ir::Field& f, const std::string& side) {
        auto st = declared_strategy(f);
        return st ? "write `changes " + f.name + " " + side + " " + strategy_code(st) + "`, or correct the declaration"
                  : "the declaration has no `@crdt` on `" + f.name + "`: annotate it there, or correct this line";
      };
      // `changes` against the declarations at either end of the step.
      const ir::Gene* from_decl = s == k ? declared[s] : nullptr;
      const ir::Gene* to_decl = s + 1 == j ? declared[j] : nullptr;
      for (const auto& item : ev.items) {
        if (item.kind != K::Changes) continue;
        std::string old_name = item.name;  // its name before the step
        for (const auto& r : ev.items)
          if (r.kind == K::Renames && r.new_name == item.name) old_name = r.name;
        const ir::Field* old_field = from_decl ? from_decl->field(from_decl->field(item.name) ? item.name : old_name) : nullptr;
        const ir::Field* new_field = to_decl ? to_decl->field(item.name) : nullptr;
        if (old_field && item.from && strategy_of(item.from) != declared_strategy(*old_field)) {
          diags_.report(Rule::EvolutionVersionMismatch, item.from->span,
                        "`changes " + item.name + " from " + strategy_code(strategy_of(item.from)) + "`, but " + what(s) +
                            " declares `" + old_field->name + "` with " + strategy_words(declared_strategy(*old_field)),
                        {where(s), agree(*old_field, "from")});
          item_errors = true;
        }
        if (new_field && item.to && strategy_of(item.to) != declared_strategy(*new_field)) {
          diags_.report(Rule::EvolutionVersionMismatch, item.to->span,
                        "`changes " + item.name + " ... to " + strategy_code(strategy_of(item.to)) + "`, but " + what(j) +
                            " declares `" + new_field->name + "` with " + strategy_words(declared_strategy(*new_field)),
                        {where(j), agree(*new_field, "... to")});
          item_errors = true;
        }
        std::vector<std::string> tp = gene->type_params;
        if (old_field && item.from_type) {
          ir::Type t = resolve_type(*item.from_type, tp, false);
          if (t.kind != ir::Type::Kind::Error && old_field->type.kind != ir::Type::Kind::Error && t != old_field->type) {
            diags_.report(Rule::EvolutionVersionMismatch, item.from_type->span,
                          "`changes " + item.name + " from " + t.canonical() + "`, but " + what(s) + " declares `" +
                              old_field->name + ": " + old_field->type.canonical() + "`",
                          {where(s), "make the two types agree"});
            item_errors = true;
          }
        }
        if (new_field && item.to_type) {
          ir::Type t = resolve_type(*item.to_type, tp, false);
          if (t.kind != ir::Type::Kind::Error && new_field->type.kind != ir::Type::Kind::Error && t != new_field->type) {
            diags_.report(Rule::EvolutionVersionMismatch, item.to_type->span,
                          "`changes " + item.name + " ... to " + t.canonical() + "`, but " + what(j) + " declares `" +
                              new_field->name + ": " + new_field->type.canonical() + "`",
                          {where(j), "make the two types agree"});
            item_errors = true;
          }
        }
      }
    }
    // The replay must arrive at the declared fields.
    if (!item_errors) {
      const ir::Gene& target = *declared[j];
      const ast::Evolution& last = *chain.steps[j - 1];
      std::unordered_set<const ast::EvolutionItem*> reported;
      bool header_reported = false;
      auto at_header = [&](const std::string& message, const std::string& fix) {
        if (header_reported) return;
        header_reported = true;
        std::vector<std::string> notes;
        if (declared[k]) notes.push_back(where(k));
        notes.push_back(where(j));
        notes.push_back(fix);
        diags_.report(Rule::EvolutionVersionMismatch, versions_span(last), message, notes);
      };
      for (const auto& f : state) {
        if (has(names[j], f)) continue;
        if (auto it = introduced.find(f); it != introduced.end()) {
          if (!reported.insert(it->second).second) continue;
          const auto& item = *it->second;
          std::string line = item.kind == K::Adds ? "adds " + f : "renames " + item.name + " -> " + f;
          diags_.report(Rule::EvolutionVersionMismatch, item.span,
                        "`" + line + "`, but " + what(j) + " has no field `" + f + "`",
                        {where(j), item.kind == K::Adds ? "declare `" + f + "` there, or remove this line"
                                                        : "rename the field there too, or correct this line"});
        } else {
          at_header(what(k) + " has the field `" + f + "` and @ " + vtext(versions[j]) +
                        " does not, but no evolution removes it",
                    "add `removes " + f + "` (or `renames " + f + " -> ...`) to `" + evo_title(last) + "`");
        }
      }
      for (const auto& f : names[j]) {
        if (has(state, f)) continue;
        if (auto it = dropped.find(f); it != dropped.end()) {
          if (!reported.insert(it->second).second) continue;
          const auto& item = *it->second;
          std::string line = item.kind == K::Removes ? "removes " + f : "renames " + f + " -> " + item.new_name;
          diags_.report(Rule::EvolutionVersionMismatch, item.span,
                        "`" + line + "`, but " + what(j) + " still has the field `" + f + "`",
                        {where(j), item.kind == K::Removes ? "remove `" + f + "` there, or remove this line"
                                                           : "rename the field there too, or correct this line"});
        } else {
          const ir::Field* field = target.field(f);
          std::string decl = field ? std::string(field->strategy_explicit ? std::string("@crdt(") +
                                                                                 ir::strategy_name(field->strategy) + ") "
                                                                           : "") +
                                         f + ": " + field->type.canonical()
                                   : f;
          at_header(what(j) + " has the field `" + f + "`, but no evolution from " + vtext(versions[k]) + " adds it",
                    "add `adds " + decl + "` to `" + evo_title(last) + "`");
        }
      }
    }
    k = j;
  }
}

// Every evolution: first each is declared (target gene, versions) and the
// field names any evolution of a gene mentions are collected; then each
// item is checked by the handler of its kind, migration bodies first (the
// changes refer to them); then the version chains.
void Checker::check_evolutions() {
  std::vector<PendingEvolution> pending;
  std::unordered_map<std::string, std::unordered_set<std::string>> known_fields;  // gene -> names from evolutions
  for (size_t f = 0; f < files_.size(); ++f)
    for (const auto& ev : files_[f].ast.evolutions) {
      ir::Evolution out = declare_evolution(ev, files_[f].module, known_fields);
      pending.push_back({&ev, files_[f].module, schema_.evolutions.size()});
      schema_.evolutions.push_back(std::move(out));
    }

  for (const auto& p : pending) {
    const ast::Evolution& ev = *p.ast;
    ir::Evolution& out = schema_.evolutions[p.index];
    EvolutionScope es;
    es.gene = out.gene.empty() ? nullptr : gene_by_name(out.gene);
    es.known = es.gene ? &known_fields[out.gene] : nullptr;
    es.chained = chained_evos_.count(&ev) > 0;  // names checked per version by check_evolution_chain
    check_migrations(ev, es, out);
    std::unordered_set<std::string> migrated;
    for (const auto& item : ev.items)
      if (item.kind == ast::EvolutionItem::Kind::Migrate) migrated.insert(item.name);
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
            ch.added = check_field(*item.field, es.gene ? es.gene->type_params : std::vector<std::string>{}, es.gene);
          }
          break;
        case ast::EvolutionItem::Kind::Removes:
          ch.kind = ir::EvolutionChange::Kind::Removes;
          check_evo_removal(item, pending, p.index);
          break;
        case ast::EvolutionItem::Kind::Renames:
          ch.kind = ir::EvolutionChange::Kind::Renames;
          ch.new_name = item.new_name;
          evolution_field_known(item.name, item.span, es);
          break;
        case ast::EvolutionItem::Kind::Deprecates:
          ch.kind = ir::EvolutionChange::Kind::Deprecates;
          evolution_field_known(item.name, item.span, es);
          break;
        case ast::EvolutionItem::Kind::Changes: check_evo_change(item, es, ch, out); break;
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
  for (const auto& gene : evo_chain_genes_) check_evolution_chain(gene);
}

// An evolution's name, versions and target: the gene named, or (2.0 form)
// the gene it evolves from. Adds the field names it mentions to
// known_fields[gene].
ir::Evolution Checker::declare_evolution(
    const ast::Evolution& ev, const std::string& module,
    std::unordered_map<std::string, std::unordered_set<std::string>>& known_fields) {
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
  out.gene = gene_name({ev.name, ev.name_span}, module, "evolution", false);
  if (out.gene.empty() && ev.from_name) out.gene = gene_name(*ev.from_name, module, "evolution", false);
  if (out.gene.empty()) {
    std::vector<std::string> notes = did_you_mean(ev.name, gene_names_);
    notes.push_back("an evolution describes a declared gene; declare it, or `use` the module that declares it");
    diags_.report(Rule::UnknownDeclaration, ev.from_name ? ev.from_name->span : ev.name_span,
                  "evolution `" + ev.name + "` targets unknown gene `" + (ev.from_name ? ev.from_name->text : ev.name) + "`",
                  notes);
    return out;
  }
  auto& known = known_fields[out.gene];
  for (const auto& item : ev.items) {
    if (item.kind == ast::EvolutionItem::Kind::Adds && item.field) known.insert(item.field->name);
    if (item.kind == ast::EvolutionItem::Kind::Renames) known.insert(item.name), known.insert(item.new_name);
    if (item.kind == ast::EvolutionItem::Kind::Removes || item.kind == ast::EvolutionItem::Kind::Deprecates)
      known.insert(item.name);
  }
  return out;
}

// Whether an evolution outside a version chain may name field `name`: a
// field of the gene or one any evolution of it mentions. Reports
// unknown-field otherwise.
bool Checker::evolution_field_known(const std::string& name, Span span, const EvolutionScope& es) {
  const ir::Gene* gene = es.gene;
  if (es.chained || !gene || gene->field(name) || es.known->count(name)) return true;
  if (incomplete_genes_.count(gene->name)) return false;  // its syntax error was reported already
  std::vector<std::string> names;
  for (const auto& f : gene->fields) names.push_back(f.name);
  std::vector<std::string> notes = did_you_mean(name, names);
  notes.push_back("fields of `" + gene->name + "`: " + join(names, ", "));
  diags_.report(Rule::UnknownField, span, "gene `" + gene->name + "` has no field `" + name + "`", notes);
  return false;
}

// `migrate f { body }`: `old` is the previous document, and the body must
// compute the same value on every replica.
void Checker::check_migrations(const ast::Evolution& ev, const EvolutionScope& es, ir::Evolution& out) {
  for (const auto& item : ev.items) {
    if (item.kind != ast::EvolutionItem::Kind::Migrate || !item.expr) continue;
    evolution_field_known(item.name, item.span, es);
    Scope scope;
    scope.gene = es.gene;
    scope.in_migration = true;
    scope.extra_fields = es.known;
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
}

// `removes f` loses data unless an older evolution of the same gene
// deprecated f first.
void Checker::check_evo_removal(const ast::EvolutionItem& item, const std::vector<PendingEvolution>& pending,
                                size_t index) {
  const ir::Evolution& out = schema_.evolutions[index];
  bool deprecated = false;
  for (const auto& q : pending) {
    const ir::Evolution& other = schema_.evolutions[q.index];
    if (q.index == index || other.gene != out.gene) continue;
    bool older = out.to_version.present() && other.to_version.present() ? version_less(other.to_version, out.to_version)
                                                                        : q.index < index;
    if (!older) continue;
    for (const auto& oi : q.ast->items)
      if (oi.kind == ast::EvolutionItem::Kind::Deprecates && oi.name == item.name) deprecated = true;
  }
  if (!deprecated)
    diags_.report(Rule::EvolutionDataLoss, item.span,
                  "`removes " + item.name + "` drops the field and its data without an earlier deprecation",
                  {"first ship a version with `deprecates " + item.name +
                   "` so that readers can move off it, then remove it"});
}

// `changes f from T to U` and `changes f from @crdt(a) to @crdt(b)` (both in
// one item records two changes): crdt.md's table says which are safe, which
// need a `migrate` body and which are unsafe.
void Checker::check_evo_change(const ast::EvolutionItem& item, const EvolutionScope& es, ir::EvolutionChange& ch,
                               ir::Evolution& out) {
  evolution_field_known(item.name, item.span, es);
  if (item.from_type || item.to_type) {
    ch.kind = ir::EvolutionChange::Kind::ChangesType;
    std::vector<std::string> tp = es.gene ? es.gene->type_params : std::vector<std::string>{};
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
  if (!item.from && !item.to) return;
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
                      : ir::strategy_info(*ch.to_strategy).once ? "an immutable field cannot take the values replicas already changed"
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

}  // namespace dolc::sema
