// Interop: mcp-probe against the MCP project's reference server, @modelcontextprotocol/server-everything
// (npm, pinned by scripts/peers), over stdio and over Streamable HTTP on 127.0.0.1.
//
// Its known deviations (see testdata/interop/README.md) must be reported, and everything it does
// right must pass: this is the false-positive test of the catalog against a real implementation.
// scripts/peers installs it into REPO/.peers on first use; without npm or the registry the test
// fails (CI has both). MCP_PROBE_UPDATE_GOLDENS=1 rewrites testdata/interop/server-everything-*.txt.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mcp_probe/checks/engine.h"
#include "mcp_probe/report/render.h"
#include "mcp_probe/util/process.h"

TEST_SUITE_BEGIN("interop");

using namespace mcp_probe;

namespace {

const std::string k_repo = MCP_PROBE_SOURCE_DIR;
const std::string k_peers_dir = k_repo + "/.peers";
const std::string k_peers = k_repo + "/scripts/peers";

// Read-only tools without side effects or network access (not get-env, gzip-file-as-resource,
// the toggles or the long-running ones).
const std::vector<std::string> k_safe_tools = {"echo",
                                               "get-sum",
                                               "get-tiny-image",
                                               "get-structured-content",
                                               "get-annotated-message",
                                               "get-resource-links",
                                               "get-resource-reference"};

// Runs a shell command; returns its exit status and its stdout (and stderr when `with_stderr`).
int run(const std::string& command, std::string& output, bool with_stderr = true) {
  FILE* f = popen((command + (with_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  if (!f) return -1;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) output.append(buf, n);
  int status = pclose(f);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// Installs server-everything with the project's script and returns the argv that runs it in
// `mode` (stdio or streamableHttp). Fails the test when that is impossible.
std::vector<std::string> everything_command(const std::string& mode) {
  std::string out;
  REQUIRE_MESSAGE(
      run("command -v npm", out) == 0,
      "npm is not installed: cannot install @modelcontextprotocol/server-everything (scripts/peers install)");
  std::string log;
  int status = run(quoted(k_peers) + " install " + quoted(k_peers_dir), log);
  REQUIRE_MESSAGE(status == 0, "scripts/peers install failed (is the npm registry reachable?):\n" << log);
  std::string lines;
  REQUIRE(run(quoted(k_peers) + " everything-command " + quoted(k_peers_dir) + " " + mode, lines, false) ==
          0);
  std::vector<std::string> argv;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) argv.push_back(line);
  }
  REQUIRE(argv.size() >= 2);
  return argv;
}

// A free TCP port on 127.0.0.1 (the kernel's choice; released for the server to take).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  close(fd);
  REQUIRE(ok);
  return ntohs(a.sin_port);
}

bool accepts_connections(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// server-everything in Streamable HTTP mode on 127.0.0.1 (the loopback preload pins it there),
// in its own process group; the util::Process destructor kills and reaps the group, so nothing is
// left behind even when an assertion ends the test early. Its output goes to a log file (a pipe
// nobody reads would fill up and stall it).
class EverythingHttp {
 public:
  EverythingHttp() {
    auto argv = everything_command("streamableHttp");
    m_port = free_port();
    m_log = k_peers_dir + "/everything-interop-" + std::to_string(getpid()) + ".log";
    util::SpawnOptions o;
    o.argv = {"/bin/sh", "-c", "exec \"$0\" \"$@\" >\"$MCP_PROBE_EVERYTHING_LOG\" 2>&1"};
    o.argv.insert(o.argv.end(), argv.begin(), argv.end());
    o.env = {{"PORT", std::to_string(m_port)}, {"MCP_PROBE_EVERYTHING_LOG", m_log}};
    auto p = util::Process::spawn(o);
    REQUIRE_MESSAGE(p.has_value(), "cannot start server-everything: " << p.error().message);
    m_process.emplace(std::move(*p));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!accepts_connections(m_port)) {
      REQUIRE_MESSAGE(!m_process->poll_exit(), "server-everything exited early:\n" << log_text());
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                      "server-everything is not listening after 30 s:\n"
                          << log_text());
      // Polling a port that nothing signals: there is no readiness line to wait on.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~EverythingHttp() {
    m_process.reset();
    std::remove(m_log.c_str());
  }
  EverythingHttp(const EverythingHttp&) = delete;
  EverythingHttp& operator=(const EverythingHttp&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/mcp"; }

 private:
  std::string log_text() const {
    std::ifstream in(m_log);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::optional<util::Process> m_process;
  int m_port = 0;
  std::string m_log;
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
