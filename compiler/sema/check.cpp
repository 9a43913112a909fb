// compiler/sema/check.cpp: the checker's entry point: the order of the passes.
//
// Load every file, index every declaration, then resolve and check in an
// order where each pass only needs what earlier passes built: enums and
// aliases, genes (fields, strategies, extends), traits, methods, constraints,
// evolutions, systems. Passes keep going after errors (unknown things become
// Type::Error, which fits everything) so that one mistake gives one message.
#include "sema/check.hpp"

#include "sema/checker.hpp"

namespace dolc {

namespace sema {

CheckResult Checker::run(const std::vector<FileId>& roots) {
  load_roots(roots);
  index_declarations();
  declare_enums_and_aliases();
  check_genes();
  check_traits();
  check_methods();
  check_trait_impls();
  check_call_arities();
  check_constraints();
  check_evolutions();
  check_systems();
  check_docs();
  collect_not_compiled();
  for (const auto& lf : files_) {
    ir::Module m;
    m.name = lf.module;
    if (lf.ast.module_version) m.version.text = lf.ast.module_version->text;
    m.file = lf.path;
    m.is_root = lf.is_root;
    m.is_stdlib = lf.is_stdlib;
    for (const auto& u : lf.ast.uses) m.uses.push_back({u.path, u.items, u.is_external, ""});
    schema_.modules.push_back(std::move(m));
  }
  result_.schema = std::move(schema_);
  return std::move(result_);
}

}  // namespace sema

CheckResult check(SourceManager& sources, const std::vector<FileId>& roots, const CheckOptions& options,
                  ModuleLoader& loader, DiagnosticSink& diags) {
  sema::Checker checker(sources, options, loader, diags);
  return checker.run(roots);
}

void report_not_compiled(const CheckResult& result, DiagnosticSink& diags) {
  for (const auto& item : result.not_compiled)
    diags.report(Rule::NotCompiled, item.span, item.message,
                 {"`dolc build` ignores it; `dolc check` still checks it"});
}

}  // namespace dolc
