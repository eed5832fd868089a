#include "mcp_probe/protocol/modern.h"

namespace mcp_probe::protocol {

namespace {

std::string base64(const std::string& in) {
  static const char* k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += k_alphabet[(v >> s) & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += k_alphabet[(v >> 18) & 63];
    out += k_alphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? k_alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace

Json with_modern_meta(const Json& params, const ModernProfile& profile) {
  Json out = params.is_object() ? params : Json::object();
  Json& meta = out["_meta"];
  if (!meta.is_object()) meta = Json::object();
  if (!meta.contains(k_meta_protocol_version)) meta[k_meta_protocol_version] = profile.version;
  if (!meta.contains(k_meta_client_capabilities))
    meta[k_meta_client_capabilities] = profile.client_capabilities;
  return out;
}

std::string header_safe(const std::string& value) {
  // RFC 9110 field values: visible ASCII, space and tab; no leading or trailing whitespace, and
  // nothing that looks like the sentinel itself (streamable-http.mdx, «Value Encoding»).
  bool safe = !value.empty() && value.front() != ' ' && value.front() != '\t' && value.back() != ' ' &&
              value.back() != '\t';
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (!(u == 0x09 || (u >= 0x20 && u <= 0x7e))) safe = false;
  }
  if (value.rfind("=?base64?", 0) == 0 && value.size() >= 11 && value.compare(value.size() - 2, 2, "?=") == 0)
    safe = false;
  if (value.empty()) return value;
  return safe ? value : "=?base64?" + base64(value) + "?=";
}

transport::Headers modern_headers(const Json& message, const std::string& fallback_version) {
  transport::Headers out;
  if (!message.is_object()) return out;
  // «Every POST request to the MCP endpoint MUST include an MCP-Protocol-Version header»: a
  // notification's POST too; Mcp-Method wherever there is a method.
  auto method = message.find("method");
  const std::string m = method != message.end() && method->is_string() ? method->get<std::string>() : "";
  std::string version = fallback_version;
  const Json params = message.value("params", Json::object());
  if (params.is_object()) {
    const Json meta = params.value("_meta", Json::object());
    if (meta.is_object()) {
      auto v = meta.find(k_meta_protocol_version);
      if (v != meta.end() && v->is_string()) version = v->get<std::string>();
    }
  }
  if (!version.empty()) out.emplace_back("MCP-Protocol-Version", version);
  if (m.empty()) return out;
  out.emplace_back("Mcp-Method", m);
  const char* name_field = m == "tools/call" || m == "prompts/get" ? "name"
                           : m == "resources/read"                 ? "uri"
                                                                   : "";
  if (*name_field != '\0' && params.is_object()) {
    auto n = params.find(name_field);
    if (n != params.end() && n->is_string()) out.emplace_back("Mcp-Name", header_safe(n->get<std::string>()));
  }
  return out;
}

transport::Headers modern_headers_raw(std::string_view raw, const std::string& fallback_version) {
  auto parsed = json::parse(raw);
  if (!parsed) return {};
  return modern_headers(*parsed, fallback_version);
}

bool is_modern_error(const Json& reply) {
  if (!reply.is_object() || !reply.contains("error") || !reply["error"].is_object()) return false;
  const Json& code = reply["error"].value("code", Json());
  if (!code.is_number_integer()) return false;
  const long long c = code.get<long long>();
  if (c == k_unsupported_protocol_version) return supported_versions(reply).has_value();
  return c == k_header_mismatch || c == k_missing_client_capability;
}

std::optional<std::vector<std::string>> supported_versions(const Json& error_reply) {
  if (!error_reply.is_object() || !error_reply.contains("error")) return std::nullopt;
  const Json& e = error_reply["error"];
  if (!e.is_object() || !e.contains("data") || !e["data"].is_object()) return std::nullopt;
  const Json& s = e["data"].value("supported", Json());
  if (!s.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& v : s) {
    if (!v.is_string()) return std::nullopt;
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace mcp_probe::protocol
