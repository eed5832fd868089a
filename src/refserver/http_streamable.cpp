// Streamable HTTP (2025-03-26 and later) on /mcp: POST, GET, DELETE, OPTIONS, with the HTTP
// fault injections of the fault table.

#include <nlohmann/json.hpp>

#include "mcp_probe/json/wire.h"
#include "mcp_probe/protocol/versions.h"
#include "refserver/http_internal.h"

namespace mcp_probe::refserver::http {
namespace {

using nlohmann::json;
using namespace std::string_view_literals;

const char* const k_allow = "GET, POST, DELETE, OPTIONS";
const char* const k_allow_modern = "POST, OPTIONS";
const char* const k_unrelated_progress =
    R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"mcp-refserver-never-sent","progress":1,"total":2}})";
const char* const k_unsolicited_response =
    R"({"jsonrpc":"2.0","id":"mcp-refserver-unsolicited","result":{}})";

// Keys are looked up as string_views: with a const char*, each node of the map compares by
// strlen and memcmp.
bool is_request(const json& m) { return m.is_object() && m.contains("method"sv) && m.contains("id"sv); }
bool is_notification(const json& m) { return m.is_object() && m.contains("method"sv) && !m.contains("id"sv); }
bool is_response(const json& m) {
  return m.is_object() && !m.contains("method"sv) && (m.contains("result"sv) || m.contains("error"sv));
}

template <typename Pred>
bool any_of_body(const json& body, Pred pred) {
  if (!body.is_array()) return pred(body);
  for (const json& m : body) {
    if (pred(m)) return true;
  }
  return false;
}

// Whether `message` is an object whose string member `key` equals `value` (no copies).
bool member_is(const json& message, std::string_view key, std::string_view value) {
  const json* found = mcp_probe::json::member(message, key);
  return found && found->is_string() && found->get_ref<const std::string&>() == value;
}

bool is_initialize(const json& body) { return member_is(body, "method", "initialize"); }

bool json_mode(const Config& config) {
  return config.response_mode == "json" || config.has("json-wrong-id") || config.has("wrong-content-type");
}

bool wants_priming(const Config& config, const std::string& version) {
  return !config.has("no-priming-event") && protocol::at_least(version, "2025-11-25");
}

// Finds the session named by Mcp-Session-Id, or answers 400 (missing) / 404 (unknown).
std::shared_ptr<HttpSession> lookup(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto id = header(req, "Mcp-Session-Id");
  if (!id) {
    if (ctx.config.has("session-not-required")) {
      if (auto latest = ctx.sessions.latest()) return latest;
    }
    json_error(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
    return nullptr;
  }
  auto found = ctx.sessions.find(*id);
  if (!found || found->legacy()) {
    json_error(res, ctx.config.has("unknown-session-400") ? 400 : 404, -32001, "Session not found");
    return nullptr;
  }
  return found;
}

// MCP-Protocol-Version on requests after initialize (enforced from 2025-06-18 on).
bool check_protocol_version(Context& ctx, HttpSession& hs, const httplib::Request& req,
                            httplib::Response& res) {
  if (!protocol::at_least(hs.session().protocol_version(), "2025-06-18")) return true;
  const auto header_version = header(req, "MCP-Protocol-Version");
  if (!header_version) {
    if (!ctx.config.has("protocol-version-required")) return true;
    json_error(res, 400, -32000, "Bad Request: MCP-Protocol-Version header is required");
    return false;
  }
  const std::string version(*header_version);
  if (supported_versions().count(version) > 0 || ctx.config.has("protocol-version-ignored")) return true;
  json_error(res, 400, -32000, "Bad Request: Unsupported protocol version: " + version);
  return false;
}

// Delivers what Session emits for one POSTed request onto its SSE stream, applying the
// stream faults (split events, broadcast copies to the GET stream).
class StreamOutbox : public Outbox {
 public:
  StreamOutbox(std::shared_ptr<HttpSession> hs, std::shared_ptr<SseStream> stream)
      : m_hs(std::move(hs)), m_stream(std::move(stream)) {}

  // Called after each message is appended (serve_inline's flush).
  void on_append(std::function<void()> after) { m_after = std::move(after); }

  void send(const std::string& message) override {
    const Config& config = m_hs->config();
    if (config.has("sse-split-event") && message.size() >= 2) {
      std::size_t half = message.size() / 2;
      m_stream->append("message", message.substr(0, half));
      m_stream->append("message", message.substr(half));
    } else {
      m_stream->append("message", message);
    }
    if (config.has("broadcast")) m_hs->send_standalone(message);
    if (m_after) m_after();
  }

 private:
  std::shared_ptr<HttpSession> m_hs;
  std::shared_ptr<SseStream> m_stream;
  std::function<void()> m_after;
};

// JSON response mode: replies are collected for the body; server-to-client requests (the
// handler waits for their answers) go to the GET stream at once; notifications are dropped.
class JsonOutbox : public Outbox {
 public:
  explicit JsonOutbox(HttpSession& hs) : m_hs(hs) {}
  void send(const std::string& message) override {
    json m = json::parse(message, nullptr, false);
    if (is_request(m)) {
      m_hs.send_standalone(message);
    } else if (!is_notification(m)) {
      m_collected.send(message);
    }
  }
  std::vector<std::string> take() { return m_collected.take(); }

 private:
  HttpSession& m_hs;
  CollectOutbox m_collected;
};

void break_id(json& message) {
  if (!message.is_object() || !message.contains("id")) return;
  json& id = message["id"];
  id = id.is_number_integer() ? json(id.get<long long>() + 1000) : json("wrong-" + id.dump());
}

// The application/json body for the replies of one POST (one object, or an array for a batch
// where the negotiated version still has batching).
void reply_json(const Config& config, const json& input, const std::string& version,
                std::vector<std::string> replies, httplib::Response& res) {
  json out = json::array();
  for (const std::string& r : replies) {
    json m = json::parse(r, nullptr, false);
    if (m.is_discarded()) continue;
    // Session answers a batch with one array text.
    for (json& one : m.is_array() ? m : json::array({m})) {
      if (config.has("json-wrong-id")) break_id(one);
      out.push_back(std::move(one));
    }
  }
  bool as_array =
      out.size() > 1 || (input.is_array() && !out.empty() && !protocol::at_least(version, "2025-06-18"));
  std::string body = as_array ? out.dump() : out.empty() ? std::string("{}") : out[0].dump();
  res.status = 200;
  set_body(res, body, config.has("wrong-content-type") ? "text/plain" : "application/json");
}

// Streams already-collected replies (initialize) as a finished SSE stream.
void reply_sse(HttpSession& hs, std::vector<std::string> replies, httplib::Response& res) {
  auto stream = hs.new_stream(false);
  if (wants_priming(hs.config(), hs.session().protocol_version())) stream->append_priming();
  for (std::string& r : replies) stream->append("message", std::move(r));
  stream->finish();
  serve_finished(res, *stream);
}

// Notifications and responses only: handled synchronously; 202 unless Session rejected them.
void post_without_requests(Context& ctx, HttpSession& hs, const json& body, httplib::Response& res) {
  CollectOutbox collected;
  hs.session().handle_parsed(body, collected);
  std::vector<std::string> replies = collected.take();
  if (!replies.empty()) {
    // Invalid messages: the error responses Session produced, with an error status.
    json out = json::array();
    for (const std::string& r : replies) out.push_back(json::parse(r, nullptr, false));
    res.status = 400;
    set_body(res, out.size() == 1 ? out[0].dump() : out.dump(), "application/json");
    return;
  }
  bool as_200 = (ctx.config.has("notification-200") && any_of_body(body, is_notification)) ||
                (ctx.config.has("response-200") && any_of_body(body, is_response));
  res.status = as_200 ? 200 : 202;
}

void post_initialize(Context& ctx, std::shared_ptr<HttpSession> hs, bool created, const json& body,
                     httplib::Response& res) {
  JsonOutbox collected(*hs);
  hs->session().handle_parsed(body, collected);
  if (created && hs->session().protocol_version().empty()) {
    ctx.sessions.remove(hs->id());  // a failed initialize issues no session
  } else {
    add_header(res, "Mcp-Session-Id", hs->id());
  }
  if (json_mode(ctx.config)) {
    reply_json(ctx.config, body, hs->session().protocol_version(), collected.take(), res);
  } else {
    reply_sse(*hs, collected.take(), res);
  }
}

bool is_reconnection_call(const json& body) {
  if (!member_is(body, "method", "tools/call")) return false;
  const json* params = mcp_probe::json::member(body, "params");
  return params && member_is(*params, "name", "test_reconnection");
}

void post_streamed(Context& ctx, std::shared_ptr<HttpSession> hs, json body, httplib::Response& res) {
  auto stream = hs->new_stream(false);
  ReaderMode mode{ctx.config.has("sse-buffered"), ctx.config.has("sse-never-close")};
  if (wants_priming(ctx.config, hs->session().protocol_version())) {
    // Polling (--sse-poll): the client comes back with GET + Last-Event-ID for the rest.
    const bool no_retry = ctx.config.has("sse-close-no-retry");
    const bool poll = ctx.config.sse_poll || no_retry;
    stream->append_priming(no_retry ? 0 : poll ? k_poll_retry_ms : k_retry_ms);
    mode.close_after_priming = poll || is_reconnection_call(body);
  }
  if (ctx.config.has("sse-unrelated-progress")) stream->append("message", k_unrelated_progress);
  hs->begin_use();
  const bool detached = mode.close_after_priming || mode.never_close;
  if (!detached && !hs->session().may_wait(body)) {
    // Replies come at once: handled here, sent as one body (one write, no chunking).
    StreamOutbox outbox(hs, stream);
    hs->session().handle_parsed(body, outbox);
    mcp_probe::json::release(body);  // without the stack nlohmann's destructor allocates
    stream->finish();
    hs->end_use();
    return serve_finished(res, *stream);
  }
  auto outbox = std::make_shared<StreamOutbox>(hs, stream);
  if (detached) {
    // The handler outlives the connection (or the connection the handler): a worker thread.
    ctx.workers.spawn([hs, stream, outbox, message = std::move(body)] {
      hs->session().handle_parsed(message, *outbox);
      stream->finish();
    });
    return serve_stream(res, stream, 0, mode, [hs] { hs->end_use(); });
  }
  // Streams as the handler goes, on the connection's thread: no thread start, no hand-off.
  serve_inline(
      res, stream, mode,
      [hs, stream, outbox, message = std::move(body)](const std::function<void()>& flush) {
        outbox->on_append(flush);
        hs->session().handle_parsed(message, *outbox);
        outbox->on_append(nullptr);
        stream->finish();
      },
      [hs] { hs->end_use(); });
}

bool check_post_headers(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (req.body.size() > ctx.options.max_body_bytes) {
    json_error(res, 413, -32000, "Payload Too Large");
    return false;
  }
  const std::string_view content_type = header(req, "Content-Type").value_or(std::string_view());
  if (!media_type_is(content_type, "application/json")) {
    json_error(res, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
    return false;
  }
  const std::string_view accept = header(req, "Accept").value_or(std::string_view());
  if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
    json_error(res, 406, -32000,
               "Not Acceptable: Client must accept both application/json and text/event-stream");
    return false;
  }
  return true;
}

void handle_post(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!check_post_headers(ctx, req, res)) return;
  // Parsed once, by the parser Session uses, and handed to it as it is.
  auto parsed = mcp_probe::json::parse(req.body);
  if (!parsed) {
    json err = {
        {"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", -32700}, {"message", "Parse error"}}}};
    res.status = 400;
    set_body(res, err.dump(), "application/json");
    return;
  }
  json body = std::move(*parsed);
  if (ctx.modern) {
    if (body.is_object() && ctx.modern->session().is_modern(body))
      return post_modern(ctx, req, res, std::move(body));
    if (ctx.config.era == ServeEra::modern) {
      // 2026-07-28: "The body of the HTTP POST MUST be a single JSON-RPC request or notification."
      return json_error(res, 400, -32600,
                        "Invalid Request: the body must be one JSON-RPC request or notification");
    }
  }
  bool init = is_initialize(body);
  std::shared_ptr<HttpSession> hs;
  bool created = false;
  if (init && !header(req, "Mcp-Session-Id")) {
    hs = ctx.sessions.create(false);
    created = true;
  } else if (!(hs = lookup(ctx, req, res))) {
    return;
  }
  if (!init && !check_protocol_version(ctx, *hs, req, res)) return;
  if (init) return post_initialize(ctx, hs, created, body, res);
  add_header(res, "Mcp-Session-Id", hs->id());
  if (!any_of_body(body, is_request)) return post_without_requests(ctx, *hs, body, res);
  if (json_mode(ctx.config)) {
    JsonOutbox collected(*hs);
    hs->session().handle_parsed(body, collected);
    return reply_json(ctx.config, body, hs->session().protocol_version(), collected.take(), res);
  }
  post_streamed(ctx, hs, std::move(body), res);
}

// "<stream>-<seq>" -> (stream, seq); nullopt when the id is not one of ours.
std::optional<std::pair<int, std::uint64_t>> parse_event_id(const std::string& id) {
  std::size_t dash = id.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 >= id.size()) return std::nullopt;
  try {
    std::size_t used = 0;
    int stream = std::stoi(id.substr(0, dash), &used);
    if (used != dash) return std::nullopt;
    std::uint64_t seq = std::stoull(id.substr(dash + 1), &used);
    if (used != id.size() - dash - 1) return std::nullopt;
    return std::make_pair(stream, seq);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// GET and DELETE of a modern-only server (--era modern): "HTTP GET or DELETE to the MCP endpoint:
// respond with 405 Method Not Allowed." Fault modern-get-sse: GET opens an (empty) SSE stream.
bool modern_only_refused(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (ctx.config.era != ServeEra::modern) return false;
  if (req.method == "GET" && ctx.config.has("modern-get-sse")) {
    SseStream stream(0, false, false, "");
    stream.finish();
    serve_finished(res, stream);
    return true;
  }
  add_constant_header(res, "Allow", k_allow_modern);
  json_error(res, 405, -32000,
             "Method Not Allowed: this server speaks only 2026-07-28 (no sessions, no GET stream)");
  return true;
}

void handle_get(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (modern_only_refused(ctx, req, res)) return;
  if (!accepts(req.get_header_value("Accept"), "text/event-stream")) {
    json_error(res, 406, -32000, "Not Acceptable: Client must accept text/event-stream");
    return;
  }
  auto hs = lookup(ctx, req, res);
  if (!hs || !check_protocol_version(ctx, *hs, req, res)) return;
  if (ctx.config.has("get-404")) {
    json_error(res, 404, -32000, "Not Found");
    return;
  }
  add_header(res, "Mcp-Session-Id", hs->id());
  hs->begin_use();
  auto release = [hs] { hs->end_use(); };
  if (auto last = parse_event_id(req.get_header_value("Last-Event-ID"))) {
    // Resumption: replay the events after that id from the same stream only, then go live.
    if (auto stream = hs->find_stream(last->first)) {
      return serve_stream(res, stream, last->second, ReaderMode{}, release);
    }
  }
  auto current = hs->standalone_stream();
  if (current && !current->finished() && current->has_reader() &&
      !current->probe_reader(std::chrono::milliseconds(300))) {
    hs->end_use();
    json_error(res, 409, -32000, "Conflict: only one GET stream per session");
    return;
  }
  auto stream = hs->new_stream(true);
  if (wants_priming(ctx.config, hs->session().protocol_version())) stream->append_priming();
  if (ctx.config.has("get-unsolicited-response")) stream->append("message", k_unsolicited_response);
  hs->flush_pending();
  serve_stream(res, stream, 0, ReaderMode{}, release);
}

void handle_delete(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (modern_only_refused(ctx, req, res)) return;
  auto hs = lookup(ctx, req, res);
  if (!hs) return;
  if (!ctx.config.has("delete-ignored")) ctx.sessions.remove(hs->id());
  res.status = 200;
}

void handle_options(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (ctx.config.has("no-cors")) {
    res.status = 405;
    add_constant_header(res, "Allow", k_allow);
    return;
  }
  res.status = 204;
  if (req.has_header("Origin"))
    add_header(res, "Access-Control-Allow-Origin", req.get_header_value("Origin"));
  add_constant_header(res, "Access-Control-Allow-Methods",
                      ctx.config.era == ServeEra::modern ? k_allow_modern : k_allow);
  if (ctx.config.era == ServeEra::legacy) {
    add_constant_header(res, "Access-Control-Allow-Headers",
                        "Content-Type, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Authorization");
  } else {
    // Browsers may send the 2026-07-28 request headers; Mcp-Param-* names vary per tool, so the
    // ones the preflight asks for are allowed.
    std::string allowed =
        "Content-Type, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Authorization, Mcp-Method, "
        "Mcp-Name";
    if (const auto asked = header(req, "Access-Control-Request-Headers")) {
      std::string_view rest = *asked;
      while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string_view name = util::trim(rest.substr(0, comma));
        if (name.size() > 10 && util::iequals(name.substr(0, 10), "mcp-param-"))
          allowed += ", " + std::string(name);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
    add_header(res, "Access-Control-Allow-Headers", allowed);
  }
  add_constant_header(res, "Access-Control-Max-Age", "86400");
}

}  // namespace

httplib::Server::Handler streamable_post(Context& ctx) { return guarded_route(ctx, handle_post); }

void install_streamable_routes(httplib::Server& server, Context& ctx) {
  server.Post("/mcp", streamable_post(ctx));
  server.Get("/mcp", guarded_route(ctx, handle_get));
  server.Delete("/mcp", guarded_route(ctx, handle_delete));
  server.Options("/mcp", guarded_route(ctx, handle_options));
  auto not_allowed = guarded_route(ctx, [](Context&, const httplib::Request&, httplib::Response& res) {
    add_constant_header(res, "Allow", k_allow);
    json_error(res, 405, -32000, "Method Not Allowed");
  });
  server.Put("/mcp", not_allowed);
  server.Patch("/mcp", not_allowed);
}

}  // namespace mcp_probe::refserver::http
