// compiler/breaking: `dolc breaking`, the release gate that compares two
// versions of the same schemas (../shared/spec/evolution.md, "`dolc breaking`").
//
// Both sides are checked schemas (ir::Schema): the NEW one comes from the
// checker; the OLD one from the checker too (an old .dol file, possibly read
// from a git revision) or from the NAME.schema.json of the last release, read
// back by read_schema_json(). The rules run on ir::Schema only, so the .dol
// and the JSON paths share every line of rule code; the one thing that differs
// is how a note names an old location (a file:line:col for .dol, the JSON
// file otherwise), which OldSchema::where() hides.
//
// Field identity across versions follows compiler/ir/layouts.hpp (the key
// rule the runtime stores in documents): the NEW gene's `evo` chain is walked
// back to the OLD gene's version, and every old field is followed by its key
// to the field that holds its data now (or to the `removes` that dropped it).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "diag/diag.hpp"
#include "ir/schema.hpp"
#include "source/source.hpp"

namespace dolc::breaking {

// The schema of the last release and how to name places in it.
struct OldSchema {
  ir::Schema schema;
  // What notes call the old schema when a span cannot be located (the JSON
  // file, which has no spans): "gen/app.schema.json".
  std::string label;
  // Set when the old schema was checked from .dol sources: spans locate.
  const SourceManager* sources = nullptr;
  // Shown instead of a file's path (git mode: "origin/main:schemas/app.dol").
  std::map<FileId, std::string> display_names;

  // "old/app.dol:7:3" when `span` can be located, else the label.
  std::string where(const Span& span) const;
};

// Reads a NAME.schema.json (SCHEMA_JSON.md) into `out->schema`: genes with
// their fields (type, strategy, options) and methods (params, result), which
// is what the rules compare. false + `error` (one line, lower-case) when the
// text is not JSON or not a dolc schema of a format version this reader knows.
bool read_schema_json(const std::string& text, ir::Schema* out, std::string* error);

struct NewSchema {
  const ir::Schema* schema = nullptr;
  const SourceManager* sources = nullptr;
  std::vector<FileId> roots;  // where findings about removed genes point
};

// Runs every breaking-* rule and reports findings to `out`. Every finding's
// span is in a NEW file; its notes name the old location and the fix.
void compare(const OldSchema& old_schema, const NewSchema& new_schema, DiagnosticSink& out);

}  // namespace dolc::breaking
