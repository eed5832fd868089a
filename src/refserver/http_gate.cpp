// The HeaderGate (connections wait here, not on a worker, until their header block is whole) and
// the checks a header block passes before anything parses it (RFC 9112 sections 5 and 6.3).

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "refserver/http_internal.h"

namespace mcp_probe::refserver::http {
namespace {

using Clock = std::chrono::steady_clock;

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// A Content-Length value: digits only. nullopt when invalid; SIZE_MAX when too long to matter.
std::optional<std::size_t> parse_length(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (SIZE_MAX - 9) / 10) {
      value = SIZE_MAX;
    } else {
      value = value * 10 + static_cast<std::size_t>(c - '0');
    }
  }
  return value;
}

const char* reason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    default:
      return "Error";
  }
}

}  // namespace

std::size_t head_end(std::string_view bytes) {
  const std::size_t at = bytes.find("\r\n\r\n");
  return at == std::string_view::npos ? at : at + 4;
}

std::string refusal(int status) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason(status) +
         "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

HeadVerdict inspect_head(std::string_view head, std::size_t max_body) {
  HeadVerdict verdict;
  std::size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  // method SP request-target SP HTTP-version
  const std::size_t sp1 = request_line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || !is_token(request_line.substr(0, sp1)) || sp2 == sp1 + 1) {
    verdict.status = 400;
    return verdict;
  }
  // What cpp-httplib would refuse and then parse on from: refused here, and the connection closed.
  if (request_line.size() + 2 >= CPPHTTPLIB_REQUEST_URI_MAX_LENGTH) {
    verdict.status = 414;
    return verdict;
  }
  static constexpr std::string_view k_methods[] = {"GET",     "HEAD",    "POST",  "PUT",   "DELETE",
                                                   "CONNECT", "OPTIONS", "TRACE", "PATCH", "PRI"};
  if (std::find(std::begin(k_methods), std::end(k_methods), request_line.substr(0, sp1)) ==
      std::end(k_methods)) {
    verdict.status = 501;
    return verdict;
  }
  const std::string_view version = request_line.substr(sp2 + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    verdict.status = 400;
    return verdict;
  }
  for (char c : request_line.substr(sp1 + 1, sp2 - sp1 - 1)) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      verdict.status = 400;
      return verdict;
    }
  }
  std::optional<std::size_t> length;
  bool has_length = false;
  std::string codings;  // every Transfer-Encoding value, comma-joined
  bool has_coding = false;
  while (line_end != std::string_view::npos && line_end + 2 < head.size()) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    if (line_end == std::string_view::npos || line_end == start) break;
    const std::string_view line = head.substr(start, line_end - start);
    if (line.size() + 2 >= CPPHTTPLIB_HEADER_MAX_LENGTH) {
      verdict.status = 431;
      return verdict;
    }
    const std::size_t colon = line.find(':');
    // No obs-fold, no whitespace before the colon (RFC 9112 section 5.1 and 5.2).
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
      verdict.status = 400;
      return verdict;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = util::trim(line.substr(colon + 1));
    for (char c : value) {
      if (c == '\r' || c == '\n' || c == '\0') {
        verdict.status = 400;
        return verdict;
      }
    }
    if (util::iequals(name, "content-length")) {
      const auto n = parse_length(value);
      // Two different lengths, or one that is not a number: the framing is unknown.
      if (!n || (has_length && length != n)) {
        verdict.status = 400;
        return verdict;
      }
      has_length = true;
      length = n;
    } else if (util::iequals(name, "transfer-encoding")) {
      if (has_coding) codings += ",";
      codings.append(value);
      has_coding = true;
    }
  }
  if (has_coding) {
    // Both framings, or a final coding other than chunked: 400 and close (RFC 9112 section 6.3).
    std::string last = codings.substr(codings.rfind(',') == std::string::npos ? 0 : codings.rfind(',') + 1);
    if (has_length || !util::iequals(util::trim(last), "chunked") || version == "HTTP/1.0") {
      verdict.status = 400;
      return verdict;
    }
    if (!util::iequals(util::trim(codings), "chunked")) {
      verdict.status = 501;  // gzip etc. under the chunked coding: not decoded here
      return verdict;
    }
    verdict.chunked = true;
    return verdict;
  }
  if (length && *length > max_body) verdict.status = 413;
  return verdict;
}

struct HeaderGate::Entry {
  HeldConnection held;
  Clock::time_point deadline;
};

HeaderGate::HeaderGate(std::chrono::milliseconds idle, std::chrono::milliseconds head, Dispatch dispatch)
    : m_idle(idle), m_head(head), m_dispatch(std::move(dispatch)) {
  if (::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    m_wake[0] = m_wake[1] = -1;
  }
  m_thread = std::thread([this] { loop(); });
}

HeaderGate::~HeaderGate() {
  stop();
  if (m_wake[0] >= 0) ::close(m_wake[0]);
  if (m_wake[1] >= 0) ::close(m_wake[1]);
}

void HeaderGate::add(HeldConnection connection) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_stopped) {
      m_incoming.push_back(std::move(connection));
      connection.fd = -1;
    }
  }
  if (connection.fd >= 0) {
    ::shutdown(connection.fd, SHUT_RDWR);
    ::close(connection.fd);
    return;
  }
  const char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(m_wake[1], &byte, 1);
}

void HeaderGate::stop() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_stopped) return;
    m_stopped = true;
  }
  const char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(m_wake[1], &byte, 1);
  if (m_thread.joinable()) m_thread.join();
}

void HeaderGate::loop() {
  std::vector<Entry> held;
  std::vector<pollfd> fds;
  auto drop = [](Entry& e, bool timed_out) {
    if (timed_out && !e.held.bytes.empty()) {
      const std::string answer = refusal(408);
      [[maybe_unused]] ssize_t n =
          ::send(e.held.fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    ::shutdown(e.held.fd, SHUT_RDWR);
    ::close(e.held.fd);
    e.held.fd = -1;
  };
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (m_stopped) break;
      const auto now = Clock::now();
      for (auto& c : m_incoming) {
        const auto deadline = c.head_started ? *c.head_started + m_head : now + m_idle;
        held.push_back(Entry{std::move(c), deadline});
      }
      m_incoming.clear();
    }
    fds.clear();
    fds.push_back(pollfd{m_wake[0], POLLIN, 0});
    auto next = Clock::now() + std::chrono::seconds(1);
    for (const auto& e : held) {
      fds.push_back(pollfd{e.held.fd, POLLIN, 0});
      next = std::min(next, e.deadline);
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(0, wait) + 1));
    if (ready < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) {
      char sink[64];
      while (::read(m_wake[0], sink, sizeof sink) > 0) {
      }
    }
    const auto now = Clock::now();
    for (std::size_t i = 0; i < held.size(); ++i) {
      Entry& e = held[i];
      if (fds[i + 1].revents != 0) {
        char buf[16 * 1024];
        const ssize_t n = ::recv(e.held.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          drop(e, false);
          continue;
        }
        if (n > 0) {
          if (!e.held.head_started) {
            e.held.head_started = now;
            e.deadline = now + m_head;
          }
          e.held.bytes.append(buf, static_cast<std::size_t>(n));
          if (head_end(e.held.bytes) != std::string::npos || e.held.bytes.size() > k_max_head) {
            m_dispatch(std::move(e.held));
            e.held.fd = -1;
            continue;
          }
        }
      }
      if (now >= e.deadline) drop(e, true);
    }
    held.erase(std::remove_if(held.begin(), held.end(), [](const Entry& e) { return e.held.fd < 0; }),
               held.end());
  }
  for (auto& e : held) drop(e, false);
  std::lock_guard<std::mutex> lock(m_mutex);
  for (auto& c : m_incoming) {
    ::shutdown(c.fd, SHUT_RDWR);
    ::close(c.fd);
  }
  m_incoming.clear();
}

}  // namespace mcp_probe::refserver::http
