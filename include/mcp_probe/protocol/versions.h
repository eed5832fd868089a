#pragma once

// Protocol version tables: which versions exist, their order, and which schema definition
// describes each method's result, notification or request in each version (the schemas are
// open unions, so a message must be validated against its method-specific definition).

#include <string>
#include <string_view>
#include <vector>

namespace mcp_probe::protocol {

// The handshake-era versions mcp-probe speaks, oldest first.
const std::vector<std::string>& handshake_versions();
const std::string& latest_version();
bool is_known_version(std::string_view version);
// Position in the version order (0 = 2024-11-05), or -1 for an unknown version. 2026-07-28 is
// known (index 4) though mcp-probe does not yet run its stateless flow.
int version_index(std::string_view version);
// `version` is `min` or newer (false for unknown versions).
bool at_least(std::string_view version, std::string_view min);

// Schema definitions for messages of `version`; "" when the method has no specific definition.
std::string result_definition(std::string_view method, std::string_view version);
std::string server_notification_definition(std::string_view method, std::string_view version);
std::string server_request_definition(std::string_view method, std::string_view version);
// Envelopes: "JSONRPCResponse"/"JSONRPCResultResponse", "JSONRPCError"/"JSONRPCErrorResponse".
std::string result_response_definition(std::string_view version);
std::string error_response_definition(std::string_view version);

}  // namespace mcp_probe::protocol
