// The header helpers of mcp-refserver's HTTP front-ends (http_frontend.cpp).
#include <doctest/doctest.h>

#include "refserver/http_internal.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::refserver::http;

TEST_CASE("refserver::http header helpers") {
  SUBCASE("accepts: exact types, wildcards, parameters, case and spaces") {
    CHECK(accepts("application/json, text/event-stream", "text/event-stream"));
    CHECK(accepts("application/json, text/event-stream", "application/json"));
    CHECK(accepts(" Text/Event-Stream ;q=0.9", "text/event-stream"));
    CHECK(accepts("*/*", "application/json"));
    CHECK(accepts("text/*", "text/event-stream"));
    CHECK(accepts("TEXT/*;q=1", "text/event-stream"));
    CHECK_FALSE(accepts("text/*", "application/json"));
    CHECK_FALSE(accepts("application/json", "text/event-stream"));
    CHECK_FALSE(accepts("", "application/json"));
    CHECK_FALSE(accepts("application/jsonx", "application/json"));
    CHECK_FALSE(accepts("text/**", "text/event-stream"));
  }
  SUBCASE("media_type_is ignores parameters and case") {
    CHECK(media_type_is("application/json", "application/json"));
    CHECK(media_type_is("Application/JSON; charset=utf-8", "application/json"));
    CHECK_FALSE(media_type_is("text/plain", "application/json"));
    CHECK_FALSE(media_type_is("", "application/json"));
  }
  SUBCASE("header: one lookup, any case, null when absent") {
    httplib::Request req;
    req.headers.emplace("Mcp-Session-Id", "abc");
    REQUIRE(header(req, "mcp-session-id") != nullptr);
    CHECK(*header(req, "MCP-SESSION-ID") == "abc");
    CHECK(header(req, "Origin") == nullptr);
  }
}

TEST_SUITE_END();
