#include "mcp_probe/checks/engine.h"

#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/transport/stdio.h"
#include "sequences.h"

namespace mcp_probe::checks {

namespace {

std::string describe_target(const protocol::Target& o) {
  if (!o.url.empty()) return o.url;
  std::string out;
  for (const auto& a : o.command) out += (out.empty() ? "" : " ") + a;
  return out;
}

void finish_unconnected(std::vector<CheckResult>& results) {
  // Nothing past the connection could run: say so on every check that was not decided.
  std::string why;
  for (const auto& r : results) {
    if (r.status == Status::fail &&
        (r.info.area == "connectivity" || r.info.id == to_string(CheckId::stdio_spawn))) {
      why = r.info.id + ": " + r.message;
      break;
    }
  }
  for (auto& r : results) {
    if (r.status != Status::skip) continue;
    if (r.message.rfind("not applicable", 0) == 0) continue;
    if (r.info.area == "connectivity" && r.info.id != to_string(CheckId::connectivity_initialize)) continue;
    r.status = Status::error;
    r.message = "not run: the probe could not connect (" + why + ")";
  }
}

}  // namespace

RunReport run(const RunOptions& options, transport::Tracer& tracer) {
  double started = util::monotonic_ms();
  if (!options.target.bearer.empty()) tracer.add_secret(options.target.bearer);
  RunReport report;
  report.tool_version = MCP_PROBE_VERSION;
  report.target = describe_target(options.target);
  std::string version = options.protocol_version.empty() ? protocol::latest_version() : options.protocol_version;

  Context ctx(options, tracer);
  connect_main(ctx, version);
  if (auto kind = ctx.transport_kind())
    report.transport = transport::to_string(*kind);
  else
    report.transport = options.target.command.empty() ? "http" : "stdio";
  if (ctx.connected()) {
    report.connected = true;
    report.protocol_version = ctx.session().protocol_version();
    report.server_info = ctx.session().server_info();
    report.capabilities = ctx.session().server_capabilities();
    std::vector<Step> steps;
    for (auto&& list : {jsonrpc_steps(), feature_steps(), lifecycle_steps(), http_steps(), sse_steps(), shutdown_steps()}) {
      steps.insert(steps.end(), list.begin(), list.end());
    }
    util::Deadline run_deadline = util::Deadline::after(util::Millis(static_cast<long long>(options.run_timeout_s * 1000)));
    for (const Step& step : steps) {
      if (ctx.interrupted()) {
        report.interrupted = true;
        break;
      }
      if (run_deadline.expired()) break;
      run_step(ctx, step);
    }
    if (report.interrupted || run_deadline.expired()) {
      // Still end the server cleanly.
      for (const Step& step : shutdown_steps()) run_step(ctx, step);
    }
  } else {
    report.interrupted = ctx.interrupted();
  }
  report.checks = ctx.results().finish();
  if (!report.connected) finish_unconnected(report.checks);
  report.stderr_tail = ctx.facts().stderr_tail;
  report.wall_ms = util::monotonic_ms() - started;
  return report;
}

}  // namespace mcp_probe::checks
