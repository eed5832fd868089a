#include "mcp_probe/transport/line_framer.h"

#include <algorithm>

namespace mcp_probe::transport {

LineFramer::LineFramer(std::size_t max_line_bytes) : m_max(std::max<std::size_t>(max_line_bytes, 1)) {}

void LineFramer::feed(std::string_view data, std::vector<FramedLine>& out) {
  if (m_finished) return;
  while (!data.empty()) {
    auto nl = data.find('\n');
    if (m_discarding) {
      if (nl == std::string_view::npos) return;
      m_discarding = false;
      data.remove_prefix(nl + 1);
      continue;
    }
    std::string_view part = data.substr(0, nl);  // all of it when there is no newline
    if (m_line.size() + part.size() > m_max) {
      FramedLine over;
      over.oversized = true;
      out.push_back(std::move(over));
      m_line.clear();
      if (nl == std::string_view::npos) {
        m_discarding = true;
        return;
      }
      data.remove_prefix(nl + 1);
      continue;
    }
    m_line.append(part);
    if (nl == std::string_view::npos) return;
    emit(true, out);
    data.remove_prefix(nl + 1);
  }
}

void LineFramer::finish(std::vector<FramedLine>& out) {
  if (m_finished) return;
  m_finished = true;
  if (!m_line.empty() && !m_discarding) emit(false, out);
  m_line.clear();
  m_discarding = false;
}

void LineFramer::emit(bool terminated, std::vector<FramedLine>& out) {
  FramedLine line;
  line.raw = std::move(m_line);
  m_line.clear();
  if (terminated && !line.raw.empty() && line.raw.back() == '\r') {
    line.raw.pop_back();
    line.crlf = true;
  }
  line.terminated = terminated;
  out.push_back(std::move(line));
}

}  // namespace mcp_probe::transport
