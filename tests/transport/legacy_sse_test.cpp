#include "mcp_probe/transport/legacy_sse.h"

#include <doctest/doctest.h>

TEST_SUITE_BEGIN("unit");

using mcp_probe::transport::resolve_url;

TEST_CASE("transport::resolve_url") {
  const std::string base = "http://h:1/a/b/sse?x=1";
  SUBCASE("absolute URL") { CHECK(resolve_url(base, "https://o/m?s=1") == "https://o/m?s=1"); }
  SUBCASE("absolute path") {
    CHECK(resolve_url(base, "/message?sessionId=15d6") == "http://h:1/message?sessionId=15d6");
  }
  SUBCASE("relative path") {
    CHECK(resolve_url(base, "messages?s=2") == "http://h:1/a/b/messages?s=2");
    CHECK(resolve_url(base, "../m") == "http://h:1/a/m");
    CHECK(resolve_url(base, "./m/./n/../o") == "http://h:1/a/b/m/o");
    CHECK(resolve_url("http://h", "m") == "http://h/m");
  }
  SUBCASE("network path, query only and RFC 3986 examples") {
    CHECK(resolve_url(base, "//other/p") == "http://other/p");
    CHECK(resolve_url(base, "?y=2") == "http://h:1/a/b/sse?y=2");
    const std::string rfc = "http://a/b/c/d;p?q";
    CHECK(resolve_url(rfc, "g") == "http://a/b/c/g");
    CHECK(resolve_url(rfc, "../../../g") == "http://a/g");
    CHECK(resolve_url(rfc, "g;x?y#s") == "http://a/b/c/g;x?y#s");
    CHECK(resolve_url(rfc, "") == "http://a/b/c/d;p?q");
    CHECK(resolve_url(rfc, "..") == "http://a/b/");
    CHECK(resolve_url(rfc, "/./g") == "http://a/g");
  }
}
