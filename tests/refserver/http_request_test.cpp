// src/refserver/http_request.cpp without a socket: parse_request (framing and the RFC 9112
// section 6.3 rejects), the chunked decoder fed byte by byte, and the plain-POST fast path.
#include <doctest/doctest.h>

#include <string>

#include "refserver/http_request.h"

TEST_SUITE_BEGIN("unit");

namespace http = mcp_probe::refserver::http;
using Kind = http::ParseResult::Kind;

namespace {

const std::string k_hidden = "GET /health HTTP/1.1\r\nHost: h\r\n\r\n";

http::ParseResult parse(const std::string& bytes, std::size_t max_body = 100) {
  return http::parse_request(bytes, max_body);
}

int rejected(const std::string& bytes, std::size_t max_body = 100) {
  const auto result = parse(bytes, max_body);
  return result.kind == Kind::reject ? result.status : 0;
}

std::string post(const std::string& framing, const std::string& rest = "") {
  return "POST /mcp HTTP/1.1\r\nHost: h\r\n" + framing + "\r\n" + rest;
}

}  // namespace

TEST_CASE("refserver::http::parse_request") {
  SUBCASE("a Content-Length request, and the one pipelined after it") {
    const std::string first = post("Content-Length: 4\r\nConnection: close\r\n", "abcd");
    const auto result = parse("\r\n" + first + k_hidden);
    REQUIRE(result.kind == Kind::request);
    CHECK(result.consumed == first.size() + 2);  // the blank line before it too
    CHECK(result.request.method == "POST");
    CHECK(result.request.target == "/mcp");
    CHECK(result.request.version == "HTTP/1.1");
    CHECK(result.request.body == "abcd");
    CHECK(result.request.close);
    CHECK_FALSE(result.chunked);
    REQUIRE(result.request.headers.size() == 3);
    CHECK(result.request.headers[1] == std::pair<std::string, std::string>{"Content-Length", "4"});
    const auto next = parse(k_hidden);
    REQUIRE(next.kind == Kind::request);
    CHECK(next.request.method == "GET");
    CHECK(next.request.body.empty());
  }
  SUBCASE("need more: an unfinished head or body") {
    CHECK(parse("POST /mcp HTTP/1.1\r\nHost: h\r\n").kind == Kind::need_more);
    CHECK(parse(post("Content-Length: 4\r\n", "abc")).kind == Kind::need_more);
    CHECK(parse(post("Transfer-Encoding: chunked\r\n", "4\r\nabcd\r\n")).kind == Kind::need_more);
    CHECK(parse("").kind == Kind::need_more);
  }
  SUBCASE("RFC 9112 6.3: Transfer-Encoding with Content-Length is refused, whatever follows") {
    CHECK(rejected(post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n" + k_hidden)) ==
          400);
    CHECK(rejected(post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n" + k_hidden)) ==
          400);
  }
  SUBCASE("RFC 9112 6.3: differing or invalid Content-Lengths are refused") {
    CHECK(rejected(post("Content-Length: 0\r\nContent-Length: 33\r\n", k_hidden)) == 400);
    CHECK(rejected(post("Content-Length: 1x\r\n", "x")) == 400);
    CHECK(rejected(post("Content-Length: -1\r\n")) == 400);
    CHECK(rejected(post("Content-Length: +4\r\n", "abcd")) == 400);
    CHECK(rejected(post("Content-Length: 4, 4\r\n", "abcd")) == 400);
    // The same value twice is one length.
    CHECK(parse(post("Content-Length: 4\r\ncontent-length: 4\r\n", "abcd")).kind == Kind::request);
  }
  SUBCASE("RFC 9112 6.3: chunked not last, or under HTTP/1.0, is refused; other codings are not decoded") {
    CHECK(rejected(post("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n")) == 400);
    CHECK(rejected(post("Transfer-Encoding: gzip\r\n")) == 400);
    CHECK(rejected("POST /mcp HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == 400);
    CHECK(rejected(post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n")) == 501);
  }
  SUBCASE("malformed heads") {
    CHECK(rejected(post("Transfer-Encoding : chunked\r\n")) == 400);
    CHECK(rejected(post(" folded\r\n")) == 400);
    CHECK(rejected("FOO /mcp HTTP/1.1\r\n\r\n") == 501);
    CHECK(rejected("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n") == 414);
    CHECK(rejected(post("X: " + std::string(9000, 'a') + "\r\n")) == 431);
    // No blank line within k_max_head.
    CHECK(rejected("GET / HTTP/1.1\r\nX: " + std::string(http::k_max_head, 'a')) == 431);
  }
  SUBCASE("bodies over the limit however framed: 413") {
    CHECK(rejected(post("Content-Length: 101\r\n")) == 413);
    CHECK(rejected(post("Content-Length: 99999999999999999999999\r\n")) == 413);
    CHECK(rejected(post("Transfer-Encoding: chunked\r\n", "65\r\n")) == 413);  // 101 bytes
    CHECK(rejected(post("Transfer-Encoding: chunked\r\n", "ffffffffffffffff\r\n")) == 413);
    CHECK(rejected(post("Transfer-Encoding: chunked\r\n", "32\r\n" + std::string(50, 'a') + "\r\n33\r\n")) ==
          413);
  }
  SUBCASE("a chunked body is decoded and the trailers dropped") {
    const std::string bytes = post("Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n",
                                   "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n");
    const auto result = parse(bytes + k_hidden);
    REQUIRE(result.kind == Kind::request);
    CHECK(result.chunked);
    CHECK(result.request.body == "abcde");
    CHECK(result.consumed == bytes.size());
    CHECK(http::expects_continue(bytes.substr(0, http::head_end(bytes))));
    const std::string wire = http::dechunked_request(bytes.substr(0, http::head_end(bytes)), "abcde");
    CHECK(wire == "POST /mcp HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcde");
  }
  SUBCASE("broken chunked framing: 400") {
    CHECK(rejected(post("Transfer-Encoding: chunked\r\n", "4\r\nabcdX\r\n0\r\n\r\n")) == 400);
    CHECK(rejected(post("Transfer-Encoding: chunked\r\n", "zz\r\n")) == 400);
    CHECK(rejected(post("Transfer-Encoding: chunked\r\n", "\r\n")) == 400);
    CHECK(rejected(post("Transfer-Encoding: chunked\r\n", std::string(1100, '0'))) == 400);  // no line end
  }
}

TEST_CASE("refserver::http::ChunkedDecoder") {
  SUBCASE("fed one byte at a time, it decodes what it is fed whole") {
    const std::string body = "5\r\nhello\r\n6\r\n world\r\n0\r\nX: y\r\n\r\nNEXT";
    http::ChunkedDecoder decoder(100);
    std::string pending;
    std::size_t used = 0;
    for (char c : body) {
      if (decoder.done()) break;
      pending += c;
      const std::size_t n = decoder.feed(pending);
      pending.erase(0, n);
      used += n;
      REQUIRE(decoder.status() == 0);
    }
    REQUIRE(decoder.done());
    CHECK(decoder.body() == "hello world");
    CHECK(body.substr(used) == "NEXT");
  }
  SUBCASE("trailers are bounded") {
    http::ChunkedDecoder decoder(100);
    std::string trailers = "0\r\n";
    for (int i = 0; i < 40; ++i) trailers += "X: " + std::string(1000, 'a') + "\r\n";
    decoder.feed(trailers);
    CHECK(decoder.status() == 400);
  }
}

TEST_CASE("refserver::http::parse_plain_post") {
  http::ParsedRequest out;
  SUBCASE("a plain POST, whole") {
    const std::string bytes = post("Content-Length: 2\r\n", "{}") + k_hidden;
    CHECK(http::parse_plain_post(bytes, "/mcp", 100, out) == bytes.size() - k_hidden.size());
    CHECK(out.body == "{}");
    CHECK(out.target == "/mcp");
  }
  SUBCASE("anything else is the general parser's") {
    CHECK(http::parse_plain_post(post("Content-Length: 4\r\n", "ab"), "/mcp", 100, out) == 0);
    CHECK(http::parse_plain_post(post("Transfer-Encoding: chunked\r\n", "0\r\n\r\n"), "/mcp", 100, out) == 0);
    CHECK(http::parse_plain_post(post("Content-Length: 2\r\nContent-Length: 2\r\n", "{}"), "/mcp", 100,
                                 out) == 0);
    CHECK(http::parse_plain_post(post("Content-Length: 200\r\n"), "/mcp", 100, out) == 0);
    CHECK(http::parse_plain_post("POST /other HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "/mcp", 100, out) == 0);
  }
}

TEST_CASE("refserver::http::reason_phrase") {
  SUBCASE("every refusal's status line names its status") {
    CHECK(http::refusal(400).rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(http::refusal(408).rfind("HTTP/1.1 408 Request Timeout\r\n", 0) == 0);
    CHECK(http::refusal(413).rfind("HTTP/1.1 413 Payload Too Large\r\n", 0) == 0);
    CHECK(http::refusal(414).rfind("HTTP/1.1 414 URI Too Long\r\n", 0) == 0);
    CHECK(http::refusal(431).rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0) == 0);
    CHECK(http::refusal(501).rfind("HTTP/1.1 501 Not Implemented\r\n", 0) == 0);
    CHECK(http::refusal(505).rfind("HTTP/1.1 505 HTTP Version Not Supported\r\n", 0) == 0);
  }
  SUBCASE("the routes' statuses, and a class's phrase for a code not in the table") {
    CHECK(std::string(http::reason_phrase(202)) == "Accepted");
    CHECK(std::string(http::reason_phrase(405)) == "Method Not Allowed");
    CHECK(std::string(http::reason_phrase(415)) == "Unsupported Media Type");
    CHECK(std::string(http::reason_phrase(499)) == "Bad Request");
    CHECK(std::string(http::reason_phrase(599)) == "Internal Server Error");
  }
}
