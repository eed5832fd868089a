#pragma once

// The fault table of mcp-refserver: each --fault NAME breaks exactly one rule, named after the
// check of the catalog (REQUIREMENTS.md) it makes fail.

#include <string_view>
#include <vector>

namespace mcp_probe::refserver {

struct FaultInfo {
  std::string_view name;
  std::string_view breaks;   // the check id it makes fail (or warn)
  std::string_view summary;  // one line: what the server does wrong
  bool http = false;         // implemented by the HTTP / legacy SSE front-ends, not the core
};

const std::vector<FaultInfo>& fault_table();
// nullptr for an unknown name.
const FaultInfo* find_fault(std::string_view name);

}  // namespace mcp_probe::refserver
