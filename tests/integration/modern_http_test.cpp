// The 2026-07-28 pass over Streamable HTTP (src/checks/seq_modern_http.cpp): each check passes in
// that pass against the reference server in each era it serves, and fails (or warns) in that
// pass against the fault that breaks it. faults_test.cpp runs every fault in a default run; this
// file pins down the era each verdict is taken in.

#include <doctest/doctest.h>

#include <sstream>

#include "support/refserver_fixture.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe;

namespace {

constexpr const char* k_modern = "2026-07-28";

struct Server {
  std::vector<std::string> faults = {};
  std::string era = "dual";  // the refserver's --era
  std::string response_mode = "sse";
  std::string protocol_version = {};  // the probe's --protocol-version ("" = detect)
};

checks::RunReport probe(const Server& s) {
  refserver::Config config;
  config.transport = "http";
  for (const auto& f : s.faults) config.faults.insert(f);
  config.response_mode = s.response_mode;
  config.era = s.era == "modern" ? refserver::ServeEra::modern : refserver::ServeEra::dual;
  testing::InProcessServer server(config);
  auto o = testing::url_options(server.url(), "http");
  o.protocol_version = s.protocol_version;
  transport::Tracer tracer;
  return checks::run(o, tracer);
}

// The result of `id`, whichever era decided it (a check neither era applies to is listed once).
const checks::CheckResult* any_result(const checks::RunReport& report, const std::string& id) {
  for (const auto& c : report.checks) {
    if (c.info.id == id) return &c;
  }
  return nullptr;
}

// The result of `id` in the 2026-07-28 pass.
const checks::CheckResult* modern_result(const checks::RunReport& report, const std::string& id) {
  for (const auto& c : report.checks) {
    if (c.info.id == id && c.protocol_version == k_modern) return &c;
  }
  return nullptr;
}

std::string describe(const checks::RunReport& report) {
  std::ostringstream out;
  out << "era " << report.server_era << ", version " << report.protocol_version << "\n";
  for (const auto& c : report.checks) {
    if (c.protocol_version != k_modern) continue;
    out << "  " << checks::to_string(c.status) << " " << c.info.id << ": " << c.message;
    if (!c.observed.empty()) out << " [observed: " << c.observed << "]";
    out << "\n";
  }
  return out.str();
}

// The checks of the 2026-07-28 pass over HTTP that a clean reference server passes in any era.
const std::vector<std::string> k_passing = {
    "modern.http.header-validation",  "modern.http.unknown-method-404",
    "modern.http.no-server-requests", "http.post.notification-202",
    "http.post.request-content-type", "http.origin.invalid-403",
    "http.keepalive.body-drained",    "http.bind.localhost",
    "http.sse.response-delivered",    "http.origin.absent-accepted",
};

void expect_passing(const checks::RunReport& report) {
  INFO(describe(report));
  REQUIRE(report.connected);
  for (const auto& id : k_passing) {
    CAPTURE(id);
    const auto* c = modern_result(report, id);
    REQUIRE(c != nullptr);
    CHECK(c->status == checks::Status::pass);
  }
}

}  // namespace

TEST_CASE("integration::modern http checks pass against the reference server") {
  SUBCASE("dual-era: GET, DELETE and sessions serve the handshake era") {
    auto report = probe({});
    expect_passing(report);
    CHECK(report.server_era == "dual-era");
    const auto* legacy = any_result(report, "modern.http.legacy-mechanisms");
    REQUIRE(legacy != nullptr);
    CHECK(legacy->status == checks::Status::skip);
  }
  SUBCASE("dual-era, --protocol-version 2026-07-28: initialize tells it is dual-era") {
    auto report = probe({.protocol_version = k_modern});
    expect_passing(report);
    const auto* legacy = any_result(report, "modern.http.legacy-mechanisms");
    REQUIRE(legacy != nullptr);
    CHECK(legacy->status == checks::Status::skip);
    CHECK(legacy->message.rfind("not applicable: the server is dual-era", 0) == 0);
  }
  SUBCASE("--era modern, JSON answers") {
    auto report = probe({.era = "modern", .response_mode = "json"});
    INFO(describe(report));
    for (const char* id : {"http.post.request-content-type", "http.post.json-single-response",
                           "modern.http.header-validation", "modern.http.unknown-method-404"}) {
      CAPTURE(id);
      const auto* c = modern_result(report, id);
      REQUIRE(c != nullptr);
      CHECK(c->status == checks::Status::pass);
    }
  }
  for (const char* version : {"", k_modern}) {
    SUBCASE((std::string("--era modern, --protocol-version '") + version + "'").c_str()) {
      auto report = probe({.era = "modern", .protocol_version = version});
      expect_passing(report);
      const auto* legacy = modern_result(report, "modern.http.legacy-mechanisms");
      REQUIRE(legacy != nullptr);
      CHECK(legacy->status == checks::Status::pass);
    }
  }
}

TEST_CASE("integration::modern http checks fail in the 2026-07-28 pass against their faults") {
  struct Case {
    const char* fault;
    const char* check;
    Server server;
    checks::Status expected;
    // false: the fault breaks server/discover itself; the failed connection is diagnosed.
    bool connects = true;
  };
  const checks::Status fail = checks::Status::fail;
  const checks::Status warn = checks::Status::warn;
  const Case cases[] = {
      {"header-mismatch-ignored", "modern.http.header-validation", {.era = "dual"}, fail},
      {"header-mismatch-ignored", "modern.http.header-validation", {.era = "modern"}, fail},
      {"unknown-method-200", "modern.http.unknown-method-404", {.era = "modern"}, fail},
      {"modern-get-sse", "modern.http.legacy-mechanisms", {.era = "modern"}, warn},
      {"sse-server-request", "modern.http.no-server-requests", {.era = "dual"}, fail},
      {"no-accel-buffering", "modern.http.no-server-requests", {.era = "modern"}, warn},
      {"notification-200", "http.post.notification-202", {.era = "modern"}, fail},
      {"notification-200", "http.post.notification-202", {.era = "dual"}, fail},
      {"wrong-content-type",
       "http.post.request-content-type",
       {.era = "modern", .response_mode = "json"},
       fail},
      {"sse-never-close", "http.sse.response-delivered", {.era = "modern"}, warn},
      {"origin-accepted", "http.origin.invalid-403", {.era = "modern"}, fail},
      {"keepalive-body-unread", "http.keepalive.body-drained", {.era = "modern"}, warn},
      {"bind-all", "http.bind.localhost", {.era = "modern"}, warn},
      {"json-wrong-id",
       "http.post.json-single-response",
       {.era = "modern", .response_mode = "json", .protocol_version = k_modern},
       fail,
       false},
      {"origin-required",
       "http.origin.absent-accepted",
       {.era = "modern", .protocol_version = k_modern},
       warn,
       false},
  };
  for (const Case& c : cases) {
    SUBCASE((std::string(c.fault) + ", --era " + c.server.era).c_str()) {
      Server s = c.server;
      s.faults = {c.fault};
      auto report = probe(s);
      INFO(describe(report));
      CHECK(report.connected == c.connects);
      const auto* r = modern_result(report, c.check);
      REQUIRE(r != nullptr);
      CHECK(r->status == c.expected);
    }
  }
}
