#pragma once

// The wire trace: one hook that sees every message in both directions, with a monotonic
// timestamp, the direction and the transport facts (HTTP method/URL/status/headers, SSE event
// id/type, stdio stream). Secrets are redacted here, before any sink sees an event, so neither
// `-v` output, `--trace FILE` nor a report can leak a token.
// Thread-safe: transports may emit from a background reader thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcp_probe/util/strings.h"

namespace mcp_probe::transport {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup (first match).
std::optional<std::string> find_header(const Headers& headers, std::string_view name);
// ASCII case-insensitive comparison (header names).
using util::iequals;

enum class Direction { send, receive, info };
const char* to_string(Direction d);

struct TraceEvent {
  std::uint64_t id = 0;  // assigned by the Tracer, 1-based, in emission order
  double at_ms = 0;      // util::monotonic_ms() at emission (assigned by the Tracer)
  Direction direction = Direction::info;
  std::string channel;  // "stdin", "stdout", "stderr", "http", "sse", "process"
  // HTTP facts (empty/0 when not HTTP).
  std::string http_method;
  std::string url;
  int http_status = 0;
  Headers headers;
  // SSE facts.
  std::string sse_event;
  std::string sse_id;
  std::string body;  // the message bytes, or a short description for info events
};

class Tracer {
 public:
  using Sink = std::function<void(const TraceEvent&)>;

  // Sinks are called under the tracer's lock, in emission order; a sink must not call emit().
  void add_sink(Sink sink);
  // Redaction (on by default): the values of Authorization, Proxy-Authorization, Cookie and
  // Set-Cookie headers, and every occurrence of a registered secret in any field.
  // For Authorization / Proxy-Authorization the scheme is kept ("Bearer [REDACTED]").
  void set_redact(bool on);
  bool redacting() const;
  // Registers a secret (a token, a password); empty strings are ignored.
  void add_secret(std::string secret);
  // Redacts, numbers and timestamps the event, hands it to every sink and returns its id.
  std::uint64_t emit(TraceEvent event);
  // Applies this tracer's redaction to a string (for reports and error messages).
  std::string redact(std::string text) const;
  Headers redact_headers(Headers headers) const;

 private:
  std::string redact_locked(std::string text) const;
  Headers redact_headers_locked(Headers headers) const;

  mutable std::mutex m_mutex;
  std::vector<Sink> m_sinks;
  std::vector<std::string> m_secrets;
  bool m_redact = true;
  std::uint64_t m_next_id = 1;
};

}  // namespace mcp_probe::transport
