#include "mcp_probe/transport/sse_parser.h"

#include <algorithm>

namespace mcp_probe::transport {

namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

SseParser::SseParser(std::size_t max_event_bytes) : m_max_event_bytes(max_event_bytes) {}

std::vector<SseEvent> SseParser::feed(std::string_view chunk) {
  std::vector<SseEvent> out;
  if (failed() || m_finished || chunk.empty()) return out;
  if (!m_bom_done) {
    // The BOM may itself be split across chunks: hold back bytes while they are a BOM prefix.
    m_bom_head.append(chunk);
    std::string_view head = m_bom_head;
    std::size_t n = std::min(head.size(), k_bom.size());
    if (head.substr(0, n) == k_bom.substr(0, n) && head.size() < k_bom.size()) return out;
    m_bom_done = true;
    std::string rest =
        head.substr(0, k_bom.size()) == k_bom ? std::string(head.substr(k_bom.size())) : std::string(head);
    m_bom_head.clear();
    consume(rest, out);
    return out;
  }
  consume(chunk, out);
  return out;
}

void SseParser::consume(std::string_view bytes, std::vector<SseEvent>& out) {
  std::size_t pos = 0;
  if (m_after_cr && !bytes.empty()) {
    m_after_cr = false;
    if (bytes[0] == '\n') pos = 1;
  }
  while (pos < bytes.size() && !failed()) {
    std::size_t end = bytes.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) {
      m_line.append(bytes.substr(pos));
      check_size();
      return;
    }
    std::string_view piece = bytes.substr(pos, end - pos);
    if (m_line.empty()) {
      process_line(piece, out);
    } else {
      m_line.append(piece);
      std::string line = std::move(m_line);
      m_line.clear();
      process_line(line, out);
    }
    if (bytes[end] == '\r') {
      if (end + 1 < bytes.size()) {
        pos = bytes[end + 1] == '\n' ? end + 2 : end + 1;
      } else {
        m_after_cr = true;  // a CRLF split across chunks is still one line end
        pos = end + 1;
      }
    } else {
      pos = end + 1;
    }
  }
}

bool SseParser::check_size() {
  if (m_line.size() + m_data.size() + m_type.size() <= m_max_event_bytes) return true;
  m_error = "SSE event larger than " + std::to_string(m_max_event_bytes) +
            " bytes (no blank line ends it); the rest of the stream is ignored";
  return false;
}

void SseParser::process_line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    dispatch(out);
    return;
  }
  if (line[0] == ':') return;  // comment
  std::string_view field = line;
  std::string_view value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  m_block_has_fields = true;
  if (field == "event") {
    m_type.assign(value);
  } else if (field == "data") {
    m_data.append(value);
    m_data.push_back('\n');
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      m_last_id.assign(value);
      m_block_id_seen = true;
    }
  } else if (field == "retry") {
    // More than 18 digits would overflow; such a value is as unusable as a non-number.
    if (all_digits(value) && value.size() <= 18) {
      m_block_retry = std::stoll(std::string(value));
      m_reconnection_ms = m_block_retry;
    }
  }
  check_size();
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  if (!m_data.empty()) {
    SseEvent event;
    event.type = std::move(m_type);
    m_data.pop_back();  // the final '\n'
    event.data = std::move(m_data);
    event.id = m_last_id;
    event.retry = m_block_retry;
    event.id_seen = m_block_id_seen;
    out.push_back(std::move(event));
    ++m_dispatched;
  }
  m_data.clear();
  m_type.clear();
  m_block_retry.reset();
  m_block_id_seen = false;
  m_block_has_fields = false;
}

void SseParser::finish() {
  if (m_finished) return;
  if (!m_bom_done) {
    // Fewer bytes than a BOM arrived and they were a BOM prefix: they are content, but cannot
    // hold a line end, so they only become a partial line.
    m_bom_done = true;
    m_line.append(m_bom_head);
    m_bom_head.clear();
  }
  m_finished = true;
}

bool SseParser::has_partial_event() const {
  if (m_block_has_fields) return true;
  std::string_view pending = m_line.empty() ? std::string_view(m_bom_head) : std::string_view(m_line);
  return !pending.empty() && pending[0] != ':';
}

}  // namespace mcp_probe::transport
