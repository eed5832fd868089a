// Issue 14, levels: each check's FAIL rests on a MUST of the negotiated version, and a SHOULD (or
// field advice) broken on a real server gives a WARN (or INFO), with the applied level in the
// result. The misbehaviours seen on real servers are played by a small scripted Streamable HTTP
// server; the MUST parts that stay FAILs are shown against the reference server's faults.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/cli_runner.h"
#include "support/scripted_mcp_server.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe;
using namespace mcp_probe::testing;

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

namespace {

// tools.call.unknown-tool alone, against a scripted server with tools that answers a call of an
// unknown tool with error `code`.
checks::RunReport probe_unknown_tool(long long code) {
  Script script;
  script.tools = true;
  script.unknown_tool = code;
  ScriptedMcpServer server(script);
  return probe(server.url(), {"tools.call.unknown-tool"});
}

}  // namespace

TEST_CASE("integration::levels: an unknown tool answered with another standard JSON-RPC code is INFO") {
  // FastMCP 4.20 answers an unknown tool with -32601 (docs/real-servers.md). The spec asks for
  // "standard JSON-RPC errors" (docs/2025-11-25/server/tools.mdx); -32602 is only its example.
  SUBCASE("-32601: recorded, not warned") {
    auto report = probe_unknown_tool(-32601);
    INFO(describe(report));
    REQUIRE(report.connected);
    const auto& c = result(report, "tools.call.unknown-tool");
    CHECK(c.status == checks::Status::pass);
    CHECK(c.message.find("-32601") != std::string::npos);
  }
  SUBCASE("a code outside the standard ones still warns") {
    auto report = probe_unknown_tool(-32002);
    INFO(describe(report));
    const auto& c = result(report, "tools.call.unknown-tool");
    CHECK(c.status == checks::Status::warn);
    CHECK(c.info.level == checks::Level::should);
  }
  SUBCASE("-32602 passes") {
    auto report = probe_unknown_tool(-32602);
    INFO(describe(report));
    const auto& c = result(report, "tools.call.unknown-tool");
    CHECK(c.status == checks::Status::pass);
    CHECK(c.message.empty());
  }
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

// A rule about a feature binds only a server that declares it (issue 12, applicability by
// capability): against a server that serves resources without declaring them, the declaration
// check fails and the resources rules are "not applicable" (the fault acts on initialize).
TEST_CASE("integration::levels: rules about an undeclared capability are not applicable") {
  const CliRun run = run_cli({"--format", "json", "--protocol-version", "2025-11-25", "--only", "resources.*",
                              "--", MCP_REFSERVER_BIN, "--fault", "undeclared-resources"});
  const Json report = Json::parse(run.out, nullptr, false);
  REQUIRE_MESSAGE(report.is_object(), run.out << run.err);
  int not_applicable = 0;
  for (const Json& c : report["checks"]) {
    const std::string id = c["id"];
    INFO(id << " " << c.dump());
    if (id == "resources.capability.declared") {
      CHECK(c["status"] == "fail");
    } else if (id == "resources.read.listed" || id == "resources.templates.list") {
      CHECK(c["status"] == "skip");
      CHECK(c["message"] == "not applicable: the server does not declare the resources capability");
      ++not_applicable;
    }
  }
  CHECK(not_applicable >= 2);
}
