#include "transport/http_native.h"

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "script_server.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::transport;
using namespace mcp_probe::transport::native;
using mcp_probe::testing::ScriptServer;
using mcp_probe::util::Deadline;
using mcp_probe::util::ErrorKind;
using mcp_probe::util::Millis;
using State = ResponseParser::State;

namespace {

// Records what the parser hands to the sink.
struct Recorder {
  std::vector<std::string> lines;
  std::string body;
  std::size_t abort_after = std::string::npos;  // body bytes after which body() returns false
  Sink sink;
  Recorder() {
    sink.header_line = [this](std::string_view l) { lines.emplace_back(l); };
    sink.body = [this](std::string_view c) {
      body.append(c);
      return body.size() < abort_after;
    };
  }
};

// Feeds `bytes` one byte at a time (the worst split), then optionally EOF.
State feed_bytewise(ResponseParser& p, const std::string& bytes) {
  State s = p.state();
  for (char c : bytes) s = p.feed(std::string_view(&c, 1));
  return s;
}

}  // namespace

TEST_CASE("transport::native::parse_http_url") {
  auto u = parse_http_url("http://127.0.0.1:8080/mcp?x=1#frag");
  REQUIRE(u);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 8080);
  CHECK(u->authority == "127.0.0.1:8080");
  CHECK(u->target == "/mcp?x=1");
  CHECK(u->normalized == "http://127.0.0.1:8080/mcp?x=1");
  auto v6 = parse_http_url("HTTP://[::1]:3000");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->authority == "[::1]:3000");
  CHECK(v6->target == "/");
  auto q = parse_http_url("http://localhost?a=b");
  REQUIRE(q);
  CHECK(q->port == 80);
  CHECK(q->target == "/?a=b");
  // Left to curl: another scheme, credentials, zone ids, bad ports, spaces.
  CHECK_FALSE(parse_http_url("https://127.0.0.1/"));
  CHECK_FALSE(parse_http_url("http://user:pw@127.0.0.1/"));
  CHECK_FALSE(parse_http_url("http://[fe80::1%25eth0]/"));
  CHECK_FALSE(parse_http_url("http://h:99999/"));
  CHECK_FALSE(parse_http_url("http://h:0/"));
  CHECK_FALSE(parse_http_url("http://h/a b"));
  CHECK_FALSE(parse_http_url("http:///x"));
}

TEST_CASE("transport::native::format_request") {
  auto u = parse_http_url("http://127.0.0.1:9/mcp");
  REQUIRE(u);
  Headers h = {{"Accept", "text/event-stream"}, {"X-Gone", " "}};
  CHECK(format_request("POST", *u, h, "", true) ==
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:9\r\nAccept: text/event-stream\r\nContent-Length: 0\r\n\r\n");
  CHECK(format_request("GET", *u, {{"Host", "other"}}, "", false) ==
        "GET /mcp HTTP/1.1\r\nHost: other\r\n\r\n");
}

TEST_CASE("transport::native::ResponseParser") {
  Recorder r;
  SUBCASE("chunked, split at every byte: extensions, upper-case hex, bare LF, trailers") {
    ResponseParser p(r.sink, false);
    std::string wire =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
        "5;name=value;x\r\nhello\r\n"
        "A  ; ext\r\n0123456789\r\n"
        "1\nZ\n"
        "0\r\nTrailer-One: 1\r\nTrailer-Two: 2\r\n\r\n";
    CHECK(feed_bytewise(p, wire) == State::done);
    CHECK(r.body == "hello0123456789Z");
    CHECK(p.reusable());
    REQUIRE(r.lines.size() == 6);
    CHECK(r.lines[0] == "HTTP/1.1 200 OK\r\n");
    CHECK(r.lines[2] == "\r\n");
    CHECK(r.lines[3] == "Trailer-One: 1\r\n");
  }
  SUBCASE("an empty chunked body") {
    ResponseParser p(r.sink, false);
    CHECK(p.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == State::done);
    CHECK(r.body.empty());
  }
  SUBCASE("malformed chunks fail") {
    for (std::string bad : {"zz\r\n", "\r\n", "5 x\r\n", "3\r\nabcd\r\n", "11111111111111111\r\n"}) {
      CAPTURE(bad);
      Recorder rec;
      ResponseParser p(rec.sink, false);
      CHECK(p.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + bad) == State::failed);
      CHECK(p.code() == CURLE_WEIRD_SERVER_REPLY);
    }
  }
  SUBCASE("the connection closing early") {
    ResponseParser chunk(r.sink, false);
    chunk.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
    CHECK(chunk.eof() == State::failed);
    CHECK(chunk.code() == CURLE_PARTIAL_FILE);
    Recorder r2;
    ResponseParser length(r2.sink, false);
    length.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab");
    CHECK(length.eof() == State::failed);
    CHECK(length.error() == "transfer closed with 3 bytes remaining to read");
    Recorder r3;
    ResponseParser head(r3.sink, false);
    head.feed("HTTP/1.1 200 OK\r\nContent-");
    CHECK(head.eof() == State::failed);
    CHECK(head.code() == CURLE_RECV_ERROR);
    Recorder r4;
    ResponseParser nothing(r4.sink, false);
    CHECK(nothing.eof() == State::failed);
    CHECK(nothing.code() == CURLE_GOT_NOTHING);
  }
  SUBCASE("a body until close is complete at EOF but ends the connection") {
    ResponseParser p(r.sink, false);
    CHECK(p.feed("HTTP/1.1 200 OK\r\n\r\nsome") == State::body);
    CHECK(p.eof() == State::done);
    CHECK(r.body == "some");
    CHECK_FALSE(p.reusable());
  }
  SUBCASE("keep-alive rules") {
    auto reusable = [](const std::string& wire) {
      Recorder rec;
      ResponseParser p(rec.sink, false);
      return p.feed(wire) == State::done && p.reusable();
    };
    CHECK(reusable("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    CHECK_FALSE(reusable("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
    CHECK_FALSE(reusable("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
    CHECK(reusable("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"));
    CHECK_FALSE(reusable("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab"));  // extra bytes
  }
  SUBCASE("interim responses are passed on and skipped; 304 and HEAD have no body") {
    ResponseParser p(r.sink, false);
    CHECK(p.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n") ==
          State::done);
    CHECK(r.lines.size() == 5);
    Recorder r2;
    ResponseParser head(r2.sink, true);
    CHECK(head.feed("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n") == State::done);
    CHECK(head.reusable());
  }
  SUBCASE("garbage, bad lengths and huge headers fail at once") {
    for (std::string bad :
         std::vector<std::string>{"SSH-2.0-OpenSSH\r\n", "HTTP/2 200\r\n", "HTTP/1.1 2000 OK\r\n",
                                  "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n",
                                  "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n",
                                  "HTTP/1.1 200 OK\r\nno colon here\r\n",
                                  "HTTP/1.1 200 OK\r\nX: " + std::string(300 * 1024, 'a')}) {
      CAPTURE(bad.substr(0, 60));
      Recorder rec;
      ResponseParser p(rec.sink, false);
      CHECK(p.feed(bad) == State::failed);
      CHECK(p.code() == CURLE_WEIRD_SERVER_REPLY);
    }
  }
  SUBCASE("the sink can abort") {
    r.abort_after = 3;
    ResponseParser p(r.sink, false);
    CHECK(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789") == State::aborted);
  }
}

TEST_CASE("transport::HttpClient native keep-alive") {
  const char* ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  HttpClientOptions o;
  o.backend = HttpBackend::native;
  HttpClient client(o);
  HttpRequest req;
  req.url = "";
  auto run = [&](ScriptServer& server) {
    req.url = server.url();
    return client.perform(req, Deadline::after(Millis(3000)));
  };
  drop_idle_connections();
  SUBCASE("a reused connection the server closed unanswered: retried once on a fresh one") {
    ScriptServer server({{ok, ScriptServer::k_close}, {ok}});
    REQUIRE(run(server));
    auto second = run(server);
    REQUIRE(second);
    CHECK(second->body == "ok");
    CHECK(server.accepted() == 2);
    CHECK(server.requests().size() == 3);
  }
  SUBCASE("a connection closed while idle is not reused") {
    ScriptServer server({{ok}, {ok}});
    REQUIRE(run(server));
    auto second = run(server);
    REQUIRE(second);
    CHECK(server.accepted() == 2);
  }
  SUBCASE("no retry once part of the response arrived") {
    ScriptServer server({{ok, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"}});
    REQUIRE(run(server));
    auto second = run(server);
    REQUIRE_FALSE(second);
    CHECK(second.error().kind == ErrorKind::io);
    CHECK(server.accepted() == 1);
  }
  SUBCASE("no retry on a fresh connection") {
    ScriptServer server({{ScriptServer::k_close}});
    auto r = run(server);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("closed the connection without sending a response") != std::string::npos);
    CHECK(server.accepted() == 1);
  }
  SUBCASE("localhost is reached without DNS") {
    ScriptServer server({{ok}});
    req.url = "http://localhost:" + std::to_string(server.port()) + "/mcp";
    auto r = client.perform(req, Deadline::after(Millis(3000)));
    REQUIRE(r);
    CHECK(r->effective_url == req.url);
  }
  drop_idle_connections();
}
