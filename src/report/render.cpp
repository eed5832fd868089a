#include "mcp_probe/report/render.h"

namespace mcp_probe::report {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "human") return Format::human;
  if (name == "json") return Format::json;
  if (name == "junit") return Format::junit;
  if (name == "markdown") return Format::markdown;
  return std::nullopt;
}

const char* to_string(Format format) {
  switch (format) {
    case Format::human:
      return "human";
    case Format::json:
      return "json";
    case Format::junit:
      return "junit";
    case Format::markdown:
      return "markdown";
  }
  return "?";
}

std::string render(const checks::RunReport& report, Format format, const ReportOptions& options) {
  switch (format) {
    case Format::human:
      return render_human(report, options);
    case Format::json:
      return render_json(report, options);
    case Format::junit:
      return render_junit(report, options);
    case Format::markdown:
      return render_markdown(report, options);
  }
  return "";
}

}  // namespace mcp_probe::report
