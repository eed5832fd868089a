// inspect_head (src/refserver/http_request.cpp): what a header block must pass before anything
// parses it.
#include <doctest/doctest.h>

#include "refserver/http_internal.h"

TEST_SUITE_BEGIN("unit");

using mcp_probe::refserver::http::head_end;
using mcp_probe::refserver::http::inspect_head;

namespace {

int status(const std::string& lines, std::size_t max_body = 100) {
  return inspect_head("POST /mcp HTTP/1.1\r\nHost: h\r\n" + lines + "\r\n", max_body).status;
}

}  // namespace

TEST_CASE("refserver::http::inspect_head") {
  SUBCASE("plain requests pass") {
    CHECK(status("") == 0);
    CHECK(status("Content-Length: 100\r\n") == 0);
    CHECK(status("Content-Length: 5\r\ncontent-length: 5\r\n") == 0);  // the same value twice
    CHECK(inspect_head("GET /health HTTP/1.0\r\n\r\n", 0).status == 0);
    const auto chunked = inspect_head("POST /mcp HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n", 0);
    CHECK(chunked.status == 0);
    CHECK(chunked.chunked);
  }
  SUBCASE("ambiguous framing: 400") {
    CHECK(status("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n") == 400);
    CHECK(status("Content-Length: 0\r\nContent-Length: 4\r\n") == 400);
    CHECK(status("Content-Length: 4, 4\r\n") == 400);
    CHECK(status("Content-Length: 0x4\r\n") == 400);
    CHECK(status("Content-Length:\r\n") == 400);
    CHECK(status("Transfer-Encoding: chunked, identity\r\n") == 400);
    CHECK(status("Transfer-Encoding: gzip\r\n") == 400);
    CHECK(inspect_head("POST /mcp HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 0).status == 400);
  }
  SUBCASE("malformed heads: 400, and what cpp-httplib would refuse") {
    CHECK(status("Content-Length : 4\r\n") == 400);
    CHECK(status(" folded\r\n") == 400);
    CHECK(status("no colon\r\n") == 400);
    CHECK(inspect_head("POST /mcp HTTP/2.0\r\n\r\n", 0).status == 400);
    CHECK(inspect_head("POST  HTTP/1.1\r\n\r\n", 0).status == 400);
    CHECK(inspect_head("FOO /mcp HTTP/1.1\r\n\r\n", 0).status == 501);
    CHECK(status("X: " + std::string(9000, 'a') + "\r\n") == 431);
    CHECK(inspect_head("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", 0).status == 414);
    CHECK(status("Transfer-Encoding: gzip, chunked\r\n") == 501);
  }
  SUBCASE("a bare CR or LF, or a NUL, anywhere in a value: 400") {
    // Values scanned eight bytes at a time: every position of a word and of the tail.
    const std::string value = "text/event-stream, application/json";
    CHECK(status("Accept: " + value + "\r\n") == 0);
    for (char bad : {'\r', '\n', '\0'}) {
      for (std::size_t at = 1; at + 1 < value.size(); ++at) {
        std::string broken = value;
        broken[at] = bad;
        CAPTURE(at);
        CHECK(status("Accept: " + broken + "\r\n") == 400);
      }
    }
    CHECK(status(std::string("X: a\x0b\x0c\x01\x7f\xff\r\n")) == 0);  // other control bytes pass
  }
  SUBCASE("a declared length over the limit: 413, however long its digits") {
    CHECK(status("Content-Length: 101\r\n") == 413);
    CHECK(status("Content-Length: 1073741824\r\n") == 413);
    CHECK(status("Content-Length: 99999999999999999999999999\r\n") == 413);
  }
  SUBCASE("head_end finds the blank line") {
    CHECK(head_end("GET / HTTP/1.1\r\n\r\nrest") == 18);
    CHECK(head_end("GET / HTTP/1.1\r\nHost: x\r\n") == std::string_view::npos);
    CHECK(head_end("GET / HTTP/1.1\r\nHost: x\r\n\r") == std::string_view::npos);
    CHECK(head_end("GET / HTTP/1.1\rX\r\n\r\r\n\r\n") == 23);  // bare CRs are not the blank line
    CHECK(head_end("\r\n\r\n") == 4);
    CHECK(head_end("") == std::string_view::npos);
  }
}

TEST_SUITE_END();
