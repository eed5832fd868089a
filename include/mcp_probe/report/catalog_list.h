#pragma once

// `mcp-probe list-checks`: the check catalog as a text table, a JSON array or a Markdown table.
// Pure; takes the entries so tests can pass their own.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcp_probe/checks/result.h"

namespace mcp_probe::report {

enum class ListFormat { text, json, markdown };
std::optional<ListFormat> parse_list_format(std::string_view name);  // "text", "json", "markdown"

// text: aligned columns ID, LEVEL, VERSIONS, TRANSPORTS, TITLE; json: an array of objects with
// id, area, level, kind, versions, transports, title, spec, diagnosis; markdown: a table linking
// each id to its spec section. Ends with a newline.
std::string render_catalog(const std::vector<checks::CheckInfo>& entries, ListFormat format);

}  // namespace mcp_probe::report
