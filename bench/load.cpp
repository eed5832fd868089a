// bench/load: concurrent tools/call load against an MCP server over Streamable HTTP.
//
//   load [--clients C] [--count N] [--tool NAME] [--args JSON] [--modern VERSION] URL
//
// URL is http://HOST:PORT/PATH, HOST an IPv4 literal or localhost. Starts C client threads; each
// opens one keep-alive TCP connection and its own session (initialize and
// notifications/initialized), waits until every thread is ready and then sends its share of N
// tools/call requests one after another, then ends its session (DELETE, untimed). With
// --modern VERSION (2026-07-28) there is no session: every tools/call is a stateless modern
// request carrying VERSION and empty client capabilities in `_meta` and the headers
// MCP-Protocol-Version, Mcp-Method and Mcp-Name, as the modern era asks. Prints one
// JSON line: requests per second over the timed calls, p50/p99/max latency of the individual
// calls, and failures (transport errors, timeouts, HTTP and JSON-RPC errors, missing replies).
// Exit 0 only with no failures; 2 on a usage error.
//
// Deliberately plain POSIX sockets and a minimal HTTP/1.1 + SSE reader, not the project's
// libcurl-based transport: that one costs ~200 µs of client CPU per request, so it, not the
// server, limited the benchmark. This is a load generator, not a checker: a call succeeds when a
// JSON-RPC response with its id and a result arrives; nothing else about the server is judged.
// One file, like bench/roundtrip.cpp, because bench programs are built apart from the main tree.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr auto k_request_timeout = std::chrono::seconds(30);
constexpr std::string_view k_protocol_version = "2025-11-25";
// Caps so that a hostile or broken server cannot make the client buffer without bound.
constexpr size_t k_max_line = 64 * 1024;
constexpr size_t k_max_body = 64 * 1024 * 1024;

struct Url {
  std::string authority;  // HOST:PORT as given, for the Host header
  std::string path;
  sockaddr_in address{};
};

struct Args {
  Url url;
  long clients = 1;
  long count = 2000;
  std::string tool = "echo";
  std::string arguments = R"({"message":"hello"})";  // raw JSON text, validated
  std::string modern;                                // a 2026-07-28-era version, or empty
};

[[noreturn]] void usage() {
  std::fputs("usage: load [--clients C] [--count N] [--tool NAME] [--args JSON] [--modern VERSION] URL\n",
             stderr);
  std::exit(2);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

template <typename Integer>
void append_number(std::string& out, Integer n) {
  char digits[24];
  out.append(digits, static_cast<size_t>(std::to_chars(digits, digits + sizeof digits, n).ptr - digits));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// http://HOST[:PORT][/PATH]; only what the load client can reach without a resolver or TLS.
std::optional<Url> parse_url(std::string_view text) {
  if (!istarts_with(text, "http://")) return std::nullopt;
  text.remove_prefix(7);
  const size_t slash = text.find('/');
  Url url;
  url.authority = std::string(text.substr(0, slash));
  url.path = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  for (char c : url.path) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '#' || c == 0x7f) return std::nullopt;
  }
  std::string_view host = url.authority;
  unsigned port = 80;
  if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    const std::string_view digits = host.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port < 1 ||
        port > 65535) {
      return std::nullopt;
    }
    host = host.substr(0, colon);
  }
  const std::string ip = iequals(host, "localhost") ? "127.0.0.1" : std::string(host);
  url.address.sin_family = AF_INET;
  url.address.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &url.address.sin_addr) != 1) return std::nullopt;
  return url;
}

Args parse(int argc, char** argv) {
  Args a;
  bool have_url = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--clients" || arg == "--count") && i + 1 < argc) {
      (arg == "--clients" ? a.clients : a.count) = std::strtol(argv[++i], nullptr, 10);
    } else if (arg == "--tool" && i + 1 < argc) {
      a.tool = argv[++i];
    } else if (arg == "--modern" && i + 1 < argc) {
      a.modern = argv[++i];
    } else if (arg == "--args" && i + 1 < argc) {
      a.arguments = argv[++i];
      if (!Json::accept(a.arguments)) usage();
    } else if (arg.rfind("http", 0) == 0) {
      auto url = parse_url(arg);
      if (!url) usage();
      a.url = std::move(*url);
      have_url = true;
    } else {
      usage();
    }
  }
  if (!have_url || a.clients < 1 || a.clients > 1024 || a.count < a.clients) usage();
  return a;
}

// ---------------------------------------------------------------------------------------------
// HTTP/1.1 over one socket.

// `closed` means the peer closed (or reset) the connection before sending a single byte of the
// response: the usual fate of an idle keep-alive connection, and the one case worth a retry.
enum class Io { ok, closed, timeout, error };

struct Response {
  int status = 0;
  bool keep_alive = true;
  bool chunked = false;
  long content_length = -1;
  std::string content_type;
  std::string session_id;
  std::string body;  // decoded (de-chunked)

  void clear() {
    status = 0;
    keep_alive = true;
    chunked = false;
    content_length = -1;
    content_type.clear();
    session_id.clear();
    body.clear();
  }
};

// One client socket with its read buffer. Not thread-safe; every call blocks at most until the
// deadline. Reads go through a buffer (a chunked SSE reply is several small pieces).
class Connection {
 public:
  explicit Connection(const sockaddr_in& address) : m_address(address), m_buf(16 * 1024) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { close(); }

  bool is_open() const { return m_fd >= 0; }
  // True once a response has come back on this socket, so the server may have dropped it idle.
  bool reused() const { return m_responses > 0; }

  bool open(Clock::time_point deadline) {
    close();
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) return false;
    const int one = 1;
    setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(m_fd, reinterpret_cast<const sockaddr*>(&m_address), sizeof m_address) == 0) return true;
    int err = errno;
    if (err == EINPROGRESS && wait_for(POLLOUT, deadline) == Io::ok) {
      socklen_t len = sizeof err;
      if (getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err == 0) return true;
    }
    close();
    return false;
  }

  void close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    m_begin = m_end = 0;
    m_responses = 0;
    m_awaiting_reply = false;
  }

  Io send_all(std::string_view data, Clock::time_point deadline) {
    while (!data.empty()) {
      const ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        m_awaiting_reply = true;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (Io io = wait_for(POLLOUT, deadline); io != Io::ok) return io;
      } else if (errno != EINTR) {
        return errno == EPIPE || errno == ECONNRESET ? Io::closed : Io::error;
      }
    }
    return Io::ok;
  }

  Io read_response(Response& r, Clock::time_point deadline) {
    r.clear();
    if (Io io = read_head(r, deadline); io != Io::ok) return io;
    Io io = read_body(r, deadline);
    if (io == Io::ok) ++m_responses;
    return io;
  }

 private:
  Io wait_for(short events, Clock::time_point deadline) {
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return Io::timeout;
      pollfd p{m_fd, events, 0};
      const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1 << 30)));
      if (n > 0) return Io::ok;  // errors and hang-ups surface in the following recv/send
      if (n == 0) return Io::timeout;
      if (errno != EINTR) return Io::error;
    }
  }

  size_t buffered() const { return m_end - m_begin; }

  // Appends at least one byte to the buffer, or says why not. EOF and reset are `closed`.
  Io fill(Clock::time_point deadline) {
    if (m_begin == m_end) m_begin = m_end = 0;
    if (m_end == m_buf.size()) {
      if (m_begin > 0) {
        std::memmove(m_buf.data(), m_buf.data() + m_begin, buffered());
        m_end -= m_begin;
        m_begin = 0;
      } else {
        m_buf.resize(m_buf.size() * 2);  // only a line longer than the buffer gets here
      }
    }
    // Right after a request the reply is seldom there yet: poll first instead of failing a recv.
    if (m_awaiting_reply) {
      m_awaiting_reply = false;
      if (Io io = wait_for(POLLIN, deadline); io != Io::ok) return io;
    }
    for (;;) {
      const ssize_t n = ::recv(m_fd, m_buf.data() + m_end, m_buf.size() - m_end, 0);
      if (n > 0) {
        m_end += static_cast<size_t>(n);
        return Io::ok;
      }
      if (n == 0) return Io::closed;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (Io io = wait_for(POLLIN, deadline); io != Io::ok) return io;
      } else if (errno == ECONNRESET) {
        return Io::closed;
      } else if (errno != EINTR) {
        return Io::error;
      }
    }
  }

  // The next line without its CRLF (or bare LF). Valid until the next fill().
  Io read_line(std::string_view& line, Clock::time_point deadline) {
    size_t scanned = 0;
    for (;;) {
      const char* start = m_buf.data() + m_begin;
      if (const void* nl = std::memchr(start + scanned, '\n', buffered() - scanned)) {
        size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
        m_begin += len + 1;
        if (len > 0 && start[len - 1] == '\r') --len;
        line = std::string_view(start, len);
        return Io::ok;
      }
      scanned = buffered();
      if (scanned > k_max_line) return Io::error;
      if (Io io = fill(deadline); io != Io::ok) return io;
    }
  }

  Io read_exact(size_t n, std::string& out, Clock::time_point deadline) {
    while (n > 0) {
      if (buffered() == 0) {
        if (Io io = fill(deadline); io != Io::ok) return mid_response(io);
      }
      const size_t take = std::min(n, buffered());
      out.append(m_buf.data() + m_begin, take);
      m_begin += take;
      n -= take;
    }
    return Io::ok;
  }

  // The peer closing in the middle of a response is an error like any other, never a retry.
  static Io mid_response(Io io) { return io == Io::closed ? Io::error : io; }

  // Status line and headers, skipping interim 1xx responses.
  Io read_head(Response& r, Clock::time_point deadline) {
    std::string_view line;
    Io io = read_line(line, deadline);
    if (io == Io::closed && buffered() > 0) io = Io::error;  // closed after part of a status line
    if (io != Io::ok) return io;
    for (;;) {
      if (!parse_status(line, r)) return Io::error;
      while ((io = read_line(line, deadline)) == Io::ok && !line.empty()) parse_header(line, r);
      if (io != Io::ok) return mid_response(io);
      if (r.status >= 200) break;
      if (io = read_line(line, deadline); io != Io::ok) return mid_response(io);
    }
    return r.chunked || r.content_length >= -1 ? Io::ok : Io::error;
  }

  static bool parse_status(std::string_view line, Response& r) {
    // "HTTP/1.1 200 OK"; HTTP/1.0 closes unless asked to keep alive.
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ') return false;
    if (line.size() > 12 && line[12] != ' ') return false;
    const auto [end, ec] = std::from_chars(line.data() + 9, line.data() + 12, r.status);
    if (ec != std::errc() || end != line.data() + 12 || r.status < 100) return false;
    r.keep_alive = line[7] != '0';
    r.chunked = false;
    r.content_length = -1;
    return true;
  }

  static void parse_header(std::string_view line, Response& r) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      long n = -1;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      const bool valid = ec == std::errc() && end == value.data() + value.size() && n >= 0;
      const bool conflicting = r.content_length >= 0 && r.content_length != n;
      r.content_length = valid && !conflicting ? n : -2;  // -2: unusable framing
    } else if (iequals(name, "transfer-encoding")) {
      // chunked is always the last coding when present; anything else is read until close.
      const size_t comma = value.rfind(',');
      r.chunked = iequals(trim(comma == std::string_view::npos ? value : value.substr(comma + 1)), "chunked");
    } else if (iequals(name, "connection")) {
      if (has_token(value, "keep-alive")) r.keep_alive = true;
      if (has_token(value, "close")) r.keep_alive = false;
    } else if (iequals(name, "content-type")) {
      r.content_type = value;
    } else if (iequals(name, "mcp-session-id")) {
      r.session_id = value;
    }
  }

  static bool has_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
      const size_t comma = list.find(',');
      if (iequals(trim(list.substr(0, comma)), token)) return true;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    return false;
  }

  Io read_body(Response& r, Clock::time_point deadline) {
    if (r.status == 204 || r.status == 304) return Io::ok;
    if (r.chunked) return read_chunked(r.body, deadline);
    if (r.content_length >= 0) {
      if (static_cast<size_t>(r.content_length) > k_max_body) return Io::error;
      return read_exact(static_cast<size_t>(r.content_length), r.body, deadline);
    }
    // No framing: the body runs until the server closes, so the connection is done after it.
    r.keep_alive = false;
    for (;;) {
      r.body.append(m_buf.data() + m_begin, buffered());
      m_begin = m_end;
      if (r.body.size() > k_max_body) return Io::error;
      if (Io io = fill(deadline); io != Io::ok) return io == Io::closed ? Io::ok : io;
    }
  }

  // chunk = hex-size [; extensions] CRLF data CRLF, ending with a 0 chunk and optional trailers.
  Io read_chunked(std::string& body, Clock::time_point deadline) {
    std::string_view line;
    for (;;) {
      if (Io io = read_line(line, deadline); io != Io::ok) return mid_response(io);
      size_t size = 0;
      const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
      const std::string_view rest = trim(line.substr(static_cast<size_t>(end - line.data())));
      if (ec != std::errc() || (!rest.empty() && rest.front() != ';')) return Io::error;
      if (size == 0) break;
      if (size > k_max_body - body.size()) return Io::error;
      if (Io io = read_exact(size, body, deadline); io != Io::ok) return io;
      if (Io io = read_line(line, deadline); io != Io::ok) return mid_response(io);
      if (!line.empty()) return Io::error;  // the CRLF after the chunk data
    }
    do {  // trailer fields, ignored, up to the empty line
      if (Io io = read_line(line, deadline); io != Io::ok) return mid_response(io);
    } while (!line.empty());
    return Io::ok;
  }

  sockaddr_in m_address;
  int m_fd = -1;
  std::vector<char> m_buf;
  size_t m_begin = 0;
  size_t m_end = 0;
  long m_responses = 0;
  bool m_awaiting_reply = false;
};

// ---------------------------------------------------------------------------------------------
// MCP over Streamable HTTP.

// Calls `on_data` with the data of each SSE event that has any (comments, priming events
// without data and a final event without its blank line are dropped, as an EventSource would).
template <typename F>
void for_each_sse_data(std::string_view body, std::string& data, F&& on_data) {
  data.clear();
  while (!body.empty()) {
    // Not find_first_of: that calls memchr on "\r\n" once per byte of the body.
    const size_t eol = static_cast<size_t>(
        std::find_if(body.begin(), body.end(), [](char c) { return c == '\r' || c == '\n'; }) - body.begin());
    const std::string_view line = body.substr(0, eol);
    if (eol == body.size()) break;  // an unterminated last line ends no event
    size_t next = eol + 1;
    if (body[eol] == '\r' && next < body.size() && body[next] == '\n') ++next;
    body.remove_prefix(next);
    if (line.empty()) {
      if (!data.empty()) {
        data.pop_back();  // the '\n' after the last data line
        if (!data.empty() && on_data(std::string_view(data))) return;
      }
      data.clear();
    } else if (line.substr(0, 4) == "data" && (line.size() == 4 || line[4] == ':')) {
      std::string_view value = line.substr(std::min<size_t>(5, line.size()));
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      data.append(value).push_back('\n');
    }
  }
}

// Calls `on_message` with each message of a response, the body of an application/json one or
// the data of each event of an SSE one, until it returns true. One message per body or event:
// batches left JSON-RPC over MCP with protocol version 2025-06-18.
template <typename F>
void for_each_message(const Response& r, std::string& scratch, F&& on_message) {
  if (istarts_with(r.content_type, "application/json")) {
    on_message(std::string_view(r.body));
  } else if (istarts_with(r.content_type, "text/event-stream")) {
    for_each_sse_data(r.body, scratch, on_message);
  }
}

// An nlohmann::json SAX handler: is a message the response to request `id`, and does it have a
// result? Without building a DOM, which costs twice as much (~3.5 µs against ~1.5 µs a call) and
// would be the largest part of the client's own CPU per call. Notifications and server-to-client
// requests (they have a method, and may reuse our id) can share an SSE stream with the response.
class ReplyScan {
 public:
  explicit ReplyScan(long id) : m_id(id) {}

  // Valid once sax_parse has returned true.
  bool is_response() const { return m_object && m_id_matches && !m_has_method; }
  bool has_result() const { return m_has_result; }

  bool null() { return value(); }
  bool boolean(bool) { return value(); }
  bool number_integer(Json::number_integer_t v) {
    if (m_depth == 1 && m_member == Member::id) m_id_matches = v == m_id;
    return value();
  }
  bool number_unsigned(Json::number_unsigned_t v) {
    if (m_depth == 1 && m_member == Member::id) {
      m_id_matches = m_id >= 0 && v == static_cast<Json::number_unsigned_t>(m_id);
    }
    return value();
  }
  bool number_float(Json::number_float_t, const Json::string_t&) { return value(); }
  bool string(Json::string_t&) { return value(); }
  bool binary(Json::binary_t&) { return value(); }
  bool start_object(size_t) {
    m_object = m_object || m_depth == 0;
    value();
    ++m_depth;
    return true;
  }
  bool start_array(size_t) {
    value();
    ++m_depth;
    return true;
  }
  bool end_object() {
    --m_depth;
    return true;
  }
  bool end_array() {
    --m_depth;
    return true;
  }
  bool key(Json::string_t& name) {
    if (m_depth == 1) {
      m_member = name == "id"       ? Member::id
                 : name == "result" ? Member::result
                 : name == "method" ? Member::method
                                    : Member::other;
    }
    return true;
  }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  enum class Member { other, id, result, method };

  // A value starting at depth 1 is the value of the top-level member named by the last key.
  bool value() {
    if (m_depth == 1) {
      m_has_result = m_has_result || m_member == Member::result;
      m_has_method = m_has_method || m_member == Member::method;
    }
    return true;
  }

  long m_id;
  int m_depth = 0;
  Member m_member = Member::other;
  bool m_object = false;
  bool m_id_matches = false;
  bool m_has_result = false;
  bool m_has_method = false;
};

// The text of the response to request `id` in `r` if it has a result, else empty. It may point
// into `scratch`, so it is valid until the next use of either.
std::string_view find_result(const Response& r, long id, std::string& scratch) {
  std::string_view found;
  for_each_message(r, scratch, [&](std::string_view text) {
    ReplyScan scan(id);
    if (!Json::sax_parse(text.begin(), text.end(), &scan) || !scan.is_response()) return false;
    if (scan.has_result()) found = text;
    return true;
  });
  return found;
}

std::string negotiated_version(std::string_view reply) {
  const Json message = Json::parse(reply.begin(), reply.end(), nullptr, false);
  const auto result = message.find("result");  // end() unless an object with a result
  if (result == message.end() || !result->is_object()) return {};
  const auto version = result->find("protocolVersion");
  return version != result->end() && version->is_string() ? version->get<std::string>() : std::string();
}

// One session on one keep-alive connection. Not thread-safe: one per client thread.
class Client {
 public:
  explicit Client(const Args& args) : m_args(args), m_conn(args.url.address) {
    m_call_prefix = R"({"jsonrpc":"2.0","id":)";
    m_call_suffix = R"(,"method":"tools/call","params":{"name":)" +
                    Json(args.tool).dump(-1, ' ', false, Json::error_handler_t::replace) +
                    R"(,"arguments":)" + args.arguments;
    if (!args.modern.empty()) {
      m_call_suffix += R"(,"_meta":{"io.modelcontextprotocol/protocolVersion":)" + Json(args.modern).dump() +
                       R"(,"io.modelcontextprotocol/clientCapabilities":{}})";
    }
    m_call_suffix += "}}";
  }

  // initialize + notifications/initialized; false if the session could not be set up.
  bool start() {
    if (!m_args.modern.empty()) {
      // Stateless: nothing to set up but the connection, opened here (untimed) as the handshake
      // era's initialize opens it, so both eras' timed calls start on a connected socket.
      m_version = m_args.modern;
      m_head = request_head();
      return m_conn.open(Clock::now() + k_request_timeout);
    }
    const auto deadline = Clock::now() + k_request_timeout;
    const Json init = {{"jsonrpc", "2.0"},
                       {"id", m_next_id},
                       {"method", "initialize"},
                       {"params",
                        {{"protocolVersion", k_protocol_version},
                         {"capabilities", Json::object()},
                         {"clientInfo", {{"name", "mcp-probe-load"}, {"version", "1"}}}}}};
    m_head = request_head();
    if (exchange(init.dump(), deadline) != Io::ok || m_response.status != 200) return false;
    m_version = negotiated_version(find_result(m_response, m_next_id++, m_scratch));
    if (m_version.empty()) return false;
    m_session_id = m_response.session_id;  // none from a stateless server
    m_head = request_head();
    const std::string initialized = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";
    return exchange(initialized, deadline) == Io::ok &&
           (m_response.status == 202 || m_response.status == 200);
  }

  // One tools/call; true when its result arrived within the timeout.
  bool call() {
    const long id = m_next_id++;
    m_body.assign(m_call_prefix);
    append_number(m_body, id);
    m_body.append(m_call_suffix);
    const Io io = exchange(m_body, Clock::now() + k_request_timeout);
    return io == Io::ok && m_response.status == 200 && !find_result(m_response, id, m_scratch).empty();
  }

  // Ends the session with DELETE, as a well-behaved client does, so the server can drop it (and
  // whatever it runs for it: server-everything keeps timers per session). The outcome does not
  // matter.
  void finish() {
    if (m_session_id.empty() || !m_conn.is_open()) return;
    const auto deadline = Clock::now() + k_request_timeout;
    m_request = "DELETE " + m_args.url.path + " HTTP/1.1\r\nHost: " + m_args.url.authority +
                "\r\nMcp-Session-Id: " + m_session_id + "\r\n";
    if (!m_version.empty()) m_request += "MCP-Protocol-Version: " + m_version + "\r\n";
    m_request += "Content-Length: 0\r\n\r\n";
    if (m_conn.send_all(m_request, deadline) == Io::ok) m_conn.read_response(m_response, deadline);
  }

 private:
  // The fixed part of every POST; the session headers once the session exists.
  std::string request_head() const {
    std::string head =
        "POST " + m_args.url.path + " HTTP/1.1\r\nHost: " + m_args.url.authority +
        "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
    if (!m_session_id.empty()) head += "Mcp-Session-Id: " + m_session_id + "\r\n";
    if (!m_version.empty()) head += "MCP-Protocol-Version: " + m_version + "\r\n";
    if (!m_args.modern.empty()) head += "Mcp-Method: tools/call\r\nMcp-Name: " + m_args.tool + "\r\n";
    return head + "Content-Length: ";
  }

  // POSTs `body` and reads the whole response into m_response. A kept-alive connection that the
  // server dropped in the meantime is reopened and the request sent once more; any other failure
  // closes the connection, so that the next request starts on a clean one.
  Io exchange(std::string_view body, Clock::time_point deadline) {
    m_request.assign(m_head);
    append_number(m_request, body.size());
    m_request.append("\r\n\r\n").append(body);
    for (;;) {
      if (!m_conn.is_open() && !m_conn.open(deadline)) return Io::error;
      const bool reused = m_conn.reused();
      Io io = m_conn.send_all(m_request, deadline);
      if (io == Io::ok) io = m_conn.read_response(m_response, deadline);
      if (io == Io::ok) {
        if (!m_response.keep_alive) m_conn.close();
        return io;
      }
      m_conn.close();
      if (io != Io::closed || !reused) return io;
    }
  }

  const Args& m_args;
  Connection m_conn;
  Response m_response;
  std::string m_head, m_request, m_body, m_scratch;
  std::string m_call_prefix, m_call_suffix;
  std::string m_session_id, m_version;
  long m_next_id = 1;
};

struct Totals {
  std::mutex mutex;
  std::vector<double> latency_us;
  std::atomic<long> failures{0};
  std::atomic<long> connect_failures{0};
  std::atomic<long> ready{0};
  std::atomic<bool> go{false};
  Clock::time_point end{};  // when the last client's timed calls ended (under mutex)
};

void run_client(const Args& args, long share, Totals& totals) {
  Client client(args);
  const bool started = client.start();
  if (!started) {
    ++totals.connect_failures;
    totals.failures += share;
  }
  ++totals.ready;
  totals.ready.notify_one();
  if (!started) return;
  totals.go.wait(false);
  std::vector<double> mine;
  mine.reserve(static_cast<size_t>(share));
  long failures = 0;
  for (long i = 0; i < share; ++i) {
    const auto start = Clock::now();
    if (!client.call()) ++failures;
    mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  const auto end = Clock::now();
  totals.failures += failures;
  {
    std::lock_guard<std::mutex> lock(totals.mutex);
    totals.latency_us.insert(totals.latency_us.end(), mine.begin(), mine.end());
    totals.end = std::max(totals.end, end);
  }
  client.finish();  // untimed
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  Totals totals;
  std::vector<std::thread> threads;
  for (long c = 0; c < args.clients; ++c) {
    const long share = args.count / args.clients + (c < args.count % args.clients ? 1 : 0);
    threads.emplace_back(run_client, std::cref(args), share, std::ref(totals));
  }
  // Start barrier: every session is set up before the clock starts.
  for (long r = totals.ready.load(); r < args.clients; r = totals.ready.load()) totals.ready.wait(r);
  const auto t0 = Clock::now();
  totals.go = true;
  totals.go.notify_all();
  for (auto& t : threads) t.join();
  const double wall = std::chrono::duration<double>(std::max(totals.end, t0) - t0).count();
  std::vector<double>& latency_us = totals.latency_us;
  std::sort(latency_us.begin(), latency_us.end());
  auto pct = [&](double p) {
    if (latency_us.empty()) return 0.0;
    return latency_us[std::min(latency_us.size() - 1,
                               static_cast<size_t>(p / 100.0 * static_cast<double>(latency_us.size())))];
  };
  std::printf(
      "{\"clients\":%ld,\"count\":%ld,\"failures\":%ld,\"connect_failures\":%ld,\"wall_s\":%.3f,"
      "\"requests_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}\n",
      args.clients, args.count, totals.failures.load(), totals.connect_failures.load(), wall,
      static_cast<double>(latency_us.size()) / wall, pct(50) / 1000, pct(99) / 1000,
      latency_us.empty() ? 0.0 : latency_us.back() / 1000);
  return totals.failures == 0 ? 0 : 1;
}
