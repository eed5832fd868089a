#include "mcp_probe/transport/transport.h"

namespace mcp_probe::transport {

const char* to_string(TransportKind kind) {
  switch (kind) {
    case TransportKind::stdio: return "stdio";
    case TransportKind::http: return "http";
    case TransportKind::sse: return "sse";
  }
  return "unknown";
}

}  // namespace mcp_probe::transport
