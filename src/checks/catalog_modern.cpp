// Catalog rows of the 2026-07-28 era (group 10 of REQUIREMENTS.md, its INFO note, and the era
// detection).

#include "catalog_parts.h"

namespace mcp_probe::checks {

std::vector<CheckDef> modern_check_defs() {
  return {
#define MCP_PROBE_CHECK(name, text, ...) make_def(CheckId::name, __VA_ARGS__),
#include "mcp_probe/checks/catalog_modern.def"
#undef MCP_PROBE_CHECK
  };
}

}  // namespace mcp_probe::checks
