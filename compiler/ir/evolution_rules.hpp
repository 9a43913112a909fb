// compiler/ir/evolution_rules.hpp: crdt.md's table of which changes between
// two versions of a field keep its data and meaning. One copy, read by the
// checker (`evo` declarations) and by `dolc breaking` (two schemas).
#pragma once

#include <optional>

#include "ir/schema.hpp"

namespace dolc::ir {

// A strategy change; nullopt = the field had (or gets) no `@crdt` (lww).
EvolutionChange::Safety strategy_change_safety(std::optional<Strategy> from, std::optional<Strategy> to);

// A type change: widening an integer or float, and T -> Option<T>, keep every
// value; conversions between scalars (and text) need a `migrate` body; the
// rest lose data. Error types (already reported) count as safe.
EvolutionChange::Safety type_change_safety(const Type& from, const Type& to);

}  // namespace dolc::ir
