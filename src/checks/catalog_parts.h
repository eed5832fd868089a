#pragma once

// The check table is split by group to keep each file readable; catalog.cpp concatenates the
// parts in report order. Private to src/checks.

#include <vector>

#include "check_def.h"

namespace mcp_probe::checks {

// A version range: its human-readable form and its mask.
struct Versions {
  const char* text;
  unsigned mask;
};

// A transport set: its human-readable form and its mask.
struct Transports {
  const char* text;
  unsigned mask;
};

inline constexpr Versions k_ver_all{"all", k_all_versions};
inline constexpr Versions k_ver_legacy{"legacy", k_legacy};
inline constexpr Versions k_ver_24_11{"24-11", k_v2024_11_05};
inline constexpr Versions k_ver_25_03{"25-03", k_v2025_03_26};
inline constexpr Versions k_ver_25_11{"25-11", k_v2025_11_25};
inline constexpr Versions k_ver_26_07{"26-07", k_v2026_07_28};
inline constexpr Versions k_ver_25_03_on{"25-03…26-07", k_all_versions & ~k_v2024_11_05};
inline constexpr Versions k_ver_25_06_on{"25-06…26-07", k_v2025_06_18 | k_v2025_11_25 | k_v2026_07_28};
inline constexpr Versions k_ver_25_11_on{"25-11…26-07", k_v2025_11_25 | k_v2026_07_28};
inline constexpr Versions k_ver_25_03_to_25_11{"25-03…25-11", k_v2025_03_26 | k_v2025_06_18 | k_v2025_11_25};
inline constexpr Versions k_ver_25_06_to_25_11{"25-06…25-11", k_v2025_06_18 | k_v2025_11_25};
// 2026-07-28, for a server that speaks no handshake-era version (the step decides that).
inline constexpr Versions k_ver_26_07_modern_only{"26-07 (modern-only servers)", k_v2026_07_28};

// Ranges whose text says more than the mask.
inline constexpr Versions k_ver_batchless{"24-11, 25-06…26-07",
                                          k_v2024_11_05 | k_v2025_06_18 | k_v2025_11_25 | k_v2026_07_28};
inline constexpr Versions k_ver_all_derived_24_11{"all (24-11 derived)", k_all_versions};
inline constexpr Versions k_ver_all_derived_before_25_11{"all (before 25-11 derived)", k_all_versions};
inline constexpr Versions k_ver_25_03_on_403_from_25_11{"25-03…26-07 (403 from 25-11)",
                                                        k_all_versions & ~k_v2024_11_05};

// A check's level per version: `level`, except in `earlier_versions` where it is `earlier`.
struct Levels {
  Level level;
  Level earlier;
  unsigned earlier_versions;
};
inline constexpr Levels k_must{Level::must, Level::must, 0};
inline constexpr Levels k_should{Level::should, Level::should, 0};
inline constexpr Levels k_info{Level::info, Level::info, 0};
// Rules that became MUST in a later version and were SHOULD before it.
inline constexpr Levels k_must_from_25_06{Level::must, Level::should, k_v2024_11_05 | k_v2025_03_26};
inline constexpr Levels k_must_from_25_11{Level::must, Level::should,
                                          k_v2024_11_05 | k_v2025_03_26 | k_v2025_06_18};
inline constexpr Levels k_must_from_26_07{Level::must, Level::should, k_legacy};

inline constexpr Transports k_tr_all{"all", k_all_transports};
inline constexpr Transports k_tr_stdio{"stdio", k_stdio};
inline constexpr Transports k_tr_http{"http", k_http};
inline constexpr Transports k_tr_sse{"sse", k_sse};
inline constexpr Transports k_tr_network{"http, sse", k_http | k_sse};

// The server capability a row's rule is about, as an optional last argument of the row: a server
// that does not declare it is not bound by the rule (the check is "not applicable").
struct Needs {
  unsigned mask;
};
inline constexpr Needs k_needs_none{0};
inline constexpr Needs k_needs_tools{k_cap_tools};
inline constexpr Needs k_needs_resources{k_cap_resources};
inline constexpr Needs k_needs_prompts{k_cap_prompts};
inline constexpr Needs k_needs_logging{k_cap_logging};
inline constexpr Needs k_needs_completions{k_cap_completions};

// One table row (a MCP_PROBE_CHECK of the catalog_*.def files); the area is the first segment of
// the id.
CheckDef make_def(CheckId id, Levels levels, Kind kind, Versions versions, Transports transports,
                  const char* title, const char* spec, const char* diagnosis, Needs needs = k_needs_none);

// Connectivity (and stdio.spawn), JSON-RPC base, lifecycle (catalog_core.cpp).
std::vector<CheckDef> core_check_defs();
// stdio, Streamable HTTP, legacy HTTP+SSE, with their deployment diagnostics (catalog_transport.cpp).
std::vector<CheckDef> transport_check_defs();
// Utilities, server features, experimental and opt-in features (catalog_features.cpp).
std::vector<CheckDef> feature_check_defs();
// The 2026-07-28 era (catalog_modern.cpp).
std::vector<CheckDef> modern_check_defs();

}  // namespace mcp_probe::checks
