// Legacy HTTP+SSE (2024-11-05): GET /sse opens the stream and announces the POST endpoint;
// POST /messages?sessionId=... is answered 202 and its replies travel on that stream.

#include <nlohmann/json.hpp>

#include "refserver/http_internal.h"

namespace mcp_probe::refserver::http {
namespace {

using nlohmann::json;

const char* const k_early_message =
    R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"mcp-refserver: stream open"}})";

// Replies of a POSTed message: `event: message` on the session's stream.
class LegacyOutbox : public Outbox {
 public:
  explicit LegacyOutbox(std::shared_ptr<SseStream> stream) : m_stream(std::move(stream)) {}
  void send(const std::string& message) override { m_stream->append("message", message); }

 private:
  std::shared_ptr<SseStream> m_stream;
};

void handle_sse_get(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (req.has_header("Accept") && !accepts(req.get_header_value("Accept"), "text/event-stream")) {
    json_error(res, 406, -32000, "Not Acceptable: Client must accept text/event-stream");
    return;
  }
  auto hs = ctx.sessions.create(true);
  auto stream = hs->new_stream(true);
  // legacy-no-endpoint: a message event comes before the endpoint event.
  if (ctx.config.has("legacy-no-endpoint")) stream->append("message", k_early_message);
  stream->append("endpoint", "/messages?sessionId=" + hs->id());
  hs->flush_pending();
  hs->begin_use();
  // The session lives as long as its stream.
  SessionRegistry& sessions = ctx.sessions;
  serve_stream(res, stream, 0, ReaderMode{}, [&sessions, hs] {
    hs->end_use();
    sessions.remove(hs->id());
  });
}

void handle_sse_post(Context& ctx, const httplib::Request&, httplib::Response& res) {
  // A dual-mode client POSTs initialize here first; 405 tells it to fall back to GET.
  if (ctx.config.has("legacy-post-500")) {
    json_error(res, 500, -32603, "Internal Server Error");
    return;
  }
  add_constant_header(res, "Allow", "GET");
  json_error(res, 405, -32000, "Method Not Allowed: open the stream with GET /sse");
}

void handle_messages(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto hs = ctx.sessions.find(req.get_param_value("sessionId"));
  if (!hs || !hs->legacy()) {
    json_error(res, 404, -32001, "Session not found");
    return;
  }
  if (req.body.size() > ctx.options.max_body_bytes) {
    json_error(res, 413, -32000, "Payload Too Large");
    return;
  }
  if (!media_type_is(req.get_header_value("Content-Type"), "application/json")) {
    json_error(res, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
    return;
  }
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    json_error(res, 400, -32700, "Parse error");
    return;
  }
  if (ctx.config.has("legacy-response-in-post")) {
    CollectOutbox collected;
    hs->session().handle(req.body, collected);
    json out = json::array();
    for (const std::string& r : collected.take()) out.push_back(json::parse(r, nullptr, false));
    res.status = 200;
    set_body(res, out.size() == 1 ? out[0].dump() : out.dump(), "application/json");
    return;
  }
  auto stream = hs->standalone_stream();
  if (!stream) {
    json_error(res, 404, -32001, "Session not found");
    return;
  }
  auto outbox = std::make_shared<LegacyOutbox>(stream);
  std::string raw = req.body;
  ctx.workers.spawn([hs, outbox, raw] { hs->session().handle(raw, *outbox); });
  res.status = 202;
  set_body(res, "Accepted", "text/plain");
}

}  // namespace

void install_legacy_routes(httplib::Server& server, Context& ctx) {
  server.Get("/sse", guarded_route(ctx, handle_sse_get));
  server.Post("/sse", guarded_route(ctx, handle_sse_post));
  server.Post("/messages", guarded_route(ctx, handle_messages));
}

}  // namespace mcp_probe::refserver::http
