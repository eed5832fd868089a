#pragma once

// The live progress line on stderr ("checking… 12/80 lifecycle.version.echo-supported"),
// redrawn in place with a carriage return. The caller enables it only when stderr is a terminal
// and colour is allowed; a disabled ProgressLine does nothing. Thread-safe (the engine may
// report results from another thread). The destructor clears the line.

#include <cstdio>
#include <mutex>
#include <string>

#include "mcp_probe/checks/result.h"

namespace mcp_probe::report {

class ProgressLine {
 public:
  ProgressLine(std::FILE* out, bool enabled, int total);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void update(const checks::CheckResult& result);
  // Erases the line (idempotent); call before writing the report to the same terminal.
  void clear();

  // The text of the line for `done` of `total` (without control characters); for tests.
  static std::string format(int done, int total, const std::string& id, std::size_t width);

 private:
  std::mutex m_mutex;
  std::FILE* m_out;
  bool m_enabled;
  bool m_dirty = false;
  int m_total;
  int m_done = 0;
};

}  // namespace mcp_probe::report
