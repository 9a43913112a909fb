// runtime-wasm: actor ids, Lamport stamps and operation ids.
//
// Every change carries (lamport, actor); that pair orders changes totally and
// identically on every replica (crdt.md, "Clocks and identity"). An OpId also
// names the thing an operation created (a list element, a set dot, a
// character), so later operations can refer to it wherever it now sits.
#pragma once

#include <cstdint>

namespace dolc::rt {

using ActorId = uint64_t;   // 64-bit, random or host-given; 0 is reserved for "none"
using Lamport = uint64_t;

struct OpId {
  Lamport lamport = 0;
  ActorId actor = 0;
  bool is_null() const { return lamport == 0 && actor == 0; }
  friend bool operator==(OpId a, OpId b) { return a.lamport == b.lamport && a.actor == b.actor; }
  friend bool operator!=(OpId a, OpId b) { return !(a == b); }
  // The total order of crdt.md: by lamport, then by actor.
  friend bool operator<(OpId a, OpId b) { return a.lamport != b.lamport ? a.lamport < b.lamport : a.actor < b.actor; }
  friend bool operator>(OpId a, OpId b) { return b < a; }
  friend bool operator<=(OpId a, OpId b) { return !(b < a); }
  friend bool operator>=(OpId a, OpId b) { return !(a < b); }
};

}  // namespace dolc::rt
