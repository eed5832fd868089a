// Catalog rows for utilities (group 7), server features (group 8) and the experimental and opt-in
// features (group 9) of REQUIREMENTS.md.

#include "catalog_parts.h"

namespace mcp_probe::checks {

std::vector<CheckDef> feature_check_defs() {
  return {
#define MCP_PROBE_CHECK(name, text, ...) make_def(CheckId::name, __VA_ARGS__),
#include "mcp_probe/checks/catalog_features.def"
#undef MCP_PROBE_CHECK
  };
}

}  // namespace mcp_probe::checks
