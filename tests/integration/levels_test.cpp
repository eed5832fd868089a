// Issue 14, levels: each check's FAIL rests on a MUST of the negotiated version, and a SHOULD (or
// field advice) broken on a real server gives a WARN (or INFO), with the applied level in the
// result. The misbehaviours seen on real servers are played by a small scripted Streamable HTTP
// server; the MUST parts that stay FAILs are shown against the reference server's faults.

#include <doctest/doctest.h>
#include <httplib.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "mcp_probe/json/wire.h"
#include "support/refserver_fixture.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe;
using json::Json;

namespace {

// How the scripted server misbehaves. It serves JSON answers only (no SSE), no GET stream.
struct Script {
  bool sessions = true;                 // issue Mcp-Session-Id (false: a stateless server)
  int delete_status = 204;              // the answer to DELETE (404: an endpoint that does not route it)
  bool allow_origin = false;            // answer requests carrying Origin with Access-Control-Allow-Origin
  long long unknown_resource = -32002;  // the error code for resources/read of an unknown URI
  long long unknown_prompt = -32602;    // the error code for completing an unknown prompt
  Json server_info = {{"name", "scripted"}, {"version", "1.0.0"}};
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
    if (method == "initialize" && m_script.sessions && reply.contains("result")) {
      std::lock_guard<std::mutex> lock(m_mutex);
      res.set_header("Mcp-Session-Id", "s-" + std::to_string(++m_sessions));
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
      return ok(
          {{"protocolVersion", version},
           {"capabilities",
            {{"prompts", Json::object()}, {"resources", Json::object()}, {"completions", Json::object()}}},
           {"serverInfo", m_script.server_info}});
    }
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
    if (method == "resources/list") return ok({{"resources", Json::array()}});
    if (method == "resources/templates/list") return ok({{"resourceTemplates", Json::array()}});
    if (method == "resources/read") return error(id, m_script.unknown_resource, "not found");
    return error(id, -32601, "Method not found");
  }

  Script m_script;
  httplib::Server m_server;
  int m_port = 0;
  std::thread m_thread;
  std::mutex m_mutex;
  int m_sessions = 0;
  std::set<std::string> m_deleted;
};

checks::RunReport probe(const std::string& url, std::vector<std::string> only, bool browser = false,
                        const std::string& version = "") {
  auto o = testing::url_options(url, "http");
  o.only = std::move(only);
  o.browser = browser;
  o.protocol_version = version;
  transport::Tracer tracer;
  return checks::run(o, tracer);
}

const checks::CheckResult& result(const checks::RunReport& report, const std::string& id) {
  for (const auto& c : report.checks) {
    if (c.info.id == id) return c;
  }
  FAIL("no result for " << id);
  throw std::logic_error("unreachable");
}

std::string describe(const checks::RunReport& report) {
  std::string out = "version " + report.protocol_version + "\n";
  for (const auto& c : report.checks) {
    out += std::string("  ") + checks::to_string(c.status) + " (" + checks::to_string(c.info.level) + ") " +
           c.info.id + ": " + c.message + " [observed: " + c.observed + "]\n";
  }
  return out;
}

}  // namespace

TEST_CASE("integration::levels: SHOULD-level error codes warn and say which code came") {
  Script script;
  script.unknown_resource = -32601;
  script.unknown_prompt = -32603;
  ScriptedMcpServer server(script);
  auto report = probe(server.url(), {"resources.read.not-found", "util.completion.complete"});
  INFO(describe(report));
  REQUIRE(report.connected);
  const auto& nf = result(report, "resources.read.not-found");
  CHECK(nf.status == checks::Status::warn);
  CHECK(nf.info.level == checks::Level::should);
  CHECK(nf.message ==
        "reading an unknown resource got error -32601 instead of error -32002 (Resource not found)");
  const auto& cc = result(report, "util.completion.complete");
  CHECK(cc.status == checks::Status::warn);
  CHECK(cc.info.level == checks::Level::should);
  CHECK(cc.message == "completing an unknown prompt got error -32603 instead of -32602");
}

TEST_CASE("integration::levels: the same server with the right codes passes") {
  ScriptedMcpServer server(Script{});
  auto report = probe(server.url(), {"resources.read.not-found", "util.completion.complete"});
  INFO(describe(report));
  CHECK(result(report, "resources.read.not-found").status == checks::Status::pass);
  CHECK(result(report, "util.completion.complete").status == checks::Status::pass);
}

TEST_CASE("integration::levels: newer fields under an older version warn, newer content types fail") {
  // serverInfo.icons / websiteUrl / description are 2025-11-25 fields (VERSIONS.md §5): the
  // 2025-06-18 schema's open objects accept them and older clients ignore them.
  Script script;
  script.server_info = {{"name", "scripted"},
                        {"version", "1.0.0"},
                        {"description", "a scripted server"},
                        {"websiteUrl", "https://example.com"},
                        {"icons", Json::array({{{"src", "https://example.com/i.png"}}})}};
  ScriptedMcpServer server(script);
  auto report = probe(server.url(), {"lifecycle.operation.version-respected"}, false, "2025-06-18");
  INFO(describe(report));
  REQUIRE(report.protocol_version == "2025-06-18");
  const auto& c = result(report, "lifecycle.operation.version-respected");
  CHECK(c.status == checks::Status::warn);
  CHECK(c.info.level == checks::Level::should);
  for (const char* field : {"serverInfo.description", "serverInfo.websiteUrl", "serverInfo.icons"}) {
    CAPTURE(field);
    CHECK(c.observed.find(field) != std::string::npos);
  }
}

TEST_CASE("integration::levels: http.session.delete") {
  SUBCASE("DELETE answered 404 by an endpoint that does not route it warns") {
    Script script;
    script.delete_status = 404;
    ScriptedMcpServer server(script);
    auto report = probe(server.url(), {"http.session.delete"});
    INFO(describe(report));
    const auto& c = result(report, "http.session.delete");
    CHECK(c.status == checks::Status::warn);
    CHECK(c.info.level == checks::Level::should);
    CHECK(c.message.find("HTTP 404") != std::string::npos);
  }
  SUBCASE("a session that still answers after a successful DELETE fails (the MUST)") {
    testing::InProcessServer server("http", {"delete-ignored"});
    auto o = testing::url_options(server.url(), "http");
    o.only = {"http.session.delete"};
    transport::Tracer tracer;
    auto report = checks::run(o, tracer);
    INFO(describe(report));
    const auto& c = result(report, "http.session.delete");
    CHECK(c.status == checks::Status::fail);
    CHECK(c.info.level == checks::Level::must);
  }
  SUBCASE("a session that gets 404 after DELETE passes") {
    ScriptedMcpServer server(Script{});
    auto report = probe(server.url(), {"http.session.delete"});
    INFO(describe(report));
    CHECK(result(report, "http.session.delete").status == checks::Status::pass);
  }
}

TEST_CASE("integration::levels: a stateless HTTP server skips the pre-init rejection check") {
  Script script;
  script.sessions = false;
  ScriptedMcpServer server(script);
  auto report = probe(server.url(), {"lifecycle.pre-init.*"});
  INFO(describe(report));
  REQUIRE(report.connected);
  const auto& c = result(report, "lifecycle.pre-init.request-rejected");
  CHECK(c.status == checks::Status::skip);
  CHECK(c.message.find("stateless") != std::string::npos);
  // The ping is still probed.
  CHECK(result(report, "lifecycle.pre-init.ping-allowed").status == checks::Status::pass);
}

TEST_CASE("integration::levels: CORS findings are INFO unless the server serves browsers") {
  const std::vector<std::string> cors = {"http.cors.*"};
  SUBCASE("no CORS headers at all: INFO, noted on a pass") {
    ScriptedMcpServer server(Script{});
    auto report = probe(server.url(), cors);
    INFO(describe(report));
    const auto& c = result(report, "http.cors.preflight");
    CHECK(c.status == checks::Status::pass);
    CHECK(c.info.level == checks::Level::info);
    CHECK(c.message.find("does not allow MCP's headers") != std::string::npos);
    CHECK(c.message.find("--browser") != std::string::npos);
    CHECK(result(report, "http.cors.expose-session-id").status == checks::Status::pass);
  }
  SUBCASE("the same server with --browser: WARN") {
    ScriptedMcpServer server(Script{});
    auto report = probe(server.url(), cors, true);
    INFO(describe(report));
    CHECK(result(report, "http.cors.preflight").status == checks::Status::warn);
    CHECK(result(report, "http.cors.preflight").info.level == checks::Level::should);
    CHECK(result(report, "http.cors.expose-session-id").status == checks::Status::warn);
  }
  SUBCASE("a server that answers with Access-Control-Allow-Origin serves browsers: WARN") {
    Script script;
    script.allow_origin = true;
    ScriptedMcpServer server(script);
    auto report = probe(server.url(), cors);
    INFO(describe(report));
    const auto& c = result(report, "http.cors.expose-session-id");
    CHECK(c.status == checks::Status::warn);
    CHECK(c.message.find("serves browsers") != std::string::npos);
    CHECK(result(report, "http.cors.preflight").status == checks::Status::warn);
  }
}

TEST_SUITE_END();
