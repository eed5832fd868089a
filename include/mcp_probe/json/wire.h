#pragma once

// The wire side of JSON: what arrives from a peer is parsed and validated with simdjson (strict
// UTF-8, strict RFC 8259 syntax, exactly one value), then handed to the rest of the program as
// nlohmann::json, the object model checks, reports and the reference server work with.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "mcp_probe/util/expected.h"

namespace mcp_probe::json {

using Json = nlohmann::json;

// Parses exactly one JSON text (surrounding whitespace allowed). The error message says what
// is wrong: invalid UTF-8, a syntax error, trailing content, an empty input.
util::Expected<Json> parse(std::string_view bytes);

// True when `bytes` is valid UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

// What a parsed JSON-RPC value looks like, judged only by its members (not validated).
enum class MessageKind { request, notification, response, error_response, batch, invalid };
MessageKind classify(const Json& message);
const char* to_string(MessageKind kind);

// Compact serialisation as sent on the wire (no newlines, UTF-8 kept as is).
std::string dump(const Json& value);

}  // namespace mcp_probe::json
