// compiler/lower: the checked schema lowered to C++ (NAME.hpp + NAME.cpp).
//
// Per compiled gene (an interface of the export table) a class holding one
// replica of one document, with a typed method per exported function of the
// table (same names as the WIT labels with `-` -> `_`), built on the runtime
// (runtime-wasm/README.md) through the small adapter in
// support/dolc_gen_rt.hpp; gene methods lowered from their bodies
// (methods.cpp); constraint checks; and, compiled only for wasm32, the
// canonical-ABI exports the WIT file describes. Generated code compiles
// warning-free under -Wall -Wextra -Wshadow.
#pragma once

#include <string>
#include <vector>

#include "ir/schema.hpp"
#include "lower/api.hpp"

namespace dolc::lower {

struct GeneratedFile {
  std::string name;      // file name only ("chat.hpp")
  std::string contents;
};

// A thin export (a scalar field operation, runtime-wasm/src/field_ops.cpp)
// that NAME.cpp does not define when compiled by dolc (it defines
// DOLC_SYNTHESIZED_EXPORTS): dolc adds it to the linked module as a call of
// `dispatcher` (exported by NAME.cpp) with `row` and the export's own
// parameters (wasm::ForwardedExport). Compiled elsewhere, NAME.cpp defines
// these exports itself as one-line thunks doing the same.
struct ThinExport {
  std::string name;        // the export's name (ApiFunction::export_name)
  std::string dispatcher;  // "dolc-fx:<interface>:<k>"
  uint32_t row = 0;
  std::vector<CoreType> params;
  std::vector<CoreType> results;
};

// NAME.hpp, NAME.cpp and the fixed support headers they include
// (dolc_gen_abi.hpp, dolc_gen_rt.hpp), in that order; `thin` (optional)
// receives the thin exports.
std::vector<GeneratedFile> lower_to_cpp(const ir::Schema& schema, const ExportTable& table,
                                        std::vector<ThinExport>* thin = nullptr);

// Constraints whose invariants the C++ lowering cannot check at run time
// (reported as `not-compiled` by the build).
std::vector<ApiOmission> constraint_omissions(const ir::Schema& schema, const ExportTable& table);

// The C++ namespace of a module's generated code ("dolgen::chat").
std::string cpp_namespace(const ExportTable& table);

}  // namespace dolc::lower
