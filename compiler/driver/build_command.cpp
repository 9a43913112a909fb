// compiler/driver: `dolc build`. Until code generation is wired in, this
// runs the front end and writes NAME.schema.json when asked; any other
// output kind is refused with a clear message rather than silently skipped.
#include "driver/output.hpp"
#include "driver/session.hpp"
#include "ir/json.hpp"

namespace dolc::driver {

int run_build(const Invocation& inv) {
  if (inv.out_dir.empty()) {
    print_tool_error("'dolc build' needs an output directory: add -o DIR");
    return kExitUsage;
  }
  if (inv.emit != "schema-json") {
    print_tool_error("code generation is not available in this build yet; use --emit=schema-json");
    return kExitUsage;
  }
  return run_check(inv);
}

}  // namespace dolc::driver
