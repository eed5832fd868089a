#include "mcp_probe/json/wire.h"

#include <simdjson.h>

namespace mcp_probe::json {

namespace {

Json convert(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: {
      simdjson::dom::array array;
      Json out = Json::array();
      if (e.get(array) != simdjson::SUCCESS) return out;
      for (simdjson::dom::element child : array) out.push_back(convert(child));
      return out;
    }
    case element_type::OBJECT: {
      simdjson::dom::object object;
      Json out = Json::object();
      if (e.get(object) != simdjson::SUCCESS) return out;
      for (simdjson::dom::key_value_pair field : object) out[std::string(field.key)] = convert(field.value);
      return out;
    }
    case element_type::INT64:
      return Json(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return Json(e.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return Json(e.get_double().value_unsafe());
    case element_type::STRING:
      return Json(std::string(e.get_string().value_unsafe()));
    case element_type::BOOL:
      return Json(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
      return Json(nullptr);
  }
  return Json();
}

}  // namespace

bool is_valid_utf8(std::string_view bytes) { return simdjson::validate_utf8(bytes.data(), bytes.size()); }

util::Expected<Json> parse(std::string_view bytes) {
  if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return util::make_error(util::ErrorKind::protocol, "empty input (no JSON value)");
  }
  if (!is_valid_utf8(bytes)) {
    return util::make_error(util::ErrorKind::protocol, "invalid UTF-8 in JSON text");
  }
  // One parser per thread: simdjson reuses its buffers, so parsing stays allocation-free in
  // the steady state.
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(bytes);
  auto result = parser.parse(padded);
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
  return convert(result.value_unsafe());
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

std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace mcp_probe::json
