// tests/parse: a parsed snippet with its sources and diagnostics, and helpers
// to look at spans as text and positions as line:column.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parse/parse.hpp"

namespace dolc::test {

struct Parsed {
  SourceManager sources;
  DiagnosticSink diags;
  FileId id = kNoFile;
  ast::File file;

  explicit Parsed(std::string text, std::string path = "test.dol") {
    id = sources.add(std::move(path), std::move(text));
    file = parse_file(sources, id, diags);
  }
  std::string text(Span span) const { return std::string(sources.text(span)); }
  // "line:col" of a span's start, as diagnostics show it.
  std::string where(Span span) const {
    LineCol lc = sources.file(id).position(span.begin);
    return std::to_string(lc.line) + ":" + std::to_string(lc.column);
  }
  // Every diagnostic as "line:col: message", in report order.
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diags.diagnostics()) out.push_back(where(d.span) + ": " + d.message);
    return out;
  }
  size_t error_count() const { return diags.count(Severity::Error); }
};

}  // namespace dolc::test
