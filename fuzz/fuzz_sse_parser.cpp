// SseParser: arbitrary bytes, split into chunks at arbitrary points, must parse the same as
// when fed whole, and never exceed the event size limit.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "mcp_probe/transport/sse_parser.h"

using mcp_probe::transport::SseEvent;
using mcp_probe::transport::SseParser;

namespace {

bool same(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].data != b[i].data || a[i].id != b[i].id || a[i].retry != b[i].retry ||
        a[i].id_seen != b[i].id_seen) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte picks the chunk size, so split CRLFs and BOMs are explored.
  const std::size_t step = 1 + data[0] % 17;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr std::size_t k_limit = 4096;

  SseParser whole(k_limit);
  std::vector<SseEvent> a = whole.feed(bytes);
  whole.finish();

  SseParser pieces(k_limit);
  std::vector<SseEvent> b;
  for (std::size_t pos = 0; pos < bytes.size(); pos += step) {
    auto got = pieces.feed(bytes.substr(pos, step));
    b.insert(b.end(), got.begin(), got.end());
  }
  pieces.finish();

  if (whole.failed() != pieces.failed()) __builtin_trap();
  if (!whole.failed()) {
    if (!same(a, b)) __builtin_trap();
    if (whole.last_event_id() != pieces.last_event_id()) __builtin_trap();
    if (whole.has_partial_event() != pieces.has_partial_event()) __builtin_trap();
  }
  for (const auto& e : a) {
    if (e.data.size() > k_limit) __builtin_trap();
  }
  return 0;
}
