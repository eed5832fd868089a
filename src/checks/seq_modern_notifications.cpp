// Client notifications in the 2026-07-28 pass: jsonrpc.notification.no-response and
// util.cancel.unknown-ignored. Each notification's params carry the session's _meta fields
// (NotificationParams allows _meta): a dual-era server tells a 2026-07-28 message by them and
// routes one without them to its handshake era, which the handshake pass has probed already.

#include "http_probe.h"
#include "mcp_probe/protocol/modern.h"
#include "sequences.h"

namespace mcp_probe::checks {

namespace {

bool is_response(const Json& m) { return m.is_object() && (m.contains("result") || m.contains("error")); }

// docs/2026-07-28/basic/index.mdx: «The receiver MUST NOT send a response.» (no-response);
// docs/2026-07-28/basic/patterns/cancellation.mdx: «Invalid cancellation notifications SHOULD be
// ignored: Unknown request IDs [...] Malformed notifications» (unknown-ignored). Over stdio nothing
// but the barrier's answer (server/discover: 2026-07-28 has no ping) may come back.
void notifications_stdio(Context& ctx) {
  struct Probe {
    CheckId check;
    const char* method;
    Json params;  // null: no params at all (so no _meta either)
  };
  const Probe probes[] = {
      {CheckId::jsonrpc_notification_no_response, "notifications/mcp-probe-unknown", Json::object()},
      {CheckId::jsonrpc_notification_no_response,
       "notifications/cancelled",
       {{"requestId", "mcp-probe-never-used"}, {"reason", "probe"}}},
      {CheckId::util_cancel_unknown_ignored, "notifications/cancelled", {{"requestId", 987654321}}},
      {CheckId::util_cancel_unknown_ignored, "notifications/cancelled", {{"requestId", {{"not", "an id"}}}}},
      {CheckId::util_cancel_unknown_ignored, "notifications/cancelled", Json()},
  };
  const protocol::ModernProfile& profile = *ctx.session().modern();
  for (const Probe& p : probes) {
    if (!ctx.wants(p.check)) continue;
    const Json params = p.params.is_null() ? Json() : protocol::with_modern_meta(p.params, profile);
    const std::string what =
        std::string(p.method) + (p.params.is_null() ? " without params" : " " + brief(p.params, 80));
    auto sent = ctx.session().notify(p.method, params);
    if (!sent) {
      ctx.error(p.check, what + " could not be sent: " + sent.error().message);
      continue;
    }
    Barrier b = ping_barrier(ctx, ctx.session());
    std::vector<std::uint64_t> refs;
    const Json* reply = nullptr;
    for (const auto& r : b.before) {
      if (!r.json || !is_response(*r.json)) continue;
      refs.push_back(r.wire.trace_id);
      if (reply == nullptr) reply = &*r.json;
    }
    if (!b.answered) {
      ctx.violation(p.check, "the server stopped answering after " + what,
                    {"server/discover still answered", "no reply to server/discover"});
    } else if (reply != nullptr) {
      ctx.violation(p.check, what + " was answered", {"no response to a notification", brief(*reply), refs});
    } else if (!ctx.failed(p.check)) {
      ctx.pass(p.check);
    }
  }
}

// Over Streamable HTTP (docs/2026-07-28/basic/transports/streamable-http.mdx): «If the server
// cannot accept it, it MUST return an HTTP error status code (e.g., 400 Bad Request). The HTTP
// response body MAY comprise a JSON-RPC error response that has no id.» So an error status with
// such a body is a refusal, not a response; a JSON-RPC response under a success status is one.
// (The status itself is http.post.notification-202's.)
void notification_http(Context& ctx) {
  const CheckId id = CheckId::jsonrpc_notification_no_response;
  if (!ctx.wants(id)) return;
  const Json m = modern_message(ctx, "notifications/mcp-probe-unknown", Json::object(), false);
  auto r = modern_post(ctx, m, modern_options(m));
  if (!r) return ctx.error(id, "the notification could not be POSTed: " + r.error().message);
  std::optional<Json> answer;
  if (r->sse) {
    for (const auto& e : r->events) {
      auto parsed = json::parse(e.data);
      if (parsed && is_response(*parsed) && !answer) answer = *parsed;
    }
  } else if (auto parsed = json::parse(r->body); parsed && is_response(*parsed)) {
    answer = *parsed;
  }
  if (r->status >= 400) {
    ctx.pass(id,
             "note: HTTP " + std::to_string(r->status) + " (the server does not accept the notification)");
  } else if (answer) {
    ctx.violation(id, "a POSTed notification was answered with HTTP " + std::to_string(r->status),
                  {"202 Accepted with no body (no JSON-RPC response)", status_text(r), r->trace_ids});
  } else {
    ctx.pass(id);
  }
}

void modern_notifications(Context& ctx) {
  if (ctx.http() == nullptr) return notifications_stdio(ctx);
  // docs/2026-07-28/basic/transports/streamable-http.mdx: «on Streamable HTTP, closing the SSE
  // response stream is itself the cancellation signal and no notifications/cancelled message is
  // expected»: the rule has nothing to judge there.
  ctx.skip(CheckId::util_cancel_unknown_ignored,
           "not applicable to protocol version 2026-07-28 over Streamable HTTP (closing the response stream "
           "cancels a request; clients send no notifications/cancelled)");
  notification_http(ctx);
}

}  // namespace

std::vector<Step> modern_notification_steps() {
  return {{"notifications",
           modern_notifications,
           {CheckId::jsonrpc_notification_no_response, CheckId::util_cancel_unknown_ignored}}};
}

}  // namespace mcp_probe::checks
