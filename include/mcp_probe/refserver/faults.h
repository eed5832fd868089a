#pragma once

// The fault table of mcp-refserver: each --fault NAME breaks exactly one rule, named after the
// check of the catalog (REQUIREMENTS.md) it makes fail.

#include <string_view>
#include <vector>

namespace mcp_probe::refserver {

// How a probe must run against the fault for its check to see it (tests/integration/faults_test.cpp
// and anyone demonstrating the fault read this). Empty strings mean "the default".
struct FaultRun {
  std::string_view transport = {};         // stdio|http|sse; "" = http for HTTP faults, else stdio
  std::string_view protocol_version = {};  // the version the probe asks for ("" = its default)
  std::string_view era = {};               // the refserver's --era ("" = dual)
  int page_size = 0;                       // the refserver's --page-size
  std::string_view response_mode = {};     // the refserver's --response-mode ("" = sse)
  std::string_view slow_args = {};         // JSON arguments for the slow tool, which the probe may then call
  bool cancel_slow = false;                // the probe cancels the slow tool (util.cancel.honoured)
  int timeout_s = 4;                       // the probe's per-request timeout
};

struct FaultInfo {
  std::string_view name;
  std::string_view breaks;   // the check id it makes fail (or warn)
  std::string_view summary;  // one line: what the server does wrong
  bool http = false;         // implemented by the HTTP / legacy SSE front-ends, not the core
  FaultRun run{};
  // Whether the fault belongs to the modern era (2026-07-28): it shows only on modern
  // requests, and tests/refserver proves it until the probe has the modern checks.
  bool modern = false;
};

const std::vector<FaultInfo>& fault_table();
// nullptr for an unknown name.
const FaultInfo* find_fault(std::string_view name);
// The transport a probe uses to show the fault (FaultRun::transport, or its default).
std::string_view fault_transport(const FaultInfo& fault);

}  // namespace mcp_probe::refserver
