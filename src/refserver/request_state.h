#pragma once

// Private: tamper-proof requestState for multi round-trip requests (2026-07-28,
// docs/2026-07-28/basic/patterns/mrtr.mdx: «servers MUST protect its integrity (e.g. HMAC or
// AEAD) and MUST reject state that fails verification»). The state is the payload's JSON,
// base64url-encoded, then "." and its HMAC-SHA256 under a key drawn at random once per process:
// a server restart invalidates outstanding states, which clients see as a failed retry.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mcp_probe::refserver {

// SHA-256 of `data` (FIPS 180-4); exposed for the tests.
std::array<std::uint8_t, 32> sha256(std::string_view data);
// HMAC-SHA256 (RFC 2104) of `data` under `key`, as lowercase hex.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Seals `payload` (any JSON) into an opaque string. Thread-safe.
std::string seal_state(const nlohmann::json& payload);
// The payload of a string seal_state made in this process; nullopt when the string was
// modified, forged or is not a sealed state at all. Never throws.
std::optional<nlohmann::json> open_state(std::string_view sealed);

}  // namespace mcp_probe::refserver
