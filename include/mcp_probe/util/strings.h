#pragma once

// The few string helpers every module needs, once: ASCII-only (HTTP header names, media types,
// tokens), never locale-dependent. Knows nothing about MCP.

#include <string>
#include <string_view>

namespace mcp_probe::util {

// `s` without leading and trailing spaces, tabs, CR and LF. A view into `s`.
std::string_view trim(std::string_view s);
// ASCII case-insensitive equality of two strings of the same size.
bool iequals_same_size(std::string_view a, std::string_view b);
// ASCII case-insensitive equality. Inline: most calls (a header name against each of a request's)
// end at the size, with no call.
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && iequals_same_size(a, b);
}
// An ASCII lower-case copy.
std::string to_lower(std::string_view s);
// Does `text` contain `word` ignoring ASCII case?
bool icontains(std::string_view text, std::string_view word);

}  // namespace mcp_probe::util
