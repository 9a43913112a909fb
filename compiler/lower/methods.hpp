// compiler/lower: gene method bodies (`fun`) lowered to C++.
//
// The lowered body runs inside the generated document class and reaches the
// fields of its object (the root, or the nested object at the method's
// `path`) and of objects nested in it (`this.f.g`, `this.map[key].g`,
// `this.list[i].g`) through the class's own typed field methods, so a method
// can do nothing a caller could not. Supported: literals, parameters, `let` locals, field
// reads, assignments (`=`, `+=`, `-=` on registers and counters), CRDT
// operations on fields (`insert`/`add`/`remove` on sets, `push`/`insert`/
// `remove` on lists, `insert`/`delete` on text, `insert`/`set`/`remove`/`get`
// on maps, `len`/`contains`), arithmetic, comparisons, `&&`/`||`/`!`,
// `if`/`else`, `while`, `for x in <list or set field | a..b>`, `loop`,
// `break`/`continue`, `return`, `Ok`/`Err`/`Some`/`None`, enum variants,
// fields of gene values (`p.f` for a parameter `p` of gene type), locals
// naming a nested object (`let acc = this.accounts[k]`, `for it in
// this.items` over nested objects), and calls of the gene's other methods
// (`this.m(..)`, `m(..)`) or of a nested object's (`acc.m(..)`,
// `this.accounts[k].m(..)`) as a statement, a `let` value, an assigned
// value, an `if` condition or a returned value (one atomic call: see
// hoist_call).
// A struct literal pushed or inserted into a list or map of nested objects
// is written field by field (its gene needs no record); append-only lists
// take `push` only.
// Anything else makes method_lowerable() false with the construct named; the
// export table then leaves the method out everywhere (WIT, JS, C++) and the
// build reports it as `not-compiled`.
#pragma once

#include <string>

#include "ir/schema.hpp"
#include "lower/api.hpp"

namespace dolc::lower {

// C++ type of a WIT type in the generated API.
std::string cpp_type(const WitType& t);
// C++ name of a generated enum.
std::string cpp_enum_name(const std::string& wit_label);

// The statements of the lowered body of `fn` (an ApiOp::MethodCall), to be
// placed inside the generated class method. Precondition: method_lowerable.
std::string lower_method_body(const ir::Schema& schema, const ApiInterface& iface, const ApiFunction& fn);

// A constraint's boolean expression over an object of `gene` at the C++ path
// expression `path`, in a document whose root gene is `root` (for the
// generated invariant checks); false with the reason when it does not lower.
bool lower_invariant(const ir::Schema& schema, const ir::Gene& root, const ir::Gene& gene, const std::string& path,
                     const ir::Expr& expr, std::string* cpp, std::string* why);

}  // namespace dolc::lower
