// compiler/ir/json.cpp: ir::Schema -> JSON, for `--emit=schema-json` and for
// tools. See SCHEMA_JSON.md for the shape. Spans are left out on purpose:
// the JSON must not change when only whitespace or comments change.
#include "ir/json.hpp"

#include "ir/layouts.hpp"
#include "ir/strategies.hpp"

namespace dolc::ir {

using nlohmann::json;

namespace {

json version_json(const Version& v) {
  if (!v.present()) return nullptr;
  return v.text;
}

const char* expr_kind_name(Expr::Kind k) {
  switch (k) {
    case Expr::Kind::Int: return "int";
    case Expr::Kind::Float: return "float";
    case Expr::Kind::String: return "string";
    case Expr::Kind::Bool: return "bool";
    case Expr::Kind::Name: return "name";
    case Expr::Kind::Path: return "path";
    case Expr::Kind::Field: return "field";
    case Expr::Kind::Call: return "call";
    case Expr::Kind::MethodCall: return "method_call";
    case Expr::Kind::Index: return "index";
    case Expr::Kind::Unary: return "unary";
    case Expr::Kind::Binary: return "binary";
    case Expr::Kind::Assign: return "assign";
    case Expr::Kind::If: return "if";
    case Expr::Kind::Match: return "match";
    case Expr::Kind::Block: return "block";
    case Expr::Kind::StructLit: return "struct";
    case Expr::Kind::ListLit: return "list";
    case Expr::Kind::MapLit: return "map";
    case Expr::Kind::TupleLit: return "tuple";
    case Expr::Kind::Closure: return "closure";
    case Expr::Kind::Cast: return "cast";
    case Expr::Kind::Try: return "try";
    case Expr::Kind::Quantifier: return "quantifier";
    case Expr::Kind::Opaque: return "opaque";
  }
  return "opaque";
}

const char* ref_name(Expr::Ref r) {
  switch (r) {
    case Expr::Ref::None: return nullptr;
    case Expr::Ref::SelfValue: return "self";
    case Expr::Ref::OldValue: return "old";
    case Expr::Ref::GeneField: return "field";
    case Expr::Ref::Param: return "param";
    case Expr::Ref::Local: return "local";
    case Expr::Ref::EnumVariant: return "enum_variant";
    case Expr::Ref::Builtin: return "builtin";
    case Expr::Ref::Method: return "method";
    case Expr::Ref::Const: return "const";
  }
  return nullptr;
}

const char* stmt_kind_name(Stmt::Kind k) {
  switch (k) {
    case Stmt::Kind::Let: return "let";
    case Stmt::Kind::Expr: return "expr";
    case Stmt::Kind::Return: return "return";
    case Stmt::Kind::Break: return "break";
    case Stmt::Kind::Continue: return "continue";
    case Stmt::Kind::For: return "for";
    case Stmt::Kind::While: return "while";
    case Stmt::Kind::Loop: return "loop";
  }
  return "expr";
}

json expr_json(const Expr& e);

json stmt_json(const Stmt& s) {
  json j = {{"kind", stmt_kind_name(s.kind)}};
  if (!s.name.empty()) j["name"] = s.name;
  if (s.is_mut) j["mut"] = true;
  if (s.declared_type) j["type"] = type_to_json(*s.declared_type);
  if (s.expr) j["expr"] = expr_json(*s.expr);
  if (!s.body.empty()) {
    json body = json::array();
    for (const auto& b : s.body) body.push_back(stmt_json(b));
    j["body"] = body;
  }
  return j;
}

json expr_json(const Expr& e) {
  json j = {{"kind", expr_kind_name(e.kind)}};
  if (!e.text.empty()) j["text"] = e.text;
  if (e.kind == Expr::Kind::Int) j["value"] = e.int_value;
  if (e.type.kind != Type::Kind::Error) j["type"] = e.type.canonical();
  if (const char* r = ref_name(e.ref)) j["ref"] = r;
  if (!e.field.empty()) j["field"] = e.field;
  if (!e.enum_name.empty()) j["enum"] = e.enum_name;
  if (!e.children.empty()) {
    json c = json::array();
    for (const auto& ch : e.children) c.push_back(expr_json(ch));
    j["children"] = c;
  }
  bool any_name = false;
  for (const auto& n : e.arg_names) any_name = any_name || !n.empty();
  if (any_name) j["arg_names"] = e.arg_names;
  if (!e.params.empty()) j["params"] = e.params;
  if (e.cast_type) j["cast_type"] = type_to_json(*e.cast_type);
  if (!e.stmts.empty()) {
    json s = json::array();
    for (const auto& st : e.stmts) s.push_back(stmt_json(st));
    j["stmts"] = s;
  }
  if (!e.arms.empty()) {
    json arms = json::array();
    for (const auto& a : e.arms) {
      json arm = {{"pattern", a.pattern.text}, {"body", expr_json(a.body)}};
      if (a.guard) arm["guard"] = expr_json(*a.guard);
      arms.push_back(arm);
    }
    j["arms"] = arms;
  }
  return j;
}

// The strategy's options (ir/strategies.def): `Always` ones always, null
// when an integer is unset; `IfChanged` ones (the newer options) only when
// they differ from the default, so that schema JSON of schemas without them
// stays as it was (tools compare these files).
json options_json(const Field& f) {
  json o = json::object();
  for (const OptionInfo* info : options_of(f.strategy)) {
    if (info->json == OptionJson::IfChanged && !option_changed(f.options, info->option)) continue;
    OptionValue v = get_option(f.options, info->option);
    switch (info->kind) {
      case OptionKind::Word: o[info->name] = v.word; break;
      case OptionKind::Bool: o[info->name] = v.flag; break;
      case OptionKind::Bound:
      case OptionKind::Length: o[info->name] = v.present ? json(v.number) : json(nullptr); break;
    }
  }
  return o;
}

json field_json(const Field& f) {
  json j = {
      {"name", f.name},
      {"type", type_to_json(f.type)},
      {"strategy", strategy_name(f.strategy)},
      {"strategy_explicit", f.strategy_explicit},
      {"nested_gene", f.nested_gene},
      {"options", options_json(f)},
      {"personal", f.personal},
      {"inherited_from", f.inherited_from.empty() ? json(nullptr) : json(f.inherited_from)},
      {"default", f.default_value ? expr_json(*f.default_value) : json(nullptr)},
      {"where", f.where ? expr_json(*f.where) : json(nullptr)},
      {"docs", f.docs.empty() ? json(nullptr) : json(f.docs)},
  };
  return j;
}

json method_json(const Method& m) {
  json params = json::array();
  for (const auto& p : m.params) params.push_back({{"name", p.name}, {"type", type_to_json(p.type)}});
  return {
      {"name", m.name},
      {"type_params", m.type_params},
      {"params", params},
      {"result", type_to_json(m.result)},
      {"sex", m.is_sex},
      {"extern", m.is_extern},
      {"from_impl", m.from_impl.empty() ? json(nullptr) : json(m.from_impl)},
      {"mutates", m.mutated_fields},
      {"body", m.body ? expr_json(*m.body) : json(nullptr)},
      {"docs", m.docs.empty() ? json(nullptr) : json(m.docs)},
  };
}

const char* clause_kind_name(ConstraintClause::Kind k) {
  switch (k) {
    case ConstraintClause::Kind::NeverChanges: return "never_changes";
    case ConstraintClause::Kind::Invariant: return "invariant";
    case ConstraintClause::Kind::Predicate: return "predicate";
  }
  return "predicate";
}

const char* change_kind_name(EvolutionChange::Kind k) {
  switch (k) {
    case EvolutionChange::Kind::Adds: return "adds";
    case EvolutionChange::Kind::Removes: return "removes";
    case EvolutionChange::Kind::Renames: return "renames";
    case EvolutionChange::Kind::ChangesStrategy: return "changes_strategy";
    case EvolutionChange::Kind::ChangesType: return "changes_type";
    case EvolutionChange::Kind::Deprecates: return "deprecates";
    case EvolutionChange::Kind::Sentence: return "sentence";
  }
  return "sentence";
}

const char* safety_name(EvolutionChange::Safety s) {
  switch (s) {
    case EvolutionChange::Safety::Safe: return "safe";
    case EvolutionChange::Safety::NeedsMigration: return "needs_migration";
    case EvolutionChange::Safety::Unsafe: return "unsafe";
  }
  return "safe";
}

json pairs_json(const std::vector<std::pair<std::string, std::string>>& pairs) {
  json a = json::array();
  for (const auto& [k, v] : pairs) a.push_back({{"key", k}, {"value", v}});
  return a;
}

json opt_string(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

}  // namespace

json type_to_json(const Type& t) {
  json j = {{"kind", nullptr}, {"name", t.canonical()}};
  switch (t.kind) {
    case Type::Kind::Error: j["kind"] = "error"; break;
    case Type::Kind::Unit: j["kind"] = "unit"; break;
    case Type::Kind::Bool: j["kind"] = "bool"; break;
    case Type::Kind::Int:
      j["kind"] = "int";
      j["bits"] = t.bits;
      j["signed"] = t.is_signed;
      break;
    case Type::Kind::Float: j["kind"] = "float"; j["bits"] = t.bits; break;
    case Type::Kind::String: j["kind"] = "string"; break;
    case Type::Kind::Uuid: j["kind"] = "uuid"; break;
    case Type::Kind::Timestamp: j["kind"] = "timestamp"; break;
    case Type::Kind::Identity: j["kind"] = "identity"; break;
    case Type::Kind::Bytes: j["kind"] = "bytes"; break;
    case Type::Kind::RichText: j["kind"] = "richtext"; break;
    case Type::Kind::Option: j["kind"] = "option"; break;
    case Type::Kind::Set: j["kind"] = "set"; break;
    case Type::Kind::List: j["kind"] = "list"; break;
    case Type::Kind::Map: j["kind"] = "map"; break;
    case Type::Kind::Enum: j["kind"] = "enum"; j["variants"] = t.variants; break;
    case Type::Kind::Gene: j["kind"] = "gene"; break;
    case Type::Kind::Tuple: j["kind"] = "tuple"; break;
    case Type::Kind::Result: j["kind"] = "result"; break;
    case Type::Kind::Function: j["kind"] = "function"; break;
    case Type::Kind::TypeParam: j["kind"] = "type_param"; break;
    case Type::Kind::Self: j["kind"] = "self"; break;
    case Type::Kind::Opaque: j["kind"] = "opaque"; break;
  }
  if (!t.args.empty()) {
    json a = json::array();
    for (const auto& arg : t.args) a.push_back(type_to_json(arg));
    j["args"] = a;
  }
  return j;
}

json schema_to_json(const Schema& s) {
  json root;
  root["format"] = "dolc-schema";
  root["format_version"] = 1;

  json modules = json::array();
  for (const auto& m : s.modules) {
    json uses = json::array();
    for (const auto& u : m.uses)
      uses.push_back({{"path", u.path}, {"items", u.items}, {"external", u.is_external}});
    modules.push_back({{"name", opt_string(m.name)}, {"version", version_json(m.version)}, {"file", m.file},
                       {"root", m.is_root}, {"stdlib", m.is_stdlib}, {"uses", uses}});
  }
  root["modules"] = modules;

  auto gene_json = [&](const Gene& g) {
    json fields = json::array(), methods = json::array();
    for (const auto& f : g.fields) fields.push_back(field_json(f));
    for (const auto& m : g.methods) methods.push_back(method_json(m));
    return json{{"name", g.name}, {"module", opt_string(g.module)}, {"version", version_json(g.version)},
                {"docs", opt_string(g.docs)}, {"extends", opt_string(g.extends)}, {"traits", g.traits},
                {"type_params", g.type_params}, {"fields", fields}, {"methods", methods},
                {"constraints", g.constraints}, {"sentences", g.sentences}, {"stdlib", g.from_stdlib}};
  };
  json genes = json::array();
  for (const auto& g : s.genes) {
    // Every version of the gene its evo chain describes, with each field's
    // stable key in the bytes (ir/layouts.hpp), oldest first.
    json layouts = json::array();
    for (const auto& l : gene_history(s, g).layouts) {
      json fields = json::array();
      for (const auto& f : l.fields) fields.push_back({{"name", f.name}, {"key", f.key}});
      layouts.push_back({{"version", version_json(l.version)}, {"hash", l.hash}, {"fields", fields}});
    }
    json j = gene_json(g);
    j["layouts"] = layouts;
    genes.push_back(j);
  }
  root["genes"] = genes;
  json gene_versions = json::array();  // older declarations linked by an evo chain
  for (const auto& g : s.gene_versions) gene_versions.push_back(gene_json(g));
  root["gene_versions"] = gene_versions;

  json enums = json::array();
  for (const auto& e : s.enums)
    enums.push_back({{"name", e.name}, {"variants", e.variants}, {"docs", opt_string(e.docs)}});
  root["enums"] = enums;

  json aliases = json::array();
  for (const auto& a : s.aliases)
    aliases.push_back({{"name", a.name}, {"type", type_to_json(a.target)}, {"docs", opt_string(a.docs)}});
  root["aliases"] = aliases;

  json traits = json::array();
  for (const auto& t : s.traits) {
    json methods = json::array();
    for (const auto& m : t.methods) methods.push_back(method_json(m));
    traits.push_back({{"name", t.name}, {"version", version_json(t.version)}, {"uses", t.uses},
                      {"methods", methods}, {"docs", opt_string(t.docs)}});
  }
  root["traits"] = traits;

  json constraints = json::array();
  for (const auto& c : s.constraints) {
    json clauses = json::array();
    for (const auto& cl : c.clauses) {
      json j = {{"kind", clause_kind_name(cl.kind)},
                {"needs_runtime_check", cl.needs_runtime_check},
                {"needs_coordination", cl.needs_coordination}};
      if (!cl.field.empty()) j["field"] = cl.field;
      if (!cl.op.empty()) j["op"] = cl.op;
      if (cl.lhs) j["lhs"] = expr_json(*cl.lhs);
      if (cl.rhs) j["rhs"] = expr_json(*cl.rhs);
      if (cl.expr) j["expr"] = expr_json(*cl.expr);
      if (!cl.words.empty()) j["words"] = cl.words;
      clauses.push_back(j);
    }
    constraints.push_back({{"name", c.name}, {"gene", opt_string(c.gene)}, {"inline", c.is_inline},
                           {"version", version_json(c.version)},
                           {"on_violation", violation_policy_name(c.on_violation)},
                           {"on_violation_explicit", c.on_violation_explicit}, {"clauses", clauses},
                           {"docs", opt_string(c.docs)}});
  }
  root["constraints"] = constraints;

  json systems = json::array();
  for (const auto& sys : s.systems) {
    json reqs = json::array(), state = json::array();
    for (const auto& r : sys.requires_)
      reqs.push_back({{"name", r.name}, {"op", opt_string(r.op)}, {"version", version_json(r.version)}});
    for (const auto& p : sys.state) state.push_back({{"name", p.name}, {"type", type_to_json(p.type)}});
    systems.push_back({{"name", sys.name}, {"version", version_json(sys.version)}, {"requires", reqs},
                       {"genes", sys.genes}, {"traits", sys.traits}, {"sync_policy", pairs_json(sys.sync_policy)},
                       {"state", state}, {"compiled_genes", sys.compiled_genes}, {"docs", opt_string(sys.docs)}});
  }
  root["systems"] = systems;

  json evolutions = json::array();
  for (const auto& ev : s.evolutions) {
    json changes = json::array(), migrations = json::array();
    for (const auto& ch : ev.changes) {
      json j = {{"kind", change_kind_name(ch.kind)}, {"safety", safety_name(ch.safety)},
                {"has_migration", ch.has_migration}};
      if (!ch.field.empty()) j["field"] = ch.field;
      if (!ch.new_name.empty()) j["new_name"] = ch.new_name;
      if (ch.added) j["added"] = field_json(*ch.added);
      if (ch.kind == EvolutionChange::Kind::ChangesStrategy) {
        j["from_strategy"] = ch.from_strategy ? json(strategy_name(*ch.from_strategy)) : json(nullptr);
        j["to_strategy"] = ch.to_strategy ? json(strategy_name(*ch.to_strategy)) : json(nullptr);
      }
      if (ch.from_type) j["from_type"] = type_to_json(*ch.from_type);
      if (ch.to_type) j["to_type"] = type_to_json(*ch.to_type);
      if (!ch.words.empty()) j["words"] = ch.words;
      changes.push_back(j);
    }
    for (const auto& m : ev.migrations) migrations.push_back({{"field", m.field}, {"body", expr_json(m.body)}});
    evolutions.push_back({{"name", ev.name}, {"gene", opt_string(ev.gene)},
                          {"from_version", version_json(ev.from_version)},
                          {"to_version", version_json(ev.to_version)}, {"from_name", opt_string(ev.from_name)},
                          {"changes", changes}, {"migrations", migrations}, {"because", opt_string(ev.because)},
                          {"meta", pairs_json(ev.meta)}, {"docs", opt_string(ev.docs)}});
  }
  root["evolutions"] = evolutions;
  return root;
}

}  // namespace dolc::ir
