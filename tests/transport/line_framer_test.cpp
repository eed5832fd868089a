#include "mcp_probe/transport/line_framer.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

TEST_SUITE_BEGIN("unit");

using mcp_probe::transport::FramedLine;
using mcp_probe::transport::LineFramer;

TEST_CASE("transport::LineFramer") {
  std::vector<FramedLine> out;
  SUBCASE("lines in any chunking, CRLF noted and stripped, blank lines kept") {
    LineFramer f(100);
    for (char c : std::string("a\r\n\nbc\nd")) f.feed(std::string(1, c), out);
    REQUIRE(out.size() == 3);
    CHECK(out[0].raw == "a");
    CHECK(out[0].crlf);
    CHECK(out[1].raw.empty());
    CHECK(out[2].raw == "bc");
    CHECK(f.pending_bytes() == 1);
    f.finish(out);
    REQUIRE(out.size() == 4);
    CHECK(out[3].raw == "d");
    CHECK_FALSE(out[3].terminated);
  }
  SUBCASE("an over-long line is one marker, its rest is discarded, the next line is normal") {
    LineFramer f(4);
    f.feed("12345", out);
    f.feed("6789", out);
    f.feed("0\nok\n", out);
    REQUIRE(out.size() == 2);
    CHECK(out[0].oversized);
    CHECK(out[0].raw.empty());
    CHECK(out[1].raw == "ok");
    CHECK_FALSE(out[1].oversized);
  }
  SUBCASE("a discarded line cut by the end of the stream yields nothing more") {
    LineFramer f(2);
    f.feed("abcdef", out);
    f.finish(out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].oversized);
  }
}
