#pragma once

// The message-level transport interface the protocol layer talks to. A transport moves bytes
// and frames them; it does not interpret JSON-RPC. Implementations: StdioTransport (a spawned
// process), HttpTransport (Streamable HTTP), LegacySseTransport (2024-11-05 HTTP+SSE), and
// FakeTransport in the tests. Not thread-safe: one caller at a time (implementations may use
// reader threads internally).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "mcp_probe/util/deadline.h"
#include "mcp_probe/util/expected.h"

namespace mcp_probe::transport {

enum class TransportKind { stdio, http, sse };
const char* to_string(TransportKind kind);

// Where a message came from: a stdio line, the JSON body or SSE stream of a POST (Streamable
// HTTP), the GET stream, or the legacy HTTP+SSE stream.
enum class Origin { stdout_line, post_json, post_sse, get_sse, legacy_sse };
// "stdout", "post-json", "post-sse", "get-sse", "legacy-sse".
const char* to_string(Origin origin);

// One message from the server, exactly as it arrived.
struct Incoming {
  std::string raw;  // a stdout line without its terminator, an SSE event's data, a JSON body
  Origin origin = Origin::stdout_line;
  bool terminated = true;  // stdio: the line ended with '\n' (false: EOF or stall mid-line)
  bool crlf = false;       // stdio: the line ended with "\r\n"
  int http_status = 0;     // HTTP: status of the response that carried it
  std::string sse_event;   // SSE: the event type ("" means the default, "message")
  std::string sse_id;      // SSE: the event id, if any
  std::uint64_t trace_id = 0;
  double at_ms = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual TransportKind kind() const = 0;
  // Sends one message's bytes exactly as given; the transport adds only its framing (stdio: the
  // newline; HTTP: the POST). Messages the server sends in reply become available to receive().
  virtual util::Expected<void> send(std::string_view message, util::Deadline deadline) = 0;
  // The next message from the server in arrival order. ErrorKind::timeout when nothing arrives
  // by the deadline; ErrorKind::closed when the server can send nothing more.
  virtual util::Expected<Incoming> receive(util::Deadline deadline) = 0;
  // Releases the connection or process (for stdio: the full shutdown sequence). Idempotent.
  virtual void close() = 0;

  // Receive queues are bounded. A transport that reads messages inside send() (HttpTransport:
  // a POST answered with an SSE stream) hands those it has no room for to this callback, on
  // the thread that called send(), instead of queueing them; without one they are dropped.
  // Messages that answer the request being sent are always queued.
  using Overflow = std::function<void(Incoming)>;
  void set_overflow(Overflow overflow) { m_overflow = std::move(overflow); }

 protected:
  Overflow m_overflow;
};

}  // namespace mcp_probe::transport
