#include "mcp_probe/report/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace mcp_probe::report {
namespace {

std::size_t terminal_width(std::FILE* out) {
  winsize ws{};
  if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10) return ws.ws_col;
  return 80;
}

}  // namespace

ProgressLine::ProgressLine(std::FILE* out, bool enabled, int total)
    : m_out(out), m_enabled(enabled), m_total(total) {}

ProgressLine::~ProgressLine() { clear(); }

std::string ProgressLine::format(int done, int total, const std::string& id, std::size_t width) {
  std::string line = "checking… " + std::to_string(done) + "/" + std::to_string(total) + " " + id;
  // "…" is three bytes but one column; leave the last column free so the line never wraps.
  const std::size_t columns = line.size() - 2;
  if (width > 1 && columns > width - 1) line.resize(line.size() - (columns - (width - 1)));
  return line;
}

void ProgressLine::update(const checks::CheckResult& result) {
  std::lock_guard lock(m_mutex);
  if (!m_enabled) return;
  ++m_done;
  const std::string line = format(m_done, m_total, result.info.id, terminal_width(m_out));
  std::fprintf(m_out, "\r\033[K%s", line.c_str());
  std::fflush(m_out);
  m_dirty = true;
}

void ProgressLine::clear() {
  std::lock_guard lock(m_mutex);
  if (!m_enabled || !m_dirty) return;
  std::fputs("\r\033[K", m_out);
  std::fflush(m_out);
  m_dirty = false;
}

}  // namespace mcp_probe::report
