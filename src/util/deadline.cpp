#include "mcp_probe/util/deadline.h"

#include <climits>

namespace mcp_probe::util {

Millis Deadline::remaining() const {
  auto now = Clock::now();
  if (now >= m_at) return Millis(0);
  if (m_at == Clock::time_point::max()) return Millis(INT_MAX);
  return std::chrono::duration_cast<Millis>(m_at - now);
}

int Deadline::remaining_ms() const {
  auto r = remaining().count();
  if (r > INT_MAX) return INT_MAX;
  // Round a sub-millisecond remainder up so poll() does not spin with 0.
  if (r == 0 && !expired()) return 1;
  return static_cast<int>(r);
}

double monotonic_ms() {
  static const Clock::time_point epoch = Clock::now();
  return std::chrono::duration<double, std::milli>(Clock::now() - epoch).count();
}

}  // namespace mcp_probe::util
