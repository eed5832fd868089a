#pragma once

// The internal form of a catalog entry: the public CheckInfo plus the masks the engine uses to
// decide applicability.

#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcp_probe/checks/check_id.h"
#include "mcp_probe/checks/result.h"
#include "mcp_probe/transport/transport.h"

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

// Server capabilities a rule can depend on, one bit each.
enum CapabilityBit : unsigned {
  k_cap_tools = 1u << 0,
  k_cap_resources = 1u << 1,
  k_cap_prompts = 1u << 2,
  k_cap_logging = 1u << 3,
  k_cap_completions = 1u << 4,
};

struct CheckDef {
  CheckId id{};
  CheckInfo info;  // info.level: the level in every version not listed in earlier_versions
  unsigned versions = k_all_versions;
  unsigned transports = k_all_transports;
  // A rule that became stricter: in these versions (a mask) its level is `earlier_level`.
  unsigned earlier_versions = 0;
  Level earlier_level = Level::should;
  // The server capability the rule needs (a CapabilityBit; 0 for none).
  unsigned needs = 0;

  // The level of the rule in `version` ("" = the row's own level). An unknown version counts as
  // an earlier one, as the version tables do (protocol::at_least is false for it).
  Level level_in(std::string_view version) const;
  // Is the row applicable to this version and transport (0 = not known yet: yes)?
  bool applies_to_version(unsigned version_bit) const {
    return version_bit == 0 || (versions & version_bit) != 0;
  }
  bool applies_to_transport(unsigned transport_bit) const {
    return transport_bit == 0 || (transports & transport_bit) != 0;
  }
  // Does a server declaring `declared` (CapabilityBits) fall under the rule?
  bool applies_to_capabilities(unsigned declared) const { return needs == 0 || (declared & needs) != 0; }
};

// The table, in report order (src/checks/catalog.cpp): check_defs()[index_of(id)].id == id.
const std::vector<CheckDef>& check_defs();
const CheckDef& def(CheckId id);
const CheckDef* find_def(std::string_view id);

// The bit of a protocol version string (0 when unknown).
unsigned version_bit(std::string_view version);
// The CapabilityBits of a server's capabilities object (tools, resources, prompts, logging,
// completions; a member that is present and not null is declared).
unsigned capability_bits(const nlohmann::json& capabilities);
// The capability's name in the capabilities object ("tools" for k_cap_tools).
const char* capability_name(unsigned bit);

// The bit of a transport (0 for none).
unsigned transport_bit(std::optional<transport::TransportKind> kind);

}  // namespace mcp_probe::checks
