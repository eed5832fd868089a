#pragma once

// The check catalog: a table of every check mcp-probe implements, in report order.
// IDs follow ../shared/mcp-spec/REQUIREMENTS.md exactly.

#include <string_view>
#include <vector>

#include "mcp_probe/checks/result.h"

namespace mcp_probe::checks {

const std::vector<CheckInfo>& catalog();
// The entry with this id, or nullptr.
const CheckInfo* find_check(std::string_view id);

}  // namespace mcp_probe::checks
