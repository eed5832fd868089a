#pragma once

// Deadlines: every blocking call in mcp-probe takes one, so a slow or hostile peer produces a
// timeout, never a hang. Monotonic clock only.

#include <chrono>

namespace mcp_probe::util {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

class Deadline {
 public:
  static Deadline after(Millis d) { return Deadline(Clock::now() + d); }
  static Deadline never() { return Deadline(Clock::time_point::max()); }
  explicit Deadline(Clock::time_point at) : m_at(at) {}

  Clock::time_point at() const { return m_at; }
  bool expired() const { return Clock::now() >= m_at; }
  // Milliseconds left, clamped to [0, INT_MAX]; suitable for poll().
  int remaining_ms() const;
  Millis remaining() const;
  // The earlier of the two.
  Deadline min(Deadline other) const { return other.m_at < m_at ? other : *this; }

 private:
  Clock::time_point m_at;
};

// A duration given in seconds (the CLI's unit), rounded down to whole milliseconds.
inline Millis seconds(double s) { return Millis(static_cast<long long>(s * 1000)); }

// Milliseconds since an arbitrary process-wide epoch (the first call), for trace timestamps.
double monotonic_ms();

}  // namespace mcp_probe::util
