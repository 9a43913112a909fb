// compiler/lsp: running the front end on editor buffers, positions and URIs
// (see document.hpp).
#include "lsp/document.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "diag/render.hpp"

namespace dolc::lsp {

namespace fs = std::filesystem;

namespace {

// Length in bytes of the UTF-8 sequence starting with `lead`, and its size
// in UTF-16 units; invalid lead bytes are one byte, one unit.
void utf8_step(const std::string& text, size_t i, size_t* bytes, uint32_t* units) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (i + n > text.size()) n = 1;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) n = 1;
  *bytes = n;
  *units = n == 4 ? 2 : 1;
}

size_t line_start(const std::string& text, uint32_t line) {
  size_t pos = 0;
  for (uint32_t l = 0; l < line; ++l) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) return text.size();
    pos = nl + 1;
  }
  return pos;
}

}  // namespace

Position position_of(const SourceFile& file, uint32_t offset) {
  const std::string& text = file.text();
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  LineCol lc = file.position(offset);  // byte column, 1-based
  uint32_t start = offset - (lc.column - 1);
  Position p;
  p.line = lc.line - 1;
  for (size_t i = start; i < offset;) {
    size_t bytes;
    uint32_t units;
    utf8_step(text, i, &bytes, &units);
    if (i + bytes > offset) break;
    p.character += units;
    i += bytes;
  }
  return p;
}

uint32_t offset_of(const std::string& text, Position pos) {
  size_t i = line_start(text, pos.line);
  uint32_t col = 0;
  while (i < text.size() && text[i] != '\n' && col < pos.character) {
    size_t bytes;
    uint32_t units;
    utf8_step(text, i, &bytes, &units);
    if (col + units > pos.character) break;
    col += units;
    i += bytes;
  }
  return static_cast<uint32_t>(i);
}

nlohmann::json range_json(const SourceFile& file, uint32_t begin, uint32_t end) {
  Position b = position_of(file, begin), e = position_of(file, std::max(begin, end));
  return {{"start", {{"line", b.line}, {"character", b.character}}},
          {"end", {{"line", e.line}, {"character", e.character}}}};
}

std::string uri_to_path(const std::string& uri) {
  if (uri.rfind("file://", 0) != 0) return "";
  std::string rest = uri.substr(7);
  size_t slash = rest.find('/');  // drop an authority (`file://localhost/...`)
  if (slash == std::string::npos) return "";
  rest = rest.substr(slash);
  std::string out;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && std::isxdigit(static_cast<unsigned char>(rest[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(rest[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(rest.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(rest[i]);
    }
  }
  return out;
}

std::string path_to_uri(const std::string& path) {
  std::string abs = path;
  std::error_code ec;
  if (!fs::path(path).is_absolute()) {
    fs::path a = fs::absolute(path, ec);
    if (!ec) abs = a.lexically_normal().string();
  }
  static const char* hex = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : abs) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::shared_ptr<Analysis> analyze(const Document& doc, const std::map<std::string, Document>& open_by_uri,
                                  const ServerOptions& options) {
  auto a = std::make_shared<Analysis>();
  driver::Invocation inv;
  inv.command = "check";
  inv.inputs = {doc.path};
  inv.include_dirs = options.include_dirs;
  inv.stdlib_dir = options.stdlib_dir;
  inv.require_docs = options.require_docs;
  a->root = a->fe.sources.add(doc.path, doc.text);
  a->fe.roots = {a->root};
  if (doc.text.size() > kMaxSourceBytes) {
    // What `dolc check` says of such a file is an I/O error, not a finding.
    a->checked = false;
    return a;
  }
  // Unsaved buffers of other files stand in for the disk (sema finds files
  // by normalised path; SourceManager::load returns a file added already).
  for (const auto& [uri, other] : open_by_uri)
    if (other.uri != doc.uri && !other.path.empty() && other.text.size() <= kMaxSourceBytes)
      a->fe.sources.add(other.path, other.text);
  driver::check_loaded(inv, a->fe);
  a->fe.diags.sort_stable();
  a->checked = true;
  return a;
}

namespace {

// Where the root document brings `path` in: the start of the `use` line
// naming its module (or a module inside it); 0 when it is not used
// directly (an import of an import).
uint32_t use_line_of(const Analysis& analysis, const std::string& path) {
  const auto& modules = analysis.fe.result.schema.modules;
  std::string name;
  for (const auto& m : modules)
    if (m.file == path) name = m.name;
  if (name.empty()) name = fs::path(path).stem().string();
  const std::string& text = analysis.fe.sources.file(analysis.root).text();
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line(text.data() + pos, nl - pos);
    size_t b = line.find_first_not_of(" \t");
    if (b != std::string_view::npos) {
      std::string_view rest = line.substr(b);
      if (rest.rfind("pub ", 0) == 0) rest = rest.substr(4);
      if (rest.rfind("use ", 0) == 0) {
        rest = rest.substr(4);
        size_t w = rest.find_first_not_of(" \t");
        if (w != std::string_view::npos) {
          rest = rest.substr(w);
          if (rest.rfind("local::", 0) == 0) rest = rest.substr(7);
          std::string path_text;
          for (char c : rest) {
            if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':')
              path_text.push_back(c == ':' ? '.' : c);
            else
              break;
          }
          while (path_text.find("..") != std::string::npos) path_text.erase(path_text.find(".."), 1);
          if (path_text == name || path_text.rfind(name + ".", 0) == 0) return static_cast<uint32_t>(pos + b);
        }
      }
    }
    pos = nl + 1;
  }
  return 0;
}

}  // namespace

nlohmann::json diagnostics_json(const Analysis& analysis) {
  nlohmann::json out = nlohmann::json::array();
  const SourceFile& root = analysis.fe.sources.file(analysis.root);
  if (!analysis.checked) {
    out.push_back({{"range", range_json(root, 0, 0)},
                   {"severity", 1},
                   {"source", "dolc"},
                   {"message", "the document is larger than " + std::to_string(kMaxSourceBytes >> 20) +
                                   " MiB, the limit for one source file; it was not checked"}});
    return out;
  }
  for (const Diagnostic& d : effective_diagnostics(analysis.fe.diags.diagnostics(), false)) {
    std::string message = d.message;
    for (const auto& n : d.notes) message += "\nnote: " + n;
    nlohmann::json range, related;
    if (d.span.valid() && d.span.file == analysis.root) {
      range = range_json(root, d.span.begin, d.span.end);
    } else {
      range = range_json(root, 0, 0);
      if (d.span.valid() && d.span.file < analysis.fe.sources.size()) {
        const SourceFile& f = analysis.fe.sources.file(d.span.file);
        LineCol lc = f.position(d.span.begin);  // as dolc check prints it
        message = "in " + f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": " + message;
        uint32_t at = use_line_of(analysis, f.path());
        range = range_json(root, at, at);
        related = nlohmann::json::array(
            {{{"location", {{"uri", path_to_uri(f.path())}, {"range", range_json(f, d.span.begin, d.span.end)}}},
              {"message", d.message}}});
      }
    }
    int severity = d.severity == Severity::Error ? 1 : d.severity == Severity::Warning ? 2 : 3;
    out.push_back({{"range", range},
                   {"severity", severity},
                   {"code", rule_info(d.rule).id},
                   {"source", "dolc"},
                   {"message", message}});
    if (!related.is_null()) out.back()["relatedInformation"] = related;
  }
  return out;
}

}  // namespace dolc::lsp
