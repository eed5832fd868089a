// The JUnit XML report, in the dialect GitHub, GitLab and Jenkins all read: <testsuites> with
// one <testsuite> per area and one <testcase> per check.

#include <cstdio>
#include <sstream>

#include "mcp_probe/report/render.h"
#include "text.h"

namespace mcp_probe::report {
namespace {

using checks::CheckResult;
using checks::Status;

enum class CaseKind { passed, failure, error, skipped };

struct Case {
  CaseKind kind = CaseKind::passed;
  std::string message;      // the failure/error/skipped message attribute
  bool detail_out = false;  // also put the detail in <system-out>
};

std::string attr(std::string_view text) { return detail::xml_escape(text, true); }
std::string text(std::string_view t) { return detail::xml_escape(t, false); }

std::string detail_text(const CheckResult& r) {
  std::string out = r.message;
  auto add = [&out](std::string_view label, const std::string& value) {
    if (value.empty()) return;
    if (!out.empty()) out += '\n';
    out += std::string(label) + value;
  };
  add("expected: ", r.expected);
  add("observed: ", r.observed);
  add("spec: ", r.info.spec);
  add("diagnosis: ", r.info.diagnosis);
  return out;
}

Case classify(const CheckResult& r, const ReportOptions& options, const Verdict& verdict) {
  const bool listed = options.policy.expected_failures.count(r.info.id) != 0;
  if (listed && is_failure(r, options.policy)) {
    return {CaseKind::skipped, "expected failure (baseline): " + r.message, true};
  }
  for (const auto& id : verdict.stale) {
    if (id == r.info.id) {
      return {CaseKind::failure, "expected failure " + id + " now passes: remove it from the baseline",
              false};
    }
  }
  switch (r.status) {
    case Status::pass:
      return {};
    case Status::fail:
      return {CaseKind::failure, r.message, false};
    case Status::error:
      return {CaseKind::error, r.message, false};
    case Status::skip:
      return {CaseKind::skipped, r.message, false};
    case Status::warn:
      if (options.policy.fail_on_should) return {CaseKind::failure, "warning: " + r.message, true};
      return {CaseKind::passed, "", true};
  }
  return {};
}

void write_case(std::ostream& os, const CheckResult& r, const Case& c, const ReportOptions& options,
                std::string_view stderr_tail, const std::string& era) {
  os << "    <testcase classname=\"" << attr("mcp-probe." + r.info.area) << "\" name=\""
     << attr(r.info.id + era + ": " + r.info.title) << "\"";
  if (options.timings) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", r.duration_ms / 1000);
    os << " time=\"" << buf << "\"";
  }
  const std::string detail = detail_text(r);
  const char* type = checks::to_string(r.info.level);
  switch (c.kind) {
    case CaseKind::passed:
      if (!c.detail_out && stderr_tail.empty()) {
        os << "/>\n";
        return;
      }
      os << ">\n";
      break;
    case CaseKind::failure:
      os << ">\n      <failure message=\"" << attr(c.message) << "\" type=\"" << type << "\">" << text(detail)
         << "</failure>\n";
      break;
    case CaseKind::error:
      os << ">\n      <error message=\"" << attr(c.message) << "\" type=\"" << type << "\">" << text(detail)
         << "</error>\n";
      break;
    case CaseKind::skipped:
      os << ">\n      <skipped message=\"" << attr(c.message) << "\"/>\n";
      break;
  }
  if (c.detail_out) os << "      <system-out>" << text(detail) << "</system-out>\n";
  if (!stderr_tail.empty()) os << "      <system-err>" << text(stderr_tail) << "</system-err>\n";
  os << "    </testcase>\n";
}

}  // namespace

std::string render_junit(const checks::RunReport& report, const ReportOptions& options) {
  const Verdict verdict = judge(report, options.policy);
  std::ostringstream suites;
  int total = 0, failures = 0, errors = 0, skipped = 0;
  for (const auto& group : detail::group_by_area(report)) {
    std::ostringstream cases;
    int f = 0, e = 0, s = 0;
    for (const CheckResult* r : group.checks) {
      const Case c = classify(*r, options, verdict);
      f += c.kind == CaseKind::failure;
      e += c.kind == CaseKind::error;
      s += c.kind == CaseKind::skipped;
      // The server's last words belong with the connectivity check that failed.
      const bool tail = !report.connected && r == detail::first_failure(report);
      write_case(cases, *r, c, options, tail ? std::string_view(report.stderr_tail) : std::string_view(),
                 detail::era_tag(report, *r));
    }
    const int n = static_cast<int>(group.checks.size());
    suites << "  <testsuite name=\"" << attr(group.area) << "\" tests=\"" << n << "\" failures=\"" << f
           << "\" errors=\"" << e << "\" skipped=\"" << s << "\">\n"
           << cases.str() << "  </testsuite>\n";
    total += n, failures += f, errors += e, skipped += s;
  }
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << "<testsuites name=\"" << attr("mcp-probe " + report.target) << "\" tests=\"" << total
     << "\" failures=\"" << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\"";
  if (options.timings) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", report.wall_ms / 1000);
    os << " time=\"" << buf << "\"";
  }
  os << ">\n" << suites.str() << "</testsuites>\n";
  return os.str();
}

}  // namespace mcp_probe::report
