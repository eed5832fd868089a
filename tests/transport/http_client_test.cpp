#include "mcp_probe/transport/http_client.h"

#include <curl/curl.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::transport;
using mcp_probe::util::Deadline;
using mcp_probe::util::ErrorKind;
using mcp_probe::util::Millis;

namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A port on 127.0.0.1 that was just bound and closed: nothing listens there.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("transport::describe_curl_error") {
  SUBCASE("DNS failure") {
    auto e = describe_curl_error(CURLE_COULDNT_RESOLVE_HOST, "http://no-such-host.invalid:9/mcp",
                                 "Could not resolve host: no-such-host.invalid");
    CHECK(e.kind == ErrorKind::io);
    CHECK(has(e.message, "cannot resolve host 'no-such-host.invalid'"));
  }
  SUBCASE("connection refused") {
    auto e = describe_curl_error(CURLE_COULDNT_CONNECT, "http://127.0.0.1:8080/mcp",
                                 "Failed to connect to 127.0.0.1 port 8080: Connection refused");
    CHECK(e.kind == ErrorKind::io);
    CHECK(has(e.message, "connection refused by 127.0.0.1:8080: nothing is listening there"));
    CHECK(has(e.message, "0.0.0.0"));
  }
  SUBCASE("TLS certificate problems suggest --cacert and --insecure") {
    auto e = describe_curl_error(CURLE_PEER_FAILED_VERIFICATION, "https://example.test/mcp",
                                 "SSL certificate problem: self-signed certificate");
    CHECK(has(e.message, "self-signed certificate"));
    CHECK(has(e.message, "--cacert"));
    CHECK(has(e.message, "--insecure"));
    auto h = describe_curl_error(CURLE_SSL_CONNECT_ERROR, "https://127.0.0.1:80/", "wrong version number");
    CHECK(has(h.message, "TLS handshake with 127.0.0.1:80 failed"));
  }
  SUBCASE("timeouts") {
    auto c = describe_curl_error(CURLE_OPERATION_TIMEDOUT, "http://10.0.0.1/mcp",
                                 "Connection timed out after 5000 milliseconds");
    CHECK(c.kind == ErrorKind::timeout);
    CHECK(has(c.message, "cannot connect to 10.0.0.1:80"));
    auto r = describe_curl_error(CURLE_OPERATION_TIMEDOUT, "http://h/mcp",
                                 "Operation timed out after 3001 milliseconds with 0 bytes received");
    CHECK(r.kind == ErrorKind::timeout);
  }
  SUBCASE("unsupported protocol and malformed URL") {
    auto u = describe_curl_error(CURLE_UNSUPPORTED_PROTOCOL, "ftp://h/x", "Protocol \"ftp\" not supported");
    CHECK(has(u.message, "unsupported protocol in URL 'ftp://h/x'"));
    auto m = describe_curl_error(CURLE_URL_MALFORMAT, "http://[::1/", "URL rejected: Bad IPv6 address");
    CHECK(has(m.message, "malformed URL 'http://[::1/'"));
  }
  SUBCASE("url_host_port") {
    CHECK(url_host_port("http://127.0.0.1:8080/mcp") == "127.0.0.1:8080");
    CHECK(url_host_port("https://user:pw@example.com/mcp") == "example.com:443");
    CHECK(url_host_port("http://[::1]:3000/") == "[::1]:3000");
    CHECK(url_host_port("http://h?x") == "h:80");
  }
}

TEST_CASE("transport::HttpClient") {
  SUBCASE("connection refused on a closed local port") {
    int port = closed_port();
    HttpClient client;
    HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(port) + "/mcp";
    req.body = "{}";
    auto r = client.perform(req, Deadline::after(Millis(5000)));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::io);
    CHECK(has(r.error().message, "connection refused by 127.0.0.1:" + std::to_string(port)));
  }
  SUBCASE("unsupported scheme") {
    HttpClient client;
    HttpRequest req;
    req.url = "nosuchscheme://127.0.0.1/";
    auto r = client.perform(req, Deadline::after(Millis(2000)));
    REQUIRE_FALSE(r);
    CHECK(has(r.error().message, "unsupported protocol"));
  }
}
