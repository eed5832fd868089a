#pragma once

// Helpers for the tests of mcp-refserver's HTTP front-ends: run_http on a thread (stopped and
// joined by the destructor), httplib clients on 127.0.0.1, MCP request bodies, and a small SSE
// reader for checking what went over the wire.

#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcp_probe/refserver/frontends.h"

namespace mcp_probe::testing::refserver_http {

using mcp_probe::refserver::Config;
using mcp_probe::refserver::HttpOptions;
using nlohmann::json;

// run_http on a thread, stopped and joined by the destructor.
class HttpServer {
 public:
  explicit HttpServer(std::set<std::string> faults = {}, std::string transport = "http",
                      std::string mode = "sse",
                      mcp_probe::refserver::ServeEra era = mcp_probe::refserver::ServeEra::dual) {
    m_config.era = era;
    m_config.faults.insert(faults.begin(), faults.end());
    m_config.transport = std::move(transport);
    m_config.response_mode = std::move(mode);
    auto bound = std::make_shared<std::promise<int>>();
    std::future<int> port = bound->get_future();
    m_options.on_listening = [bound](int p) { bound->set_value(p); };
    m_thread = std::thread([this] { mcp_probe::refserver::run_http(m_config, m_options, m_stop); });
    REQUIRE(port.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    m_port = port.get();
  }
  ~HttpServer() {
    m_stop = true;
    m_thread.join();
  }
  HttpOptions& options() { return m_options; }
  int port() const { return m_port; }
  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", m_port);
    c->set_read_timeout(5, 0);
    c->set_connection_timeout(5, 0);
    return c;
  }

 private:
  Config m_config;
  HttpOptions m_options;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
  int m_port = 0;
};

const char* const k_both = "application/json, text/event-stream";

inline httplib::Headers headers(const std::string& session = "", const std::string& version = "") {
  httplib::Headers h{{"Accept", k_both}};
  if (!session.empty()) h.emplace("Mcp-Session-Id", session);
  if (!version.empty()) h.emplace("MCP-Protocol-Version", version);
  return h;
}

inline std::string init_body(const std::string& version) {
  return json{{"jsonrpc", "2.0"},
              {"id", 1},
              {"method", "initialize"},
              {"params",
               {{"protocolVersion", version},
                {"capabilities", json::object()},
                {"clientInfo", {{"name", "t"}, {"version", "0"}}}}}}
      .dump();
}

inline std::string request(int id, const std::string& method, json params = json::object()) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump();
}

// ---- 2026-07-28 (modern) requests ----

const char* const k_modern = "2026-07-28";

// `params` with the required _meta of a modern request (and `capabilities` as clientCapabilities).
inline json modern_params(json params = json::object(), json capabilities = json::object()) {
  params["_meta"] = {{"io.modelcontextprotocol/protocolVersion", k_modern},
                     {"io.modelcontextprotocol/clientInfo", {{"name", "t"}, {"version", "0"}}},
                     {"io.modelcontextprotocol/clientCapabilities", std::move(capabilities)}};
  return params;
}

inline std::string modern_request(int id, const std::string& method, json params = json::object(),
                                  json capabilities = json::object()) {
  return request(id, method, modern_params(std::move(params), std::move(capabilities)));
}

// The request metadata headers of streamable-http.mdx for `method` (Mcp-Name when `name` is set).
inline httplib::Headers modern_headers(const std::string& method, const std::string& name = "") {
  httplib::Headers h{{"Accept", k_both}, {"MCP-Protocol-Version", k_modern}, {"Mcp-Method", method}};
  if (!name.empty()) h.emplace("Mcp-Name", name);
  return h;
}

struct Event {
  std::string id, type, data;
  bool has_data = false;
};

inline std::vector<Event> parse_sse(const std::string& body) {
  std::vector<Event> out;
  Event cur;
  bool any = false;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    std::string line = body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? body.size() : nl + 1;
    if (line.empty()) {
      if (any) out.push_back(cur);
      cur = Event{};
      any = false;
      continue;
    }
    if (line[0] == ':') continue;
    std::string field = line.substr(0, line.find(':'));
    std::string value = line.find(':') == std::string::npos ? "" : line.substr(line.find(':') + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    any = true;
    if (field == "id") cur.id = value;
    if (field == "event") cur.type = value;
    if (field == "data") {
      cur.data += (cur.has_data ? "\n" : "") + value;
      cur.has_data = true;
    }
  }
  return out;
}

// The JSON-RPC message of a reply, JSON or SSE (the last event carrying an id).
inline json reply_message(const httplib::Result& r) {
  if (r->get_header_value("Content-Type").find("text/event-stream") == std::string::npos) {
    return json::parse(r->body, nullptr, false);
  }
  json last;
  for (const auto& e : parse_sse(r->body)) {
    json m = json::parse(e.data, nullptr, false);
    if (m.is_object() && m.contains("id") && !m.contains("method")) last = m;
  }
  return last;
}

// initialize + notifications/initialized; returns the session id.
inline std::string open_session(httplib::Client& c, const std::string& version = "2025-11-25") {
  auto r = c.Post("/mcp", headers(), init_body(version), "application/json");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  std::string sid = r->get_header_value("Mcp-Session-Id");
  REQUIRE(!sid.empty());
  auto n = c.Post("/mcp", headers(sid, version), R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                  "application/json");
  REQUIRE(n);
  CHECK(n->status == 202);
  return sid;
}

// Reads a GET stream until `want` events arrived (or 3 s passed), then drops the connection.
inline std::vector<Event> read_stream(const HttpServer& server, httplib::Headers h, std::size_t want) {
  auto c = server.client();
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  c->set_read_timeout(3, 0);
  auto r = c->Get("/mcp", h, [&](const char* data, std::size_t n) {
    got.append(data, n);
    return parse_sse(got).size() < want && std::chrono::steady_clock::now() < deadline;
  });
  return parse_sse(got);
}

}  // namespace mcp_probe::testing::refserver_http
