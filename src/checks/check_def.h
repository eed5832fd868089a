#pragma once

// The internal form of a catalog entry: the public CheckInfo plus the masks the engine uses to
// decide applicability.

#include <vector>

#include "mcp_probe/checks/result.h"

namespace mcp_probe::checks {

// Protocol versions, one bit each.
enum VersionBit : unsigned {
  k_v2024_11_05 = 1u << 0,
  k_v2025_03_26 = 1u << 1,
  k_v2025_06_18 = 1u << 2,
  k_v2025_11_25 = 1u << 3,
  k_v2026_07_28 = 1u << 4,
  k_legacy = k_v2024_11_05 | k_v2025_03_26 | k_v2025_06_18 | k_v2025_11_25,
  k_all_versions = k_legacy | k_v2026_07_28,
};

// Transports, one bit each.
enum TransportBit : unsigned {
  k_stdio = 1u << 0,
  k_http = 1u << 1,
  k_sse = 1u << 2,
  k_all_transports = k_stdio | k_http | k_sse,
};

struct CheckDef {
  CheckInfo info;
  unsigned versions = k_all_versions;
  unsigned transports = k_all_transports;
};

// The table, in report order (src/checks/catalog.cpp).
const std::vector<CheckDef>& check_defs();
const CheckDef* find_def(std::string_view id);

// The bit of a protocol version string (0 when unknown).
unsigned version_bit(std::string_view version);

}  // namespace mcp_probe::checks
