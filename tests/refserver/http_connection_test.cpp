// ConnectionServer (src/refserver/http_connection.cpp): keep-alive connections carrying several
// requests, written in one go so the server sees them back to back.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/refserver_http.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe::testing::refserver_http;

namespace {

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

// Sends `requests` on `fd` and reads until `responses` status lines arrived, the server closed,
// or 5 s passed. Returns everything read.
std::string send_and_read(int fd, const std::string& requests, int responses) {
  REQUIRE(::send(fd, requests.data(), requests.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(requests.size()));
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto count = [&] {
    int n = 0;
    for (std::size_t at = got.find("HTTP/1.1 "); at != std::string::npos; at = got.find("HTTP/1.1 ", at + 1))
      ++n;
    return n;
  };
  while (count() < responses && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

// send_and_read on a new connection, closed afterwards.
std::string exchange(int port, const std::string& requests, int responses) {
  int fd = connect_to(port);
  std::string got = send_and_read(fd, requests, responses);
  ::close(fd);
  return got;
}

// A response with its header lines sorted: "the order in which field lines with differing field
// names are received in a section is not significant" (RFC 9110 section 5.3).
std::string fields_sorted(const std::string& response) {
  const std::size_t head_end = response.find("\r\n\r\n");
  const std::string head = response.substr(0, head_end);
  std::vector<std::string> lines;
  for (std::size_t at = head.find("\r\n"); at != std::string::npos;) {
    const std::size_t next = head.find("\r\n", at + 2);
    lines.push_back(head.substr(at + 2, next == std::string::npos ? next : next - at - 2));
    at = next;
  }
  std::sort(lines.begin(), lines.end());
  std::string out = head.substr(0, head.find("\r\n"));
  for (const std::string& line : lines) out += "\r\n" + line;
  return out + (head_end == std::string::npos ? "" : response.substr(head_end));
}

std::string post(const std::string& body, const std::string& extra_headers) {
  return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Accept: application/json, text/event-stream\r\n" +
         extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("refserver::http connection") {
  HttpServer server;

  SUBCASE("a request refused for its Origin has its body consumed: the next request is parsed") {
    std::string wire = post(init_body("2025-11-25"), "Origin: http://evil.example.com\r\n") +
                       "OPTIONS /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://localhost\r\n\r\n";
    std::string got = exchange(server.port(), wire, 2);
    CHECK(got.rfind("HTTP/1.1 403 ", 0) == 0);
    CHECK(got.find("HTTP/1.1 204 ") != std::string::npos);
    CHECK(got.find("HTTP/1.1 400 ") == std::string::npos);
  }
  SUBCASE("HEAD: the header block is sent although no body follows") {
    std::string wire =
        "HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    std::string got = exchange(server.port(), wire, 2);
    CHECK(got.rfind("HTTP/1.1 200 ", 0) == 0);
    std::size_t second = got.find("HTTP/1.1 200 ", 1);
    REQUIRE(second != std::string::npos);
    CHECK(got.substr(0, second).find(R"({"status":"ok"})") == std::string::npos);
    CHECK(got.substr(second).find(R"({"status":"ok"})") != std::string::npos);
  }
  SUBCASE("responses with a body arrive whole, one after another, on one connection") {
    std::string wire = post(init_body("2025-11-25"), "") + post(init_body("2025-06-18"), "");
    std::string got = exchange(server.port(), wire, 2);
    CHECK(got.find("\"protocolVersion\":\"2025-11-25\"") != std::string::npos);
    CHECK(got.find("\"protocolVersion\":\"2025-06-18\"") != std::string::npos);
    CHECK(got.find("HTTP/1.1 200 ", 1) > got.find("\"protocolVersion\":\"2025-11-25\""));
  }
  SUBCASE("a plain POST (parsed without cpp-httplib) is answered like one cpp-httplib parses") {
    // Accept-Encoding sends a request down cpp-httplib's own path; without it, the fast one.
    auto head_of = [&](const std::string& extra) {
      std::string got =
          exchange(server.port(), post(init_body("2025-11-25"), "Origin: http://localhost\r\n" + extra), 1);
      std::string head = got.substr(0, got.find("\r\n\r\n"));
      const std::size_t id = head.find("Mcp-Session-Id: ");
      REQUIRE(id != std::string::npos);
      const std::size_t end = head.find("\r\n", id);  // the id differs per session: its line goes
      return fields_sorted(head.erase(id, end == std::string::npos ? end : end + 2 - id));
    };
    CHECK(head_of("") == head_of("Accept-Encoding: identity\r\n"));
    auto error_of = [&](const std::string& extra) {
      return fields_sorted(
          exchange(server.port(), post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", extra), 1));
    };
    CHECK(error_of("").rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(error_of("") == error_of("Accept-Encoding: identity\r\n"));
  }
  SUBCASE("a plain POST whose answer streams (progress) is sent chunked, event by event") {
    std::string init = exchange(server.port(), post(init_body("2025-11-25"), ""), 1);
    const std::size_t at = init.find("Mcp-Session-Id: ");
    REQUIRE(at != std::string::npos);
    const std::string sid = init.substr(at + 16, 32);
    const std::string session = "Mcp-Session-Id: " + sid + "\r\nMCP-Protocol-Version: 2025-11-25\r\n";
    const std::string call =
        R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":"p"}}})";
    std::string got =
        exchange(server.port(), post(call, session) + "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 2);
    CHECK(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(got.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
    const std::size_t progress = got.find("notifications/progress");
    const std::size_t result = got.find("\"id\":7");
    CHECK(progress != std::string::npos);
    CHECK(result > progress);
    CHECK(got.find("\r\n0\r\n\r\n") != std::string::npos);              // the last chunk
    CHECK(got.find("HTTP/1.1 200 OK", 1) > got.find("\r\n0\r\n\r\n"));  // then the next response
  }
  SUBCASE("Connection: close ends the connection after the response") {
    const auto start = std::chrono::steady_clock::now();
    std::string got =
        exchange(server.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 2);
    CHECK(got.rfind("HTTP/1.1 200 ", 0) == 0);
    CHECK(got.find("HTTP/1.1 ", 1) == std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));  // closed, not timed out
  }
  SUBCASE("hostile input: an oversized header, a body over the limit, a head that never ends") {
    // A header line of 1 MB: refused (the reply may be lost to a reset, as the server closes
    // with our bytes unread), and the server still answers the next client.
    int big = connect_to(server.port());
    timeval five{5, 0};
    ::setsockopt(big, SOL_SOCKET, SO_SNDTIMEO, &five, sizeof five);
    const std::string huge =
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n";
    ::send(big, huge.data(), huge.size(), MSG_NOSIGNAL);  // may fail half-way: the server closed
    ::close(big);
    // A body over the limit: 413 at once, the body not read (http_hostile_test.cpp has more).
    const std::size_t too_long = server.options().max_body_bytes + 1;
    std::string over =
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Accept: application/json, text/event-stream\r\nContent-Length: " +
        std::to_string(too_long) + "\r\n\r\n" + std::string(1000, ' ');
    CHECK(exchange(server.port(), over, 1).rfind("HTTP/1.1 413 ", 0) == 0);
    // A head that stops half-way holds one connection, not the server.
    int stalled = connect_to(server.port());
    const std::string half = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    REQUIRE(::send(stalled, half.data(), half.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(half.size()));
    CHECK(exchange(server.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 1)
              .rfind("HTTP/1.1 200 ", 0) == 0);
    ::close(stalled);
  }
  SUBCASE("stopping the server ends an idle keep-alive connection at once, not after its timeout") {
    auto other = std::make_unique<HttpServer>();
    int fd = connect_to(other->port());
    CHECK(send_and_read(fd, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 1).rfind("HTTP/1.1 200 ", 0) ==
          0);
    const auto start = std::chrono::steady_clock::now();
    other.reset();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));  // keep-alive timeout: 5 s
    char byte;
    CHECK(::recv(fd, &byte, 1, 0) == 0);  // the server closed it
    ::close(fd);
  }
}

TEST_SUITE_END();
