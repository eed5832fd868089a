#include "mcp_probe/json/wire.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace mcp_probe::json {

namespace {

// Builds `e` in `out` (null on entry) in place: no temporary per value to move and destroy.
void convert(simdjson::dom::element e, Json& out) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: {
      simdjson::dom::array array;
      out = Json(Json::value_t::array);  // not Json::array(): that goes through the initializer-list path
      if (e.get(array) != simdjson::SUCCESS) return;
      auto& items = out.get_ref<Json::array_t&>();
      items.reserve(array.size());
      for (simdjson::dom::element child : array) convert(child, items.emplace_back());
      return;
    }
    case element_type::OBJECT: {
      simdjson::dom::object object;
      out = Json(Json::value_t::object);
      if (e.get(object) != simdjson::SUCCESS) return;
      auto& fields = out.get_ref<Json::object_t&>();
      for (simdjson::dom::key_value_pair field : object) {
        // The hint makes a key that sorts after the last one an O(1) insert; a repeated key keeps
        // the last value, as operator[] did.
        const std::size_t before = fields.size();
        Json& slot = fields.emplace_hint(fields.end(), field.key, nullptr)->second;
        if (fields.size() == before) slot = nullptr;
        convert(field.value, slot);
      }
      return;
    }
    case element_type::INT64:
      out = e.get_int64().value_unsafe();
      return;
    case element_type::UINT64:
      out = e.get_uint64().value_unsafe();
      return;
    case element_type::DOUBLE:
      out = e.get_double().value_unsafe();
      return;
    case element_type::STRING:
      out = e.get_string().value_unsafe();  // the string made from the view, not copied again
      return;
    case element_type::BOOL:
      out = e.get_bool().value_unsafe();
      return;
    case element_type::NULL_VALUE:
      return;
  }
}

}  // namespace

bool is_valid_utf8(std::string_view bytes) { return simdjson::validate_utf8(bytes.data(), bytes.size()); }

util::Expected<Json> parse(std::string_view bytes) {
  if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return util::make_error(util::ErrorKind::protocol, "empty input (no JSON value)");
  }
  // One parser per thread: simdjson reuses its buffers (the padded copy of the input too), so
  // parsing stays allocation-free in the steady state. It validates the input's UTF-8 itself; a
  // failure is named as invalid UTF-8 first, whatever else is wrong with the text.
  thread_local simdjson::dom::parser parser;
  auto result = parser.parse(bytes.data(), bytes.size());
  if (result.error() && !is_valid_utf8(bytes)) {
    return util::make_error(util::ErrorKind::protocol, "invalid UTF-8 in JSON text");
  }
  if (result.error() == simdjson::NUMBER_ERROR) {
    // simdjson 3.0 reports a number beyond 64 bits as NUMBER_ERROR, though it is valid JSON;
    // let nlohmann decide (it represents it as a double, and rejects a malformed number).
    try {
      return Json::parse(bytes);
    } catch (const std::exception& e) {
      return util::make_error(util::ErrorKind::protocol, e.what());
    }
  }
  if (result.error()) {
    return util::make_error(util::ErrorKind::protocol,
                            std::string("invalid JSON: ") + simdjson::error_message(result.error()));
  }
  Json out;
  convert(result.value_unsafe(), out);
  return out;
}

MessageKind classify(const Json& m) {
  if (m.is_array()) return MessageKind::batch;
  if (!m.is_object()) return MessageKind::invalid;
  bool has_method = m.contains("method");
  bool has_id = m.contains("id");
  if (has_method) return has_id ? MessageKind::request : MessageKind::notification;
  if (m.contains("error")) return MessageKind::error_response;
  if (m.contains("result")) return MessageKind::response;
  return MessageKind::invalid;
}

const char* to_string(MessageKind kind) {
  switch (kind) {
    case MessageKind::request:
      return "request";
    case MessageKind::notification:
      return "notification";
    case MessageKind::response:
      return "response";
    case MessageKind::error_response:
      return "error response";
    case MessageKind::batch:
      return "batch";
    case MessageKind::invalid:
      return "invalid";
  }
  return "invalid";
}

namespace {

// Empties `value`'s objects and arrays from the leaves up, so that no destructor meets a
// non-empty one.
void release_children(Json& value, int depth) {
  constexpr int k_max_depth = 64;
  if (value.is_object()) {
    auto& members = value.get_ref<Json::object_t&>();
    if (depth < k_max_depth) {
      for (auto& entry : members) release_children(entry.second, depth + 1);
    }
    members.clear();
  } else if (value.is_array()) {
    auto& items = value.get_ref<Json::array_t&>();
    if (depth < k_max_depth) {
      for (Json& item : items) release_children(item, depth + 1);
    }
    items.clear();
  }
}

}  // namespace

void release(Json& value) {
  release_children(value, 0);
  value = nullptr;
}

namespace {

std::string nlohmann_dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// nlohmann's serializer decodes and checks every byte of every string. A string of printable
// ASCII with nothing to escape (nearly every key and most values) needs none of that: it is
// copied as it is, and what is left goes to nlohmann, so the text is the same byte for byte.
constexpr std::array<bool, 256> k_not_plain = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
  return table;
}();

bool needs_escaping(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return k_not_plain[static_cast<unsigned char>(c)]; });
}

// Appends `before`, `s` in quotes, then `after` ('\0': nothing) with one resize, not a call per
// piece: `before` and `after` are the punctuation around keys and values.
void write_string(const std::string& s, std::string& out, char before = '\0', char after = '\0') {
  if (needs_escaping(s)) {
    if (before != '\0') out += before;
    out += nlohmann_dump(Json(s));
    if (after != '\0') out += after;
    return;
  }
  const std::size_t extra = (before != '\0') + (after != '\0');
  const std::size_t at = out.size();
  out.resize(at + s.size() + 2 + extra);
  char* p = out.data() + at;
  if (before != '\0') *p++ = before;
  *p++ = '"';
  std::memcpy(p, s.data(), s.size());
  p += s.size();
  *p++ = '"';
  if (after != '\0') *p = after;
}

template <typename Number>
void write_number(Number n, std::string& out) {
  char text[24];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, n);
  out.append(text, end);
}

void write(const Json& value, std::string& out) {
  using Type = Json::value_t;
  switch (value.type()) {
    case Type::object: {
      const auto& members = value.get_ref<const Json::object_t&>();
      if (members.empty()) {
        out += "{}";
        return;
      }
      char before = '{';
      for (const auto& [key, member] : members) {
        write_string(key, out, before, ':');
        before = ',';
        write(member, out);
      }
      out += '}';
      return;
    }
    case Type::array: {
      out += '[';
      bool first = true;
      for (const Json& element : value.get_ref<const Json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        write(element, out);
      }
      out += ']';
      return;
    }
    case Type::string:
      return write_string(value.get_ref<const std::string&>(), out);
    case Type::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case Type::null:
      out += "null";
      return;
    case Type::number_integer:
      return write_number(value.get<std::int64_t>(), out);
    case Type::number_unsigned:
      return write_number(value.get<std::uint64_t>(), out);
    default:  // floats (nlohmann's shortest round trip), binary, discarded
      out += nlohmann_dump(value);
      return;
  }
}

}  // namespace

std::string dump(const Json& value) {
  std::string out;
  out.reserve(256);
  write(value, out);
  return out;
}

void dump_to(const Json& value, std::string& out) { write(value, out); }

void dump_string_to(const std::string& s, std::string& out) { write_string(s, out); }

}  // namespace mcp_probe::json
