// Every check is seen to pass against the reference server and to FAIL (or warn, for SHOULD
// checks) against the reference server with the fault that breaks it.

#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include "mcp_probe/checks/catalog.h"
#include "mcp_probe/refserver/faults.h"
#include "support/refserver_fixture.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe;

namespace {

// The last three exist in 2026-07-28 only: a multi round-trip tool, one that needs an undeclared
// capability (modern.missing-capability-error) and the trigger of modern.subscriptions.listen.
const std::vector<std::string> k_safe_tools = {"echo",
                                               "add",
                                               "fail",
                                               "test_simple_text",
                                               "test_image_content",
                                               "test_tool_with_logging",
                                               "test_tool_with_progress",
                                               "test_input_required_result_elicitation",
                                               "test_missing_capability",
                                               "test_trigger_tool_change"};

std::string describe(const checks::RunReport& report, bool only_bad) {
  std::ostringstream out;
  out << "transport " << report.transport << ", version " << report.protocol_version << ", connected "
      << report.connected << "\n";
  for (const auto& c : report.checks) {
    if (only_bad && (c.status == checks::Status::pass || c.status == checks::Status::skip)) continue;
    out << "  " << checks::to_string(c.status) << " " << c.info.id << ": " << c.message;
    if (!c.observed.empty()) out << " [observed: " << c.observed << "]";
    out << "\n";
  }
  return out.str();
}

// The result of `id`; a run of two eras lists a check once per era: the one that failed or
// warned, else the first decided one, else the first.
const checks::CheckResult* find(const checks::RunReport& report, const std::string& id) {
  const checks::CheckResult* found = nullptr;
  for (const auto& c : report.checks) {
    if (c.info.id != id) continue;
    if (c.status == checks::Status::fail || c.status == checks::Status::warn) return &c;
    if (found == nullptr || (found->status == checks::Status::skip && c.status != checks::Status::skip))
      found = &c;
  }
  return found;
}

// The result of `id` in the era of `version`.
const checks::CheckResult* find_in(const checks::RunReport& report, const std::string& id,
                                   const std::string& version) {
  for (const auto& c : report.checks) {
    if (c.info.id == id && c.protocol_version == version) return &c;
  }
  return nullptr;
}

checks::RunReport probe(checks::RunOptions options) {
  transport::Tracer tracer;
  return checks::run(options, tracer);
}

refserver::ServeEra era_of(const std::string& era) {
  return era == "modern"   ? refserver::ServeEra::modern
         : era == "legacy" ? refserver::ServeEra::legacy
                           : refserver::ServeEra::dual;
}

checks::RunReport run_against(const std::string& transport, const std::vector<std::string>& faults,
                              int page_size, checks::RunOptions base,
                              const std::string& response_mode = "sse", const std::string& era = "dual") {
  if (transport == "stdio") {
    std::vector<std::string> args = {"--era", era};
    for (const auto& f : faults) {
      args.push_back("--fault");
      args.push_back(f);
    }
    if (page_size > 0) {
      args.push_back("--page-size");
      args.push_back(std::to_string(page_size));
    }
    auto o = testing::stdio_options(args);
    o.allow_tools = base.allow_tools;
    o.tool_args = base.tool_args;
    o.cancel_tool = base.cancel_tool;
    o.protocol_version = base.protocol_version;
    o.target.request_timeout = base.target.request_timeout;
    o.target.connect_timeout = base.target.connect_timeout;
    return probe(o);
  }
  refserver::Config config;
  config.transport = transport;
  for (const auto& f : faults) config.faults.insert(f);
  config.page_size = page_size;
  config.response_mode = response_mode;
  config.era = era_of(era);
  testing::InProcessServer server(config);
  auto o = testing::url_options(server.url(), transport);
  o.browser = base.browser;
  o.allow_tools = base.allow_tools;
  o.tool_args = base.tool_args;
  o.protocol_version = base.protocol_version;
  o.target.request_timeout = base.target.request_timeout;
  o.target.connect_timeout = base.target.connect_timeout;
  return probe(o);
}

using Ids = std::set<std::string>;

// Checks a clean reference server never exercises: passive rules that only record a violation,
// about things the fault-free server never does.
const Ids k_never_exercised = {
    "connectivity.tls",                          // the tests use plain http://
    "jsonrpc.request.id-not-null",               // it sends no requests of its own
    "jsonrpc.request.id-unique",                 //   (same)
    "lifecycle.capabilities.client-respected",   //   (same)
    "util.cancel.server-sent-valid",             // it cancels nothing
    "lifecycle.capabilities.undeclared-method",  // it declares every feature it serves
    "features.list-changed.declared",            // it sends no list_changed notifications
    "util.progress.stop-after-response",         // only progress after a response is recorded
    "util.logging.level-filter",                 // only a message below the level is recorded
    "http.sse.related-only",                     // only an unrelated message is recorded
};
// Passive checks the 2026-07-28 pass does not exercise against the reference server yet.
const Ids k_modern_unexercised = {};
// Not exercised without --page-size.
const Ids k_unpaginated = {"util.pagination.follow"};
// Streamable HTTP answering with SSE: no JSON bodies to judge.
const Ids k_sse_answers = {"util.pagination.follow", "http.post.json-single-response"};
// Streamable HTTP answering with JSON bodies: no notifications stream before a response.
const Ids k_json_answers = {"util.pagination.follow", "jsonrpc.notification.no-id", "http.sse.event-format",
                            "http.sse.unbuffered",    "util.progress.token-match",  "util.progress.monotonic",
                            "util.logging.capability"};

// The checks the reference server should exercise but this run reported as "not exercised", in
// the handshake era (expect_modern_clean looks at the 2026-07-28 one).
std::vector<std::string> unexercised(const checks::RunReport& report, const Ids& expected) {
  std::vector<std::string> out;
  for (const auto& c : report.checks) {
    if (c.protocol_version == "2026-07-28") continue;
    if (c.status == checks::Status::skip && c.message == "not exercised by this run" &&
        k_never_exercised.count(c.info.id) == 0 && expected.count(c.info.id) == 0) {
      out.push_back(c.info.id);
    }
  }
  return out;
}

// `unexercised_here`: checks this configuration cannot exercise (besides k_never_exercised).
void expect_clean(const checks::RunReport& report, const Ids& unexercised_here) {
  INFO(describe(report, true));
  CHECK(report.connected);
  auto s = report.summary();
  CHECK(s.fail == 0);
  CHECK(s.warn == 0);
  CHECK(s.error == 0);
  CHECK(s.pass > 40);
  // A check that silently stops running (a typo, a lost step) shows here, not as a pass.
  std::string missed;
  for (const auto& id : unexercised(report, unexercised_here)) missed += " " + id;
  CHECK_MESSAGE(missed.empty(), "not exercised:" << missed);
}

// expect_clean, and `id` in particular passed (was not merely skipped).
void expect_clean_passing(const checks::RunReport& report, const Ids& unexercised_here,
                          const std::string& id) {
  expect_clean(report, unexercised_here);
  const auto* c = find(report, id);
  REQUIRE(c != nullptr);
  CHECK(c->status == checks::Status::pass);
}

// A run against a server that speaks 2026-07-28: the modern era is probed and clean; `dual`:
// the handshake era too.
void expect_modern_clean(const checks::RunReport& report, bool dual) {
  INFO(describe(report, true));
  REQUIRE(report.connected);
  CHECK(report.protocol_version == "2026-07-28");
  REQUIRE(report.eras.size() == (dual ? 2u : 1u));
  CHECK(report.eras.back().era == "modern");
  const auto s = report.summary();
  CHECK(s.fail == 0);
  CHECK(s.warn == 0);
  CHECK(s.error == 0);
  const auto* discover = find_in(report, "modern.discover.implemented", "2026-07-28");
  REQUIRE(discover != nullptr);
  CHECK(discover->status == checks::Status::pass);
  // The rows ported last (issue 13): decided in 2026-07-28 too; over Streamable HTTP clients send
  // no notifications/cancelled in that version.
  const bool http = report.transport == "http";
  for (const char* id :
       {"jsonrpc.notification.no-response", "util.cancel.unknown-ignored", "util.progress.token-match"}) {
    CAPTURE(id);
    const auto* c = find_in(report, id, "2026-07-28");
    REQUIRE(c != nullptr);
    if (http && std::string(id) == "util.cancel.unknown-ignored") {
      CHECK(c->status == checks::Status::skip);
      CHECK(c->message.rfind("not applicable to protocol version 2026-07-28 over Streamable HTTP", 0) == 0);
    } else {
      CHECK(c->status == checks::Status::pass);
    }
  }
  std::string missed;
  for (const auto& c : report.checks) {
    if (c.protocol_version == "2026-07-28" && c.status == checks::Status::skip &&
        c.message == "not exercised by this run" && k_never_exercised.count(c.info.id) == 0 &&
        k_modern_unexercised.count(c.info.id) == 0)
      missed += " " + c.info.id;
  }
  CHECK_MESSAGE(missed.empty(), "not exercised in 2026-07-28:" << missed);
}

TEST_CASE("integration::reference server passes every check") {
  checks::RunOptions base;
  base.allow_tools = k_safe_tools;
  base.target.request_timeout = util::Millis(4000);
  SUBCASE("stdio") {
    base.cancel_tool = "slow";
    base.tool_args["slow"] = R"({"steps":10,"delay_ms":100})";
    auto report = run_against("stdio", {}, 0, base);
    expect_clean_passing(report, k_unpaginated, "util.cancel.honoured");
    expect_modern_clean(report, true);
    CHECK(report.server_era == "dual-era");
  }
  SUBCASE("stdio, paginated") { expect_clean(run_against("stdio", {}, 2, base), {}); }
  SUBCASE("streamable http, SSE answers") {
    base.allow_tools.push_back("slow");
    base.tool_args["slow"] = R"({"steps":3,"delay_ms":60})";
    expect_clean_passing(run_against("http", {}, 0, base), k_sse_answers, "http.sse.unbuffered");
  }
  SUBCASE("streamable http, JSON answers") {
    expect_clean(run_against("http", {}, 0, base, "json"), k_json_answers);
  }
  SUBCASE("streamable http, polling: every POST stream closes after its priming event") {
    refserver::Config config;
    config.transport = "http";
    config.sse_poll = true;
    testing::InProcessServer server(config);
    auto o = testing::url_options(server.url(), "http");
    o.allow_tools = base.allow_tools;
    o.target.request_timeout = base.target.request_timeout;
    expect_clean_passing(probe(o), k_sse_answers, "http.sse.retry-before-close");
  }
  SUBCASE("legacy http+sse") {
    base.protocol_version = "2024-11-05";
    expect_clean(run_against("sse", {}, 0, base), k_unpaginated);
  }
  SUBCASE("stdio, --era modern") {
    expect_modern_clean(run_against("stdio", {}, 0, base, "sse", "modern"), false);
  }
  SUBCASE("streamable http, --era modern") {
    expect_modern_clean(run_against("http", {}, 0, base, "sse", "modern"), false);
  }
  SUBCASE("stdio, --era legacy: handshake-only") {
    auto report = run_against("stdio", {}, 0, base, "sse", "legacy");
    expect_clean(report, k_unpaginated);
    CHECK(report.server_era == "handshake-only");
    CHECK(report.eras.size() == 1);
    CHECK(report.protocol_version == "2025-11-25");
  }
  SUBCASE("streamable http, --era legacy: handshake-only") {
    auto report = run_against("http", {}, 0, base, "sse", "legacy");
    expect_clean(report, k_sse_answers);
    CHECK(report.server_era == "handshake-only");
  }
  SUBCASE("stdio, --protocol-version 2026-07-28") {
    base.protocol_version = "2026-07-28";
    auto report = run_against("stdio", {}, 0, base);
    expect_modern_clean(report, false);
    CHECK(report.server_era.empty());
  }
  for (const char* v : {"2024-11-05", "2025-03-26", "2025-06-18"}) {
    SUBCASE((std::string("stdio at ") + v).c_str()) {
      base.protocol_version = v;
      expect_clean(run_against("stdio", {}, 0, base), k_unpaginated);
    }
  }
}

// Runs every fault of one transport and reports all that did not make their check fail.
void check_faults(const std::string& wanted_transport) {
  std::vector<std::string> misses;
  int tried = 0;
  for (const auto& fault : refserver::fault_table()) {
    std::string name(fault.name);
    std::string check(fault.breaks);
    const refserver::FaultRun& settings = fault.run;
    std::string transport(refserver::fault_transport(fault));
    if (transport != wanted_transport) continue;
    CHECK_MESSAGE(checks::find_check(check) != nullptr,
                  "fault " << name << " breaks " << check << ", which is not in the catalog");
    ++tried;
    checks::RunOptions base;
    base.allow_tools = k_safe_tools;
    base.target.request_timeout = util::seconds(settings.timeout_s);
    // The reference server starts at once: its faults in initialize need no 30 s wait.
    base.target.connect_timeout = base.target.request_timeout;
    base.protocol_version = std::string(settings.protocol_version);
    if (!settings.slow_args.empty()) {
      if (!settings.cancel_slow) base.allow_tools.push_back("slow");
      base.tool_args["slow"] = std::string(settings.slow_args);
    }
    if (settings.cancel_slow) base.cancel_tool = "slow";
    // The CORS rows are INFO unless the server serves browsers; a server with no CORS headers at
    // all shows it only to a run that says it does (tests/integration/levels_test.cpp).
    if (name == "no-cors") base.browser = true;
    std::string mode = settings.response_mode.empty() ? "sse" : std::string(settings.response_mode);
    const std::string era = settings.era.empty() ? "dual" : std::string(settings.era);
    auto report = run_against(transport, {name}, settings.page_size, base, mode, era);
    const auto* result = find(report, check);
    // An INFO row records its finding as a pass with the words of the violation (it cannot fail).
    const bool info_seen = result != nullptr && result->info.level == checks::Level::info &&
                           result->status == checks::Status::pass &&
                           result->message.find("lack") != std::string::npos;
    if (result == nullptr ||
        (result->status != checks::Status::fail && result->status != checks::Status::warn && !info_seen)) {
      std::string got =
          result ? std::string(checks::to_string(result->status)) + ": " + result->message : "missing";
      misses.push_back("fault " + name + " -> " + check + " was " + got);
    }
  }
  // Faults that break more than the one check the table names.
  const std::vector<std::pair<std::string, std::string>> extra = {
      {"bad-schema", "tools.list.schema"},
      {"undeclared-prompts", "lifecycle.capabilities.undeclared-method"},
  };
  for (const auto& [name, check] : extra) {
    if (wanted_transport != "stdio") break;
    checks::RunOptions base;
    base.allow_tools = k_safe_tools;
    auto report = run_against("stdio", {name}, 0, base);
    const auto* result = find(report, check);
    if (result == nullptr ||
        (result->status != checks::Status::fail && result->status != checks::Status::warn)) {
      misses.push_back("fault " + name + " -> " + check + " was " +
                       (result ? checks::to_string(result->status) : "missing"));
    }
  }
  std::string all;
  for (const auto& m : misses) all += m + "\n";
  INFO(all);
  CHECK(tried > 0);
  CHECK(misses.empty());
}

}  // namespace

// Issue 12: over HTTP at 2024-11-05, passive checks of later versions recorded PASS while their
// neighbours said "not applicable". Applicability is now enforced where results are recorded.
TEST_CASE("integration::checks of later versions do not apply to a 2024-11-05 run over streamable http") {
  checks::RunOptions base;
  base.allow_tools = k_safe_tools;
  base.protocol_version = "2024-11-05";
  auto report = run_against("http", {}, 0, base);
  INFO(describe(report, false));
  REQUIRE(report.connected);
  CHECK(report.protocol_version == "2024-11-05");
  for (const char* id : {"http.sse.event-format", "http.resume.event-ids", "http.sse.priming-event"}) {
    CAPTURE(id);
    const auto* c = find(report, id);
    REQUIRE(c != nullptr);
    CHECK(c->status == checks::Status::skip);
    CHECK(c->message == "not applicable to protocol version 2024-11-05");
  }
}

// The rows the 2026-07-28 pass ported last (issue 13), against their modern faults on both
// transports with --era modern: the FAIL (WARN for the SHOULD) is the 2026-07-28 result.
TEST_CASE("integration::the 2026-07-28 notification and progress rows fail on their faults") {
  struct Case {
    const char* transport;
    const char* fault;
    const char* check;
  };
  const Case cases[] = {
      {"stdio", "modern-answer-notifications", "jsonrpc.notification.no-response"},
      {"stdio", "modern-reply-to-cancel", "util.cancel.unknown-ignored"},
      {"stdio", "modern-progress-wrong-token", "util.progress.token-match"},
      {"http", "modern-answer-notifications", "jsonrpc.notification.no-response"},
      {"http", "modern-progress-wrong-token", "util.progress.token-match"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.transport);
    CAPTURE(c.fault);
    checks::RunOptions base;
    base.allow_tools = k_safe_tools;
    auto report = run_against(c.transport, {c.fault}, 0, base, "sse", "modern");
    INFO(describe(report, true));
    const auto* result = find_in(report, c.check, "2026-07-28");
    REQUIRE(result != nullptr);
    CHECK((result->status == checks::Status::fail || result->status == checks::Status::warn));
  }
}

TEST_CASE("integration::stdio faults make their checks fail") { check_faults("stdio"); }
TEST_CASE("integration::streamable http faults make their checks fail") { check_faults("http"); }
TEST_CASE("integration::legacy sse faults make their checks fail") { check_faults("sse"); }

TEST_CASE("integration::connectivity failures are named") {
  auto status_of = [](const checks::RunReport& r, const std::string& id) {
    const auto* c = find(r, id);
    return c ? c->status : checks::Status::skip;
  };
  SUBCASE("nothing listening") {
    int port = 0;
    {
      testing::InProcessServer server("http", {});
      port = server.port();
    }  // stopped: the port is closed now
    auto report = probe(testing::url_options("http://127.0.0.1:" + std::to_string(port) + "/mcp", "auto"));
    INFO(describe(report, true));
    CHECK_FALSE(report.connected);
    CHECK(status_of(report, "connectivity.connect") == checks::Status::fail);
  }
  SUBCASE("wrong path") {
    testing::InProcessServer server("http", {});
    auto report =
        probe(testing::url_options("http://127.0.0.1:" + std::to_string(server.port()) + "/wrong", "http"));
    INFO(describe(report, true));
    CHECK_FALSE(report.connected);
    CHECK(status_of(report, "connectivity.http-endpoint") == checks::Status::fail);
    CHECK(status_of(report, "connectivity.connect") == checks::Status::pass);
  }
  SUBCASE("TLS to a plain HTTP server") {
    testing::InProcessServer server("http", {});
    auto report =
        probe(testing::url_options("https://127.0.0.1:" + std::to_string(server.port()) + "/mcp", "http"));
    INFO(describe(report, true));
    CHECK_FALSE(report.connected);
    CHECK(status_of(report, "connectivity.tls") == checks::Status::fail);
  }
  SUBCASE("command not found") {
    checks::RunOptions o;
    o.target.command = {"mcp-probe-no-such-command"};
    auto report = probe(o);
    CHECK_FALSE(report.connected);
    CHECK(status_of(report, "stdio.spawn") == checks::Status::fail);
  }
}
