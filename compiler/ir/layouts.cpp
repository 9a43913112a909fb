// compiler/ir/layouts.cpp: reconstructs the earlier layouts of a gene from
// its `evo` chain and gives every field its stable key (rules in
// layouts.hpp). Read by the lowering (the module's field keys, hidden fields
// and known layout hashes) and by `dolc breaking`.
//
// The walk is in two passes: back from the declared gene (undoing each
// evolution gives the field names, strategies and types of the version
// before it), then forward from the oldest version (assigning keys, which
// only the forward direction can: a key is decided when a field appears).
#include "ir/layouts.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "ir/strategies.hpp"

namespace dolc::ir {

namespace {

bool same_version(const Version& a, const Version& b) {
  return a.present() && b.present() && a.major == b.major && a.minor == b.minor && a.patch == b.patch;
}

using Change = EvolutionChange;

LayoutField* find(std::vector<LayoutField>& fields, const std::string& name) {
  for (auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

// A field without `@crdt` is lww.
Strategy or_default(std::optional<Strategy> s) { return s ? *s : Strategy::Lww; }

// Whether a `changes` item changes what the field's bytes mean.
bool changes_identity(const Change& c) {
  if (c.kind == Change::Kind::ChangesType) return c.from_type && c.to_type && *c.from_type != *c.to_type;
  if (c.kind == Change::Kind::ChangesStrategy) {
    // Strategies that write the same operations with the same value bytes
    // (lww and immutable: strategies.def's "writes") keep the field's identity.
    return !same_writes(or_default(c.from_strategy), or_default(c.to_strategy));
  }
  return false;
}

// The layout one evolution started from, given the layout it produced.
std::vector<LayoutField> undo(const Evolution& evo, std::vector<LayoutField> after) {
  // Strategy and type changes name the field by its new name; undo them
  // before the renames.
  for (const Change& c : evo.changes) {
    LayoutField* f = find(after, c.field);
    if (!f) continue;
    if (c.kind == Change::Kind::ChangesStrategy) f->strategy = c.from_strategy ? c.from_strategy : Strategy::Lww;
    if (c.kind == Change::Kind::ChangesType && c.from_type) f->type = c.from_type;
  }
  for (const Change& c : evo.changes)
    if (c.kind == Change::Kind::Renames)
      if (LayoutField* f = find(after, c.new_name)) f->name = c.field;
  for (const Change& c : evo.changes) {
    if (c.kind == Change::Kind::Adds)
      after.erase(std::remove_if(after.begin(), after.end(), [&](const LayoutField& f) { return f.name == c.field; }),
                  after.end());
    if (c.kind == Change::Kind::Removes && !find(after, c.field)) after.push_back(LayoutField{c.field, "", {}, {}});
  }
  return after;
}

}  // namespace

uint32_t layout_hash(const std::string& gene, std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  uint32_t h = 2166136261u;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    h = (h ^ 0xffu) * 16777619u;  // separator: ("ab","c") and ("a","bc") differ
  };
  mix(gene);
  for (const auto& k : keys) mix(k);
  return h;
}

GeneHistory gene_history(const Schema& schema, const Gene& gene) {
  GeneHistory out;
  out.gene = gene.name;

  // The chain, newest first: each step ends where the previous one began.
  std::vector<const Evolution*> newest_first;
  Version at = gene.version;
  std::set<const Evolution*> used;
  while (at.present()) {
    const Evolution* step = nullptr;
    for (const auto& e : schema.evolutions)
      if (e.gene == gene.name && !used.count(&e) && same_version(e.to_version, at) && e.from_version.present()) {
        step = &e;
        break;
      }
    if (!step) break;
    used.insert(step);
    newest_first.push_back(step);
    at = step->from_version;
  }

  // Backwards: the names, strategies and types of every version.
  std::vector<LayoutField> current;
  for (const auto& f : gene.fields) current.push_back(LayoutField{f.name, "", f.strategy, f.type});
  std::vector<std::vector<LayoutField>> layouts{current};  // newest first for now
  for (const Evolution* e : newest_first) layouts.push_back(undo(*e, layouts.back()));
  std::reverse(layouts.begin(), layouts.end());
  out.chain.assign(newest_first.rbegin(), newest_first.rend());

  // Forwards: keys.
  std::set<std::string> used_keys;
  for (auto& f : layouts[0]) {
    f.key = f.name;
    used_keys.insert(f.key);
  }
  for (size_t i = 0; i < out.chain.size(); ++i) {
    const Evolution& evo = *out.chain[i];
    const auto& before = layouts[i];
    auto& after = layouts[i + 1];
    std::map<std::string, std::string> old_name_of;  // name after -> name before
    for (const Change& c : evo.changes)
      if (c.kind == Change::Kind::Renames) old_name_of[c.new_name] = c.field;
    for (auto& f : after) {
      bool added = false, replaced = false;
      for (const Change& c : evo.changes) {
        if (c.kind == Change::Kind::Adds && c.field == f.name) added = true;
        if (c.field == f.name && changes_identity(c)) replaced = true;
      }
      std::string old_name = old_name_of.count(f.name) ? old_name_of[f.name] : f.name;
      const LayoutField* prev = nullptr;
      for (const auto& p : before)
        if (p.name == old_name) prev = &p;
      if (prev && !added && !replaced) {
        f.key = prev->key;
        continue;
      }
      const std::string& v = evo.to_version.text;
      f.key = (replaced || used_keys.count(f.name)) ? f.name + "@" + v : f.name;
      used_keys.insert(f.key);
      if (replaced && prev) {
        ReplacedField r;
        r.old_key = prev->key;
        r.new_key = f.key;
        r.name = f.name;
        r.old_name = prev->name;
        r.old_strategy = prev->strategy ? prev->strategy : std::optional<Strategy>(Strategy::Lww);
        r.old_type = prev->type;
        // `changes body from @crdt(lww) to @crdt(peritext)` on a RichText
        // field: the old register (one value, strategies.def's HOLDS) held a
        // plain string.
        if (r.old_type && r.old_type->kind == Type::Kind::RichText &&
            strategy_info(or_default(r.old_strategy)).holds == Holds::One)
          r.old_type = Type::make(Type::Kind::String);
        r.evolution = &evo;
        for (const auto& m : evo.migrations)
          if (m.field == f.name) r.migration = &m;
        out.replaced.push_back(std::move(r));
      }
    }
  }
  for (size_t i = 0; i < layouts.size(); ++i) {
    Layout l;
    l.version = i + 1 < layouts.size() ? out.chain[i]->from_version : gene.version;
    l.fields = std::move(layouts[i]);
    std::vector<std::string> keys;
    for (const auto& f : l.fields) keys.push_back(f.key);
    l.hash = layout_hash(gene.name, keys);
    out.layouts.push_back(std::move(l));
  }
  return out;
}

}  // namespace dolc::ir
