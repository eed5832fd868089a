// The human report: grouped by area, coloured with rang when asked, failures expanded.

#include <sstream>

#include <rang.hpp>

#include "mcp_probe/report/render.h"
#include "text.h"

namespace mcp_probe::report {
namespace {

using checks::CheckResult;
using checks::Status;

constexpr const char* k_detail_indent = "         ";  // lines up under the check id

// Writes rang attributes only when colour is on, so plain output has no escape codes at all.
class Painter {
 public:
  Painter(std::ostream& os, bool color, std::size_t width) : m_os(os), m_color(color), m_width(width) {
    if (m_color) rang::setControlMode(rang::control::Force);
  }
  std::size_t width() const { return m_width; }
  template <typename Attr>
  void put(Attr attr, std::string_view text) {
    if (m_color) m_os << attr;
    m_os << text;
    if (m_color) m_os << rang::style::reset;
  }
  void plain(std::string_view text) { m_os << text; }

 private:
  std::ostream& m_os;
  bool m_color;
  std::size_t m_width;
};

void put_status(Painter& p, Status status) {
  std::string word = detail::status_word(status);
  word.resize(5, ' ');
  switch (status) {
    case Status::pass:
      p.put(rang::fg::green, word);
      break;
    case Status::fail:
      p.put(rang::fg::red, word);
      break;
    case Status::warn:
      p.put(rang::fg::yellow, word);
      break;
    case Status::skip:
      p.put(rang::style::dim, word);
      break;
    case Status::error:
      p.put(rang::fg::magenta, word);
      break;
  }
}

void put_wrapped(Painter& p, std::string_view label, std::string_view text, bool dim = false,
                 std::string_view indent = k_detail_indent) {
  if (text.empty()) return;
  const std::string joined = std::string(label) + std::string(text);
  // What the server sent (observed, expected) is JSON more often than not: its strings stay whole.
  const bool keep_strings = label == "observed: " || label == "expected: ";
  for (const auto& line : detail::wrap(detail::printable(joined), p.width(), indent, keep_strings)) {
    if (dim) {
      p.put(rang::style::dim, line);
    } else {
      p.plain(line);
    }
    p.plain("\n");
  }
}

void put_details(Painter& p, const CheckResult& r, const ReportOptions& options) {
  put_wrapped(p, "", r.message);
  put_wrapped(p, "expected: ", r.expected);
  put_wrapped(p, "observed: ", r.observed);
  if (options.details && r.details.size() > 1) {
    // The first is the message above; the others, each with what was seen.
    for (std::size_t i = 1; i < r.details.size(); ++i) {
      const checks::Detail& d = r.details[i];
      put_wrapped(p, "also: ", d.message + (d.observed.empty() ? "" : " (observed: " + d.observed + ")"));
    }
    if (r.details_dropped > 0) put_wrapped(p, "", "and " + std::to_string(r.details_dropped) + " more");
  }
  put_wrapped(p, "spec: ", r.info.spec);
  put_wrapped(p, "diagnosis: ", r.info.diagnosis);
}

void put_check(Painter& p, const CheckResult& r, const ReportOptions& options, const std::string& era) {
  p.plain("  ");
  put_status(p, r.status);
  p.plain("  " + detail::printable(r.info.id) + era + "  " + detail::printable(r.info.title));
  if (options.timings && r.status != Status::skip) p.plain("  (" + detail::format_ms(r.duration_ms) + ")");
  const bool baselined = options.policy.expected_failures.count(r.info.id) != 0;
  if (baselined && is_failure(r, options.policy)) p.put(rang::style::dim, "  [expected failure]");
  p.plain("\n");
  if (r.status == Status::skip) {
    put_wrapped(p, "", r.message, true);
  } else if (r.status == Status::pass && r.info.level == checks::Level::info) {
    // An informational check's value is its result ("62 ms from spawn", "legacy HTTP+SSE").
    put_wrapped(p, "", r.message, true);
  } else if (r.status != Status::pass) {
    put_details(p, r, options);
  }
}

void put_not_connected(Painter& p, const checks::RunReport& report) {
  const CheckResult* failed = detail::first_failure(report);
  std::string headline = "Could not connect";
  // A FAIL names the check the server broke; an ERROR (a 401, an interrupted wait) is no rule
  // broken, and its message is the headline, with no diagnosis of a hang.
  const bool broke_a_rule = failed != nullptr && failed->status == Status::fail;
  if (broke_a_rule) headline += ": " + failed->info.id + " (" + failed->info.title + ")";
  if (failed != nullptr && !broke_a_rule) headline += ": " + failed->message;
  p.put(rang::fg::red, detail::printable(headline));
  p.plain("\n");
  if (broke_a_rule) {
    put_wrapped(p, "", failed->message, false, "  ");
    if (failed->message.rfind("interrupted", 0) != 0)
      put_wrapped(p, "diagnosis: ", failed->info.diagnosis, false, "  ");
  }
  if (!report.stderr_tail.empty()) {
    p.plain("  server stderr (last lines):\n");
    std::istringstream tail(detail::printable(report.stderr_tail));
    for (std::string line; std::getline(tail, line);) p.put(rang::style::dim, "    | " + line + "\n");
  }
  p.plain("\n");
}

std::string summary_line(const checks::RunReport& report) {
  const auto s = report.summary();
  std::ostringstream os;
  os << "Summary: " << s.pass << " passed, " << s.fail << " failed, " << detail::count(s.warn, "warning")
     << ", " << s.skip << " skipped, " << detail::count(s.error, "error") << " ("
     << detail::count(static_cast<int>(report.checks.size()), "check") << ")\n";
  const std::string protocol = detail::protocol_label(report);
  os << "Protocol " << (protocol.empty() ? "(none)" : detail::printable(protocol)) << " over "
     << (report.transport.empty() ? "(none)" : report.transport);
  const std::string server = detail::server_label(report.server_info);
  if (!server.empty()) os << ", server " << detail::printable(server);
  os << ", " << detail::format_ms(report.wall_ms) << "\n";
  return os.str();
}

void put_verdict(Painter& p, const checks::RunReport& report, const ReportOptions& options) {
  const Verdict v = judge(report, options.policy);
  const char* level = options.policy.fail_on_should ? "should" : "must";
  p.plain("Result: ");
  switch (v.outcome) {
    case Outcome::pass:
      p.put(rang::fg::green, "PASS");
      p.plain(std::string(" (no failures at the ") + level + " level");
      if (!v.expected.empty()) {
        p.plain("; " + detail::count(static_cast<int>(v.expected.size()), "expected failure") +
                " in the baseline");
      }
      p.plain(")\n");
      break;
    case Outcome::fail:
      p.put(rang::fg::red, "FAIL");
      p.plain(" (" + detail::count(static_cast<int>(v.failing.size()), "failing check") + " at the " + level +
              " level");
      if (!v.stale.empty()) p.plain("; stale baseline entries: " + std::to_string(v.stale.size()));
      p.plain(")\n");
      for (const auto& line : stale_messages(v)) p.plain("  " + line + "\n");
      break;
    case Outcome::not_connected:
      p.put(rang::fg::red, "NOT CONNECTED");
      p.plain(" (the server could not be reached, started or initialized)\n");
      break;
    case Outcome::interrupted:
      p.put(rang::fg::yellow, "INTERRUPTED");
      p.plain(" (the run was stopped; results so far are shown)\n");
      break;
  }
}

}  // namespace

std::string render_human(const checks::RunReport& report, const ReportOptions& options) {
  std::ostringstream os;
  Painter p(os, options.color, options.width);
  p.put(rang::style::bold, "mcp-probe " + report.tool_version);
  p.plain(": " + detail::printable(report.target) + "\n\n");
  const CheckResult* root = report.connected ? nullptr : detail::first_failure(report);
  if (!report.connected) put_not_connected(p, report);
  for (const auto& group : detail::group_by_area(report)) {
    std::ostringstream body;
    Painter bp(body, options.color, options.width);
    for (const CheckResult* r : group.checks) {
      // A server that was never reached: one screen. The root cause is the headline; what did
      // not run is counted, not listed (JSON and JUnit keep every row).
      const bool undecided = r->status == Status::skip || r->status == Status::error;
      if (!report.connected && (undecided || r == root)) continue;
      put_check(bp, *r, options, detail::era_tag(report, *r));
    }
    if (body.str().empty()) continue;
    p.put(rang::style::bold, detail::printable(group.area));
    p.plain("\n" + body.str() + "\n");
  }
  if (!report.connected) {
    const int hidden = detail::not_run(report);
    if (hidden > 0) p.plain(detail::count(hidden, "check") + " not run (the probe could not connect)\n\n");
  }
  p.plain(summary_line(report));
  put_verdict(p, report, options);
  return os.str();
}

}  // namespace mcp_probe::report
