// compiler/sema/systems.cpp: systems (requires with versions, genes:,
// traits, sync_policy, the closure of genes one module compiles) and the list
// of declarations `dolc build` reads but does not compile (`not-compiled`).
#include <algorithm>
#include <tuple>
#include <unordered_set>

#include "sema/checker.hpp"

namespace dolc::sema {

namespace {

bool satisfies(const ir::Version& have, const std::string& op, const ir::Version& want) {
  auto h = std::tie(have.major, have.minor, have.patch);
  auto w = std::tie(want.major, want.minor, want.patch);
  if (op == ">=") return h >= w;
  if (op == ">") return h > w;
  if (op == "=" || op == "==") return h == w;
  if (op == "<=") return h <= w;
  if (op == "<") return h < w;
  return true;
}

}  // namespace

void Checker::check_systems() {
  for (size_t f = 0; f < files_.size(); ++f) {
    const std::string& module = files_[f].module;
    for (const auto& s : files_[f].ast.systems) {
      ir::System out;
      out.name = s.name;
      out.span = s.span;
      if (s.version) out.version.text = s.version->text;
      out.docs = s.docs ? s.docs->text : "";
      std::vector<std::string> roots;
      for (const auto& r : s.requires_) {
        ir::Requirement req;
        req.op = r.op;
        req.span = r.span;
        if (r.version) {
          req.version.text = r.version->text;
          req.version.major = r.version->major;
          req.version.minor = r.version->minor;
          req.version.patch = r.version->patch;
        }
        const DeclRef* d = lookup(r.name.text, module);
        if (d && (d->kind == DeclKind::Gene || d->kind == DeclKind::System || d->kind == DeclKind::Trait)) {
          const auto& file = files_[d->file].ast;
          req.name = d->kind == DeclKind::Gene     ? file.genes[d->index].name
                     : d->kind == DeclKind::System ? file.systems[d->index].name
                                                   : file.traits[d->index].name;
          const std::optional<ast::Version>* declared = d->kind == DeclKind::Gene     ? &file.genes[d->index].version
                                                        : d->kind == DeclKind::System ? &file.systems[d->index].version
                                                                                      : &file.traits[d->index].version;
          if (r.version && declared->has_value()) {
            ir::Version have;
            have.major = (*declared)->major;
            have.minor = (*declared)->minor;
            have.patch = (*declared)->patch;
            have.text = (*declared)->text;
            if (!satisfies(have, r.op, req.version))
              diags_.report(Rule::UnknownDeclaration, r.span,
                            "`requires " + r.name.text + " " + r.op + " " + r.version->text + "` is not met: `" +
                                req.name + "` is declared at version " + have.text,
                            {"raise the gene's version, or relax the requirement"});
          }
          if (d->kind == DeclKind::Gene) roots.push_back(req.name);
        } else {
          std::vector<std::string> candidates = names_of({DeclKind::Gene, DeclKind::System});
          std::vector<std::string> notes = did_you_mean(r.name.text, candidates);
          notes.push_back("declare it, or `use` the module that declares it");
          diags_.report(Rule::UnknownDeclaration, r.name.span, "`requires` names unknown gene `" + r.name.text + "`",
                        notes);
        }
        out.requires_.push_back(std::move(req));
      }
      for (const auto& g : s.genes) {
        std::string name = gene_name(g, module, "`genes:`");
        if (!name.empty()) {
          out.genes.push_back(name);
          roots.push_back(name);
        }
      }
      for (const auto& t : s.traits) {
        const DeclRef* d = lookup(t.text, module);
        if (d && d->kind == DeclKind::Trait) {
          out.traits.push_back(files_[d->file].ast.traits[d->index].name);
        } else {
          std::vector<std::string> notes = did_you_mean(t.text, names_of({DeclKind::Trait}));
          notes.push_back("declare the trait, or `use` the module that declares it");
          diags_.report(Rule::UnknownDeclaration, t.span, "system `" + s.name + "` names unknown trait `" + t.text + "`",
                        notes);
        }
      }
      for (const auto& kv : s.sync_policy)
        out.sync_policy.emplace_back(kv.key, kv.value.kind == ast::Expr::Kind::String
                                                 ? kv.value.text
                                                 : std::string(sources_.text(kv.value.span)));
      for (const auto& st : s.state) out.state.push_back({st.name, resolve_type(st.type, {}), st.span});
      // Closure: roots, then nested genes (field types, parents), breadth first.
      std::unordered_set<std::string> seen;
      std::vector<std::string> order;
      auto add = [&](const std::string& n) {
        if (!n.empty() && gene_by_name(n) && seen.insert(n).second) order.push_back(n);
      };
      for (const auto& r : roots) add(r);
      for (size_t i = 0; i < order.size(); ++i) {
        const ir::Gene* g = gene_by_name(order[i]);
        add(g->extends);
        std::vector<const ir::Type*> stack;
        for (const auto& fld : g->fields) stack.push_back(&fld.type);
        while (!stack.empty()) {
          const ir::Type* t = stack.back();
          stack.pop_back();
          if (t->kind == ir::Type::Kind::Gene) add(t->name);
          for (const auto& a : t->args) stack.push_back(&a);
        }
      }
      out.compiled_genes = std::move(order);
      schema_.systems.push_back(std::move(out));
    }
  }
}

void Checker::collect_not_compiled() {
  for (const auto& lf : files_) {
    if (!lf.is_root) continue;
    const auto& file = lf.ast;
    for (const auto& o : file.others) {
      if (o.kind == "mod" || o.kind == "docs") continue;  // structure and docs are not declarations with output
      result_.not_compiled.push_back(
          {o.span, "`" + o.kind + "`" + (o.name.empty() ? "" : " `" + o.name + "`") +
                       " is read and checked but produces no output"});
    }
    for (const auto& c : file.consts)
      result_.not_compiled.push_back({c.name_span, "const `" + c.name + "` is read but produces no output"});
    for (const auto& fn : file.functions)
      result_.not_compiled.push_back(
          {fn.name_span, std::string(fn.is_extern ? "`sex extern fun` `" : "top-level function `") + fn.name +
                             "` is read but produces no output (only gene methods are compiled)"});
    for (const auto& g : file.genes)
      for (const auto& fn : g.methods)
        if (fn.is_extern)
          result_.not_compiled.push_back(
              {fn.name_span, "`sex extern fun` `" + fn.name + "` in gene `" + g.name +
                                 "` is host-provided and has no generated body"});
  }
}

}  // namespace dolc::sema
