// mcp-refserver's Streamable HTTP front-end for 2026-07-28 (modern) requests: no sessions, the
// request metadata headers checked against the body (400 + -32020), error statuses (404 for
// -32601, 400 for the request errors), SSE response streams with X-Accel-Buffering, the
// subscriptions/listen stream, --era modern refusing GET/DELETE, and the HTTP faults of the era.
#include "support/refserver_http.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe::testing::refserver_http;
using mcp_probe::refserver::ServeEra;
using nlohmann::json;

namespace {

httplib::Result post(httplib::Client& c, const httplib::Headers& h, const std::string& body) {
  return c.Post("/mcp", h, body, "application/json");
}

int error_code(const json& m) {
  return m.is_object() && m.contains("error") ? m["error"].value("code", 0) : 0;
}

}  // namespace

TEST_CASE("refserver::http modern requests") {
  HttpServer server;
  auto c = server.client();
  SUBCASE("a modern request needs no session and gets none") {
    auto r = post(*c, modern_headers("tools/list"), modern_request(1, "tools/list"));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(!r->has_header("Mcp-Session-Id"));
    json m = reply_message(r);
    CHECK(m["id"] == 1);
    CHECK(m["result"]["tools"].is_array());
    // A bogus session id is ignored, not rejected, and not echoed.
    auto h = modern_headers("server/discover");
    h.emplace("Mcp-Session-Id", "bogus");
    auto d = post(*c, h, modern_request(2, "server/discover"));
    CHECK(d->status == 200);
    CHECK(!d->has_header("Mcp-Session-Id"));
  }
  SUBCASE("SSE responses say X-Accel-Buffering: no") {
    auto r = post(*c, modern_headers("tools/list"), modern_request(1, "tools/list"));
    REQUIRE(r->get_header_value("Content-Type").find("text/event-stream") == 0);
    CHECK(r->get_header_value("X-Accel-Buffering") == "no");
  }
  SUBCASE("header mismatches: 400 with -32020 and the request id") {
    struct Case {
      const char* what;
      httplib::Headers headers;
      std::string body;
    };
    json v999 = json::parse(modern_request(5, "server/discover"));
    v999["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = "v999.0.0";
    std::vector<Case> cases{
        {"protocol version differs from _meta", modern_headers("server/discover"), v999.dump()},
        {"Mcp-Method differs", modern_headers("prompts/list"), modern_request(5, "tools/list")},
        {"Mcp-Method of another case", modern_headers("TOOLS/LIST"), modern_request(5, "tools/list")},
        {"Mcp-Method missing", httplib::Headers{{"Accept", k_both}, {"MCP-Protocol-Version", k_modern}},
         modern_request(5, "tools/list")},
        {"MCP-Protocol-Version missing", httplib::Headers{{"Accept", k_both}, {"Mcp-Method", "tools/list"}},
         modern_request(5, "tools/list")},
        {"Mcp-Name differs", modern_headers("tools/call", "wrong_tool_name"),
         modern_request(5, "tools/call", {{"name", "test_simple_text"}, {"arguments", json::object()}})},
        {"Mcp-Name missing", modern_headers("tools/call"),
         modern_request(5, "tools/call", {{"name", "test_simple_text"}, {"arguments", json::object()}})},
    };
    for (const Case& k : cases) {
      CAPTURE(k.what);
      auto r = post(*c, k.headers, k.body);
      REQUIRE(r);
      CHECK(r->status == 400);
      json m = json::parse(r->body, nullptr, false);
      CHECK(error_code(m) == -32020);
      CHECK(m["id"] == 5);
    }
  }
  SUBCASE("Mcp-Name with whitespace or Base64 is accepted") {
    json params = {{"name", "test_simple_text"}, {"arguments", json::object()}};
    auto r = post(*c, modern_headers("tools/call", "  test_simple_text  "),
                  modern_request(3, "tools/call", params));
    CHECK(r->status == 200);
    CHECK(reply_message(r).contains("result"));
    auto b = post(*c, modern_headers("tools/call", "=?base64?dGVzdF9zaW1wbGVfdGV4dA==?="),
                  modern_request(4, "tools/call", params));
    CHECK(b->status == 200);
  }
  SUBCASE("unknown and removed methods: 404 with -32601") {
    for (std::string method : {"mcp-probe/nonexistent", "ping", "initialize", "logging/setLevel"}) {
      CAPTURE(method);
      auto r = post(*c, modern_headers(method), modern_request(9, method));
      CHECK(r->status == 404);
      json m = json::parse(r->body, nullptr, false);
      CHECK(error_code(m) == -32601);
      CHECK(m["id"] == 9);
    }
  }
  SUBCASE("request errors: 400 with -32602 (missing _meta) and -32022 (unsupported version)") {
    auto r = post(*c, modern_headers("server/discover"), request(10, "server/discover"));
    CHECK(r->status == 400);
    CHECK(error_code(json::parse(r->body, nullptr, false)) == -32602);
    json v999 = json::parse(modern_request(11, "server/discover"));
    v999["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = "v999.0.0";
    auto h = modern_headers("server/discover");
    h.erase("MCP-Protocol-Version");
    h.emplace("MCP-Protocol-Version", "v999.0.0");
    auto u = post(*c, h, v999.dump());
    CHECK(u->status == 400);
    json m = json::parse(u->body, nullptr, false);
    CHECK(error_code(m) == -32022);
    CHECK(m["error"]["data"]["requested"] == "v999.0.0");
  }
  SUBCASE("an invalid request that carries the _meta fields gets its -32600 from the modern era") {
    // A dual-era server must not route it to the handshake era, which would ask for a session.
    json no_method = json::parse(modern_request(12, "tools/list"));
    no_method.erase("method");
    auto h = httplib::Headers{{"Accept", k_both}, {"MCP-Protocol-Version", k_modern}};
    auto r = post(*c, h, no_method.dump());
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(error_code(json::parse(r->body, nullptr, false)) == -32600);
  }
  SUBCASE("the handshake era is served beside it") {
    std::string sid = open_session(*c);
    auto r = post(*c, headers(sid, "2025-11-25"), request(2, "tools/list"));
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Mcp-Session-Id") == sid);
  }
  SUBCASE("GET and DELETE without a session keep their handshake-era answers in dual mode") {
    CHECK(c->Get("/mcp", httplib::Headers{{"Accept", "text/event-stream"}})->status == 400);
    CHECK(c->Delete("/mcp")->status == 400);
  }
}

TEST_CASE("refserver::http subscriptions/listen stream") {
  HttpServer server;
  // The listen stream stays open: read it on a thread until the list_changed arrives.
  std::vector<Event> events;
  std::string content_type, accel;
  std::promise<void> acknowledged;
  auto acked = acknowledged.get_future();
  std::thread reader([&] {
    auto c = server.client();
    std::string got;
    bool signalled = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    httplib::Request req;
    req.method = "POST";
    req.path = "/mcp";
    req.headers = modern_headers("subscriptions/listen");
    req.body = modern_request(77, "subscriptions/listen", {{"notifications", {{"toolsListChanged", true}}}});
    req.set_header("Content-Type", "application/json");
    req.response_handler = [&](const httplib::Response& r) {
      content_type = r.get_header_value("Content-Type");
      accel = r.get_header_value("X-Accel-Buffering");
      return true;
    };
    req.content_receiver = [&](const char* data, std::size_t n, uint64_t, uint64_t) {
      got.append(data, n);
      events = parse_sse(got);
      if (!events.empty() && !signalled) {
        signalled = true;
        acknowledged.set_value();
      }
      return events.size() < 2 && std::chrono::steady_clock::now() < deadline;
    };
    c->send(req);
    if (!signalled) acknowledged.set_value();
  });
  REQUIRE(acked.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  auto c = server.client();
  auto t = post(*c, modern_headers("tools/call", "test_trigger_tool_change"),
                modern_request(78, "tools/call",
                               {{"name", "test_trigger_tool_change"}, {"arguments", json::object()}}));
  CHECK(t->status == 200);
  reader.join();
  CHECK(content_type.find("text/event-stream") == 0);
  CHECK(accel == "no");
  REQUIRE(events.size() >= 2);
  json ack = json::parse(events[0].data);
  CHECK(ack["method"] == "notifications/subscriptions/acknowledged");
  json changed = json::parse(events[1].data);
  CHECK(changed["method"] == "notifications/tools/list_changed");
  CHECK(changed["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == 77);
}

TEST_CASE("refserver::http era modern") {
  HttpServer server({}, "http", "sse", ServeEra::modern);
  auto c = server.client();
  SUBCASE("GET and DELETE: 405") {
    auto g = c->Get("/mcp", httplib::Headers{{"Accept", "text/event-stream"}});
    CHECK(g->status == 405);
    CHECK(g->get_header_value("Allow") == "POST, OPTIONS");
    CHECK(c->Delete("/mcp")->status == 405);
  }
  SUBCASE("initialize is refused with a 400 that names the supported versions") {
    auto r = post(*c, headers(), init_body("2025-11-25"));
    CHECK(r->status == 400);
    CHECK(!r->has_header("Mcp-Session-Id"));
    CHECK(r->body.find("2026-07-28") != std::string::npos);
  }
}

TEST_CASE("refserver::http modern faults") {
  SUBCASE("header-mismatch-ignored serves a request whose Mcp-Method disagrees") {
    HttpServer clean;
    HttpServer server({"header-mismatch-ignored"});
    for (HttpServer* s : {&clean, &server}) {
      auto r = post(*s->client(), modern_headers("prompts/list"), modern_request(1, "tools/list"));
      CHECK(r->status == (s == &clean ? 400 : 200));
    }
  }
  SUBCASE("unknown-method-200 answers -32601 with 200") {
    HttpServer server({"unknown-method-200"});
    auto r = post(*server.client(), modern_headers("mcp-probe/nonexistent"),
                  modern_request(1, "mcp-probe/nonexistent"));
    CHECK(r->status == 200);
    CHECK(error_code(reply_message(r)) == -32601);
  }
  SUBCASE("modern-get-sse opens an SSE stream on GET with --era modern") {
    HttpServer server({"modern-get-sse"}, "http", "sse", ServeEra::modern);
    auto g = server.client()->Get("/mcp", httplib::Headers{{"Accept", "text/event-stream"}});
    CHECK(g->status == 200);
    CHECK(g->get_header_value("Content-Type").find("text/event-stream") == 0);
  }
  SUBCASE("no-accel-buffering drops X-Accel-Buffering from modern SSE responses") {
    HttpServer server({"no-accel-buffering"});
    auto r = post(*server.client(), modern_headers("tools/list"), modern_request(1, "tools/list"));
    CHECK(r->get_header_value("Content-Type").find("text/event-stream") == 0);
    CHECK(!r->has_header("X-Accel-Buffering"));
  }
  SUBCASE("notification-200 answers a modern notification with 200") {
    HttpServer clean;
    HttpServer server({"notification-200"});
    const std::string body =
        json{{"jsonrpc", "2.0"}, {"method", "notifications/x"}, {"params", modern_params()}}.dump();
    for (HttpServer* s : {&clean, &server}) {
      auto r = post(*s->client(), modern_headers("notifications/x"), body);
      CHECK(r->status == (s == &clean ? 202 : 200));
    }
  }
  SUBCASE("wrong-content-type answers modern requests but server/discover with text/plain") {
    HttpServer server({"wrong-content-type"}, "http", "json");
    auto d = post(*server.client(), modern_headers("server/discover"), modern_request(1, "server/discover"));
    CHECK(d->get_header_value("Content-Type") == "application/json");
    auto r = post(*server.client(), modern_headers("tools/list"), modern_request(2, "tools/list"));
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "text/plain");
  }
}

TEST_SUITE_END();
