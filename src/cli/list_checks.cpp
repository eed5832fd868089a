#include <cstdio>

#include "mcp_probe/checks/catalog.h"
#include "mcp_probe/cli/commands.h"
#include "mcp_probe/report/catalog_list.h"

namespace mcp_probe::cli {

int run_list_checks(const Options& options) {
  const std::string text = report::render_catalog(checks::catalog(), options.list_format);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return k_exit_ok;
}

}  // namespace mcp_probe::cli
