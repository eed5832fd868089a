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

#include <nlohmann/json.hpp>

namespace mcp_probe::refserver {

struct Config {
  std::set<std::string> faults;     // --fault NAME (see faults.h for the table)
  int page_size = 0;                // --page-size N: items per list page (0: everything at once)
  std::string response_mode = "sse";  // --response-mode json|sse (HTTP only)
  bool sse_poll = false;            // --sse-poll: close POST streams after the priming event
  std::string transport = "stdio";  // stdio|http|sse: the front-end in use
  bool has(std::string_view fault) const { return faults.count(std::string(fault)) > 0; }
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

  // After initialize: the negotiated protocol version ("" before).
  std::string protocol_version() const;
  bool initialized() const;
  // Ask every in-flight handler to stop (shutdown); handlers return promptly.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> m_impl;
};

// Versions the reference server supports, oldest first.
const std::set<std::string>& supported_versions();
const std::string& latest_version();

}  // namespace mcp_probe::refserver
