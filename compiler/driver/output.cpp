// compiler/driver: atomic, change-only output writing and depfiles.
#include "driver/output.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "source/interrupt.hpp"

namespace dolc::driver {

namespace fs = std::filesystem;

bool make_directories(const std::string& dir, std::string* error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::error_code ec2;  // (a symlink loop is an error here, never an exception)
  if (ec && !fs::is_directory(dir, ec2)) {
    if (error) *error = "cannot create directory '" + dir + "': " + ec.message();
    return false;
  }
  return true;
}

namespace {

// True when `path` holds exactly `contents` (a missing file does not).
bool same_contents(const std::string& path, const std::string& contents) {
  std::ifstream existing(path, std::ios::binary);
  if (!existing) return false;
  std::ostringstream buf;
  buf << existing.rdbuf();
  return existing.good() || existing.eof() ? buf.str() == contents : false;
}

// Writes `contents` to a fresh temporary beside `path` (so that rename() is
// atomic); registered with the interrupt handler until renamed or removed.
bool write_temporary(const std::string& path, const std::string& contents, std::string* tmp_out, std::string* error) {
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmp = (dir / ("." + target.filename().string() + ".tmp." + std::to_string(getpid()))).string();
  interrupt::add_path(tmp);
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) {
    if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
    interrupt::remove_path(tmp);
    return false;
  }
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.flush();
  out.close();
  if (!out) {
    if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
    std::remove(tmp.c_str());
    interrupt::remove_path(tmp);
    return false;
  }
  *tmp_out = tmp;
  return true;
}

}  // namespace

bool write_file_if_changed(const std::string& path, const std::string& contents, std::string* error, bool* changed) {
  OutputSet set;
  set.add(path, contents);
  if (!set.commit(error)) return false;
  if (changed) *changed = set.changed() > 0;
  return true;
}

void OutputSet::add(const std::string& path, const std::string& contents) { files_.push_back({path, contents}); }

bool OutputSet::commit(std::string* error) {
  changed_ = 0;
  // Stage: every changed file goes to its temporary. Any failure removes
  // them all, so every target keeps its old contents.
  std::vector<std::pair<std::string, std::string>> staged;  // (tmp, target)
  auto discard = [&] {
    for (const auto& [tmp, target] : staged) {
      std::remove(tmp.c_str());
      interrupt::remove_path(tmp);
    }
  };
  for (const auto& f : files_) {
    if (same_contents(f.path, f.contents)) continue;
    std::string tmp;
    if (!write_temporary(f.path, f.contents, &tmp, error)) {
      discard();
      return false;
    }
    staged.push_back({tmp, f.path});
  }
  // Commit: renames only, which do not fail for lack of space. A target
  // that became a directory meanwhile still can; then the rest are kept
  // from being half-updated as far as possible (nothing renamed after it).
  for (size_t i = 0; i < staged.size(); ++i) {
    const auto& [tmp, target] = staged[i];
    if (std::rename(tmp.c_str(), target.c_str()) != 0) {
      if (error) *error = "cannot write '" + target + "': " + std::strerror(errno);
      staged.erase(staged.begin(), staged.begin() + static_cast<std::ptrdiff_t>(i));
      discard();
      return false;
    }
    interrupt::remove_path(tmp);
    ++changed_;
  }
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
