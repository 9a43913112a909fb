// compiler/driver: atomic, change-only output writing and depfiles.
#include "driver/output.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace dolc::driver {

namespace fs = std::filesystem;

bool make_directories(const std::string& dir, std::string* error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec && !fs::is_directory(dir)) {
    if (error) *error = "cannot create directory '" + dir + "': " + ec.message();
    return false;
  }
  return true;
}

bool write_file_if_changed(const std::string& path, const std::string& contents, std::string* error, bool* changed) {
  if (changed) *changed = false;
  {
    std::ifstream existing(path, std::ios::binary);
    if (existing) {
      std::ostringstream buf;
      buf << existing.rdbuf();
      if (buf.str() == contents) return true;
    }
  }
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  // The temporary lives beside the target so that rename() is atomic.
  std::string tmp = (dir / ("." + target.filename().string() + ".tmp." + std::to_string(getpid()))).string();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
      return false;
    }
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) {
      if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
      out.close();
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  if (changed) *changed = true;
  return true;
}

namespace {
std::string escape_make(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}
}  // namespace

std::string depfile_text(const std::vector<std::string>& targets, const std::vector<std::string>& deps) {
  std::string out;
  for (size_t i = 0; i < targets.size(); ++i) out += (i ? " " : "") + escape_make(targets[i]);
  out += ":";
  for (const auto& d : deps) out += " \\\n  " + escape_make(d);
  out += "\n";
  return out;
}

}  // namespace dolc::driver
