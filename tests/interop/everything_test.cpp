// Interop: mcp-probe against the MCP project's reference server, @modelcontextprotocol/server-everything
// (npm, pinned by scripts/peers), over stdio and over Streamable HTTP on 127.0.0.1.
//
// Its known deviations (see testdata/interop/README.md) must be reported, and everything it does
// right must pass: this is the false-positive test of the catalog against a real implementation.
// scripts/peers installs it into REPO/.peers on first use; without npm or the registry the test
// fails (CI has both). MCP_PROBE_UPDATE_GOLDENS=1 rewrites testdata/interop/server-everything-*.txt.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mcp_probe/checks/engine.h"
#include "mcp_probe/report/render.h"
#include "support/peer_server.h"

TEST_SUITE_BEGIN("interop");

using namespace mcp_probe;

namespace {

// Read-only tools without side effects or network access (not get-env, gzip-file-as-resource,
// the toggles or the long-running ones).
const std::vector<std::string> k_safe_tools = {"echo",
                                               "get-sum",
                                               "get-tiny-image",
                                               "get-structured-content",
                                               "get-annotated-message",
                                               "get-resource-links",
                                               "get-resource-reference"};

// The argv that runs server-everything in `mode` (stdio or streamableHttp), installed by
// scripts/peers. Fails the test when that is impossible.
std::vector<std::string> everything_command(const std::string& mode) {
  return testing::peers::peer_command("everything-command", mode, "@modelcontextprotocol/server-everything",
                                      2);
}

// server-everything in Streamable HTTP mode on 127.0.0.1 (the loopback preload pins it there),
// stopped at scope end.
struct EverythingHttp : testing::peers::PeerHttpServer {
  EverythingHttp() : PeerHttpServer("everything", everything_command("streamableHttp")) {}
};

checks::RunReport probe(checks::RunOptions options) {
  options.allow_tools = k_safe_tools;
  transport::Tracer tracer;
  return checks::run(options, tracer);
}

const checks::CheckResult* find(const checks::RunReport& report, const std::string& id) {
  for (const auto& c : report.checks) {
    if (c.info.id == id) return &c;
  }
  return nullptr;
}

std::string describe(const checks::RunReport& report) {
  std::ostringstream out;
  out << "transport " << report.transport << ", version " << report.protocol_version << ", connected "
      << report.connected << "\n";
  for (const auto& c : report.checks) {
    if (c.status == checks::Status::pass || c.status == checks::Status::skip) continue;
    out << "  " << checks::to_string(c.status) << " " << c.info.id << ": " << c.message;
    if (!c.observed.empty()) out << " [observed: " << c.observed.substr(0, 200) << "]";
    out << "\n";
  }
  return out.str();
}

// The human report, saved for readers (informative: timings and wording may change).
void save_report(checks::RunReport report, const std::string& name, const std::string& target) {
  if (std::getenv("MCP_PROBE_UPDATE_GOLDENS") == nullptr) return;
  report.target = target;
  report::ReportOptions o;
  std::ofstream(std::string(MCP_PROBE_TESTDATA_DIR) + "/interop/" + name) << report::render_human(report, o);
}

struct Expect {
  std::string id;
  std::vector<checks::Status> allowed;
  std::string message_part;  // must occur in the result's message (empty: anything)
};

void expect_all(const checks::RunReport& report, const std::vector<Expect>& expectations) {
  for (const auto& e : expectations) {
    const auto* c = find(report, e.id);
    REQUIRE_MESSAGE(c != nullptr, e.id);
    bool status_ok = false;
    for (auto s : e.allowed) status_ok = status_ok || c->status == s;
    CHECK_MESSAGE(status_ok, e.id << " is " << checks::to_string(c->status) << ": " << c->message);
    if (!e.message_part.empty()) {
      CHECK_MESSAGE(c->message.find(e.message_part) != std::string::npos, e.id << ": " << c->message);
    }
  }
}

void expect_pass(const checks::RunReport& report, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    const auto* c = find(report, id);
    REQUIRE_MESSAGE(c != nullptr, id);
    CHECK_MESSAGE(c->status == checks::Status::pass,
                  id << " is " << checks::to_string(c->status) << ": " << c->message);
  }
}

using checks::Status;

// Deviations server-everything shows over every transport.
const std::vector<Expect> k_common_deviations = {
    // logging/setLevel "verbose" -> -32603 (a zod error) instead of -32602.
    {"util.logging.set-level", {Status::warn}, "verbose"},
    // tools/list ignores a garbage cursor and returns the first page.
    {"util.pagination.invalid-cursor", {Status::warn}, ""},
    // An unknown tool gets isError:true instead of the protocol error -32602.
    {"tools.call.unknown-tool", {Status::warn}, "isError"},
    // An unknown resource gets -32602 instead of -32002 (Resource not found, up to 2025-11-25).
    {"resources.read.not-found", {Status::warn}, "-32602"},
    // serverInfo.title under 2024-11-05 and 2025-03-26 (a SHOULD before 2025-06-18).
    {"lifecycle.operation.version-respected", {Status::warn}, "2024-11-05"},
};

// Everything it gets right on both transports.
const std::vector<std::string> k_common_passes = {
    "connectivity.initialize",
    "jsonrpc.envelope.version",
    "jsonrpc.response.id-match",
    "jsonrpc.response.result-xor-error",
    "jsonrpc.error.shape",
    "jsonrpc.error.method-not-found",
    "jsonrpc.notification.no-response",
    "jsonrpc.encoding.utf8",
    "jsonrpc.schema.message-valid",
    "lifecycle.init.result-shape",
    "lifecycle.version.echo-supported",
    "lifecycle.version.unsupported-fallback",
    "lifecycle.version.latest-preferred",
    "lifecycle.pre-init.ping-allowed",
    "lifecycle.pre-initialized.no-server-requests",
    "lifecycle.initialized.accepted",
    "util.ping.empty-result",
    "util.cancel.unknown-ignored",
    "util.completion.complete",
    "tools.capability.declared",
    "tools.list.schema",
    "tools.input-schema.object",
    "tools.input-schema.valid-dialect",
    "tools.output-schema.object-root",
    "tools.name.format",
    "tools.name.unique",
    "tools.call.result-shape",
    "tools.call.invalid-args",
    "tools.call.structured-present",
    "tools.call.structured-conforms",
    "tools.call.structured-text-mirror",
    "features.content.binary-encoding",
    "resources.capability.declared",
    "resources.list.uris",
    "resources.read.listed",
    "resources.templates.list",
    "resources.subscribe",
    "prompts.capability.declared",
    "prompts.get.listed-and-errors",
};

}  // namespace

TEST_CASE("interop::server-everything over stdio") {
  checks::RunOptions o;
  o.target.command = everything_command("stdio");
  o.target.transport = "stdio";
  auto report = probe(o);
  save_report(report, "server-everything-stdio.txt",
              "server-everything 2026.8.31 (node dist/index.js stdio)");
  INFO(describe(report));
  REQUIRE(report.connected);
  CHECK(report.transport == "stdio");
  CHECK(report.protocol_version == "2025-11-25");

  expect_all(report, k_common_deviations);
  expect_all(report, {
                         // Malformed JSON, {"jsonrpc":"2.0","id":7}, jsonrpc "1.0" and a batch are
                         // all dropped without a reply (the server keeps working).
                         {"jsonrpc.error.parse-error", {Status::warn}, "no parse error"},
                         {"jsonrpc.error.invalid-request", {Status::warn}, "no reply"},
                         {"jsonrpc.batch.rejected", {Status::warn}, "no reply"},
                         // tools/list before initialize is served (no gating on stdio).
                         {"lifecycle.pre-init.request-rejected", {Status::warn}, "succeeded"},
                     });
  expect_pass(report, k_common_passes);
  // It emits notifications/tools/list_changed unasked, with listChanged declared.
  expect_pass(report, {"stdio.spawn", "stdio.stdout.only-jsonrpc", "stdio.framing.newline",
                       "stdio.shutdown.stdin-eof", "stdio.stderr.diagnostics", "stdio.startup.latency",
                       "jsonrpc.notification.no-id", "features.list-changed.declared"});
  auto s = report.summary();
  CHECK(s.fail == 0);
  CHECK(s.error == 0);
  CHECK(s.warn == 9);
}

TEST_CASE("interop::server-everything over streamable http") {
  EverythingHttp server;
  checks::RunOptions o;
  o.target.url = server.url();
  o.target.transport = "http";

  SUBCASE("latest version") {
    auto report = probe(o);
    save_report(report, "server-everything-http.txt",
                "server-everything 2026.8.31 (dist/index.js streamableHttp)");
    INFO(describe(report));
    REQUIRE(report.connected);
    CHECK(report.transport == "http");
    CHECK(report.protocol_version == "2025-11-25");

    expect_all(report, k_common_deviations);
    expect_all(report, {
                           // A fabricated session id gets 400 on POST, GET and DELETE, not 404.
                           {"http.session.unknown-404", {Status::fail}, "did not get 404"},
                           // After DELETE the session id gets 400, not 404.
                           {"http.session.delete", {Status::fail}, "400"},
                           // Origin is not validated: Origin http://mcp-probe.invalid is served.
                           {"http.origin.invalid-403", {Status::fail}, "not refused"},
                           // {"jsonrpc":"2.0","id":7} gets 400 with -32700 (Parse error), not -32600.
                           {"jsonrpc.error.invalid-request", {Status::warn}, "-32600"},
                           // A one-element batch is processed although 2025-11-25 has no batching
                           // (tolerated: INFO in the catalog).
                           {"jsonrpc.batch.rejected", {Status::pass}, "processed anyway"},
                       });
    expect_pass(report, k_common_passes);
    expect_pass(report, {"connectivity.resolve",
                         "connectivity.connect",
                         "connectivity.http-endpoint",
                         "connectivity.transport-detected",
                         "jsonrpc.error.parse-error",
                         "lifecycle.pre-init.request-rejected",
                         "http.post.notification-202",
                         "http.post.response-202",
                         "http.post.request-content-type",
                         "http.sse.response-delivered",
                         "http.sse.event-format",
                         "http.sse.priming-event",
                         "http.get.sse-or-405",
                         "http.get.no-unsolicited-responses",
                         "http.session.id-format",
                         "http.session.missing-400",
                         "http.protocol-version.invalid-400",
                         "http.protocol-version.absent-default",
                         "http.origin.absent-accepted",
                         "http.resume.event-ids",
                         "http.cors.preflight",
                         "http.cors.expose-session-id"});
    auto s = report.summary();
    CHECK(s.fail == 3);
    CHECK(s.warn == 6);
    CHECK(s.error == 0);
  }

  SUBCASE("2025-06-18: a batch is still processed") {
    o.protocol_version = "2025-06-18";
    o.only = {"jsonrpc.batch.*", "jsonrpc.schema.message-valid"};
    auto report = probe(o);
    INFO(describe(report));
    REQUIRE(report.connected);
    CHECK(report.protocol_version == "2025-06-18");
    expect_all(report, {{"jsonrpc.batch.rejected", {Status::pass}, "processed anyway"}});
    expect_pass(report, {"jsonrpc.schema.message-valid"});
  }
}

TEST_SUITE_END();
