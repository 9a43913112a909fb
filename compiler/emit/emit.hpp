// compiler/emit: the generated module's interface files, from the export
// table (lower/api.hpp) only.
//
//  * emit_wit: NAME.wit, the Component Model description of exactly the core
//    module's exports (package dol:NAME@VERSION, one interface per compiled
//    gene with a `document` resource, a world exporting them);
//  * emit_js: NAME.js, an ES module that loads NAME.wasm (browsers and Node)
//    and offers a class per gene with per-strategy field objects;
//  * emit_dts: NAME.d.ts, the TypeScript declarations of NAME.js.
// Output is deterministic: declaration order, no timestamps, no paths.
#pragma once

#include <string>

#include "lower/api.hpp"

namespace dolc::emit {

std::string emit_wit(const lower::ExportTable& table);
// `wasm_file`: the module's file name, resolved relative to the .js file.
std::string emit_js(const lower::ExportTable& table, const std::string& wasm_file);
std::string emit_dts(const lower::ExportTable& table);

// The JS / TS names of things, shared by emit_js and emit_dts.
std::string js_view_class(const lower::ApiGene& gene);      // "TaskView"
std::string js_document_class(const lower::ApiInterface& iface);  // "Task"

}  // namespace dolc::emit
