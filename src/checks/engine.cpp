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

void finish_unconnected(const RunOptions& options, std::vector<CheckResult>& results) {
  // Nothing past the connection could run: say so on every check that was not decided.
  std::string why;
  for (const auto& r : results) {
    if (r.status == Status::fail &&
        (r.info.area == "connectivity" || r.info.id == to_string(CheckId::stdio_spawn))) {
      why = r.info.id + ": " + r.message;
      break;
    }
  }
  const bool url = !options.target.url.empty();
  for (auto& r : results) {
    if (r.status != Status::skip) continue;
    if (r.message.rfind("not applicable", 0) == 0) continue;
    // A URL target whose transport was never detected: stdio checks still cannot apply.
    const CheckDef* d = find_def(r.info.id);
    if (url && d != nullptr && (d->transports & (k_http | k_sse)) == 0) {
      r.message = "not applicable to an HTTP target";
      continue;
    }
    if (r.info.area == "connectivity" && r.info.id != to_string(CheckId::connectivity_initialize)) continue;
    r.status = Status::error;
    r.message = "not run: the probe could not connect (" + why + ")";
  }
}

// What would exercise a check that this run left undecided, so a skip says how to get a verdict.
const char* exercise_hint(CheckId id) {
  constexpr const char* k_progress =
      "it needs progress notifications: allow a tool that reports progress with --allow-tool NAME";
  switch (id) {
    case CheckId::jsonrpc_request_id_not_null:
      return "it needs a request from the server (sampling, roots, elicitation): allow a tool that sends one "
             "with --allow-tool NAME";
    case CheckId::jsonrpc_request_id_unique:
      return "it needs requests from the server: allow a tool that sends them with --allow-tool NAME";
    case CheckId::lifecycle_capabilities_client_respected:
      return "it needs a request from the server: allow a tool that sends one with --allow-tool NAME";
    case CheckId::lifecycle_capabilities_undeclared_method:
      return "it needs a feature (tools, resources, prompts) the server does not declare";
    case CheckId::util_cancel_server_sent_valid:
      return "it needs a notifications/cancelled from the server";
    case CheckId::util_progress_token_match:
    case CheckId::util_progress_monotonic:
    case CheckId::util_progress_stop_after_response:
      return k_progress;
    case CheckId::util_pagination_follow:
      return "it needs a list answer with a nextCursor (more than one page)";
    case CheckId::util_logging_level_filter:
      return "it needs log messages after logging/setLevel: allow a tool that logs with --allow-tool NAME";
    case CheckId::features_list_changed_declared:
      return "it needs a list_changed notification from the server";
    default:
      return nullptr;
  }
}

void add_exercise_hints(std::vector<CheckResult>& results) {
  for (auto& r : results) {
    if (r.status != Status::skip || r.message != "not exercised by this run") continue;
    auto id = parse_check_id(r.info.id);
    if (!id) continue;
    if (const char* hint = exercise_hint(*id)) r.message += std::string("; ") + hint;
  }
}

}  // namespace

RunReport run(const RunOptions& options, transport::Tracer& tracer) {
  double started = util::monotonic_ms();
  if (!options.target.bearer.empty()) tracer.add_secret(options.target.bearer);
  RunReport report;
  report.tool_version = MCP_PROBE_VERSION;
  report.target = describe_target(options.target);
  std::string version =
      options.protocol_version.empty() ? protocol::latest_version() : options.protocol_version;

  Context ctx(options, tracer);
  ctx.results().begin_step();
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
    for (auto&& list :
         {jsonrpc_steps(), feature_steps(), lifecycle_steps(), http_steps(), sse_steps(), shutdown_steps()}) {
      steps.insert(steps.end(), list.begin(), list.end());
    }
    util::Deadline run_deadline =
        util::Deadline::after(util::Millis(static_cast<long long>(options.run_timeout_s * 1000)));
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
  if (!report.connected) finish_unconnected(options, report.checks);
  add_exercise_hints(report.checks);
  report.stderr_tail = ctx.facts().stderr_tail;
  report.wall_ms = util::monotonic_ms() - started;
  return report;
}

}  // namespace mcp_probe::checks
