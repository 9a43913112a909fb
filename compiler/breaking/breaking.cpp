// compiler/breaking: the rules of `dolc breaking` (docs/breaking.md).
//
// For every gene of the old schema (stdlib genes aside) the comparer decides
// what became of each old field in the new schema:
//  * with an `evo` chain from the old version to the new one (found by
//    ir::gene_history on the NEW schema), the old field is looked up in the
//    layout the chain reconstructs for the old version and followed by its
//    key: to the field that holds the key now (kept or renamed), through
//    `changes` items to the field that replaced it, or to the `removes`
//    that dropped it;
//  * without a chain (same version, or no `evo` leading back), by name.
// Then it reports what that fate breaks: the data (breaking-field-identity),
// the merge (breaking-merge), the version bookkeeping
// (breaking-missing-evolution), the generated API (breaking-api) and merge
// options (breaking-option). Methods are compared by name and signature.
//
// The safety table is a copy of crdt.md's, not a call into sema: sema checks
// what an `evo` *declares*, this file checks the old schema as it really was
// against the new one, which catches an `evo` that misdescribes the old
// version as well as changes no `evo` mentions.
#include "breaking/breaking.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "ir/evolution_rules.hpp"
#include "ir/layouts.hpp"
#include "ir/strategies.hpp"

namespace dolc::breaking {

std::string OldSchema::where(const Span& span) const {
  if (!sources || !span.valid() || span.file >= sources->size()) return label;
  const SourceFile& file = sources->file(span.file);
  auto named = display_names.find(span.file);
  LineCol pos = file.position(span.begin);
  return (named != display_names.end() ? named->second : file.path()) + ":" + std::to_string(pos.line) + ":" +
         std::to_string(pos.column);
}

namespace {

using S = ir::Strategy;
using Safety = ir::EvolutionChange::Safety;  // crdt.md's table: ir/evolution_rules.hpp
using ir::type_change_safety;
Safety strategy_change_safety(S from, S to) { return ir::strategy_change_safety(from, to); }

// A field of gene type without `@crdt` merges field by field: a merge of its
// own, different from any strategy it could be given.
bool same_merge(const ir::Field& a, const ir::Field& b) {
  return a.nested_gene == b.nested_gene && (a.nested_gene || a.strategy == b.strategy);
}

// Two strategies that store the same operations with the same value bytes
// (strategies.def's "writes": lww and immutable).
bool register_pair(const ir::Field& a, const ir::Field& b) {
  return !a.nested_gene && !b.nested_gene && ir::same_writes(a.strategy, b.strategy);
}

// `@crdt(lww)`, as written in an `evo` item ("" for the nested merge, which has no annotation).
std::string annotation_text(const ir::Field& f) {
  return f.nested_gene ? std::string() : "@crdt(" + std::string(ir::strategy_name(f.strategy)) + ")";
}

std::string merge_text(const ir::Field& f) {
  return f.nested_gene ? std::string("no `@crdt` (nested field-by-field merge)")
                       : "`@crdt(" + std::string(ir::strategy_name(f.strategy)) + ")`";
}

// The shape of a field's accessor in the generated API (docs/generated-api.md).
std::string accessor_kind(const ir::Field& f) {
  if (f.nested_gene) return "nested";
  return ir::strategy_info(f.strategy).writes;  // strategies writing the same operations share an accessor
}

// Every option of the table (ir/strategies.def), compared by value.
bool options_equal(const ir::Field& a, const ir::Field& b) {
  for (const ir::OptionInfo& o : ir::crdt_options()) {
    ir::OptionValue x = ir::get_option(a.options, o.option), y = ir::get_option(b.options, o.option);
    bool number = o.kind == ir::OptionKind::Bound || o.kind == ir::OptionKind::Length;
    if (x.word != y.word || x.flag != y.flag || (number && (x.present != y.present || x.number != y.number)))
      return false;
  }
  return true;
}

bool field_differs(const ir::Field& a, const ir::Field& b) {
  return a.type != b.type || !same_merge(a, b) || (same_merge(a, b) && !options_equal(a, b));
}

bool same_version(const ir::Version& a, const ir::Version& b) {
  if (!a.present() || !b.present()) return a.present() == b.present();
  return a.major == b.major && a.minor == b.minor && a.patch == b.patch;
}

bool version_less(const ir::Version& a, const ir::Version& b) {
  return std::tie(a.major, a.minor, a.patch) < std::tie(b.major, b.minor, b.patch);
}

std::string version_text(const ir::Version& v) { return v.present() ? v.text : "(no version)"; }

std::string signature(const ir::Method& m) {
  std::string out = "(";
  for (size_t i = 0; i < m.params.size(); ++i)
    out += (i ? ", " : "") + m.params[i].name + ": " + m.params[i].type.canonical();
  out += ")";
  if (m.result.kind != ir::Type::Kind::Unit) out += " -> " + m.result.canonical();
  return out;
}

bool same_signature(const ir::Method& a, const ir::Method& b) {
  if (a.params.size() != b.params.size() || a.result != b.result) return false;
  for (size_t i = 0; i < a.params.size(); ++i)
    if (a.params[i].type != b.params[i].type) return false;
  return true;
}

Span first_valid(std::initializer_list<Span> spans) {
  for (const Span& s : spans)
    if (s.valid()) return s;
  return Span{};
}

// What became of one old field in the new gene.
struct Fate {
  enum class Kind { Kept, Replaced, Removed, Lost } kind = Kind::Lost;
  const ir::Field* now = nullptr;           // Kept / Replaced: the field holding the data now
  const ir::EvolutionChange* change = nullptr;  // the `renames`/`changes`/`removes` item that shows it
  const ir::Evolution* evolution = nullptr;     // ... and its evolution
  bool has_migration = false;               // Replaced: a step has a `migrate` body for the field
};

class Comparer {
 public:
  Comparer(const OldSchema& old_schema, const NewSchema& new_schema, DiagnosticSink& out)
      : old_(old_schema), new_(new_schema), out_(out) {}

  void run() {
    for (const ir::Gene& og : old_.schema.genes) {
      if (og.from_stdlib) continue;
      const ir::Gene* ng = new_.schema->find_gene(og.name);
      if (!ng) {
        removed_gene(og);
        continue;
      }
      gene(og, *ng);
    }
  }

 private:
  const OldSchema& old_;
  const NewSchema& new_;
  DiagnosticSink& out_;

  std::string old_at(const ir::Gene& g) const { return old_.where(first_valid({g.name_span, g.span})); }
  std::string old_at(const ir::Field& f) const { return old_.where(first_valid({f.name_span, f.span})); }
  std::string old_at(const ir::Method& m) const { return old_.where(first_valid({m.name_span, m.span})); }

  std::string old_field_note(const ir::Gene& og, const ir::Field& of) const {
    return "old version " + version_text(og.version) + ": `" + of.name + ": " + of.type.canonical() + "` with " +
           merge_text(of) + " at " + old_at(of);
  }

  // The evo header a fix should use: the new version when it moved on, else
  // the next minor version.
  static std::string evo_header(const ir::Gene& og, const ir::Gene& ng) {
    if (!og.version.present()) return "evo " + ng.name + " @ 1.1.0 > 1.0.0";
    std::string to = ng.version.present() && version_less(og.version, ng.version)
                         ? ng.version.text
                         : std::to_string(og.version.major) + "." + std::to_string(og.version.minor + 1) + ".0";
    return "evo " + ng.name + " @ " + to + " > " + og.version.text;
  }

  Span removed_gene_span(const ir::Gene& og) const {
    // The new file of the same module, else the first file named on the command line.
    for (const ir::Module& m : new_.schema->modules)
      if (!og.module.empty() && m.name == og.module && !m.is_stdlib)
        if (auto id = new_.sources->find(m.file)) return Span{*id, 0, 0};
    if (!new_.roots.empty()) return Span{new_.roots.front(), 0, 0};
    return Span{};
  }

  void removed_gene(const ir::Gene& og) {
    out_.report(Rule::BreakingApi, removed_gene_span(og),
                "gene `" + og.name + "` was removed: its document class is gone from the generated API "
                "(JS/TS, WIT, C++), and documents of it can no longer be opened",
                {"old: `" + og.name + "` @ " + version_text(og.version) + " at " + old_at(og),
                 "keep the gene (deprecate it in its docs), or ship its removal as a breaking release"});
  }

  void gene(const ir::Gene& og, const ir::Gene& ng) {
    bool changed = og.fields.size() != ng.fields.size();
    for (const ir::Field& of : og.fields) {
      const ir::Field* nf = ng.field(of.name);
      if (!nf || field_differs(of, *nf)) changed = true;
    }

    // The layout the new gene's `evo` chain gives the old version, if any.
    ir::GeneHistory history = ir::gene_history(*new_.schema, ng);
    const ir::Layout* old_layout = nullptr;
    if (og.version.present() && !same_version(og.version, ng.version))
      for (const ir::Layout& l : history.layouts)
        if (l.version.present() && same_version(l.version, og.version)) old_layout = &l;

    if (same_version(og.version, ng.version)) {
      if (changed)
        out_.report(Rule::BreakingMissingEvolution, ng.name_span,
                    "gene `" + ng.name + "` changed since the old schema, but " +
                        (ng.version.present() ? "its version is still " + ng.version.text
                                              : std::string("it has no version to tell the two apart")),
                    {"old: `" + og.name + "` @ " + version_text(og.version) + " at " + old_at(og),
                     og.version.present()
                         ? "give the gene a new version and describe the change: `" + evo_header(og, ng) + " { ... }`"
                         : "give the gene a version (`gen " + ng.name +
                               " @ 1.0.0`) and describe later changes with `evo`: a change to an unversioned "
                               "gene cannot be told apart from the old one"});
    } else if (!old_layout && (og.version.present() || changed)) {
      std::string message;
      if (og.version.present() && ng.version.present() && version_less(ng.version, og.version))
        message = "gene `" + ng.name + "` went back from version " + og.version.text + " to " + ng.version.text;
      else
        message = "gene `" + ng.name + "` is now at version " + version_text(ng.version) +
                  ", but no `evo` chain leads to it from the old version " + version_text(og.version);
      std::vector<std::string> notes{"old: `" + og.name + "` @ " + version_text(og.version) + " at " + old_at(og)};
      if (history.layouts.size() > 1)
        notes.push_back("the `evo` chain of `" + ng.name + "` goes back to " +
                        version_text(history.layouts.front().version) + " only");
      notes.push_back("add `" + evo_header(og, ng) +
                      " { ... }` describing the changes: without it the new module cannot open documents saved "
                      "by the old one");
      out_.report(Rule::BreakingMissingEvolution, ng.name_span, message, notes);
    }

    std::set<std::string> keys_of_old_fields;
    for (const ir::Field& of : og.fields) {
      Fate fate = old_layout ? follow(og, of, ng, history, *old_layout, &keys_of_old_fields) : by_name(of, ng);
      report_fate(og, of, ng, fate, old_layout != nullptr);
    }
    if (old_layout) unexplained_new_fields(og, ng, history, *old_layout, keys_of_old_fields);
    methods(og, ng);
  }

  static Fate by_name(const ir::Field& of, const ir::Gene& ng) {
    Fate fate;
    if (const ir::Field* nf = ng.field(of.name)) {
      fate.kind = Fate::Kind::Kept;
      fate.now = nf;
    }
    return fate;
  }

  // Finds the item of the chain's evolutions that names `field` with `kind`.
  static void find_change(const ir::GeneHistory& history, ir::EvolutionChange::Kind kind,
                          const std::set<std::string>& names, Fate* fate) {
    for (const ir::Evolution* e : history.chain)
      for (const ir::EvolutionChange& c : e->changes)
        if (c.kind == kind && names.count(c.field)) {
          fate->change = &c;
          fate->evolution = e;
        }
  }

  Fate follow(const ir::Gene& og, const ir::Field& of, const ir::Gene& ng, const ir::GeneHistory& history,
              const ir::Layout& old_layout, std::set<std::string>* keys_of_old_fields) {
    const ir::LayoutField* lf = nullptr;
    for (const auto& f : old_layout.fields)
      if (f.name == of.name) lf = &f;
    if (!lf) {
      // The chain says the old version had no such field: it cannot have
      // been carried over, unless the new gene still has it by name (an
      // `adds` of a field that existed; its key is the same name).
      (void)og;
      return by_name(of, ng);
    }
    keys_of_old_fields->insert(lf->key);
    std::set<std::string> names{of.name};  // every name the field had along the way
    std::string key = lf->key;
    Fate fate;
    // A key replaced by `changes` moves to a new key; follow it (bounded: a
    // chain cannot replace more keys than it has).
    for (size_t step = 0; step <= history.replaced.size(); ++step) {
      for (const ir::Layout& l : history.layouts)
        for (const auto& f : l.fields)
          if (f.key == key) names.insert(f.name);
      const ir::Field* now = nullptr;
      const ir::Layout& last = history.layouts.back();
      for (size_t i = 0; i < last.fields.size() && i < ng.fields.size(); ++i)
        if (last.fields[i].key == key) now = ng.field(last.fields[i].name);
      if (now) {
        fate.now = now;
        if (fate.kind != Fate::Kind::Replaced) {
          fate.kind = Fate::Kind::Kept;
          if (now->name != of.name) find_change(history, ir::EvolutionChange::Kind::Renames, names, &fate);
        }
        return fate;
      }
      const ir::ReplacedField* replaced = nullptr;
      for (const auto& r : history.replaced)
        if (r.old_key == key) replaced = &r;
      if (!replaced) break;
      fate.kind = Fate::Kind::Replaced;
      fate.evolution = replaced->evolution;
      fate.has_migration = fate.has_migration || replaced->migration != nullptr;
      if (replaced->evolution)
        for (const ir::EvolutionChange& c : replaced->evolution->changes)
          if (c.field == replaced->name && (c.kind == ir::EvolutionChange::Kind::ChangesStrategy ||
                                            c.kind == ir::EvolutionChange::Kind::ChangesType))
            fate.change = &c;
      key = replaced->new_key;
    }
    // Dropped (possibly after being replaced): a `removes` must say so.
    fate = Fate{};
    fate.kind = Fate::Kind::Removed;
    find_change(history, ir::EvolutionChange::Kind::Removes, names, &fate);
    if (!fate.change) fate.kind = Fate::Kind::Lost;
    return fate;
  }

  void report_fate(const ir::Gene& og, const ir::Field& of, const ir::Gene& ng, const Fate& fate, bool has_chain) {
    const std::string who = "field `" + of.name + "` of `" + ng.name + "`";
    if (fate.kind == Fate::Kind::Lost) {
      // A field of the new gene nobody had before, with the same type and
      // merge, is most likely the renamed one.
      std::string candidate;
      for (const ir::Field& nf : ng.fields)
        if (!og.field(nf.name) && nf.type == of.type && same_merge(nf, of)) {
          candidate = nf.name;
          break;
        }
      std::string fix = candidate.empty()
                            ? "if the removal is intended, add `removes " + of.name + "` to `" + evo_header(og, ng) +
                                  "` (after a version that `deprecates " + of.name + "`)"
                            : "if `" + of.name + "` became `" + candidate + "`, add `renames " + of.name + " -> " +
                                  candidate + "` to `" + evo_header(og, ng) + "`";
      out_.report(Rule::BreakingFieldIdentity, ng.name_span,
                  who + " was removed or renamed " +
                      (has_chain ? "without a `removes` or `renames` in the `evo` chain from " + og.version.text
                                 : std::string("without an `evo` that says so")) +
                      ": documents saved by the old version would lose its data",
                  {old_field_note(og, of), fix});
      out_.report(Rule::BreakingApi, ng.name_span,
                  who + " is gone from the generated API (JS/TS, WIT, C++): code using its accessor breaks",
                  {old_field_note(og, of)});
      return;
    }
    if (fate.kind == Fate::Kind::Removed) {
      out_.report(Rule::BreakingApi, first_valid({fate.change->span, ng.name_span}),
                  who + " is removed: its accessor is gone from the generated API (JS/TS, WIT, C++)",
                  {old_field_note(og, of),
                   "documents are safe: the removal is declared in `evo " + ng.name + " @ " +
                       fate.evolution->to_version.text + "`",
                   "code using the accessor must change; keep the field deprecated until your apps stop using it"});
      return;
    }

    const ir::Field& nf = *fate.now;
    Span merge_span = first_valid({nf.annotation_span, nf.name_span});
    Span type_span = first_valid({nf.type_span, nf.name_span});
    std::string evo_ref = fate.evolution ? "`evo " + ng.name + " @ " + fate.evolution->to_version.text + "`" : "";

    // Data: a kept key must still mean what it meant.
    if (fate.kind == Fate::Kind::Kept) {
      if (nf.type != of.type)
        out_.report(Rule::BreakingFieldIdentity, type_span,
                    who + " changed type from `" + of.type.canonical() + "` to `" + nf.type.canonical() +
                        "` without an `evo` that says so: old documents hold `" + of.type.canonical() +
                        "` values under this field",
                    {old_field_note(og, of),
                     "add `changes " + nf.name + " from " + of.type.canonical() + " to " + nf.type.canonical() +
                         "` with a `migrate " + nf.name + " { ... }` body to `" + evo_header(og, ng) +
                         "`, or add a new field"});
      if (!same_merge(of, nf)) {
        bool unsafe = !of.nested_gene && !nf.nested_gene
                          ? strategy_change_safety(of.strategy, nf.strategy) == Safety::Unsafe
                          : true;
        if (unsafe)
          out_.report(Rule::BreakingMerge, merge_span,
                      who + " changed from " + merge_text(of) + " to " + merge_text(nf) +
                          ", a change crdt.md calls unsafe: replicas on the old version keep merging it the old way",
                      {old_field_note(og, of),
                       "keep the old strategy, or add a new field with the new strategy and migrate into it"});
        else if (!register_pair(of, nf))
          out_.report(Rule::BreakingMerge, merge_span,
                      who + " changed from " + merge_text(of) + " to " + merge_text(nf) +
                          " without an `evo` that says so: old documents hold operations of the old strategy",
                      {old_field_note(og, of),
                       "add `changes " + nf.name + " from " + annotation_text(of) + " to " + annotation_text(nf) +
                           "` to `" +
                           evo_header(og, ng) + "` (with a `migrate` body when crdt.md asks for one)"});
      }
    } else {  // Replaced: declared; is it safe against the old version as it really was?
      Span change_span = fate.change ? fate.change->span : merge_span;
      Safety type_safety = type_change_safety(of.type, nf.type);
      // lww -> peritext keeps the declared type RichText; the old register held a string.
      bool text_to_richtext = of.type.kind == ir::Type::Kind::String && nf.type.kind == ir::Type::Kind::RichText;
      if (!text_to_richtext && type_safety != Safety::Safe && !fate.has_migration)
        out_.report(Rule::BreakingMerge, change_span,
                    "changing " + who + " from `" + of.type.canonical() + "` to `" + nf.type.canonical() + "` " +
                        (type_safety == Safety::Unsafe ? "loses its data" : "needs a conversion") +
                        ", and no `migrate " + nf.name + "` body is given",
                    {old_field_note(og, of),
                     "add `migrate " + nf.name + " { ... }` to " + evo_ref + " computing the new value from `old." +
                         nf.name + "`"});
      if (!same_merge(of, nf)) {
        Safety s = of.nested_gene || nf.nested_gene ? Safety::Unsafe
                                                    : strategy_change_safety(of.strategy, nf.strategy);
        if (s == Safety::Unsafe)
          out_.report(Rule::BreakingMerge, change_span,
                      "changing " + who + " from " + merge_text(of) + " to " + merge_text(nf) +
                          " is unsafe even with a migration: replicas on the old version keep merging it the old way",
                      {old_field_note(og, of),
                       "keep the old strategy, or add a new field with the new strategy and migrate into it"});
        else if (s == Safety::NeedsMigration && !fate.has_migration)
          out_.report(Rule::BreakingMerge, change_span,
                      "changing " + who + " from " + merge_text(of) + " to " + merge_text(nf) +
                          " needs a conversion, and no `migrate " + nf.name + "` body is given",
                      {old_field_note(og, of),
                       "add `migrate " + nf.name + " { " +
                           (nf.strategy == S::Peritext ? "from_text(old." + nf.name + ")" : "old." + nf.name) +
                           " }` to " + evo_ref});
      }
    }

    // API: the accessor's name, value type and operations.
    std::string safe_note = fate.kind == Fate::Kind::Replaced
                                ? "documents are safe: " + evo_ref + " migrates the old values"
                                : "documents are safe: " + (evo_ref.empty() ? std::string("the `evo` chain")
                                                                           : evo_ref) +
                                      " keeps the old values attached";
    if (nf.name != of.name) {
      std::vector<std::string> notes{old_field_note(og, of)};
      notes.push_back(safe_note);
      notes.push_back("code using the `" + of.name + "` accessor must move to `" + nf.name + "`");
      out_.report(Rule::BreakingApi, first_valid({fate.change && fate.change->kind ==
                                                                      ir::EvolutionChange::Kind::Renames
                                                      ? fate.change->span
                                                      : Span{},
                                                  nf.name_span}),
                  who + " was renamed to `" + nf.name + "`: code using the old accessor breaks", notes);
    }
    // One finding per accessor: new operations usually come with a new type.
    if (accessor_kind(of) != accessor_kind(nf))
      out_.report(Rule::BreakingApi, merge_span,
                  "the accessor of " + who + " has other operations now: it merges by " + merge_text(nf) +
                      " instead of " + merge_text(of) +
                      (nf.type != of.type ? " and holds `" + nf.type.canonical() + "` instead of `" +
                                                of.type.canonical() + "`"
                                          : std::string()),
                  {old_field_note(og, of), "code using the accessor must change with it"});
    else if (nf.type != of.type)
      out_.report(Rule::BreakingApi, type_span,
                  "the accessor of " + who + " now reads and writes `" + nf.type.canonical() + "` instead of `" +
                      of.type.canonical() + "`",
                  {old_field_note(og, of), "code using the accessor must change with it"});

    if (same_merge(of, nf)) options(og, of, nf, who, merge_span);
    // @personal changes what the field's bytes are (FORMAT.md, "Personal
    // values"): a new version refuses the plaintext an old one writes, and an
    // old version reads sealed bytes as the value.
    if (of.personal != nf.personal)
      out_.report(Rule::BreakingMerge, merge_span,
                  "`@personal` was " + std::string(nf.personal ? "added to " : "removed from ") + who +
                      ": its values are " + (nf.personal ? "sealed now, and replicas of this version refuse the plaintext older ones write"
                                                         : "plaintext now, and replicas of the old version hold sealed values where this one expects data"),
                  {old_field_note(og, of),
                   "keep the field as it was and add a new field (with or without `@personal`), moving values over in the app"});
  }

  void options(const ir::Gene& og, const ir::Field& of, const ir::Field& nf, const std::string& who, Span span) {
    const auto &o = of.options, &n = nf.options;
    auto report = [&](const std::string& option, const std::string& change, const std::string& fix) {
      out_.report(Rule::BreakingOption, span,
                  "`" + option + "` of " + who + " " + change + ", which changes merge results for existing data",
                  {old_field_note(og, of), fix});
    };
    auto bound = [](const std::optional<int64_t>& v) { return v ? std::to_string(*v) : std::string("none"); };
    // The new strategy's options, in the table's order; each says which of
    // its changes alter merge results.
    for (const ir::OptionInfo* info : ir::options_of(nf.strategy)) {
      switch (info->option) {
        case ir::CrdtOption::TieBreak:
          if (o.tie_break != n.tie_break)
            report("tie_break",
                   std::string("changed from `") + ir::tie_break_name(o.tie_break) + "` to `" +
                       ir::tie_break_name(n.tie_break) + "`",
                   "keep `tie_break` as it was: replicas on both versions must pick the same winner");
          break;
        case ir::CrdtOption::MinValue:
          if (n.min_value && (!o.min_value || *n.min_value > *o.min_value))
            report("min_value", "tightened from " + bound(o.min_value) + " to " + bound(n.min_value),
                   "keep the old lower bound; values already below it would be clamped or refused");
          break;
        case ir::CrdtOption::MaxValue:
          if (n.max_value && (!o.max_value || *n.max_value < *o.max_value))
            report("max_value", "tightened from " + bound(o.max_value) + " to " + bound(n.max_value),
                   "keep the old upper bound; values already above it would be clamped or refused");
          break;
        case ir::CrdtOption::OverflowStrategy:
          if (o.overflow_strategy != n.overflow_strategy)
            report("overflow_strategy",
                   std::string("changed from `") + ir::overflow_name(o.overflow_strategy) + "` to `" +
                       ir::overflow_name(n.overflow_strategy) + "`",
                   "keep `overflow_strategy` as it was: replicas on both versions must handle overflow alike");
          break;
        case ir::CrdtOption::AppendOnly:
          if (o.append_only != n.append_only)
            report("append_only", o.append_only ? "changed from `true` to `false`" : "changed from `false` to `true`",
                   o.append_only ? "keep `append_only=true`: replicas still on the old version refuse the deletes and "
                                   "moves the new one allows, as malformed changes"
                                 : "keep `append_only` off, or add a new field: deletes and moves already in the data "
                                   "and from replicas on the old version would be refused");
          break;
        case ir::CrdtOption::Bias:
          if (o.remove_wins != n.remove_wins)
            report("bias", std::string("changed from `") + (o.remove_wins ? "remove" : "add") + "` to `" +
                               (n.remove_wins ? "remove" : "add") + "`",
                   "keep `bias` as it was: replicas on both versions must let the same side win a concurrent add "
                   "and remove");
          break;
        case ir::CrdtOption::Escrow:
          if (o.escrow != n.escrow)
            report("escrow", o.escrow ? "changed from `true` to `false`" : "changed from `false` to `true`",
                   "keep `escrow` as it was: the rights that keep the lower bound are part of the counter's state "
                   "and ops");
          break;
        case ir::CrdtOption::Formatting: break;  // not a breaking-option finding (docs/breaking.md)
        case ir::CrdtOption::MaxLength:
          if (n.max_length && (!o.max_length || *n.max_length < *o.max_length))
            report("max_length", "lowered from " + bound(o.max_length) + " to " + bound(n.max_length),
                   "keep the old `max_length` (or none); longer texts already saved would be cut or refused");
          break;
      }
    }
  }

  // Fields the chain says the old version had, which it did not: no `adds`.
  void unexplained_new_fields(const ir::Gene& og, const ir::Gene& ng, const ir::GeneHistory& history,
                              const ir::Layout& old_layout, const std::set<std::string>& keys_of_old_fields) {
    const ir::Layout& last = history.layouts.back();
    for (const auto& lf : old_layout.fields) {
      if (og.field(lf.name) || keys_of_old_fields.count(lf.key)) continue;
      for (size_t i = 0; i < last.fields.size() && i < ng.fields.size(); ++i) {
        if (last.fields[i].key != lf.key) continue;
        const ir::Field* nf = ng.field(last.fields[i].name);
        if (!nf) continue;
        out_.report(Rule::BreakingMissingEvolution, nf->name_span,
                    "field `" + nf->name + "` of `" + ng.name + "` is new since version " + og.version.text +
                        ", but no `evo` between " + og.version.text + " and " + version_text(ng.version) + " adds it",
                    {"old: `" + og.name + "` @ " + og.version.text + " at " + old_at(og) + " has no `" + lf.name + "`",
                     "add `adds " + (nf->nested_gene ? "" : annotation_text(*nf) + " ") + nf->name + ": " +
                         nf->type.canonical() + "` to `" + evo_header(og, ng) + "`"});
      }
    }
  }

  void methods(const ir::Gene& og, const ir::Gene& ng) {
    for (const ir::Method& om : og.methods) {
      const ir::Method* nm = nullptr;
      for (const ir::Method& m : ng.methods)
        if (m.name == om.name) nm = &m;
      std::string old_note = "old: `" + om.name + signature(om) + "` at " + old_at(om);
      if (!nm) {
        out_.report(Rule::BreakingApi, ng.name_span,
                    "method `" + om.name + "` of `" + ng.name +
                        "` was removed: its function is gone from the generated API (JS/TS, WIT, C++)",
                    {old_note, "keep the method (it may call a new one) until your apps stop using it"});
      } else if (!same_signature(om, *nm)) {
        out_.report(Rule::BreakingApi, first_valid({nm->name_span, nm->span, ng.name_span}),
                    "method `" + om.name + "` of `" + ng.name + "` changed its signature from `" + signature(om) +
                        "` to `" + signature(*nm) + "`: callers built on the old API break",
                    {old_note, "keep the old signature and add a method with a new name for the new one"});
      }
    }
  }
};

}  // namespace

void compare(const OldSchema& old_schema, const NewSchema& new_schema, DiagnosticSink& out) {
  if (!new_schema.schema || !new_schema.sources) return;
  Comparer(old_schema, new_schema, out).run();
}

}  // namespace dolc::breaking
