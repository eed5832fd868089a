#include "mcp_probe/checks/engine.h"

#include <map>

#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/transport/stdio.h"
#include "sequences.h"

namespace mcp_probe::checks {

namespace {

std::string describe_target(const RunOptions& o) {
  if (!o.url.empty()) return o.url;
  std::string out;
  for (const auto& a : o.command) out += (out.empty() ? "" : " ") + a;
  return out;
}

void finish_unconnected(Context& ctx, std::vector<CheckResult>& results) {
  // Nothing past the connection could run: say so on every check that was not decided.
  std::string why;
  for (const auto& r : results) {
    if (r.status == Status::fail && (r.info.area == "connectivity" || r.info.id == "stdio.spawn")) {
      why = r.info.id + ": " + r.message;
      break;
    }
  }
  const bool url = !ctx.options().url.empty();
  for (auto& r : results) {
    if (r.status != Status::skip) continue;
    if (r.message.rfind("not applicable", 0) == 0) continue;
    // A URL target whose transport was never detected: stdio checks still cannot apply.
    const CheckDef* def = find_def(r.info.id);
    if (url && def != nullptr && (def->transports & (k_http | k_sse)) == 0) {
      r.message = "not applicable to an HTTP target";
      continue;
    }
    if (r.info.area == "connectivity" && r.info.id != "connectivity.initialize") continue;
    r.status = Status::error;
    r.message = "not run: the probe could not connect (" + why + ")";
  }
}

// What would exercise a check that this run left undecided, so a skip says how to get a verdict.
const char* exercise_hint(const std::string& id) {
  static const std::map<std::string, const char*> k_hints = {
      {"jsonrpc.request.id-not-null",
       "it needs a request from the server (sampling, roots, elicitation): allow a tool that sends one with "
       "--allow-tool NAME"},
      {"jsonrpc.request.id-unique",
       "it needs requests from the server: allow a tool that sends them with --allow-tool NAME"},
      {"lifecycle.capabilities.client-respected",
       "it needs a request from the server: allow a tool that sends one with --allow-tool NAME"},
      {"lifecycle.capabilities.undeclared-method",
       "it needs a feature (tools, resources, prompts) the server does not declare"},
      {"util.cancel.server-sent-valid", "it needs a notifications/cancelled from the server"},
      {"util.progress.token-match",
       "it needs progress notifications: allow a tool that reports progress with --allow-tool NAME"},
      {"util.progress.monotonic",
       "it needs progress notifications: allow a tool that reports progress with --allow-tool NAME"},
      {"util.progress.stop-after-response",
       "it needs progress notifications: allow a tool that reports progress with --allow-tool NAME"},
      {"util.pagination.follow", "it needs a list answer with a nextCursor (more than one page)"},
      {"util.logging.level-filter",
       "it needs log messages after logging/setLevel: allow a tool that logs with --allow-tool NAME"},
      {"features.list-changed.declared", "it needs a list_changed notification from the server"},
  };
  auto it = k_hints.find(id);
  return it == k_hints.end() ? nullptr : it->second;
}

void add_exercise_hints(std::vector<CheckResult>& results) {
  for (auto& r : results) {
    if (r.status != Status::skip || r.message != "not exercised by this run") continue;
    if (const char* hint = exercise_hint(r.info.id)) r.message += std::string("; ") + hint;
  }
}

// Checks never throw by design; this is the safety net that keeps one unforeseen shape of
// server data from ending the whole run.
void run_step(Context& ctx, const Step& step) {
  ctx.begin_step();
  try {
    step.run(ctx);
  } catch (const std::exception& e) {
    ctx.note_step_failure(step.name, e.what());
  }
}

}  // namespace

RunReport run(const RunOptions& options, transport::Tracer& tracer) {
  double started = util::monotonic_ms();
  if (!options.bearer.empty()) tracer.add_secret(options.bearer);
  RunReport report;
  report.tool_version = MCP_PROBE_VERSION;
  report.target = describe_target(options);
  std::string version = options.protocol_version.empty() ? protocol::latest_version() : options.protocol_version;

  Context ctx(options, tracer);
  ctx.begin_step();
  connect_main(ctx, version);
  report.transport = ctx.transport_kind().empty() ? (options.command.empty() ? "http" : "stdio") : ctx.transport_kind();
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
  report.checks = ctx.results();
  if (!report.connected) finish_unconnected(ctx, report.checks);
  add_exercise_hints(report.checks);
  report.stderr_tail = ctx.stderr_tail;
  report.wall_ms = util::monotonic_ms() - started;
  return report;
}

}  // namespace mcp_probe::checks
