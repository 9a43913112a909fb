// compiler/ir/layouts.hpp: the versions of a gene and the stable identity of
// its fields, reconstructed from the gene's `evo` chain.
//
// A document's bytes name fields by a *key*, never by position, so that
// reordering, inserting and renaming fields keep every value on its field
// (../shared/spec/evolution.md, promise 1). The key rule, which the runtime,
// the lowering and `dolc breaking` all rely on (runtime-wasm/FORMAT.md
// documents it for users):
//
//  * At the oldest version the chain describes, a field's key is its name.
//  * `renames a -> b` keeps the key (the value stays attached).
//  * `adds f` gives f the key `f`, or `f@VERSION` (the version that added it)
//    when an earlier version already used the key `f`.
//  * `changes f from ... to ...` (a strategy or type change) gives the field
//    a new key `f@VERSION`: the old key's bytes keep their old meaning, and
//    the module keeps the old field hidden so that the `migrate` body can
//    convert what older replicas write.
//  * `removes f` drops the key from the layout (older replicas' writes to it
//    are kept in the log, not shown).
//
// A layout's hash is FNV-1a 32 over the gene name and its keys in sorted
// order: it identifies the set of field identities, which is exactly what a
// reader must agree on (types and options are compared by `dolc breaking`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/schema.hpp"

namespace dolc::ir {

struct LayoutField {
  std::string name;                  // the field's name at this version
  std::string key;                   // its stable identity (see above)
  std::optional<Strategy> strategy;  // nullopt when the chain does not say (a removed field's)
  std::optional<Type> type;          // nullopt when the chain does not say
};

struct Layout {
  Version version;                   // may be absent (text "") for an unversioned gene
  std::vector<LayoutField> fields;   // in declaration order where known
  uint32_t hash = 0;
};

// A field the newest version replaced by a new key (a strategy or type change
// with a `migrate` body): the module keeps the old key as a hidden field.
struct ReplacedField {
  std::string old_key, new_key;
  std::string name;                  // the field's name in the newest version
  std::string old_name;              // its name in the version before the change
  std::optional<Strategy> old_strategy;
  std::optional<Type> old_type;
  const Evolution* evolution = nullptr;
  const Migration* migration = nullptr;  // the migrate body, if any
};

struct GeneHistory {
  std::string gene;
  std::vector<Layout> layouts;        // oldest first; the last is the gene as declared
  std::vector<ReplacedField> replaced;  // every strategy/type change along the chain
  std::vector<const Evolution*> chain;  // the evolutions used, oldest first
};

// The history of `gene`: its declared layout plus every earlier layout that
// the evolutions targeting it describe, following `from_version` links from
// the declared version back (a gap ends the walk).
GeneHistory gene_history(const Schema& schema, const Gene& gene);

uint32_t layout_hash(const std::string& gene, std::vector<std::string> keys);

}  // namespace dolc::ir
