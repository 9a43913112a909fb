// compiler/lower/field_ops.hpp: the field operations of strategies.def's
// shapes (DOLC_SHAPE ops, DOLC_FIELD_OP signatures) as the API builder
// (api.cpp) reads them: per shape, the operations in export order, each
// with its label and WIT signature.
//
// The signatures are written in strategies.def in a small type language (V
// and K stand for the shape's value and key types); `wit_of` turns one into
// a WitType once a field's V and K are known.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ir/strategies.hpp"
#include "lower/api.hpp"

namespace dolc::lower {

struct FieldOpSpec {
  ApiOp op;
  const char* label;                                        // "insert-new"
  std::vector<std::pair<std::string, std::string>> params;  // (WIT label, type text), without `path`
  std::string result;                                       // type text; "result" is result<_, string>
};

// The operations of a shape, in export order.
const std::vector<const FieldOpSpec*>& shape_ops(ir::FieldShape shape);
// Every DOLC_FIELD_OP row.
const std::vector<FieldOpSpec>& field_op_specs();

// The WitType of a type text; `v` and `k` are the field's value and key types
// (unused when the text does not name them).
WitType wit_of(const std::string& text, const WitType& v, const WitType& k);

}  // namespace dolc::lower
