// The header helpers of mcp-refserver's HTTP front-ends (http_frontend.cpp).
#include <doctest/doctest.h>

#include <algorithm>

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
  SUBCASE("localhost hosts and origins, any case, with a numeric port or none") {
    for (const char* host : {"localhost", "LocalHost:8080", "127.0.0.1", "127.0.0.1:1", "[::1]:3000"}) {
      CAPTURE(host);
      CHECK(is_localhost_host(host));
    }
    for (const char* host : {"", "localhost:", "localhost:80a", "localhostx", "localhost.evil.com",
                             "evil.com", "127.0.0.10", "[::1]x"}) {
      CAPTURE(host);
      CHECK_FALSE(is_localhost_host(host));
    }
    CHECK(is_localhost_origin("HTTP://LocalHost:3000"));
    CHECK(is_localhost_origin("https://127.0.0.1"));
    CHECK_FALSE(is_localhost_origin("http://localhost.evil.com"));
    CHECK_FALSE(is_localhost_origin("localhost"));
  }
  SUBCASE("header: one lookup, any case, nullopt when absent") {
    httplib::Request req;
    req.headers.emplace("Mcp-Session-Id", "abc");
    REQUIRE(header(req, "mcp-session-id").has_value());
    CHECK(*header(req, "MCP-SESSION-ID") == "abc");
    CHECK_FALSE(header(req, "Origin").has_value());
  }
}

namespace {

// The response helpers see both places a field can be: a PlainResponse's list and the map.
void check_response_fields(httplib::Response& res) {
  add_constant_header(res, "Cache-Control", "no-cache");
  std::string id = "0123456789abcdef0123456789abcdef";
  add_header(res, "Mcp-Session-Id", id);
  id.assign(id.size(), 'x');  // add_header copied it
  add_header(res, "X-Bad", "a\r\nInjected: 1");
  CHECK(has_header(res, "mcp-session-id"));
  CHECK_FALSE(has_header(res, "X-Bad"));  // dropped, as Response::set_header drops it
  set_body(res, "{}", "application/json");
  set_body(res, "{}", "text/event-stream");  // replaces the Content-Type
  res.headers.emplace("Vary", "Origin");     // a route that writes the map itself
  CHECK(has_header(res, "vary"));
  erase_header(res, "Cache-Control");
  CHECK_FALSE(has_header(res, "Cache-Control"));
}

}  // namespace

TEST_CASE("refserver::http response fields") {
  using Fields = std::vector<std::pair<std::string, std::string>>;
  auto expected = Fields{{"Content-Type", "text/event-stream"},
                         {"Mcp-Session-Id", "0123456789abcdef0123456789abcdef"},
                         {"Vary", "Origin"}};
  SUBCASE("a plain response lists them") {
    PlainResponse plain;
    httplib::Response& res = plain.get();
    check_response_fields(res);
    Fields fields;
    for (const auto& [name, value] : plain) fields.emplace_back(name, value);
    for (const auto& [name, value] : res.headers) fields.emplace_back(name, value);
    std::sort(fields.begin(), fields.end());
    CHECK(fields == expected);
  }
  SUBCASE("any other response keeps them in its map") {
    httplib::Response res;
    check_response_fields(res);
    CHECK(Fields(res.headers.begin(), res.headers.end()) == expected);
  }
  SUBCASE("a full list goes on in the map") {
    PlainResponse plain;
    httplib::Response& res = plain.get();
    for (int i = 0; i < 12; ++i) add_constant_header(res, "X-Many", "1");
    CHECK(std::distance(plain.begin(), plain.end()) + res.headers.size() == 12);
    CHECK(res.headers.size() > 0);
  }
}

TEST_SUITE_END();
