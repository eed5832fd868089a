#include "mcp_probe/util/strings.h"

#include <doctest/doctest.h>

using namespace mcp_probe::util;

TEST_SUITE_BEGIN("unit");

TEST_CASE("util::strings") {
  SUBCASE("trim drops blanks and line ends on both sides only") {
    CHECK(trim("  a b\t\r\n") == "a b");
    CHECK(trim("\r\n\t x") == "x");
    CHECK(trim(" \t ").empty());
    CHECK(trim("").empty());
  }
  SUBCASE("iequals ignores ASCII case and nothing else") {
    CHECK(iequals("Content-Type", "content-type"));
    CHECK_FALSE(iequals("content-type", "content-typ"));
    CHECK_FALSE(iequals("a", "\xc3\x81"));
    CHECK(iequals("", ""));
    CHECK(iequals("MCP-PROTOCOL-VERSION", "mcp-protocol-version"));
    // Bytes 0x20 apart that are not one letter in two cases.
    CHECK_FALSE(iequals("@", "`"));
    CHECK_FALSE(iequals("[", "{"));
    CHECK_FALSE(iequals("\x10", "0"));
    CHECK_FALSE(iequals("\xc1", "\xe1"));
  }
  SUBCASE("to_lower and icontains") {
    CHECK(to_lower("Text/Event-Stream; Charset=UTF-8") == "text/event-stream; charset=utf-8");
    CHECK(icontains("Could not Resolve host", "resolve"));
    CHECK_FALSE(icontains("refused", "resolve"));
    CHECK(icontains("anything", ""));
  }
}
