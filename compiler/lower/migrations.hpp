// compiler/lower/migrations.hpp: `migrate` bodies -> C++ conversion functions.
//
// When an evolution changes a field's strategy or type, the field gets a new
// key and the module keeps the old key as a hidden field (ir/layouts.hpp).
// Every write an older replica makes to the old field is converted into the
// new field at run time by a generated function
//
//   static bool NAME(const dolc_gen::Bytes& old_value, dolc_gen::Bytes* new_value);
//
// which decodes the old value (the old field's type), evaluates the migrate
// body with `old.FIELD` bound to it, and encodes the result for the new field
// (canonical value bytes for a register, UTF-8 for peritext). It returns
// false when the value cannot be converted (`parse_int("x")`): the runtime
// then lists the write in migration_conflicts(). The conversion reads only
// the written value, so every replica computes the same result.
//
// Supported in bodies: `old.FIELD` (the migrated field, by its old or new
// name), literals, `from_text`, `to_text`, `to_string`, `parse_int`,
// `default()`, `+ - *` on integers, `+` on strings, comparisons, `&& || !`,
// `if c { a } else { b }`, and blocks ending in an expression.
#pragma once

#include <string>

#include "ir/layouts.hpp"
#include "ir/schema.hpp"

namespace dolc::lower {

struct MigrationFunction {
  std::string name;         // the C++ function's name; "" when the conversion is the identity
  std::string code;         // its definition ("" when none)
  std::string unsupported;  // why the body cannot be compiled ("" when it can)
};

// The conversion of `field` (a replaced field of `gene`): from its migrate
// body, or the identity when the bytes carry over (no body, and the old and
// new values encode alike).
MigrationFunction lower_migration(const ir::Schema& schema, const ir::Gene& gene, const ir::ReplacedField& field,
                                  const std::string& name);

}  // namespace dolc::lower
