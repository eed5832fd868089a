// LineFramer (the stdio transport's framing): arbitrary bytes in arbitrary chunks give the
// same lines as when fed whole; no line holds a '\n' or exceeds the limit.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "mcp_probe/transport/line_framer.h"

using mcp_probe::transport::FramedLine;
using mcp_probe::transport::LineFramer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t limit = 1 + data[0] % 64;  // small, so the over-long path is reached
  const std::size_t step = 1 + data[1] % 13;
  std::string_view bytes(reinterpret_cast<const char*>(data + 2), size - 2);

  LineFramer whole(limit);
  std::vector<FramedLine> a;
  whole.feed(bytes, a);
  whole.finish(a);

  LineFramer pieces(limit);
  std::vector<FramedLine> b;
  for (std::size_t pos = 0; pos < bytes.size(); pos += step) pieces.feed(bytes.substr(pos, step), b);
  pieces.finish(b);

  if (a.size() != b.size()) __builtin_trap();
  std::size_t newlines = 0;
  for (char c : bytes) newlines += c == '\n';
  std::size_t terminated = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const FramedLine& l = a[i];
    if (l.raw != b[i].raw || l.terminated != b[i].terminated || l.crlf != b[i].crlf ||
        l.oversized != b[i].oversized) {
      __builtin_trap();
    }
    if (l.raw.find('\n') != std::string_view::npos || l.raw.size() > limit) __builtin_trap();
    if (l.oversized && !l.raw.empty()) __builtin_trap();
    if (l.terminated && !l.oversized) ++terminated;
    if (!l.terminated && i + 1 != a.size()) __builtin_trap();  // only the last line may be unterminated
  }
  if (terminated > newlines) __builtin_trap();
  return 0;
}
