#include "mcp_probe/transport/http_client.h"

#include <curl/curl.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "script_server.h"

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
  SUBCASE("a timeout names the phase: TCP connect, or a TLS handshake after TCP connected") {
    auto tcp = describe_curl_error(CURLE_OPERATION_TIMEDOUT, "https://example.test/mcp",
                                   "Connection timed out after 300 milliseconds");
    CHECK(tcp.kind == ErrorKind::timeout);
    CHECK(has(tcp.message, "no TCP connection"));
    auto tls = describe_curl_error(CURLE_OPERATION_TIMEDOUT, "https://example.test/mcp",
                                   "Connection timed out after 300 milliseconds", 0, true);
    CHECK(tls.kind == ErrorKind::timeout);
    CHECK(has(tls.message, "TLS handshake with example.test:443 did not finish in time"));
    CHECK_FALSE(has(tls.message, "no TCP connection"));
    auto plain = describe_curl_error(CURLE_OPERATION_TIMEDOUT, "http://example.test/mcp",
                                     "Operation timed out after 300 milliseconds", 0, true);
    CHECK(has(plain.message, "after connecting"));
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

namespace {

using mcp_probe::testing::ScriptServer;

const char* const k_json_reply =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
const char* const k_sse_head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n";

HttpClient client_for(HttpBackend backend, Tracer* tracer = nullptr) {
  HttpClientOptions o;
  o.backend = backend;
  o.tracer = tracer;
  return HttpClient(o);
}

HttpRequest post(const std::string& url, std::string body = "{}") {
  HttpRequest req;
  req.url = url;
  req.body = std::move(body);
  return req;
}

// The contract, exercised the same way on each back-end.
void client_contract(HttpBackend backend) {
  SUBCASE("connection refused on a closed local port") {
    int port = closed_port();
    auto r = client_for(backend).perform(post("http://127.0.0.1:" + std::to_string(port) + "/mcp"),
                                         Deadline::after(Millis(5000)));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::io);
    CHECK(has(r.error().message, "connection refused by 127.0.0.1:" + std::to_string(port)));
  }
  SUBCASE("unsupported scheme") {
    HttpRequest req;
    req.url = "nosuchscheme://127.0.0.1/";
    auto r = client_for(backend).perform(req, Deadline::after(Millis(2000)));
    REQUIRE_FALSE(r);
    CHECK(has(r.error().message, "unsupported protocol"));
  }
  SUBCASE("request bytes: exactly the given headers plus Host, User-Agent and Content-Length") {
    ScriptServer server({{k_json_reply, k_json_reply}});
    auto client = client_for(backend);
    HttpRequest req = post(server.url("/mcp?x=1"), "{\"a\":1}");
    req.headers = {{"X-Probe", "yes"}, {"Accept", "application/json"}, {"X-Empty", ""}};
    auto r = client.perform(req, Deadline::after(Millis(5000)));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "{\"ok\":true}");
    CHECK(r->content_type == "application/json");
    CHECK(r->end == HttpEnd::complete);
    CHECK(r->headers_at_ms >= r->started_at_ms);
    CHECK(r->done_at_ms >= r->headers_at_ms);
    HttpRequest del;
    del.method = "DELETE";
    del.url = server.url();
    del.headers = {{"User-Agent", "custom/1"}};
    REQUIRE(client.perform(del, Deadline::after(Millis(5000))));
    auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(server.accepted() == 1);  // keep-alive
    CAPTURE(seen[0]);
    CHECK(seen[0].rfind("POST /mcp?x=1 HTTP/1.1\r\n", 0) == 0);
    CHECK(has(seen[0], "\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"));
    CHECK(has(seen[0], "\r\nX-Probe: yes\r\n"));
    CHECK(has(seen[0], "\r\nAccept: application/json\r\n"));
    CHECK(has(seen[0], "\r\nUser-Agent: mcp-probe/"));
    CHECK(has(seen[0], "\r\nContent-Length: 7\r\n"));
    CHECK_FALSE(has(seen[0], "X-Empty"));
    CHECK_FALSE(has(seen[0], "Expect"));
    CHECK_FALSE(has(seen[0], "Content-Type"));
    CHECK(has(seen[0], "\r\n\r\n{\"a\":1}"));
    CAPTURE(seen[1]);
    CHECK(seen[1].rfind("DELETE /mcp HTTP/1.1\r\n", 0) == 0);
    CHECK(has(seen[1], "\r\nUser-Agent: custom/1\r\n"));
    CHECK_FALSE(has(seen[1], "Content-Length"));
    CHECK_FALSE(has(seen[1], "mcp-probe/"));
  }
  SUBCASE("chunked SSE with interim responses, extensions and trailers; stop at an event") {
    std::string reply =
        std::string("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n") + k_sse_head +
        "Transfer-Encoding: chunked\r\nMcp-Session-Id: S\r\n\r\n" + "7;ext=1\r\nid: 1\nd\r\n" +
        "E\r\nata: one\n\ndata\r\n" + "a\r\n: two\n\ndat\r\n" + "0\r\nX-Trailer: t\r\n\r\n";
    ScriptServer server({{reply}});
    int events_seen = 0;
    HttpHooks hooks;
    int head_calls = 0;
    hooks.on_headers = [&](const HttpResponse& head) {
      ++head_calls;
      CHECK(head.status == 200);
      CHECK(head.sse);
      CHECK(head.events.empty());
    };
    hooks.on_event = [&](const SseEvent&, const SseArrival& arrival) {
      CHECK(arrival.at_ms > 0);
      return ++events_seen < 2;
    };
    auto r = client_for(backend).perform(post(server.url()), Deadline::after(Millis(5000)), hooks);
    REQUIRE(r);
    CHECK(head_calls == 1);
    CHECK(r->status == 200);
    CHECK(find_header(r->headers, "mcp-session-id") == "S");
    CHECK_FALSE(find_header(r->headers, "link"));
    REQUIRE(r->events.size() == 2);
    CHECK(r->events[0].data == "one");
    CHECK(r->events[0].id == "1");
    CHECK(r->events[1].data == "two");
    CHECK(r->end == HttpEnd::stopped);
    CHECK(r->sse_partial_event);  // "dat" began a third event
    CHECK(r->first_event_at_ms > 0);
  }
  SUBCASE("HEAD and 204 have no body even with a Content-Length") {
    ScriptServer server(
        {{"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n"}});
    auto client = client_for(backend);
    HttpRequest head;
    head.method = "HEAD";
    head.url = server.url();
    auto h = client.perform(head, Deadline::after(Millis(5000)));
    REQUIRE(h);
    CHECK(h->status == 200);
    CHECK(h->body.empty());
    auto n = client.perform(post(server.url()), Deadline::after(Millis(5000)));
    REQUIRE(n);
    CHECK(n->status == 204);
    CHECK(server.accepted() == 1);
  }
  SUBCASE("a server that never answers: timeout within the deadline") {
    ScriptServer server({{ScriptServer::k_hang}});
    auto start = std::chrono::steady_clock::now();
    auto r = client_for(backend).perform(post(server.url()), Deadline::after(Millis(300)));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::timeout);
    CHECK(has(r.error().message, "no response headers within"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  }
  SUBCASE("an SSE stream open at the deadline keeps what arrived; a JSON body does not") {
    ScriptServer server(
        {{std::string(k_sse_head) + "\r\ndata: a\n\ndata: b" + ScriptServer::k_hang},
         {std::string("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"a\"") + ScriptServer::k_hang}});
    auto client = client_for(backend);
    auto r = client.perform(post(server.url()), Deadline::after(Millis(300)));
    REQUIRE(r);
    CHECK(r->end == HttpEnd::deadline);
    REQUIRE(r->events.size() == 1);
    CHECK(r->sse_partial_event);
    auto j = client.perform(post(server.url()), Deadline::after(Millis(300)));
    REQUIRE_FALSE(j);
    CHECK(j.error().kind == ErrorKind::timeout);
    CHECK(has(j.error().message, "response body not complete"));
  }
  SUBCASE("an SSE flood reaches the callback whole but the response keeps a bounded sample") {
    const std::size_t flood = 3000;
    std::string events;
    for (std::size_t i = 0; i < flood; ++i)
      events += "id: " + std::to_string(i) + "\ndata: " + std::string(1000, 'x') + "\n\n";
    events += "retry: 250\n\n";
    ScriptServer server({{std::string(k_sse_head) + "Content-Length: " + std::to_string(events.size()) +
                          "\r\n\r\n" + events}});
    std::size_t seen = 0;
    HttpHooks hooks;
    hooks.on_event = [&](const SseEvent&, const SseArrival&) { return ++seen > 0; };
    auto r = client_for(backend).perform(post(server.url()), Deadline::after(Millis(5000)), hooks);
    REQUIRE(r);
    CHECK(seen == flood);
    CHECK(r->events.size() <= k_sse_events_sample);
    CHECK(r->events.size() + r->events_dropped == flood);
    CHECK(r->body.size() == k_sse_body_sample);
    CHECK(r->sse_last_event_id == std::to_string(flood - 1));
    CHECK(r->sse_retry_ms == 250);
  }
  SUBCASE("size limits and broken responses are io errors") {
    ScriptServer server({{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x')},
                         {"this is not HTTP\r\n\r\n"},
                         {ScriptServer::k_close},
                         {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"}});
    HttpClientOptions o;
    o.backend = backend;
    o.max_body_bytes = 10;
    HttpClient client(o);
    auto big = client.perform(post(server.url()), Deadline::after(Millis(5000)));
    REQUIRE_FALSE(big);
    CHECK(big.error().kind == ErrorKind::io);
    CHECK(has(big.error().message, "exceeds the limit of 10 bytes"));
    auto garbage = client.perform(post(server.url()), Deadline::after(Millis(5000)));
    REQUIRE_FALSE(garbage);
    CHECK(garbage.error().kind == ErrorKind::io);
    auto nothing = client.perform(post(server.url()), Deadline::after(Millis(5000)));
    REQUIRE_FALSE(nothing);
    CHECK(has(nothing.error().message, "closed the connection without sending a response"));
    auto partial = client.perform(post(server.url()), Deadline::after(Millis(5000)));
    REQUIRE_FALSE(partial);
    CHECK(has(partial.error().message, "ended before its declared length"));
  }
  SUBCASE("cancel from another thread ends a blocked stream") {
    ScriptServer server(
        {{std::string(k_sse_head) + "\r\ndata: a\n\n" + ScriptServer::k_hang}, {ScriptServer::k_hang}});
    auto client = client_for(backend);
    HttpCancel cancel;
    HttpHooks hooks;
    hooks.cancel = &cancel;
    std::thread canceller;
    hooks.on_event = [&](const SseEvent&, const SseArrival&) {
      canceller = std::thread([&cancel] { cancel.cancel(); });
      return true;
    };
    auto start = std::chrono::steady_clock::now();
    auto r = client.perform(post(server.url()), Deadline::never(), hooks);
    canceller.join();
    REQUIRE(r);
    CHECK(r->end == HttpEnd::cancelled);
    CHECK(r->events.size() == 1);
    HttpCancel early;
    HttpHooks before;
    before.cancel = &early;
    std::thread late([&early] {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(50));  // most likely blocked by then; either works
      early.cancel();
    });
    auto c = client.perform(post(server.url()), Deadline::never(), before);
    late.join();
    REQUIRE_FALSE(c);
    CHECK(c.error().kind == ErrorKind::closed);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  }
}

// The trace of an exchange with every field that a sink could print, timestamps and ids aside.
std::vector<std::string> trace_of(HttpBackend backend, const std::vector<std::string>& replies) {
  ScriptServer server{replies};
  Tracer tracer;
  tracer.add_secret("SECRET");
  std::vector<std::string> out;
  tracer.add_sink([&](const TraceEvent& e) {
    std::string body = e.body;
    if (e.direction == Direction::info) std::erase_if(body, [](char c) { return c >= '0' && c <= '9'; });
    std::string line = std::string(to_string(e.direction)) + "|" + e.channel + "|" + e.http_method + "|" +
                       std::to_string(e.http_status) + "|" + e.sse_event + "|" + e.sse_id + "|" + body + "|";
    line += e.url.substr(e.url.find("/mcp"));
    for (const auto& [k, v] : e.headers) line += "|" + k + "=" + v;
    out.push_back(line);
  });
  auto client = client_for(backend, &tracer);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    HttpRequest req = post(server.url(), "{\"token\":\"SECRET\"}");
    req.headers = {{"Authorization", "Bearer SECRET"}};
    (void)client.perform(req, Deadline::after(Millis(300)));
  }
  return out;
}

}  // namespace

TEST_CASE("transport::HttpClient") {
  SUBCASE("native") { client_contract(HttpBackend::native); }
  SUBCASE("curl") { client_contract(HttpBackend::curl); }
}

TEST_CASE("transport::HttpClient traces the same on both back-ends") {
  std::string events = "id: 7\nevent: m\ndata: SECRET\n\n\n\n";
  std::vector<std::string> replies = {
      k_json_reply,
      std::string(k_sse_head) + "Content-Length: " + std::to_string(events.size()) + "\r\n\r\n" + events,
      "HTTP/1.1 404 Not Found\r\nSet-Cookie: a=b\r\nContent-Length: 0\r\n\r\n",
      std::string(ScriptServer::k_hang),
  };
  auto native = trace_of(HttpBackend::native, replies);
  auto curl = trace_of(HttpBackend::curl, replies);
  CHECK(native.size() == 9);  // send + receive, send + head + event, send + receive, send + info
  CHECK(native == curl);
  for (const auto& line : native) {
    CAPTURE(line);
    CHECK_FALSE(has(line, "SECRET"));
  }
}

TEST_CASE("transport::HttpClient names a stalled TLS handshake") {
  // A listener that accepts and never speaks: TCP connects, the TLS handshake never completes.
  ScriptServer server({{ScriptServer::k_hang}});
  HttpClientOptions o;
  o.connect_timeout = Millis(300);
  HttpClient client(o);
  auto r = client.perform(post("https://127.0.0.1:" + std::to_string(server.port()) + "/mcp"),
                          Deadline::after(Millis(5000)));
  REQUIRE_FALSE(r);
  CAPTURE(r.error().message);
  CHECK(r.error().kind == ErrorKind::timeout);
  CHECK(has(r.error().message, "TLS handshake with 127.0.0.1:" + std::to_string(server.port())));
  CHECK_FALSE(has(r.error().message, "no TCP connection"));
}

TEST_CASE("transport::HttpClient refuses CR and LF in headers") {
  HttpClient client;
  HttpRequest request;
  request.url = "http://127.0.0.1:1/mcp";
  request.headers = {{"X-A", "1\r\nX-Injected: 2"}};
  auto r = client.perform(request, mcp_probe::util::Deadline::after(mcp_probe::util::Millis(2000)), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == mcp_probe::util::ErrorKind::usage);
  CHECK(r.error().message.find("X-A") != std::string::npos);
  request.headers = {{"X-A\nX-B", "1"}};
  CHECK_FALSE(client.perform(request, mcp_probe::util::Deadline::after(mcp_probe::util::Millis(2000)), {}));
}
