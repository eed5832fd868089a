#pragma once

// Helpers the Streamable HTTP probes of both eras share: seq_http.cpp (the handshake era) defines
// the first ones, seq_modern_http.cpp the 2026-07-28 ones; seq_modern_http_transport.cpp uses
// both. Private to src/checks.

#include <optional>
#include <string>
#include <vector>

#include "context.h"
#include "mcp_probe/transport/http.h"

namespace mcp_probe::checks {

// The media type without parameters, lower-case, blanks dropped ("Application/JSON ; x" ->
// "application/json").
std::string media_type(const std::string& content_type);
// "HTTP 200 application/json {...}" (the body when it is not SSE), or the error's words.
std::string status_text(const util::Expected<transport::HttpResponse>& r);
// "http://host:port" of a URL.
std::string origin_of(const std::string& url);
// A localhost origin with the target's port, as a browser page served locally would send.
std::string local_origin(const std::string& url);

// `body` with `o` on `http`'s kept-alive connection, right after a request the server refused
// (`refused` says which): a 4xx that a fresh connection does not repeat means the refused body
// was left unread, recorded as http.keepalive.body-drained; the fresh answer is returned then.
util::Expected<transport::HttpResponse> exchange_after_refusal(Context& ctx, transport::HttpTransport& http,
                                                               transport::PostOptions o,
                                                               const std::string& body,
                                                               const std::string& refused);

// http.bind.localhost, from the kernel's socket tables (no traffic): era-independent.
void probe_bind(Context& ctx);
// http.health.endpoint (INFO): whether GET /health or /healthz on the server's origin answers 200.
void probe_health(Context& ctx, transport::HttpTransport& http);

// --- 2026-07-28 (seq_modern_http.cpp)

// The trace events of an exchange (none when it failed).
std::vector<std::uint64_t> trace_refs(const util::Expected<transport::HttpResponse>& r);
// A modern message of the main session's profile (the _meta fields); a request gets a fresh id.
Json modern_message(Context& ctx, const std::string& method, const Json& params = Json::object(),
                    bool request = true);
// The headers a conforming client sends with `message` (MCP-Protocol-Version, Mcp-Method,
// Mcp-Name), and no session.
transport::PostOptions modern_options(const Json& message);
// `message` POSTed on the main connection as `o` says, within the request timeout.
util::Expected<transport::HttpResponse> modern_post(Context& ctx, const Json& message,
                                                    const transport::PostOptions& o);
// The JSON-RPC answer to `message` in an HTTP response: the response with its id (a JSON body or
// an SSE event), or an error body without an id (HTTP error bodies may omit it).
std::optional<Json> answer_of(const transport::HttpResponse& r, const Json& message);
// The error code of that answer, if it is an error.
std::optional<long long> answer_code(const util::Expected<transport::HttpResponse>& r, const Json& message);

// The group 4 rows of the 2026-07-28 pass (seq_modern_http_transport.cpp).
std::vector<Step> modern_transport_steps();

}  // namespace mcp_probe::checks
