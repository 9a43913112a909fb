// compiler/sema/traits.cpp: what it takes for a gene to be a trait.
//
// A gene that says it is a trait (`gen x is t`, a `x is t` sentence, an
// `impl t for x`) implements it in every generated output (a TypeScript
// `implements`, a C++ base class, a WIT interface): so each method the trait
// declares, and each of the traits it `uses`, transitively, must be a method
// of the gene (its own, an `impl`'s, or an ancestor's through `extends`)
// with the trait's signature. A method the trait gives a body and the gene
// does not write is inherited: its body is checked again with the gene as
// `this`, and becomes the gene's method. A missing or differently typed
// method is `trait-not-implemented`.
//
// The standard library's traits (Syncable, OfflineCapable) describe what
// every generated document already offers through its built-in API; they
// are not checked here (ir::Trait::from_stdlib).
#include <algorithm>
#include <set>

#include "sema/checker.hpp"

namespace dolc::sema {

std::string signature_text(const ir::Method& m) {
  std::string out = "fun " + m.name + "(";
  for (size_t i = 0; i < m.params.size(); ++i)
    out += (i ? ", " : "") + m.params[i].name + ": " + m.params[i].type.canonical();
  out += ")";
  if (m.result.kind != ir::Type::Kind::Unit) out += " -> " + m.result.canonical();
  return out;
}

namespace {

// Whether a gene's `have` type is the trait's `want`: `Self` stands for the
// gene; type parameters, unresolved and opaque types accept anything (their
// errors, if any, were reported where they were written).
bool same_type(const ir::Type& want, const ir::Type& have, const ir::Gene& gene) {
  using K = ir::Type::Kind;
  if (want.kind == K::Self) return have.kind == K::Self || (have.kind == K::Gene && have.name == gene.name);
  if (want.kind == K::TypeParam || want.kind == K::Error || have.kind == K::Error || want.kind == K::Opaque ||
      have.kind == K::Opaque)
    return true;
  if (want.kind != have.kind || want.args.size() != have.args.size()) return false;
  for (size_t i = 0; i < want.args.size(); ++i)
    if (!same_type(want.args[i], have.args[i], gene)) return false;
  if (want.kind == K::Int || want.kind == K::Float) return want.bits == have.bits && want.is_signed == have.is_signed;
  if (want.kind == K::Gene || want.kind == K::Enum) return want.name == have.name;
  return true;
}

}  // namespace

void Checker::check_trait_impls() {
  // The AST of each trait, for the default bodies re-checked per gene.
  std::unordered_map<std::string, const ast::Trait*> ast_trait;
  for (const auto& lf : files_)
    for (const auto& t : lf.ast.traits) ast_trait.emplace(t.name, &t);
  for (auto& gene : schema_.genes) {
    if (gene.from_stdlib || gene.traits.empty()) continue;
    // The traits named, then those they use, each once, in that order.
    std::vector<const ir::Trait*> closure;
    std::set<std::string> seen;
    std::vector<std::string> todo = gene.traits;
    for (size_t i = 0; i < todo.size(); ++i) {
      auto it = trait_index_.find(todo[i]);
      if (it == trait_index_.end() || !seen.insert(todo[i]).second) continue;
      const ir::Trait& t = schema_.traits[it->second];
      if (t.from_stdlib) continue;
      closure.push_back(&t);
      todo.insert(todo.end(), t.uses.begin(), t.uses.end());
    }
    for (const ir::Trait* trait : closure) {
      for (size_t j = 0; j < trait->methods.size(); ++j) {
        const ir::Method& want = trait->methods[j];
        // The gene's own (and impl) methods, then its ancestors'.
        const ir::Method* have = nullptr;
        for (const ir::Gene* g = &gene; g && !have;) {
          for (const auto& m : g->methods)
            if (m.name == want.name) { have = &m; break; }
          auto parent = g->extends.empty() ? gene_index_.end() : gene_index_.find(g->extends);
          g = parent == gene_index_.end() || &schema_.genes[parent->second] == g ? nullptr
                                                                                  : &schema_.genes[parent->second];
        }
        if (have) {
          bool same = have->params.size() == want.params.size() && same_type(want.result, have->result, gene);
          for (size_t k = 0; same && k < want.params.size(); ++k)
            same = same_type(want.params[k].type, have->params[k].type, gene);
          if (!same)
            diags_.report(Rule::TraitNotImplemented, have->name_span,
                          "method `" + want.name + "` of gene `" + gene.name + "` does not have the signature trait `" +
                              trait->name + "` declares",
                          {"the trait declares `" + signature_text(want) + "`",
                           "the gene declares `" + signature_text(*have) + "`"});
          continue;
        }
        const ast::Trait* at = ast_trait.count(trait->name) ? ast_trait.at(trait->name) : nullptr;
        if (want.body && at && j < at->methods.size()) {
          ir::Method inherited = check_method(at->methods[j], &gene, gene.type_params);
          inherited.from_impl = trait->name;
          gene.methods.push_back(std::move(inherited));
          continue;
        }
        diags_.report(Rule::TraitNotImplemented, gene.name_span,
                      "gene `" + gene.name + "` is `" + trait->name + "` but has no method `" + want.name + "`",
                      {"add `" + signature_text(want) + " { ... }` to the gene, or give the trait's method a body"});
      }
    }
  }
}

}  // namespace dolc::sema
