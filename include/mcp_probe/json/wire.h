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
// The same, appended to `out`.
void dump_to(const Json& value, std::string& out);
// Appends the string `s` as dump_to writes a JSON string: in quotes, escaped as nlohmann does
// (invalid UTF-8 replaced with U+FFFD), byte for byte what dump_to(Json(s)) appends.
void dump_string_to(const std::string& s, std::string& out);

// Frees what `value` holds, leaving it null: what its destructor would do, without the vector
// nlohmann's destructor allocates as a stack for each non-empty object or array. Recursive down
// to a fixed depth; anything deeper is left to nlohmann.
void release(Json& value);

// The member `key` of `object`, or nullptr (also when `object` is not an object). Messages'
// objects are small: a scan that compares sizes first costs less than the map's tree walk with a
// full comparison at each node, which larger objects still get.
inline const Json* member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const Json::object_t& members = object.get_ref<const Json::object_t&>();
  if (members.size() > 8) {
    const auto found = members.find(key);
    return found == members.end() ? nullptr : &found->second;
  }
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

}  // namespace mcp_probe::json
