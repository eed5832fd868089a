// checks::run end to end against mcp-refserver over stdio: what the engine fills in at its exit
// (durations, hints on skips, progress callbacks).

#include <doctest/doctest.h>

#include <set>
#include <stdexcept>

#include "mcp_probe/checks/engine.h"
#include "support/refserver_fixture.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe;

TEST_CASE("checks::run durations hints and progress") {
  checks::RunOptions options = testing::stdio_options({});
  std::set<std::string> reported;
  int calls = 0;
  options.on_result = [&](const checks::CheckResult& r) {
    ++calls;
    reported.insert(r.info.id + "@" + r.protocol_version);  // once per check and era
  };
  transport::Tracer tracer;
  const checks::RunReport report = checks::run(options, tracer);
  REQUIRE(report.connected);

  SUBCASE("durationMs is measured") {
    double total = 0;
    for (const auto& r : report.checks) {
      CHECK(r.duration_ms >= 0);
      total += r.duration_ms;
    }
    CHECK(total > 0);
  }
  SUBCASE("a 'not exercised' skip says what would exercise it") {
    for (const auto& r : report.checks) {
      if (r.info.id != "util.progress.monotonic") continue;
      CHECK(r.status == checks::Status::skip);
      CHECK(r.message.find("--allow-tool NAME") != std::string::npos);
    }
  }
  SUBCASE("each decided check is reported once to on_result") {
    CHECK(calls == static_cast<int>(reported.size()));
    int decided = 0;
    for (const auto& r : report.checks) decided += r.status != checks::Status::skip ? 1 : 0;
    CHECK(calls >= decided);
    CHECK(calls > 20);
  }
}

namespace {

const checks::CheckResult& result_of(const checks::RunReport& report, const std::string& id) {
  for (const auto& r : report.checks) {
    if (r.info.id == id) return r;
  }
  FAIL("no result for " << id);
  throw std::logic_error(id);
}

}  // namespace

TEST_CASE("checks::run --allow-origin and --invalid-origin") {
  testing::InProcessServer any_origin("http", {"origin-accepted"});
  transport::Tracer tracer;
  SUBCASE("a server that accepts any Origin fails without --allow-origin") {
    checks::RunOptions options = testing::url_options(any_origin.url(), "auto");
    options.only = {"http.origin.*", "connectivity.*"};
    options.foreign_origin = "http://attacker.example";
    const auto r = result_of(checks::run(options, tracer), "http.origin.invalid-403");
    CHECK(r.status == checks::Status::fail);
    CHECK(r.message.find("http://attacker.example") != std::string::npos);
  }
  SUBCASE("--allow-origin '*' skips the check and says why") {
    checks::RunOptions options = testing::url_options(any_origin.url(), "auto");
    options.only = {"http.origin.*", "connectivity.*"};
    options.allow_origin = "*";
    const auto report = checks::run(options, tracer);
    const auto& r = result_of(report, "http.origin.invalid-403");
    CHECK(r.status == checks::Status::skip);
    CHECK(r.message.find("--allow-origin '*'") != std::string::npos);
    CHECK(result_of(report, "http.origin.absent-accepted").status == checks::Status::pass);
  }
}
