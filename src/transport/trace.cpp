#include "mcp_probe/transport/trace.h"

#include <algorithm>

#include "mcp_probe/util/deadline.h"

namespace mcp_probe::transport {

namespace {

constexpr const char* k_redacted = "[REDACTED]";

bool is_credential_header(std::string_view name) {
  for (std::string_view h : {"authorization", "proxy-authorization", "cookie", "set-cookie"}) {
    if (iequals(name, h)) return true;
  }
  return false;
}

bool is_auth_header(std::string_view name) {
  return iequals(name, "authorization") || iequals(name, "proxy-authorization");
}

void replace_all(std::string& text, const std::string& secret) {
  if (secret.empty()) return;
  std::size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), k_redacted);
    pos += std::char_traits<char>::length(k_redacted);
  }
}

}  // namespace

std::optional<std::string> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

const char* to_string(Direction d) {
  switch (d) {
    case Direction::send:
      return "send";
    case Direction::receive:
      return "receive";
    case Direction::info:
      return "info";
  }
  return "info";
}

void Tracer::add_sink(Sink sink) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_sinks.push_back(std::move(sink));
}

void Tracer::set_redact(bool on) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_redact = on;
}

bool Tracer::redacting() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_redact;
}

void Tracer::add_secret(std::string secret) {
  if (secret.empty()) return;
  std::lock_guard<std::mutex> lock(m_mutex);
  if (std::find(m_secrets.begin(), m_secrets.end(), secret) != m_secrets.end()) return;
  m_secrets.push_back(std::move(secret));
  // Longest first, so a secret that contains another is replaced whole.
  std::stable_sort(m_secrets.begin(), m_secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Tracer::redact_locked(std::string text) const {
  if (!m_redact) return text;
  for (const auto& s : m_secrets) replace_all(text, s);
  return text;
}

std::string Tracer::redact(std::string text) const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return redact_locked(std::move(text));
}

Headers Tracer::redact_headers(Headers headers) const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return redact_headers_locked(std::move(headers));
}

Headers Tracer::redact_headers_locked(Headers headers) const {
  if (!m_redact) return headers;
  for (auto& [name, value] : headers) {
    if (is_credential_header(name)) {
      // Keep an Authorization scheme ("Bearer"): which scheme was sent is useful evidence.
      auto space = value.find(' ');
      if (is_auth_header(name) && space != std::string::npos && space > 0) {
        value = value.substr(0, space) + " " + k_redacted;
      } else {
        value = k_redacted;
      }
    } else {
      value = redact_locked(std::move(value));
    }
    name = redact_locked(std::move(name));
  }
  return headers;
}

std::uint64_t Tracer::emit(TraceEvent event) {
  std::lock_guard<std::mutex> lock(m_mutex);
  event.id = m_next_id++;
  event.at_ms = util::monotonic_ms();
  if (m_redact) {
    event.url = redact_locked(std::move(event.url));
    event.headers = redact_headers_locked(std::move(event.headers));
    event.sse_event = redact_locked(std::move(event.sse_event));
    event.sse_id = redact_locked(std::move(event.sse_id));
    event.body = redact_locked(std::move(event.body));
  }
  // Sinks run under the lock so that lines from a reader thread never interleave.
  for (const auto& sink : m_sinks) sink(event);
  return event.id;
}

}  // namespace mcp_probe::transport
