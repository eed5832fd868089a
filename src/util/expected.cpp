#include "mcp_probe/util/expected.h"

namespace mcp_probe::util {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::io:
      return "io";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::protocol:
      return "protocol";
    case ErrorKind::spawn:
      return "spawn";
    case ErrorKind::usage:
      return "usage";
    case ErrorKind::closed:
      return "closed";
  }
  return "unknown";
}

}  // namespace mcp_probe::util
