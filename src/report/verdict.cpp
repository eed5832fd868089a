#include "mcp_probe/report/verdict.h"

#include <set>

namespace mcp_probe::report {

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "fail";
    case Outcome::not_connected:
      return "not-connected";
    case Outcome::interrupted:
      return "interrupted";
  }
  return "?";
}

bool is_failure(const checks::CheckResult& result, const Policy& policy) {
  switch (result.status) {
    case checks::Status::fail:
    case checks::Status::error:
      return true;
    case checks::Status::warn:
      return policy.fail_on_should;
    case checks::Status::pass:
    case checks::Status::skip:
      return false;
  }
  return false;
}

Verdict judge(const checks::RunReport& report, const Policy& policy) {
  Verdict verdict;
  const bool complete = report.connected && !report.interrupted;
  // A run of two eras lists a check once per era: an id is named once, and a baseline entry is
  // stale only when it failed in no era.
  std::set<std::string> failed;
  for (const auto& result : report.checks) {
    if (is_failure(result, policy)) failed.insert(result.info.id);
  }
  std::set<std::string> named;
  for (const auto& result : report.checks) {
    const bool listed = policy.expected_failures.count(result.info.id) != 0;
    if (is_failure(result, policy)) {
      if (named.insert(result.info.id).second)
        (listed ? verdict.expected : verdict.failing).push_back(result.info.id);
    } else if (listed && complete && result.status != checks::Status::skip &&
               failed.count(result.info.id) == 0) {
      if (named.insert(result.info.id).second) verdict.stale.push_back(result.info.id);
    }
  }
  if (report.interrupted) {
    verdict.outcome = Outcome::interrupted;
  } else if (!report.connected) {
    verdict.outcome = Outcome::not_connected;
  } else if (!verdict.failing.empty() || !verdict.stale.empty()) {
    verdict.outcome = Outcome::fail;
  }
  return verdict;
}

std::vector<std::string> stale_messages(const Verdict& verdict) {
  std::vector<std::string> lines;
  for (const auto& id : verdict.stale) {
    lines.push_back("expected failure " + id + " now passes: remove it from the baseline");
  }
  return lines;
}

}  // namespace mcp_probe::report
