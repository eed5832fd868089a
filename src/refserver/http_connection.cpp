// ConnectionServer: the socket side of one HTTP connection (see http_internal.h for why).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string_view>

#include "refserver/http_internal.h"

namespace mcp_probe::refserver::http {
namespace {

using Clock = std::chrono::steady_clock;

// A header block whose body is at most this long waits for the body and leaves with it.
constexpr std::size_t k_coalesce_max = 256 * 1024;
constexpr int k_stop_check_ms = 100;  // how often an idle connection looks for stop()

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The value of header `name` (lowercase, with the colon) in a response header block; nullopt
// when absent.
std::optional<std::string_view> header_value(std::string_view head, std::string_view name) {
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    std::size_t start = pos + 2;
    std::size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos || end == start) break;
    std::string_view line = head.substr(start, end - start);
    if (line.size() >= name.size() && iequals(line.substr(0, name.size()), name)) {
      std::string_view value = line.substr(name.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      return value;
    }
    pos = end;
  }
  return std::nullopt;
}

// The Content-Length of a header block if it is at most k_coalesce_max, else 0 (none, chunked,
// unreadable or too long to hold back).
std::size_t content_length(std::string_view head) {
  auto text = header_value(head, "content-length:");
  if (!text || text->empty() || text->size() > 7) return 0;
  std::size_t value = 0;
  for (char c : *text) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return value <= k_coalesce_max ? value : 0;
}

void set_timeout(int fd, int option, time_t sec, time_t usec) {
  timeval tv{};
  tv.tv_sec = sec;
  tv.tv_usec = static_cast<suseconds_t>(usec);
  ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(addr);
    ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
    port = ntohs(in.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    port = ntohs(in6.sin6_port);
  }
  ip = text;
}

// One accepted socket as an httplib::Stream. Blocking socket with kernel timeouts: a recv
// returns after at most k_stop_check_ms (SO_RCVTIMEO), so waiting for the next request is one
// recv, not a poll and a recv, and still notices stop(); the read timeout is counted here. A
// send gives up after the write timeout (SO_SNDTIMEO).
class SocketConnection final : public httplib::Stream {
 public:
  SocketConnection(int fd, const std::atomic<socket_t>& listening, time_t read_sec, time_t read_usec,
                   time_t write_sec, time_t write_usec)
      : m_fd(fd),
        m_listening(listening),
        m_read_timeout(std::chrono::seconds(read_sec) + std::chrono::microseconds(read_usec)) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    set_timeout(fd, SO_RCVTIMEO, 0, k_stop_check_ms * 1000);
    set_timeout(fd, SO_SNDTIMEO, write_sec, write_usec);
  }

  bool is_readable() const override {
    if (m_in_begin < m_in_end) return true;
    pollfd p{m_fd, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(m_read_timeout).count())) > 0;
  }

  // Whether the client is still there: httplib asks before each turn of a chunked body.
  bool is_writable() const override {
    if (m_broken) return false;
    pollfd p{m_fd, POLLIN, 0};
    int ready = ::poll(&p, 1, 0);
    if (ready <= 0) return ready == 0;
    char byte;
    return ::recv(m_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
  }

  ssize_t read(char* ptr, std::size_t size) override {
    if (m_in_begin == m_in_end) {
      const auto deadline = Clock::now() + m_read_timeout;
      if (size >= sizeof m_in) return receive(ptr, size, deadline);
      ssize_t n = receive(m_in, sizeof m_in, deadline);
      if (n <= 0) return n;
      m_in_begin = 0;
      m_in_end = static_cast<std::size_t>(n);
    }
    std::size_t n = std::min(size, m_in_end - m_in_begin);
    std::memcpy(ptr, m_in + m_in_begin, n);
    m_in_begin += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, std::size_t size) override {
    std::string_view data(ptr, size);
    if (m_hold > 0) {
      // The body of a held header block.
      m_out.append(data);
      m_hold -= std::min(m_hold, size);
      if (m_hold == 0 && !flush()) return -1;
      return static_cast<ssize_t>(size);
    }
    if (m_out.empty() && data.rfind("HTTP/", 0) == 0 && data.size() >= 4 &&
        data.substr(data.size() - 4) == "\r\n\r\n") {
      if (std::size_t length = content_length(data); length > 0) {
        m_out.assign(data);
        m_hold = length;
        return static_cast<ssize_t>(size);
      }
    }
    if (!m_out.empty()) {
      m_out.append(data);
      return flush() ? static_cast<ssize_t>(size) : -1;
    }
    return send_all(data) ? static_cast<ssize_t>(size) : -1;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    lookup(m_remote, m_remote_ip, m_remote_port, ::getpeername);
    ip = m_remote_ip;
    port = m_remote_port;
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    lookup(m_local, m_local_ip, m_local_port, ::getsockname);
    ip = m_local_ip;
    port = m_local_port;
  }

  socket_t socket() const override { return m_fd; }

  // Sends what is held back (a header block whose body never came, e.g. HEAD).
  bool flush() {
    m_hold = 0;
    if (m_out.empty()) return !m_broken;
    bool ok = send_all(m_out);
    m_out.clear();
    return ok;
  }

  // Waits up to `timeout` for the next request. False on timeout, on a socket error, or when
  // the server stopped (its listening socket is gone).
  bool wait_request(std::chrono::seconds timeout) {
    if (m_in_begin < m_in_end) return true;
    ssize_t n = receive(m_in, sizeof m_in, Clock::now() + timeout);
    if (n <= 0) return false;  // closed, failed, timed out or stopped
    m_in_begin = 0;
    m_in_end = static_cast<std::size_t>(n);
    return true;
  }

 private:
  using AddressFn = int (*)(int, sockaddr*, socklen_t*);

  void lookup(bool& done, std::string& ip, int& port, AddressFn fn) const {
    if (done) return;
    done = true;
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (fn(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
  }

  // recv until data, end of stream, an error, `deadline`, or stop(); -1 for the last two.
  ssize_t receive(char* ptr, std::size_t size, Clock::time_point deadline) {
    for (;;) {
      ssize_t n = ::recv(m_fd, ptr, size, 0);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (m_listening == INVALID_SOCKET || Clock::now() >= deadline) return -1;
    }
  }

  bool send_all(std::string_view data) {
    while (!data.empty() && !m_broken) {
      ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        m_broken = true;  // includes EAGAIN: SO_SNDTIMEO passed
        break;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return !m_broken;
  }

  const int m_fd;
  const std::atomic<socket_t>& m_listening;  // INVALID_SOCKET once the server stopped
  const std::chrono::microseconds m_read_timeout;
  char m_in[16 * 1024];
  std::size_t m_in_begin = 0;
  std::size_t m_in_end = 0;
  std::string m_out;       // a held header block, then its body
  std::size_t m_hold = 0;  // body bytes still expected before m_out leaves
  bool m_broken = false;
  mutable bool m_remote = false;
  mutable bool m_local = false;
  mutable std::string m_remote_ip;
  mutable std::string m_local_ip;
  mutable int m_remote_port = 0;
  mutable int m_local_port = 0;
};

}  // namespace

bool ConnectionServer::process_and_close_socket(socket_t sock) {
  bool ret = false;
  {
    SocketConnection conn(sock, svr_sock_, read_timeout_sec_, read_timeout_usec_, write_timeout_sec_,
                          write_timeout_usec_);
    for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
      if (!conn.wait_request(std::chrono::seconds(keep_alive_timeout_sec_))) break;
      bool closed = false;
      ret = process_request(conn, left == 1, closed, nullptr);
      if (!conn.flush()) ret = false;
      if (!ret || closed) break;
    }
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace mcp_probe::refserver::http
