// Over 400 lines because it is one unit: the URL subset, the request bytes, the response parser
// and the socket loop of the native HTTP/1.1 client, all private to http_client.cpp.
#include "transport/http_native.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

#include "mcp_probe/util/fd.h"
#include "mcp_probe/util/interrupt.h"
#include "mcp_probe/util/strings.h"

namespace mcp_probe::transport::native {

namespace {

// Bounds that turn a hostile or broken server into an error instead of unbounded memory.
constexpr std::size_t k_max_header_bytes = 256u * 1024u;  // one response's header blocks, trailers too
constexpr std::size_t k_max_chunk_line = 4096;
constexpr std::size_t k_max_idle = 8;  // idle connections kept per thread

using util::trim;

std::string_view without_line_end(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Calls f(token) for each comma-separated token of a header value, trimmed.
template <typename F>
void for_each_token(std::string_view value, F f) {
  while (!value.empty()) {
    auto comma = value.find(',');
    f(trim(value.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

bool valid_host(std::string_view host, bool bracketed) {
  if (host.empty()) return false;
  return std::all_of(host.begin(), host.end(), [&](char c) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return alnum || c == '.' || c == '-' || (bracketed ? c == ':' : c == '_');
  });
}

}  // namespace

std::optional<Url> parse_http_url(std::string_view text) {
  constexpr std::string_view scheme = "http://";
  if (text.size() < scheme.size() || !iequals(text.substr(0, scheme.size()), scheme)) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
    return std::nullopt;
  std::string_view rest = text.substr(scheme.size());
  rest = rest.substr(0, rest.find('#'));
  auto authority_end = std::min(rest.find_first_of("/?"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;

  Url url;
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') return std::nullopt;
    if (!after.empty()) port_text = after.substr(1);
    if (!valid_host(url.host, true)) return std::nullopt;
  } else {
    auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (!valid_host(url.host, false)) return std::nullopt;
  }
  if (!port_text.empty()) {
    if (!is_digits(port_text) || port_text.size() > 5) return std::nullopt;
    url.port = std::stoi(std::string(port_text));
    if (url.port < 1 || url.port > 65535) return std::nullopt;
  }
  url.authority = std::string(authority);
  std::string_view target = rest.substr(authority_end);
  url.target = target.empty() || target[0] == '?' ? "/" + std::string(target) : std::string(target);
  url.normalized = "http://" + url.authority + url.target;
  return url;
}

std::string format_request(const std::string& method, const Url& url, const Headers& headers,
                           std::string_view body, bool send_body) {
  std::string out;
  out.reserve(256 + body.size());
  out.append(method).append(" ").append(url.target).append(" HTTP/1.1\r\n");
  if (!find_header(headers, "host")) out.append("Host: ").append(url.authority).append("\r\n");
  for (const auto& [name, value] : headers) {
    if (trim(value).empty()) continue;  // curl reads "Name:" as "do not send Name"
    out.append(name).append(": ").append(value).append("\r\n");
  }
  if (send_body && !find_header(headers, "content-length")) {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n");
  if (send_body) out.append(body);
  return out;
}

// ---- ResponseParser ----

ResponseParser::ResponseParser(Sink& sink, bool head_request) : m_sink(sink), m_head_request(head_request) {}

void ResponseParser::fail(int code, std::string error) {
  m_state = State::failed;
  m_code = code;
  m_error = std::move(error);
}

bool ResponseParser::reusable() const {
  return m_state == State::done && m_mode != Mode::close && !m_close && !m_extra &&
         (!m_http10 || m_keep_alive_token);
}

ResponseParser::State ResponseParser::feed(std::string_view bytes) {
  m_received += bytes.size();
  while (!bytes.empty() && (m_state == State::headers || m_state == State::body)) {
    State before = m_state;
    std::size_t used = m_state == State::headers ? consume_headers(bytes) : consume_body(bytes);
    bytes.remove_prefix(used);
    if (used == 0 && m_state == before) break;  // cannot happen; never spin
  }
  if (!bytes.empty() && m_state == State::done) m_extra = true;
  return m_state;
}

ResponseParser::State ResponseParser::eof() {
  m_close = true;
  if (m_state == State::headers) {
    if (m_received == 0) {
      fail(CURLE_GOT_NOTHING, "Empty reply from server");
    } else {
      fail(CURLE_RECV_ERROR, "server closed the connection in the middle of the response headers");
    }
  } else if (m_state == State::body) {
    if (m_mode == Mode::close) {
      m_state = State::done;
    } else if (m_mode == Mode::length) {
      fail(CURLE_PARTIAL_FILE,
           "transfer closed with " + std::to_string(m_remaining) + " bytes remaining to read");
    } else {
      fail(CURLE_PARTIAL_FILE, "transfer closed with outstanding read data remaining");
    }
  }
  return m_state;
}

std::size_t ResponseParser::consume_headers(std::string_view bytes) {
  auto nl = bytes.find('\n');
  std::size_t used = nl == std::string_view::npos ? bytes.size() : nl + 1;
  m_header_bytes += used;
  if (m_header_bytes > k_max_header_bytes) {
    fail(CURLE_WEIRD_SERVER_REPLY,
         "response headers larger than " + std::to_string(k_max_header_bytes) + " bytes");
    return used;
  }
  m_line.append(bytes.substr(0, used));
  // Fail at once on a reply that is not HTTP at all, rather than waiting for a line end.
  if (!m_status_seen) {
    std::string_view prefix = std::string_view(m_line).substr(0, 5);
    if (std::string_view("HTTP/").substr(0, prefix.size()) != prefix) {
      fail(CURLE_WEIRD_SERVER_REPLY, "Received HTTP/0.9 when not allowed");
      return used;
    }
  }
  if (nl != std::string_view::npos) {
    header_line_done();
    m_line.clear();
  }
  return used;
}

void ResponseParser::header_line_done() {
  std::string_view line = m_line;
  std::string_view content = without_line_end(line);
  if (!m_status_seen) {
    // "HTTP/1.1 200 OK"; the reason phrase is optional.
    std::string_view version = content.substr(0, content.find(' '));
    std::string_view status = content.substr(std::min(content.size(), version.size() + 1), 4);
    if (status.size() == 4 && status[3] == ' ') status.remove_suffix(1);
    if ((version != "HTTP/1.1" && version != "HTTP/1.0") || status.size() != 3 || !is_digits(status)) {
      fail(CURLE_WEIRD_SERVER_REPLY, "Unsupported HTTP version or malformed status line in response: '" +
                                         std::string(content.substr(0, 80)) + "'");
      return;
    }
    m_status_seen = true;
    m_status = std::stoi(std::string(status));
    m_http10 = version == "HTTP/1.0";
    m_close = m_keep_alive_token = m_chunked = false;
    m_content_length.reset();
    m_sink.header_line(line);
    return;
  }
  if (content.empty()) {
    m_sink.header_line(line);
    if (m_status < 200) {
      m_status_seen = false;  // an interim response: the final one follows
    } else {
      start_body();
    }
    return;
  }
  auto colon = content.find(':');
  if (colon == std::string_view::npos && content[0] != ' ' && content[0] != '\t') {
    fail(CURLE_WEIRD_SERVER_REPLY,
         "header line without a colon: '" + std::string(content.substr(0, 80)) + "'");
    return;
  }
  if (colon != std::string_view::npos) {
    std::string_view name = content.substr(0, colon);
    std::string_view value = trim(content.substr(colon + 1));
    if (iequals(name, "content-length")) {
      if (!is_digits(value) || value.size() > 18) {
        fail(CURLE_WEIRD_SERVER_REPLY, "invalid Content-Length: '" + std::string(value.substr(0, 40)) + "'");
        return;
      }
      std::uint64_t length = std::stoull(std::string(value));
      if (m_content_length && *m_content_length != length) {
        fail(CURLE_WEIRD_SERVER_REPLY, "conflicting Content-Length headers");
        return;
      }
      m_content_length = length;
    } else if (iequals(name, "transfer-encoding")) {
      // Only a final "chunked" frames the body; any other coding runs until close.
      for_each_token(value, [&](std::string_view t) { m_chunked = iequals(t, "chunked"); });
    } else if (iequals(name, "connection")) {
      for_each_token(value, [&](std::string_view t) {
        if (iequals(t, "close")) m_close = true;
        if (iequals(t, "keep-alive")) m_keep_alive_token = true;
      });
    }
  }
  m_sink.header_line(line);
}

void ResponseParser::start_body() {
  m_state = State::body;
  if (m_head_request || m_status == 204 || m_status == 304) {
    m_mode = Mode::none;
    m_state = State::done;
  } else if (m_chunked) {
    m_mode = Mode::chunked;
    m_chunk = Chunk::size;
  } else if (m_content_length) {
    m_mode = Mode::length;
    m_remaining = *m_content_length;
    if (m_remaining == 0) m_state = State::done;
  } else {
    m_mode = Mode::close;
  }
}

bool ResponseParser::deliver(std::string_view chunk) {
  if (chunk.empty()) return true;
  m_body_bytes += chunk.size();
  if (m_sink.body(chunk)) return true;
  m_state = State::aborted;
  return false;
}

std::size_t ResponseParser::consume_body(std::string_view bytes) {
  if (m_mode == Mode::chunked) return consume_chunked(bytes);
  if (m_mode == Mode::close) {
    deliver(bytes);
    return bytes.size();
  }
  auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_remaining, bytes.size()));
  m_remaining -= n;
  if (deliver(bytes.substr(0, n)) && m_remaining == 0) m_state = State::done;
  return n;
}

std::size_t ResponseParser::consume_chunked(std::string_view bytes) {
  if (m_chunk == Chunk::data) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_remaining, bytes.size()));
    m_remaining -= n;
    if (deliver(bytes.substr(0, n)) && m_remaining == 0) m_chunk = Chunk::data_end;
    return n;
  }
  // The other states read one line: a chunk size, the CRLF after a chunk's data, or a trailer.
  auto nl = bytes.find('\n');
  std::size_t used = nl == std::string_view::npos ? bytes.size() : nl + 1;
  m_line.append(bytes.substr(0, used));
  if (m_chunk == Chunk::trailers) m_header_bytes += used;
  if (m_line.size() > k_max_chunk_line && m_chunk != Chunk::trailers) {
    fail(CURLE_WEIRD_SERVER_REPLY,
         "chunked encoding: a chunk-size line longer than " + std::to_string(k_max_chunk_line) + " bytes");
    return used;
  }
  if (m_header_bytes > k_max_header_bytes) {
    fail(CURLE_WEIRD_SERVER_REPLY,
         "chunked encoding: trailers larger than " + std::to_string(k_max_header_bytes) + " bytes");
    return used;
  }
  if (nl == std::string_view::npos) return used;
  std::string line = std::move(m_line);
  m_line.clear();
  std::string_view content = without_line_end(line);
  switch (m_chunk) {
    case Chunk::size:
      if (chunk_size_line(content)) m_chunk = m_remaining == 0 ? Chunk::trailers : Chunk::data;
      break;
    case Chunk::data_end:
      if (!content.empty()) {
        fail(CURLE_WEIRD_SERVER_REPLY, "chunked encoding: chunk data longer than its declared size");
      } else {
        m_chunk = Chunk::size;
      }
      break;
    case Chunk::trailers:
      // Trailer fields go where curl puts them: to the header callback.
      m_sink.header_line(line);
      if (content.empty()) m_state = State::done;
      break;
    case Chunk::data:
      break;
  }
  return used;
}

// "1a2b", optionally followed by whitespace and ";extensions" (ignored).
bool ResponseParser::chunk_size_line(std::string_view line) {
  std::uint64_t size = 0;
  std::size_t i = 0;
  for (; i < line.size() && hex_value(line[i]) >= 0; ++i) {
    if (i == 16) {
      fail(CURLE_WEIRD_SERVER_REPLY, "chunked encoding: chunk size too large");
      return false;
    }
    size = size * 16 + static_cast<std::uint64_t>(hex_value(line[i]));
  }
  std::string_view after = trim(line.substr(i));
  if (i == 0 || (!after.empty() && after[0] != ';')) {
    fail(CURLE_WEIRD_SERVER_REPLY,
         "chunked encoding: invalid chunk size line '" + std::string(line.substr(0, 40)) + "'");
    return false;
  }
  m_remaining = size;
  return true;
}

// ---- connections ----

namespace {

struct IdleConnection {
  std::string key;
  util::UniqueFd fd;
};

// Per thread, like the curl path's connection cache: requests of one thread are sequential, so a
// connection is never shared, and a thread's sockets close when it exits.
std::vector<IdleConnection>& idle_connections() {
  thread_local std::vector<IdleConnection> idle;
  return idle;
}

std::string connection_key(const Url& url) {
  std::string host = url.host;
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  return host + ":" + std::to_string(url.port);
}

// Newest first. An idle connection with anything to read is unusable: the server closed it
// (EOF, reset) or sent bytes nobody asked for.
util::UniqueFd take_idle(const std::string& key) {
  auto& idle = idle_connections();
  for (auto i = idle.size(); i-- > 0;) {
    if (idle[i].key != key) continue;
    util::UniqueFd fd = std::move(idle[i].fd);
    idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(i));
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 0) == 0) return fd;
  }
  return {};
}

void put_idle(std::string key, util::UniqueFd fd) {
  auto& idle = idle_connections();
  if (idle.size() >= k_max_idle) idle.erase(idle.begin());
  idle.push_back({std::move(key), std::move(fd)});
}

std::string milliseconds_since(double start_ms) {
  return std::to_string(static_cast<long long>(util::monotonic_ms() - start_ms));
}

enum class Wait { ready, timeout, cancelled };

// Waits for `events` on fd, the cancel fd, the deadline or util::monotonic_ms() reaching
// `until_ms` (0: not used), whichever comes first.
Wait wait_for(int fd, short events, util::Deadline deadline, double until_ms, const Exchange& x) {
  for (;;) {
    if (x.cancel && x.cancel->cancelled()) return Wait::cancelled;
    if (util::interrupt_requested()) return Wait::timeout;  // Ctrl-C: give up as at the deadline
    int timeout = deadline.at() == util::Clock::time_point::max() ? -1 : deadline.remaining_ms();
    if (until_ms > 0) {
      int until = std::max(0, static_cast<int>(std::ceil(until_ms - util::monotonic_ms())));
      timeout = timeout < 0 ? until : std::min(timeout, until);
    }
    if (timeout == 0) return Wait::timeout;
    // Without a wake-up fd (eventfd failed) a cancel is noticed by polling the flag.
    if (x.cancel && x.cancel_fd < 0) timeout = timeout < 0 ? 50 : std::min(timeout, 50);
    // The cancel fd (or a placeholder poll ignores) and the Ctrl-C eventfd wake the wait.
    std::array<pollfd, 3> p{{{fd, events, 0}, {x.cancel_fd, POLLIN, 0}, {util::interrupt_fd(), POLLIN, 0}}};
    int n = ::poll(p.data(), 3, timeout);
    if (n < 0 && errno != EINTR) return Wait::ready;  // let the next syscall report the error
    if (n > 0 && p[0].revents != 0) return Wait::ready;
    if (n == 0 && deadline.expired()) return Wait::timeout;
    if (n == 0 && until_ms > 0 && util::monotonic_ms() >= until_ms) return Wait::timeout;
  }
}

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
};

// IP literals and "localhost" are answered here, so the common case never reads resolver
// configuration or asks a DNS server. Other names go through getaddrinfo (blocking; the
// resolver has its own timeouts).
bool resolve(const Url& url, std::vector<Address>& out, Outcome& error) {
  auto v4 = [&](const char* text) {
    Address a;
    auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<std::uint16_t>(url.port));
    if (::inet_pton(AF_INET, text, &sin->sin_addr) != 1) return false;
    a.length = sizeof(sockaddr_in);
    out.push_back(a);
    return true;
  };
  auto v6 = [&](const char* text) {
    Address a;
    a.family = AF_INET6;
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<std::uint16_t>(url.port));
    if (::inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1) return false;
    a.length = sizeof(sockaddr_in6);
    out.push_back(a);
    return true;
  };
  if (v4(url.host.c_str()) || v6(url.host.c_str())) return true;
  if (iequals(url.host, "localhost")) return v4("127.0.0.1") && v6("::1");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(url.port);
  if (::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
    error.code = CURLE_COULDNT_RESOLVE_HOST;
    error.errbuf = "Could not resolve host: " + url.host;
    return false;
  }
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    Address a;
    std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
    a.length = ai->ai_addrlen;
    a.family = ai->ai_family;
    out.push_back(a);
  }
  ::freeaddrinfo(found);
  return true;
}

// Tries each address in turn with a non-blocking connect bounded by connect_timeout and the
// request deadline.
Outcome connect_to(const Exchange& x, double start_ms, util::UniqueFd& out) {
  Outcome result;
  std::vector<Address> addresses;
  if (!resolve(*x.url, addresses, result)) return result;
  util::Deadline deadline = x.deadline.min(util::Deadline::after(x.connect_timeout));
  int last_errno = ECONNREFUSED;
  for (const auto& a : addresses) {
    util::UniqueFd fd(::socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
      last_errno = errno;
      continue;
    }
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a.storage), a.length);
    if (rc != 0 && errno != EINPROGRESS) {
      last_errno = errno;
      continue;
    }
    if (rc != 0) {
      Wait w = wait_for(fd.get(), POLLOUT, deadline, 0, x);
      if (w == Wait::cancelled) return Outcome{0, "", 0, true};
      if (w == Wait::timeout) {
        return Outcome{CURLE_OPERATION_TIMEDOUT,
                       "Connection timed out after " + milliseconds_since(start_ms) + " milliseconds"};
      }
      int error = 0;
      socklen_t len = sizeof error;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len);
      if (error != 0) {
        last_errno = error;
        continue;
      }
    }
    out = std::move(fd);
    return result;
  }
  result.code = CURLE_COULDNT_CONNECT;
  result.os_errno = last_errno;
  result.errbuf = "Failed to connect to " + x.url->host + " port " + std::to_string(x.url->port) + ": " +
                  std::strerror(last_errno);
  return result;
}

// Sends the whole request. Stops early, successfully, when the server starts answering before
// it has read everything (an early error status); `early` then says so.
Outcome send_request(int fd, const Exchange& x, double start_ms, bool& early) {
  std::string_view rest = x.request;
  while (!rest.empty()) {
    ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n > 0) {
      rest.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      return Outcome{CURLE_SEND_ERROR, std::string("Send failure: ") + std::strerror(errno)};
    }
    Wait w = wait_for(fd, POLLOUT | POLLIN, x.deadline, 0, x);
    if (w == Wait::cancelled) return Outcome{0, "", 0, true};
    if (w == Wait::timeout) {
      return Outcome{CURLE_OPERATION_TIMEDOUT, "Operation timed out after " + milliseconds_since(start_ms) +
                                                   " milliseconds with 0 bytes received"};
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
      early = true;
      return {};
    }
  }
  return {};
}

Outcome read_response(int fd, const Exchange& x, Sink& sink, ResponseParser& parser, double start_ms) {
  std::array<char, 64 * 1024> buf;
  for (;;) {
    double abort_at = sink.abort_at_ms ? sink.abort_at_ms() : 0;
    if (abort_at > 0 && util::monotonic_ms() >= abort_at) return {};
    Wait w = wait_for(fd, POLLIN, x.deadline, abort_at, x);
    if (w == Wait::cancelled) return Outcome{0, "", 0, true};
    if (w == Wait::timeout) {
      if (abort_at > 0 && !x.deadline.expired()) continue;  // the stop grace ended: checked above
      return Outcome{CURLE_OPERATION_TIMEDOUT, "Operation timed out after " + milliseconds_since(start_ms) +
                                                   " milliseconds with " +
                                                   std::to_string(parser.body_bytes()) + " bytes received"};
    }
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0) return Outcome{CURLE_RECV_ERROR, std::string("Recv failure: ") + std::strerror(errno)};
    auto state =
        n == 0 ? parser.eof() : parser.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    switch (state) {
      case ResponseParser::State::done:
        return {};
      case ResponseParser::State::failed:
        return Outcome{parser.code(), parser.error()};
      case ResponseParser::State::aborted:
        return Outcome{CURLE_WRITE_ERROR, "Failure writing output to destination"};
      default:
        break;
    }
  }
}

}  // namespace

Outcome perform(const Exchange& x, Sink& sink) {
  double start_ms = util::monotonic_ms();
  std::string key = connection_key(*x.url);
  for (int attempt = 0;; ++attempt) {
    util::UniqueFd fd;
    if (attempt == 0 && !x.fresh_connection) fd = take_idle(key);
    // Only a reused connection may have been closed by the server while it sat idle; a retry
    // there is safe because the server saw nothing of this request or did not answer it.
    bool may_retry = fd.valid();
    if (!fd) {
      Outcome connected = connect_to(x, start_ms, fd);
      if (!fd) return connected;
    }
    bool early = false;
    Outcome sent = send_request(fd.get(), x, start_ms, early);
    if (sent.code == CURLE_SEND_ERROR && may_retry) continue;
    if (sent.code != CURLE_OK || sent.cancelled) return sent;
    ResponseParser parser(sink, x.head_request);
    Outcome got = read_response(fd.get(), x, sink, parser, start_ms);
    bool closed_unanswered = got.code == CURLE_GOT_NOTHING || got.code == CURLE_RECV_ERROR;
    if (may_retry && closed_unanswered && !parser.received_any()) continue;
    if (got.code == CURLE_OK && !got.cancelled && !early && parser.reusable()) put_idle(key, std::move(fd));
    got.reused = may_retry;
    return got;
  }
}

void drop_idle_connections() { idle_connections().clear(); }

}  // namespace mcp_probe::transport::native
