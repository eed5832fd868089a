#pragma once

// The protocol core of mcp-refserver: one MCP session's state machine, independent of the
// transport. Front-ends (stdio in src/refserver/stdio_frontend.cpp, Streamable HTTP and legacy
// HTTP+SSE in src/refserver/http_frontend.cpp) feed it raw messages and deliver what it emits.
//
// Threads: Session::handle may be called concurrently from several threads (a slow tool runs on
// one while a cancellation or ping arrives on another). Outboxes must be thread-safe.

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mcp_probe::refserver {

// Which protocol eras the server speaks (--era; docs/2026-07-28/basic/versioning.mdx):
// dual     modern requests (see Session::is_modern) get 2026-07-28 semantics, `initialize`
//          selects a handshake-era version (2024-11-05 ... 2025-11-25) for the connection.
// modern   only 2026-07-28: every request is modern; `initialize` is -32601 (it does not exist
//          in the era) with a message and data.supported naming the supported versions.
// legacy   only the handshake era: requests are served as a 2025-11-25 server does (modern
//          `_meta` is ignored, server/discover is an unknown method).
enum class ServeEra { dual, modern, legacy };

struct Config {
  std::set<std::string, std::less<>> faults;  // --fault NAME (see faults.h for the table)
  int page_size = 0;                          // --page-size N: items per list page (0: everything at once)
  std::string response_mode = "sse";          // --response-mode json|sse (HTTP only)
  bool sse_poll = false;                      // --sse-poll: close POST streams after the priming event
  std::string transport = "stdio";            // stdio|http|sse: the front-end in use
  ServeEra era = ServeEra::dual;              // --era
  // Asked several times per request: no allocation, and nothing at all without faults.
  bool has(std::string_view fault) const { return !faults.empty() && faults.find(fault) != faults.end(); }
};

// Where a session's outgoing messages go. Each message is one complete JSON text (no
// trailing newline). The front-end decides the framing (a stdout line, an SSE event, a body).
class Outbox {
 public:
  virtual ~Outbox() = default;
  virtual void send(const std::string& message) = 0;
};

class Session {
 public:
  // `standalone` receives messages not related to any client request (list_changed, server
  // pings, log messages outside a request): stdout on stdio, the GET stream on HTTP. It must
  // outlive the session.
  Session(const Config& config, Outbox& standalone);
  ~Session();

  // Modern requests (is_modern) read no per-connection state: one Session may serve the modern
  // requests of many clients at once, with colliding ids (see cancel(const Outbox&)).
  //
  // Handles one message as received (a JSON text: request, notification, response, or a batch
  // where the negotiated version allows it; malformed input gets -32700/-32600 replies).
  // Replies and request-related notifications (progress, logs emitted while handling) go to
  // `replies`. Returns when every reply for this message has been sent. Thread-safe.
  void handle(std::string_view raw, Outbox& replies);
  // The same for a message already parsed (json::parse, the same parser), so a front-end that
  // had to look inside it does not parse it twice.
  void handle_parsed(const nlohmann::json& message, Outbox& replies);

  // Whether handling `message` (parsed; a batch too) may wait: sleep, or ask the client and
  // wait for its answer. Front-ends stream such requests; the others complete at once, so
  // their replies can go out together.
  bool may_wait(const nlohmann::json& message) const;

  // How many handlers slept or asked the client although may_wait said their request would not
  // (each is also reported on stderr): 0 unless a fixture is missing from the may_wait list.
  // Tests check it.
  int unexpected_waits() const;

  // Whether `message` (one parsed message, not a batch) is served under 2026-07-28 semantics:
  // never with --era legacy; always with --era modern; with --era dual when it is a request
  // whose params._meta carries "io.modelcontextprotocol/protocolVersion" or
  // "io.modelcontextprotocol/clientCapabilities", or whose method exists only in the modern era
  // (server/discover, subscriptions/listen). Everything else is the handshake era, exactly as
  // before. Cheap: two lookups, no copy. Thread-safe.
  bool is_modern(const nlohmann::json& message) const;

  // Cancels the client request `request_id` (its JSON-RPC id) as notifications/cancelled
  // would: its handler stops and no response is sent. Front-ends call it when a modern
  // request's response stream is closed by the client (Streamable HTTP cancellation, and how a
  // subscriptions/listen stream ends). Unknown ids are ignored. Thread-safe.
  void cancel(const nlohmann::json& request_id);
  // Cancels every modern request in flight whose replies go to `replies` (the outbox given to
  // handle/handle_parsed): what an HTTP front-end calls when the client closes that request's
  // response stream. Unlike ids, outboxes do not collide between clients of one shared
  // Session. Thread-safe.
  void cancel(const Outbox& replies);

  // After initialize: the negotiated protocol version ("" before).
  std::string protocol_version() const;
  bool initialized() const;
  // Ask every in-flight handler to stop (shutdown); handlers return promptly.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> m_impl;
};

// Handshake-era versions the reference server supports (what `initialize` and the
// MCP-Protocol-Version header of a handshake-era session may name).
const std::set<std::string>& supported_versions();
// The newest handshake-era version.
const std::string& latest_version();
// The versions `server/discover` reports for `era`, newest first: modern ones, then (dual) the
// handshake-era ones. Empty for ServeEra::legacy.
const std::vector<std::string>& discover_versions(ServeEra era);
// The versions a modern request may name in _meta (UnsupportedProtocolVersionError's
// data.supported): the modern ones, empty for ServeEra::legacy.
const std::vector<std::string>& modern_request_versions(ServeEra era);

// JSON-RPC error codes of the 2026-07-28 revision (docs/2026-07-28/basic/index.mdx).
inline constexpr int k_header_mismatch = -32020;
inline constexpr int k_missing_client_capability = -32021;
inline constexpr int k_unsupported_protocol_version = -32022;

// The HTTP status of a modern request's JSON-RPC error (docs/2026-07-28/basic/transports/
// streamable-http.mdx): -32601 -> 404; -32602, -32020, -32021, -32022 -> 400; others 200.
constexpr int modern_http_status(int error_code) {
  if (error_code == -32601) return 404;
  if (error_code == -32602 || error_code == k_header_mismatch || error_code == k_missing_client_capability ||
      error_code == k_unsupported_protocol_version) {
    return 400;
  }
  return 200;
}

}  // namespace mcp_probe::refserver
