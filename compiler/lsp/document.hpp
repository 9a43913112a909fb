// compiler/lsp: open documents and what the compiler says about them.
//
// A Document is one editor buffer: its URI, the file path the URI names,
// its text and version, and the last Analysis of that text. An Analysis is
// one run of the same front end `dolc check` runs (driver::check_loaded on
// a driver::Frontend): the diagnostics and the checked schema that hover,
// definition and symbols read. Other open buffers are given to the front end
// in place of their files on disk, so `use`d modules are seen as edited.
//
// Positions: the compiler counts bytes, LSP counts UTF-16 code units on
// 0-based lines. The converters here are the only place that translates.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "driver/session.hpp"

namespace dolc::lsp {

// A 0-based line and UTF-16 column (LSP `Position`).
struct Position {
  uint32_t line = 0;
  uint32_t character = 0;
};

// Byte offset -> LSP position, and back (clamped to the line and the text;
// invalid UTF-8 bytes count as one unit each, as a replacement character would).
// position_of uses the file's cached line table: only the offset's own line
// is scanned, so publishing many diagnostics of a large document stays linear.
Position position_of(const SourceFile& file, uint32_t offset);
uint32_t offset_of(const std::string& text, Position pos);
nlohmann::json range_json(const SourceFile& file, uint32_t begin, uint32_t end);

// `file:///a/b%20c.dol` -> `/a/b c.dol`; other schemes give "".
std::string uri_to_path(const std::string& uri);
std::string path_to_uri(const std::string& path);

struct Analysis {
  driver::Frontend fe;
  FileId root = kNoFile;
  bool checked = false;  // false when the text was not checked (too large)
};

struct Document {
  std::string uri;
  std::string path;       // absolute and normalised; for non-file URIs a name in the working directory
  std::string text;
  int64_t version = 0;
  std::shared_ptr<Analysis> analysis;
};

struct ServerOptions {
  std::vector<std::string> include_dirs;  // -I
  std::string stdlib_dir;                 // --stdlib / DOLC_STDLIB / built in
  bool require_docs = false;
};

// Checks `doc`'s text with `others` (every open document, by path) standing
// in for the files on disk.
std::shared_ptr<Analysis> analyze(const Document& doc, const std::map<std::string, Document>& open_by_uri,
                                  const ServerOptions& options);

// LSP `Diagnostic` objects for the document analysed (diagnostics in other
// files are reported on the `use` line that brings the file in, or at the
// top, naming their place, with relatedInformation pointing at it).
nlohmann::json diagnostics_json(const Analysis& analysis);

}  // namespace dolc::lsp
