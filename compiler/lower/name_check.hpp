// compiler/lower/name_check.hpp: names that cannot be generated as written.
//
// Every output names things through lower/naming.hpp, which maps many DOL
// spellings to one target name (`foo_bar` and `fooBar` are both `foo-bar` in
// WIT, `fooBar` in JS). Names the rules can escape are escaped there (WIT
// keywords get `%`, C++ keywords a trailing `_`, JS reserved words used as
// parameter names a trailing `_`); what no escape can fix is found here, on
// the export table every emitter reads, and refused before anything is
// generated (docs/generated-api.md, "Names"):
//  * two fields, methods or genes that become one name in WIT, JS or C++;
//  * a field or method whose JS member is one of the generated document
//    API's own members (`save`, `apply`, `actor`, ...), or a name JS classes
//    cannot carry (`constructor`) or must not shadow (`then`, `toString`);
//  * a gene whose JS class name is one the generated module already exports;
//  * a trait method, or a document's field operation, whose WIT name is a
//    generated trait conversion `as-<trait>` of the same object;
//  * names longer than kMaxNameLength bytes (WIT tooling refuses very long
//    identifiers, and every output repeats them many times).
// `dolc check` and `dolc build` both run it (driver/session.cpp), so a schema
// that checks clean also builds.
#pragma once

#include <string>
#include <vector>

#include "ir/schema.hpp"
#include "source/source.hpp"

namespace dolc::lower {

// The longest DOL name (gene, field, method, parameter, enum case, module)
// that reaches an output.
inline constexpr size_t kMaxNameLength = 256;

struct NameProblem {
  enum class Kind { Collision, TooLong };
  Kind kind = Kind::Collision;
  Span span;
  std::string message;
  std::vector<std::string> notes;
};

// The problems of the names the module `module_name` built from `roots`
// would export, in a stable order.
std::vector<NameProblem> check_output_names(const ir::Schema& schema, const std::vector<FileId>& roots,
                                            const std::string& module_name);

}  // namespace dolc::lower
