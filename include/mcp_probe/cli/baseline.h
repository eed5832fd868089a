#pragma once

// The --expected-failures baseline: check ids known to fail, one per line. '#' starts a comment
// (to the end of the line); blank lines and surrounding whitespace are ignored.

#include <set>
#include <string>
#include <string_view>

#include "mcp_probe/util/expected.h"

namespace mcp_probe::cli {

std::set<std::string> parse_baseline(std::string_view text);
// Reads and parses the file; an unreadable file is ErrorKind::usage.
util::Expected<std::set<std::string>> load_baseline(const std::string& path);

}  // namespace mcp_probe::cli
