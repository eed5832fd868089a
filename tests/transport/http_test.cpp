#include "mcp_probe/transport/http.h"
#include "mcp_probe/transport/legacy_sse.h"
#include "mcp_probe/transport/trace_format.h"
#include "script_server.h"

#include <doctest/doctest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe::transport;
using mcp_probe::util::Deadline;
using mcp_probe::util::ErrorKind;
using mcp_probe::util::Millis;
using nlohmann::json;

namespace {

// An in-process server on 127.0.0.1 with a port chosen by the kernel. Streams that "stay open"
// wait on m_cv until the destructor sets m_done, so stop() never hangs.
class TestServer {
 public:
  TestServer() {
    routes();
    m_port = m_server.bind_to_any_port("127.0.0.1");
    REQUIRE(m_port > 0);
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
  }
  ~TestServer() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_done = true;
    }
    m_cv.notify_all();
    m_server.stop();
    m_thread.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
  }
  std::string last_auth() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_last_auth;
  }

 private:
  // Writes `payload` once, then keeps the stream open (relaying queued legacy messages) until
  // the server shuts down.
  void open_stream(httplib::Response& res, std::string payload, bool relay) {
    auto sent = std::make_shared<bool>(false);
    res.set_chunked_content_provider(
        "text/event-stream", [this, payload, sent, relay](size_t, httplib::DataSink& sink) {
          if (!*sent) {
            *sent = true;
            sink.write(payload.data(), payload.size());
          }
          std::unique_lock<std::mutex> lock(m_mutex);
          m_cv.wait_for(lock, std::chrono::milliseconds(20),
                        [&] { return m_done || (relay && !m_relay.empty()); });
          if (m_done) return false;
          while (relay && !m_relay.empty()) {
            std::string event = "event: message\ndata: " + m_relay.front() + "\n\n";
            m_relay.pop_front();
            sink.write(event.data(), event.size());
          }
          return true;
        });
  }

  void routes() {
    m_server.Post("/mcp", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_last_auth = req.get_header_value("Authorization");
      }
      std::string accept = req.get_header_value("Accept");
      if (accept.find("application/json") == std::string::npos ||
          accept.find("text/event-stream") == std::string::npos) {
        res.status = 406;
        res.set_content(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Not Acceptable"}})",
                        "application/json");
        return;
      }
      json msg = json::parse(req.body, nullptr, false);
      std::string method = msg.value("method", "");
      std::string session = req.get_header_value("Mcp-Session-Id");
      if (method != "initialize" && !session.empty() && session != "sess-1") {
        res.status = 404;
        res.set_content(
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}})",
            "application/json");
        return;
      }
      if (!msg.contains("id")) {
        res.status = 202;
        return;
      }
      json reply = {{"jsonrpc", "2.0"}, {"id", msg["id"]}};
      if (method == "initialize") {
        res.set_header("Mcp-Session-Id", "sess-1");
        reply["result"] = {{"protocolVersion", "2025-11-25"}};
        res.set_content(reply.dump(), "application/json");
      } else if (method == "json/echo") {
        reply["result"] = {{"session", session}, {"pv", req.get_header_value("MCP-Protocol-Version")}};
        res.set_content(reply.dump(), "application/json");
      } else if (method == "sse/stream") {
        reply["result"] = json::object();
        std::string payload =
            "id: p0\ndata:\n\n"
            "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n"
            "id: r1\ndata: " +
            reply.dump() + "\n\n";
        open_stream(res, payload, false);
      } else if (method == "fail") {
        res.status = 400;
        reply["error"] = {{"code", -32602}, {"message", "bad"}};
        res.set_content(reply.dump(), "application/json");
      } else {
        res.status = 404;
        res.set_content("<html>nope</html>", "text/html");
      }
    });
    m_server.Get("/mcp", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Mcp-Session-Id") != "sess-1") {
        res.status = 400;
        res.set_content(R"({"error":"no session"})", "application/json");
        return;
      }
      open_stream(res, "id: g1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\n", false);
    });
    m_server.Delete("/mcp", [](const httplib::Request& req, httplib::Response& res) {
      res.status = req.get_header_value("Mcp-Session-Id") == "sess-1" ? 200 : 404;
    });
    // Legacy HTTP+SSE (2024-11-05).
    m_server.Get("/sse", [this](const httplib::Request&, httplib::Response& res) {
      open_stream(res, "event: endpoint\ndata: /messages?sessionId=abc\n\n", true);
    });
    m_server.Post("/messages", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_param_value("sessionId") != "abc") {
        res.status = 404;
        res.set_content("unknown session", "text/plain");
        return;
      }
      json msg = json::parse(req.body, nullptr, false);
      if (msg.is_discarded()) {
        res.status = 400;
        res.set_content("Invalid message", "text/plain");
        return;
      }
      if (msg.contains("id")) {
        json reply = {{"jsonrpc", "2.0"}, {"id", msg["id"]}, {"result", json::object()}};
        {
          std::lock_guard<std::mutex> lock(m_mutex);
          m_relay.push_back(reply.dump());
        }
        m_cv.notify_all();
      }
      res.status = 202;
      res.set_content("Accepted", "text/plain");
    });
  }

  httplib::Server m_server;
  int m_port = 0;
  std::thread m_thread;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_done = false;
  std::deque<std::string> m_relay;
  std::string m_last_auth;
};

Deadline soon() { return Deadline::after(Millis(5000)); }

// Sets (or, with nullptr, unsets) an environment variable for one scope. The transports read
// MCP_PROBE_HTTP when they build their HttpClient, so this picks the back-end under test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (m_old) {
      ::setenv(m_name, m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name);
    }
  }

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

void http_transport_cases() {
  TestServer server;
  Tracer tracer;
  std::vector<std::string> trace_lines;
  std::mutex trace_mutex;
  tracer.add_sink([&](const TraceEvent& e) {
    std::lock_guard<std::mutex> lock(trace_mutex);
    trace_lines.push_back(trace_to_ndjson(e));
    trace_lines.push_back(trace_to_text(e, true));
  });
  HttpTransportOptions opts;
  opts.url = server.url("/mcp");
  opts.bearer_token = "tok-SECRET-123";
  opts.tracer = &tracer;
  HttpTransport t(opts);
  CHECK(t.kind() == TransportKind::http);

  REQUIRE(t.send(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})", soon()));
  auto init = t.receive(soon());
  REQUIRE(init);
  CHECK(init->origin == Origin::post_json);
  CHECK(init->http_status == 200);
  CHECK(json::parse(init->raw)["result"]["protocolVersion"] == "2025-11-25");
  CHECK(t.session_id() == "sess-1");

  SUBCASE("session id and protocol version are echoed once known") {
    t.set_protocol_version("2025-11-25");
    REQUIRE(t.send(R"({"jsonrpc":"2.0","id":2,"method":"json/echo"})", soon()));
    auto r = t.receive(soon());
    REQUIRE(r);
    auto j = json::parse(r->raw);
    CHECK(j["result"]["session"] == "sess-1");
    CHECK(j["result"]["pv"] == "2025-11-25");
    CHECK(server.last_auth() == "Bearer tok-SECRET-123");
  }
  SUBCASE("an SSE reply that stays open: send returns at the response") {
    auto start = std::chrono::steady_clock::now();
    REQUIRE(t.send(R"({"jsonrpc":"2.0","id":3,"method":"sse/stream"})", Deadline::after(Millis(20000))));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    const auto& last = t.last_response();
    CHECK(last.sse);
    CHECK(last.end == HttpEnd::stopped);
    REQUIRE(last.events.size() == 3);
    CHECK(last.events[0].data.empty());
    CHECK(last.events[0].id == "p0");
    auto note = t.receive(soon());
    REQUIRE(note);
    CHECK(note->origin == Origin::post_sse);
    CHECK(note->sse_event == "message");
    CHECK(note->sse_id == "p0");
    CHECK(json::parse(note->raw)["method"] == "notifications/progress");
    auto resp = t.receive(soon());
    REQUIRE(resp);
    CHECK(resp->sse_id == "r1");
    CHECK(json::parse(resp->raw)["id"] == 3);
    CHECK(resp->trace_id > 0);
  }
  SUBCASE("202 carries nothing; receive returns at once") {
    REQUIRE(t.send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", soon()));
    CHECK(t.last_response().status == 202);
    auto r = t.receive(Deadline::after(Millis(60000)));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::timeout);
  }
  SUBCASE("error statuses") {
    REQUIRE(t.send(R"({"jsonrpc":"2.0","id":4,"method":"fail"})", soon()));
    auto r = t.receive(soon());
    REQUIRE(r);
    CHECK(r->http_status == 400);
    auto html = t.send(R"({"jsonrpc":"2.0","id":5,"method":"html"})", soon());
    REQUIRE_FALSE(html);
    CHECK(html.error().kind == ErrorKind::protocol);
    CHECK(html.error().message.find("HTTP 404 with text/html") != std::string::npos);
  }
  SUBCASE("exchange omits or overrides managed headers") {
    PostOptions no_accept;
    no_accept.accept = HeaderChoice::omit();
    auto r = t.exchange(no_accept, R"({"jsonrpc":"2.0","id":6,"method":"json/echo"})", soon());
    REQUIRE(r);
    CHECK(r->status == 406);
    PostOptions bogus;
    bogus.session_id = HeaderChoice::with("bogus");
    auto b = t.exchange(bogus, R"({"jsonrpc":"2.0","id":7,"method":"json/echo"})", soon());
    REQUIRE(b);
    CHECK(b->status == 404);
    PostOptions stream;
    auto s = t.exchange(stream, R"({"jsonrpc":"2.0","id":8,"method":"sse/stream"})", soon());
    REQUIRE(s);
    CHECK(s->end == HttpEnd::stopped);
    CHECK(s->events.size() == 3);
    stream.stop_at_response = false;
    auto open =
        t.exchange(stream, R"({"jsonrpc":"2.0","id":9,"method":"sse/stream"})", Deadline::after(Millis(300)));
    REQUIRE(open);
    CHECK(open->end == HttpEnd::deadline);
    CHECK(open->events.size() == 3);
  }
  SUBCASE("GET stream events arrive through receive()") {
    auto head = t.open_get_stream(soon());
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(head->sse);
    auto r = t.receive(soon());
    REQUIRE(r);
    CHECK(r->origin == Origin::get_sse);
    CHECK(r->sse_id == "g1");
    CHECK(t.get_stream_open());
    t.close_get_stream();
    CHECK_FALSE(t.get_stream_open());
  }
  SUBCASE("GET stream without a session: status as a value, thread ends") {
    t.clear_session();
    auto head = t.open_get_stream(soon());
    REQUIRE(head);
    CHECK(head->status == 400);
    t.close_get_stream();
  }
  SUBCASE("DELETE ends the session") {
    auto r = t.delete_session(soon());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(t.session_id().empty());
  }
  t.close();
  std::lock_guard<std::mutex> lock(trace_mutex);
  CHECK(!trace_lines.empty());
  for (const auto& line : trace_lines) {
    CAPTURE(line);
    CHECK(line.find("tok-SECRET-123") == std::string::npos);
  }
}

void legacy_sse_cases() {
  TestServer server;
  LegacySseOptions opts;
  opts.url = server.url("/sse");
  LegacySseTransport t(opts);
  CHECK(t.kind() == TransportKind::sse);
  REQUIRE(t.connect(soon()));
  CHECK(t.endpoint_url() == server.url("/messages?sessionId=abc"));
  CHECK(t.endpoint_data() == "/messages?sessionId=abc");
  CHECK(t.first_event_type() == "endpoint");

  SUBCASE("replies arrive on the stream as message events") {
    REQUIRE(t.send(R"({"jsonrpc":"2.0","id":1,"method":"initialize"})", soon()));
    REQUIRE(t.send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", soon()));
    auto r = t.receive(soon());
    REQUIRE(r);
    CHECK(r->origin == Origin::legacy_sse);
    CHECK(r->sse_event == "message");
    CHECK(json::parse(r->raw)["id"] == 1);
    CHECK(t.post_statuses() == std::vector<int>{202, 202});
  }
  SUBCASE("a non-2xx POST is an error naming the status") {
    auto r = t.send("{not json", soon());
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("HTTP 400") != std::string::npos);
  }
  t.close();
}

// Runs `cases` with the native HTTP client and again with libcurl.
void on_both_backends(void (*cases)()) {
  SUBCASE("native") {
    ScopedEnv env("MCP_PROBE_HTTP", nullptr);
    cases();
  }
  SUBCASE("curl") {
    ScopedEnv env("MCP_PROBE_HTTP", "curl");
    cases();
  }
}

}  // namespace

TEST_CASE("transport::HttpTransport") { on_both_backends(http_transport_cases); }

TEST_CASE("transport::LegacySseTransport") { on_both_backends(legacy_sse_cases); }

TEST_CASE("transport::HttpTransport bounds a GET stream flood") {
  // The reader waits for room in the receive queue instead of growing it; nothing is lost, and
  // closing the stream while the reader waits returns at once.
  const std::size_t flood = HttpTransport::k_max_queued * 3;
  std::string events;
  for (std::size_t i = 0; i < flood; ++i) events += "data: {\"n\":" + std::to_string(i) + "}\n\n";
  mcp_probe::testing::ScriptServer server(
      {{std::string("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n") + events +
        mcp_probe::testing::ScriptServer::k_hang},
       {std::string("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n") + events +
        mcp_probe::testing::ScriptServer::k_hang}});
  HttpTransportOptions o;
  o.url = server.url();
  HttpTransport t(o);
  auto head = t.open_get_stream(Deadline::after(Millis(5000)));
  REQUIRE(head);
  for (std::size_t i = 0; i < flood; ++i) {
    auto in = t.receive(Deadline::after(Millis(5000)));
    REQUIRE(in);
    REQUIRE(in->raw == "{\"n\":" + std::to_string(i) + "}");
  }
  auto again = t.open_get_stream(Deadline::after(Millis(5000)));  // closes the first stream
  REQUIRE(again);
  REQUIRE(t.receive(Deadline::after(Millis(5000))));
  auto start = std::chrono::steady_clock::now();
  t.close_get_stream();  // the reader is waiting for room by now, or soon
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  CHECK_FALSE(t.get_stream_open());
}
