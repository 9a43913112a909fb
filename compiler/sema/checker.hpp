// compiler/sema/checker.hpp: the checker's internal state, shared by the
// per-construct files (load.cpp: modules and `use`; decls.cpp: names, types,
// genes, fields and strategies; exprs.cpp: expressions; constraints.cpp;
// evolutions.cpp; systems.cpp). Not a public header: back ends read ir only.
#pragma once

#include <deque>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ast/ast.hpp"
#include "diag/diag.hpp"
#include "ir/schema.hpp"
#include "sema/check.hpp"

namespace dolc::sema {

// Integer literals judged exactly (exprs.cpp): the value of a literal's text
// (nullopt past 64 bits unsigned), and the range of an integer type.
std::optional<__int128> int_literal_value(const std::string& text);
std::pair<__int128, __int128> int_type_range(const ir::Type& t);

struct LoadedFile {
  ast::File ast;
  std::string path;
  std::string module;  // `module` line, "" if none
  bool is_root = false;
  bool is_stdlib = false;
};

enum class DeclKind { Gene, Enum, Alias, Trait, System, Constraint };

struct DeclRef {
  DeclKind kind;
  size_t file;   // index into Checker::files
  size_t index;  // index into that file's vector of that kind
};

// Names visible while checking one expression.
struct Scope {
  const ir::Gene* gene = nullptr;          // `this`/`self` and bare field names
  std::vector<std::pair<std::string, ir::Type>> locals;  // params, lets, bindings (innermost last)
  bool in_migration = false;               // `old` is the previous document
  bool bare_names_are_fields = false;      // constraints/where: an unknown bare name is an unknown field
  const std::unordered_set<std::string>* extra_fields = nullptr;  // evolution: fields of other versions
  std::vector<std::string>* mutated = nullptr;  // collects fields a method changes
  const ir::Type* return_type = nullptr;   // inside a method with a declared result
  const ir::Type* lookup(const std::string& name) const {
    for (auto it = locals.rbegin(); it != locals.rend(); ++it)
      if (it->first == name) return &it->second;
    return nullptr;
  }
  // Every name a pattern introduces (match arms, `let (a, b) = ..`) becomes a
  // local of a type the checker does not track.
  void bind(const ast::Pattern& pattern) {
    if (pattern.kind == ast::Pattern::Kind::Binding) locals.emplace_back(pattern.text, ir::Type::make(ir::Type::Kind::Error));
    for (const auto& sub : pattern.sub) bind(sub);
  }
};

class Checker {
 public:
  Checker(SourceManager& sources, const CheckOptions& options, ModuleLoader& loader, DiagnosticSink& diags)
      : sources_(sources), options_(options), loader_(loader), diags_(diags) {}
  CheckResult run(const std::vector<FileId>& roots);

  // ----- load.cpp
  void load_roots(const std::vector<FileId>& roots);
  void load_uses(size_t file_index);
  std::string find_module_file(const std::string& module, const std::string& importer_dir) const;
  size_t add_file(FileId id, bool is_root, bool is_stdlib);

  // ----- decls.cpp
  std::string location(Span span) const;  // "file:line:col" for notes
  void index_declarations();
  const DeclRef* lookup(const std::string& name, const std::string& from_module) const;
  std::vector<std::string> names_of(std::initializer_list<DeclKind> kinds) const;
  ir::Type resolve_type(const ast::TypeRef& ref, const std::vector<std::string>& type_params, bool report = true);
  void declare_enums_and_aliases();
  void check_genes();
  void check_gene_sizes();  // infinite-gene: nested gene fields that lead back to their gene
  void build_gene(size_t file, size_t index);
  void fill_gene(const ast::Gene& g, const std::string& module, const std::string& parent, ir::Gene& out);
  ir::Gene build_gene_version(size_t file, size_t index);  // an older declaration, for Schema::gene_versions
  ir::Field check_field(const ast::Field& f, const std::vector<std::string>& type_params, const ir::Gene* gene);
  void check_field_strategy(const ast::Field& f, ir::Field& out);
  void check_crdt_options(const ast::Annotation& crdt, const ast::AnnotationArg* strategy_arg,
                          const std::string& strategy_text, ir::Field& out);
  bool check_crdt_option(const ast::AnnotationArg& a, ir::Field& out);
  std::vector<std::string> fitting_strategies(const ir::Type& t) const;
  void check_personal(const ast::Annotation& ann, const ast::Field& f, const ir::Field& out);
  bool strategy_fits(ir::Strategy s, const ir::Type& t) const;
  void check_methods();
  ir::Method check_method(const ast::Function& fn, const ir::Gene* gene, const std::vector<std::string>& tparams);
  void check_traits();
  // ----- traits.cpp
  // Genes that are a trait (`is`, `impl`): every method the trait (and the
  // traits it `uses`) declares is the gene's, with the trait's signature;
  // default bodies the gene does not override become its methods.
  void check_trait_impls();
  void check_docs();
  std::string gene_name(const ast::QualifiedName& q, const std::string& module, const char* what, bool report = true);

  // ----- exprs.cpp
  // check_expr copies an expression's shape into the IR and hands it to the
  // handler of its kind, which checks the children and fills type and ref.
  ir::Expr check_expr(const ast::Expr& e, Scope& scope);
  void check_children(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_int_literal(const ast::Expr& e, ir::Expr& out);
  void check_name(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_path(const ast::Expr& e, ir::Expr& out);
  void check_field_access(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_call(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_method_call(const ast::Expr& e, Scope& scope, ir::Expr& out);
  // Calls of gene methods and field operations with the wrong number of
  // arguments (type-mismatch), in every gene's method bodies. A pass of its
  // own, after check_methods and check_trait_impls: method bodies are typed
  // before the gene's method list is complete.
  void check_call_arities();
  void check_call_arity(const ir::Gene& gene, const ir::Expr& call, std::set<std::pair<uint32_t, uint32_t>>& seen);
  void check_index(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_unary(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_binary(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_assign(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_if(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_match(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_block(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_struct_lit(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_collection_lit(const ast::Expr& e, Scope& scope, ir::Expr& out);
  void check_binder(const ast::Expr& e, Scope& scope, ir::Expr& out);  // closures, quantifiers
  // `name` as a field of gene `g` (or of scope.extra_fields): fills `node`'s
  // ref, field and type; reports unknown-field when `report` and it is none.
  bool field_ref(ir::Expr& node, const ir::Gene* g, const std::string& name, Span span, bool report,
                 const Scope& scope);
  ir::Stmt check_stmt(const ast::Stmt& s, Scope& scope);
  bool assignable(const ir::Type& from, const ir::Type& to, const ir::Expr* expr = nullptr) const;
  void expect_type(const ir::Expr& e, const ir::Type& want, const std::string& what);
  // integer-out-of-range: an integer literal (or `-literal`) `e` that does not
  // fit the integer type `want` (i8..u64; other types are not checked here).
  // Returns false after reporting.
  bool check_int_range(const ir::Expr& e, const ir::Type& want, const std::string& what);
  const ir::Gene* gene_by_name(const std::string& name) const;
  bool descends_from(const std::string& gene, const std::string& ancestor) const;

  // ----- constraints.cpp
  void check_constraints();
  void check_constraint(const ast::Constraint& c, const std::string& module, const std::string& inline_gene);
  // check_constraint resolves the target, then hands each item to the handler of its kind.
  std::string constraint_target(const ast::Constraint& c, const std::string& module, const std::string& inline_gene);
  void check_violation_policy(const ast::ConstraintItem& item, ir::Constraint& out);
  bool check_never_changes(const ast::Constraint& c, const ast::ConstraintItem& item, const ir::Gene& gene,
                           Scope& scope, ir::ConstraintClause& cl);
  bool check_invariant(const ast::Constraint& c, const ast::ConstraintItem& item, const ir::Gene& gene, Scope& scope,
                       ir::ConstraintClause& cl);
  void check_predicate(const ast::Constraint& c, const ast::ConstraintItem& item, ir::ConstraintClause& cl);
  void check_cross_gene(const ast::Constraint& c, const ast::ConstraintItem& item, const ir::Gene& gene,
                        ir::ConstraintClause& cl);
  void check_method_immutability();

  // ----- evolutions.cpp
  void plan_evolutions();   // end of check_genes: version chains, links older gene declarations
  void check_evolutions();
  // check_evolutions declares each evolution, then checks each item by its kind.
  struct PendingEvolution {
    const ast::Evolution* ast;
    std::string module;
    size_t index;  // into schema_.evolutions
  };
  struct EvolutionScope {
    const ir::Gene* gene = nullptr;                          // the target, when declared
    const std::unordered_set<std::string>* known = nullptr;  // field names any evolution of it mentions
    bool chained = false;  // in the gene's version chain: names are checked per version instead
  };
  ir::Evolution declare_evolution(const ast::Evolution& ev, const std::string& module,
                                  std::unordered_map<std::string, std::unordered_set<std::string>>& known_fields);
  bool evolution_field_known(const std::string& name, Span span, const EvolutionScope& es);
  void check_migrations(const ast::Evolution& ev, const EvolutionScope& es, ir::Evolution& out);
  void check_evo_removal(const ast::EvolutionItem& item, const std::vector<PendingEvolution>& pending, size_t index);
  void check_evo_change(const ast::EvolutionItem& item, const EvolutionScope& es, ir::EvolutionChange& ch,
                        ir::Evolution& out);
  void check_evolution_chain(const std::string& gene);  // per-version field names along one chain

  // ----- systems.cpp
  void check_systems();
  void collect_not_compiled();

  SourceManager& sources_;
  const CheckOptions& options_;
  ModuleLoader& loader_;
  DiagnosticSink& diags_;
  std::deque<LoadedFile> files_;
  std::unordered_map<std::string, size_t> file_by_module_;  // module name -> file index
  std::unordered_map<std::string, std::vector<DeclRef>> decls_;  // every spelling -> declarations
  std::unordered_map<std::string, size_t> gene_index_;   // declared name -> schema.genes index
  std::unordered_map<std::string, size_t> enum_index_;
  std::unordered_map<std::string, std::pair<const ast::TypeAlias*, std::string>> ast_alias_;  // name -> (AST, module)
  std::unordered_map<std::string, ir::Type> alias_types_;  // resolved aliases (cache)
  std::unordered_set<std::string> alias_resolving_;
  std::unordered_map<std::string, size_t> trait_index_;
  std::unordered_map<std::string, const ast::Gene*> ast_gene_;   // declared name -> AST (for extends)
  std::unordered_map<std::string, std::string> gene_module_;
  std::unordered_map<std::string, int> gene_state_;       // 0 new, 1 building, 2 done (extends cycles)
  std::unordered_set<std::string> consts_;
  std::vector<std::string> gene_names_, type_names_;     // for "did you mean"
  // Genes declared at several versions: the older declarations (the newest is
  // the gene), set aside by index_declarations, linked by plan_evolutions.
  struct OlderGene {
    size_t file, index;
    const ast::Gene* newest;
  };
  std::vector<OlderGene> older_genes_;
  std::unordered_set<const ast::Gene*> older_gene_asts_;
  std::unordered_set<std::string> incomplete_genes_;  // declarations with a syntax error: members unknown
  // The `evo` chain of a gene that ends at its declared version, oldest step
  // first (plan_evolutions); evolutions outside it are checked leniently.
  struct EvoChain {
    std::vector<const ast::Evolution*> steps;
    ir::Version declared;  // the gene's version (the newest step's when the gene has none)
  };
  std::unordered_map<std::string, EvoChain> evo_chains_;  // gene -> chain
  std::vector<std::string> evo_chain_genes_;               // genes with a chain, in declaration order
  std::unordered_set<const ast::Evolution*> chained_evos_;
  ir::Schema schema_;
  CheckResult result_;
};

// Shared helpers.
std::string qualify(const std::string& module, const std::string& name);
std::string last_segment(const std::string& name);
std::string join(const std::vector<std::string>& words, const std::string& sep);
bool is_builtin_type_name(const std::string& name);
// `fun name(a: T, b: U) -> R`, as a trait or gene declares it, for messages.
std::string signature_text(const ir::Method& m);

}  // namespace dolc::sema
