// compiler/sema/load.cpp: finding and reading the files a schema
// `use`s. Module `a.b` is the file `a/b.dol` or `a.b.dol`, searched in the -I
// directories, then next to the importing file, then in stdlib-dol/. `use
// a.b.X` may name a module `a.b.X` or the item `X` of module `a.b`; both are
// tried (`use a.b.*` and `use a.b.{ X }` name module `a.b`; `use
// local::a::X` is `use a.X`). `use @org/pkg` is recorded and never fetched. Each file is read
// once (SourceManager dedups by path), so import cycles terminate. The
// caller's ModuleLoader turns each file into a syntax tree.
#include <filesystem>

#include "sema/checker.hpp"

namespace dolc::sema {

namespace fs = std::filesystem;

size_t Checker::add_file(FileId id, bool is_root, bool is_stdlib) {
  for (size_t i = 0; i < files_.size(); ++i)
    if (files_[i].ast.file == id) return i;
  LoadedFile lf;
  lf.ast = loader_.load(id, diags_);
  lf.ast.file = id;
  lf.path = sources_.file(id).path();
  lf.module = lf.ast.module ? lf.ast.module->text : "";
  lf.is_root = is_root;
  lf.is_stdlib = is_stdlib;
  files_.push_back(std::move(lf));
  size_t index = files_.size() - 1;
  result_.files_read.push_back(files_[index].path);
  if (!files_[index].module.empty()) file_by_module_.emplace(files_[index].module, index);
  return index;
}

void Checker::load_roots(const std::vector<FileId>& roots) {
  for (FileId id : roots) add_file(id, true, false);
  // Breadth-first over imports: files_ grows while we walk it.
  for (size_t i = 0; i < files_.size(); ++i) load_uses(i);
}

std::string Checker::find_module_file(const std::string& module, const std::string& importer_dir) const {
  std::string nested = module;
  for (auto& c : nested)
    if (c == '.') c = '/';
  std::vector<std::string> dirs = options_.include_dirs;
  dirs.push_back(importer_dir.empty() ? "." : importer_dir);
  if (!options_.stdlib_dir.empty()) dirs.push_back(options_.stdlib_dir);
  for (const auto& dir : dirs) {
    for (const auto& name : {nested + ".dol", module + ".dol"}) {
      fs::path p = fs::path(dir) / name;
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) return p.lexically_normal().string();
    }
  }
  return "";
}

void Checker::load_uses(size_t file_index) {
  std::string importer_dir = fs::path(files_[file_index].path).parent_path().string();
  size_t use_count = files_[file_index].ast.uses.size();
  for (size_t u = 0; u < use_count; ++u) {
    const ast::Use use = files_[file_index].ast.uses[u];  // copy: files_ may grow
    if (use.is_external) continue;
    // Candidate module names: the whole path, then (for `use a.b.X`) `a.b`.
    // `local::lib::X` names module `lib` of the importer's own package, found
    // next to the importer; `use a.b.*` names module `a.b` only.
    std::string module_path = use.path;
    if (use.is_local && module_path.rfind("local.", 0) == 0) module_path = module_path.substr(6);
    std::vector<std::string> candidates{module_path};
    if (use.items.empty() && !use.is_glob && module_path.find('.') != std::string::npos)
      candidates.push_back(module_path.substr(0, module_path.rfind('.')));
    bool found = false;
    for (const auto& module : candidates) {
      if (file_by_module_.count(module)) { found = true; break; }
      std::string path = find_module_file(module, importer_dir);
      if (path.empty()) continue;
      std::string error;
      auto id = sources_.load(path, &error);
      if (!id) continue;
      bool is_stdlib = !options_.stdlib_dir.empty() &&
                       fs::path(path).lexically_normal().string().rfind(
                           fs::path(options_.stdlib_dir).lexically_normal().string(), 0) == 0;
      size_t index = add_file(*id, false, is_stdlib);
      // A file without a `module` line is known by the module path used to find it.
      if (files_[index].module.empty()) {
        files_[index].module = module;
        file_by_module_.emplace(module, index);
      } else if (!file_by_module_.count(module)) {
        file_by_module_.emplace(module, index);
      }
      found = true;
      break;
    }
    if (!found) {
      std::vector<std::string> searched = options_.include_dirs;
      searched.push_back(importer_dir.empty() ? "." : importer_dir);
      if (!options_.stdlib_dir.empty()) searched.push_back(options_.stdlib_dir);
      std::string nested = candidates.back();
      for (auto& c : nested)
        if (c == '.') c = '/';
      diags_.report(Rule::UnknownDeclaration, use.span,
                    "cannot find module `" + candidates.back() + "` for `use " + use.path + (use.is_glob ? ".*" : "") +
                        (use.items.empty() ? "" : ".{ " + join(use.items, ", ") + " }") + "`",
                    {"looked for `" + nested + ".dol` and `" + candidates.back() + ".dol` in: " + join(searched, ", "),
                     "add the directory that holds it with `-I DIR`"});
    }
  }
}

}  // namespace dolc::sema
