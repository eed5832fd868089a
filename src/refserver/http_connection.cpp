// ConnectionServer: the socket side of one HTTP connection, and the plain-POST path that skips
// cpp-httplib's request parsing (see http_internal.h for why). What is read is parsed by
// http_request.cpp (no socket there); here are the reads, the writes and the connection loop.

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

static_assert(k_max_request_line == CPPHTTPLIB_REQUEST_URI_MAX_LENGTH &&
                  k_max_header_line == CPPHTTPLIB_HEADER_MAX_LENGTH,
              "inspect_head refuses what cpp-httplib would refuse and parse on from");

// A header block whose body is at most this long waits for the body and leaves with it.
constexpr std::size_t k_coalesce_max = 256 * 1024;
constexpr int k_stop_check_ms = 100;  // how often an idle connection looks for stop()

// The value of header `name` (lowercase, with the colon) in a response header block; nullopt
// when absent.
std::optional<std::string_view> header_value(std::string_view head, std::string_view name) {
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    std::size_t start = pos + 2;
    std::size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos || end == start) break;
    std::string_view line = head.substr(start, end - start);
    if (line.size() >= name.size() && util::iequals(line.substr(0, name.size()), name)) {
      return util::trim(line.substr(name.size()));
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
// recv, not a poll and a recv, and still notices stop(); the read timeout is counted here, and a
// body's reads end at its deadline. A send gives up after the write timeout (SO_SNDTIMEO).
class SocketConnection final : public httplib::Stream {
 public:
  enum class Wait { ready, closed, too_large, head_timeout, hand_back };

  SocketConnection(int fd, const std::atomic<socket_t>& listening, time_t read_sec, time_t read_usec,
                   time_t write_sec, time_t write_usec, HeldConnection& held)
      : m_fd(fd),
        m_listening(listening),
        m_read_timeout(std::chrono::seconds(read_sec) + std::chrono::microseconds(read_usec)),
        m_buf(std::move(held.bytes)),
        m_end(m_buf.size()),
        m_head_started(held.head_started) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    set_timeout(fd, SO_RCVTIMEO, 0, k_stop_check_ms * 1000);
    set_timeout(fd, SO_SNDTIMEO, write_sec, write_usec);
  }

  bool is_readable() const override {
    if (m_at < m_end) return true;
    pollfd p{m_fd, POLLIN, 0};
    return ::poll(&p, 1,
                  static_cast<int>(
                      std::chrono::duration_cast<std::chrono::milliseconds>(m_read_timeout).count())) > 0;
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
    if (m_at == m_end) {
      const auto deadline = std::min(Clock::now() + m_read_timeout, m_body_deadline);
      if (size >= k_recv_size) return receive(ptr, size, deadline);
      ssize_t n = fill(deadline);
      if (n <= 0) return n;
    }
    std::size_t n = std::min(size, m_end - m_at);
    std::memcpy(ptr, m_buf.data() + m_at, n);
    m_at += n;
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

  // What has been received and not read yet; consume() drops the first `n` bytes of it.
  std::string_view buffered() const { return std::string_view(m_buf.data() + m_at, m_end - m_at); }
  void consume(std::size_t n) { m_at += std::min(n, m_end - m_at); }

  // A response's head and body in one send (sendmsg), copying neither; for the fast path, when
  // nothing is held back.
  bool write_two(std::string_view head, std::string_view body) {
    if (!m_out.empty() || m_hold > 0)
      return write(head.data(), head.size()) >= 0 && write(body.data(), body.size()) >= 0;
    while (!m_broken && !body.empty()) {
      iovec parts[2] = {{const_cast<char*>(head.data()), head.size()},
                        {const_cast<char*>(body.data()), body.size()}};
      msghdr message{};
      message.msg_iov = head.empty() ? parts + 1 : parts;
      message.msg_iovlen = head.empty() ? 1 : 2;
      const ssize_t n = ::sendmsg(m_fd, &message, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        m_broken = true;  // includes EAGAIN: SO_SNDTIMEO passed
        break;
      }
      std::size_t sent = static_cast<std::size_t>(n);
      const std::size_t of_head = std::min(sent, head.size());
      head.remove_prefix(of_head);
      body.remove_prefix(sent - of_head);
    }
    return send_all(head);
  }

  // The fast path's buffer for a response head: kept, with its room, for the connection's next.
  std::string& head_buffer() {
    m_head_out.clear();
    return m_head_out;
  }

  // Sends what is held back (a header block whose body never came, e.g. HEAD).
  bool flush() {
    m_hold = 0;
    if (m_out.empty()) return !m_broken;
    bool ok = send_all(m_out);
    m_out.clear();
    return ok;
  }

  // Waits until the buffer starts with a whole header block: `idle` for its first byte, `head`
  // from its first byte for the rest. hand_back when `pressure` says so while waiting. One clock
  // read per turn (the time the bytes so far had come by), which start_body uses too.
  template <typename Pressure>
  Wait wait_head(std::chrono::milliseconds idle, std::chrono::milliseconds head, Pressure pressure) {
    m_now = Clock::now();
    const auto idle_until = m_now + idle;
    for (;;) {
      while (m_end - m_at >= 2 && m_buf[m_at] == '\r' && m_buf[m_at + 1] == '\n') m_at += 2;
      const std::string_view pending = buffered();
      if (pending.empty()) {
        m_head_started.reset();
      } else if (!m_head_started) {
        m_head_started = m_now;
      }
      m_head_size = head_end(pending);
      if (m_head_size != std::string_view::npos) return Wait::ready;
      if (pending.size() > k_max_head) return Wait::too_large;
      const auto deadline = m_head_started ? *m_head_started + head : idle_until;
      if (m_now >= deadline) return pending.empty() ? Wait::closed : Wait::head_timeout;
      if (m_listening == INVALID_SOCKET) return Wait::closed;
      if (pressure()) return Wait::hand_back;
      // The deadline was just checked: the recv's own first check is not needed.
      const ssize_t n = fill(std::min(deadline, m_now + std::chrono::milliseconds(k_stop_check_ms)), true);
      if (n == 0 || n == -1) return Wait::closed;
      m_now = Clock::now();
    }
  }

  // Right after wait_head said ready: the size of the head block buffered() starts with.
  std::size_t head_size() const { return m_head_size; }

  // The connection as it stands, for the gate; this object no longer reads it.
  HeldConnection release() {
    HeldConnection held;
    held.fd = m_fd;
    held.bytes.assign(buffered());
    if (!held.bytes.empty()) held.head_started = m_head_started;
    return held;
  }

  // Right after wait_head said ready: the body's time counts from when its head had come.
  void start_body(std::chrono::milliseconds timeout) {
    m_body_deadline = m_now + timeout;
    m_failed = false;
  }
  // False when a read of the request failed or timed out: where the next request starts is
  // unknown, so the connection must close.
  bool end_request() {
    m_body_deadline = Clock::time_point::max();
    m_head_started.reset();
    return !m_failed;
  }

  // Sends `refusal(status)` after what is held back, ends the sending side, and drops what the
  // client still sends for a moment (at most `drain` bytes, 1 s, until 200 ms pass without any):
  // a client that writes its whole body before reading then sees the answer instead of a reset.
  // Nothing read here is parsed. The caller closes the connection.
  void refuse(int status, std::size_t drain) {
    flush();
    send_all(refusal(status));
    ::shutdown(m_fd, SHUT_WR);
    const auto until = Clock::now() + std::chrono::seconds(1);
    char sink[16 * 1024];
    for (std::size_t dropped = 0; dropped < drain;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      pollfd p{m_fd, POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 200))) <= 0) break;
      const ssize_t n = ::recv(m_fd, sink, sizeof sink, MSG_DONTWAIT);
      if (n <= 0) break;
      dropped += static_cast<std::size_t>(n);
    }
  }

  // Replaces the chunked request at the start of the buffer (its head is there whole) by the
  // same request framed by Content-Length, decoding at most `max_body` bytes of body. 0 when
  // done, else the status to refuse it with: 413 as soon as the body goes over, 400 when the
  // chunked framing is broken or the body does not come before its deadline.
  int dechunk(std::size_t max_body) {
    const std::size_t head_len = head_end(buffered());
    const std::string head(buffered().substr(0, head_len));
    consume(head_len);
    // Expect: 100-continue is answered here, before the body, and dropped.
    if (expects_continue(head) && !send_all("HTTP/1.1 100 Continue\r\n\r\n")) return 400;
    ChunkedDecoder decoder(max_body);
    for (;;) {
      consume(decoder.feed(buffered()));
      if (decoder.status() != 0) return decoder.status();
      if (decoder.done()) break;
      if (fill(m_body_deadline) <= 0) return 400;
    }
    std::string request = dechunked_request(head, decoder.body());
    request.append(buffered());
    m_buf = std::move(request);
    m_at = 0;
    m_end = m_buf.size();
    return 0;
  }

 private:
  using AddressFn = int (*)(int, sockaddr*, socklen_t*);
  static constexpr std::size_t k_recv_size = 16 * 1024;

  void lookup(bool& done, std::string& ip, int& port, AddressFn fn) const {
    if (done) return;
    done = true;
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (fn(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, ip, port);
  }

  // Appends one recv to the buffer (dropping what was consumed); what receive() returns.
  ssize_t fill(Clock::time_point deadline, bool checked = false) {
    if (m_at == m_end) {
      m_at = m_end = 0;
    } else if (m_at > 0) {
      std::memmove(m_buf.data(), m_buf.data() + m_at, m_end - m_at);
      m_end -= m_at;
      m_at = 0;
    }
    if (m_buf.size() < m_end + k_recv_size) m_buf.resize(m_end + k_recv_size);  // grows, rarely
    const ssize_t n = receive(m_buf.data() + m_end, k_recv_size, deadline, checked);
    if (n > 0) m_end += static_cast<std::size_t>(n);
    return n;
  }

  // recv until data, end of stream, an error (-1), `deadline` or stop() (-2). `checked`: the
  // caller has just found the deadline ahead.
  ssize_t receive(char* ptr, std::size_t size, Clock::time_point deadline, bool checked = false) {
    for (;; checked = false) {
      // Checked first too: a client that trickles never lets the recv time out.
      if (!checked && Clock::now() >= deadline) return failed(-2);
      ssize_t n = ::recv(m_fd, ptr, size, 0);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return failed(-1);
      if (m_listening == INVALID_SOCKET) return failed(-2);
    }
  }

  ssize_t failed(ssize_t result) {
    m_failed = true;
    return result;
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
  std::string m_buf;  // received; m_buf[m_at, m_end) not read yet, the rest room for recv
  std::size_t m_at = 0;
  std::size_t m_end = 0;
  std::optional<Clock::time_point> m_head_started;
  std::size_t m_head_size = 0;  // wait_head's find, so the head is not searched again
  Clock::time_point m_now;      // wait_head's last clock read
  Clock::time_point m_body_deadline = Clock::time_point::max();
  std::string m_out;       // a held header block, then its body
  std::string m_head_out;  // head_buffer()
  std::size_t m_hold = 0;  // body bytes still expected before m_out leaves
  bool m_broken = false;
  bool m_failed = false;  // a read since start_body failed or passed its deadline
  mutable bool m_remote = false;
  mutable bool m_local = false;
  mutable std::string m_remote_ip;
  mutable std::string m_local_ip;
  mutable int m_remote_port = 0;
  mutable int m_local_port = 0;
};

// cpp-httplib's write_content_chunked for a chunked content provider.
bool write_chunked(SocketConnection& conn, httplib::Response& res, const std::atomic<socket_t>& listening) {
  bool ok = true;
  bool more = true;
  std::size_t offset = 0;
  httplib::DataSink sink;
  sink.write = [&](const char* data, std::size_t size) {
    if (!ok) return false;
    more = size > 0;
    offset += size;
    if (size == 0) return true;
    char hex[20];
    const int n = std::snprintf(hex, sizeof hex, "%zx\r\n", size);
    std::string chunk(hex, static_cast<std::size_t>(n));
    chunk.append(data, size).append("\r\n");
    ok = conn.write(chunk.data(), chunk.size()) >= 0;
    return ok;
  };
  sink.done = [&] {
    more = false;
    if (ok) ok = conn.write("0\r\n\r\n", 5) >= 0;
  };
  sink.is_writable = [&] { return ok && conn.is_writable(); };
  while (more && listening != INVALID_SOCKET) {
    if (!conn.is_writable() || !res.content_provider_(offset, 0, sink)) return false;
    if (!ok) return false;
  }
  return ok;
}

// What serve_plain_post needs of the server.
struct PlainPost {
  const std::string& path;
  const httplib::Server::Handler& handler;
  const httplib::Server::Handler& post_routing;
  const httplib::Server::ExceptionHandler& on_exception;
  std::size_t max_body;
  const std::string& keep_alive;  // the Keep-Alive header's value
  const std::atomic<socket_t>& listening;
};

// Serves the plain POST at the start of `conn`'s buffer, the way cpp-httplib's process_request
// would. nullopt when the request is not one (cpp-httplib's turn); else whether the connection
// may go on. `closed` is set when the request asked to close it. `head`: the fields inspect_head
// gave for the buffer's head as it still is, or null (a rewritten chunked request: read again).
std::optional<bool> serve_plain_post(SocketConnection& conn, const PlainPost& route, const HeadFields* head,
                                     std::size_t head_size, bool last, bool& closed) {
  HeadFields reread;
  if (head == nullptr) {
    head_size = plain_head(conn.buffered(), route.max_body, reread);
    if (head_size == 0) return std::nullopt;
    head = &reread;
  }
  ParsedRequest parsed;
  const std::size_t used =
      parse_plain_post(conn.buffered(), head_size, *head, route.path, route.max_body, parsed);
  closed = closed || parsed.close;
  if (used == 0) return std::nullopt;
  // The fields are views of the buffer, which nothing changes before this function returns.
  PlainRequest plain(std::move(parsed), *head);
  httplib::Request& req = plain.get();
  conn.get_remote_ip_and_port(req.remote_addr, req.remote_port);
  PlainResponse plain_response;
  httplib::Response& res = plain_response.get();
  try {
    route.handler(req, res);
  } catch (...) {
    if (route.on_exception) {
      route.on_exception(req, res, std::current_exception());
    } else {
      res.status = 500;
    }
  }
  if (res.status == -1) res.status = 200;
  // The fault's body stays in the buffer and is parsed as the start of the next request.
  const bool leave_body = has_header(res, k_leave_body_unread);
  if (leave_body) erase_header(res, k_leave_body_unread);
  conn.consume(leave_body ? used - req.body.size() : used);
  const bool chunked = res.content_provider_ && res.is_chunked_content_provider_;
  if (res.content_provider_ && !chunked) {
    // Not something the routes do; refuse rather than write it wrongly.
    res = httplib::Response();
    plain_response.clear();
    res.status = 500;
  }
  if (!has_header(res, "Content-Type") && (!res.body.empty() || chunked))
    add_constant_header(res, "Content-Type", "text/plain");
  if (route.post_routing) route.post_routing(req, res);
  // The framing headers go straight into the head: the routes set none of them but a
  // Content-Length of their own (kept), and post_routing looks at none.
  std::string& out = conn.head_buffer();
  out.append("HTTP/1.1 ").append(std::to_string(res.status)).append(" ").append(reason_phrase(res.status));
  out.append("\r\n");
  for (const auto& [name, value] : plain_response) out.append(name).append(": ").append(value).append("\r\n");
  for (const auto& [name, value] : res.headers) out.append(name).append(": ").append(value).append("\r\n");
  if (chunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  } else if (!has_header(res, "Content-Length")) {
    out.append("Content-Length: ").append(std::to_string(res.body.size())).append("\r\n");
  }
  if (last || closed) {
    out.append("Connection: close\r\n");
  } else {
    out.append("Keep-Alive: ").append(route.keep_alive).append("\r\n");
  }
  out.append("\r\n");
  if (!chunked) return conn.write_two(out, res.body);
  if (conn.write(out.data(), out.size()) < 0) return false;
  res.content_provider_success_ = write_chunked(conn, res, route.listening);
  return res.content_provider_success_;
}

}  // namespace

namespace {
thread_local const PlainRequest* t_plain = nullptr;
}  // namespace

PlainRequest::PlainRequest(ParsedRequest parsed, const HeadFields& fields)
    : m_fields(fields), m_outer(t_plain) {
  m_request.method = std::move(parsed.method);
  m_request.version = std::move(parsed.version);
  m_request.target = std::move(parsed.target);
  m_request.path = m_request.target;
  m_request.body = std::move(parsed.body);
  t_plain = this;
}

PlainRequest::~PlainRequest() { t_plain = m_outer; }

std::optional<std::string_view> PlainRequest::header(std::string_view name) const {
  if (const HeadField* field = first_named(m_fields, name)) return field->value;
  return std::nullopt;
}

namespace {
thread_local PlainResponse* t_plain_response = nullptr;
}  // namespace

PlainResponse::PlainResponse() : m_outer(t_plain_response) {
  m_response.version = "HTTP/1.1";
  t_plain_response = this;
}

PlainResponse::~PlainResponse() { t_plain_response = m_outer; }

PlainResponse* PlainResponse::of(const httplib::Response& res) {
  for (PlainResponse* plain = t_plain_response; plain != nullptr; plain = plain->m_outer) {
    if (&plain->m_response == &res) return plain;
  }
  return nullptr;
}

bool PlainResponse::add(std::string_view name, std::string_view value, bool copy_value) {
  if (m_count == std::size(m_fields)) return false;
  if (copy_value) {
    if (value.size() > sizeof m_text - m_text_used) return false;
    char* at = m_text + m_text_used;
    std::copy(value.begin(), value.end(), at);
    m_text_used += value.size();
    value = std::string_view(at, value.size());
  }
  m_fields[m_count++] = Field{name, value};
  return true;
}

bool PlainResponse::has(std::string_view name) const { return first_named(*this, name) != nullptr; }

void PlainResponse::erase(std::string_view name) {
  // The copied values' space is not reclaimed: a response erases a field or two at most.
  Field* kept = std::remove_if(m_fields, m_fields + m_count,
                               [&](const Field& f) { return util::iequals(f.name, name); });
  m_count = static_cast<std::size_t>(kept - m_fields);
}

const PlainRequest* PlainRequest::of(const httplib::Request& req) {
  for (const PlainRequest* plain = t_plain; plain != nullptr; plain = plain->m_outer) {
    if (&plain->m_request == &req) return plain;
  }
  return nullptr;
}

// httplib's task queue: runs each accepted socket's task at once on the accept thread, where it
// only hands the socket to the gate; the gate gives whole requests to the workers.
class ConnectionServer::Queue final : public httplib::TaskQueue {
 public:
  explicit Queue(ConnectionServer& server)
      : m_server(server),
        m_workers(server.m_worker_count),
        m_gate(std::chrono::seconds(server.keep_alive_timeout_sec_), server.m_head_timeout,
               [this](HeldConnection held) { dispatch(std::move(held)); }) {
    m_server.m_queue = this;
  }

  void enqueue(std::function<void()> fn) override { fn(); }

  void shutdown() override {
    m_gate.stop();
    m_workers.shutdown();
    m_server.m_queue = nullptr;
  }

  HeaderGate& gate() { return m_gate; }

 private:
  void dispatch(HeldConnection held) {
    m_workers.enqueue([this, held = std::move(held)]() mutable { m_server.serve(std::move(held)); });
  }

  ConnectionServer& m_server;
  httplib::ThreadPool m_workers;
  HeaderGate m_gate;
};

ConnectionServer::ConnectionServer() {
  new_task_queue = [this] { return new Queue(*this); };
}

bool ConnectionServer::widen_backlog() { return ::listen(svr_sock_, SOMAXCONN) == 0; }

void ConnectionServer::set_fast_post(std::string path, Handler handler, Handler post_routing,
                                     ExceptionHandler on_exception) {
  m_fast_path = std::move(path);
  m_fast_handler = std::move(handler);
  m_post_routing = std::move(post_routing);
  m_on_exception = std::move(on_exception);
}

bool ConnectionServer::process_and_close_socket(socket_t sock) {
  hand_back(HeldConnection{sock, {}, std::nullopt});
  return true;
}

void ConnectionServer::hand_back(HeldConnection held) {
  if (Queue* queue = m_queue.load()) {
    queue->gate().add(std::move(held));
    return;
  }
  ::shutdown(held.fd, SHUT_RDWR);
  ::close(held.fd);
}

// Fewer than a quarter of the workers free: a keep-alive connection waits in the gate instead.
bool ConnectionServer::under_pressure() const { return m_busy.load() * 4 >= m_worker_count * 3; }

void ConnectionServer::serve(HeldConnection held) {
  ++m_busy;
  const int sock = held.fd;
  bool handed_back = false;
  {
    SocketConnection conn(sock, svr_sock_, read_timeout_sec_, read_timeout_usec_, write_timeout_sec_,
                          write_timeout_usec_, held);
    const std::chrono::milliseconds idle = std::chrono::seconds(keep_alive_timeout_sec_);
    const std::size_t drain = payload_max_length_ + (1 << 20);
    // The fast path's Keep-Alive value, formatted once per connection rather than per request.
    const std::string keep_alive = "timeout=" + std::to_string(keep_alive_timeout_sec_) +
                                   ", max=" + std::to_string(keep_alive_max_count_);
    HeadFields fields;  // each request's, kept for the connection's next ones (no allocation)
    for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
      using Wait = SocketConnection::Wait;
      const Wait wait = conn.wait_head(idle, m_head_timeout, [this] { return under_pressure(); });
      if (wait == Wait::hand_back) {
        hand_back(conn.release());
        handed_back = true;
        break;
      }
      if (wait != Wait::ready) {
        if (wait == Wait::too_large) conn.refuse(431, drain);
        if (wait == Wait::head_timeout) conn.refuse(408, drain);
        break;
      }
      const std::string_view pending = conn.buffered();
      const std::size_t head_size = conn.head_size();
      const HeadVerdict verdict = inspect_head(pending.substr(0, head_size), payload_max_length_, &fields);
      if (verdict.status != 0) {
        conn.refuse(verdict.status, drain);  // nothing after the head is parsed
        break;
      }
      conn.start_body(m_body_timeout);
      if (verdict.chunked) {
        if (const int status = conn.dechunk(payload_max_length_); status != 0) {
          conn.refuse(status, drain);
          break;
        }
      }
      bool closed = false;
      std::optional<bool> plain;
      if (m_fast_handler) {
        const PlainPost route{m_fast_path,         m_fast_handler, m_post_routing, m_on_exception,
                              payload_max_length_, keep_alive,     svr_sock_};
        // Nothing has changed the buffer since inspect_head, unless the body was dechunked.
        plain =
            serve_plain_post(conn, route, verdict.chunked ? nullptr : &fields, head_size, left == 1, closed);
      }
      bool ok = plain ? *plain : process_request(conn, left == 1, closed, nullptr);
      if (!conn.end_request()) ok = false;
      if (!conn.flush()) ok = false;
      if (!ok || closed) break;
    }
  }
  if (!handed_back) {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }
  --m_busy;
}

}  // namespace mcp_probe::refserver::http
