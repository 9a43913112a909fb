// compiler/lower/api_traits.cpp: the traits of the export table (api.hpp,
// ApiTrait): which traits a build declares, their functions, and which
// compiled genes implement them in the generated outputs.
//
// A build declares the traits its compiled root genes are (with the traits
// those use, transitively) and the traits its system lists. A trait
// method's parameters and result map to WIT as a gene method's do, limited
// to types that need no declaration of their own (numbers, bool, strings,
// bytes, uuids, timestamps, options and lists of them): an enum or record
// would belong to one schema's package, and the trait's interface must be
// the same in every schema that uses it. A trait with another type, or
// using such a trait, is left out with a `not-compiled` warning, never
// half-declared. A gene implements a declared trait when each trait method
// is one of its exported `call-<method>` functions with the same WIT
// signature (sema checked the DOL signatures; a method the lowering left
// out leaves the trait unimplemented, with a warning).
#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "lower/api.hpp"
#include "lower/naming.hpp"

namespace dolc::lower {

namespace {

// A type a trait interface can carry without declaring it (see above).
bool self_contained(const WitType& t) {
  if (t.kind == WitType::Kind::Enum || t.kind == WitType::Kind::Record) return false;
  for (const auto& a : t.args)
    if (!self_contained(a)) return false;
  return true;
}

bool in_roots(const Span& span, const std::vector<FileId>& roots) {
  return std::find(roots.begin(), roots.end(), span.file) != roots.end();
}

// A trait method's WIT function, or false with the reason.
bool trait_function(const ir::Schema& schema, const ApiTrait& t, const ir::Method& m, ApiFunction* out,
                    std::string* why) {
  using W = WitType::Kind;
  out->label = "call-" + wit_label(m.name);
  out->op_label = wit_label(m.name);
  out->op = ApiOp::MethodCall;
  out->method = &m;
  out->export_name = t.qualified + "#[method]object." + out->op_label;
  auto carry = [&](const ir::Type& type, WitType* w) {
    if (type.kind == ir::Type::Kind::Self) {
      *why = "`Self` values cannot cross a trait interface";
      return false;
    }
    if (!wit_value_type(schema, type, "", w, why)) return false;
    if (!self_contained(*w)) {
      *why = "`" + type.canonical() + "` would need a type of one schema's package in the trait's interface";
      return false;
    }
    return true;
  };
  for (const auto& p : m.params) {
    WitType w;
    if (!carry(p.type, &w)) return false;
    out->params.push_back({wit_label(p.name), w});
  }
  out->has_result = true;
  out->result = WitType::result_unit();
  const ir::Type* r = &m.result;
  if (r->kind == ir::Type::Kind::Result) r = &r->args[0];  // errors become the result's string, as for genes
  if (r->kind != ir::Type::Kind::Unit) {
    WitType w;
    if (!carry(*r, &w)) return false;
    out->result = WitType::of(W::Result, {w});
  }
  // Canonical ABI, as api.cpp computes it for gene methods (self first).
  out->core_params.push_back(CoreType::I32);
  for (const auto& p : out->params)
    for (CoreType c : flatten(p.type)) out->core_params.push_back(c);
  std::vector<CoreType> flat = flatten(out->result);
  out->result_in_memory = flat.size() > 1;
  out->core_results = out->result_in_memory ? std::vector<CoreType>{CoreType::I32} : flat;
  if (out->core_params.size() > 16) {
    *why = fmt::format("its parameters flatten to {} core values (at most 16 are supported)", out->core_params.size());
    return false;
  }
  return true;
}

}  // namespace

void add_traits(const ir::Schema& schema, const std::vector<FileId>& roots, ExportTable& table) {
  // The traits wanted, each after those it uses (C++ bases come first).
  std::vector<const ir::Trait*> order;
  std::set<std::string> visited;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    const ir::Trait* t = schema.find_trait(name);
    if (!t || t->from_stdlib || !visited.insert(name).second) return;
    for (const auto& u : t->uses) visit(u);
    order.push_back(t);
  };
  for (const auto& iface : table.interfaces)
    for (const auto& name : iface.gene->traits) visit(name);
  for (const auto& sys : schema.systems)
    if (in_roots(sys.span, roots))
      for (const auto& name : sys.traits) visit(name);

  // One package for every trait of one version: a schema's own package is
  // `dol:<module>`, so a module called `traits` moves its traits aside.
  std::string package_name = table.package_name == "traits" ? "dol-traits" : "traits";
  std::set<std::string> dropped;
  for (const ir::Trait* t : order) {
    ApiTrait at;
    at.trait = t;
    at.label = wit_label(t->name);
    std::string version = t->version.present() ? t->version.text : "0.1.0";
    at.package = "dol:" + package_name + "@" + version;
    at.qualified = "dol:" + package_name + "/" + at.label + "@" + version;
    std::string why;
    for (const auto& u : t->uses) {
      if (dropped.count(u)) why = "it uses trait `" + u + "`, which is left out";
      else if (const ir::Trait* ut = schema.find_trait(u); ut && !ut->from_stdlib) at.uses.push_back(wit_label(u));
    }
    for (const auto& m : t->methods) {
      if (!why.empty()) break;
      ApiFunction fn;
      if (!trait_function(schema, at, m, &fn, &why)) {
        why = "method `" + m.name + "`: " + why;
        break;
      }
      at.functions.push_back(std::move(fn));
    }
    if (!why.empty()) {
      dropped.insert(t->name);
      table.omissions.push_back({t->span, "trait `" + t->name +
                                              "` is left out of the generated WIT, TypeScript and C++ (its genes "
                                              "do not implement it there): " + why});
      continue;
    }
    table.traits.push_back(std::move(at));
  }

  // Which interfaces implement which traits: all of a trait's functions,
  // and every trait it uses.
  for (auto& iface : table.interfaces) {
    std::set<std::string> is;
    std::vector<std::string> todo = iface.gene->traits;
    for (size_t i = 0; i < todo.size(); ++i) {
      const ir::Trait* t = schema.find_trait(todo[i]);
      if (!t || !is.insert(t->name).second) continue;
      todo.insert(todo.end(), t->uses.begin(), t->uses.end());
    }
    std::set<std::string> done;
    for (const auto& at : table.traits) {
      if (!is.count(at.trait->name)) continue;
      std::string missing;
      for (const auto& u : at.uses)
        if (!done.count(u)) missing = "it does not implement trait `" + table.find_trait(u)->trait->name + "`";
      for (const auto& tf : at.functions) {
        if (!missing.empty()) break;
        bool found = false;
        for (const auto& fn : iface.functions)
          found = found || (fn.op == ApiOp::MethodCall && fn.gene_prefix.empty() && fn.label == tf.label &&
                            fn.result == tf.result && fn.params.size() == tf.params.size() &&
                            std::equal(fn.params.begin(), fn.params.end(), tf.params.begin(),
                                       [](const ApiParam& a, const ApiParam& b) { return a.type == b.type; }));
        if (!found) missing = "its method `" + tf.method->name + "` is not compiled";
      }
      if (!missing.empty()) {
        table.omissions.push_back({iface.gene->name_span, "gene `" + iface.gene->name + "` does not implement trait `" +
                                                              at.trait->name + "` in the generated outputs: " +
                                                              missing});
        continue;
      }
      done.insert(at.label);
      iface.traits.push_back(at.label);
    }
  }
}

}  // namespace dolc::lower
