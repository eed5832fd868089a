// Each HTTP fault of mcp-refserver visibly changes the wire (and only its own rule).
#include "support/refserver_http.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe::testing::refserver_http;
using nlohmann::json;

TEST_CASE("refserver::http faults") {
  SUBCASE("notification-200 and response-200") {
    HttpServer server({"notification-200", "response-200"});
    auto c = server.client();
    auto init = c->Post("/mcp", headers(), init_body("2025-06-18"), "application/json");
    std::string sid = init->get_header_value("Mcp-Session-Id");
    auto n =
        c->Post("/mcp", headers(sid), R"({"jsonrpc":"2.0","method":"notifications/x"})", "application/json");
    CHECK(n->status == 200);
    auto r = c->Post("/mcp", headers(sid), R"({"jsonrpc":"2.0","id":"s1","result":{}})", "application/json");
    CHECK(r->status == 200);
  }
  SUBCASE("wrong-content-type and json-wrong-id") {
    HttpServer server({"wrong-content-type", "json-wrong-id"});
    auto c = server.client();
    auto r = c->Post("/mcp", headers(), init_body("2025-11-25"), "application/json");
    CHECK(r->get_header_value("Content-Type") == "text/plain");
    CHECK(json::parse(r->body)["id"] != 1);
  }
  SUBCASE("sse-split-event, sse-unrelated-progress, no-priming-event") {
    HttpServer server({"sse-split-event", "sse-unrelated-progress", "no-priming-event"});
    auto c = server.client();
    std::string sid = open_session(*c);
    auto r = c->Post("/mcp", headers(sid), request(2, "ping"), "application/json");
    auto events = parse_sse(r->body);
    REQUIRE(events.size() >= 3);
    CHECK(!events[0].data.empty());  // no priming event
    CHECK(json::parse(events[0].data)["method"] == "notifications/progress");
    CHECK(json::parse(events[1].data, nullptr, false).is_discarded());  // half a message
  }
  SUBCASE("sse-never-close keeps the POST stream open") {
    HttpServer server({"sse-never-close"});
    auto c = server.client();
    auto r = c->Post("/mcp", headers(), init_body("2025-11-25"), "application/json");
    std::string sid = r->get_header_value("Mcp-Session-Id");
    auto slow = server.client();
    slow->set_read_timeout(1, 0);
    auto p = slow->Post("/mcp", headers(sid), request(2, "ping"), "application/json");
    CHECK(!p);  // the read timed out: the stream never ended
  }
  SUBCASE("get-404, session-id-bad-chars") {
    HttpServer server({"get-404", "session-id-bad-chars"});
    auto c = server.client();
    auto r = c->Post("/mcp", headers(), init_body("2025-11-25"), "application/json");
    std::string sid = r->get_header_value("Mcp-Session-Id");
    CHECK(sid.find(' ') != std::string::npos);
    httplib::Headers h{{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}};
    CHECK(c->Get("/mcp", h)->status == 404);
  }
  SUBCASE("get-unsolicited-response and duplicate-event-ids") {
    HttpServer server({"get-unsolicited-response", "duplicate-event-ids"});
    auto c = server.client();
    std::string sid = open_session(*c);
    auto events = read_stream(server, {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}}, 2);
    REQUIRE(events.size() == 2);
    CHECK(json::parse(events[1].data).contains("result"));
    auto post = parse_sse(c->Post("/mcp", headers(sid), request(2, "ping"), "application/json")->body);
    REQUIRE(!post.empty());
    CHECK(post[0].id == events[0].id);  // both streams start at 1
  }
  SUBCASE("broadcast copies POST-stream messages to the GET stream") {
    HttpServer server({"broadcast"});
    auto c = server.client();
    std::string sid = open_session(*c);
    std::vector<Event> got;
    std::thread reader([&] {
      got = read_stream(server, {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}}, 2);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the GET stream open first
    c->Post("/mcp", headers(sid), request(5, "ping"), "application/json");
    reader.join();
    REQUIRE(got.size() == 2);
    CHECK(json::parse(got[1].data)["id"] == 5);
  }
  SUBCASE("session-not-required, unknown-session-400, delete-ignored") {
    HttpServer server({"session-not-required", "unknown-session-400", "delete-ignored"});
    auto c = server.client();
    std::string sid = open_session(*c);
    CHECK(c->Post("/mcp", headers(), request(2, "ping"), "application/json")->status == 200);
    CHECK(c->Post("/mcp", headers("nope"), request(3, "ping"), "application/json")->status == 400);
    CHECK(c->Delete("/mcp", headers(sid))->status == 200);
    CHECK(c->Post("/mcp", headers(sid), request(4, "ping"), "application/json")->status == 200);
  }
  SUBCASE("protocol-version-ignored and protocol-version-required") {
    HttpServer ignored({"protocol-version-ignored"});
    auto c = ignored.client();
    std::string sid = open_session(*c);
    CHECK(c->Post("/mcp", headers(sid, "1900-01-01"), request(2, "ping"), "application/json")->status == 200);
    HttpServer required({"protocol-version-required"});
    auto r = required.client();
    auto init = r->Post("/mcp", headers(), init_body("2025-11-25"), "application/json");
    std::string sid2 = init->get_header_value("Mcp-Session-Id");
    CHECK(r->Post("/mcp", headers(sid2), request(2, "ping"), "application/json")->status == 400);
    CHECK(r->Post("/mcp", headers(sid2, "2025-11-25"), request(3, "ping"), "application/json")->status ==
          200);
  }
  SUBCASE("origin-accepted and origin-required") {
    HttpServer accepted({"origin-accepted"});
    auto h = headers();
    h.emplace("Origin", "http://mcp-probe.invalid");
    CHECK(accepted.client()->Post("/mcp", h, init_body("2025-11-25"), "application/json")->status == 200);
    HttpServer required({"origin-required"});
    CHECK(required.client()->Post("/mcp", headers(), init_body("2025-11-25"), "application/json")->status ==
          403);
  }
  SUBCASE("no-cors and no-expose-headers") {
    HttpServer server({"no-cors"});
    auto c = server.client();
    auto r =
        c->Options("/mcp", {{"Origin", "http://localhost:1"}, {"Access-Control-Request-Method", "POST"}});
    CHECK(r->status == 405);
    CHECK(!r->has_header("Access-Control-Allow-Origin"));
    HttpServer hidden({"no-expose-headers"});
    auto init = hidden.client()->Post("/mcp", headers(), init_body("2025-11-25"), "application/json");
    CHECK(!init->has_header("Access-Control-Expose-Headers"));
  }
  SUBCASE("bind-all listens on every interface (tests still use 127.0.0.1)") {
    HttpServer server({"bind-all"});
    CHECK(server.client()->Get("/health")->status == 200);
  }
  SUBCASE("sse-buffered holds progress until the response") {
    HttpServer server({"sse-buffered"});
    auto c = server.client();
    std::string sid = open_session(*c);
    json params = {{"name", "slow"},
                   {"arguments", {{"steps", 3}, {"delay_ms", 150}}},
                   {"_meta", {{"progressToken", "b"}}}};
    std::vector<std::string> chunks;
    httplib::Request req;
    req.method = "POST";
    req.path = "/mcp";
    req.headers = headers(sid);
    req.body = request(9, "tools/call", params);
    req.set_header("Content-Type", "application/json");
    req.content_receiver = [&](const char* d, std::size_t n, uint64_t, uint64_t) {
      chunks.emplace_back(d, n);
      return true;
    };
    auto res = server.client()->send(req);
    REQUIRE(res);
    std::size_t progress_chunk = chunks.size(), response_chunk = chunks.size();
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      if (progress_chunk == chunks.size() && chunks[i].find("notifications/progress") != std::string::npos)
        progress_chunk = i;
      if (chunks[i].find("\"id\":9") != std::string::npos) response_chunk = i;
    }
    CHECK(progress_chunk == response_chunk);  // one write
  }
}

TEST_CASE("refserver::http legacy faults") {
  SUBCASE("legacy-no-endpoint, legacy-origin-accepted, legacy-post-500") {
    HttpServer server({"legacy-no-endpoint", "legacy-origin-accepted", "legacy-post-500"}, "sse");
    auto c = server.client();
    std::string got;
    c->Get("/sse", httplib::Headers{{"Accept", "text/event-stream"}, {"Origin", "http://evil.example.com"}},
           [&](const char* d, std::size_t n) {
             got.append(d, n);
             return parse_sse(got).size() < 2;
           });
    auto events = parse_sse(got);
    REQUIRE(events.size() >= 2);
    CHECK(events[0].type == "message");
    CHECK(events[1].type == "endpoint");
    CHECK(server.client()->Post("/sse", init_body("2024-11-05"), "application/json")->status == 500);
  }
  SUBCASE("legacy-response-in-post") {
    HttpServer server({"legacy-response-in-post"}, "sse");
    std::promise<std::string> endpoint;
    std::atomic<bool> done{false};
    std::thread reader([&] {
      std::string got;
      bool told = false;
      auto rc = server.client();
      rc->set_read_timeout(1, 0);  // the stream stays quiet: end the read after a second
      rc->Get("/sse", [&](const char* d, std::size_t n) {
        got.append(d, n);
        auto events = parse_sse(got);
        if (!told && !events.empty()) {
          told = true;
          endpoint.set_value(events[0].data);
        }
        return !done.load();
      });
    });
    auto c = server.client();
    auto r = c->Post(endpoint.get_future().get(), init_body("2024-11-05"), "application/json");
    done = true;
    CHECK(r->status == 200);
    CHECK(json::parse(r->body)["result"]["protocolVersion"] == "2024-11-05");
    reader.join();
  }
}

TEST_SUITE_END();
