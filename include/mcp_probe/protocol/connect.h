#pragma once

// Opening a connection to a target: spawn a command (stdio), or reach a URL over Streamable
// HTTP or legacy HTTP+SSE. `--transport auto` follows the spec's backwards-compatibility rule:
// POST initialize to the URL; on 400, 404 or 405 try GET and wait for the `endpoint` event.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mcp_probe/protocol/session.h"
#include "mcp_probe/transport/http.h"
#include "mcp_probe/transport/legacy_sse.h"
#include "mcp_probe/transport/trace.h"
#include "mcp_probe/transport/transport.h"

namespace mcp_probe::protocol {

struct Target {
  std::string url;                   // http(s) URL, or empty for stdio
  std::vector<std::string> command;  // argv for stdio
  std::vector<std::pair<std::string, std::string>> env;
  std::string cwd;
  std::string transport = "auto";  // auto|stdio|http|sse
  transport::Headers headers;
  std::string bearer;
  bool insecure = false;
  std::string cacert;
  // From spawn or connect to the answer to initialize (a server may start slowly: npx, a JVM);
  // also the TCP connect timeout. Every later request waits request_timeout.
  util::Millis connect_timeout{30000};
  util::Millis request_timeout{5000};
  util::Millis stdin_close_wait{2000};  // stdio shutdown steps
  util::Millis sigterm_wait{2000};
};

// What a server speaks, as the era probes found it (docs/2026-07-28/basic/versioning.mdx,
// «Backward Compatibility» and the compatibility matrix).
enum class ServerEra { unknown, modern_only, dual, handshake_only };
// "unknown", "modern-only", "dual-era", "handshake-only".
const char* to_string(ServerEra era);

// How connect() opens. `detect`: server/discover with the newest modern version first (stdio and
// HTTP, as a dual-era client does), then initialize with the version asked for. `modern`:
// server/discover only, no initialize (a pinned 2026-07-28). `handshake`: initialize only.
// `prefer_modern`: server/discover first, and initialize only when it found no modern server (a
// modern client's fallback, for `call`: a dual-era server is then spoken to in 2026-07-28).
enum class EraPlan { detect, modern, handshake, prefer_modern };

// What each era probe got, in one line each, for the report.
struct EraProbe {
  std::optional<Exchange> discover;       // the server/discover exchange, when one was sent
  std::string discover_said;              // "DiscoverResult (supportedVersions ...)", "error -32601 ...", ...
  std::string initialize_said;            // "2025-11-25", "error -32601 ...", "not sent"
  std::vector<std::string> supported;     // DiscoverResult.supportedVersions or the -32022 data.supported
  bool modern = false;                    // the discover probe met a modern server
  bool modern_version_supported = false;  // ... that answered with a DiscoverResult
};

struct Connection {
  std::unique_ptr<transport::Transport> transport;
  std::unique_ptr<Session> session;
  std::string transport_used;             // "stdio", "http" or "sse"
  std::optional<InitializeOutcome> init;  // set when initialize got an answer
  double connect_ms = 0;                  // spawn/connect to initialize (or discover) response
  // The session speaks 2026-07-28 (Session::modern() is set): connected without initialize.
  bool modern = false;
  ServerEra era = ServerEra::unknown;  // EraPlan::detect and modern only
  EraProbe probe;
  // A dual-era server found by EraPlan::detect: this connection is the handshake one
  // (initialized), and `modern_side` the one the discover probe used, speaking 2026-07-28.
  std::unique_ptr<Connection> modern_side;
};

// The transport options a target implies (URL, headers, credentials, TLS, timeouts, tracer).
transport::HttpTransportOptions http_options(const Target& target, transport::Tracer& tracer);
transport::LegacySseOptions sse_options(const Target& target, transport::Tracer& tracer);

// Opens the transport only (no initialize). For stdio this spawns the process.
util::Expected<std::unique_ptr<transport::Transport>> open_transport(const Target& target,
                                                                     const std::string& kind,
                                                                     transport::Tracer& tracer);

// Opens a transport (auto-detecting HTTP vs legacy SSE when asked) and initializes with
// `version`. The Error says precisely what went wrong (spawn, DNS, refused, TLS, timeout, an
// error response to initialize).
// `on_session` (optional) sees each session before its first message is sent, so observers
// can watch the handshake itself, including one that fails, and again when a session changes
// era (the detect plan's discover probe found no modern server: initialize follows on it).
// Session::modern() tells which era it speaks at that moment.
//
// With EraPlan::detect or modern, the result may be a modern connection (Connection::modern;
// a modern-only server whose initialize failed is connected all the same). With `modern`, a
// server that does not speak `version` is an Error saying what it answered instead. `detect`
// probes the modern side with the newest modern version; both declare `client_capabilities`.
util::Expected<Connection> connect(const Target& target, const std::string& version,
                                   transport::Tracer& tracer,
                                   const Json& client_capabilities = Json::object(),
                                   const std::function<void(Session&)>& on_session = {},
                                   EraPlan plan = EraPlan::handshake);

}  // namespace mcp_probe::protocol
