// Lifecycle and utilities of the reference server: initialize and version negotiation,
// capabilities, what happens after notifications/initialized, logging levels, and the per-request
// context (progress, logs, cancellation, server->client requests).

#include <array>

#include "refserver/session_impl.h"

namespace mcp_probe::refserver {

namespace {

constexpr std::array<const char*, 8> k_log_levels = {"debug", "info",     "notice", "warning",
                                                     "error", "critical", "alert",  "emergency"};

int log_level_index(const std::string& level) {
  for (std::size_t i = 0; i < k_log_levels.size(); ++i) {
    if (level == k_log_levels[i]) return static_cast<int>(i);
  }
  return -1;
}

std::string negotiate(const Session::Impl& session, const std::string& requested) {
  const int rank = handshake_rank(requested);
  if (rank < 0) {
    if (session.has("echo-unsupported-version")) return requested;
    if (session.has("oldest-fallback")) return "2024-11-05";
    return latest_version();
  }
  if (session.has("wrong-version-echo")) {
    // Answer the previous supported version (wrapping): asked for what it offered, it offers
    // yet another, so a client can never settle on a version.
    const auto& order = protocol::handshake_versions();
    return order[(static_cast<std::size_t>(rank) + order.size() - 1) % order.size()];
  }
  return requested;
}

Json server_info(int rank) {
  Json info{{"name", "mcp-refserver"}, {"version", MCP_PROBE_VERSION}};
  if (rank >= k_rank_2025_06) info["title"] = "mcp-probe reference server";
  if (rank >= k_rank_2025_11) {
    info["description"] = "A conforming MCP server that breaks one rule on demand";
    info["icons"] = Json::array({{{"src", std::string("data:image/png;base64,") + k_png_base64},
                                  {"mimeType", "image/png"},
                                  {"sizes", Json::array({"1x1"})}}});
  }
  return info;
}

}  // namespace

const char* const k_png_base64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const char* const k_wav_base64 = "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";

Json server_capabilities(const Session::Impl& session, int rank) {
  Json caps = Json::object();
  if (!session.has("undeclared-tools")) {
    caps["tools"] = session.has("capability-bool")
                        ? Json(true)
                        : Json{{"listChanged", !session.has("list-changed-undeclared")}};
  }
  if (!session.has("undeclared-resources")) caps["resources"] = {{"subscribe", true}, {"listChanged", true}};
  if (!session.has("undeclared-prompts")) caps["prompts"] = {{"listChanged", true}};
  if (!session.has("log-without-capability")) caps["logging"] = Json::object();
  if (rank >= k_rank_2025_03) caps["completions"] = Json::object();
  return caps;
}

Outcome handle_initialize(Call& call) {
  const Json& params = call.params;
  if (!params.contains("protocolVersion") || !params["protocolVersion"].is_string()) {
    return Outcome::fail(k_invalid_params, "initialize: protocolVersion (a string) is required");
  }
  if (call.has("never-answer-initialize")) return Outcome::none();
  const std::string version = negotiate(call.session, params["protocolVersion"].get<std::string>());
  // newer-fields lifts only what is sent, not what is negotiated.
  const int rank = call.has("newer-fields") ? k_rank_2025_11 : std::max(0, handshake_rank(version));
  {
    std::lock_guard lock(call.session.mutex);
    call.session.version = version;
    call.session.version_rank = handshake_rank(version);
    call.session.init_answered = true;
    const Json caps = params.value("capabilities", Json::object());
    call.session.client_capabilities = caps.is_object() ? caps : Json::object();
  }
  Json result{{"protocolVersion", version},
              {"capabilities", server_capabilities(call.session, rank)},
              {"serverInfo", server_info(rank)},
              {"instructions",
               "mcp-refserver: the fixtures of the MCP conformance suite plus echo, add, slow and fail."}};
  if (call.has("init-missing-server-info")) result.erase("serverInfo");
  return Outcome::ok(std::move(result));
}

void Session::Impl::after_initialized(Outbox& replies) {
  (void)replies;
  // Everything below is a fault: a conforming server sends nothing unprompted here.
  if (has("server-request-null-id")) request_client(standalone, nullptr, "ping", nullptr);
  if (has("server-request-id-reuse")) {
    const std::string id = server_request_id();
    request_client(standalone, id, "ping", nullptr);
    request_client(standalone, id, "ping", nullptr);
  }
  if (has("unrequested-sampling")) {
    Json params{
        {"messages", Json::array({{{"role", "user"},
                                   {"content", {{"type", "text"}, {"text", "unrequested sampling"}}}}})},
        {"maxTokens", 10}};
    request_client(standalone, server_request_id(), "sampling/createMessage", std::move(params));
  }
  if (has("bogus-cancel")) {
    notify(standalone, "notifications/cancelled",
           {{"requestId", "srv-never-issued"}, {"reason", "bogus-cancel"}});
  }
  if (has("list-changed-undeclared")) notify(standalone, "notifications/tools/list_changed", Json::object());
  if (has("log-without-capability") || has("log-bad-level")) {
    notify(
        standalone, "notifications/message",
        {{"level", has("log-bad-level") ? "warn" : "info"}, {"logger", "mcp-refserver"}, {"data", "ready"}});
  }
}

Outcome handle_set_level(Call& call) {
  if (call.has("reject-set-level"))
    return Outcome::fail(k_internal_error, "logging/setLevel is not available");
  const Json level = call.params.value("level", Json());
  const int index = level.is_string() ? log_level_index(level.get<std::string>()) : -1;
  if (index < 0) return Outcome::fail(k_invalid_params, "Invalid log level", {{"level", level}});
  {
    std::lock_guard lock(call.session.mutex);
    call.session.log_threshold = index;
  }
  // A message at info level makes the filter observable: it is sent only when info passes.
  call.log("info", "log level set to " + level.get<std::string>());
  return Outcome::ok(Json::object());
}

Call::Call(Session::Impl& session, Outbox& replies, Json id, std::string method, const Json& params,
           InFlight& state, int negotiated, const ModernMeta* modern)
    : session(session),
      replies(replies),
      id(std::move(id)),
      method(std::move(method)),
      params(params),
      m_state(state),
      m_modern(modern) {
  if (modern) {
    // The modern era has one version so far; newer-fields is a handshake-era fault.
    m_negotiated_rank = m_rank = k_rank_2026_07;
    return;
  }
  m_negotiated_rank = negotiated < 0 ? k_rank_2025_11 : negotiated;
  m_rank = session.has("newer-fields") ? k_rank_2025_11 : m_negotiated_rank;
}

bool Call::client_declares(const std::string& capability) const {
  if (capability.empty()) return false;
  if (m_modern) return m_modern->client_capabilities->contains(capability);
  std::lock_guard lock(session.mutex);
  return session.client_capabilities.contains(capability);
}

void Call::wait_cancelled(std::unique_lock<std::mutex>& lock) const {
  session.cv.wait(lock, [&] { return session.stopping || m_state.cancelled; });
}

bool Call::cancelled() const {
  std::lock_guard lock(session.mutex);
  if (session.stopping) return true;
  return m_state.cancelled && !session.has("ignore-cancel");
}

bool Call::sleep_for(std::chrono::milliseconds d) const {
  session.note_wait(method, params);
  std::unique_lock lock(session.mutex);
  const bool honour = !session.has("ignore-cancel");
  auto stop = [&] { return session.stopping || (honour && m_state.cancelled); };
  return !session.cv.wait_for(lock, d, stop);
}

bool Call::has_progress_token() const {
  const Json meta = params.value("_meta", Json::object());
  return meta.is_object() && meta.contains("progressToken") &&
         (meta["progressToken"].is_string() || meta["progressToken"].is_number_integer());
}

void Call::progress(double value, std::optional<double> total, const std::string& message) {
  if (!has_progress_token()) return;
  Json token = params["_meta"]["progressToken"];
  if (has("progress-wrong-token") || (m_modern != nullptr && has("modern-progress-wrong-token"))) {
    token = token.is_string() ? Json(token.get<std::string>() + "-wrong")
                              : Json(token.get<std::int64_t>() + 1000);
  }
  if (m_progress_count++ == 0) m_first_progress = value;
  if (has("progress-not-monotonic")) value = m_first_progress;
  Json payload{{"progressToken", token}, {"progress", value}};
  if (total) payload["total"] = *total;
  if (!message.empty() && m_rank >= k_rank_2025_03) payload["message"] = message;
  if (has("progress-after-response")) {
    m_deferred.push_back(std::move(payload));
    return;
  }
  session.notify(replies, "notifications/progress", std::move(payload));
}

void Call::flush_deferred() {
  for (Json& payload : m_deferred) session.notify(replies, "notifications/progress", std::move(payload));
  m_deferred.clear();
}

void Call::log(const std::string& level, const Json& data) {
  int threshold = 0;
  if (m_modern) {
    // logging.mdx: «The server MUST NOT emit notifications/message for a request that does not
    // include this field.»
    threshold = m_modern->log_threshold;
    if (threshold < 0 && !has("log-without-opt-in")) return;
  } else {
    std::lock_guard lock(session.mutex);
    threshold = session.log_threshold;
  }
  if (log_level_index(level) < threshold && !has("ignore-log-level")) return;
  const std::string sent = has("log-bad-level") ? "warn" : level;
  session.notify(replies, "notifications/message",
                 {{"level", sent}, {"logger", "mcp-refserver"}, {"data", data}});
}

std::optional<Json> Call::ask_client(const std::string& method_name, Json request_params,
                                     std::chrono::milliseconds timeout) {
  // stdio.mdx: «The server MUST NOT write JSON-RPC requests to stdout» (nor any transport in
  // this era): modern fixtures use InputRequiredResult instead.
  if (m_modern) return std::nullopt;
  session.note_wait(method, params);
  const std::string server_id = session.server_request_id();
  const std::string key = Json(server_id).dump();
  {
    std::lock_guard lock(session.mutex);
    session.awaiting[key] = std::nullopt;
  }
  session.request_client(replies, server_id, method_name, std::move(request_params));
  std::unique_lock lock(session.mutex);
  auto done = [&] { return session.stopping || m_state.cancelled || session.awaiting[key].has_value(); };
  session.cv.wait_for(lock, timeout, done);
  std::optional<Json> reply = session.awaiting[key];
  session.awaiting.erase(key);
  return reply;
}

Outcome paginate(Call& call, const Json& items, const char* key) {
  if (call.has_progress_token()) {
    call.progress(1, 2);
    call.progress(2, 2);
  }
  const std::size_t size = items.size();
  const std::size_t page = call.session.config.page_size > 0 ? call.session.config.page_size : size;
  std::size_t offset = 0;
  if (call.params.contains("cursor")) {
    const Json& cursor = call.params["cursor"];
    const std::string text = cursor.is_string() ? cursor.get<std::string>() : "";
    const std::string prefix = "refserver-page-";
    bool valid = text.rfind(prefix, 0) == 0 && text.size() > prefix.size() &&
                 text.size() < prefix.size() + 9 &&
                 text.find_first_not_of("0123456789", prefix.size()) == std::string::npos;
    if (valid) {
      offset = std::stoul(text.substr(prefix.size()));
      // Offset 0 (the first page) is never handed out, except by cursor-loop.
      valid = offset < size && (offset > 0 || call.has("cursor-loop"));
    }
    if (!valid && !call.has("accept-invalid-cursor")) {
      return Outcome::fail(k_invalid_params, "Invalid cursor", {{"cursor", cursor}});
    }
    if (!valid) offset = 0;
  }
  Json result{{key, Json::array()}};
  const std::size_t end = std::min(size, offset + std::max<std::size_t>(page, 1));
  for (std::size_t i = offset; i < end; ++i) result[key].push_back(items[i]);
  if (end < size) {
    result["nextCursor"] = "refserver-page-" + std::to_string(end);
  } else if (call.has("cursor-loop")) {
    result["nextCursor"] = "refserver-page-0";  // back to the first page
  }
  return Outcome::ok(std::move(result));
}

}  // namespace mcp_probe::refserver
