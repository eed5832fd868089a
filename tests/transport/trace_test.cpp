#include "mcp_probe/transport/trace.h"
#include "mcp_probe/transport/trace_format.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::transport;

namespace {

const std::string k_token = "s3cr3t-T0KEN-xyz";

std::vector<TraceEvent> sample_events() {
  std::vector<TraceEvent> events;
  TraceEvent post;
  post.direction = Direction::send;
  post.channel = "http";
  post.http_method = "POST";
  post.url = "http://127.0.0.1:1/mcp?token=" + k_token;
  post.headers = {{"authorization", "Bearer " + k_token},
                  {"Content-Type", "application/json"},
                  {"X-Api-Key", k_token},
                  {"Cookie", "a=b"}};
  post.body = R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"t":")" + k_token + R"("}})";
  events.push_back(post);
  TraceEvent resp;
  resp.direction = Direction::receive;
  resp.channel = "http";
  resp.http_status = 200;
  resp.headers = {{"content-type", "text/event-stream"}, {"Set-Cookie", "sid=" + k_token}};
  events.push_back(resp);
  TraceEvent sse;
  sse.direction = Direction::receive;
  sse.channel = "sse";
  sse.sse_event = "message";
  sse.sse_id = k_token;
  sse.body = "echo " + k_token;
  events.push_back(sse);
  return events;
}

std::vector<std::string> render_all(bool redact) {
  Tracer tracer;
  tracer.set_redact(redact);
  tracer.add_secret(k_token);
  std::vector<std::string> out;
  tracer.add_sink([&](const TraceEvent& e) {
    out.push_back(trace_to_ndjson(e));
    out.push_back(trace_to_text(e, true));
    out.push_back(trace_to_text(e, false));
  });
  for (auto& e : sample_events()) tracer.emit(e);
  return out;
}

}  // namespace

TEST_CASE("transport::Tracer") {
  SUBCASE("a registered token never appears in any rendering") {
    auto lines = render_all(true);
    REQUIRE(lines.size() == 9);
    for (const auto& line : lines) {
      CAPTURE(line);
      CHECK(line.find(k_token) == std::string::npos);
    }
    auto post = nlohmann::json::parse(lines[0]);
    CHECK(post["headers"]["authorization"] == "Bearer [REDACTED]");
    CHECK(post["headers"]["Cookie"] == "[REDACTED]");
    CHECK(post["headers"]["X-Api-Key"] == "[REDACTED]");
    CHECK(post["url"] == "http://127.0.0.1:1/mcp?token=[REDACTED]");
    auto resp = nlohmann::json::parse(lines[3]);
    CHECK(resp["headers"]["Set-Cookie"] == "[REDACTED]");
  }
  SUBCASE("credential headers are redacted even without registered secrets") {
    Tracer tracer;
    std::vector<TraceEvent> seen;
    tracer.add_sink([&](const TraceEvent& e) { seen.push_back(e); });
    TraceEvent e;
    e.headers = {{"Proxy-Authorization", "Basic abc"}, {"AUTHORIZATION", "token"}};
    tracer.emit(e);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].headers[0].second == "Basic [REDACTED]");
    CHECK(seen[0].headers[1].second == "[REDACTED]");
    CHECK(tracer.redact("x " + k_token) == "x " + k_token);
  }
  SUBCASE("--no-redact shows everything") {
    auto lines = render_all(false);
    CHECK(lines[0].find("Bearer " + k_token) != std::string::npos);
    CHECK(lines[1].find(k_token) != std::string::npos);
  }
  SUBCASE("ids are 1-based in emission order, timestamps monotonic") {
    Tracer tracer;
    std::vector<TraceEvent> seen;
    tracer.add_sink([&](const TraceEvent& e) { seen.push_back(e); });
    CHECK(tracer.emit({}) == 1);
    CHECK(tracer.emit({}) == 2);
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].at_ms >= seen[0].at_ms);
  }
  SUBCASE("find_header is case-insensitive") {
    Headers h{{"Content-Type", "a"}, {"mcp-session-id", "b"}};
    CHECK(find_header(h, "content-type") == "a");
    CHECK(find_header(h, "Mcp-Session-Id") == "b");
    CHECK_FALSE(find_header(h, "accept"));
  }
}

TEST_CASE("transport::trace_format") {
  SUBCASE("ndjson omits empty fields and replaces invalid UTF-8") {
    TraceEvent e;
    e.id = 3;
    e.at_ms = 12.3456;
    e.direction = Direction::receive;
    e.channel = "stdout";
    e.body = "bad \xff byte";
    std::string line = trace_to_ndjson(e);
    CHECK(line.find('\n') == std::string::npos);
    auto j = nlohmann::json::parse(line);
    CHECK(j["id"] == 3);
    CHECK(j["dir"] == "receive");
    CHECK(j["channel"] == "stdout");
    CHECK_FALSE(j.contains("url"));
    CHECK_FALSE(j.contains("status"));
    CHECK(j["body"] == "bad \xEF\xBF\xBD byte");
    CHECK(line.rfind("{\"id\":3,\"t_ms\":", 0) == 0);
  }
  SUBCASE("text lines") {
    TraceEvent post;
    post.at_ms = 12.3;
    post.direction = Direction::send;
    post.http_method = "POST";
    post.url = "http://h/mcp";
    post.headers = {{"Accept", "application/json"}};
    post.body = "{\"a\":\n1}";
    CHECK(trace_to_text(post, false) == "[   12.3 ms] -> POST http://h/mcp {\"a\":\\n1}");
    CHECK(trace_to_text(post, true).find("\n            Accept: application/json") != std::string::npos);
    TraceEvent resp;
    resp.direction = Direction::receive;
    resp.http_status = 200;
    resp.headers = {{"content-type", "text/event-stream"}};
    CHECK(trace_to_text(resp, false).find("<- 200 text/event-stream") != std::string::npos);
  }
  SUBCASE("long bodies are truncated with a note") {
    TraceEvent e;
    e.channel = "stdout";
    e.body = std::string(5000, 'a');
    std::string text = trace_to_text(e, false);
    CHECK(text.size() < 2100);
    CHECK(text.find("3000 more bytes") != std::string::npos);
  }
}
