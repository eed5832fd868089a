#include "mcp_probe/report/catalog_list.h"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "mcp_probe/protocol/versions.h"
#include "text.h"

namespace mcp_probe::report {
namespace {

using checks::CheckInfo;

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

// "must", or "must (should before 2025-11-25)" for a rule that became stricter (the earlier
// versions are always the oldest ones; any other set is listed).
std::string level_text(const CheckInfo& e) {
  std::string text = checks::to_string(e.level);
  if (e.earlier_versions.empty()) return text;
  std::string prefix;
  for (const protocol::VersionInfo& v : protocol::k_versions) {
    if (prefix == e.earlier_versions)
      return text + " (" + checks::to_string(e.earlier_level) + " before " + std::string(v.name) + ")";
    prefix += (prefix.empty() ? "" : ", ") + std::string(v.name);
  }
  return text + " (" + checks::to_string(e.earlier_level) + " in " + e.earlier_versions + ")";
}

std::string text_table(const std::vector<CheckInfo>& entries) {
  std::vector<std::vector<std::string>> rows{{"ID", "LEVEL", "VERSIONS", "TRANSPORTS", "TITLE"}};
  for (const auto& e : entries) {
    rows.push_back({e.id, level_text(e), e.versions, e.transports, e.title});
  }
  std::vector<std::size_t> widths(4, 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::ostringstream os;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < widths.size(); ++i) os << pad(row[i], widths[i]) << "  ";
    os << row[4] << "\n";
  }
  return os.str();
}

std::string json_array(const std::vector<CheckInfo>& entries) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& e : entries) {
    out.push_back({{"id", e.id},
                   {"area", e.area},
                   {"level", checks::to_string(e.level)},
                   {"kind", checks::to_string(e.kind)},
                   {"versions", e.versions},
                   {"transports", e.transports},
                   {"needs", e.needs},
                   {"title", e.title},
                   {"spec", e.spec},
                   {"diagnosis", e.diagnosis}});
    if (!e.earlier_versions.empty()) {
      // The level in the versions where the rule was weaker ("should" in 2024-11-05, ...).
      auto versions = nlohmann::ordered_json::array();
      for (std::size_t from = 0; from < e.earlier_versions.size();) {
        std::size_t comma = e.earlier_versions.find(", ", from);
        if (comma == std::string::npos) comma = e.earlier_versions.size();
        versions.push_back(e.earlier_versions.substr(from, comma - from));
        from = comma + 2;
      }
      out.back()["earlierLevel"] = {{"level", checks::to_string(e.earlier_level)}, {"versions", versions}};
    }
  }
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string markdown_table(const std::vector<CheckInfo>& entries) {
  std::ostringstream os;
  os << "| ID | Level | Versions | Transports | Needs | Title |\n|---|---|---|---|---|---|\n";
  for (const auto& e : entries) {
    std::string id = detail::markdown_escape(e.id);
    if (e.spec.rfind("https://", 0) == 0 && e.spec.find_first_of(" ()<>") == std::string::npos) {
      id = "[" + id + "](" + e.spec + ")";
    }
    os << "| " << id << " | " << level_text(e) << " | " << detail::markdown_escape(e.versions) << " | "
       << detail::markdown_escape(e.transports) << " | " << e.needs << " | "
       << detail::markdown_escape(e.title) << " |\n";
  }
  return os.str();
}

}  // namespace

std::optional<ListFormat> parse_list_format(std::string_view name) {
  if (name == "text") return ListFormat::text;
  if (name == "json") return ListFormat::json;
  if (name == "markdown") return ListFormat::markdown;
  return std::nullopt;
}

std::string render_catalog(const std::vector<CheckInfo>& entries, ListFormat format) {
  switch (format) {
    case ListFormat::text:
      return text_table(entries);
    case ListFormat::json:
      return json_array(entries);
    case ListFormat::markdown:
      return markdown_table(entries);
  }
  return "";
}

}  // namespace mcp_probe::report
