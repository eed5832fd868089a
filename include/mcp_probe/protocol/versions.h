#pragma once

// Protocol version tables: which versions exist, their order and era, and which schema
// definition describes each method's result, notification or request in each version (the
// schemas are open unions, so a message must be validated against its method-specific
// definition).

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace mcp_probe::protocol {

// How a version is spoken (docs/2026-07-28/basic/versioning.mdx, Terminology): the handshake
// ("legacy") era opens a session with `initialize`; the modern era carries version and client
// capabilities in every request's `_meta`.
enum class Era { handshake, modern };

struct VersionInfo {
  std::string_view name;
  Era era;
};

// Every protocol version mcp-probe knows, oldest first. A version's rank is its position here.
inline constexpr std::array<VersionInfo, 5> k_versions = {{
    {"2024-11-05", Era::handshake},
    {"2025-03-26", Era::handshake},
    {"2025-06-18", Era::handshake},
    {"2025-11-25", Era::handshake},
    {"2026-07-28", Era::modern},
}};

// Position in k_versions (0 = 2024-11-05), or -1 for an unknown version. Usable in constant
// expressions, so callers name versions instead of comparing magic indexes.
constexpr int version_rank(std::string_view version) {
  for (std::size_t i = 0; i < k_versions.size(); ++i) {
    if (k_versions[i].name == version) return static_cast<int>(i);
  }
  return -1;
}

// The entry of `version`, or nullptr for an unknown one.
const VersionInfo* find_version(std::string_view version);
bool is_modern_version(std::string_view version);

// The handshake-era versions mcp-probe speaks, oldest first.
const std::vector<std::string>& handshake_versions();
// The modern-era versions, oldest first.
const std::vector<std::string>& modern_versions();
// The newest handshake-era version (what an `initialize` without a supported version gets).
const std::string& latest_version();
// The newest modern-era version.
const std::string& latest_modern_version();
bool is_known_version(std::string_view version);
// version_rank under its historical name.
int version_index(std::string_view version);
// `version` is `min` or newer (false for unknown versions).
bool at_least(std::string_view version, std::string_view min);

// Schema definitions for messages of `version`; "" when the method has no specific definition.
std::string result_definition(std::string_view method, std::string_view version);
std::string server_notification_definition(std::string_view method, std::string_view version);
std::string server_request_definition(std::string_view method, std::string_view version);
// The whole response to `method` where the version defines one (2026-07-28's `*ResultResponse`,
// e.g. CallToolResultResponse, whose result is a CallToolResult or an InputRequiredResult); "".
std::string method_response_definition(std::string_view method, std::string_view version);
// Envelopes: "JSONRPCResponse"/"JSONRPCResultResponse", "JSONRPCError"/"JSONRPCErrorResponse".
std::string result_response_definition(std::string_view version);
std::string error_response_definition(std::string_view version);

}  // namespace mcp_probe::protocol
