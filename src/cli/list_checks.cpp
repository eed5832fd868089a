#include <cstdio>

#include "mcp_probe/checks/catalog.h"
#include "mcp_probe/cli/commands.h"
#include "mcp_probe/cli/output.h"
#include "mcp_probe/report/catalog_list.h"

namespace mcp_probe::cli {

int run_list_checks(const Options& options) {
  const std::string text = report::render_catalog(checks::catalog(), options.list_format);
  if (auto ok = write_stdout(text); !ok) {
    print_error(ok.error().message);
    return k_exit_usage;
  }
  return k_exit_ok;
}

}  // namespace mcp_probe::cli
