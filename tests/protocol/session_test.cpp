#include "mcp_probe/protocol/session.h"

#include <doctest/doctest.h>

#include <deque>
#include <thread>

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
      return std::vector<std::string>{
          R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}})",
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
  SUBCASE("input that is dropped silently: the barrier's answer ends the wait, not the timeout") {
    bool answer_bad_lines = false;
    testing::FakeTransport t([&answer_bad_lines](const std::string& sent) {
      Json m = Json::parse(sent, nullptr, false);
      if (m.is_discarded()) {
        if (!answer_bad_lines) return std::vector<std::string>{};
        return std::vector<std::string>{
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}})"};
      }
      return echo_server(sent);
    });
    protocol::Session s(t, util::Millis(100));
    auto is_error = [](const protocol::Received& r) { return r.json && r.json->contains("error"); };
    auto dropped = s.send_and_wait_ordered("{\"jsonrpc\": ", is_error, util::Millis(5000), util::Millis(20));
    REQUIRE(dropped);
    CHECK_FALSE(dropped->reply);
    CHECK(dropped->barrier_answered);
    CHECK(dropped->elapsed_ms < 1000);
    CHECK(dropped->others.empty());  // the barrier's reply is consumed
    CHECK(dropped->ended_by == "no response, though the request sent after it was answered");
    REQUIRE(t.sent().size() == 2);
    CHECK(Json::parse(t.sent()[1])["method"] == "ping");

    answer_bad_lines = true;
    auto answered = s.send_and_wait_ordered("{\"jsonrpc\": ", is_error, util::Millis(5000), util::Millis(20));
    REQUIRE(answered);
    REQUIRE(answered->reply);
    CHECK((*answered->reply->json)["error"]["code"] == -32700);
    CHECK(answered->barrier_answered);
    CHECK(answered->others.empty());
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
      return std::vector<std::string>{
          json::dump(Json{{"jsonrpc", "2.0"}, {"id", m["id"].dump()}, {"result", Json::object()}})};
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
      return std::vector<std::string>{
          R"({"jsonrpc":"2.0","id":"s1","method":"ping"})",
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
      return std::vector<std::string>{json::dump(Json{
          {"jsonrpc", "2.0"}, {"id", m["id"]}, {"error", {{"code", -32602}, {"message", "bad version"}}}})};
    });
    protocol::Session s(t, util::Millis(100));
    auto init = s.initialize("2025-06-18");
    REQUIRE_FALSE(init);
    CHECK(init.error().message.find("bad version") != std::string::npos);
  }
}

namespace {

// A transport that replays a fixed list of receive() outcomes (messages and errors) after the
// first send, then reports `end` (a timeout unless set).
class ReplayTransport : public transport::Transport {
 public:
  transport::TransportKind kind() const override { return transport::TransportKind::stdio; }
  util::Expected<void> send(std::string_view, util::Deadline) override { return {}; }
  util::Expected<transport::Incoming> receive(util::Deadline deadline) override {
    if (m_script.empty() && m_hold) std::this_thread::sleep_until(deadline.at());
    if (m_script.empty()) return m_end;
    auto next = std::move(m_script.front());
    m_script.pop_front();
    return next;
  }
  void close() override {}
  void add(std::string raw) {
    transport::Incoming in;
    in.raw = std::move(raw);
    in.origin = transport::Origin::stdout_line;
    m_script.emplace_back(std::move(in));
  }
  void add_error(util::ErrorKind kind, std::string message) {
    m_script.emplace_back(util::make_error(kind, std::move(message)));
  }
  void end_with(util::ErrorKind kind, std::string message) {
    m_end = util::make_error(kind, std::move(message));
  }
  // When the script is used up, receive() waits for its deadline like a silent server.
  void hold_until_deadline() { m_hold = true; }

 private:
  std::deque<util::Expected<transport::Incoming>> m_script;
  util::Error m_end = util::make_error(util::ErrorKind::timeout, "nothing queued");
  bool m_hold = false;
};

const char* k_init_reply =
    R"({"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"x","version":"1"}}})";

}  // namespace

TEST_CASE("protocol::Session against a hostile server") {
  SUBCASE("a flood before the reply keeps a bounded sample and shows every message to the observer") {
    const std::size_t flood = 20000;
    testing::FakeTransport t([&](const std::string& sent) {
      Json m = Json::parse(sent);
      std::vector<std::string> lines(
          flood,
          R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}})");
      lines.push_back(json::dump(Json{{"jsonrpc", "2.0"}, {"id", m["id"]}, {"result", Json::object()}}));
      return lines;
    });
    protocol::Session s(t, util::Millis(1000));
    std::size_t observed = 0;
    s.set_observer([&](const protocol::Received&) { ++observed; });
    auto ex = s.request("ping");
    REQUIRE(ex);
    CHECK(ex->reply);
    CHECK(observed == flood + 1);
    CHECK(ex->others.size() == protocol::k_max_others);
    CHECK(ex->others.size() + ex->others_dropped == flood);
  }
  SUBCASE("the sample is bounded in bytes too") {
    testing::FakeTransport t([&](const std::string& sent) {
      Json m = Json::parse(sent);
      std::string big = json::dump(Json{{"jsonrpc", "2.0"},
                                        {"method", "notifications/message"},
                                        {"params", {{"level", "info"}, {"data", std::string(100000, 'x')}}}});
      std::vector<std::string> lines(50, big);
      lines.push_back(json::dump(Json{{"jsonrpc", "2.0"}, {"id", m["id"]}, {"result", Json::object()}}));
      return lines;
    });
    protocol::Session s(t, util::Millis(1000));
    auto ex = s.request("ping");
    REQUIRE(ex);
    std::size_t bytes = 0;
    for (const auto& r : ex->others) bytes += r.wire.raw.size();
    CHECK(bytes <= protocol::k_max_others_bytes);
    CHECK(ex->others.size() + ex->others_dropped == 50);
    CHECK(ex->others_dropped > 0);
  }
  SUBCASE("a line the transport discarded is reported and the reply after it is read") {
    ReplayTransport t;
    t.add_error(util::ErrorKind::protocol, "server wrote a stdout line longer than 16 MiB without a newline");
    t.add(k_init_reply);
    protocol::Session s(t, util::Millis(1000));
    std::vector<std::string> seen;
    s.set_observer([&](const protocol::Received& r) { seen.push_back(r.transport_error); });
    auto init = s.initialize("2025-06-18", Json::object(), false);
    REQUIRE(init);
    CHECK(init->protocol_version == "2025-06-18");
    REQUIRE(init->exchange.receive_errors.size() == 1);
    CHECK(init->exchange.receive_errors[0].find("longer than 16 MiB") != std::string::npos);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].find("longer than 16 MiB") != std::string::npos);
    CHECK(seen[1].empty());
  }
  SUBCASE("a server that ends early is not reported as a timeout") {
    ReplayTransport t;
    t.add("Starting server...");
    t.end_with(util::ErrorKind::closed, "the server closed its stdout (the server exited with status 1)");
    protocol::Session s(t, util::Millis(3000));
    auto init = s.initialize("2025-06-18");
    REQUIRE_FALSE(init);
    CHECK(init.error().kind == util::ErrorKind::closed);
    CHECK(init.error().message.find("closed its stdout") != std::string::npos);
    CHECK(init.error().message.find("within") == std::string::npos);
  }
  SUBCASE("only a wait that used the whole timeout is reported as one") {
    ReplayTransport t;
    t.hold_until_deadline();
    protocol::Session s(t, util::Millis(50));
    auto init = s.initialize("2025-06-18");
    REQUIRE_FALSE(init);
    CHECK(init.error().kind == util::ErrorKind::timeout);
    CHECK(init.error().message == "no response to initialize: no response within 0.05 s");
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
