// `mcp-probe [options] URL | -- COMMAND`: run the suite, write the reports, pick the exit code.

#include <unistd.h>

#include "mcp_probe/checks/catalog.h"
#include "mcp_probe/checks/engine.h"
#include "mcp_probe/cli/baseline.h"
#include "mcp_probe/cli/commands.h"
#include "mcp_probe/cli/output.h"
#include "mcp_probe/cli/terminal.h"
#include "mcp_probe/report/progress.h"

namespace mcp_probe::cli {
namespace {

util::Expected<std::set<std::string>> read_baseline(const Options& options) {
  if (options.expected_failures_path.empty()) return std::set<std::string>{};
  auto ids = load_baseline(options.expected_failures_path);
  if (!ids) return ids;
  for (const auto& id : *ids) {
    if (checks::find_check(id) == nullptr) {
      print_warning("the expected-failures file lists " + id + ", which is not a known check");
    }
  }
  return ids;
}

}  // namespace

int progress_total(const checks::RunOptions& run) {
  int total = 0;
  for (const auto& info : checks::catalog()) total += checks::selected(run, info.id) ? 1 : 0;
  return total;
}

int run_probe(const Options& options, const Environment& env) {
  auto baseline = read_baseline(options);
  if (!baseline) {
    print_error(baseline.error().message);
    return k_exit_usage;
  }
  auto files = open_outputs(options);
  if (!files) {
    print_error(files.error().message);
    return k_exit_usage;
  }
  transport::Tracer tracer;
  if (auto ok = configure_tracer(tracer, options); !ok) {
    print_error(ok.error().message);
    return k_exit_usage;
  }

  checks::RunOptions run = options.run;
  run.interrupted = &interrupted_flag();
  const int total = progress_total(run);
  report::ProgressLine progress(stderr, show_progress(options, isatty(STDERR_FILENO) == 1, env), total);
  run.on_result = [&progress](const checks::CheckResult& result) { progress.update(result); };
  checks::RunReport report = checks::run(run, tracer);
  progress.clear();

  if (report.tool_version.empty()) report.tool_version = MCP_PROBE_VERSION;
  if (interrupted_flag().load()) report.interrupted = true;
  redact_report(report, tracer);
  const report::ReportOptions ropts = report_options(options, env, std::move(*baseline));
  if (auto ok = write_reports(report, options, ropts, *files); !ok) {
    print_error(ok.error().message);
    return k_exit_usage;
  }
  const report::Verdict verdict = report::judge(report, ropts.policy);
  for (const auto& line : report::stale_messages(verdict)) print_error(line);
  if (verdict.outcome == report::Outcome::not_connected) {
    print_error("could not reach, start or initialize the server " + report.target);
  }
  return exit_code(verdict.outcome);
}

}  // namespace mcp_probe::cli
