// mcp-refserver's Streamable HTTP and legacy HTTP+SSE front-ends, in process on 127.0.0.1.
#include "support/refserver_http.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe::testing::refserver_http;
using nlohmann::json;

namespace {

// The JSON-RPC response with `id` in an SSE or JSON body.
json find_response(const std::string& body, int id) {
  for (const Event& e : parse_sse(body)) {
    json m = json::parse(e.data, nullptr, false);
    if (m.is_object() && m.value("id", -1) == id) return m;
  }
  json m = json::parse(body, nullptr, false);
  return m.is_object() ? m : json();
}

}  // namespace

TEST_CASE("refserver::http front-end") {
  HttpServer server;
  auto c = server.client();

  SUBCASE("initialize issues a session id of 32 hex characters, SSE with a priming event") {
    auto r = c->Post("/mcp", headers(), init_body("2025-11-25"), "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "text/event-stream");
    CHECK(r->get_header_value("X-Accel-Buffering") == "no");
    CHECK(r->get_header_value("Cache-Control") == "no-cache");
    std::string sid = r->get_header_value("Mcp-Session-Id");
    CHECK(sid.size() == 32);
    CHECK(sid.find_first_not_of("0123456789abcdef") == std::string::npos);
    auto events = parse_sse(r->body);
    REQUIRE(events.size() >= 2);
    CHECK(!events[0].id.empty());
    CHECK(events[0].data.empty());
    CHECK(events[1].type == "message");
    CHECK(find_response(r->body, 1)["result"]["protocolVersion"] == "2025-11-25");
    auto again = c->Post("/mcp", headers(), init_body("2025-11-25"), "application/json");
    CHECK(again->get_header_value("Mcp-Session-Id") != sid);
  }
  SUBCASE("no priming event before 2025-11-25") {
    auto r = c->Post("/mcp", headers(), init_body("2025-06-18"), "application/json");
    auto events = parse_sse(r->body);
    REQUIRE(events.size() == 1);
    CHECK(events[0].type == "message");
  }
  SUBCASE("session rules: 400 without, 404 unknown, DELETE then 404") {
    std::string sid = open_session(*c);
    auto missing = c->Post("/mcp", headers(), request(2, "tools/list"), "application/json");
    CHECK(missing->status == 400);
    CHECK(json::parse(missing->body).contains("error"));
    auto unknown =
        c->Post("/mcp", headers("0123456789abcdef0123456789abcdef"), request(2, "ping"), "application/json");
    CHECK(unknown->status == 404);
    auto ok = c->Post("/mcp", headers(sid, "2025-11-25"), request(3, "ping"), "application/json");
    CHECK(ok->status == 200);
    CHECK(find_response(ok->body, 3).contains("result"));
    auto del = c->Delete("/mcp", headers(sid));
    CHECK(del->status == 200);
    auto after = c->Post("/mcp", headers(sid, "2025-11-25"), request(4, "ping"), "application/json");
    CHECK(after->status == 404);
    CHECK(c->Delete("/mcp", headers(sid))->status == 404);
  }
  SUBCASE("MCP-Protocol-Version: invalid 400, absent accepted") {
    std::string sid = open_session(*c);
    CHECK(c->Post("/mcp", headers(sid, "not-a-version"), request(2, "ping"), "application/json")->status ==
          400);
    CHECK(c->Post("/mcp", headers(sid, "1900-01-01"), request(3, "ping"), "application/json")->status == 400);
    CHECK(c->Post("/mcp", headers(sid), request(4, "ping"), "application/json")->status == 200);
    CHECK(c->Post("/mcp", headers(sid, "2025-03-26"), request(5, "ping"), "application/json")->status == 200);
  }
  SUBCASE("Origin and Host: 403 when foreign, localhost accepted") {
    auto h = headers();
    h.emplace("Origin", "http://evil.example.com");
    CHECK(c->Post("/mcp", h, init_body("2025-11-25"), "application/json")->status == 403);
    auto local = headers();
    local.emplace("Origin", "http://localhost:1234");
    auto ok = c->Post("/mcp", local, init_body("2025-11-25"), "application/json");
    CHECK(ok->status == 200);
    CHECK(ok->get_header_value("Access-Control-Allow-Origin") == "http://localhost:1234");
    CHECK(ok->get_header_value("Access-Control-Expose-Headers").find("Mcp-Session-Id") != std::string::npos);
    auto host = headers();
    host.emplace("Host", "evil.example.com");
    CHECK(c->Post("/mcp", host, init_body("2025-11-25"), "application/json")->status == 403);
  }
  SUBCASE("406, 415, 413, 405") {
    httplib::Headers json_only{{"Accept", "application/json"}};
    CHECK(c->Post("/mcp", json_only, init_body("2025-11-25"), "application/json")->status == 406);
    CHECK(c->Post("/mcp", headers(), init_body("2025-11-25"), "text/plain")->status == 415);
    std::string big(server.options().max_body_bytes + 10, ' ');
    CHECK(c->Post("/mcp", headers(), big, "application/json")->status == 413);
    std::string sid = open_session(*c);
    httplib::Headers get_json{{"Accept", "application/json"}, {"Mcp-Session-Id", sid}};
    CHECK(c->Get("/mcp", get_json)->status == 406);
    auto put = c->Put("/mcp", headers(), "{}", "application/json");
    CHECK(put->status == 405);
    CHECK(put->get_header_value("Allow").find("POST") != std::string::npos);
  }
  SUBCASE("notifications and responses get 202 with no body; malformed JSON 400") {
    std::string sid = open_session(*c);
    auto n = c->Post("/mcp", headers(sid), R"({"jsonrpc":"2.0","method":"notifications/whatever"})",
                     "application/json");
    CHECK(n->status == 202);
    CHECK(n->body.empty());
    auto resp =
        c->Post("/mcp", headers(sid), R"({"jsonrpc":"2.0","id":"x","result":{}})", "application/json");
    CHECK(resp->status == 202);
    auto bad = c->Post("/mcp", headers(sid), R"({"jsonrpc":"2.0",)", "application/json");
    CHECK(bad->status == 400);
    CHECK(json::parse(bad->body)["error"]["code"] == -32700);
  }
  SUBCASE("progress of a slow tool is streamed before the response") {
    std::string sid = open_session(*c);
    json params = {{"name", "slow"},
                   {"arguments", {{"steps", 3}, {"delay_ms", 200}}},
                   {"_meta", {{"progressToken", "p1"}}}};
    auto start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration first_progress{}, response{};
    std::string got;
    auto stream_client = server.client();
    httplib::Request req;
    req.method = "POST";
    req.path = "/mcp";
    req.headers = headers(sid);
    req.body = request(8, "tools/call", params);
    req.set_header("Content-Type", "application/json");
    req.content_receiver = [&](const char* data, std::size_t n, uint64_t, uint64_t) {
      got.append(data, n);
      auto now = std::chrono::steady_clock::now() - start;
      if (first_progress == std::chrono::steady_clock::duration{} &&
          got.find("notifications/progress") != std::string::npos)
        first_progress = now;
      if (got.find("\"id\":8") != std::string::npos) response = now;
      return true;
    };
    auto res = stream_client->send(req);
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(first_progress.count() > 0);
    CHECK(response - first_progress >= std::chrono::milliseconds(200));
  }
  SUBCASE("GET stream: priming, 409 for a second one, Last-Event-ID replays the same stream only") {
    std::string sid = open_session(*c);
    httplib::Headers h{{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}};
    auto first = read_stream(server, h, 1);
    REQUIRE(!first.empty());
    CHECK(first[0].data.empty());
    // A POST stream with two events (priming, response): resume it after its priming event.
    auto post = c->Post("/mcp", headers(sid), request(9, "ping"), "application/json");
    auto events = parse_sse(post->body);
    REQUIRE(events.size() == 2);
    CHECK(events[0].id != first[0].id);
    auto other = c->Post("/mcp", headers(sid), request(10, "ping"), "application/json");
    httplib::Headers resume = h;
    resume.emplace("Last-Event-ID", events[0].id);
    auto replay_client = server.client();
    auto replay = replay_client->Get("/mcp", resume);
    REQUIRE(replay);
    auto replayed = parse_sse(replay->body);
    REQUIRE(replayed.size() == 1);
    CHECK(replayed[0].id == events[1].id);
    CHECK(json::parse(replayed[0].data)["id"] == 9);
  }
  SUBCASE("a second concurrent GET stream gets 409") {
    std::string sid = open_session(*c);
    httplib::Headers h{{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}};
    std::promise<void> opened;
    std::atomic<bool> release{false};
    std::thread holder([&] {
      auto hc = server.client();
      bool told = false;
      hc->Get("/mcp", h, [&](const char*, std::size_t) {
        if (!told) opened.set_value();
        told = true;
        for (int i = 0; i < 50 && !release; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return false;
      });
    });
    opened.get_future().wait();
    auto second = server.client()->Get("/mcp", h);
    release = true;
    holder.join();
    REQUIRE(second);
    CHECK(second->status == 409);
  }
  SUBCASE("CORS preflight and /health") {
    httplib::Headers pre{
        {"Origin", "http://localhost:5173"},
        {"Access-Control-Request-Method", "POST"},
        {"Access-Control-Request-Headers", "content-type, mcp-session-id, mcp-protocol-version"}};
    auto r = c->Options("/mcp", pre);
    REQUIRE(r);
    CHECK(r->status == 204);
    CHECK(r->get_header_value("Access-Control-Allow-Origin") == "http://localhost:5173");
    CHECK(r->get_header_value("Access-Control-Allow-Methods") == "GET, POST, DELETE, OPTIONS");
    CHECK(r->get_header_value("Access-Control-Allow-Headers").find("Mcp-Session-Id") != std::string::npos);
    auto health = c->Get("/health");
    CHECK(health->status == 200);
    CHECK(json::parse(health->body)["status"] == "ok");
    CHECK(c->Get("/sse")->status == 404);
  }
}

TEST_CASE("refserver::http front-end JSON response mode") {
  HttpServer server({}, "http", "json");
  auto c = server.client();
  auto r = c->Post("/mcp", headers(), init_body("2025-03-26"), "application/json");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  std::string sid = r->get_header_value("Mcp-Session-Id");
  CHECK(json::parse(r->body)["result"]["protocolVersion"] == "2025-03-26");
  auto ping = c->Post("/mcp", headers(sid), request(2, "ping"), "application/json");
  CHECK(json::parse(ping->body)["id"] == 2);
  auto batch = c->Post("/mcp", headers(sid), "[" + request(3, "ping") + "," + request(4, "ping") + "]",
                       "application/json");
  json b = json::parse(batch->body);
  REQUIRE(b.is_array());
  CHECK(b.size() == 2);
}

TEST_CASE("refserver::http legacy HTTP+SSE front-end") {
  HttpServer server({}, "sse");
  std::string endpoint;
  std::string got;
  std::promise<std::string> announced;
  std::promise<void> initialized;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    auto c = server.client();
    bool told = false;
    bool init_seen = false;
    c->Get("/sse", httplib::Headers{{"Accept", "text/event-stream"}}, [&](const char* d, std::size_t n) {
      got.append(d, n);
      auto events = parse_sse(got);
      if (!told && !events.empty()) {
        told = true;
        announced.set_value(events[0].type + " " + events[0].data);
      }
      for (const Event& e : events) {
        json m = json::parse(e.data, nullptr, false);
        if (!init_seen && m.is_object() && m.value("id", 0) == 1) {
          init_seen = true;
          initialized.set_value();
        }
      }
      // Until the ping's response event is complete (its bytes may arrive in two reads).
      bool answered = !events.empty() && events.back().data.find("\"id\":2") != std::string::npos;
      return !done && !answered;
    });
  });
  std::string first = announced.get_future().get();
  REQUIRE(first.rfind("endpoint /messages?sessionId=", 0) == 0);
  endpoint = first.substr(9);
  auto c = server.client();
  auto init = c->Post(endpoint, init_body("2024-11-05"), "application/json");
  CHECK(init->status == 202);
  // Messages are handled concurrently, so the ping goes out once initialize is answered, as a
  // client would: otherwise either response may come first.
  REQUIRE(initialized.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK(c->Post(endpoint, request(2, "ping"), "application/json")->status == 202);
  reader.join();
  auto events = parse_sse(got);
  REQUIRE(events.size() >= 3);
  CHECK(events[1].type == "message");
  CHECK(json::parse(events[1].data)["result"]["protocolVersion"] == "2024-11-05");
  CHECK(c->Post("/messages?sessionId=nope", request(3, "ping"), "application/json")->status == 404);
  CHECK(c->Post("/sse", init_body("2024-11-05"), "application/json")->status == 405);
  httplib::Headers foreign{{"Origin", "http://evil.example.com"}};
  CHECK(c->Get("/sse", foreign)->status == 403);
  CHECK(c->Post("/mcp", headers(), init_body("2025-11-25"), "application/json")->status == 404);
}

TEST_SUITE_END();
