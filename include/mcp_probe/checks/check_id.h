#pragma once

// Typed check ids, generated from the catalog rows (catalog_core.def, catalog_transport.def,
// catalog_features.def, catalog_modern.def: one MCP_PROBE_CHECK per check, in report order), so a check is
// declared once. Code names a check as `CheckId::http_session_unknown_404`: a misspelt id does not compile.
// The text form ("http.session.unknown-404", as REQUIREMENTS.md spells it) is what reports,
// --only/--skip and the refserver's fault table use.

#include <cstddef>
#include <optional>
#include <string_view>

namespace mcp_probe::checks {

// The order of the rows is the order of the ids.
// clang-format off
#define MCP_PROBE_CHECK(name, ...) name,
enum class CheckId : unsigned short {
#include "mcp_probe/checks/catalog_core.def"
#include "mcp_probe/checks/catalog_transport.def"
#include "mcp_probe/checks/catalog_features.def"
#include "mcp_probe/checks/catalog_modern.def"
};
#undef MCP_PROBE_CHECK

#define MCP_PROBE_CHECK(name, ...) +1
inline constexpr std::size_t k_check_count = 0
#include "mcp_probe/checks/catalog_core.def"
#include "mcp_probe/checks/catalog_transport.def"
#include "mcp_probe/checks/catalog_features.def"
#include "mcp_probe/checks/catalog_modern.def"
    ;
#undef MCP_PROBE_CHECK
// clang-format on

// The id as REQUIREMENTS.md spells it ("jsonrpc.envelope.version"); never null.
const char* to_string(CheckId id);
// The typed id of a text id, or nullopt when no check has it.
std::optional<CheckId> parse_check_id(std::string_view text);
// Position in report order, 0 .. k_check_count-1.
constexpr std::size_t index_of(CheckId id) { return static_cast<std::size_t>(id); }

}  // namespace mcp_probe::checks
