// compiler/ir/json.hpp: the checked schema as JSON (`--emit=schema-json`).
//
// The shape is documented in SCHEMA_JSON.md. Keys are stable and output is
// deterministic: arrays keep declaration order, objects are written with
// sorted keys by nlohmann::json, spans become {file, begin, end} offsets.
#pragma once

#include <nlohmann/json.hpp>

#include "ir/schema.hpp"

namespace dolc::ir {

nlohmann::json schema_to_json(const Schema& schema);
nlohmann::json type_to_json(const Type& type);

}  // namespace dolc::ir
