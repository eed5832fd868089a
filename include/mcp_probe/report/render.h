#pragma once

// Renderers of a RunReport: human text (optionally coloured), JSON, JUnit XML and Markdown.
// Pure and deterministic: the same report and options give the same bytes. Durations appear
// only when ReportOptions::timings is set (the human summary always shows the wall time, which
// is part of the input). Renderers do no I/O, no redaction (the caller redacts first) and never
// throw on hostile text: invalid UTF-8 is replaced, XML/Markdown-significant characters escaped.

#include <optional>
#include <string>
#include <string_view>

#include "mcp_probe/checks/result.h"
#include "mcp_probe/report/verdict.h"

namespace mcp_probe::report {

enum class Format { human, json, junit, markdown };
std::optional<Format> parse_format(std::string_view name);  // "human", "json", "junit", "markdown"
const char* to_string(Format format);

struct ReportOptions {
  bool color = false;       // ANSI colour (human only); the caller decides (see cli/color.h)
  bool timings = false;     // per-check durations (human, JUnit) and durationMs/wallMs (JSON)
  bool details = false;     // human: every violation of a check, not only the first (-v)
  std::size_t width = 100;  // human: wrap at this many columns (the terminal's, when it is one)
  Policy policy;            // --fail-on and the baseline, for the verdict each format prints
};

std::string render(const checks::RunReport& report, Format format, const ReportOptions& options);

std::string render_human(const checks::RunReport& report, const ReportOptions& options);
// {"schemaVersion":1, "tool", "target", "transport", "protocolVersion", "serverInfo",
//  "capabilities", "checks":[...], "summary":{...}, "verdict":{...}}, pretty-printed, ending in
// a newline. A check with more than one violation lists them all in "details". Field list:
// man/mcp-probe.1, OUTPUT FORMATS.
std::string render_json(const checks::RunReport& report, const ReportOptions& options);
std::string render_junit(const checks::RunReport& report, const ReportOptions& options);
std::string render_markdown(const checks::RunReport& report, const ReportOptions& options);

}  // namespace mcp_probe::report
