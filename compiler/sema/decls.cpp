// compiler/sema/decls.cpp: declarations, names and types, genes and their
// fields, `@crdt` strategies and options, methods, traits, docs.
//
// Every declaration is indexed once in a hash map under each spelling a
// schema may use (`name` and `module.name`), so lookups stay O(1) and a
// 10,000-line schema checks in milliseconds. Genes are first given their slot
// in ir::Schema::genes in declaration order, then filled (parents first, for
// `extends`), so that the output order never depends on the check order.
#include <algorithm>
#include <functional>
#include <map>

#include "ir/strategies.hpp"
#include "sema/checker.hpp"

namespace dolc::sema {

std::string qualify(const std::string& module, const std::string& name) {
  return module.empty() ? name : module + "." + name;
}

std::string last_segment(const std::string& name) {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

std::string join(const std::vector<std::string>& words, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i ? sep : "") + words[i];
  return out;
}

namespace {

// Built-in type spellings of all three dialects -> canonical types.
struct BuiltinType {
  const char* name;
  ir::Type::Kind kind;
  int bits;
  bool is_signed;
  int arity;
};

const BuiltinType kBuiltins[] = {
    {"string", ir::Type::Kind::String, 0, true, 0},   {"String", ir::Type::Kind::String, 0, true, 0},
    {"str", ir::Type::Kind::String, 0, true, 0},      {"bool", ir::Type::Kind::Bool, 0, true, 0},
    {"Bool", ir::Type::Kind::Bool, 0, true, 0},       {"Boolean", ir::Type::Kind::Bool, 0, true, 0},
    {"i8", ir::Type::Kind::Int, 8, true, 0},          {"i16", ir::Type::Kind::Int, 16, true, 0},
    {"i32", ir::Type::Kind::Int, 32, true, 0},        {"i64", ir::Type::Kind::Int, 64, true, 0},
    {"u8", ir::Type::Kind::Int, 8, false, 0},         {"u16", ir::Type::Kind::Int, 16, false, 0},
    {"u32", ir::Type::Kind::Int, 32, false, 0},       {"u64", ir::Type::Kind::Int, 64, false, 0},
    {"Int", ir::Type::Kind::Int, 64, true, 0},        {"UInt", ir::Type::Kind::Int, 64, false, 0},
    {"Int8", ir::Type::Kind::Int, 8, true, 0},        {"Int16", ir::Type::Kind::Int, 16, true, 0},
    {"Int32", ir::Type::Kind::Int, 32, true, 0},      {"Int64", ir::Type::Kind::Int, 64, true, 0},
    {"UInt8", ir::Type::Kind::Int, 8, false, 0},      {"UInt16", ir::Type::Kind::Int, 16, false, 0},
    {"UInt32", ir::Type::Kind::Int, 32, false, 0},    {"UInt64", ir::Type::Kind::Int, 64, false, 0},
    {"f32", ir::Type::Kind::Float, 32, true, 0},      {"f64", ir::Type::Kind::Float, 64, true, 0},
    {"Float", ir::Type::Kind::Float, 64, true, 0},    {"Float32", ir::Type::Kind::Float, 32, true, 0},
    {"Float64", ir::Type::Kind::Float, 64, true, 0},  {"Uuid", ir::Type::Kind::Uuid, 0, true, 0},
    {"UUID", ir::Type::Kind::Uuid, 0, true, 0},       {"Timestamp", ir::Type::Kind::Timestamp, 0, true, 0},
    {"Identity", ir::Type::Kind::Identity, 0, true, 0}, {"Bytes", ir::Type::Kind::Bytes, 0, true, 0},
    {"RichText", ir::Type::Kind::RichText, 0, true, 0}, {"Option", ir::Type::Kind::Option, 0, true, 1},
    {"Optional", ir::Type::Kind::Option, 0, true, 1}, {"Set", ir::Type::Kind::Set, 0, true, 1},
    {"List", ir::Type::Kind::List, 0, true, 1},       {"Vec", ir::Type::Kind::List, 0, true, 1},
    {"Array", ir::Type::Kind::List, 0, true, 1},      {"Map", ir::Type::Kind::Map, 0, true, 2},
    {"Result", ir::Type::Kind::Result, 0, true, 2},   {"Self", ir::Type::Kind::Self, 0, true, 0},
    {"Fun", ir::Type::Kind::Function, 0, true, -1},
};

const BuiltinType* find_builtin(const std::string& name) {
  for (const auto& b : kBuiltins)
    if (name == b.name) return &b;
  return nullptr;
}

std::string docs_text(const std::optional<ast::Docs>& d) { return d ? d->text : ""; }

ir::Version version_of(const std::optional<ast::Version>& v) {
  ir::Version out;
  if (v) {
    out.major = v->major;
    out.minor = v->minor;
    out.patch = v->patch;
    out.text = v->text.empty() ? std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                                     std::to_string(v->patch)
                               : v->text;
  }
  return out;
}

const char* kind_word(DeclKind k) {
  switch (k) {
    case DeclKind::Gene: return "gene";
    case DeclKind::Enum: return "enum";
    case DeclKind::Alias: return "type";
    case DeclKind::Trait: return "trait";
    case DeclKind::System: return "system";
    case DeclKind::Constraint: return "constraint";
  }
  return "declaration";
}

}  // namespace

bool is_builtin_type_name(const std::string& name) { return find_builtin(name) != nullptr; }

// ----- Indexing --------------------------------------------------------------

std::string Checker::location(Span span) const {
  if (!span.valid() || span.file >= sources_.size()) return "(unknown location)";
  const auto& file = sources_.file(span.file);
  auto pos = file.position(span.begin);
  return file.path() + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

void Checker::index_declarations() {
  // key (module-qualified name) -> span of the first declaration, for duplicates
  std::unordered_map<std::string, Span> first_seen;
  auto declare = [&](const std::string& name, const Span& name_span, DeclKind kind, size_t file, size_t index) {
    const std::string& module = files_[file].module;
    std::string key = qualify(module, name);
    auto [it, inserted] = first_seen.emplace(key, name_span);
    if (!inserted) {
      diags_.report(Rule::DuplicateDeclaration, name_span,
                    std::string(kind_word(kind)) + " `" + name + "` is declared twice" +
                        (module.empty() ? "" : " in module `" + module + "`"),
                    {"first declared at " + location(it->second) + "; rename one of them"});
      return;
    }
    DeclRef ref{kind, file, index};
    decls_[name].push_back(ref);
    if (key != name) decls_[key].push_back(ref);
    if (kind == DeclKind::Gene || kind == DeclKind::Enum || kind == DeclKind::Alias) type_names_.push_back(name);
    if (kind == DeclKind::Gene) gene_names_.push_back(name);
  };
  // A gene declared at several versions (evolution-checks.md): the newest
  // declaration is the gene; the older ones are set aside here, so that no
  // lookup ever finds them, and plan_evolutions() keeps those an `evo` chain
  // links (Schema::gene_versions) and reports the others as duplicates.
  auto version_key = [](const ast::Gene& g) { return std::make_tuple(g.version->major, g.version->minor, g.version->patch); };
  std::unordered_map<std::string, const ast::Gene*> newest;  // module-qualified name -> newest versioned declaration
  for (size_t f = 0; f < files_.size(); ++f)
    for (const auto& g : files_[f].ast.genes) {
      if (g.enum_variants || !g.version) continue;
      auto [it, inserted] = newest.emplace(qualify(files_[f].module, g.name), &g);
      if (!inserted && version_key(*it->second) < version_key(g)) it->second = &g;
    }
  for (size_t f = 0; f < files_.size(); ++f) {
    const auto& file = files_[f].ast;
    for (size_t i = 0; i < file.genes.size(); ++i) {
      const ast::Gene& g = file.genes[i];
      if (!g.enum_variants && g.version) {
        const ast::Gene* top = newest.at(qualify(files_[f].module, g.name));
        if (top != &g && version_key(*top) != version_key(g)) {
          older_genes_.push_back({f, i, top});
          older_gene_asts_.insert(&g);
          continue;
        }
      }
      declare(g.name, g.name_span, g.enum_variants ? DeclKind::Enum : DeclKind::Gene, f, i);
      if (g.incomplete) incomplete_genes_.insert(g.name);
    }
    for (size_t i = 0; i < file.aliases.size(); ++i)
      declare(file.aliases[i].name, file.aliases[i].name_span, DeclKind::Alias, f, i);
    for (size_t i = 0; i < file.traits.size(); ++i)
      declare(file.traits[i].name, file.traits[i].name_span, DeclKind::Trait, f, i);
    for (size_t i = 0; i < file.systems.size(); ++i)
      declare(file.systems[i].name, file.systems[i].name_span, DeclKind::System, f, i);
    for (size_t i = 0; i < file.constraints.size(); ++i)
      declare(file.constraints[i].name, file.constraints[i].name_span, DeclKind::Constraint, f, i);
    for (const auto& c : file.consts) consts_.insert(c.name);
  }
}

const DeclRef* Checker::lookup(const std::string& name, const std::string& from_module) const {
  if (!from_module.empty()) {
    auto it = decls_.find(qualify(from_module, name));
    if (it != decls_.end()) return &it->second.front();
  }
  auto it = decls_.find(name);
  if (it == decls_.end()) return nullptr;
  // Prefer a declaration of the asking module when a name is declared in several.
  for (const auto& ref : it->second)
    if (files_[ref.file].module == from_module) return &ref;
  return &it->second.front();
}

std::vector<std::string> Checker::names_of(std::initializer_list<DeclKind> kinds) const {
  std::vector<std::string> out;
  for (size_t f = 0; f < files_.size(); ++f) {
    const auto& file = files_[f].ast;
    for (DeclKind k : kinds) {
      if (k == DeclKind::Gene)
        for (const auto& g : file.genes) if (!g.enum_variants) out.push_back(g.name);
      if (k == DeclKind::Trait) for (const auto& t : file.traits) out.push_back(t.name);
      if (k == DeclKind::System) for (const auto& s : file.systems) out.push_back(s.name);
    }
  }
  return out;
}

// ----- Types -----------------------------------------------------------------

ir::Type Checker::resolve_type(const ast::TypeRef& ref, const std::vector<std::string>& tparams, bool report) {
  using K = ir::Type::Kind;
  switch (ref.kind) {
    case ast::TypeRef::Kind::Unit: return ir::Type::make(K::Unit);
    case ast::TypeRef::Kind::Enum: {
      ir::Type t = ir::Type::make(K::Enum);
      t.variants = ref.enum_variants;
      return t;
    }
    case ast::TypeRef::Kind::Tuple:
    case ast::TypeRef::Kind::Function: {
      ir::Type t = ir::Type::make(ref.kind == ast::TypeRef::Kind::Tuple ? K::Tuple : K::Function);
      for (const auto& a : ref.args) t.args.push_back(resolve_type(a, tparams, report));
      return t;
    }
    case ast::TypeRef::Kind::Named: break;
  }
  if (std::find(tparams.begin(), tparams.end(), ref.name) != tparams.end()) {
    ir::Type t = ir::Type::make(K::TypeParam);
    t.name = ref.name;
    return t;
  }
  if (const BuiltinType* b = find_builtin(ref.name)) {
    ir::Type t = ir::Type::make(b->kind);
    t.bits = b->bits;
    t.is_signed = b->is_signed;
    for (const auto& a : ref.args) t.args.push_back(resolve_type(a, tparams, report));
    if (b->arity >= 0 && static_cast<int>(t.args.size()) != b->arity) {
      if (report)
        diags_.report(Rule::TypeMismatch, ref.span,
                      "`" + ref.name + "` takes " + std::to_string(b->arity) + " type argument" +
                          (b->arity == 1 ? "" : "s") + ", found " + std::to_string(t.args.size()),
                      {b->arity == 0 ? "write `" + ref.name + "` without `<...>`"
                                     : std::string("for example `") +
                                           (b->arity == 1 ? ref.name + "<string>`" : ref.name + "<string, i64>`")});
      return ir::Type::make(K::Error);
    }
    return t;
  }
  const DeclRef* decl = lookup(ref.name, "");
  if (decl) {
    const auto& file = files_[decl->file].ast;
    switch (decl->kind) {
      case DeclKind::Gene: {
        ir::Type t = ir::Type::gene(file.genes[decl->index].name);
        for (const auto& a : ref.args) t.args.push_back(resolve_type(a, tparams, report));
        return t;
      }
      case DeclKind::Enum: {
        ir::Type t = ir::Type::make(K::Enum);
        t.name = file.genes[decl->index].name;
        t.variants = *file.genes[decl->index].enum_variants;
        return t;
      }
      case DeclKind::Alias: {
        const auto& alias = file.aliases[decl->index];
        if (auto it = alias_types_.find(alias.name); it != alias_types_.end()) return it->second;
        if (!alias_resolving_.insert(alias.name).second) {
          if (report)
            diags_.report(Rule::UnknownType, ref.span, "type alias `" + alias.name + "` refers to itself",
                          {"an alias must end in a concrete type"});
          return ir::Type::make(K::Error);
        }
        ir::Type t = resolve_type(alias.type, {}, report);
        if (t.kind == K::Enum && t.name.empty()) t.name = alias.name;
        alias_resolving_.erase(alias.name);
        alias_types_[alias.name] = t;
        return t;
      }
      case DeclKind::Trait: {
        ir::Type t = ir::Type::make(K::Opaque);
        t.name = file.traits[decl->index].name;
        return t;
      }
      default: break;
    }
  }
  if (report) {
    std::vector<std::string> candidates = type_names_;
    for (const auto& b : kBuiltins) candidates.push_back(b.name);
    std::vector<std::string> notes = did_you_mean(ref.name, candidates);
    notes.push_back("declare it, or `use` the module that declares it");
    diags_.report(Rule::UnknownType, ref.span, "unknown type `" + ref.name + "`", notes);
  }
  return ir::Type::make(K::Error);
}

void Checker::declare_enums_and_aliases() {
  for (size_t f = 0; f < files_.size(); ++f) {
    const auto& file = files_[f].ast;
    for (const auto& g : file.genes) {
      if (!g.enum_variants) continue;
      enum_index_.emplace(g.name, schema_.enums.size());
      schema_.enums.push_back({g.name, g.span, *g.enum_variants, docs_text(g.docs)});
    }
    for (const auto& a : file.aliases) {
      ast::TypeRef named;
      named.name = a.name;
      named.span = a.name_span;
      ir::Type t = resolve_type(named, {}, false);
      if (t.kind == ir::Type::Kind::Error) t = resolve_type(a.type, {}, true);  // report the real problem
      if (t.kind == ir::Type::Kind::Enum && t.name == a.name) {
        enum_index_.emplace(a.name, schema_.enums.size());
        schema_.enums.push_back({a.name, a.span, t.variants, docs_text(a.docs)});
      } else {
        schema_.aliases.push_back({a.name, a.span, t, docs_text(a.docs)});
      }
    }
  }
}

// ----- Genes -----------------------------------------------------------------

const ir::Gene* Checker::gene_by_name(const std::string& name) const {
  auto it = gene_index_.find(name);
  return it == gene_index_.end() ? nullptr : &schema_.genes[it->second];
}

bool Checker::descends_from(const std::string& gene, const std::string& ancestor) const {
  std::string cur = gene;
  for (int depth = 0; depth < 64 && !cur.empty(); ++depth) {
    if (cur == ancestor) return true;
    const ir::Gene* g = gene_by_name(cur);
    if (!g) return false;
    cur = g->extends;
  }
  return false;
}

std::string Checker::gene_name(const ast::QualifiedName& q, const std::string& module, const char* what,
                               bool report) {
  const DeclRef* d = lookup(q.text, module);
  if (d && d->kind == DeclKind::Gene) return files_[d->file].ast.genes[d->index].name;
  if (report) {
    std::vector<std::string> notes = did_you_mean(q.text, gene_names_);
    if (d) notes.push_back("`" + q.text + "` is a " + kind_word(d->kind) + ", not a gene");
    else notes.push_back("declare the gene, or `use` the module that declares it");
    diags_.report(Rule::UnknownDeclaration, q.span, std::string(what) + " names unknown gene `" + q.text + "`",
                  notes);
  }
  return "";
}

void Checker::check_genes() {
  // Slots first, in declaration order.
  for (size_t f = 0; f < files_.size(); ++f) {
    for (const auto& g : files_[f].ast.genes) {
      if (g.enum_variants || gene_index_.count(g.name) || older_gene_asts_.count(&g)) continue;
      gene_index_.emplace(g.name, schema_.genes.size());
      ast_gene_.emplace(g.name, &g);
      gene_module_.emplace(g.name, files_[f].module);
      ir::Gene out;
      out.name = g.name;
      out.module = files_[f].module;
      out.span = g.span;
      out.name_span = g.name_span;
      out.from_stdlib = files_[f].is_stdlib;
      schema_.genes.push_back(std::move(out));
    }
  }
  for (size_t f = 0; f < files_.size(); ++f)
    for (size_t i = 0; i < files_[f].ast.genes.size(); ++i)
      if (!files_[f].ast.genes[i].enum_variants) build_gene(f, i);
  plan_evolutions();  // evolutions.cpp: version chains; keeps the older declarations they link
  check_gene_sizes();
}

// A nested gene field (a field whose type is a gene, without @crdt) is part
// of its object: creating a document creates it, and its own nested fields,
// at once. A chain of them that leads back to a gene it started from would
// make every document infinitely large (the generated constructor never
// ends), so such a cycle is an error, reported once, on the field that
// closes it. Lists and maps of genes are fine: their objects exist only once
// added.
void Checker::check_gene_sizes() {
  enum class Mark { New, Open, Done };
  std::vector<Mark> mark(schema_.genes.size(), Mark::New);
  std::vector<const ir::Field*> path;  // the nested fields followed from the start
  std::function<void(size_t)> visit = [&](size_t g) {
    mark[g] = Mark::Open;
    for (const ir::Field& f : schema_.genes[g].fields) {
      if (!f.nested_gene || f.type.kind != ir::Type::Kind::Gene) continue;
      auto it = gene_index_.find(f.type.name);
      if (it == gene_index_.end()) continue;
      size_t to = it->second;
      path.push_back(&f);
      if (mark[to] == Mark::Open) {
        std::string chain;
        size_t first = path.size() - 1;  // the cycle starts where the path entered `to`
        while (first > 0 && schema_.genes[to].name != path[first - 1]->type.name) --first;
        for (size_t i = first; i < path.size(); ++i) chain += (i > first ? " -> " : "") + path[i]->name;
        diags_.report(Rule::InfiniteGene, f.name_span,
                      "gene `" + schema_.genes[to].name + "` contains itself through `" + chain +
                          "`: every document would be infinitely large",
                      {"hold the inner object in a list (`@crdt(rga) has " + f.name + ": List<" + f.type.name +
                       ">`) or a map (`@crdt(or_set)`), whose objects exist only once added"});
      } else if (mark[to] == Mark::New) {
        visit(to);
      }
      path.pop_back();
    }
    mark[g] = Mark::Done;
  };
  for (size_t g = 0; g < schema_.genes.size(); ++g)
    if (mark[g] == Mark::New) visit(g);
}

ir::Gene Checker::build_gene_version(size_t file_index, size_t index) {
  const ast::Gene& g = files_[file_index].ast.genes[index];
  const std::string& module = files_[file_index].module;
  ir::Gene out;
  out.name = g.name;
  out.module = module;
  out.span = g.span;
  out.name_span = g.name_span;
  out.from_stdlib = files_[file_index].is_stdlib;
  std::string parent;
  if (g.extends) {
    parent = gene_name(*g.extends, module, "`extends`");
    if (parent == g.name) parent.clear();  // its own newer version: no fields to inherit
  }
  fill_gene(g, module, parent, out);
  return out;
}

void Checker::build_gene(size_t file_index, size_t index) {
  const ast::Gene& g = files_[file_index].ast.genes[index];
  auto slot = gene_index_.find(g.name);
  if (slot == gene_index_.end() || ast_gene_[g.name] != &g) return;  // a duplicate, already reported
  int& state = gene_state_[g.name];
  if (state == 2) return;
  if (state == 1) {
    diags_.report(Rule::UnknownDeclaration, g.extends ? g.extends->span : g.name_span,
                  "gene `" + g.name + "` extends itself through its parents",
                  {"remove one `extends` to break the cycle"});
    return;
  }
  state = 1;
  const std::string& module = files_[file_index].module;
  std::string parent;
  if (g.extends) {
    parent = gene_name(*g.extends, module, "`extends`");
    if (!parent.empty()) {
      const DeclRef* d = lookup(parent, "");
      build_gene(d->file, d->index);
      if (gene_state_[g.name] == 2) return;  // built while reporting a cycle
    }
  }
  fill_gene(g, module, parent, schema_.genes[slot->second]);
  state = 2;
}

void Checker::fill_gene(const ast::Gene& g, const std::string& module, const std::string& parent, ir::Gene& out) {
  out.version = version_of(g.version);
  for (const auto& ann : g.annotations)  // `@version(n)` before the gene
    if (ann.name == "version" && !out.version.present() && !ann.args.empty()) {
      out.version.text = ann.args[0].value.text;
      out.version.major = static_cast<uint32_t>(ann.args[0].value.int_value);
    }
  out.docs = docs_text(g.docs);
  out.type_params = g.type_params;
  out.extends = parent;
  for (const auto& s : g.sentences) out.sentences.push_back(s.words);

  std::unordered_map<std::string, Span> seen;
  if (!parent.empty()) {
    const ir::Gene& p = *gene_by_name(parent);
    if (p.type_params.empty() || true) {
      for (const auto& pf : p.fields) {
        ir::Field f = pf;
        if (f.inherited_from.empty()) f.inherited_from = p.name;
        seen.emplace(f.name, f.name_span);
        out.fields.push_back(std::move(f));
      }
    }
  }
  for (const auto& af : g.fields) {
    auto [it, inserted] = seen.emplace(af.name, af.name_span);
    if (!inserted) {
      bool inherited = false;
      for (const auto& f : out.fields)
        if (f.name == af.name && !f.inherited_from.empty()) inherited = true;
      diags_.report(Rule::DuplicateField, af.name_span,
                    "field `" + af.name + "` is declared twice in gene `" + g.name + "`" +
                        (inherited ? " (it is inherited from `" + parent + "`)" : ""),
                    {"first declared at " + location(it->second) + "; rename or remove one"});
      continue;
    }
    out.fields.push_back(check_field(af, g.type_params, &out));
  }
  // Traits: the header `is a, b` and `x is trait` sentences naming a trait.
  auto add_trait = [&](const ast::QualifiedName& q, bool report) {
    const DeclRef* d = lookup(q.text, module);
    if (d && d->kind == DeclKind::Trait) {
      const std::string& name = files_[d->file].ast.traits[d->index].name;
      if (std::find(out.traits.begin(), out.traits.end(), name) == out.traits.end()) out.traits.push_back(name);
      return;
    }
    if (!report) return;
    std::vector<std::string> notes = did_you_mean(q.text, names_of({DeclKind::Trait}));
    notes.push_back("declare the trait, or `use` the module that declares it (e.g. `use stdlib.sync.Syncable`)");
    diags_.report(Rule::UnknownDeclaration, q.span, "`is` names unknown trait `" + q.text + "`", notes);
  };
  for (const auto& t : g.traits) add_trait(t, true);
  for (const auto& s : g.sentences)
    if (s.words.size() == 3 && s.words[1] == "is") add_trait({s.words[2], s.span}, false);
}

ir::Field Checker::check_field(const ast::Field& f, const std::vector<std::string>& tparams, const ir::Gene* gene) {
  ir::Field out;
  out.name = f.name;
  out.span = f.span;
  out.name_span = f.name_span;
  out.type_span = f.type.span;
  out.docs = docs_text(f.docs);
  out.type = resolve_type(f.type, tparams);
  check_field_strategy(f, out);
  Scope scope;
  scope.gene = gene;
  const ast::Expr* default_expr = f.default_value ? &*f.default_value : nullptr;
  for (const auto& ann : f.annotations) {
    if (ann.name == "personal") {
      out.personal = true;
      check_personal(ann, f, out);
    }
    if (ann.name == "default" && !ann.args.empty() && !default_expr) default_expr = &ann.args[0].value;
  }
  if (default_expr) {
    out.default_value = check_expr(*default_expr, scope);
    expect_type(*out.default_value, out.type, "the default of field `" + f.name + "`");
  }
  if (f.where) {
    Scope where_scope;
    where_scope.gene = gene;
    where_scope.bare_names_are_fields = true;
    where_scope.locals.emplace_back(f.name, out.type);  // the field's own value
    where_scope.locals.emplace_back("value", out.type);
    out.where = check_expr(*f.where, where_scope);
    expect_type(*out.where, ir::Type::make(ir::Type::Kind::Bool), "the `where` condition of field `" + f.name + "`");
  }
  return out;
}

// A @personal value is sealed whole under its subject's key (FORMAT.md,
// "Personal values"): that fits a register, whose merge only compares stamps.
// A counter, set, map or sequence merges by looking into its elements, and a
// nested gene is many values: sealing those would hide what merging needs.
void Checker::check_personal(const ast::Annotation& ann, const ast::Field& f, const ir::Field& out) {
  if (out.type.kind == ir::Type::Kind::Error) return;
  bool fits = !out.nested_gene && out.type.kind != ir::Type::Kind::Gene &&
              ir::strategy_info(out.strategy).holds == ir::Holds::One;  // strategies.def's HOLDS
  if (fits) return;
  std::string what = out.nested_gene || out.type.kind == ir::Type::Kind::Gene
                         ? "a nested gene"
                         : "`" + std::string(ir::strategy_name(out.strategy)) + "`";
  diags_.report(Rule::PersonalUnsupported, ann.span,
                "`@personal` field `" + f.name + "` is " + what +
                    ": only lww and immutable values are sealed (encrypted whole) under a subject's key",
                {what == "a nested gene" ? "mark the personal fields inside the gene `@personal` instead"
                                         : "keep the personal value in an `@crdt(lww)` field of its own"});
}

// ----- Strategies ------------------------------------------------------------

// The FITS column of ir/strategies.def.
bool Checker::strategy_fits(ir::Strategy s, const ir::Type& t) const { return ir::strategy_fits(s, t); }

namespace {

// Option spelling as written: `Name`/`String` expr text.
bool option_word(const ast::Expr& e, std::string& out) {
  if (e.kind == ast::Expr::Kind::Name || e.kind == ast::Expr::Kind::String) {
    out = e.text;
    return true;
  }
  return false;
}

// An integer option value, exactly (`-` allowed). `too_big` when its
// magnitude passes 64 bits (int_value would have wrapped).
bool option_int(const ast::Expr& e, __int128& out, bool& too_big) {
  too_big = false;
  const ast::Expr* lit = &e;
  bool negative = false;
  if (e.kind == ast::Expr::Kind::Unary && e.text == "-" && !e.children.empty()) {
    lit = &e.children[0];
    negative = true;
  }
  if (lit->kind != ast::Expr::Kind::Int) return false;
  auto v = int_literal_value(lit->text);
  if (!v) {
    too_big = true;
    return true;
  }
  out = negative ? -*v : *v;
  return true;
}

std::string int128_string(__int128 v) {
  if (v < 0) return "-" + int128_string(-v);
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v);
  return s;
}

}  // namespace

namespace {

// In the table's order, which is the order messages list them.
const std::vector<std::string> kAllStrategies = ir::strategy_names();

}  // namespace

std::vector<std::string> Checker::fitting_strategies(const ir::Type& t) const {
  std::vector<std::string> fit;
  for (const auto& row : ir::strategies())
    if (strategy_fits(row.strategy, t)) fit.push_back(row.name);
  return fit;
}

// A field's `@crdt(strategy, options...)`: the strategy, whether it fits the
// type, then the options (check_crdt_options). Without `@crdt` the field
// merges by lww, or field by field when it holds a gene.
void Checker::check_field_strategy(const ast::Field& f, ir::Field& out) {
  using S = ir::Strategy;
  const ast::Annotation* crdt = nullptr;
  for (const auto& ann : f.annotations) {
    if (ann.name != "crdt") continue;
    if (crdt) {
      diags_.report(Rule::CrdtDuplicateAnnotation, ann.span, "field `" + f.name + "` has two `@crdt` annotations",
                    {"a field merges by one strategy; keep one `@crdt(...)`"});
      continue;
    }
    crdt = &ann;
  }
  if (!crdt) {
    out.strategy = S::Lww;
    out.strategy_explicit = false;
    if (out.type.kind == ir::Type::Kind::Gene) {
      out.nested_gene = true;  // merges field by field by the nested gene's own annotations
      return;
    }
    if (out.type.kind == ir::Type::Kind::Error) return;
    auto fit = fitting_strategies(out.type);
    bool lww_fits = strategy_fits(S::Lww, out.type);
    diags_.report(Rule::CrdtMissingAnnotation, f.name_span,
                  "field `" + f.name + "` has no `@crdt` annotation and merges by `lww`" +
                      (lww_fits ? "" : ", which does not fit `" + out.type.canonical() + "`"),
                  {"add `@crdt(...)`; strategies that fit `" + out.type.canonical() + "`: " + join(fit, ", ")});
    return;
  }
  out.annotation_span = crdt->span;
  out.strategy_explicit = true;
  const ast::AnnotationArg* strategy_arg = nullptr;
  for (const auto& a : crdt->args)
    if (a.key.empty()) {
      strategy_arg = &a;
      break;
    }
  std::string strategy_text;
  if (!strategy_arg || !option_word(strategy_arg->value, strategy_text)) {
    diags_.report(Rule::CrdtUnknownStrategy, strategy_arg ? strategy_arg->span : crdt->span,
                  "`@crdt` on field `" + f.name + "` does not name a strategy",
                  {"write one of: " + join(kAllStrategies, ", ")});
    out.strategy_explicit = false;
    return;
  }
  auto strategy = ir::strategy_from_name(strategy_text);
  if (!strategy) {
    std::vector<std::string> notes = did_you_mean(strategy_text, kAllStrategies);
    notes.push_back("the strategies are: " + join(kAllStrategies, ", "));
    diags_.report(Rule::CrdtUnknownStrategy, strategy_arg->span, "unknown CRDT strategy `" + strategy_text + "`",
                  notes);
    out.strategy_explicit = false;
    return;
  }
  out.strategy = *strategy;
  if (!strategy_fits(*strategy, out.type)) {
    diags_.report(Rule::CrdtTypeMismatch, crdt->span,
                  "`" + strategy_text + "` cannot merge a field of type `" + out.type.canonical() + "`",
                  {"strategies that fit `" + out.type.canonical() + "`: " + join(fitting_strategies(out.type), ", ")});
  } else if (*strategy == S::PnCounter && out.type.kind == ir::Type::Kind::Float) {
    diags_.report(Rule::CrdtLossyStrategy, crdt->span,
                  "`pn_counter` on a `" + out.type.canonical() +
                      "` field: float additions round differently by order, so replicas may differ in the last bits",
                  {"count in an integer type (e.g. cents as `i64`), or use `lww` for a float value"});
  }
  check_crdt_options(*crdt, strategy_arg, strategy_text, out);
}

// The `key=value` options of a `@crdt`: each must be one the strategy takes,
// given once, with a valid value (check_crdt_option); then the checks that
// relate several (bounds in order, escrow with a floor on an integer).
void Checker::check_crdt_options(const ast::Annotation& crdt, const ast::AnnotationArg* strategy_arg,
                                 const std::string& strategy_text, ir::Field& out) {
  std::vector<std::string> allowed;  // the strategy's DOLC_OPTION rows
  for (const ir::OptionInfo* o : ir::options_of(out.strategy)) allowed.push_back(o->name);
  // The argument of each option whose value was valid: where a check
  // relating it to another option is reported.
  std::map<ir::CrdtOption, const ast::AnnotationArg*> valid_args;
  std::unordered_set<std::string> given;
  for (const auto& a : crdt.args) {
    if (&a == strategy_arg) continue;
    if (a.key.empty()) {
      diags_.report(Rule::CrdtUnknownOption, a.span, "`" + strategy_text + "` takes one strategy name, found a second positional argument",
                    {"options are written `key=value`"});
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), a.key) == allowed.end()) {
      std::vector<std::string> notes = did_you_mean(a.key, allowed);
      notes.push_back(allowed.empty() ? "`" + strategy_text + "` takes no options"
                                      : "`" + strategy_text + "` takes: " + join(allowed, ", "));
      diags_.report(Rule::CrdtUnknownOption, a.span,
                    "`" + strategy_text + "` does not take the option `" + a.key + "`", notes);
      continue;
    }
    if (!given.insert(a.key).second) {
      diags_.report(Rule::CrdtInvalidOption, a.span, "option `" + a.key + "` is given twice", {"keep one"});
      continue;
    }
    if (!check_crdt_option(a, out)) continue;
    valid_args[ir::find_option(out.strategy, a.key)->option] = &a;
  }
  // The DOLC_OPTION_CHECK rows of this strategy's options, in table order.
  for (const ir::OptionCheckInfo& c : ir::option_checks()) {
    const ir::OptionInfo& info = ir::option_info(c.option);
    if (info.strategy != out.strategy) continue;
    ir::OptionValue v = ir::get_option(out.options, c.option), other = ir::get_option(out.options, c.other);
    if (!v.present) continue;
    auto arg = valid_args.find(c.option);
    Span span = arg != valid_args.end() ? arg->second->span : crdt.span;
    // How the option reads in a message: `escrow=true`; a number is `max_value`.
    std::string written = info.kind == ir::OptionKind::Bool ? "`" + std::string(info.name) + "=true`"
                          : info.kind == ir::OptionKind::Word ? "`" + std::string(info.name) + "=" + v.word + "`"
                                                              : "`" + std::string(info.name) + "`";
    const char* other_name = ir::option_info(c.other).name;
    switch (c.check) {
      case ir::OptionCheck::Above:
        if (other.present && other.number >= v.number)
          diags_.report(Rule::CrdtInvalidOption, span,
                        "`" + std::string(other_name) + "` (" + std::to_string(other.number) + ") must be less than `" +
                            info.name + "` (" + std::to_string(v.number) + ")",
                        {c.hint});
        break;
      case ir::OptionCheck::Needs:
        if (!other.present)
          diags_.report(Rule::CrdtInvalidOption, span,
                        written + " needs `" + other_name + "`" + (*c.why ? ": " + std::string(c.why) : std::string()),
                        {c.hint});
        break;
      case ir::OptionCheck::NotFloat:
        if (out.type.kind == ir::Type::Kind::Float)
          diags_.report(Rule::CrdtInvalidOption, span,
                        written + " needs " + c.why + ", not `" + out.type.canonical() + "`",
                        {c.hint});
        break;
    }
  }
}

// One option whose key the strategy takes: its value, read by the option's
// KIND (ir/strategies.def) and stored with ir::set_option. false when the
// value is invalid (reported).
bool Checker::check_crdt_option(const ast::AnnotationArg& a, ir::Field& out) {
  const ir::OptionInfo& info = *ir::find_option(out.strategy, a.key);
  std::string word;
  __int128 number = 0;
  bool too_big = false;
  auto bad = [&](const std::string& expected) {
    diags_.report(Rule::CrdtInvalidOption, a.span,
                  "invalid value for `" + a.key + "`: `" + std::string(sources_.text(a.value.span)) + "`",
                  {"expected " + expected});
    return false;
  };
  ir::OptionValue value;
  value.present = true;
  switch (info.kind) {
    case ir::OptionKind::Word: {
      std::vector<std::string> words = info.words();
      if (!option_word(a.value, word) || std::find(words.begin(), words.end(), word) == words.end()) {
        std::string expected;  // "`a`, `b` or `c`"
        for (size_t i = 0; i < words.size(); ++i)
          expected += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + ("`" + words[i] + "`");
        return bad(expected);
      }
      value.word = word;
      break;
    }
    case ir::OptionKind::Bool:
      // `true`/`false` (a bare word or a string of one).
      if (a.value.kind == ast::Expr::Kind::Bool) value.flag = a.value.text == "true";
      else if (option_word(a.value, word) && (word == "true" || word == "false")) value.flag = word == "true";
      else return bad("`true` or `false`");
      break;
    case ir::OptionKind::Length:
      // Lengths and positions cross the module boundary as u32.
      if (!option_int(a.value, number, too_big)) return bad("an integer of at least 1");
      if (too_big || number < 1 || number > UINT32_MAX) {
        diags_.report(Rule::IntegerOutOfRange, a.value.span,
                      "`" + a.key + "` = `" + std::string(sources_.text(a.value.span)) + "` is out of range",
                      {"`" + a.key + "` is from 1 to 4294967295 (text positions are 32-bit)"});
        return false;
      }
      value.number = static_cast<int64_t>(number);
      break;
    case ir::OptionKind::Bound: {
      if (!option_int(a.value, number, too_big)) return bad("an integer");
      // A bound is a value of the counter: it must fit the field's type (a
      // counter of floats holds i64 bounds), and the runtime keeps it in 64 bits.
      ir::Type range_type = out.type.kind == ir::Type::Kind::Int ? out.type : ir::Type::integer(64, true);
      auto [lo, hi] = int_type_range(range_type);
      if (hi > INT64_MAX) hi = INT64_MAX;
      if (too_big || number < lo || number > hi) {
        diags_.report(Rule::IntegerOutOfRange, a.value.span,
                      "`" + a.key + "` = `" + std::string(sources_.text(a.value.span)) + "` does not fit `" +
                          range_type.canonical() + "`",
                      {"a bound of this counter is from " + int128_string(lo) + " to " + int128_string(hi)});
        return false;
      }
      value.number = static_cast<int64_t>(number);
      break;
    }
  }
  ir::set_option(out.options, info.option, value);
  return true;
}

// ----- Methods and traits ----------------------------------------------------

ir::Method Checker::check_method(const ast::Function& fn, const ir::Gene* gene,
                                 const std::vector<std::string>& outer_tparams) {
  ir::Method m;
  m.name = fn.name;
  m.span = fn.span;
  m.name_span = fn.name_span;
  m.type_params = fn.type_params;
  m.is_sex = fn.is_sex;
  m.is_extern = fn.is_extern;
  m.docs = docs_text(fn.docs);
  std::vector<std::string> tparams = outer_tparams;
  tparams.insert(tparams.end(), fn.type_params.begin(), fn.type_params.end());
  Scope scope;
  scope.gene = gene;
  for (const auto& p : fn.params) {
    ir::Param param{p.name, resolve_type(p.type, tparams), p.span};
    scope.locals.emplace_back(p.name, param.type);
    m.params.push_back(std::move(param));
  }
  if (fn.result) m.result = resolve_type(*fn.result, tparams);
  if (fn.body) {
    scope.mutated = &m.mutated_fields;
    if (fn.result) scope.return_type = &m.result;
    m.body = check_expr(*fn.body, scope);
  }
  return m;
}

void Checker::check_methods() {
  for (size_t f = 0; f < files_.size(); ++f) {
    const auto& file = files_[f].ast;
    for (const auto& g : file.genes) {
      auto it = gene_index_.find(g.name);
      if (g.enum_variants || it == gene_index_.end() || ast_gene_[g.name] != &g) continue;
      ir::Gene* gene = &schema_.genes[it->second];
      std::vector<ir::Method> methods;
      for (const auto& fn : g.methods) methods.push_back(check_method(fn, gene, g.type_params));
      gene->methods = std::move(methods);
    }
  }
  for (size_t f = 0; f < files_.size(); ++f) {
    const auto& file = files_[f].ast;
    for (const auto& impl : file.impls) {
      std::string gname = gene_name(impl.gene, files_[f].module, "`impl ... for`");
      const DeclRef* t = lookup(impl.trait.text, files_[f].module);
      std::string tname;
      if (t && t->kind == DeclKind::Trait) {
        tname = files_[t->file].ast.traits[t->index].name;
      } else {
        std::vector<std::string> notes = did_you_mean(impl.trait.text, names_of({DeclKind::Trait}));
        notes.push_back("declare the trait, or `use` the module that declares it");
        diags_.report(Rule::UnknownDeclaration, impl.trait.span, "`impl` names unknown trait `" + impl.trait.text + "`",
                      notes);
      }
      if (gname.empty()) continue;
      ir::Gene* gene = &schema_.genes[gene_index_.at(gname)];
      for (const auto& fn : impl.methods) {
        ir::Method m = check_method(fn, gene, gene->type_params);
        m.from_impl = tname.empty() ? impl.trait.text : tname;
        gene->methods.push_back(std::move(m));
      }
      if (!tname.empty() && std::find(gene->traits.begin(), gene->traits.end(), tname) == gene->traits.end())
        gene->traits.push_back(tname);
    }
  }
}

void Checker::check_traits() {
  for (size_t f = 0; f < files_.size(); ++f) {
    for (const auto& t : files_[f].ast.traits) {
      ir::Trait out;
      out.name = t.name;
      out.span = t.span;
      out.version = version_of(t.version);
      out.docs = docs_text(t.docs);
      out.from_stdlib = files_[f].is_stdlib;
      for (const auto& u : t.uses) {
        const DeclRef* d = lookup(u.text, files_[f].module);
        if (d && d->kind == DeclKind::Trait) {
          out.uses.push_back(files_[d->file].ast.traits[d->index].name);
        } else {
          std::vector<std::string> notes = did_you_mean(u.text, names_of({DeclKind::Trait}));
          notes.push_back("declare the trait, or `use` the module that declares it");
          diags_.report(Rule::UnknownDeclaration, u.span, "`uses` names unknown trait `" + u.text + "`", notes);
        }
      }
      for (const auto& fn : t.methods) out.methods.push_back(check_method(fn, nullptr, {}));
      trait_index_.emplace(out.name, schema_.traits.size());
      schema_.traits.push_back(std::move(out));
    }
  }
}

void Checker::check_docs() {
  if (!options_.require_docs) return;
  auto need = [&](const std::optional<ast::Docs>& docs, const char* what, const std::string& name, Span span) {
    if (docs && !docs->text.empty()) return;
    diags_.report(Rule::MissingDocs, span, std::string(what) + " `" + name + "` has no docs block",
                  {"add `docs { ... }` after the declaration saying what it is for"});
  };
  for (const auto& lf : files_) {
    if (!lf.is_root) continue;
    const auto& file = lf.ast;
    for (const auto& g : file.genes) need(g.docs, g.enum_variants ? "enum" : "gene", g.name, g.name_span);
    for (const auto& a : file.aliases) need(a.docs, "type", a.name, a.name_span);
    for (const auto& t : file.traits) need(t.docs, "trait", t.name, t.name_span);
    for (const auto& c : file.constraints) need(c.docs, "constraint", c.name, c.name_span);
    for (const auto& s : file.systems) need(s.docs, "system", s.name, s.name_span);
    for (const auto& e : file.evolutions) need(e.docs, "evolution", e.name, e.name_span);
  }
}

}  // namespace dolc::sema
