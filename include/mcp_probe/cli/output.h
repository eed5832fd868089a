#pragma once

// Where a run's output goes: the wire trace (-v, --trace), and the reports (stdout or --output,
// plus --junit). Files are opened before the run so an unwritable path is a usage error (exit 2)
// instead of a lost report after a long run.

#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "mcp_probe/checks/result.h"
#include "mcp_probe/cli/options.h"
#include "mcp_probe/report/render.h"
#include "mcp_probe/transport/trace.h"
#include "mcp_probe/util/expected.h"

namespace mcp_probe::cli {

// Writes `text` to stdout and flushes it; ErrorKind::io with the reason when any byte did not
// make it (a full disk, /dev/full, a closed pipe), so the command can exit 2 instead of 0.
util::Expected<void> write_stdout(std::string_view text);

// Redaction on/off, the bearer token as a secret, a -v/-vv sink on stderr and a --trace NDJSON
// sink (the file stays open as long as the tracer). ErrorKind::usage if the file can't be opened.
util::Expected<void> configure_tracer(transport::Tracer& tracer, const Options& options);

// Applies the tracer's redaction to every free-text field of the report (target, messages,
// observed values, stderr tail), so a report never shows a token the trace would hide, then
// caps the target (300 bytes) and each message, expected and observed (2000 bytes): a 100 kB
// URL echoed in every row made a 10 MB report.
void redact_report(checks::RunReport& report, const transport::Tracer& tracer);

struct OutputFiles {
  std::unique_ptr<std::ofstream> output;  // --output, or null for stdout
  std::unique_ptr<std::ofstream> junit;   // --junit, or null
};
util::Expected<OutputFiles> open_outputs(const Options& options);

// The rendering options for this command line: colour only for human output to a terminal
// stdout (see terminal.h), the --fail-on policy and the baseline.
report::ReportOptions report_options(const Options& options, const Environment& env,
                                     std::set<std::string> baseline);

// Renders the report in --format to --output or stdout, and JUnit to --junit. ErrorKind::io if
// a write fails.
util::Expected<void> write_reports(const checks::RunReport& report, const Options& options,
                                   const report::ReportOptions& report_options, OutputFiles& files);

}  // namespace mcp_probe::cli
