#pragma once

// Renderings of a TraceEvent for `--trace FILE` (NDJSON) and `-v` (text on stderr). Both take an
// event as the Tracer hands it to sinks, i.e. already redacted; they add no redaction of their own.
// Pure functions, thread-safe.

#include <cstddef>
#include <string>

#include "mcp_probe/transport/trace.h"

namespace mcp_probe::transport {

// One JSON object without a trailing newline: id, t_ms, dir, channel, method, url, status,
// headers (an object; repeated names joined with ", "), sse_event, sse_id, body. Empty fields
// are omitted. body holds the raw bytes as a JSON string, invalid UTF-8 replaced by U+FFFD.
std::string trace_to_ndjson(const TraceEvent& event);

// A readable line such as `[  12.3 ms] -> POST http://h/mcp {"jsonrpc":...}` or
// `[  14.0 ms] <- 200 text/event-stream`. Control characters in the body are escaped so an event
// stays on one line; bodies longer than k_text_body_limit are cut with a note. verbose=true adds
// the headers, one per following line, indented. No trailing newline.
constexpr std::size_t k_text_body_limit = 2000;
std::string trace_to_text(const TraceEvent& event, bool verbose);

}  // namespace mcp_probe::transport
