// compiler/driver: `dolc check` (and its alias `dolc lint`): parse and check
// the schemas, report findings, optionally write NAME.schema.json (NAME = the
// first input's stem, as for `dolc build`) and a depfile naming what was read.
#include <nlohmann/json.hpp>

#include "driver/output.hpp"
#include "driver/session.hpp"
#include "ir/json.hpp"

namespace dolc::driver {

int run_check(const Invocation& inv) {
  Frontend fe;
  if (int rc = run_frontend(inv, fe); rc != kExitClean) return rc;
  if (!inv.emit.empty() && !fe.diags.has_errors()) {
    std::string error;
    const std::string target = inv.out_dir + "/" + output_name(inv) + ".schema.json";
    // The schema JSON and the depfile commit together (driver/output.hpp).
    OutputSet set;
    set.add(target, ir::schema_to_json(fe.result.schema).dump(2) + "\n");
    if (!inv.depfile.empty()) set.add(inv.depfile, depfile_text({target}, fe.result.files_read));
    if (!make_directories(inv.out_dir, &error) || !set.commit(&error)) {
      finish(inv, fe);
      print_tool_error(error);
      return kExitUsage;
    }
  }
  return finish(inv, fe);
}

}  // namespace dolc::driver
