#include "mcp_probe/checks/engine.h"

#include <algorithm>
#include <set>

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
    case CheckId::modern_mrtr_capability_gated:
      return "it needs an InputRequiredResult: allow a tool that asks for input with --allow-tool NAME";
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

namespace {

// Runs `steps` on a connected context until the run's deadline or Ctrl-C; ends the server
// cleanly either way.
bool run_pass(Context& ctx, const std::vector<Step>& steps, const util::Deadline& run_deadline) {
  bool interrupted = false;
  // The servers the steps will start (over stdio, each takes the server's start-up time): start
  // them now, at most a few, so that they boot while the first steps run.
  constexpr std::size_t k_max_ahead = 10;
  std::size_t ahead = 0;
  for (const Step& step : steps) {
    const bool wanted =
        std::any_of(step.owns.begin(), step.owns.end(), [&](CheckId id) { return ctx.wants(id); });
    if (wanted) ahead += step.fresh_servers;
  }
  if (ctx.connected()) ctx.start_ahead(std::min(ahead, k_max_ahead));
  for (const Step& step : steps) {
    if (ctx.interrupted()) {
      interrupted = true;
      break;
    }
    if (run_deadline.expired()) break;
    run_step(ctx, step);
  }
  if (interrupted || run_deadline.expired()) {
    for (const Step& step : shutdown_steps()) run_step(ctx, step);
  }
  return interrupted;
}

// One list per era (oldest first), each in catalog order over the same selected checks: a check
// that applies to several eras appears once per era; one that applies to none ("not applicable"
// to the version or the transport) appears once.
std::vector<CheckResult> merge_eras(std::vector<std::vector<CheckResult>> eras) {
  if (eras.size() == 1) return std::move(eras.front());
  std::vector<CheckResult> out;
  const std::size_t n = eras.front().size();
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t kept = 0;
    for (auto& era : eras) {
      if (i >= era.size() || era[i].message.rfind("not applicable", 0) == 0) continue;
      out.push_back(std::move(era[i]));
      ++kept;
    }
    if (kept == 0) out.push_back(std::move(eras.front()[i]));
  }
  return out;
}

std::vector<Step> handshake_steps() {
  std::vector<Step> steps;
  for (auto&& list :
       {jsonrpc_steps(), feature_steps(), lifecycle_steps(), http_steps(), sse_steps(), shutdown_steps()}) {
    steps.insert(steps.end(), list.begin(), list.end());
  }
  return steps;
}

// The 2026-07-28 pass: the modern.* probes, then the handshake-era steps seen to be right
// statelessly, on the modern session (its requests carry the _meta fields and it answers input
// requests; rows that do not apply to 2026-07-28 are skipped where they are recorded), then the
// modern feature rows, which use what those steps listed. Over Streamable HTTP the modern HTTP
// probes (seq_modern_http.cpp) stand in for the handshake era's, whose requests carry no _meta;
// client notifications are sent with the _meta fields (seq_modern_notifications.cpp). Not run:
// logging/setLevel (removed in 2026-07-28: the modern "logging by request" step asks with _meta
// logLevel instead) and task augmentation, whose rows the catalog keeps out of 2026-07-28.
std::vector<Step> modern_pass_steps(Context& mctx) {
  std::vector<Step> steps = modern_steps();
  for (Step& step : modern_notification_steps()) steps.push_back(std::move(step));
  if (mctx.http() != nullptr) {
    for (Step& step : modern_http_steps()) steps.push_back(std::move(step));
  }
  const std::set<std::string> k_ported = {
      "request ids",  "unknown method", "malformed JSON",  "batches",   "tools/list",
      "unknown tool", "tool calls",     "cancellation",    "resources", "prompts",
      "completion",   "invalid cursor", "invalid requests"};
  for (auto&& list : {jsonrpc_steps(), feature_steps()}) {
    for (const Step& step : list) {
      if (k_ported.count(step.name) != 0) steps.push_back(step);
    }
  }
  for (auto&& list : {modern_feature_steps(), shutdown_steps()})
    steps.insert(steps.end(), list.begin(), list.end());
  return steps;
}

EraRun era_of(Context& ctx, const char* era) {
  EraRun e;
  e.era = era;
  e.protocol_version = ctx.version();
  e.connected = ctx.connected();
  if (e.connected) {
    e.server_info = ctx.session().server_info();
    e.capabilities = ctx.session().server_capabilities();
  }
  return e;
}

}  // namespace

RunReport run(const RunOptions& options, transport::Tracer& tracer) {
  double started = util::monotonic_ms();
  if (!options.target.bearer.empty()) tracer.add_secret(options.target.bearer);
  RunReport report;
  report.tool_version = MCP_PROBE_VERSION;
  report.target = describe_target(options.target);
  const std::string& pinned = options.protocol_version;
  const protocol::EraPlan plan = pinned.empty()                        ? protocol::EraPlan::detect
                                 : protocol::is_modern_version(pinned) ? protocol::EraPlan::modern
                                                                       : protocol::EraPlan::handshake;
  const std::string version = pinned.empty() ? protocol::latest_version() : pinned;

  // One Context (and so one Results) per era: a dual-era server is probed in both.
  Context ctx(options, tracer);
  Context mctx(options, tracer);
  ctx.results().begin_step();
  mctx.results().begin_step();
  connect_main(ctx, mctx, version, plan);
  Context& primary = mctx.connected() || plan == protocol::EraPlan::modern ? mctx : ctx;
  if (auto kind = primary.transport_kind())
    report.transport = transport::to_string(*kind);
  else
    report.transport = options.target.command.empty() ? "http" : "stdio";
  util::Deadline run_deadline =
      util::Deadline::after(util::Millis(static_cast<long long>(options.run_timeout_s * 1000)));
  std::vector<Context*> passes;  // oldest era first, as the report lists them
  if (ctx.connected()) {
    report.interrupted = run_pass(ctx, handshake_steps(), run_deadline);
    passes.push_back(&ctx);
    report.eras.push_back(era_of(ctx, "handshake"));
  }
  if (mctx.connected() && !report.interrupted) {
    const std::vector<Step> steps = modern_pass_steps(mctx);
    report.interrupted = run_pass(mctx, steps, run_deadline);
    passes.push_back(&mctx);
    report.eras.push_back(era_of(mctx, "modern"));
  }
  report.connected = !passes.empty();
  if (!report.connected) {
    report.interrupted = report.interrupted || primary.interrupted();
    passes.push_back(&primary);
  }
  const EraRun* newest = report.eras.empty() ? nullptr : &report.eras.back();
  if (newest != nullptr) {
    report.protocol_version = newest->protocol_version;
    report.server_info = newest->server_info;
    report.capabilities = newest->capabilities;
  }
  if (ctx.connected() && mctx.connected())
    report.server_era = protocol::to_string(protocol::ServerEra::dual);
  else if (plan == protocol::EraPlan::detect && report.connected)
    report.server_era = protocol::to_string(mctx.connected() ? protocol::ServerEra::modern_only
                                                             : protocol::ServerEra::handshake_only);
  std::vector<std::vector<CheckResult>> per_era;
  for (Context* c : passes) {
    per_era.push_back(c->results().finish());
    if (!report.connected) finish_unconnected(options, per_era.back());
    add_exercise_hints(per_era.back());
  }
  report.checks = merge_eras(std::move(per_era));
  report.stderr_tail =
      primary.facts().stderr_tail.empty() ? ctx.facts().stderr_tail : primary.facts().stderr_tail;
  report.wall_ms = util::monotonic_ms() - started;
  return report;
}

}  // namespace mcp_probe::checks
