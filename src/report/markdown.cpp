// The Markdown report, for a CI step summary ($GITHUB_STEP_SUMMARY): a verdict heading, a
// summary table, the non-passing checks, and every check inside a collapsed <details>.
// Everything the server controls is escaped: a step summary renders HTML.

#include <sstream>

#include "mcp_probe/report/render.h"
#include "text.h"

namespace mcp_probe::report {
namespace {

using checks::CheckResult;
using detail::markdown_escape;

std::string heading(const checks::RunReport& report, const Verdict& v, const ReportOptions& options) {
  const char* level = options.policy.fail_on_should ? "should" : "must";
  switch (v.outcome) {
    case Outcome::pass:
      return std::string("## ✅ mcp-probe: PASS (no failures at the ") + level + " level)";
    case Outcome::fail:
      return "## ❌ mcp-probe: FAIL (" +
             detail::count(static_cast<int>(v.failing.size() + v.stale.size()), "problem") + " at the " +
             level + " level)";
    case Outcome::not_connected:
      return "## ⛔ mcp-probe: could not connect to " + markdown_escape(report.target);
    case Outcome::interrupted:
      return "## ⏸️ mcp-probe: interrupted (partial results)";
  }
  return "";
}

// The id, linked to its spec section when that is a plain http(s) URL.
std::string linked_id(const CheckResult& r, const std::string& era = "") {
  const std::string& url = r.info.spec;
  const bool safe = (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) &&
                    url.find_first_of(" ()<>\"\n\r\t") == std::string::npos;
  if (!safe) return markdown_escape(r.info.id) + markdown_escape(era);
  return "[" + markdown_escape(r.info.id) + "](" + url + ")" + markdown_escape(era);
}

std::string status_cell(const CheckResult& r, const ReportOptions& options) {
  std::string word = detail::status_word(r.status);
  if (options.policy.expected_failures.count(r.info.id) != 0 && is_failure(r, options.policy)) {
    word += " (expected)";
  }
  return word;
}

void summary_table(std::ostream& os, const checks::RunReport& report) {
  const auto s = report.summary();
  os << "| Pass | Fail | Warn | Skip | Error | Protocol | Transport | Server |\n"
     << "|---:|---:|---:|---:|---:|---|---|---|\n"
     << "| " << s.pass << " | " << s.fail << " | " << s.warn << " | " << s.skip << " | " << s.error << " | "
     << (report.protocol_version.empty() ? "–" : markdown_escape(detail::protocol_label(report))) << " | "
     << (report.transport.empty() ? "–" : markdown_escape(report.transport)) << " | ";
  const std::string server = detail::server_label(report.server_info);
  os << (server.empty() ? "–" : markdown_escape(server)) << " |\n\n";
}

void not_connected(std::ostream& os, const checks::RunReport& report) {
  if (const CheckResult* failed = detail::first_failure(report)) {
    os << "**" << linked_id(*failed) << "** " << markdown_escape(failed->info.title) << ": "
       << markdown_escape(failed->message) << "\n\n";
    if (!failed->info.diagnosis.empty() && failed->message.rfind("interrupted", 0) != 0) {
      os << markdown_escape(failed->info.diagnosis) << "\n\n";
    }
  }
  if (!report.stderr_tail.empty()) {
    os << "Server stderr (last lines):\n\n<pre>" << detail::xml_escape(report.stderr_tail, false)
       << "</pre>\n\n";
  }
}

void problems_table(std::ostream& os, const checks::RunReport& report, const ReportOptions& options) {
  std::ostringstream rows;
  int count = 0;
  for (const auto& r : report.checks) {
    if (r.status == checks::Status::pass || r.status == checks::Status::skip) continue;
    // Not connected: the root cause is above and what did not run is counted below.
    if (!report.connected && (r.status == checks::Status::error || &r == detail::first_failure(report)))
      continue;
    ++count;
    std::string message = r.message;
    if (!r.expected.empty()) message += "\nexpected: " + r.expected;
    if (!r.observed.empty()) message += "\nobserved: " + r.observed;
    rows << "| " << status_cell(r, options) << " | " << linked_id(r, detail::era_tag(report, r)) << " | "
         << markdown_escape(r.info.title) << " | " << checks::to_string(r.info.level) << " | "
         << markdown_escape(message) << " |\n";
  }
  if (count == 0) return;
  os << "### Checks that did not pass (" << count << ")\n\n"
     << "| Status | Check | Title | Level | Details |\n|---|---|---|---|---|\n"
     << rows.str() << "\n";
}

void all_checks(std::ostream& os, const checks::RunReport& report, const ReportOptions& options) {
  os << "<details><summary>All " << report.checks.size() << " checks</summary>\n\n";
  os << "| Status | Check | Title | Level |" << (options.timings ? " Time |" : "") << "\n";
  os << "|---|---|---|---|" << (options.timings ? "---:|" : "") << "\n";
  for (const auto& r : report.checks) {
    os << "| " << status_cell(r, options) << " | " << linked_id(r, detail::era_tag(report, r)) << " | "
       << markdown_escape(r.info.title) << " | " << checks::to_string(r.info.level) << " |";
    if (options.timings) os << " " << detail::format_ms(r.duration_ms) << " |";
    os << "\n";
  }
  os << "\n</details>\n";
}

}  // namespace

std::string render_markdown(const checks::RunReport& report, const ReportOptions& options) {
  const Verdict v = judge(report, options.policy);
  std::ostringstream os;
  os << heading(report, v, options) << "\n\n";
  os << "Target: " << markdown_escape(report.target) << " · mcp-probe "
     << markdown_escape(report.tool_version);
  if (options.timings) os << " · " << detail::format_ms(report.wall_ms);
  os << "\n\n";
  for (const auto& line : stale_messages(v)) os << "- " << markdown_escape(line) << "\n";
  if (!v.stale.empty()) os << "\n";
  if (!v.expected.empty()) {
    os << detail::count(static_cast<int>(v.expected.size()), "expected failure")
       << " from the baseline did not fail the run.\n\n";
  }
  if (v.outcome == Outcome::not_connected) not_connected(os, report);
  summary_table(os, report);
  problems_table(os, report, options);
  if (report.connected) {
    all_checks(os, report, options);
  } else if (const int hidden = detail::not_run(report); hidden > 0) {
    os << detail::count(hidden, "check") << " not run (the probe could not connect).\n";
  }
  return os.str();
}

}  // namespace mcp_probe::report
