#include "mcp_probe/report/verdict.h"

#include <doctest/doctest.h>

#include "report/sample_reports.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe;

TEST_CASE("report::judge") {
  using checks::Status;
  checks::RunReport r;
  r.connected = true;
  r.checks.push_back(test::make_result("a.pass", "a", Status::pass, "A"));
  r.checks.push_back(test::make_result("a.warn", "a", Status::warn, "W"));
  r.checks.push_back(test::make_result("a.skip", "a", Status::skip, "S"));
  report::Policy policy;

  SUBCASE("warnings pass at the must level and fail at the should level") {
    CHECK(report::judge(r, policy).outcome == report::Outcome::pass);
    policy.fail_on_should = true;
    const auto v = report::judge(r, policy);
    CHECK(v.outcome == report::Outcome::fail);
    CHECK(v.failing == std::vector<std::string>{"a.warn"});
  }
  SUBCASE("fail and error fail the run") {
    r.checks.push_back(test::make_result("a.fail", "a", Status::fail, "F"));
    r.checks.push_back(test::make_result("a.error", "a", Status::error, "E"));
    const auto v = report::judge(r, policy);
    CHECK(v.outcome == report::Outcome::fail);
    CHECK(v.failing == std::vector<std::string>{"a.fail", "a.error"});
  }
  SUBCASE("an expected failure keeps the run passing") {
    r.checks.push_back(test::make_result("a.fail", "a", Status::fail, "F"));
    policy.expected_failures = {"a.fail"};
    const auto v = report::judge(r, policy);
    CHECK(v.outcome == report::Outcome::pass);
    CHECK(v.expected == std::vector<std::string>{"a.fail"});
  }
  SUBCASE("a stale baseline entry fails the run with a message") {
    policy.expected_failures = {"a.pass"};
    const auto v = report::judge(r, policy);
    CHECK(v.outcome == report::Outcome::fail);
    CHECK(v.stale == std::vector<std::string>{"a.pass"});
    REQUIRE(report::stale_messages(v).size() == 1);
    CHECK(report::stale_messages(v)[0] == "expected failure a.pass now passes: remove it from the baseline");
  }
  SUBCASE("skipped and unknown baseline entries are not stale") {
    policy.expected_failures = {"a.skip", "no.such.check"};
    CHECK(report::judge(r, policy).outcome == report::Outcome::pass);
  }
  SUBCASE("not connected and interrupted take precedence; no stale judgement") {
    policy.expected_failures = {"a.pass"};
    r.connected = false;
    auto v = report::judge(r, policy);
    CHECK(v.outcome == report::Outcome::not_connected);
    CHECK(v.stale.empty());
    r.interrupted = true;
    CHECK(report::judge(r, policy).outcome == report::Outcome::interrupted);
  }
}
