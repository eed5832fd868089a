// Catalog rows for the transports: stdio (group 3), Streamable HTTP (group 4) and legacy HTTP+SSE
// (group 5) of REQUIREMENTS.md, each followed by its field diagnostics from group 11.

#include "catalog_parts.h"

namespace mcp_probe::checks {

namespace {

constexpr const char* k_sending =
    "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports"
    "#sending-messages-to-the-server";
constexpr const char* k_listening =
    "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports"
    "#listening-for-messages-from-the-server";
constexpr const char* k_sessions =
    "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports"
    "#session-management";
constexpr const char* k_security =
    "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports"
    "#security-warning";
constexpr const char* k_version_header =
    "https://modelcontextprotocol.io/specification/2025-06-18/basic/"
    "transports#protocol-version-header";
constexpr const char* k_legacy_sse =
    "https://modelcontextprotocol.io/specification/2024-11-05/basic/transports"
    "#http-with-sse";
constexpr const char* k_debugging = "https://modelcontextprotocol.io/docs/tools/debugging";
// No MCP spec section mentions CORS: the CORS rows link the CORS protocol (Fetch standard).
constexpr const char* k_cors = "https://fetch.spec.whatwg.org/#http-cors-protocol";

}  // namespace

std::vector<CheckDef> transport_check_defs() {
  return {
#define MCP_PROBE_CHECK(name, text, ...) make_def(CheckId::name, __VA_ARGS__),
#include "mcp_probe/checks/catalog_transport.def"
#undef MCP_PROBE_CHECK
  };
}

}  // namespace mcp_probe::checks
