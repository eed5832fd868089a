#pragma once

// ScriptedMcpServer: a small Streamable HTTP MCP server (cpp-httplib, JSON answers only, no GET
// stream) whose misbehaviours a test picks in a Script, for the behaviours of real servers the
// reference server has no fault for. Plus the helpers the integration tests use to probe it and
// read the report.

#include <doctest/doctest.h>
#include <httplib.h>

#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mcp_probe/json/wire.h"
#include "support/refserver_fixture.h"

namespace mcp_probe::testing {

using json::Json;

// How the scripted server misbehaves. It serves JSON answers only (no SSE), no GET stream.
struct Script {
  bool sessions = true;                 // issue Mcp-Session-Id (false: a stateless server)
  int delete_status = 204;              // the answer to DELETE (404: an endpoint that does not route it)
  bool allow_origin = false;            // answer requests carrying Origin with Access-Control-Allow-Origin
  long long unknown_resource = -32002;  // the error code for resources/read of an unknown URI
  long long unknown_prompt = -32602;    // the error code for completing an unknown prompt
  bool tools = false;                   // declare tools (an empty list); tools/call always fails
  long long unknown_tool = -32602;      // the error code for tools/call of an unknown tool
  Json server_info = {{"name", "scripted"}, {"version", "1.0.0"}};
  // Non-empty: resources/list lists env://config, whose read fails with -32603 and this message
  // (a server explaining that its environment is missing something).
  std::string listed_resource_error;
  // Non-empty: every POST is refused with HTTP 401, this WWW-Authenticate header and a JSON body
  // that is no JSON-RPC message (as OAuth-protected servers answer).
  std::string www_authenticate;
};

class ScriptedMcpServer {
 public:
  explicit ScriptedMcpServer(Script script) : m_script(std::move(script)) {
    m_server.Post("/mcp", [this](const httplib::Request& req, httplib::Response& res) { post(req, res); });
    m_server.Delete("/mcp", [this](const httplib::Request& req, httplib::Response& res) {
      cors(req, res);
      res.status = m_script.delete_status;
      if (m_script.delete_status >= 200 && m_script.delete_status < 300) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_deleted.insert(req.get_header_value("Mcp-Session-Id"));
      }
    });
    m_server.Get("/mcp", [this](const httplib::Request& req, httplib::Response& res) {
      cors(req, res);
      res.status = 405;
    });
    m_port = m_server.bind_to_any_port("127.0.0.1");
    REQUIRE(m_port > 0);
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    // listen_after_bind() accepts from the bound socket at once; connections made before its
    // loop starts wait in the backlog.
  }
  ~ScriptedMcpServer() {
    m_server.stop();
    m_thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/mcp"; }
  // Request ids a client used twice within one session ("s-1 reused id 7").
  std::vector<std::string> reused_ids() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_reused;
  }

 private:
  void cors(const httplib::Request& req, httplib::Response& res) const {
    if (m_script.allow_origin && req.has_header("Origin"))
      res.set_header("Access-Control-Allow-Origin", req.get_header_value("Origin"));
  }

  static Json error(const Json& id, long long code, const std::string& message) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
  }

  void post(const httplib::Request& req, httplib::Response& res) {
    cors(req, res);
    if (!m_script.www_authenticate.empty()) {
      res.status = 401;
      res.set_header("WWW-Authenticate", m_script.www_authenticate);
      res.set_content(R"({"error":"invalid_token","error_description":"Missing bearer token"})",
                      "application/json");
      return;
    }
    auto parsed = json::parse(req.body);
    if (!parsed || !parsed->is_object()) {
      res.status = 400;
      res.set_content(error(nullptr, -32600, "Invalid Request").dump(), "application/json");
      return;
    }
    const Json& msg = *parsed;
    const std::string method = msg.value("method", "");
    if (!msg.contains("id")) {  // a notification or a response
      res.status = 202;
      return;
    }
    const Json& id = msg["id"];
    if (method != "initialize" && m_script.sessions) {
      std::string sid = req.get_header_value("Mcp-Session-Id");
      std::lock_guard<std::mutex> lock(m_mutex);
      if (sid.empty()) {
        res.status = 400;
        res.set_content(error(id, -32600, "missing session").dump(), "application/json");
        return;
      }
      if (sid.rfind("s-", 0) != 0 || m_deleted.count(sid)) {
        res.status = 404;
        res.set_content(error(id, -32600, "unknown session").dump(), "application/json");
        return;
      }
    }
    Json reply = handle(id, method, msg.value("params", Json::object()));
    std::string sid = req.get_header_value("Mcp-Session-Id");
    if (method == "initialize" && m_script.sessions && reply.contains("result")) {
      std::lock_guard<std::mutex> lock(m_mutex);
      sid = "s-" + std::to_string(++m_sessions);
      res.set_header("Mcp-Session-Id", sid);
    }
    if (!msg.contains("result") && !msg.contains("error")) {
      // Loosely: "1" and 1 are one id to a server that keys requests by their text.
      std::lock_guard<std::mutex> lock(m_mutex);
      std::string key = id.is_string() ? id.get<std::string>() : id.dump();
      if (!m_ids[sid].insert(key).second) m_reused.push_back(sid + " reused id " + id.dump());
    }
    res.set_content(reply.dump(), "application/json");
  }

  Json handle(const Json& id, const std::string& method, const Json& params) {
    auto ok = [&](Json result) {
      return Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
    };
    if (method == "initialize") {
      std::string asked = params.is_object() ? params.value("protocolVersion", "") : "";
      std::string version = asked == "2025-06-18" || asked == "2025-03-26" ? asked : "2025-11-25";
      return ok({{"protocolVersion", version},
                 {"capabilities", capabilities()},
                 {"serverInfo", m_script.server_info}});
    }
    if (m_script.tools && method == "tools/list") return ok({{"tools", Json::array()}});
    if (m_script.tools && method == "tools/call") return error(id, m_script.unknown_tool, "Unknown tool");
    if (method == "ping") return ok(Json::object());
    if (method == "prompts/list")
      return ok(
          {{"prompts", Json::array({{{"name", "greet"}, {"arguments", Json::array({{{"name", "who"}}})}}})}});
    if (method == "prompts/get") {
      if (params.value("name", "") != "greet") return error(id, -32602, "unknown prompt");
      const Json args = params.value("arguments", Json::object());
      if (!args.is_object() || !args.contains("who")) return error(id, -32602, "missing argument who");
      return ok(
          {{"messages", Json::array({{{"role", "user"}, {"content", {{"type", "text"}, {"text", "hi"}}}}})}});
    }
    if (method == "completion/complete") {
      const Json ref = params.value("ref", Json::object());
      if (ref.value("type", "") == "ref/prompt" && ref.value("name", "") != "greet")
        return error(id, m_script.unknown_prompt, "no such prompt");
      return ok({{"completion", {{"values", Json::array({"world"})}}}});
    }
    if (method == "resources/list") {
      if (m_script.listed_resource_error.empty()) return ok({{"resources", Json::array()}});
      return ok({{"resources", Json::array({{{"uri", "env://config"}, {"name", "config"}}})}});
    }
    if (method == "resources/templates/list") return ok({{"resourceTemplates", Json::array()}});
    if (method == "resources/read") {
      if (!m_script.listed_resource_error.empty() && params.value("uri", "") == "env://config")
        return error(id, -32603, m_script.listed_resource_error);
      return error(id, m_script.unknown_resource, "not found");
    }
    return error(id, -32601, "Method not found");
  }

  Json capabilities() const {
    Json caps = {{"prompts", Json::object()}, {"resources", Json::object()}, {"completions", Json::object()}};
    if (m_script.tools) caps["tools"] = Json::object();
    return caps;
  }

  Script m_script;
  httplib::Server m_server;
  int m_port = 0;
  std::thread m_thread;
  std::mutex m_mutex;
  int m_sessions = 0;
  std::set<std::string> m_deleted;
  std::map<std::string, std::set<std::string>> m_ids;  // session id -> request ids seen
  std::vector<std::string> m_reused;
};

inline checks::RunReport probe(const std::string& url, std::vector<std::string> only, bool browser = false,
                               const std::string& version = "") {
  auto o = url_options(url, "http");
  o.only = std::move(only);
  o.browser = browser;
  o.protocol_version = version;
  transport::Tracer tracer;
  return checks::run(o, tracer);
}

inline const checks::CheckResult& result(const checks::RunReport& report, const std::string& id) {
  for (const auto& c : report.checks) {
    if (c.info.id == id) return c;
  }
  FAIL("no result for " << id);
  throw std::logic_error("unreachable");
}

inline std::string describe(const checks::RunReport& report) {
  std::string out = "version " + report.protocol_version + "\n";
  for (const auto& c : report.checks) {
    out += std::string("  ") + checks::to_string(c.status) + " (" + checks::to_string(c.info.level) + ") " +
           c.info.id + ": " + c.message + " [observed: " + c.observed + "]\n";
  }
  return out;
}

}  // namespace mcp_probe::testing
