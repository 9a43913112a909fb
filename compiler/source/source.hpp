// compiler/source: the files dolc reads and positions inside them.
//
// Every later phase refers to text by a Span (file id + byte offsets); line and
// column are computed only when a diagnostic is rendered, from a line table
// built lazily per file. Keeping spans as plain offsets makes AST nodes small
// and lets renderers choose how to present a position.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dolc {

using FileId = uint32_t;
inline constexpr FileId kNoFile = UINT32_MAX;

// A half-open byte range [begin, end) inside one source file.
struct Span {
  FileId file = kNoFile;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool valid() const { return file != kNoFile; }
};

// 1-based line and column (column counts bytes, as gcc does).
struct LineCol {
  uint32_t line = 1;
  uint32_t column = 1;
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {}
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  LineCol position(uint32_t offset) const;
  // Text of the 1-based line without its newline ("" past the end).
  std::string line_text(uint32_t line) const;
  uint32_t line_count() const;

 private:
  void build_line_table() const;
  std::string path_;
  std::string text_;
  mutable std::vector<uint32_t> line_starts_;  // built on first use
};

// The largest source file dolc reads. Offsets are 32-bit, and the front end
// needs several times a file's size in memory; real schemas are far smaller.
inline constexpr size_t kMaxSourceBytes = size_t{64} << 20;

// Owns every file read during one compilation. File ids are indexes, stable
// for the run; a file read twice (by path) gets the same id.
class SourceManager {
 public:
  FileId add(std::string path, std::string text);
  // Reads a file from disk; nullopt (and `error` set to a complete message)
  // when it cannot be read or is larger than kMaxSourceBytes.
  std::optional<FileId> load(const std::string& path, std::string* error);
  std::optional<FileId> find(const std::string& path) const;
  const SourceFile& file(FileId id) const { return files_.at(id); }
  size_t size() const { return files_.size(); }
  std::string_view text(Span span) const;

 private:
  std::vector<SourceFile> files_;
};

}  // namespace dolc
