#pragma once

// Text helpers shared by the report renderers (private to src/report/).

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcp_probe/checks/result.h"

namespace mcp_probe::report::detail {

// Replaces every invalid UTF-8 sequence with U+FFFD.
std::string sanitize_utf8(std::string_view text);
// For a terminal: sanitize_utf8 plus every control character but newline shown as "\xNN" (a
// tab becomes a space), so server-supplied text cannot move the cursor or change colours.
std::string printable(std::string_view text);
// XML 1.0 text/attribute content: escapes & < > " ', replaces characters XML 1.0 forbids
// (C0 controls but tab/LF/CR, U+FFFE, U+FFFF) with a visible "\xNN" / "\uFFFE"; in attributes
// tab, LF and CR become character references so they survive attribute normalisation.
std::string xml_escape(std::string_view text, bool attribute);
// Markdown table cell / inline text: HTML-escapes < > &, backslash-escapes Markdown punctuation
// and pipes, turns newlines into <br>, drops other control characters.
std::string markdown_escape(std::string_view text);
// Words wrapped to `width` columns, every line prefixed with `indent`; keeps explicit newlines.
// With `keep_strings`, never inside a double-quoted JSON string (such a line may overflow).
std::vector<std::string> wrap(std::string_view text, std::size_t width, std::string_view indent,
                              bool keep_strings = false);

// "1 check", "3 checks".
std::string count(int n, std::string_view noun);
// "1.2 s", "340 ms".
std::string format_ms(double ms);
// "name version" from an InitializeResult.serverInfo, or "" when unknown.
std::string server_label(const nlohmann::json& server_info);

// The areas of the report in order of first appearance, each with its checks in report order.
struct AreaGroup {
  std::string area;
  std::vector<const checks::CheckResult*> checks;
};
std::vector<AreaGroup> group_by_area(const checks::RunReport& report);

// The root cause of a not-connected report: the first FAIL, else the first ERROR.
const checks::CheckResult* first_failure(const checks::RunReport& report);
// Checks that did not run: errors and skips other than "not applicable ...".
int not_run(const checks::RunReport& report);

// " [2026-07-28]" when the run probed more than one era (the era a result belongs to), else "".
std::string era_tag(const checks::RunReport& report, const checks::CheckResult& r);
// "2026-07-28 and 2025-11-25 (dual-era)" for a run of two eras, else the protocol version or "".
std::string protocol_label(const checks::RunReport& report);

// Upper-case status word: "PASS", "FAIL", ...
std::string status_word(checks::Status status);

}  // namespace mcp_probe::report::detail
