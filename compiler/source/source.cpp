// compiler/source: line tables and file loading for SourceManager.
#include "source/source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace dolc {

void SourceFile::build_line_table() const {
  if (!line_starts_.empty()) return;
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

LineCol SourceFile::position(uint32_t offset) const {
  build_line_table();
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - line_starts_.begin());
  return {line, offset - line_starts_[line - 1] + 1};
}

uint32_t SourceFile::line_count() const {
  build_line_table();
  return static_cast<uint32_t>(line_starts_.size());
}

std::string SourceFile::line_text(uint32_t line) const {
  build_line_table();
  if (line == 0 || line > line_starts_.size()) return "";
  uint32_t start = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1 : static_cast<uint32_t>(text_.size());
  std::string s = text_.substr(start, end - start);
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

FileId SourceManager::add(std::string path, std::string text) {
  if (auto existing = find(path)) return *existing;
  files_.emplace_back(std::move(path), std::move(text));
  return static_cast<FileId>(files_.size() - 1);
}

std::optional<FileId> SourceManager::find(const std::string& path) const {
  for (size_t i = 0; i < files_.size(); ++i)
    if (files_[i].path() == path) return static_cast<FileId>(i);
  return std::nullopt;
}

std::optional<FileId> SourceManager::load(const std::string& path, std::string* error) {
  if (auto existing = find(path)) return existing;
  // POSIX read() rather than a stream: errors keep their errno, and the size
  // limit stops endless inputs (`/dev/zero`, a pipe that never closes its
  // data) instead of reading until memory runs out.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = "cannot open '" + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (error) *error = "cannot read '" + path + "': " + std::strerror(errno);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > kMaxSourceBytes) {
      if (error)
        *error = "'" + path + "' is larger than " + std::to_string(kMaxSourceBytes >> 20) +
                 " MiB, the limit for one source file";
      ::close(fd);
      return std::nullopt;
    }
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return add(path, std::move(text));
}

std::string_view SourceManager::text(Span span) const {
  if (!span.valid() || span.file >= files_.size()) return {};
  const std::string& t = files_[span.file].text();
  uint32_t b = std::min<uint32_t>(span.begin, static_cast<uint32_t>(t.size()));
  uint32_t e = std::min<uint32_t>(std::max(span.end, b), static_cast<uint32_t>(t.size()));
  return std::string_view(t).substr(b, e - b);
}

}  // namespace dolc
