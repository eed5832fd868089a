#include "mcp_probe/transport/transport.h"

namespace mcp_probe::transport {

const char* to_string(Origin origin) {
  switch (origin) {
    case Origin::stdout_line:
      return "stdout";
    case Origin::post_json:
      return "post-json";
    case Origin::post_sse:
      return "post-sse";
    case Origin::get_sse:
      return "get-sse";
    case Origin::legacy_sse:
      return "legacy-sse";
  }
  return "unknown";
}

const char* to_string(TransportKind kind) {
  switch (kind) {
    case TransportKind::stdio:
      return "stdio";
    case TransportKind::http:
      return "http";
    case TransportKind::sse:
      return "sse";
  }
  return "unknown";
}

}  // namespace mcp_probe::transport
