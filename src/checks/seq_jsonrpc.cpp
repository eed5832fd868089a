// The base-protocol probes: ping, id echo, error codes, notifications, malformed input, batches.

#include "mcp_probe/protocol/modern.h"
#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/transport/http.h"
#include "mcp_probe/transport/stdio.h"
#include "sequences.h"

namespace mcp_probe::checks {

namespace {

bool is_response(const protocol::Received& r) {
  return r.json && (r.json->is_array() ||
                    (r.json->is_object() && (r.json->contains("result") || r.json->contains("error"))));
}

std::vector<std::uint64_t> refs_of(const std::vector<protocol::Received>& rs) {
  std::vector<std::uint64_t> out;
  for (const auto& r : rs) out.push_back(r.wire.trace_id);
  return out;
}

void probe_ping(Context& ctx) {
  if (!ctx.wants(CheckId::util_ping_empty_result)) return;
  for (const Json& params : {Json(), Json::object()}) {
    std::vector<std::uint64_t> refs;
    auto reply = call(ctx, ctx.session(), "ping", params, &refs);
    std::string form = params.is_null() ? "ping without params" : "ping with params {}";
    if (!reply) {
      ctx.violation(CheckId::util_ping_empty_result, form + " got no reply",
                    {"result: {} within the timeout", "no reply"});
      continue;
    }
    const Json& r = *reply;
    if (!r.contains("result")) {
      ctx.violation(CheckId::util_ping_empty_result, form + " got an error", {"result: {}", brief(r), refs});
      continue;
    }
    bool empty = r["result"].is_object();
    if (empty) {
      for (const auto& [k, v] : r["result"].items()) {
        if (k != "_meta") empty = false;
      }
    }
    if (!empty) {
      ctx.violation(CheckId::util_ping_empty_result, form + " answered a non-empty result",
                    {"result: {}", brief(r["result"]), refs});
    } else {
      ctx.pass(CheckId::util_ping_empty_result);
    }
  }
}

void probe_ids(Context& ctx) {
  if (!ctx.wants(CheckId::jsonrpc_response_id_match)) return;
  // Ids the session never uses otherwise (the spec forbids reusing one): 0 and 2^53-1 lie
  // outside its counter, and the numeric-looking string takes the counter's next number.
  const Json ids[] = {Json(0), Json(9007199254740991LL), Json(std::to_string(ctx.session().next_id())),
                      Json("mcp-probe-\xc3\xbc-\xf0\x9f\x9a\x80")};
  for (const Json& id : ids) {
    Json message = {{"jsonrpc", "2.0"}, {"id", id}, {"method", "ping"}};
    if (const auto& modern = ctx.session().modern()) {
      // No ping in 2026-07-28: server/discover, which every server implements.
      message["method"] = "server/discover";
      message["params"] = protocol::with_modern_meta(Json::object(), *modern);
    }
    auto any_reply = [](const protocol::Received& r) {
      return r.json && r.json->is_object() && (r.json->contains("result") || r.json->contains("error"));
    };
    auto ex = ctx.session().send_and_wait(json::dump(message), any_reply);
    if (!ex || !ex->reply) {
      ctx.violation(CheckId::jsonrpc_response_id_match,
                    "no reply to " + message["method"].get<std::string>() + " with id " + id.dump(),
                    {"a response with id " + id.dump(), "no reply"});
      continue;
    }
    const Json got = ex->reply->json->value("id", Json());
    if (!protocol::same_id(got, id)) {
      ctx.violation(
          CheckId::jsonrpc_response_id_match, "the reply's id differs from the request's",
          {"id " + id.dump() + " (same JSON type)", "id " + got.dump(), {ex->reply->wire.trace_id}});
    } else {
      ctx.pass(CheckId::jsonrpc_response_id_match);
    }
  }
}

void probe_method_not_found(Context& ctx) {
  if (!ctx.wants(CheckId::jsonrpc_error_method_not_found)) return;
  std::vector<std::uint64_t> refs;
  auto reply = call(ctx, ctx.session(), "mcp-probe/nonexistent", Json::object(), &refs);
  if (!reply) {
    ctx.violation(CheckId::jsonrpc_error_method_not_found, "no reply to an unknown method",
                  {"error -32601", "no reply"});
  } else if (auto code = error_code(*reply); code && *code == -32601) {
    ctx.pass(CheckId::jsonrpc_error_method_not_found);
  } else {
    ctx.violation(CheckId::jsonrpc_error_method_not_found, "an unknown method did not get -32601",
                  {"error -32601 (Method not found)", brief(*reply), refs});
  }
}

// Notifications never get an answer: nothing but the ping's reply may arrive, and over HTTP the
// POST gets 202 with no body.
void probe_notifications(Context& ctx) {
  auto* http = ctx.http();
  struct Probe {
    CheckId check;
    Json params;
    const char* method;
  };
  const Probe probes[] = {
      {CheckId::jsonrpc_notification_no_response, Json::object(), "notifications/mcp-probe-unknown"},
      {CheckId::jsonrpc_notification_no_response,
       {{"requestId", "mcp-probe-never-used"}, {"reason", "probe"}},
       "notifications/cancelled"},
      {CheckId::util_cancel_unknown_ignored, {{"requestId", 987654321}}, "notifications/cancelled"},
      {CheckId::util_cancel_unknown_ignored, {{"requestId", {{"not", "an id"}}}}, "notifications/cancelled"},
      {CheckId::util_cancel_unknown_ignored, Json(), "notifications/cancelled"},
  };
  for (const Probe& p : probes) {
    if (!ctx.wants(p.check)) continue;
    auto sent = ctx.session().notify(p.method, p.params);
    std::string what =
        std::string(p.method) + (p.params.is_null() ? " without params" : " " + brief(p.params, 80));
    if (http != nullptr) {
      const auto& resp = http->last_response();
      if (resp.status != 202 || !resp.body.empty()) {
        ctx.violation(
            p.check,
            what + " got HTTP " + std::to_string(resp.status) + (resp.body.empty() ? "" : " with a body"),
            {"202 Accepted, no body", std::to_string(resp.status) + " " + brief_raw(resp.body, 120),
             resp.trace_ids});
      }
    }
    Barrier b = ping_barrier(ctx, ctx.session());
    std::vector<protocol::Received> replies;
    for (const auto& r : b.before) {
      if (is_response(r)) replies.push_back(r);
    }
    if (!b.answered) {
      ctx.violation(p.check, "the server stopped answering after " + what,
                    {"ping still answered", "no reply to ping"});
    } else if (!replies.empty()) {
      ctx.violation(p.check, what + " was answered",
                    {"no response to a notification", brief(*replies.front().json), refs_of(replies)});
    } else if (!ctx.failed(p.check)) {
      ctx.pass(p.check);
    }
  }
}

// Deliberately malformed input: the server should answer with an error and keep going.
void probe_parse_error(Context& ctx) {
  if (!ctx.wants(CheckId::jsonrpc_error_parse_error)) return;
  const std::string truncated = R"({"jsonrpc": "2.0", "id": )" + std::to_string(ctx.session().next_id()) +
                                R"(, "method": "ping", "params": {)";
  auto is_error = [](const protocol::Received& r) {
    return r.json && r.json->is_object() && r.json->contains("error");
  };
  auto ex = send_droppable(ctx.session(), truncated, is_error,
                           util::Millis(std::min<long long>(1000, ctx.timeout().count())));
  int status = ctx.last_http_status();
  Barrier b = ping_barrier(ctx, ctx.session());
  if (!b.answered) {
    ctx.violation(CheckId::jsonrpc_error_parse_error, "the server stopped answering after malformed JSON",
                  {"a -32700 error, then ping still answered", "no reply to the following ping"});
    return;
  }
  if (!ex || !ex->reply) {
    std::string observed = status ? "HTTP " + std::to_string(status) + " without a JSON-RPC error"
                                  : "no reply (the input was dropped silently)";
    if (status >= 400 && status < 500) {
      ctx.pass(CheckId::jsonrpc_error_parse_error, "HTTP " + std::to_string(status) + " for malformed JSON");
      return;
    }
    // The ping after it was answered: the server is alive, it dropped the line silently.
    ctx.violation(CheckId::jsonrpc_error_parse_error,
                  "malformed JSON got no parse error (the server kept answering: it dropped the input)",
                  {"error -32700 with id null",
                   observed,
                   {},
                   "The server skips a message it cannot parse without answering; it kept working, so "
                   "nothing crashed. Reply with error -32700 (Parse error) and a null id, so a client "
                   "learns why its message got nothing."});
    return;
  }
  const Json& r = *ex->reply->json;
  auto code = error_code(r);
  bool id_ok = !r.contains("id") || r["id"].is_null();
  if (code && *code == -32700 && id_ok) {
    ctx.pass(CheckId::jsonrpc_error_parse_error);
  } else {
    ctx.violation(CheckId::jsonrpc_error_parse_error, "malformed JSON got the wrong error",
                  {"error -32700 with id null or absent", brief(r), {ex->reply->wire.trace_id}});
  }
}

void probe_invalid_request(Context& ctx) {
  if (!ctx.wants(CheckId::jsonrpc_error_invalid_request)) return;
  // Fresh ids from the session's counter: the spec forbids reusing one within a session.
  const long long missing_method = ctx.session().next_id(), wrong_version = ctx.session().next_id();
  std::pair<std::string, Json> probes[] = {
      {R"({"jsonrpc":"2.0","id":)" + std::to_string(missing_method) + "}", Json(missing_method)},
      {R"({"jsonrpc":"1.0","id":)" + std::to_string(wrong_version) + R"(,"method":"ping"})",
       Json(wrong_version)},
  };
  if (const auto& modern = ctx.session().modern()) {
    // 2026-07-28: the same two mistakes in requests that carry the _meta fields (a dual-era
    // server routes a request without them to its handshake era); there is no ping.
    const Json params = protocol::with_modern_meta(Json::object(), *modern);
    probes[0].first = json::dump(Json{{"jsonrpc", "2.0"}, {"id", missing_method}, {"params", params}});
    probes[1].first = json::dump(
        Json{{"jsonrpc", "1.0"}, {"id", wrong_version}, {"method", "server/discover"}, {"params", params}});
  }
  for (const auto& [raw, id] : probes) {
    auto reply_to = [&id](const protocol::Received& r) {
      if (!r.json || !r.json->is_object()) return false;
      if (!r.json->contains("result") && !r.json->contains("error")) return false;
      const Json rid = r.json->value("id", Json());
      return rid.is_null() || protocol::same_id(rid, id);
    };
    auto ex = send_droppable(ctx.session(), raw, reply_to,
                             util::Millis(std::min<long long>(1000, ctx.timeout().count())));
    int status = ctx.last_http_status();
    if (!ex || !ex->reply) {
      if (status >= 400 && status < 500) {
        ctx.pass(CheckId::jsonrpc_error_invalid_request);
        continue;
      }
      ctx.violation(CheckId::jsonrpc_error_invalid_request, "an invalid request got no reply: " + raw,
                    {"error -32600", status ? "HTTP " + std::to_string(status) : "no reply"});
      continue;
    }
    const Json& r = *ex->reply->json;
    auto code = error_code(r);
    if (code && *code == -32600) {
      ctx.pass(CheckId::jsonrpc_error_invalid_request);
    } else {
      ctx.violation(CheckId::jsonrpc_error_invalid_request,
                    "an invalid request was not rejected with -32600: " + raw,
                    {"error -32600 (Invalid Request)", brief(r), {ex->reply->wire.trace_id}});
    }
  }
  Barrier b = ping_barrier(ctx, ctx.session());
  if (!b.answered) {
    ctx.violation(CheckId::jsonrpc_error_invalid_request,
                  "the server stopped answering after invalid requests", {"ping still answered", "no reply"});
  }
}

void probe_batch(Context& ctx) {
  protocol::Session& s = ctx.session();
  auto is_batch_or_error = [](const protocol::Received& r) {
    return r.json && (r.json->is_array() || (r.json->is_object() && r.json->contains("error")));
  };
  util::Millis wait(std::min<long long>(1500, ctx.timeout().count()));
  if (ctx.wants(CheckId::jsonrpc_batch_supported)) {
    long long a = s.next_id(), b = s.next_id();
    Json batch = Json::array({{{"jsonrpc", "2.0"}, {"id", a}, {"method", "ping"}},
                              {{"jsonrpc", "2.0"}, {"id", b}, {"method", "tools/list"}},
                              {{"jsonrpc", "2.0"}, {"method", "notifications/mcp-probe-unknown"}}});
    auto ex = send_droppable(s, json::dump(batch), is_batch_or_error, wait);
    if (!ex || !ex->reply || !ex->reply->json->is_array()) {
      ctx.violation(CheckId::jsonrpc_batch_supported,
                    "a batch of two requests and a notification got no array of responses",
                    {"an array with 2 responses (ids " + std::to_string(a) + ", " + std::to_string(b) + ")",
                     ex && ex->reply ? brief(*ex->reply->json) : "no reply"});
    } else {
      const Json& arr = *ex->reply->json;
      std::set<long long> ids;
      for (const auto& m : arr) {
        if (m.is_object() && m.contains("id") && m["id"].is_number_integer())
          ids.insert(m["id"].get<long long>());
      }
      if (arr.size() == 2 && ids == std::set<long long>{a, b}) {
        ctx.pass(CheckId::jsonrpc_batch_supported);
      } else {
        ctx.violation(
            CheckId::jsonrpc_batch_supported, "the batch reply is not exactly the two responses",
            {"2 responses with ids " + std::to_string(a) + ", " + std::to_string(b), brief(arr, 200)});
      }
    }
    auto empty = send_droppable(s, "[]", is_batch_or_error, wait);
    if (!empty || !empty->reply || !error_code(*empty->reply->json) ||
        *error_code(*empty->reply->json) != -32600) {
      ctx.violation(
          CheckId::jsonrpc_batch_supported, "an empty batch [] did not get a single -32600 error",
          {"one error object, code -32600", empty && empty->reply ? brief(*empty->reply->json) : "no reply"});
    }
  }
  if (ctx.wants(CheckId::jsonrpc_batch_rejected)) {
    long long a = s.next_id();
    Json ping = {{"jsonrpc", "2.0"}, {"id", a}, {"method", "ping"}};
    // In the 2026-07-28 pass the element is a 2026-07-28 request: without the _meta fields a
    // dual-era server rightly serves it in the handshake era, and its answer would be held to
    // 2026-07-28 rules.
    if (s.modern()) ping["params"] = protocol::with_modern_meta(Json::object(), *s.modern());
    Json batch = Json::array({ping});
    auto any = [](const protocol::Received& r) {
      return r.json && (r.json->is_array() ||
                        (r.json->is_object() && (r.json->contains("error") || r.json->contains("result"))));
    };
    auto ex = send_droppable(s, json::dump(batch), any, wait);
    int status = ctx.last_http_status();
    Barrier after = ping_barrier(ctx, s);
    if (!after.answered) {
      ctx.violation(CheckId::jsonrpc_batch_rejected, "the server stopped answering after a one-element batch",
                    {"an error or HTTP 4xx, and the server keeps working", "no reply to the following ping"});
    } else if (status >= 400 && status < 500) {
      ctx.pass(CheckId::jsonrpc_batch_rejected, "HTTP " + std::to_string(status));
    } else if (ex && ex->reply && ex->reply->json->is_object() && ex->reply->json->contains("error")) {
      ctx.pass(CheckId::jsonrpc_batch_rejected);
    } else if (ex && ex->reply) {
      ctx.pass(CheckId::jsonrpc_batch_rejected, "note: the batch was processed anyway (tolerated)");
    } else if (status == 0) {
      ctx.violation(CheckId::jsonrpc_batch_rejected,
                    "a batch got no reply at all (the server kept answering: it dropped the array)",
                    {"an error (-32600) or HTTP 4xx",
                     "silence, then the following ping answered",
                     {},
                     "The server ignores a JSON array without answering; it kept working, so nothing "
                     "crashed. Reply with error -32600 (Invalid Request) to an array in a version "
                     "without batching, so a client learns why it got nothing."});
    } else {
      ctx.violation(CheckId::jsonrpc_batch_rejected, "a batch got HTTP " + std::to_string(status),
                    {"an error (-32600) or HTTP 4xx", "HTTP " + std::to_string(status)});
    }
  }
}

}  // namespace

std::vector<Step> jsonrpc_steps() {
  return {
      {"ping", probe_ping, {CheckId::util_ping_empty_result}},
      {"request ids", probe_ids, {CheckId::jsonrpc_response_id_match}},
      {"unknown method", probe_method_not_found, {CheckId::jsonrpc_error_method_not_found}},
      {"notifications",
       probe_notifications,
       {CheckId::jsonrpc_notification_no_response, CheckId::util_cancel_unknown_ignored}},
      {"malformed JSON", probe_parse_error, {CheckId::jsonrpc_error_parse_error}},
      {"invalid requests", probe_invalid_request, {CheckId::jsonrpc_error_invalid_request}},
      {"batches", probe_batch, {CheckId::jsonrpc_batch_supported, CheckId::jsonrpc_batch_rejected}},
  };
}

}  // namespace mcp_probe::checks
