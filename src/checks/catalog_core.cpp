// Catalog rows: connectivity first (reports show it first), then the JSON-RPC base (group 1) and
// the initialize handshake (group 2) of REQUIREMENTS.md.

#include "catalog_parts.h"

namespace mcp_probe::checks {

namespace {

constexpr const char* k_debugging = "https://modelcontextprotocol.io/docs/tools/debugging";

}  // namespace

std::vector<CheckDef> core_check_defs() {
  return {
#define MCP_PROBE_CHECK(name, text, ...) make_def(CheckId::name, __VA_ARGS__),
#include "mcp_probe/checks/catalog_core.def"
#undef MCP_PROBE_CHECK
  };
}

}  // namespace mcp_probe::checks
