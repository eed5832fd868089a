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

struct Connection {
  std::unique_ptr<transport::Transport> transport;
  std::unique_ptr<Session> session;
  std::string transport_used;             // "stdio", "http" or "sse"
  std::optional<InitializeOutcome> init;  // set when initialize got an answer
  double connect_ms = 0;                  // spawn/connect to initialize response
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
// can watch the handshake itself, including one that fails.
util::Expected<Connection> connect(const Target& target, const std::string& version,
                                   transport::Tracer& tracer,
                                   const Json& client_capabilities = Json::object(),
                                   const std::function<void(Session&)>& on_session = {});

}  // namespace mcp_probe::protocol
