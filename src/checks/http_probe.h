#pragma once

// Helpers the Streamable HTTP probes of both eras share: seq_http.cpp (the handshake era) defines
// them, seq_modern_http.cpp (2026-07-28) uses them too. Private to src/checks.

#include <string>

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

}  // namespace mcp_probe::checks
