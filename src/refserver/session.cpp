// The message layer of the reference server: parsing, envelope validation, batches, dispatch to
// the method handlers, and serialisation with the wire-level faults.

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "mcp_probe/json/wire.h"
#include "refserver/session_impl.h"
#include "refserver/tasks.h"
#include "refserver/tools.h"

namespace mcp_probe::refserver {

namespace {

// Only integers and strings are valid request ids (never null, a float, an object...).
bool valid_id(const Json& id) { return id.is_string() || id.is_number_integer() || id.is_number_unsigned(); }

Json error_object(int code, const std::string& message) { return Json{{"code", code}, {"message", message}}; }

Json error_response(const Json& id, int code, const std::string& message) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", error_object(code, message)}};
}

using Handler = Outcome (*)(Call&);

Outcome handle_ping(Call& call) {
  if (call.has("ping-nonempty")) return Outcome::ok(Json{{"pong", true}});
  return Outcome::ok(Json::object());
}

Outcome handle_subscribe_on(Call& call) { return handle_subscribe(call, true); }
Outcome handle_subscribe_off(Call& call) { return handle_subscribe(call, false); }

// Method -> handler and the capability that must be declared for it ("" for none).
struct Route {
  std::string_view method;
  Handler handler;
  std::string_view capability;
};

const Route k_routes[] = {
    {"ping", handle_ping, ""},
    {"initialize", handle_initialize, ""},
    {"logging/setLevel", handle_set_level, "logging"},
    {"tools/list", handle_tools_list, "tools"},
    {"tools/call", handle_tools_call, "tools"},
    {"resources/list", handle_resources_list, "resources"},
    {"resources/read", handle_resources_read, "resources"},
    {"resources/templates/list", handle_templates_list, "resources"},
    {"resources/subscribe", handle_subscribe_on, "resources"},
    {"resources/unsubscribe", handle_subscribe_off, "resources"},
    {"prompts/list", handle_prompts_list, "prompts"},
    {"prompts/get", handle_prompts_get, "prompts"},
    {"completion/complete", handle_complete, ""},
};

// Handlers read params with nlohmann accessors; a wrongly typed member surfaces as type_error.
Outcome run_handler(Handler handler, Call& call) {
  try {
    return handler(call);
  } catch (const Json::type_error& e) {
    return Outcome::fail(k_invalid_params, std::string("Invalid params: ") + e.what());
  } catch (const std::exception& e) {
    return Outcome::fail(k_internal_error, std::string("Internal error: ") + e.what());
  }
}

const Route* find_route(std::string_view method) {
  for (const Route& route : k_routes) {
    if (method == route.method) return &route;
  }
  return nullptr;
}

}  // namespace

int handshake_rank(std::string_view version) {
  const protocol::VersionInfo* info = protocol::find_version(version);
  return info != nullptr && info->era == protocol::Era::handshake ? protocol::version_rank(version) : -1;
}

std::string id_key(const Json& id) {
  if (id.is_number_unsigned()) return std::to_string(id.get<std::uint64_t>());
  if (id.is_number_integer()) return std::to_string(id.get<std::int64_t>());
  return id.dump();
}

namespace {
const Json k_no_params = Json::object();
const Json k_null_id;
}  // namespace

const Json& params_of(const Json& message) {
  const Json* params = member(message, "params"sv);
  return params ? *params : k_no_params;
}

Outcome Outcome::fail(int code, std::string message, Json data) {
  Json error = error_object(code, message);
  if (!data.is_null()) error["data"] = std::move(data);
  return Outcome{std::nullopt, std::move(error), std::nullopt};
}

const std::set<std::string>& supported_versions() {
  static const std::set<std::string> versions(protocol::handshake_versions().begin(),
                                              protocol::handshake_versions().end());
  return versions;
}

const std::string& latest_version() { return protocol::latest_version(); }

std::string Session::Impl::negotiated() const {
  std::lock_guard lock(mutex);
  return version;
}

void Session::Impl::send(Outbox& out, Json message) {
  auto fix = [this](Json& one) {
    if (!one.is_object()) return;
    if (has("no-jsonrpc-field")) one.erase("jsonrpc");
    if (!has("id-as-string")) return;
    const bool response = !one.contains("method") && one.contains("id");
    if (response && one["id"].is_number_integer()) one["id"] = one["id"].dump();
  };
  if (message.is_array()) {
    for (Json& one : message) fix(one);
  } else {
    fix(message);
  }
  std::string text = has("embedded-newline") ? message.dump(2) : json::dump(message);
  if (has("invalid-utf8")) {
    for (auto at = text.find(k_invalid_utf8_marker); at != std::string::npos;
         at = text.find(k_invalid_utf8_marker, at)) {
      text.replace(at, k_invalid_utf8_marker.size(), "\xff");
    }
  }
  out.send(text);
}

namespace {

// Where send_response builds a response: kept from one response to the next (unless large), so
// no allocation per response. Taken out while in use, should send() come back here.
thread_local std::string t_response_buffer;

// Sends the response {id, result} whose result `write_result` appends: the message's keys in
// their order (id, jsonrpc, result) around the id's and the result's text, what json::dump gives
// for the whole message, byte for byte.
template <typename WriteResult>
void send_response(Outbox& out, const Json& id, const WriteResult& write_result) {
  std::string text = std::move(t_response_buffer);
  text.clear();
  text += "{\"id\":";
  json::dump_to(id, text);
  text += ",\"jsonrpc\":\"2.0\",\"result\":";
  write_result(text);
  text += '}';
  out.send(text);
  if (text.capacity() <= 64 * 1024) t_response_buffer = std::move(text);
}

}  // namespace

void Session::Impl::send_result(Outbox& out, const Json& id, const Json& result) {
  send_response(out, id, [&result](std::string& text) { json::dump_to(result, text); });
}

void Session::Impl::send_text_result(Outbox& out, const Json& id, const std::string& text_result,
                                     std::string_view before, std::string_view after) {
  // tool_text's tree as dump_to writes it: std::map orders the keys, so "text" before "type".
  send_response(out, id, [&](std::string& text) {
    text += '{';
    text += before;
    text += "\"content\":[{\"text\":";
    json::dump_string_to(text_result, text);
    text += ",\"type\":\"text\"}]";
    text += after;
    text += '}';
  });
}

void Session::Impl::notify(Outbox& out, const std::string& method, Json params) {
  Json message{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
  if (has("notification-with-id")) message["id"] = server_request_id();
  send(out, std::move(message));
}

void Session::Impl::request_client(Outbox& out, const Json& id, const std::string& method, Json params) {
  Json message{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) message["params"] = std::move(params);
  send(out, std::move(message));
}

Json Session::Impl::make_response(const Json& id, Outcome outcome, const std::string& method) {
  // Built member by member: an initializer list copies every element once more.
  Json message(Json::value_t::object);
  message.get_ref<Json::object_t&>().emplace("jsonrpc", "2.0");
  message.get_ref<Json::object_t&>().emplace("id", id);
  if (outcome.materialize()) {
    message["result"] = std::move(*outcome.result);
    if (has("result-and-error") && method != "initialize") {
      message["error"] = error_object(k_internal_error, "result-and-error fault");
    }
    return message;
  }
  Json error = outcome.error ? std::move(*outcome.error) : error_object(k_internal_error, "no outcome");
  if (has("error-code-string")) error["code"] = std::to_string(error["code"].get<int>());
  message["error"] = std::move(error);
  return message;
}

std::optional<Json> Session::Impl::process(const Json& message, Outbox& replies, bool in_batch) {
  if (!message.is_object())
    return error_response(nullptr, k_invalid_request, "Invalid Request: not an object");
  // Each member found once: a const operator[] builds a std::string key for every lookup.
  const Json* id_at = member(message, "id"sv);
  const Json* method_at = member(message, "method"sv);
  const Json* params_at = member(message, "params"sv);
  const bool has_id = id_at != nullptr;
  const Json& id = has_id && valid_id(*id_at) ? *id_at : k_null_id;
  const bool lenient = has("accept-invalid-request");
  const Json* jsonrpc = member(message, "jsonrpc"sv);
  if (!lenient && (!jsonrpc || !jsonrpc->is_string() || jsonrpc->get_ref<const std::string&>() != "2.0"sv)) {
    return error_response(id, k_invalid_request, "Invalid Request: jsonrpc must be \"2.0\"");
  }
  if (!method_at) {
    if (has_id && (member(message, "result"sv) || member(message, "error"sv))) {
      process_response(message);
      return std::nullopt;
    }
    if (lenient && !id.is_null()) return make_response(id, Outcome::ok(Json::object()), "");
    return error_response(id, k_invalid_request, "Invalid Request: missing method");
  }
  if (!method_at->is_string()) {
    return error_response(id, k_invalid_request, "Invalid Request: method must be a string");
  }
  if (params_at && !params_at->is_object() && !params_at->is_array()) {
    if (!has_id) return std::nullopt;
    return error_response(id, k_invalid_request, "Invalid Request: params must be an object or array");
  }
  if (!has_id) {
    process_notification(message, replies);
    return std::nullopt;
  }
  if (!valid_id(*id_at)) {
    return error_response(nullptr, k_invalid_request, "Invalid Request: id must be a string or an integer");
  }
  if (in_batch && method_at->get_ref<const std::string&>() == "initialize"sv) {
    return error_response(id, k_invalid_request, "Invalid Request: initialize must not be part of a batch");
  }
  return process_request(
      Request{id, method_at->get_ref<const std::string&>(), params_at ? *params_at : k_no_params, in_batch},
      replies);
}

std::optional<Json> Session::Impl::process_request(const Request& request, Outbox& replies) {
  if (config.era != ServeEra::legacy && is_modern(request.method, request.params))
    return process_modern(request, replies);
  const Json& id = request.id;
  const std::string& method = request.method;
  const Json& params = request.params;
  if (!params.is_object()) {
    return make_response(id, Outcome::fail(k_invalid_params, "params must be an object"), method);
  }
  const Route* route = find_route(method);
  InFlight state;
  state.key = id_key(id);
  // One lock for the initialization gate, the capability and the book-keeping.
  std::unique_lock lock(mutex);
  const bool early = !init_answered && method != "initialize"sv;
  if (early && (method != "ping"sv || has("reject-early-ping")) && !has("no-init-gating")) {
    lock.unlock();
    return make_response(id, Outcome::fail(k_invalid_request, "Server not initialized"), method);
  }
  const int rank = version_rank;
  if (route && !route->capability.empty()) {
    // A feature the server does not declare does not exist for the client; the undeclared-*
    // faults keep the methods while hiding the capability.
    const std::string_view capability = route->capability;
    if (!declares_locked(capability, rank < 0 ? k_rank_2025_11 : rank) &&
        !has("undeclared-" + std::string(capability)))
      route = nullptr;
  }
  if (!route) {
    lock.unlock();
    const bool wrong = has("wrong-method-not-found-code");
    return make_response(
        id, Outcome::fail(wrong ? k_internal_error : k_method_not_found, "Method not found: " + method),
        method);
  }
  const auto same_key = [&state](const InFlight* other) { return other->key == state.key; };
  if (auto it = std::find_if(in_flight.begin(), in_flight.end(), same_key); it != in_flight.end()) {
    *it = &state;
  } else {
    in_flight.push_back(&state);
  }
  lock.unlock();
  Call call(*this, replies, id, method, params, state, rank);
  Outcome outcome = run_handler(route->handler, call);
  lock.lock();
  in_flight.erase(std::remove_if(in_flight.begin(), in_flight.end(), same_key), in_flight.end());
  const bool cancelled = state.cancelled && !has("ignore-cancel") && method != "initialize"sv;
  lock.unlock();
  if (cancelled || (!outcome.has_result() && !outcome.error)) return std::nullopt;
  if (config.faults.empty() && !request.in_batch) {
    // No fault to apply to the message: the result is written as it is, a text result without
    // ever becoming a tree.
    if (outcome.text_result) {
      send_text_result(replies, id, *outcome.text_result);
      return std::nullopt;
    }
    if (outcome.result) {
      send_result(replies, id, *outcome.result);
      json::release(*outcome.result);
      return std::nullopt;
    }
  }
  Json response = make_response(id, std::move(outcome), method);
  if (method == "initialize"sv) {
    send(replies, std::move(response));
    if (has("early-server-request")) request_client(replies, server_request_id(), "roots/list", nullptr);
    return std::nullopt;
  }
  if (call.has("progress-after-response")) {
    send(replies, std::move(response));
    call.flush_deferred();
    return std::nullopt;
  }
  return response;
}

bool Session::Impl::declares(std::string_view capability, int rank) {
  std::lock_guard lock(mutex);
  return declares_locked(capability, rank);
}

bool Session::Impl::declares_locked(std::string_view capability, int rank) {
  Json& caps = capabilities_by_rank[rank];
  if (caps.is_null()) caps = server_capabilities(*this, rank);
  return member(caps, capability) != nullptr;
}

void Session::Impl::process_notification(const Json& message, Outbox& replies) {
  const std::string method = message["method"];
  const Json params = message.value("params", Json::object());
  if (method == "notifications/initialized") {
    bool first = false;
    {
      std::lock_guard lock(mutex);
      first = init_answered && !initialized;
      if (init_answered) initialized = true;
    }
    if (has("answer-initialized"))
      send(replies, error_response(nullptr, k_invalid_request, "notification answered: " + method));
    if (first) after_initialized(replies);
    return;
  }
  if (method == "notifications/cancelled" && params.is_object() && params.contains("requestId")) {
    cancel_id(params["requestId"]);
  }
  const bool cancel = method == "notifications/cancelled";
  // The modern-* faults: only notifications a modern client sends (with the _meta fields; any
  // under --era modern), so that the 2026-07-28 pass is what sees them.
  const bool modern = is_modern(message);
  const bool answer = has("answer-notifications") || (has("reply-to-cancel") && cancel) ||
                      (modern && has("modern-answer-notifications") && !cancel) ||
                      (modern && has("modern-reply-to-cancel") && cancel);
  if (answer) send(replies, error_response(nullptr, k_invalid_request, "notification answered: " + method));
}

void Session::Impl::process_response(const Json& message) {
  std::lock_guard lock(mutex);
  auto it = awaiting.find(message["id"].dump());
  if (it == awaiting.end()) return;  // a reply to a request we did not wait for: ignored
  it->second = message;
  cv.notify_all();
}

Session::Session(const Config& config, Outbox& standalone)
    : m_impl(std::make_unique<Impl>(config, standalone)) {}

Session::~Session() { stop(); }

void Session::handle(std::string_view raw, Outbox& replies) {
  Impl& impl = *m_impl;
  auto parsed = json::parse(raw);
  if (!parsed) {
    if (impl.has("drop-parse-error")) return;
    impl.send(replies, error_response(nullptr, k_parse_error, "Parse error: " + parsed.error().message));
    return;
  }
  handle_parsed(*parsed, replies);
  json::release(*parsed);
}

void Session::handle_parsed(const Json& message, Outbox& replies) {
  Impl& impl = *m_impl;
  if (!message.is_array()) {
    if (auto response = impl.process(message, replies, false)) impl.send(replies, std::move(*response));
    return;
  }
  const bool batches = impl.negotiated() == "2025-03-26" && !impl.has("reject-batch");
  if (!batches && !message.empty() && impl.has("batch-silence")) return;
  if (!batches || message.empty()) {
    const char* why =
        message.empty() ? "Invalid Request: empty batch" : "Invalid Request: batches are not supported";
    impl.send(replies, error_response(nullptr, k_invalid_request, why));
    return;
  }
  Json responses = Json::array();
  for (const Json& element : message) {
    if (auto response = impl.process(element, replies, true)) responses.push_back(std::move(*response));
  }
  if (!responses.empty()) impl.send(replies, std::move(responses));
}

namespace {

// Session::may_wait for one request: its method and params (an empty object when it has none).
bool request_may_wait(std::string_view method, const Json& params) {
  if (method == "subscriptions/listen"sv) return true;  // open until cancelled
  if (method != "tools/call"sv) return false;
  const Json* name = member(params, "name"sv);
  return name && name->is_string() && tool_may_wait(name->get_ref<const std::string&>());
}

// Session::may_wait for one message (not a batch).
bool request_may_wait(const Json& message) {
  const Json* method = member(message, "method"sv);
  if (!method || !method->is_string()) return false;
  return request_may_wait(method->get_ref<const std::string&>(), params_of(message));
}

}  // namespace

bool Session::may_wait(const Json& message) const {
  if (!message.is_array()) return request_may_wait(message);
  return std::any_of(message.begin(), message.end(), [](const Json& m) { return request_may_wait(m); });
}

int Session::unexpected_waits() const { return m_impl->unexpected_waits.load(); }

void Session::Impl::note_wait(std::string_view method, const Json& params) {
  // Asked only here, when a handler does wait: most requests never do.
  if (request_may_wait(method, params)) return;
  ++unexpected_waits;
  std::fprintf(stderr,
               "mcp-refserver: internal error: %s waits, but Session::may_wait says it does not (set its "
               "ToolDef::may_wait)\n",
               params.value("name", std::string("a handler")).c_str());
}

std::string Session::protocol_version() const { return m_impl->negotiated(); }

bool Session::initialized() const {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->initialized;
}

void Session::stop() {
  {
    std::lock_guard lock(m_impl->mutex);
    m_impl->stopping = true;
    for (InFlight* state : m_impl->in_flight) state->cancelled = true;
    for (InFlight* state : m_impl->modern_calls) state->cancelled = true;
    m_impl->cv.notify_all();
  }
  // The workers of tasks stop too (joined here, without the session's lock).
  stop_tasks(*m_impl);
}

}  // namespace mcp_probe::refserver
