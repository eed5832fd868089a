#pragma once

// SseParser: an incremental text/event-stream parser that follows the WHATWG "event stream
// interpretation" rules exactly (html.spec.whatwg.org/multipage/server-sent-events.html):
// CRLF / LF / CR line ends (also when a CRLF is split across chunks), a leading UTF-8 BOM
// stripped once, comments, fields without a colon, one leading space of a value removed,
// multi-line data joined by '\n', `id` ignored when it contains NUL, `retry` digits only, and
// dispatch on a blank line only when the data buffer is non-empty (so `data:` with an empty value
// dispatches an event whose data is "", as MCP 2025-11-25 priming events do).
// Bytes are kept as they arrived: invalid UTF-8 is not replaced (the JSON layer reports it).
// Not thread-safe; one parser per stream. Never blocks.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcp_probe::transport {

struct SseEvent {
  std::string type;                // the `event` field; "" when none was given (means "message")
  std::string data;                // data lines joined by '\n', the final '\n' removed
  std::string id;                  // the stream's last event id at dispatch (persists across events)
  std::optional<long long> retry;  // a valid `retry` field seen in this event's block
  bool id_seen = false;            // an (accepted) `id` field appeared in this event's block
};

class SseParser {
 public:
  static constexpr std::size_t k_default_max_event_bytes = 16u * 1024u * 1024u;

  explicit SseParser(std::size_t max_event_bytes = k_default_max_event_bytes);

  // Parses the next chunk of the stream and returns the events it completed, in order.
  // After an error (see failed()) it ignores further input and returns nothing.
  std::vector<SseEvent> feed(std::string_view chunk);
  // End of stream: per spec an incomplete event is discarded (never dispatched); call
  // has_partial_event() before or after to learn whether there was one.
  void finish();

  // True when field lines (or an unterminated non-comment line) were seen since the last blank
  // line, i.e. the stream so far ends in the middle of an event.
  bool has_partial_event() const;
  // An event grew beyond the size limit; error() says so. The parser stays in this state.
  bool failed() const { return !m_error.empty(); }
  const std::string& error() const { return m_error; }
  // The last event id (the spec's "last event ID buffer"), for a Last-Event-ID header.
  const std::string& last_event_id() const { return m_last_id; }
  // The last valid `retry` value seen anywhere in the stream.
  std::optional<long long> reconnection_ms() const { return m_reconnection_ms; }
  // Number of events dispatched so far.
  std::size_t dispatched() const { return m_dispatched; }

 private:
  void consume(std::string_view bytes, std::vector<SseEvent>& out);
  void process_line(std::string_view line, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);
  bool check_size();

  std::size_t m_max_event_bytes;
  std::string m_bom_head;  // first bytes while deciding whether they are a BOM
  bool m_bom_done = false;
  bool m_after_cr = false;  // the previous chunk ended with CR: a leading LF belongs to it
  std::string m_line;       // the current, unterminated line
  std::string m_data;
  std::string m_type;
  std::string m_last_id;
  std::optional<long long> m_block_retry;
  std::optional<long long> m_reconnection_ms;
  bool m_block_id_seen = false;
  bool m_block_has_fields = false;
  bool m_finished = false;
  std::size_t m_dispatched = 0;
  std::string m_error;
};

}  // namespace mcp_probe::transport
