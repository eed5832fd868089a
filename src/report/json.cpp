// The JSON report (schemaVersion 1). Keys keep the documented order (ordered_json); durations
// appear only with timings so that two runs over the same server give identical files.

#include <nlohmann/json.hpp>

#include "mcp_probe/report/render.h"
#include "text.h"

namespace mcp_probe::report {
namespace {

using Ordered = nlohmann::ordered_json;

// Server-supplied JSON keeps the server's member order only as far as nlohmann::json does
// (sorted); converting keeps the output deterministic. Invalid UTF-8 is replaced, not thrown.
Ordered to_ordered(const nlohmann::json& value) {
  if (value.is_null()) return nullptr;
  return Ordered::parse(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string clean(const std::string& text) { return detail::sanitize_utf8(text); }

Ordered check_json(const checks::CheckResult& r, const ReportOptions& options) {
  Ordered c;
  c["id"] = clean(r.info.id);
  c["area"] = clean(r.info.area);
  c["status"] = checks::to_string(r.status);
  c["level"] = checks::to_string(r.info.level);
  c["protocolVersion"] = r.protocol_version.empty() ? Ordered(nullptr) : Ordered(clean(r.protocol_version));
  c["title"] = clean(r.info.title);
  c["message"] = clean(r.message);
  c["expected"] = clean(r.expected);
  c["observed"] = clean(r.observed);
  c["spec"] = clean(r.info.spec);
  c["diagnosis"] = clean(r.info.diagnosis);
  if (options.timings) c["durationMs"] = r.duration_ms;
  c["traceRefs"] = r.trace_refs;
  // Every violation, when there was more than the one the message names ("(+N more)").
  if (r.details.size() + static_cast<std::size_t>(r.details_dropped) > 1) {
    Ordered details = Ordered::array();
    for (const auto& d : r.details) {
      details.push_back(Ordered{{"status", checks::to_string(d.status)},
                                {"message", clean(d.message)},
                                {"expected", clean(d.expected)},
                                {"observed", clean(d.observed)}});
    }
    c["details"] = std::move(details);
    if (r.details_dropped > 0) c["detailsDropped"] = r.details_dropped;
  }
  return c;
}

Ordered verdict_json(const checks::RunReport& report, const ReportOptions& options) {
  const Verdict v = judge(report, options.policy);
  Ordered out;
  out["result"] = to_string(v.outcome);
  out["failOn"] = options.policy.fail_on_should ? "should" : "must";
  out["failing"] = v.failing;
  out["expectedFailures"] = v.expected;
  out["staleExpectedFailures"] = v.stale;
  return out;
}

}  // namespace

std::string render_json(const checks::RunReport& report, const ReportOptions& options) {
  Ordered doc;
  doc["schemaVersion"] = 1;
  doc["tool"] = Ordered{{"name", "mcp-probe"}, {"version", clean(report.tool_version)}};
  doc["target"] = clean(report.target);
  doc["transport"] = clean(report.transport);
  doc["protocolVersion"] =
      report.protocol_version.empty() ? Ordered(nullptr) : Ordered(clean(report.protocol_version));
  // The eras the run probed: keys added without a schemaVersion change (readers ignore new keys).
  doc["serverEra"] = report.server_era.empty() ? Ordered(nullptr) : Ordered(clean(report.server_era));
  doc["eras"] = Ordered::array();
  for (const auto& e : report.eras) {
    doc["eras"].push_back(Ordered{{"era", clean(e.era)},
                                  {"protocolVersion", clean(e.protocol_version)},
                                  {"connected", e.connected},
                                  {"serverInfo", to_ordered(e.server_info)},
                                  {"capabilities", to_ordered(e.capabilities)}});
  }
  doc["serverInfo"] = to_ordered(report.server_info);
  doc["capabilities"] = to_ordered(report.capabilities);
  doc["stderrTail"] = clean(report.stderr_tail);
  doc["checks"] = Ordered::array();
  for (const auto& r : report.checks) doc["checks"].push_back(check_json(r, options));
  const auto s = report.summary();
  Ordered summary{{"pass", s.pass}, {"fail", s.fail}, {"warn", s.warn}, {"skip", s.skip}, {"error", s.error}};
  if (options.timings) summary["wallMs"] = report.wall_ms;
  summary["connected"] = report.connected;
  summary["interrupted"] = report.interrupted;
  doc["summary"] = std::move(summary);
  doc["verdict"] = verdict_json(report, options);
  return doc.dump(2, ' ', false, Ordered::error_handler_t::replace) + "\n";
}

}  // namespace mcp_probe::report
