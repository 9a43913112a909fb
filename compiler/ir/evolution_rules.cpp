// compiler/ir/evolution_rules.cpp: see evolution_rules.hpp.
#include "ir/evolution_rules.hpp"

#include "ir/strategies.hpp"

namespace dolc::ir {

using Safety = EvolutionChange::Safety;
using S = Strategy;

Safety strategy_change_safety(std::optional<S> from, std::optional<S> to) {
  if (!to) return from ? Safety::Unsafe : Safety::Safe;  // removing @crdt
  if (!from) return Safety::Safe;                         // adding @crdt to a field that was lww
  if (*from == *to) return Safety::Safe;
  // crdt.md's table, as strategies.def's DOLC_STRATEGY_CHANGE rows; a pair
  // without a row is unsafe.
  for (const StrategyChangeInfo& r : strategy_changes())
    if (r.from == *from && r.to == *to) return r.safety;
  return Safety::Unsafe;
}

namespace {
bool int_widening(const Type& a, const Type& b) {
  return a.kind == Type::Kind::Int && b.kind == Type::Kind::Int && b.bits >= a.bits &&
         (a.is_signed == b.is_signed || (!a.is_signed && b.is_signed && b.bits > a.bits));
}
}  // namespace

Safety type_change_safety(const Type& from, const Type& to) {
  using K = Type::Kind;
  if (from.kind == K::Error || to.kind == K::Error || from == to) return Safety::Safe;
  if (int_widening(from, to)) return Safety::Safe;
  if (from.kind == K::Float && to.kind == K::Float && to.bits >= from.bits) return Safety::Safe;
  if (to.kind == K::Option && !to.args.empty() && to.args[0] == from) return Safety::Safe;
  bool from_text = from.kind == K::String || from.kind == K::RichText;
  bool to_text = to.kind == K::String || to.kind == K::RichText;
  if ((from.is_scalar() || from_text) && (to.is_scalar() || to_text)) return Safety::NeedsMigration;
  return Safety::Unsafe;
}

}  // namespace dolc::ir
