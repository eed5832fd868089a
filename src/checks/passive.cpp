#include "passive.h"

#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/schema/validator.h"

namespace mcp_probe::checks {

namespace {

const std::set<std::string> k_log_levels = {"debug", "info",     "notice", "warning",
                                            "error", "critical", "alert",  "emergency"};

int severity(const std::string& level) {
  static const char* order[] = {"debug", "info",     "notice", "warning",
                                "error", "critical", "alert",  "emergency"};
  for (int i = 0; i < 8; ++i) {
    if (level == order[i]) return i;
  }
  return -1;
}

std::string session_version(Context& ctx, protocol::Session& session) {
  const std::string& v = session.protocol_version();
  return protocol::is_known_version(v) ? v : ctx.version();
}

std::vector<std::uint64_t> refs_of(const protocol::Received& r) {
  if (r.wire.trace_id == 0) return {};
  return {r.wire.trace_id};
}

bool is_http_origin(transport::Origin o) {
  return o == transport::Origin::post_json || o == transport::Origin::post_sse ||
         o == transport::Origin::get_sse;
}

void check_stdout_line(Context& ctx, const protocol::Received& r) {
  const std::string& raw = r.wire.raw;
  auto refs = refs_of(r);
  if (!r.wire.terminated) {
    ctx.violation(
        CheckId::stdio_framing_newline, "the last stdout message has no terminating newline",
        {"every message ends with \\n", "\"" + brief_raw(raw, 120) + "\" then end of stream", refs});
  } else if (r.wire.crlf) {
    ctx.warn(CheckId::stdio_framing_newline, "a stdout line ends with \\r\\n instead of \\n",
             {"\\n line ends", "\\r\\n after \"" + brief_raw(raw, 80) + "\"", refs});
  }
  if (raw.empty()) {
    ctx.warn(CheckId::stdio_stdout_only_jsonrpc, "the server wrote an empty line to stdout",
             {"only MCP messages", "\"\"", refs});
    return;
  }
  if (r.json) {
    ctx.pass(CheckId::stdio_stdout_only_jsonrpc);
    if (r.wire.terminated && !r.wire.crlf) ctx.pass(CheckId::stdio_framing_newline);
    return;
  }
  // Not JSON: is it a fragment of a message spread over lines, or several on one line?
  std::size_t first = raw.find_first_not_of(" \t");
  char c = first == std::string::npos ? ' ' : raw[first];
  bool fragment = c == '{' || c == '[' || c == '}' || c == ']' || c == '"';
  bool two_on_line = raw.find("}{") != std::string::npos || raw.find("} {") != std::string::npos;
  if (two_on_line) {
    ctx.violation(CheckId::stdio_framing_newline, "two JSON messages on one stdout line",
                  {"one message per line", "\"" + brief_raw(raw, 160) + "\"", refs});
  } else if (fragment) {
    ctx.violation(CheckId::stdio_framing_newline,
                  "a message is spread over several lines (pretty-printed JSON?)",
                  {"one message per line", "line \"" + brief_raw(raw, 120) + "\"", refs});
  }
  ctx.violation(
      CheckId::stdio_stdout_only_jsonrpc, "stdout carried a line that is not a JSON-RPC message",
      {"only MCP messages on stdout", "\"" + brief_raw(raw, 160) + "\" (" + r.parse_error + ")", refs});
}

void check_error_object(Context& ctx, const Json& m, const std::vector<std::uint64_t>& refs) {
  const Json& e = m["error"];
  bool ok = e.is_object() && e.contains("code") && e["code"].is_number_integer() && e.contains("message") &&
            e["message"].is_string();
  if (ok) {
    ctx.pass(CheckId::jsonrpc_error_shape);
  } else {
    ctx.violation(CheckId::jsonrpc_error_shape, "an error object lacks an integer code or a string message",
                  {"error: {code: <integer>, message: <string>}", brief(e), refs});
  }
}

void on_response(Context& ctx, protocol::Session& session, SessionFacts& facts, const protocol::Received& r,
                 const Json& m) {
  auto refs = refs_of(r);
  std::string version = session_version(ctx, session);
  if (m.contains("result") && m.contains("error")) {
    ctx.violation(CheckId::jsonrpc_response_result_xor_error, "a response has both result and error",
                  {"exactly one of result and error", brief(m), refs});
  } else {
    ctx.pass(CheckId::jsonrpc_response_result_xor_error);
  }
  if (m.contains("error")) check_error_object(ctx, m, refs);
  const Json id = member(m, "id");
  std::string method;
  if (id.is_null()) {
    // Parse errors and invalid requests may carry a null or absent id (catalog note 3).
    if (!m.contains("error")) {
      ctx.violation(CheckId::jsonrpc_response_id_match, "a result response has no id",
                    {"the request's id", brief(m), refs});
    }
  } else {
    auto it = facts.pending.find(json::dump(id));
    if (it == facts.pending.end()) {
      std::string near;
      for (const auto& [k, v] : facts.pending) {
        Json pid = Json::parse(k);
        if (pid.dump() != id.dump() && (pid.is_string() ? pid.get<std::string>() : pid.dump()) ==
                                           (id.is_string() ? id.get<std::string>() : id.dump())) {
          near = k;
        }
      }
      std::string msg = near.empty() ? "a response id matches no pending request"
                                     : "a response id changed JSON type (sent " + near + ")";
      ctx.violation(CheckId::jsonrpc_response_id_match, msg,
                    {"the request's id, same value and type", "id " + id.dump(), refs});
    } else {
      method = it->second;
      ctx.pass(CheckId::jsonrpc_response_id_match);
      auto tok = facts.request_token.find(it->first);
      if (tok != facts.request_token.end()) facts.finished_tokens.insert(tok->second);
      facts.pending.erase(it);
    }
  }
  if (protocol::is_modern_version(version)) {
    passive_modern_response(ctx, facts, method, id, m, refs);
    // A response on stdout with no request before it: stdio.no-server-requests holds so far.
    if (r.wire.origin == transport::Origin::stdout_line && !ctx.failed(CheckId::stdio_no_server_requests))
      ctx.pass(CheckId::stdio_no_server_requests);
    // A response stream that carried no request before its response: modern.http.no-server-requests
    // holds so far.
    if (r.wire.origin == transport::Origin::post_sse && !ctx.failed(CheckId::modern_http_no_server_requests))
      ctx.pass(CheckId::modern_http_no_server_requests);
  }
  // The initialize reply defines the session's version (the session records it only after
  // this observer has run).
  if (method == "initialize" && m.contains("result") && m["result"].is_object() &&
      protocol::is_known_version(str(m["result"], "protocolVersion"))) {
    version = str(m["result"], "protocolVersion");
  }
  // Schema: the envelope, then the method-specific result.
  if (m.contains("error")) {
    if (!id.is_null()) {
      validate_schema(ctx, version, protocol::error_response_definition(version), m, "error response", refs);
    }
    return;
  }
  // 2026-07-28 defines each method's response (`*ResultResponse`): its result may be an
  // InputRequiredResult where the method allows one.
  const std::string wrapper = protocol::method_response_definition(method, version);
  validate_schema(ctx, version, wrapper.empty() ? protocol::result_response_definition(version) : wrapper, m,
                  wrapper.empty() ? "response" : method + " response", refs);
  std::string def = wrapper.empty() ? protocol::result_definition(method, version) : "";
  if (!wrapper.empty() && m.contains("result") && str(m["result"], "resultType") != "input_required")
    def = protocol::result_definition(method, version);
  if (!def.empty() && m.contains("result")) {
    if (wrapper.empty()) validate_schema(ctx, version, def, m["result"], method + " result", refs);
    check_version_features(ctx, method, m["result"], version);
    if (method == "tools/call")
      check_content_blocks(ctx, member(m["result"], "content", Json::array()), "tools/call");
    if (method == "prompts/get" && m["result"].contains("messages") && m["result"]["messages"].is_array()) {
      Json blocks = Json::array();
      for (const auto& msg : m["result"]["messages"]) {
        if (msg.is_object() && msg.contains("content")) blocks.push_back(msg["content"]);
      }
      check_content_blocks(ctx, blocks, "prompts/get");
    }
    if (method == "resources/read")
      check_content_blocks(ctx, member(m["result"], "contents", Json::array()), "resources/read");
  }
}

void on_progress(Context& ctx, SessionFacts& facts, const Json& m, const std::vector<std::uint64_t>& refs) {
  const Json params = member(m, "params", Json::object());
  if (!params.is_object() || !params.contains("progressToken")) return;
  std::string token = json::dump(params["progressToken"]);
  if (facts.sent_tokens.count(token) == 0) {
    ctx.violation(CheckId::util_progress_token_match, "progress for a token the client never sent",
                  {"a progressToken from a request's _meta, same JSON type", "token " + token, refs});
  } else {
    ctx.pass(CheckId::util_progress_token_match);
  }
  if (facts.finished_tokens.count(token) != 0) {
    ctx.violation(CheckId::util_progress_stop_after_response, "progress arrived after the request's response",
                  {"no progress after the response", "token " + token, refs});
  }
  const Json& progress = member(params, "progress");
  if (progress.is_number()) {
    double value = progress.get<double>();
    auto it = facts.last_progress.find(token);
    if (it != facts.last_progress.end() && value <= it->second) {
      ctx.violation(CheckId::util_progress_monotonic, "progress did not increase",
                    {"strictly increasing progress",
                     std::to_string(it->second) + " then " + std::to_string(value), refs});
    } else if (it != facts.last_progress.end()) {
      ctx.pass(CheckId::util_progress_monotonic);
    }
    facts.last_progress[token] = value;
  }
  if (params.contains("total") && !params["total"].is_number()) {
    ctx.violation(CheckId::util_progress_monotonic, "progress total is not a number",
                  {"a number", brief(params["total"]), refs});
  }
}

void on_notification(Context& ctx, protocol::Session& session, SessionFacts& facts,
                     const protocol::Received& r, const Json& m) {
  auto refs = refs_of(r);
  std::string version = session_version(ctx, session);
  std::string method = str(m, "method");
  ctx.pass(CheckId::jsonrpc_notification_no_id);
  validate_schema(ctx, version, "JSONRPCNotification", m, method, refs);
  std::string def = protocol::server_notification_definition(method, version);
  if (!def.empty()) validate_schema(ctx, version, def, m, method, refs);
  const Json& caps = session.server_capabilities();
  if (method == "notifications/message" && protocol::is_modern_version(version))
    passive_modern_log(ctx, facts, m, refs);
  if (method == "notifications/message") {
    if (!caps.is_object() || !caps.contains("logging")) {
      ctx.violation(CheckId::util_logging_capability,
                    "notifications/message sent without the logging capability",
                    {"capabilities.logging declared", brief(m, 160), refs});
    } else {
      std::string level = str(member(m, "params", Json::object()), "level");
      if (k_log_levels.count(level) == 0) {
        ctx.violation(CheckId::util_logging_capability, "a log message has an unknown level",
                      {"one of debug…emergency", "level \"" + level + "\"", refs});
      } else {
        ctx.pass(CheckId::util_logging_capability);
        const std::string& min = ctx.passive().min_log_level;
        if (!min.empty() && severity(level) < severity(min)) {
          ctx.violation(CheckId::util_logging_level_filter,
                        "a \"" + level + "\" message after logging/setLevel \"" + min + "\"",
                        {"only " + min + " and more severe", "level " + level, refs});
        } else if (!min.empty()) {
          ctx.pass(CheckId::util_logging_level_filter);
        }
      }
    }
  } else if (method == "notifications/progress") {
    on_progress(ctx, facts, m, refs);
    if (r.wire.origin == transport::Origin::post_sse) {
      std::string token = json::dump(member(member(m, "params", Json::object()), "progressToken"));
      if (token != facts.last_request_token) {
        ctx.violation(CheckId::http_sse_related_only, "a POST stream carried progress for another request",
                      {"only messages related to the POSTed request", "token " + token, refs});
      }
    }
  } else if (method == "notifications/cancelled") {
    std::string rid = json::dump(member(member(m, "params", Json::object()), "requestId"));
    if (facts.server_request_ids.count(rid) == 0) {
      ctx.violation(CheckId::util_cancel_server_sent_valid, "the server cancelled a request it never sent",
                    {"a requestId of a server-issued, in-flight request", "requestId " + rid, refs});
    } else {
      ctx.pass(CheckId::util_cancel_server_sent_valid);
    }
  } else if (method.size() > 26 && method.rfind("/list_changed") == method.size() - 13) {
    // notifications/<feature>/list_changed
    std::string feature = method.substr(14, method.size() - 14 - 13);
    bool declared = caps.is_object() && caps.contains(feature) && caps[feature].is_object() &&
                    flag(caps[feature], "listChanged") == true;
    if (!declared) {
      ctx.violation(
          CheckId::features_list_changed_declared, method + " sent without " + feature + ".listChanged: true",
          {"capabilities." + feature + ".listChanged: true", brief(member(caps, feature.c_str())), refs});
    } else {
      ctx.pass(CheckId::features_list_changed_declared);
    }
    if (r.wire.origin == transport::Origin::post_sse) {
      ctx.violation(CheckId::http_sse_related_only, method + " sent on a POST response stream",
                    {"only messages related to the POSTed request", method, refs});
    }
  } else if (method == "notifications/resources/updated") {
    std::string uri = str(member(m, "params", Json::object()), "uri");
    if (ctx.passive().subscribed_uris.count(uri) == 0) {
      ctx.violation(CheckId::resources_subscribe, "an update for a URI that was never subscribed",
                    {"subscribed URIs only", uri, refs});
    }
  }
}

void on_server_request(Context& ctx, protocol::Session& session, SessionFacts& facts,
                       const protocol::Received& r, const Json& m) {
  auto refs = refs_of(r);
  std::string version = session_version(ctx, session);
  std::string method = str(m, "method");
  if (method.rfind("notifications/", 0) == 0) {
    ctx.violation(CheckId::jsonrpc_notification_no_id, "a notification carries an id",
                  {"no id member", brief(m, 160), refs});
    return;
  }
  if (protocol::is_modern_version(version) && r.wire.origin == transport::Origin::stdout_line) {
    // docs/2026-07-28/basic/transports/stdio.mdx: the server sends no requests in this era.
    ctx.violation(CheckId::stdio_no_server_requests, "the server sent a " + method + " request on stdout",
                  {"no server-to-client requests (an InputRequiredResult instead)", brief(m, 160), refs});
  }
  if (protocol::is_modern_version(version) &&
      (r.wire.origin == transport::Origin::post_sse || r.wire.origin == transport::Origin::post_json)) {
    // docs/2026-07-28/basic/transports/streamable-http.mdx: «The server MUST NOT send independent
    // JSON-RPC requests on this stream.»
    ctx.violation(CheckId::modern_http_no_server_requests,
                  "the server sent a " + method + " request on a response stream",
                  {"notifications and the response only (an InputRequiredResult instead of a request)",
                   brief(m, 160), refs});
  }
  const Json& id = m["id"];
  if (!(id.is_string() || id.is_number_integer())) {
    ctx.violation(CheckId::jsonrpc_request_id_not_null,
                  "a server request has an id that is not a string or integer",
                  {"a string or integer id", "id " + id.dump(), refs});
  } else {
    ctx.pass(CheckId::jsonrpc_request_id_not_null);
  }
  std::string key = json::dump(id);
  if (facts.server_request_ids.count(key) != 0) {
    ctx.violation(CheckId::jsonrpc_request_id_unique, "the server reused a request id in one session",
                  {"a fresh id per request", "id " + key + " again", refs});
  } else {
    ctx.pass(CheckId::jsonrpc_request_id_unique);
  }
  facts.server_request_ids.insert(key);
  if (method == "sampling/createMessage" || method == "roots/list" || method == "elicitation/create") {
    ctx.violation_in(version, CheckId::lifecycle_capabilities_client_respected,
                     method + " sent though the client declared no such capability",
                     {"no " + method + " without the client capability", brief(m, 160), refs});
  } else {
    ctx.pass(CheckId::lifecycle_capabilities_client_respected);
  }
  validate_schema(ctx, version, "JSONRPCRequest", m, method, refs);
  std::string def = protocol::server_request_definition(method, version);
  if (!def.empty()) validate_schema(ctx, version, def, m, method, refs);
}

void on_message(Context& ctx, protocol::Session& session, SessionFacts& facts, const protocol::Received& r,
                const Json& m) {
  auto refs = refs_of(r);
  if (!m.is_object()) {
    ctx.violation(CheckId::jsonrpc_schema_message_valid, "a message is not a JSON object",
                  {"a JSON-RPC object", brief(m), refs});
    return;
  }
  if (!m.contains("jsonrpc") || m["jsonrpc"] != "2.0") {
    ctx.violation(CheckId::jsonrpc_envelope_version, "a message lacks \"jsonrpc\": \"2.0\"",
                  {"\"jsonrpc\": \"2.0\"", m.contains("jsonrpc") ? brief(m["jsonrpc"]) : "absent", refs});
  } else {
    ctx.pass(CheckId::jsonrpc_envelope_version);
  }
  if (r.wire.origin == transport::Origin::get_sse && (m.contains("result") || m.contains("error")) &&
      !m.contains("method")) {
    ctx.violation(CheckId::http_get_no_unsolicited_responses, "a JSON-RPC response arrived on the GET stream",
                  {"only requests and notifications on the standalone stream", brief(m, 160), refs});
  }
  switch (json::classify(m)) {
    case json::MessageKind::response:
    case json::MessageKind::error_response:
      on_response(ctx, session, facts, r, m);
      break;
    case json::MessageKind::notification:
      on_notification(ctx, session, facts, r, m);
      break;
    case json::MessageKind::request:
      on_server_request(ctx, session, facts, r, m);
      break;
    default:
      ctx.violation(CheckId::jsonrpc_schema_message_valid,
                    "a message is neither request, notification nor response",
                    {"a JSON-RPC message", brief(m, 160), refs});
  }
}

}  // namespace

bool validate_schema(Context& ctx, const std::string& version, const std::string& definition,
                     const Json& value, const std::string& what, const std::vector<std::uint64_t>& refs,
                     std::optional<CheckId> extra_check) {
  auto validator = schema::Validator::for_version(version);
  if (!validator) return true;
  auto violations = (*validator)->validate(definition, value);
  if (violations.empty()) {
    ctx.pass(CheckId::jsonrpc_schema_message_valid);
    if (extra_check) ctx.pass(*extra_check);
    return true;
  }
  const auto& v = violations.front();
  std::string pointer = v.pointer.empty() ? "/" : v.pointer;
  Json at = value;
  if (!v.pointer.empty()) {
    try {
      at = value.at(Json::json_pointer(v.pointer));
    } catch (const std::exception&) {
      at = Json();
    }
  }
  Evidence e{definition + " (" + version + ")", pointer + " = " + brief(at, 120) + ": " + v.reason, refs};
  ctx.violation(CheckId::jsonrpc_schema_message_valid,
                what + " does not match " + definition + " at " + pointer, e);
  if (extra_check) ctx.violation(*extra_check, what + " does not match " + definition + " at " + pointer, e);
  return false;
}

bool is_base64(const std::string& s) {
  if (s.size() % 4 != 0) return false;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alnum =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (c == '=') {
      ++pad;
      if (i + 2 < s.size()) return false;
    } else if (!alnum || pad > 0) {
      return false;
    }
  }
  return pad <= 2;
}

void check_content_blocks(Context& ctx, const Json& blocks, const std::string& where) {
  if (!blocks.is_array()) return;
  for (const auto& b : blocks) {
    if (!b.is_object()) continue;
    std::string type = str(b, "type");
    const Json* payload = nullptr;
    const char* field = "";
    if ((type == "image" || type == "audio") && b.contains("data")) {
      payload = &b["data"];
      field = "data";
    } else if (b.contains("blob")) {
      payload = &b["blob"];
      field = "blob";
    } else if (type == "resource" && b.contains("resource") && b["resource"].is_object()) {
      check_content_blocks(ctx, Json::array({b["resource"]}), where);
      continue;
    }
    if (payload == nullptr) continue;
    std::string data = payload->is_string() ? payload->get<std::string>() : "";
    if (!is_base64(data)) {
      std::string hint = data.rfind("data:", 0) == 0 ? " (a data: URL prefix)" : "";
      ctx.violation(CheckId::features_content_binary_encoding,
                    where + ": " + field + " is not valid base64" + hint,
                    {"RFC 4648 base64", "\"" + brief_raw(data, 60) + "\""});
    } else if (!b.contains("mimeType") && (type == "image" || type == "audio")) {
      ctx.violation(CheckId::features_content_binary_encoding,
                    where + ": " + type + " content without mimeType", {"mimeType present", brief(b, 120)});
    } else {
      ctx.pass(CheckId::features_content_binary_encoding);
    }
  }
}

// The rows of /work/shared/mcp-spec/VERSIONS.md §5 ("Feature/version matrix") that show in a
// result. Fields an older schema accepts (its objects are open) and an older client ignores are a
// WARN: «Respect the negotiated protocol version» (docs/2025-06-18/basic/lifecycle.mdx) is broken,
// but nothing breaks. New content types are a FAIL where the row is a MUST: an older client
// cannot render or even parse a block type its schema does not have.
namespace version_matrix {
// `ToolAnnotations`; `title` (BaseMetadata); `outputSchema` / `structuredContent`; `icons`,
// `Implementation.description`/`websiteUrl`; Tasks (`execution.taskSupport`).
constexpr const char* k_annotations = "2025-03-26";
constexpr const char* k_title = "2025-06-18";
constexpr const char* k_output_schema = "2025-06-18";
constexpr const char* k_icons_description_website = "2025-11-25";
constexpr const char* k_tasks = "2025-11-25";
// `AudioContent` (`audio`); `resource_link` content.
constexpr const char* k_audio = "2025-03-26";
constexpr const char* k_resource_link = "2025-06-18";
}  // namespace version_matrix

void check_version_features(Context& ctx, const std::string& method, const Json& result,
                            const std::string& version) {
  if (!result.is_object()) return;
  namespace vm = version_matrix;
  std::vector<std::string> fields;    // ignored by older clients: WARN
  std::vector<std::string> breaking;  // content types older clients cannot handle: the row's level
  auto newer = [&](std::vector<std::string>& into, const char* since, const std::string& what) {
    if (!protocol::at_least(version, since)) into.push_back(what + " (from " + since + ")");
  };
  auto scan_content = [&](const Json& blocks) {
    if (!blocks.is_array()) return;
    for (const auto& b : blocks) {
      std::string type = b.is_object() ? str(b, "type") : "";
      if (type == "audio") newer(breaking, vm::k_audio, "audio content");
      if (type == "resource_link") newer(breaking, vm::k_resource_link, "resource_link content");
    }
  };
  auto scan_items = [&](const char* key) {
    if (!result.contains(key) || !result[key].is_array()) return;
    for (const auto& item : result[key]) {
      if (!item.is_object()) continue;
      if (item.contains("title")) newer(fields, vm::k_title, std::string(key) + "[].title");
      if (item.contains("icons"))
        newer(fields, vm::k_icons_description_website, std::string(key) + "[].icons");
      if (item.contains("outputSchema")) newer(fields, vm::k_output_schema, "tools[].outputSchema");
      if (item.contains("execution")) newer(fields, vm::k_tasks, "tools[].execution");
      if (item.contains("annotations") && std::string(key) == "tools")
        newer(fields, vm::k_annotations, "tools[].annotations");
    }
  };
  if (method == "initialize" && result.contains("serverInfo") && result["serverInfo"].is_object()) {
    const Json& info = result["serverInfo"];
    if (info.contains("title")) newer(fields, vm::k_title, "serverInfo.title");
    for (const char* f : {"icons", "description", "websiteUrl"}) {
      if (info.contains(f)) newer(fields, vm::k_icons_description_website, std::string("serverInfo.") + f);
    }
  }
  if (method == "tools/call") {
    if (result.contains("structuredContent")) newer(fields, vm::k_output_schema, "structuredContent");
    scan_content(member(result, "content", Json::array()));
  }
  scan_items("tools");
  scan_items("resources");
  scan_items("prompts");
  scan_items("resourceTemplates");
  if (fields.empty() && breaking.empty()) {
    ctx.pass(CheckId::lifecycle_operation_version_respected);
    return;
  }
  auto joined = [](const std::vector<std::string>& items) {
    std::string list;
    for (const auto& f : items) list += (list.empty() ? "" : ", ") + f;
    return list;
  };
  if (!breaking.empty()) {
    ctx.violation_in(version, CheckId::lifecycle_operation_version_respected,
                     method + " sends content types newer than " + version,
                     {"only features of " + version, joined(breaking)});
  }
  if (!fields.empty()) {
    ctx.results().record(CheckId::lifecycle_operation_version_respected, Status::warn,
                         method + " carries fields newer than " + version +
                             " (the older schema allows them and older clients ignore them)",
                         {"only features of " + version, joined(fields)}, version);
  }
}

void passive_on_send(Context& ctx, protocol::Session& session, const Json& message) {
  SessionFacts& facts = ctx.passive().sessions[&session];
  auto note = [&](const Json& m) {
    // Anything we send with an id that is not itself a response expects an answer (even a
    // deliberately invalid request, which should get -32600 with its id).
    if (!m.is_object() || !m.contains("id") || m.contains("result") || m.contains("error")) return;
    std::string key = json::dump(m["id"]);
    facts.pending[key] =
        m.contains("method") && m["method"].is_string() ? m["method"].get<std::string>() : "";
    facts.last_request_token.clear();
    const Json params = member(m, "params", Json::object());
    if (params.is_object() && params.contains("cursor")) facts.cursor_requests.insert(key);
    if (session.modern()) passive_modern_sent(facts, key, facts.pending[key], params);
    if (params.is_object() && params.contains("_meta") && params["_meta"].is_object() &&
        params["_meta"].contains("progressToken")) {
      std::string token = json::dump(params["_meta"]["progressToken"]);
      facts.sent_tokens.insert(token);
      facts.request_token[key] = token;
      facts.last_request_token = token;
    }
  };
  if (message.is_array()) {
    for (const auto& m : message) note(m);
  } else {
    note(message);
  }
}

void passive_on_receive(Context& ctx, protocol::Session& session, const protocol::Received& r) {
  // A message the transport discarded (a stdout line over the probe's limit) has no bytes to
  // check, and no MCP rule limits a line's length: the trace and Exchange.receive_errors carry it.
  if (!r.transport_error.empty()) return;
  SessionFacts& facts = ctx.passive().sessions[&session];
  ++ctx.passive().messages;
  auto refs = refs_of(r);
  const std::string& raw = r.wire.raw;
  bool bom = raw.size() >= 2 &&
             ((static_cast<unsigned char>(raw[0]) == 0xFE && static_cast<unsigned char>(raw[1]) == 0xFF) ||
              (static_cast<unsigned char>(raw[0]) == 0xFF && static_cast<unsigned char>(raw[1]) == 0xFE) ||
              (raw.size() >= 3 && static_cast<unsigned char>(raw[0]) == 0xEF &&
               static_cast<unsigned char>(raw[1]) == 0xBB && static_cast<unsigned char>(raw[2]) == 0xBF));
  if (!json::is_valid_utf8(raw) || bom) {
    ctx.violation(CheckId::jsonrpc_encoding_utf8,
                  bom ? "a message starts with a byte order mark" : "a message is not valid UTF-8",
                  {"strict UTF-8 without BOM", "\"" + brief_raw(raw, 80) + "\"", refs});
  } else if (!raw.empty()) {
    ctx.pass(CheckId::jsonrpc_encoding_utf8);
  }
  if (r.wire.origin == transport::Origin::stdout_line) check_stdout_line(ctx, r);
  if (is_http_origin(r.wire.origin) && !r.wire.sse_id.empty()) {
    if (!facts.sse_ids.insert(r.wire.sse_id).second) {
      ctx.violation(CheckId::http_resume_event_ids, "an SSE event id was used twice in one session",
                    {"unique event ids across the session's streams", "id \"" + r.wire.sse_id + "\"", refs});
    } else {
      ctx.pass(CheckId::http_resume_event_ids);
    }
  }
  if (r.wire.origin == transport::Origin::post_sse || r.wire.origin == transport::Origin::get_sse) {
    if (!r.wire.sse_event.empty() && r.wire.sse_event != "message") {
      ctx.violation(CheckId::http_sse_event_format,
                    "an SSE event carrying a message has type \"" + r.wire.sse_event + "\"",
                    {"event type absent or \"message\"", r.wire.sse_event, refs});
    } else if (!r.json) {
      ctx.violation(CheckId::http_sse_event_format, "an SSE event's data is not one JSON-RPC message",
                    {"exactly one JSON message per event",
                     "\"" + brief_raw(raw, 120) + "\" (" + r.parse_error + ")", refs});
    } else {
      ctx.pass(CheckId::http_sse_event_format);
    }
  }
  if (!r.json) {
    if (r.wire.origin != transport::Origin::stdout_line) {
      ctx.violation(CheckId::jsonrpc_schema_message_valid, "a message is not valid JSON",
                    {"a JSON-RPC message", "\"" + brief_raw(raw, 120) + "\" (" + r.parse_error + ")", refs});
    }
    return;
  }
  const Json& m = *r.json;
  if (m.is_array()) {
    if (!protocol::at_least(session_version(ctx, session), "2025-03-26") ||
        protocol::at_least(session_version(ctx, session), "2025-06-18")) {
      ctx.violation(CheckId::jsonrpc_schema_message_valid, "a JSON-RPC batch where the version has none",
                    {"a single message", brief(m, 120), refs});
    }
    for (const auto& element : m) on_message(ctx, session, facts, r, element);
    return;
  }
  on_message(ctx, session, facts, r, m);
}

}  // namespace mcp_probe::checks
