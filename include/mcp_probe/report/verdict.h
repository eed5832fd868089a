#pragma once

// The verdict of a run: does it pass at the chosen --fail-on level, once the baseline of known
// failures (--expected-failures) is taken into account? Pure functions over a RunReport; the CLI
// maps the outcome to an exit code and the reports print it.

#include <set>
#include <string>
#include <vector>

#include "mcp_probe/checks/result.h"

namespace mcp_probe::report {

struct Policy {
  // false: only `fail` and `error` results fail the run (--fail-on must);
  // true: a `warn` does too (--fail-on should).
  bool fail_on_should = false;
  // Check ids expected to fail (the baseline). A listed check that fails does not fail the run;
  // a listed check that now passes does ("remove it from the baseline").
  std::set<std::string> expected_failures;
};

enum class Outcome { pass, fail, not_connected, interrupted };
const char* to_string(Outcome outcome);  // "pass", "fail", "not-connected", "interrupted"

struct Verdict {
  Outcome outcome = Outcome::pass;
  std::vector<std::string> failing;   // ids that fail the run, in report order
  std::vector<std::string> expected;  // ids that fail but are in the baseline
  std::vector<std::string> stale;     // baseline ids whose check now passes (fail the run)
};

// Whether this result fails at the policy's level, ignoring the baseline: `fail` and `error`
// always, `warn` with fail_on_should.
bool is_failure(const checks::CheckResult& result, const Policy& policy);

// Interrupted beats not connected beats failures. Stale baseline entries are only judged on a
// completed, connected run (checks that never ran tell nothing); skipped checks are never stale.
Verdict judge(const checks::RunReport& report, const Policy& policy);

// One line per stale entry: "expected failure X now passes: remove it from the baseline".
std::vector<std::string> stale_messages(const Verdict& verdict);

}  // namespace mcp_probe::report
