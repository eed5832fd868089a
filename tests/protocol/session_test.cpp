#include "mcp_probe/protocol/session.h"

#include <doctest/doctest.h>

#include "mcp_probe/protocol/versions.h"
#include "support/fake_transport.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe;
using json::Json;

namespace {

// A tiny well-behaved server: answers every request with an empty result.
std::vector<std::string> echo_server(const std::string& sent) {
  Json m = Json::parse(sent);
  if (!m.contains("id") || !m.contains("method")) return {};
  Json result = Json::object();
  if (m["method"] == "initialize") {
    result = {{"protocolVersion", m["params"]["protocolVersion"]},
              {"capabilities", {{"tools", Json::object()}}},
              {"serverInfo", {{"name", "fake"}, {"version", "1"}}}};
  }
  return {json::dump(Json{{"jsonrpc", "2.0"}, {"id", m["id"]}, {"result", result}})};
}

}  // namespace

TEST_CASE("protocol::Session") {
  SUBCASE("initialize records the negotiated version, capabilities and sends initialized") {
    testing::FakeTransport t(echo_server);
    protocol::Session s(t, util::Millis(100));
    auto init = s.initialize("2025-06-18");
    REQUIRE(init);
    CHECK(s.protocol_version() == "2025-06-18");
    CHECK(s.server_capabilities().contains("tools"));
    CHECK(s.server_info()["name"] == "fake");
    REQUIRE(t.sent().size() == 2);
    CHECK(Json::parse(t.sent()[1])["method"] == "notifications/initialized");
  }
  SUBCASE("replies are matched by id; other messages are kept in order") {
    testing::FakeTransport t([](const std::string& sent) {
      Json m = Json::parse(sent);
      return std::vector<std::string>{R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}})",
                                      R"({"jsonrpc":"2.0","id":999,"result":{}})",
                                      json::dump(Json{{"jsonrpc", "2.0"}, {"id", m["id"]}, {"result", {{"ok", true}}}})};
    });
    protocol::Session s(t, util::Millis(100));
    auto ex = s.request("tools/list");
    REQUIRE(ex);
    REQUIRE(ex->reply);
    CHECK((*ex->reply->json)["result"]["ok"] == true);
    REQUIRE(ex->others.size() == 2);
    CHECK((*ex->others[0].json)["method"] == "notifications/message");
  }
  SUBCASE("a missing reply is a timeout without an error") {
    testing::FakeTransport t([](const std::string&) { return std::vector<std::string>{}; });
    protocol::Session s(t, util::Millis(20));
    auto ex = s.request("ping");
    REQUIRE(ex);
    CHECK_FALSE(ex->reply);
  }
  SUBCASE("a reply whose id changed type still answers, and same_id tells them apart") {
    testing::FakeTransport t([](const std::string& sent) {
      Json m = Json::parse(sent);
      return std::vector<std::string>{json::dump(Json{{"jsonrpc", "2.0"}, {"id", m["id"].dump()}, {"result", Json::object()}})};
    });
    protocol::Session s(t, util::Millis(100));
    auto ex = s.request("ping", Json::object(), Json(5));
    REQUIRE(ex);
    REQUIRE(ex->reply);
    CHECK_FALSE(protocol::same_id((*ex->reply->json)["id"], Json(5)));
    CHECK(protocol::same_id(Json(5), Json(5u)));
    CHECK_FALSE(protocol::same_id(Json(1), Json(1.0)));
  }
  SUBCASE("server requests are answered: ping with {}, others with -32601") {
    testing::FakeTransport t([](const std::string& sent) {
      Json m = Json::parse(sent);
      if (!m.contains("method")) return std::vector<std::string>{};
      return std::vector<std::string>{R"({"jsonrpc":"2.0","id":"s1","method":"ping"})",
                                      R"({"jsonrpc":"2.0","id":"s2","method":"roots/list"})",
                                      json::dump(Json{{"jsonrpc", "2.0"}, {"id", m["id"]}, {"result", Json::object()}})};
    });
    protocol::Session s(t, util::Millis(100));
    REQUIRE(s.request("ping"));
    REQUIRE(t.sent().size() == 3);
    Json pong = Json::parse(t.sent()[1]);
    CHECK(pong["id"] == "s1");
    CHECK(pong["result"] == Json::object());
    Json refused = Json::parse(t.sent()[2]);
    CHECK(refused["error"]["code"] == -32601);
  }
  SUBCASE("unparseable lines are kept with their parse error") {
    testing::FakeTransport t([](const std::string&) { return std::vector<std::string>{"Server started!"}; });
    protocol::Session s(t, util::Millis(20));
    auto ex = s.request("ping");
    REQUIRE(ex);
    REQUIRE(ex->others.size() == 1);
    CHECK_FALSE(ex->others[0].json);
    CHECK_FALSE(ex->others[0].parse_error.empty());
  }
  SUBCASE("an error to initialize is an Error naming it") {
    testing::FakeTransport t([](const std::string& sent) {
      Json m = Json::parse(sent);
      return std::vector<std::string>{json::dump(Json{{"jsonrpc", "2.0"}, {"id", m["id"]}, {"error", {{"code", -32602}, {"message", "bad version"}}}})};
    });
    protocol::Session s(t, util::Millis(100));
    auto init = s.initialize("2025-06-18");
    REQUIRE_FALSE(init);
    CHECK(init.error().message.find("bad version") != std::string::npos);
  }
}

TEST_CASE("protocol::versions") {
  CHECK(protocol::latest_version() == "2025-11-25");
  CHECK(protocol::at_least("2025-06-18", "2025-03-26"));
  CHECK_FALSE(protocol::at_least("2024-11-05", "2025-03-26"));
  CHECK_FALSE(protocol::at_least("bogus", "2024-11-05"));
  CHECK(protocol::result_definition("tools/call", "2024-11-05") == "CallToolResult");
  CHECK(protocol::server_request_definition("elicitation/create", "2025-03-26").empty());
  CHECK(protocol::error_response_definition("2025-11-25") == "JSONRPCErrorResponse");
  CHECK(protocol::result_response_definition("2025-06-18") == "JSONRPCResponse");
}
