// The 2026-07-28 ("modern") era of the reference server: which requests belong to it, the
// per-request _meta fields and their errors, the method table of the era, server/discover, and
// the fields every modern result carries (resultType, serverInfo, caching hints).

#include <algorithm>

#include "refserver/tasks.h"
#include "refserver/tools.h"

namespace mcp_probe::refserver {

namespace {

constexpr std::string_view k_meta_version = "io.modelcontextprotocol/protocolVersion";
constexpr std::string_view k_meta_capabilities = "io.modelcontextprotocol/clientCapabilities";
constexpr std::string_view k_meta_log_level = "io.modelcontextprotocol/logLevel";
constexpr std::string_view k_meta_server_info = "io.modelcontextprotocol/serverInfo";

using Handler = Outcome (*)(Call&);

// The methods of the modern era and the capability each needs ("" for none). initialize, ping,
// logging/setLevel and resources/(un)subscribe do not exist here (-32601).
struct ModernRoute {
  std::string_view method;
  Handler handler;
  std::string_view capability;
  bool cacheable;  // docs/2026-07-28/server/utilities/caching.mdx, «Cacheable Results»
};

const ModernRoute k_modern_routes[] = {
    {"server/discover", handle_discover, "", true},
    {"subscriptions/listen", handle_listen, "", false},
    {"tools/list", handle_tools_list, "tools", true},
    {"tools/call", handle_tools_call, "tools", false},
    {"resources/list", handle_resources_list, "resources", true},
    {"resources/read", handle_resources_read, "resources", true},
    {"resources/templates/list", handle_templates_list, "resources", true},
    {"prompts/list", handle_prompts_list, "prompts", true},
    {"prompts/get", handle_prompts_get, "prompts", false},
    {"completion/complete", handle_complete, "completions", false},
    // The tasks extension (tasks.cpp); tasks/result and tasks/list were removed in it (-32601).
    {"tasks/get", handle_tasks_get, "", false},
    {"tasks/update", handle_tasks_update, "", false},
    {"tasks/cancel", handle_tasks_cancel, "", false},
};

const ModernRoute* find_modern_route(std::string_view method) {
  for (const ModernRoute& route : k_modern_routes) {
    if (method == route.method) return &route;
  }
  return nullptr;
}

int log_level_rank(const std::string& level) {
  static const char* const k_levels[] = {"debug", "info",     "notice", "warning",
                                         "error", "critical", "alert",  "emergency"};
  for (int i = 0; i < 8; ++i) {
    if (level == k_levels[i]) return i;
  }
  return -1;
}

Json error_response(const Json& id, const Json& error) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", error}};
}

Json versions_json(const std::vector<std::string>& versions) { return Json(versions); }

// Reads the per-request fields of _meta (docs/2026-07-28/basic/index.mdx, «Per-request protocol
// fields»): an error Outcome when one is missing or unusable.
std::optional<Outcome> read_meta(const Session::Impl& session, const Json& params, ModernMeta& meta) {
  static const Json k_no_meta = Json::object();
  const Json* found = member(params, "_meta"sv);
  // Both branches lvalues: a temporary on one side would make `m` a copy of the whole _meta.
  const Json& m = found && found->is_object() ? *found : k_no_meta;
  const bool lenient = session.has("meta-not-required");
  const Json* version = member(m, k_meta_version);
  if (!version || !version->is_string()) {
    // «A request missing any required field is malformed; the server MUST reject it with JSON-RPC
    // error code -32602 (Invalid params).»
    if (!lenient)
      return Outcome::fail(k_invalid_params, "Invalid params: _meta[\"" + std::string(k_meta_version) +
                                                 "\"] (a string) is required");
    meta.version = protocol::latest_modern_version();
  } else {
    meta.version = version->get_ref<const std::string&>();
  }
  const auto& served = modern_request_versions(session.config.era);
  if (std::find(served.begin(), served.end(), meta.version) == served.end()) {
    // versioning.mdx: «it MUST respond with an UnsupportedProtocolVersionError listing the
    // versions it does support»
    if (session.has("unsupported-version-wrong-code"))
      return Outcome::fail(k_invalid_params, "Unsupported protocol version");
    return Outcome::fail(k_unsupported_protocol_version, "Unsupported protocol version",
                         {{"supported", versions_json(served)}, {"requested", meta.version}});
  }
  const Json* caps = member(m, k_meta_capabilities);
  if (!caps || !caps->is_object()) {
    if (!lenient)
      return Outcome::fail(k_invalid_params, "Invalid params: _meta[\"" + std::string(k_meta_capabilities) +
                                                 "\"] (an object) is required");
  } else {
    meta.client_capabilities = caps;
  }
  if (const Json* level = member(m, k_meta_log_level)) {
    // logging.mdx: an unrecognised level SHOULD be rejected with -32602.
    meta.log_threshold = level->is_string() ? log_level_rank(level->get<std::string>()) : -1;
    if (meta.log_threshold < 0)
      return Outcome::fail(k_invalid_params, "Invalid log level", {{"level", *level}});
  }
  return std::nullopt;
}

// The caching hints (caching.mdx: «Servers MUST provide a ttlMs value that is >= 0»). Nothing
// here varies per caller, so every hint is public; the lists never change, so they keep longer.
void add_cache_hints(const Call& call, Json& result) {
  if (call.has("no-cache-hints")) return;
  const bool list = call.method != "resources/read";
  result["ttlMs"] = call.method == "server/discover" ? 3600000 : list ? 300000 : 60000;
  // cache-scope-varies: the pages after the first (asked with a cursor) say private, breaking
  // «Servers MUST apply the same cacheScope to all response pages for a given list request».
  const bool later_page = call.params.contains("cursor");
  result["cacheScope"] = call.has("cache-scope-varies") && later_page ? "private" : "public";
}

const Json& server_info_meta() {
  static const Json k_info{{"name", "mcp-refserver"}, {"version", MCP_PROBE_VERSION}};
  return k_info;
}

}  // namespace

const std::vector<std::string>& modern_request_versions(ServeEra era) {
  static const std::vector<std::string> k_none;
  return era == ServeEra::legacy ? k_none : protocol::modern_versions();
}

const std::vector<std::string>& discover_versions(ServeEra era) {
  static const std::vector<std::string> k_none;
  static const std::vector<std::string> k_modern(protocol::modern_versions().rbegin(),
                                                 protocol::modern_versions().rend());
  static const std::vector<std::string> k_dual = [] {
    std::vector<std::string> all = k_modern;
    all.insert(all.end(), protocol::handshake_versions().rbegin(), protocol::handshake_versions().rend());
    return all;
  }();
  if (era == ServeEra::legacy) return k_none;
  return era == ServeEra::modern ? k_modern : k_dual;
}

bool Session::Impl::is_modern(const Json& message) const {
  if (config.era == ServeEra::legacy || !message.is_object()) return false;
  if (config.era == ServeEra::modern) return true;
  // A message that carries the _meta fields is modern even when it is otherwise invalid (no
  // method): its error then comes from the modern era, as a modern client expects.
  const Json* method = member(message, "method"sv);
  const bool named = method && method->is_string();
  return is_modern(named ? std::string_view(method->get_ref<const std::string&>()) : std::string_view(),
                   params_of(message));
}

bool Session::Impl::is_modern(std::string_view method, const Json& params) const {
  if (config.era != ServeEra::dual) return config.era == ServeEra::modern;
  if (method == "server/discover"sv || method == "subscriptions/listen"sv) return true;
  const Json* meta = member(params, "_meta"sv);
  return meta && (member(*meta, k_meta_version) || member(*meta, k_meta_capabilities));
}

std::optional<Json> Session::Impl::process_modern(const Request& request, Outbox& replies) {
  const Json& id = request.id;
  const std::string& method = request.method;
  const Json& params = request.params;
  if (!params.is_object())
    return error_response(id, Outcome::fail(k_invalid_params, "params must be an object").error.value());
  if (method == "initialize"sv) {
    // The modern era has no initialize (-32601, HTTP 404), and versioning.mdx: «A server that
    // supports only modern versions SHOULD name the protocol versions it supports in any error it
    // returns to an initialize request»: the message and data name them.
    if (has("initialize-silent-versions")) {
      return error_response(id, Outcome::fail(k_method_not_found, "Method not found").error.value());
    }
    const auto& served = modern_request_versions(config.era);
    std::string names;
    for (const auto& v : served) names += (names.empty() ? "" : ", ") + v;
    const std::string message_text = "Method not found: initialize (this server speaks " + names +
                                     ", which has no initialize handshake; send requests with _meta instead)";
    return error_response(
        id, Outcome::fail(k_method_not_found, message_text, {{"supported", versions_json(served)}})
                .error.value());
  }
  ModernMeta meta;
  if (auto error = read_meta(*this, params, meta)) return error_response(id, error->error.value());
  const ModernRoute* route = find_modern_route(method);
  if (route && method == "server/discover"sv && has("discover-missing")) route = nullptr;
  // undeclared-tools|resources|prompts: served all the same, as in the handshake era.
  if (route && !route->capability.empty() && !declares(route->capability, k_rank_2026_07) &&
      !has("undeclared-" + std::string(route->capability)))
    route = nullptr;
  if (!route) {
    const bool wrong = has("wrong-method-not-found-code");
    return error_response(
        id, Outcome::fail(wrong ? k_internal_error : k_method_not_found, "Method not found: " + method)
                .error.value());
  }
  InFlight state;
  state.id = id;
  state.replies = &replies;
  {
    std::lock_guard lock(mutex);
    modern_calls.push_back(&state);
  }
  if (has("modern-server-request") || has("sse-server-request")) {
    // The fault: a server->client request on a modern request's stream (the era has none).
    request_client(replies, server_request_id(), "roots/list", nullptr);
  }
  if (has("modern-bogus-cancel")) {
    // The fault: cancellation used for something other than ending a subscription.
    notify(replies, "notifications/cancelled", {{"requestId", id}, {"reason", "modern-bogus-cancel"}});
  }
  if (has("list-changed-on-request") && method == "tools/call"sv) {
    notify(replies, "notifications/tools/list_changed", Json::object());
  }
  if (has("log-without-opt-in") && meta.log_threshold < 0) {
    notify(replies, "notifications/message",
           {{"level", "info"}, {"logger", "mcp-refserver"}, {"data", "unrequested log"}});
  }
  Call call(*this, replies, id, method, params, state, k_rank_2026_07, &meta);
  Outcome outcome;
  try {
    outcome = route->handler(call);
  } catch (const Json::type_error& e) {
    outcome = Outcome::fail(k_invalid_params, std::string("Invalid params: ") + e.what());
  } catch (const std::exception& e) {
    outcome = Outcome::fail(k_internal_error, std::string("Internal error: ") + e.what());
  }
  bool cancelled = false;
  {
    std::lock_guard lock(mutex);
    modern_calls.erase(std::remove(modern_calls.begin(), modern_calls.end(), &state), modern_calls.end());
    // A subscription the server ends (stop) still gets its graceful-closure result.
    const bool closing = method == "subscriptions/listen"sv && outcome.has_result();
    cancelled = state.cancelled && !has("ignore-cancel") && !closing;
    if (method == "tools/call"sv) ++tools_called;
  }
  if (cancelled || (!outcome.has_result() && !outcome.error)) return std::nullopt;
  if (outcome.text_result && config.faults.empty() && !request.in_batch && !route->cacheable) {
    // What the tree below would become: tool_text's members with resultType and _meta's
    // serverInfo (no cache hints: the route is not cacheable), the keys in std::map's order.
    static const std::string k_before =
        "\"_meta\":" + json::dump(Json{{k_meta_server_info, server_info_meta()}}) + ",";
    send_text_result(replies, id, *outcome.text_result, k_before, ",\"resultType\":\"complete\"");
    return std::nullopt;
  }
  if (outcome.materialize()) {
    Json& value = *outcome.result;
    // As before: a null result becomes an object here, any other non-object throws.
    if (!value.is_object()) value["resultType"] = "complete";
    // In the object itself: operator[] with a literal builds a std::string key per lookup.
    Json::object_t& result = value.get_ref<Json::object_t&>();
    // basic/index.mdx: «The result MUST include a resultType field»
    result.emplace("resultType", "complete");  // kept when the handler set one
    if (has("no-result-type")) result.erase("resultType");
    if (route->cacheable && value.value("resultType", "complete") == "complete") add_cache_hints(call, value);
    // basic/index.mdx: servers SHOULD include serverInfo «in every result's _meta».
    if (!has("no-server-info")) {
      Json& meta = result["_meta"];
      if (!meta.is_object()) meta = Json::object();
      meta[k_meta_server_info] = server_info_meta();
    }
    if (config.faults.empty() && !request.in_batch) {
      send_result(replies, id, value);
      json::release(value);
      return std::nullopt;
    }
  }
  Json response = make_response(id, std::move(outcome), method);
  if (call.has("progress-after-response")) {
    send(replies, std::move(response));
    call.flush_deferred();
    return std::nullopt;
  }
  return response;
}

namespace {

Json modern_capabilities(const Session::Impl& session) {
  Json caps = server_capabilities(session, k_rank_2026_07);
  // The tasks extension is advertised under extensions (SEP-2663; not a v1 capabilities.tasks).
  caps["extensions"] = {{k_tasks_extension, Json::object()}};
  return caps;
}

}  // namespace

Outcome handle_discover(Call& call) {
  Json result{{"resultType", "complete"},
              {"supportedVersions", versions_json(discover_versions(call.session.config.era))},
              {"capabilities", modern_capabilities(call.session)},
              {"instructions",
               "mcp-refserver: the fixtures of the MCP conformance suite plus echo, add, slow and fail."}};
  return Outcome::ok(std::move(result));
}

void Session::Impl::cancel_id(const Json& request_id) {
  std::lock_guard lock(mutex);
  const std::string key = id_key(request_id);
  for (InFlight* call : in_flight) {
    if (call->key == key) call->cancelled = true;
  }
  for (const auto& call : modern_calls) {
    if (call->id == request_id) call->cancelled = true;
  }
  cv.notify_all();
}

void Session::Impl::cancel_on(const Outbox& replies) {
  std::lock_guard lock(mutex);
  for (const auto& call : modern_calls) {
    if (call->replies == &replies) call->cancelled = true;
  }
  cv.notify_all();
}

bool Session::is_modern(const Json& message) const { return m_impl->is_modern(message); }

void Session::cancel(const Json& request_id) { m_impl->cancel_id(request_id); }

void Session::cancel(const Outbox& replies) { m_impl->cancel_on(replies); }

}  // namespace mcp_probe::refserver
