// POST /mcp for modern (2026-07-28) requests: header validation, the reply with its HTTP status,
// SSE response streams (progress, subscriptions/listen) and cancellation when the client closes
// one. No session is minted, required or echoed (streamable-http.mdx, Backward Compatibility).

#include <condition_variable>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "refserver/http_internal.h"

namespace mcp_probe::refserver::http {
namespace {

using nlohmann::json;

// Fault sse-never-close: how long a modern response stream stays open after its response.
constexpr auto k_never_close_for = std::chrono::seconds(3);

void modern_error(httplib::Response& res, int status, const json& id, int code, const std::string& message,
                  json data = nullptr) {
  json body = {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
  if (!data.is_null()) body["error"]["data"] = std::move(data);
  res.status = status;
  set_body(res, body.dump(), "application/json");
}

bool is_final_response(const std::string& message) {
  json m = json::parse(message, nullptr, false);
  return m.is_object() && !m.contains("method") && m.contains("id") &&
         (m.contains("result") || m.contains("error"));
}

void sse_headers_done(const Config& config, httplib::Response& res) {
  if (config.has("no-accel-buffering")) erase_header(res, "X-Accel-Buffering");
}

// The messages of one streamed modern request, onto its SSE stream; the route waits for the
// first one to decide between a JSON error with its status and a 200 event stream.
class StreamedOutbox : public Outbox {
 public:
  explicit StreamedOutbox(std::shared_ptr<SseStream> stream) : m_stream(std::move(stream)) {}

  void send(const std::string& message) override {
    m_stream->append("message", message);
    std::lock_guard lock(m_mutex);
    if (m_count++ == 0) m_first = message;
    m_cv.notify_all();
  }
  void finish() {
    m_stream->finish();
    std::lock_guard lock(m_mutex);
    m_done = true;
    m_cv.notify_all();
  }
  // Waits for the first message; when that is the final response, also for the handler to
  // return. Returns the first message ("" when the handler sent nothing).
  std::string wait_first() {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_count > 0 || m_done; });
    if (m_done || !is_final_response(m_first)) return m_first;
    m_cv.wait(lock, [&] { return m_done; });
    return m_first;
  }
  bool alone() {
    std::lock_guard lock(m_mutex);
    return m_done && m_count == 1;
  }

 private:
  std::shared_ptr<SseStream> m_stream;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  int m_count = 0;
  std::string m_first;
  bool m_done = false;
};

// The Content-Type of a JSON reply to `method`. Fault wrong-content-type: text/plain, except for
// server/discover, so that a client still finds the modern era and the probe's later requests
// meet the fault.
const char* json_type(const Config& config, const json& method) {
  return config.has("wrong-content-type") && method != "server/discover" ? "text/plain" : "application/json";
}

// A reply that went out whole: an error as JSON with its status; a result as the response mode
// says (several messages, e.g. a fault's extra request, as one finished SSE body).
void reply_whole(Context& ctx, const json& method, std::vector<std::string> replies, httplib::Response& res) {
  if (replies.empty()) {
    res.status = 202;  // a notification the core accepted
    return;
  }
  const int status = modern_reply_status(ctx.config, replies.back());
  if (status != 200 || ctx.config.response_mode == "json") {
    res.status = status;
    if (ctx.config.has("json-wrong-id")) {
      json m = json::parse(replies.back(), nullptr, false);
      if (m.is_object() && m.contains("id")) {
        json& id = m["id"];
        id = id.is_number_integer() ? json(id.get<long long>() + 1000) : json("wrong-" + id.dump());
        replies.back() = m.dump();
      }
    }
    set_body(res, std::move(replies.back()), json_type(ctx.config, method));
    return;
  }
  if (ctx.config.has("sse-never-close")) {
    // The response, and then the stream stays open: for k_never_close_for, so that a client that
    // never leaves does not hold up the server's stop.
    auto stream = std::make_shared<SseStream>(0, false, false, "");
    for (std::string& r : replies) stream->append("message", std::move(r));
    ctx.workers.spawn([stream] {
      std::this_thread::sleep_for(k_never_close_for);
      stream->close();
    });
    serve_stream(res, stream, 0, ReaderMode{.never_close = true}, nullptr);
    sse_headers_done(ctx.config, res);
    return;
  }
  SseStream stream(0, false, false, "");
  for (std::string& r : replies) stream.append("message", std::move(r));
  stream.finish();
  serve_finished(res, stream);
  sse_headers_done(ctx.config, res);
}

// A request whose handler may wait (a slow tool, subscriptions/listen): it runs on a worker
// thread; the first message decides the response. Closing the stream cancels the request.
void post_streamed(Context& ctx, json body, httplib::Response& res) {
  auto stream = std::make_shared<SseStream>(0, false, false, "");
  auto outbox = std::make_shared<StreamedOutbox>(stream);
  Session& session = ctx.modern->session();
  ctx.workers.spawn([&session, outbox, message = std::move(body)] {
    session.handle_parsed(message, *outbox);
    outbox->finish();
  });
  const std::string first = outbox->wait_first();
  if (outbox->alone()) {
    const int status = modern_reply_status(ctx.config, first);
    if (status != 200 || ctx.config.response_mode == "json") {
      res.status = status;
      set_body(res, first, "application/json");
      return;
    }
  }
  // By outbox, not id: the ids of different clients of the shared Session may collide.
  serve_stream(res, stream, 0, ReaderMode{}, [stream, &session, outbox] {
    if (!stream->finished()) session.cancel(*outbox);
  });
  sse_headers_done(ctx.config, res);
}

}  // namespace

void post_modern(Context& ctx, const httplib::Request& req, httplib::Response& res, json body) {
  Session& session = ctx.modern->session();
  const auto id_it = body.find("id");
  const bool is_request = id_it != body.end() && body.contains("method");
  if (!is_request) {
    CollectOutbox collected;
    session.handle_parsed(body, collected);
    std::vector<std::string> replies = collected.take();
    if (replies.empty()) {
      res.status = ctx.config.has("notification-200") ? 200 : 202;
    } else {
      // A refused notification may get an error body with an HTTP error status; the fault answers
      // it as if it were a request, with 200.
      res.status = ctx.config.has("modern-answer-notifications") ? 200 : 400;
      set_body(res, replies.front(), "application/json");
    }
    return;
  }
  const json id = *id_it;
  const json& method = body["method"];
  // Compared in place (comparing with a literal would build a json string for each).
  const auto method_is = [&method](std::string_view name) {
    return method.is_string() && method.get_ref<const std::string&>() == name;
  };
  if (!ctx.config.has("header-mismatch-ignored")) {
    const std::vector<HeaderParam>* params = nullptr;
    const auto p = body.find("params");
    if (method_is("tools/call") && p != body.end() && p->is_object()) {
      const auto name = p->find("name");
      if (name != p->end() && name->is_string()) {
        params = ctx.modern->tool_header_params(name->get_ref<const std::string&>());
      }
    }
    HeaderLookup lookup = [&req](const char* name) { return header(req, name); };
    std::string mismatch = modern_header_mismatch(lookup, body, params);
    if (!mismatch.empty()) {
      if (method != "initialize")
        return modern_error(res, 400, id, k_header_mismatch, "Header mismatch: " + mismatch);
      // A legacy client's initialize: "A server that supports only modern versions SHOULD name the
      // protocol versions it supports in any error it returns to an initialize request"
      // (versioning.mdx); it may be the only diagnostic such a client can show.
      const std::vector<std::string>& supported = modern_request_versions(ctx.config.era);
      std::string names;
      for (const std::string& v : supported) names += (names.empty() ? "" : ", ") + v;
      return modern_error(res, 400, id, k_header_mismatch,
                          "Header mismatch: " + mismatch + "; this server speaks protocol versions " + names +
                              " (no initialize)",
                          json{{"supported", supported}});
    }
  }
  const bool listen = method_is("subscriptions/listen");
  if (session.may_wait(body) && (listen || ctx.config.response_mode != "json")) {
    return post_streamed(ctx, std::move(body), res);
  }
  CollectOutbox collected;
  session.handle_parsed(body, collected);
  reply_whole(ctx, method, collected.take(), res);
}

}  // namespace mcp_probe::refserver::http
