#pragma once

// Speaking the 2026-07-28 ("modern") era: no initialize; every request carries the protocol
// version and the client capabilities in params._meta (docs/2026-07-28/basic/index.mdx), and on
// Streamable HTTP the headers MCP-Protocol-Version, Mcp-Method and Mcp-Name mirror the body
// (docs/2026-07-28/basic/transports/streamable-http.mdx, «Standard Request Headers»). Plain
// functions over JSON; Session::set_modern applies them to every request a session sends.

#include <optional>
#include <string>

#include "mcp_probe/json/wire.h"
#include "mcp_probe/transport/http_client.h"

namespace mcp_probe::protocol {

using json::Json;

inline constexpr const char* k_meta_protocol_version = "io.modelcontextprotocol/protocolVersion";
inline constexpr const char* k_meta_client_capabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr const char* k_meta_server_info = "io.modelcontextprotocol/serverInfo";
inline constexpr const char* k_meta_log_level = "io.modelcontextprotocol/logLevel";

// The modern JSON-RPC error codes (docs/2026-07-28/basic/index.mdx, «Error Codes»).
inline constexpr long long k_header_mismatch = -32020;
inline constexpr long long k_missing_client_capability = -32021;
inline constexpr long long k_unsupported_protocol_version = -32022;

// How a session speaks the modern era: the version it declares and the client capabilities.
struct ModernProfile {
  std::string version;
  Json client_capabilities = Json::object();
  // Answer InputRequiredResults to tools/call, prompts/get and resources/read (mrtr.h): retry with
  // the probe's answers for the declared capabilities, at most k_max_input_rounds times.
  bool answer_input_requests = false;
};

// `params` (an object, or null for none) with the profile's two _meta fields merged into any
// _meta it has; fields already in params._meta are kept (a caller may set them on purpose).
Json with_modern_meta(const Json& params, const ModernProfile& profile);

// The HTTP headers a modern message needs, taken from the message itself: MCP-Protocol-Version
// (from params._meta, else `fallback_version`; every POST carries it), Mcp-Method for a request
// or notification, and Mcp-Name for tools/call, prompts/get (params.name) and resources/read
// (params.uri), Base64-sentinel encoded when the value is not plain header-safe ASCII. Empty for
// something that is not a JSON object.
transport::Headers modern_headers(const Json& message, const std::string& fallback_version = "");
// The same for raw bytes (nothing for text that is not one JSON object).
transport::Headers modern_headers_raw(std::string_view raw, const std::string& fallback_version = "");

// The value of a header as the spec writes it (the =?base64?...?= sentinel when needed).
std::string header_safe(const std::string& value);

// A recognised modern error (the stdio and HTTP era probes, versioning.mdx «Backward
// Compatibility»): -32022 with data.supported, or any of -32020..-32022.
bool is_modern_error(const Json& reply);
// data.supported of an UnsupportedProtocolVersionError, when it is an array of strings.
std::optional<std::vector<std::string>> supported_versions(const Json& error_reply);

}  // namespace mcp_probe::protocol
