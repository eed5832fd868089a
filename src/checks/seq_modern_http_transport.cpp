// The rows of REQUIREMENTS.md group 4 (Streamable HTTP) that the 2026-07-28 text still states, in
// the 2026-07-28 pass: the handshake era's probes (seq_http.cpp) with modern requests, judged by
// docs/2026-07-28/basic/transports/streamable-http.mdx.

#include <algorithm>

#include "http_probe.h"
#include "mcp_probe/protocol/modern.h"
#include "sequences.h"

namespace mcp_probe::checks {

namespace {

using transport::HeaderChoice;
using transport::HttpResponse;
using transport::PostOptions;

// http.post.notification-202, docs/2026-07-28/basic/transports/streamable-http.mdx: «If the
// server accepts it, the server MUST return HTTP status code 202 Accepted with no body. If the
// server cannot accept it, it MUST return an HTTP error status code (e.g., 400 Bad Request).»
// (No client notification of the core protocol travels over HTTP in 2026-07-28, so refusing one
// is right too.)
void post_notification(Context& ctx) {
  const CheckId id = CheckId::http_post_notification_202;
  if (!ctx.wants(id)) return;
  Json m = modern_message(ctx, "notifications/mcp-probe-unknown", Json::object(), false);
  auto r = modern_post(ctx, m, modern_options(m));
  if (r && r->status == 202 && r->body.empty()) {
    ctx.pass(id);
  } else if (r && r->status >= 400) {
    ctx.pass(id,
             "note: HTTP " + std::to_string(r->status) + " (the server does not accept the notification)");
  } else {
    ctx.violation(id, "a POSTed notification got " + status_text(r),
                  {"202 Accepted with no body (or an HTTP error status when not accepted)", status_text(r),
                   trace_refs(r)});
  }
}

// http.post.request-content-type, docs/2026-07-28/basic/transports/streamable-http.mdx: «If the
// body is a JSON-RPC request, the server MUST return either Content-Type: application/json (a
// single JSON object) or Content-Type: text/event-stream (an SSE response stream).»
void request_content_type(Context& ctx) {
  const CheckId id = CheckId::http_post_request_content_type;
  if (!ctx.wants(id)) return;
  for (const char* method : {"server/discover", "tools/list"}) {
    Json m = modern_message(ctx, method);
    auto r = modern_post(ctx, m, modern_options(m));
    if (!r) {
      ctx.violation(id, std::string("POST ") + method + " failed", {"a response", r.error().message});
      continue;
    }
    const std::string type = media_type(r->content_type);
    if (r->status == 202) {
      ctx.violation(id, std::string("a request (") + method + ") got 202 Accepted",
                    {"application/json or text/event-stream", status_text(r), r->trace_ids});
    } else if (type != "application/json" && type != "text/event-stream") {
      ctx.violation(id,
                    std::string("the answer to ") + method + " has Content-Type \"" + r->content_type + "\"",
                    {"application/json or text/event-stream", "\"" + r->content_type + "\"", r->trace_ids});
    } else {
      ctx.pass(id);
    }
    // http.post.json-single-response, the same sentence: «(a single JSON object)».
    if (type == "application/json" && r->status == 200 &&
        ctx.wants(CheckId::http_post_json_single_response)) {
      auto body = json::parse(r->body);
      if (body && body->is_object() && protocol::same_id(member(*body, "id"), m["id"]) &&
          (body->contains("result") || body->contains("error"))) {
        ctx.pass(CheckId::http_post_json_single_response);
      } else {
        ctx.violation(
            CheckId::http_post_json_single_response,
            std::string("the JSON body is not the one response to ") + method,
            {"one JSON-RPC response with id " + json::dump(m["id"]), brief_raw(r->body, 160), r->trace_ids});
      }
    }
  }
  // Unless a JSON answer decided it above.
  ctx.skip(CheckId::http_post_json_single_response,
           "the server answers requests with SSE: no JSON body to judge");
}

// http.sse.response-delivered, docs/2026-07-28/basic/transports/streamable-http.mdx: «The final
// JSON-RPC response SHOULD terminate the stream.» (2026-07-28 streams are not resumable: a stream
// that ends before its response has no way on.)
void sse_response_delivered(Context& ctx) {
  const CheckId id = CheckId::http_sse_response_delivered;
  if (!ctx.wants(id)) return;
  Json m = modern_message(ctx, "tools/list");
  PostOptions o = modern_options(m);
  o.stop_at_response = false;
  // A second after the response is enough to see the stream end.
  const auto wait = util::Millis(std::min<long long>(ctx.timeout().count(), 1000) + 1000);
  auto r = ctx.http()->exchange(o, json::dump(m), util::Deadline::after(wait));
  if (!r) {
    ctx.error(id, "tools/list could not be sent: " + r.error().message);
    return;
  }
  if (!r->sse) {
    ctx.skip(id, "the server answers requests with application/json, not SSE");
    return;
  }
  const bool answered = answer_of(*r, m).has_value();
  if (answered && r->end == transport::HttpEnd::deadline) {
    ctx.violation(id, "the SSE stream stayed open after the response",
                  {"the stream ends after the response", "still open 1 s later", r->trace_ids});
  } else if (!answered && r->end == transport::HttpEnd::complete) {
    ctx.violation(id, "the SSE stream ended without the response",
                  {"the response, then the end of the stream", brief_raw(r->body, 160), r->trace_ids});
  } else if (!answered) {
    ctx.error(id, "no response to tools/list on its SSE stream within " +
                      std::to_string(wait.count() / 1000) + " s");
  } else {
    ctx.pass(id);
  }
}

// http.origin.invalid-403, docs/2026-07-28/basic/transports/streamable-http.mdx: «If the Origin
// header is present and invalid, servers MUST respond with HTTP 403 Forbidden.» The request after
// the refusal, on the same connection, shows whether its body was read
// (http.keepalive.body-drained).
void origin(Context& ctx) {
  const CheckId id = CheckId::http_origin_invalid_403;
  bool refused = false;
  if (ctx.wants(id) && ctx.options().allow_origin == "*") {
    ctx.skip(id, "not checked: --allow-origin '*' says the server deliberately accepts any Origin");
  } else if (ctx.wants(id)) {
    Json m = modern_message(ctx, "server/discover");
    PostOptions o = modern_options(m);
    o.extra_headers.emplace_back("Origin", ctx.options().foreign_origin);
    auto r = modern_post(ctx, m, o);
    refused = r && r->status >= 400 && r->status < 500;
    if (r && r->status == 403) {
      ctx.pass(id);
    } else {
      ctx.violation(id, "a request with Origin " + ctx.options().foreign_origin + " was not refused with 403",
                    {"403 Forbidden", status_text(r), trace_refs(r)});
    }
  }
  // Every probe of this pass went without an Origin header, as non-browser clients do (a server
  // that refuses those fails at connect: seq_connect.cpp diagnoses it).
  ctx.pass(CheckId::http_origin_absent_accepted);
  if (!refused || !ctx.wants(CheckId::http_keepalive_body_drained)) return;
  const std::string& allow = ctx.options().allow_origin;
  Json m = modern_message(ctx, "server/discover");
  PostOptions o = modern_options(m);
  o.extra_headers.emplace_back("Origin", allow.empty() ? local_origin(ctx.http()->url()) : allow);
  // Only what it records matters here: the answer itself is the next request's business.
  (void)exchange_after_refusal(ctx, *ctx.http(), o, json::dump(m),
                               "a request refused for its Origin " + ctx.options().foreign_origin);
}

// http.accept.negotiation and http.health.endpoint: informational, as in the handshake era.
void http_facts(Context& ctx) {
  if (ctx.wants(CheckId::http_accept_negotiation)) {
    std::string notes;
    for (const char* accept : {"application/json", ""}) {
      Json m = modern_message(ctx, "tools/list");
      PostOptions o = modern_options(m);
      o.accept = *accept ? HeaderChoice::with(accept) : HeaderChoice::omit();
      auto r = modern_post(ctx, m, o);
      notes += std::string(notes.empty() ? "" : "; ") + (*accept ? "Accept: application/json" : "no Accept") +
               " -> " + status_text(r);
    }
    ctx.info(CheckId::http_accept_negotiation, notes);
  }
  probe_health(ctx, *ctx.http());
}

}  // namespace

std::vector<Step> modern_transport_steps() {
  return {
      {"POST notification", post_notification, {CheckId::http_post_notification_202}},
      {"POST content types",
       request_content_type,
       {CheckId::http_post_request_content_type, CheckId::http_post_json_single_response}},
      {"SSE response end", sse_response_delivered, {CheckId::http_sse_response_delivered}},
      {"Origin",
       origin,
       {CheckId::http_origin_invalid_403, CheckId::http_origin_absent_accepted,
        CheckId::http_keepalive_body_drained}},
      {"HTTP facts", http_facts, {CheckId::http_accept_negotiation, CheckId::http_health_endpoint}},
      {"bind address", probe_bind, {CheckId::http_bind_localhost}},
  };
}

}  // namespace mcp_probe::checks
