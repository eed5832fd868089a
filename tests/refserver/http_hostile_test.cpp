// mcp-refserver's HTTP front-end against hostile clients (ConnectionServer, HeaderGate,
// inspect_head): request smuggling (RFC 9112 section 6.3), bodies over the limit however framed,
// slow clients, and bursts of connections. Raw sockets on 127.0.0.1.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "support/refserver_http.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe::testing::refserver_http;
using Clock = std::chrono::steady_clock;

namespace {

// run_http on a thread with its deadlines shortened, stopped and joined by the destructor.
class TunedServer {
 public:
  TunedServer(int head_ms, int body_ms) {
    m_config.transport = "http";
    m_config.response_mode = "sse";
    m_options.head_timeout_ms = head_ms;
    m_options.body_timeout_ms = body_ms;
    auto bound = std::make_shared<std::promise<int>>();
    std::future<int> port = bound->get_future();
    m_options.on_listening = [bound](int p) { bound->set_value(p); };
    m_thread = std::thread([this] { mcp_probe::refserver::run_http(m_config, m_options, m_stop); });
    REQUIRE(port.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    m_port = port.get();
  }
  ~TunedServer() {
    m_stop = true;
    m_thread.join();
  }
  int port() const { return m_port; }

 private:
  Config m_config;
  HttpOptions m_options;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
  int m_port = 0;
};

// A connection to 127.0.0.1:port; `receive_buffer` > 0 sets SO_RCVBUF first (a small receive
// window keeps the server's send buffer small).
int connect_to(int port, int receive_buffer = 0) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  if (receive_buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

bool send_text(int fd, const std::string& text) {
  return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}

struct Reply {
  std::string bytes;
  bool closed = false;  // the server closed (not our timeout)
};

// Reads until the server closes or `timeout` passes.
Reply read_all(int fd, std::chrono::milliseconds timeout) {
  Reply reply;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      reply.closed = true;
      break;
    }
    reply.bytes.append(buf, static_cast<std::size_t>(n));
  }
  return reply;
}

// Reads until `done(what was read)`, the server closes, or `deadline`.
template <typename Done>
std::string read_until(int fd, Clock::time_point deadline, Done done) {
  std::string got;
  while (!done(got) && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

int responses(const std::string& bytes) {
  int n = 0;
  for (std::size_t at = bytes.find("HTTP/1.1 "); at != std::string::npos;
       at = bytes.find("HTTP/1.1 ", at + 1))
    ++n;
  return n;
}

const std::string k_hidden = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

std::string post_head(const std::string& framing) {
  return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Accept: application/json, text/event-stream\r\n" +
         framing + "\r\n";
}

// Sends `wire` on a new connection: the answer, and whether the server then closed.
Reply refused(int port, const std::string& wire) {
  int fd = connect_to(port);
  send_text(fd, wire);  // may fail half-way when the server closed early
  Reply reply = read_all(fd, std::chrono::seconds(3));
  ::close(fd);
  return reply;
}

// An HTTP/1.1 GET /health on a new connection, answered within `timeout`.
bool health_answered(int port, std::chrono::milliseconds timeout) {
  int fd = connect_to(port);
  send_text(fd, k_hidden);
  const std::string got = read_until(
      fd, Clock::now() + timeout, [](const std::string& g) { return g.find("\"ok\"") != std::string::npos; });
  ::close(fd);
  return got.find("\"ok\"") != std::string::npos;
}

void raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

TEST_CASE("refserver::http hostile clients") {
  HttpServer server;
  const int port = server.port();

  SUBCASE("smuggling: ambiguous framing is answered 400 and the connection closed, the rest unread") {
    const std::string body = "0\r\n\r\n";
    const std::vector<std::string> forms = {
        post_head("Content-Length: " + std::to_string(body.size()) + "\r\nTransfer-Encoding: chunked\r\n") +
            body,
        post_head("Transfer-Encoding: chunked\r\nContent-Length: " + std::to_string(body.size()) + "\r\n") +
            body,
        post_head("Content-Length: 0\r\nContent-Length: " + std::to_string(k_hidden.size()) + "\r\n"),
        post_head("Content-Length: " + std::to_string(k_hidden.size()) + "\r\nContent-Length: 0\r\n"),
        post_head("Content-Length: 1x\r\n") + "x",
        post_head("Content-Length: -1\r\n"),
        post_head("Content-Length: +4\r\n") + "abcd",
        post_head("Transfer-Encoding: chunked, identity\r\n") + body,
        post_head("Transfer-Encoding : chunked\r\n") + body,
    };
    for (const auto& form : forms) {
      CAPTURE(form);
      const Reply reply = refused(port, form + k_hidden);
      CHECK(reply.bytes.rfind("HTTP/1.1 400 ", 0) == 0);
      CHECK(responses(reply.bytes) == 1);
      CHECK(reply.bytes.find("\"ok\"") == std::string::npos);
      CHECK(reply.closed);
    }
  }
  SUBCASE("after a refused head (too long a line, an unknown method) nothing else on the connection runs") {
    const std::string big = post_head("X-Big: " + std::string(9000, 'a') +
                                      "\r\nContent-Length: " + std::to_string(k_hidden.size()) + "\r\n");
    const std::string odd =
        "FOO /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(k_hidden.size()) +
        "\r\n\r\n";
    for (const auto& head : {big, odd}) {
      const Reply reply = refused(port, head + k_hidden);
      CHECK(responses(reply.bytes) <= 1);
      CHECK(reply.bytes.find("\"ok\"") == std::string::npos);
      CHECK(reply.closed);
    }
  }
  SUBCASE("a chunked body is decoded, and one over the limit is refused 413 as soon as it goes over") {
    const std::string init = init_body("2025-11-25");
    char size[20];
    std::snprintf(size, sizeof size, "%zx", init.size());
    int fd = connect_to(port);
    REQUIRE(
        send_text(fd, post_head("Transfer-Encoding: chunked\r\n") + size + "\r\n" + init + "\r\n0\r\n\r\n"));
    const Reply ok = read_all(fd, std::chrono::milliseconds(1500));
    ::close(fd);
    CHECK(ok.bytes.rfind("HTTP/1.1 200 ", 0) == 0);
    CHECK(ok.bytes.find("\"protocolVersion\"") != std::string::npos);

    // Expect: 100-continue is answered before the body is read.
    fd = connect_to(port);
    REQUIRE(send_text(fd, post_head("Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n")));
    const Reply go_on = read_all(fd, std::chrono::milliseconds(500));
    CHECK(go_on.bytes == "HTTP/1.1 100 Continue\r\n\r\n");
    REQUIRE(send_text(fd, std::string(size) + "\r\n" + init + "\r\n0\r\n\r\n"));
    const Reply after = read_all(fd, std::chrono::milliseconds(1500));
    ::close(fd);
    CHECK(after.bytes.rfind("HTTP/1.1 200 ", 0) == 0);

    // One chunk declared over the limit: refused before its data.
    std::snprintf(size, sizeof size, "%zx", server.options().max_body_bytes + 1);
    Reply one = refused(port, post_head("Transfer-Encoding: chunked\r\n") + size + "\r\n");
    CHECK(one.bytes.rfind("HTTP/1.1 413 ", 0) == 0);
    CHECK(one.closed);

    // 64 KiB chunks: the one that goes over is refused.
    fd = connect_to(port);
    REQUIRE(send_text(fd, post_head("Transfer-Encoding: chunked\r\n")));
    const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
    std::size_t sent = 0;
    while (sent <= server.options().max_body_bytes + 4 * chunk.size() && send_text(fd, chunk))
      sent += 0x10000;
    const Reply many = read_all(fd, std::chrono::seconds(3));
    ::close(fd);
    CHECK(many.bytes.rfind("HTTP/1.1 413 ", 0) == 0);
    CHECK(many.closed);
  }
  SUBCASE("a 1 GB Content-Length is refused 413 at once, its body not read") {
    int fd = connect_to(port);
    const auto start = Clock::now();
    REQUIRE(send_text(fd, post_head("Content-Length: 1073741824\r\n") + std::string(1000, ' ')));
    const Reply reply = read_all(fd, std::chrono::seconds(3));
    ::close(fd);
    CHECK(reply.bytes.rfind("HTTP/1.1 413 ", 0) == 0);
    CHECK(reply.closed);
    CHECK(Clock::now() - start < std::chrono::seconds(1));
  }
  SUBCASE("300 connections trickling their header blocks do not starve the others") {
    raise_fd_limit();
    std::vector<int> slow;
    for (int i = 0; i < 300; ++i) {
      slow.push_back(connect_to(port));
      send_text(slow.back(), "GET /health HTTP/1.1\r\nX-Slow: ");
    }
    const auto start = Clock::now();
    int answered = 0;
    for (int i = 0; i < 3; ++i) {
      for (int fd : slow) send_text(fd, "a");  // a byte now and then
      answered += health_answered(port, std::chrono::seconds(2)) ? 1 : 0;
    }
    CHECK(answered == 3);
    CHECK(Clock::now() - start < std::chrono::seconds(5));
    for (int fd : slow) ::close(fd);
  }
  SUBCASE("a burst of 500 concurrent connections is all answered") {
    raise_fd_limit();
    std::vector<int> fds;
    for (int i = 0; i < 500; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      REQUIRE(fd >= 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<std::uint16_t>(port));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // EINPROGRESS
      fds.push_back(fd);
    }
    // Send each request once its connection is up, then read every answer.
    std::vector<int> state(fds.size(), 0);  // 0 connecting, 1 sent, 2 answered, 3 failed
    std::vector<std::string> got(fds.size());
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    int done = 0;
    while (done < static_cast<int>(fds.size()) && Clock::now() < deadline) {
      std::vector<pollfd> polls;
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (state[i] < 2)
          polls.push_back(pollfd{fds[i], static_cast<short>(state[i] == 0 ? POLLOUT : POLLIN), 0});
      }
      if (::poll(polls.data(), polls.size(), 50) <= 0) continue;
      std::size_t p = 0;
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (state[i] >= 2) continue;
        const short revents = polls[p++].revents;
        if (revents == 0) continue;
        if (state[i] == 0) {
          state[i] = send_text(fds[i], "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                         ? 1
                         : 3;
        } else {
          char buf[1024];
          const ssize_t n = ::recv(fds[i], buf, sizeof buf, 0);
          if (n > 0) got[i].append(buf, static_cast<std::size_t>(n));
          if (n > 0 && got[i].find("\"ok\"") == std::string::npos) continue;
          state[i] = n > 0 ? 2 : 3;
        }
        if (state[i] >= 2) ++done;
      }
    }
    int answered = 0;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      answered += state[i] == 2 ? 1 : 0;
      ::close(fds[i]);
    }
    CHECK(answered == 500);
  }
}

TEST_CASE("refserver::http deadlines") {
  TunedServer server(800, 800);
  const int port = server.port();

  SUBCASE("a header block has a deadline from its first byte, however its bytes trickle") {
    int fd = connect_to(port);
    const auto start = Clock::now();
    REQUIRE(send_text(fd, "GET /health HTTP/1.1\r\n"));
    bool closed = false;
    while (!closed && Clock::now() - start < std::chrono::seconds(4)) {
      if (!send_text(fd, "X")) break;
      const Reply reply = read_all(fd, std::chrono::milliseconds(100));
      closed = reply.closed;
    }
    ::close(fd);
    CHECK(Clock::now() - start < std::chrono::seconds(3));
    CHECK(Clock::now() - start >= std::chrono::milliseconds(700));
  }
  SUBCASE("a body has a deadline from the end of its head") {
    int fd = connect_to(port);
    const auto start = Clock::now();
    REQUIRE(send_text(fd, post_head("Content-Length: 1000\r\n") + "{"));
    bool closed = false;
    while (!closed && Clock::now() - start < std::chrono::seconds(4)) {
      if (!send_text(fd, " ")) break;
      const Reply reply = read_all(fd, std::chrono::milliseconds(100));
      closed = reply.closed;
    }
    ::close(fd);
    CHECK(Clock::now() - start < std::chrono::seconds(3));
  }
  SUBCASE("a chunked body too") {
    int fd = connect_to(port);
    const auto start = Clock::now();
    REQUIRE(send_text(fd, post_head("Transfer-Encoding: chunked\r\n") + "1000\r\n{"));
    bool closed = false;
    while (!closed && Clock::now() - start < std::chrono::seconds(4)) {
      if (!send_text(fd, " ")) break;
      const Reply reply = read_all(fd, std::chrono::milliseconds(100));
      closed = reply.closed;
    }
    ::close(fd);
    CHECK(Clock::now() - start < std::chrono::seconds(3));
  }
}

// Whatever thread answers a request, one that waits must not hold up other connections, and a
// client that does not read must not lose or reorder answers.
TEST_CASE("refserver::http slow requests and slow readers") {
  HttpServer server;
  const int port = server.port();
  const auto call = [](int id, const std::string& tool, json arguments) {
    return modern_request(id, "tools/call", json{{"name", tool}, {"arguments", std::move(arguments)}});
  };

  SUBCASE("a request that may wait does not hold up the requests of other connections") {
    std::atomic<bool> slow_done{false};
    std::thread slow([&] {
      auto c = server.client();
      auto res = c->Post("/mcp", modern_headers("tools/call", "slow"),
                         call(1, "slow", json{{"steps", 1}, {"delay_ms", 1500}}), "application/json");
      CHECK((res && res->status == 200 && res->body.find("1 steps done") != std::string::npos));
      slow_done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the slow call is running
    // More connections than cores.
    for (int i = 0; i < 8; ++i) {
      auto c = server.client();
      const auto start = Clock::now();
      auto res = c->Post("/mcp", modern_headers("tools/call", "echo"),
                         call(10 + i, "echo", json{{"message", "hi"}}), "application/json");
      REQUIRE(res);
      CHECK(res->status == 200);
      CHECK(res->body.find("\"text\":\"hi\"") != std::string::npos);
      CHECK(Clock::now() - start < std::chrono::milliseconds(600));
    }
    CHECK_FALSE(slow_done.load());
    slow.join();
  }
  SUBCASE("answers that fill the socket buffers reach a slow reader whole and in order") {
    // 1000 pipelined tools/list requests (~300 bytes each, 8.9 MB of answers, more than loopback's
    // socket buffers hold): answered one after another until the buffers are full (the client
    // reads nothing yet), then as the client reads.
    constexpr int k_count = 1000;
    std::string wire;
    for (int id = 1; id <= k_count; ++id) {
      const std::string body = modern_request(id, "tools/list");
      wire += post_head("MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/list\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n") +
              body;
    }
    int fd = connect_to(port, 16 * 1024);
    REQUIRE(send_text(fd, wire));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // not reading yet
    const std::string last = "\"id\":" + std::to_string(k_count) + ",";
    // Until the last answer's event has ended.
    const std::string got =
        read_until(fd, Clock::now() + std::chrono::seconds(60),  // a sanitizer build is slow
                   [&](const std::string& g) {
                     return g.find(last) != std::string::npos && g.size() >= 2 &&
                            g.compare(g.size() - 2, 2, "\n\n") == 0;
                   });
    ::close(fd);
    // Each answer whole: its head, then a body of its Content-Length, an SSE event with its response.
    std::size_t at = 0;
    int id = 0;
    while (at < got.size() && id < k_count) {
      const std::size_t head = got.find("\r\n\r\n", at);
      REQUIRE(head != std::string::npos);
      const std::size_t length_at = got.find("Content-Length: ", at);
      REQUIRE((length_at != std::string::npos && length_at < head));
      const std::size_t length = std::stoul(got.substr(length_at + 16, 12));
      const std::vector<Event> events = parse_sse(got.substr(head + 4, length));  // one event each
      const json answer = events.empty() ? json() : json::parse(events.back().data, nullptr, false);
      ++id;
      const bool whole = answer.is_object() && answer.value("id", -1) == id && answer.contains("result");
      CHECK_MESSAGE(whole, "answer " << id);
      if (!whole) break;
      at = head + 4 + length;
    }
    CHECK(id == k_count);
    CHECK(at == got.size());
  }
}

TEST_SUITE_END();
