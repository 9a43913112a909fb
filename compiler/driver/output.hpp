// compiler/driver: writing outputs the way build systems need them.
//
// Every output is written to a temporary file in the destination directory
// and renamed over the target, so a reader never sees a half-written file
// and an interrupted build leaves the old file or nothing. A file whose
// content is unchanged is not touched, so its mtime stays and Ninja does not
// rebuild what depends on it.
#pragma once

#include <string>
#include <vector>

namespace dolc::driver {

// Returns false with `error` set when the file cannot be written.
// `changed` (optional) says whether the file was (re)written.
bool write_file_if_changed(const std::string& path, const std::string& contents, std::string* error,
                           bool* changed = nullptr);

// Several outputs written as one: commit() first writes every file whose
// bytes changed to a temporary beside it, and only when all of them are
// written renames them over their targets. A failure (an unwritable depfile
// path, a full disk) leaves every target as it was.
class OutputSet {
 public:
  void add(const std::string& path, const std::string& contents);
  // false + error when a file cannot be written; then no target changed.
  bool commit(std::string* error);
  size_t changed() const { return changed_; }  // files renamed by the last commit

 private:
  struct File {
    std::string path, contents;
  };
  std::vector<File> files_;
  size_t changed_ = 0;
};

// Creates `dir` and its parents. false + error when impossible.
bool make_directories(const std::string& dir, std::string* error);

// A Make-style depfile: `target1 target2: dep1 dep2`, spaces escaped.
std::string depfile_text(const std::vector<std::string>& targets, const std::vector<std::string>& deps);

}  // namespace dolc::driver
