// compiler/lower/name_check.cpp: see name_check.hpp. Works on the export
// table, so it sees exactly the names the emitters will write; every check is
// one pass with a hash map (linear in the schema).
#include "lower/name_check.hpp"

#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "lower/api.hpp"
#include "lower/naming.hpp"

namespace dolc::lower {

namespace {

// Members of the generated JS document class (emit/prelude/prelude.js,
// class Document, and the static `load` of every generated class): a field
// or gene method of a document's root gene with one of these JS names would
// shadow the API every app relies on.
const std::unordered_set<std::string>& document_members() {
  static const std::unordered_set<std::string> names = {
      "actor", "version", "changesSince", "apply", "merge", "save", "load", "toJSON", "violations",
      "migrationConflicts", "free",
      "undoManager"};  // (docs/generated-api.md, "Undo and redo")
  return names;
}

// Names no generated object may have as a member: `constructor` is a syntax
// error as a class getter; the rest are Object.prototype members that hosts
// call implicitly (`then` makes an object awaitable, `toString`/`valueOf`
// convert it) or that libraries call on any object.
const std::unordered_set<std::string>& reserved_members() {
  static const std::unordered_set<std::string> names = {
      "constructor", "prototype", "then", "toString", "toLocaleString", "valueOf", "hasOwnProperty",
      "isPrototypeOf", "propertyIsEnumerable",
      "subscribe"};  // change events: every document and nested object has subscribe()
  return names;
}

// Classes the generated JS module defines or exports itself (prelude.js).
const std::unordered_set<std::string>& prelude_classes() {
  static const std::unordered_set<std::string> names = {
      "Document", "View", "Field", "Register", "MvRegister", "OrSet", "OrMap", "ObjectMap", "Counter",
      "List", "ObjectList", "Text", "AppendList", "AppendObjectList", "EscrowCounter"};
  return names;
}

std::string spellings(const std::string& label) {
  return fmt::format("`{}` in WIT, `{}` in JS, `{}` in C++", label, js_member(label), cpp_ident(label));
}

// Where an export of a document comes from: its method, its field, else the gene.
Span export_span(const ApiInterface& iface, const ApiFunction& fn) {
  if (fn.method) return fn.method->name_span;
  if (fn.gene && fn.field_index >= 0) return fn.gene->fields[static_cast<size_t>(fn.field_index)].name_span;
  return iface.gene->name_span;
}

struct Checker {
  std::vector<NameProblem> out;
  std::set<std::pair<uint32_t, uint32_t>> reported;  // one finding per name (file, offset)

  void report(NameProblem::Kind kind, Span span, std::string message, std::vector<std::string> notes) {
    if (!reported.insert({span.file, span.begin}).second) return;
    out.push_back({kind, span, std::move(message), std::move(notes)});
  }

  void length(Span span, const std::string& what, const std::string& name) {
    if (name.size() <= kMaxNameLength) return;
    report(NameProblem::Kind::TooLong, span,
           fmt::format("{} is {} bytes long; names in generated code are at most {} bytes", what, name.size(),
                       kMaxNameLength),
           {"use a shorter name"});
  }
};

}  // namespace

std::vector<NameProblem> check_output_names(const ir::Schema& schema, const std::vector<FileId>& roots,
                                            const std::string& module_name) {
  Checker c;
  ExportTable table = build_export_table(schema, roots, module_name);

  // Lengths first: a name past the limit is reported once, as too long.
  std::set<const ir::Gene*> seen_genes;
  for (const auto& iface : table.interfaces)
    for (const auto& g : iface.genes) {
      if (!seen_genes.insert(g.gene).second) continue;
      c.length(g.gene->name_span, fmt::format("the name of gene `{:.40}...`", g.gene->name), g.gene->name);
      for (const auto& f : g.gene->fields)
        c.length(f.name_span, fmt::format("the name of field `{:.40}...`", f.name), f.name);
      for (const auto& m : g.gene->methods) {
        c.length(m.name_span, fmt::format("the name of method `{:.40}...`", m.name), m.name);
        for (const auto& p : m.params)
          c.length(p.span, fmt::format("the name of parameter `{:.40}...`", p.name), p.name);
      }
    }

  // Genes: one WIT interface and one set of JS classes each.
  std::unordered_map<std::string, const ir::Gene*> class_owner;  // JS/C++ class name -> gene
  for (const auto& name : prelude_classes()) class_owner[name] = nullptr;
  seen_genes.clear();
  for (const auto& iface : table.interfaces)
    for (const auto& g : iface.genes) {
      if (!seen_genes.insert(g.gene).second) continue;
      std::string cls = js_class(g.label);
      for (const std::string& name : {cls, cls + "View", cls + "Fields", cls + "Init"}) {
        auto [it, fresh] = class_owner.emplace(name, g.gene);
        if (fresh || it->second == g.gene) continue;
        if (it->second == nullptr)
          c.report(NameProblem::Kind::Collision, g.gene->name_span,
                   fmt::format("gene `{}` would generate the JS class `{}`, which the generated module already "
                               "defines",
                               g.gene->name, name),
                   {"rename the gene"});
        else
          c.report(NameProblem::Kind::Collision, g.gene->name_span,
                   fmt::format("genes `{}` and `{}` both generate the JS and C++ class `{}`", it->second->name,
                               g.gene->name, name),
                   {fmt::format("names become kebab-case in WIT and UpperCamelCase classes in JS (`{}`); "
                                "rename one of the genes",
                                g.label)});
        break;
      }
    }

  // Trait conversions (docs/generated-api.md, "Traits"): a trait's `object`
  // exports its methods under their own labels beside `as-<used-trait>` for
  // each trait it uses, so a trait method `as_<used_trait>` would be a second
  // export of that name (and the C++ of both, one function defined twice).
  for (const auto& t : table.traits)
    for (const auto& fn : t.functions)
      for (const auto& used : t.uses)
        if (fn.method && fn.op_label == "as-" + used)
          c.report(NameProblem::Kind::Collision, fn.method->name_span,
                   fmt::format("method `{}` of trait `{}` becomes `{}` in WIT, the name of the generated "
                               "conversion of a `{}` object to the trait `{}` it uses",
                               fn.method->name, t.trait->name, fn.op_label, t.trait->name,
                               table.find_trait(used)->trait->name),
                   {fmt::format("rename the method: `as-<trait>` names are the trait conversions of every object "
                                "(docs/generated-api.md, \"Names\")")});

  for (const auto& iface : table.interfaces) {
    // A document exports `as-<trait>` for each trait its gene implements: a
    // field operation (a field `as_labels` of a trait `labels.get`) or a
    // nested gene's export with that WIT name would be a second export.
    for (const auto& fn : iface.functions) {
      if (fn.kind != ApiFunction::Kind::Method) continue;
      for (const auto& label : iface.traits) {
        if (fn.label != "as-" + label) continue;
        c.report(NameProblem::Kind::Collision, export_span(iface, fn),
                 fmt::format("an operation of the `{}` document would be exported as `{}`, the name of its "
                             "generated conversion to the trait `{}`",
                             iface.gene->name, fn.label, table.find_trait(label)->trait->name),
                 {"rename the field or method: `as-<trait>` names are the trait conversions of every document "
                  "(docs/generated-api.md, \"Names\")"});
      }
    }
    // Fields of each gene the interface exposes: one label each.
    std::set<const ir::Gene*> done;
    for (const auto& g : iface.genes) {
      if (!done.insert(g.gene).second) continue;
      bool is_root = g.gene == iface.gene;
      std::unordered_map<std::string, const ir::Field*> labels;
      for (const auto& f : g.gene->fields) {
        std::string label = wit_label(f.name);
        std::string member = js_member(label);
        auto [it, fresh] = labels.emplace(label, &f);
        if (!fresh) {
          c.report(NameProblem::Kind::Collision, f.name_span,
                   fmt::format("fields `{}` and `{}` of gene `{}` both become {}", it->second->name, f.name,
                               g.gene->name, spellings(label)),
                   {"names are split into words at `_`, `.`, `-` and case changes; rename one of the fields"});
          continue;
        }
        if (reserved_members().count(member))
          c.report(NameProblem::Kind::Collision, f.name_span,
                   fmt::format("field `{}` of gene `{}` becomes the JS member `{}`, which JavaScript objects "
                               "reserve",
                               f.name, g.gene->name, member),
                   {"rename the field"});
        else if (is_root && document_members().count(member))
          c.report(NameProblem::Kind::Collision, f.name_span,
                   fmt::format("field `{}` of gene `{}` becomes the JS member `{}`, which the generated document "
                               "API already has (`doc.{}`)",
                               f.name, g.gene->name, member, member),
                   {"rename the field; the document members are listed in docs/generated-api.md"});
      }
      // Gene methods are members of the document class (root) or of the
      // gene's view class (nested objects), beside the fields.
      std::unordered_map<std::string, const ir::Method*> methods;
      for (const auto& fn : iface.functions) {
        if (fn.op != ApiOp::MethodCall || !fn.method || fn.gene != g.gene || fn.gene_prefix != g.prefix) continue;
        std::string member = js_member(fn.op_label);
        auto [it, fresh] = methods.emplace(fn.op_label, fn.method);
        if (!fresh)
          c.report(NameProblem::Kind::Collision, fn.method->name_span,
                   fmt::format("methods `{}` and `{}` of gene `{}` both become {}", it->second->name, fn.method->name,
                               g.gene->name, spellings(fn.op_label)),
                   {"rename one of the methods"});
        else if (auto f = labels.find(fn.op_label); f != labels.end())
          c.report(NameProblem::Kind::Collision, fn.method->name_span,
                   fmt::format("method `{}` and field `{}` of gene `{}` both become the JS member `{}`",
                               fn.method->name, f->second->name, g.gene->name, member),
                   {"rename the method or the field"});
        else if (reserved_members().count(member) || (is_root && document_members().count(member)))
          c.report(NameProblem::Kind::Collision, fn.method->name_span,
                   fmt::format("method `{}` of gene `{}` becomes the JS member `{}`, which the generated document "
                               "API or JavaScript already uses",
                               fn.method->name, g.gene->name, member),
                   {"rename the method; the document members are listed in docs/generated-api.md"});
      }
    }
    // Whatever is left: two exports with one WIT name (a root field whose
    // words repeat a nested gene's prefix, `call` + op against a method...).
    std::unordered_map<std::string, const ApiFunction*> exports;
    for (const auto& fn : iface.functions) {
      if (fn.kind != ApiFunction::Kind::Method) continue;
      auto [it, fresh] = exports.emplace(fn.label, &fn);
      if (fresh) continue;
      c.report(NameProblem::Kind::Collision, export_span(iface, fn),
               fmt::format("two operations of the `{}` document would both be exported as `{}`", iface.gene->name,
                           fn.label),
               {"WIT names join the nested gene's name, the field's name and the operation with `-`; rename the "
                "field or method so that its words do not repeat another's"});
    }
  }
  return c.out;
}

}  // namespace dolc::lower
