// Streamable HTTP of 2026-07-28 on /mcp (docs/2026-07-28/basic/transports/streamable-http.mdx):
// modern requests carry their version and client capabilities in `_meta`, need no session, and
// mirror body fields into headers (MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Param-*) that
// the server checks against the body. Errors map to HTTP statuses (-32601 -> 404, the request
// errors -> 400). The header checks are plain functions of header values and the parsed body, so
// they do not depend on cpp-httplib.

#include <cstdio>
#include <mutex>

#include <nlohmann/json.hpp>

#include "mcp_probe/json/wire.h"
#include "mcp_probe/protocol/versions.h"
#include "refserver/http_internal.h"

namespace mcp_probe::refserver::http {

using nlohmann::json;

namespace {

constexpr std::string_view k_sentinel_open = "=?base64?";
constexpr std::string_view k_sentinel_close = "?=";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// RFC 4648 base64 with padding; false on a bad length, character or padding.
bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  if (in.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + static_cast<std::size_t>(k)];
      if (c == '=' && last && k >= 2) {
        ++pad;
        v[k] = 0;
        continue;
      }
      if (pad > 0) return false;  // data after padding
      v[k] = base64_value(c);
      if (v[k] < 0) return false;
    }
    const unsigned triple = (static_cast<unsigned>(v[0]) << 18) | (static_cast<unsigned>(v[1]) << 12) |
                            (static_cast<unsigned>(v[2]) << 6) | static_cast<unsigned>(v[3]);
    out.push_back(static_cast<char>((triple >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((triple >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(triple & 0xff));
  }
  return true;
}

bool is_field_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c <= 0x7e); }

using mcp_probe::json::member;

const std::string* string_member(const json& object, const char* key) {
  const json* v = member(object, key);
  return v && v->is_string() ? v->get_ptr<const std::string*>() : nullptr;
}

void collect_header_params(const json& schema, std::vector<std::string>& path,
                           std::vector<HeaderParam>& out) {
  const json* properties = member(schema, "properties");
  if (!properties || !properties->is_object()) return;
  for (auto it = properties->begin(); it != properties->end(); ++it) {
    path.push_back(it.key());
    if (const std::string* name = string_member(it.value(), "x-mcp-header")) {
      const std::string* type = string_member(it.value(), "type");
      out.push_back({*name, path, type ? *type : std::string()});
    }
    collect_header_params(it.value(), path, out);
    path.pop_back();
  }
}

// The value at `path` in `arguments`, or null when absent.
const json* value_at(const json& arguments, const std::vector<std::string>& path) {
  const json* v = &arguments;
  for (const std::string& key : path) {
    v = member(*v, key.c_str());
    if (!v) return nullptr;
  }
  return v;
}

// Whether the decoded header text stands for `value` (the Value Encoding rules: strings as they
// are, integers in decimal, compared numerically, booleans as true/false).
bool header_matches(const std::string& text, const json& value) {
  if (value.is_string()) return text == value.get_ref<const std::string&>();
  if (value.is_boolean()) return text == (value.get<bool>() ? "true" : "false");
  if (value.is_number()) {
    try {
      std::size_t used = 0;
      const double parsed = std::stod(text, &used);
      return used == text.size() && parsed == value.get<double>();
    } catch (const std::exception&) {
      return false;
    }
  }
  return false;
}

// Mcp-Name's body source for `method`, or null when the method has none.
const char* name_field(const std::string& method) {
  if (method == "tools/call" || method == "prompts/get") return "name";
  if (method == "resources/read") return "uri";
  if (method == "tasks/get" || method == "tasks/update" || method == "tasks/cancel") return "taskId";
  return nullptr;
}

bool name_required(const std::string& method) {
  return method == "tools/call" || method == "prompts/get" || method == "resources/read";
}

}  // namespace

bool decode_header_value(std::string_view raw, std::string& out) {
  std::string_view value = util::trim(raw);
  if (value.size() >= k_sentinel_open.size() + k_sentinel_close.size() &&
      value.substr(0, k_sentinel_open.size()) == k_sentinel_open &&
      value.substr(value.size() - k_sentinel_close.size()) == k_sentinel_close) {
    return base64_decode(
        value.substr(k_sentinel_open.size(), value.size() - k_sentinel_open.size() - k_sentinel_close.size()),
        out);
  }
  for (char c : value) {
    if (!is_field_char(static_cast<unsigned char>(c))) return false;
  }
  out.assign(value);
  return true;
}

std::vector<HeaderParam> header_params(const json& input_schema) {
  std::vector<HeaderParam> out;
  std::vector<std::string> path;
  collect_header_params(input_schema, path, out);
  return out;
}

std::string modern_header_mismatch(const HeaderLookup& headers, const json& body,
                                   const std::vector<HeaderParam>* params) {
  const std::string* method = string_member(body, "method");
  if (!method) return {};  // not a request: the core answers it
  const json* params_json = member(body, "params");
  static const json k_empty = json::object();
  const json& p = params_json ? *params_json : k_empty;

  const auto version = headers("MCP-Protocol-Version");
  if (!version) return "MCP-Protocol-Version header is required";
  const json* meta = member(p, "_meta");
  const std::string* meta_version =
      meta ? string_member(*meta, "io.modelcontextprotocol/protocolVersion") : nullptr;
  if (meta_version && util::trim(*version) != *meta_version) {
    return "MCP-Protocol-Version header value '" + std::string(util::trim(*version)) +
           "' does not match _meta io.modelcontextprotocol/protocolVersion '" + *meta_version + "'";
  }

  const auto method_header = headers("Mcp-Method");
  if (!method_header) return "Mcp-Method header is required";
  if (util::trim(*method_header) != *method) {
    return "Mcp-Method header value '" + std::string(util::trim(*method_header)) +
           "' does not match body method '" + *method + "'";
  }

  if (const char* field = name_field(*method)) {
    const std::string* body_name = string_member(p, field);
    const auto name_header = headers("Mcp-Name");
    if (body_name && !name_header && name_required(*method)) return "Mcp-Name header is required";
    if (body_name && name_header) {
      std::string decoded;
      if (!decode_header_value(*name_header, decoded)) return "Mcp-Name header value is malformed";
      if (decoded != *body_name) {
        return "Mcp-Name header value '" + decoded + "' does not match body value '" + *body_name + "'";
      }
    }
  }

  if (params && !params->empty()) {
    const json* arguments = member(p, "arguments");
    for (const HeaderParam& param : *params) {
      const json* value = arguments ? value_at(*arguments, param.path) : nullptr;
      if (!value || value->is_null()) continue;  // the client omits the header: nothing to expect
      const std::string header_name = "Mcp-Param-" + param.header;
      const auto raw = headers(header_name.c_str());
      if (!raw) return header_name + " header is required: the argument is present in the body";
      std::string decoded;
      if (!decode_header_value(*raw, decoded)) return header_name + " header value is malformed";
      if (!header_matches(decoded, *value)) return header_name + " header value does not match the body";
    }
  }
  return {};
}

int modern_reply_status(const Config& config, const std::string& reply, int* code) {
  // Results are the hot path: only a reply that names an error is parsed.
  if (reply.find("\"error\"") == std::string::npos) return 200;
  json m = json::parse(reply, nullptr, false);
  const json* error = member(m, "error");
  if (!error || member(m, "result")) return 200;
  const json* c = member(*error, "code");
  if (!c || !c->is_number_integer()) return 200;
  const int value = c->get<int>();
  if (code) *code = value;
  if (value == -32601 && config.has("unknown-method-200")) return 200;
  return modern_http_status(value);
}

// ---- ModernState ----

ModernState::ModernState(const Config& config) : m_session(config, m_standalone) {}

ModernState::~ModernState() { m_session.stop(); }

void ModernState::DropOutbox::send(const std::string& message) {
  // A modern request's messages all go to its own response; nothing is sent outside one.
  std::fprintf(stderr, "mcp-refserver: dropped a message with no modern request to carry it: %.200s\n",
               message.c_str());
}

const std::vector<HeaderParam>* ModernState::tool_header_params(const std::string& tool) {
  std::call_once(m_tools_once, [this] { load_tools(); });
  auto it = m_tool_params.find(tool);
  return it == m_tool_params.end() ? nullptr : &it->second;
}

// The lists of a modern server do not vary per connection (tools.mdx), so one tools/list, pages
// followed, tells every request's x-mcp-header annotations.
void ModernState::load_tools() {
  json cursor;
  for (int page = 0; page < 1000; ++page) {
    json params = {{"_meta",
                    {{"io.modelcontextprotocol/protocolVersion", protocol::latest_modern_version()},
                     {"io.modelcontextprotocol/clientCapabilities", json::object()}}}};
    if (!cursor.is_null()) params["cursor"] = cursor;
    json request = {
        {"jsonrpc", "2.0"}, {"id", "mcp-refserver-tools"}, {"method", "tools/list"}, {"params", params}};
    CollectOutbox out;
    m_session.handle_parsed(request, out);
    json result;
    for (const std::string& reply : out.take()) {
      json m = json::parse(reply, nullptr, false);
      if (const json* r = member(m, "result")) result = *r;
    }
    const json* tools = member(result, "tools");
    if (!tools || !tools->is_array()) return;
    for (const json& tool : *tools) {
      const std::string* name = string_member(tool, "name");
      const json* schema = member(tool, "inputSchema");
      if (!name || !schema) continue;
      std::vector<HeaderParam> found = header_params(*schema);
      if (!found.empty()) m_tool_params.emplace(*name, std::move(found));
    }
    const json* next = member(result, "nextCursor");
    if (!next || !next->is_string()) return;
    cursor = *next;
  }
}

}  // namespace mcp_probe::refserver::http
