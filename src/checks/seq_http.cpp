// Streamable HTTP probes: status codes, content types, SSE streams, sessions, protocol-version
// header, Origin and CORS. Destructive probes use their own sessions.

#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "http_probe.h"
#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/transport/http.h"
#include "mcp_probe/util/listeners.h"
#include "mcp_probe/util/strings.h"
#include "sequences.h"

namespace mcp_probe::checks {

namespace {

using transport::HeaderChoice;
using transport::HttpResponse;
using transport::PostOptions;

}  // namespace

// The media type without parameters, lower-case, blanks dropped ("Application/JSON ; x" ->
// "application/json").
std::string media_type(const std::string& content_type) {
  std::string out;
  for (char c : util::to_lower(std::string_view(content_type).substr(0, content_type.find(';')))) {
    if (c != ' ' && c != '\t') out += c;
  }
  return out;
}

std::string status_text(const util::Expected<HttpResponse>& r) {
  if (!r) return r.error().message;
  std::string s = "HTTP " + std::to_string(r->status);
  if (!r->content_type.empty()) s += " " + r->content_type;
  if (!r->body.empty() && !r->sse) s += " " + brief_raw(r->body, 120);
  return s;
}

namespace {

std::vector<std::uint64_t> refs(const util::Expected<HttpResponse>& r) {
  return r ? r->trace_ids : std::vector<std::uint64_t>{};
}

std::string request(Context& ctx, const std::string& method, const Json& params = Json::object()) {
  Json m = {{"jsonrpc", "2.0"}, {"id", ctx.session().next_id()}, {"method", method}};
  if (!params.is_null()) m["params"] = params;
  return json::dump(m);
}

std::string fake_session_id() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  char buf[40];
  std::snprintf(
      buf, sizeof buf, "%08llx-%04llx-4%03llx-a%03llx-%012llx",
      static_cast<unsigned long long>(gen() & 0xffffffff), static_cast<unsigned long long>(gen() & 0xffff),
      static_cast<unsigned long long>(gen() & 0xfff), static_cast<unsigned long long>(gen() & 0xfff),
      static_cast<unsigned long long>(gen() & 0xffffffffffffULL));
  return buf;
}

}  // namespace

std::string origin_of(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto path = url.find('/', scheme + 3);
  return url.substr(0, path);
}

// A localhost origin with the target's port, as a browser page served locally would send.
std::string local_origin(const std::string& url) {
  std::string origin = origin_of(url);
  auto host_start = origin.find("://") + 3;
  auto colon = origin.find(':', host_start);
  std::string port = colon == std::string::npos ? "" : origin.substr(colon);
  return "http://localhost" + port;
}

namespace {

void probe_post_statuses(Context& ctx) {
  auto* http = ctx.http();
  auto deadline = [&] { return ctx.request_deadline(); };
  if (ctx.wants(CheckId::http_post_notification_202)) {
    for (
        const char* body :
        {R"({"jsonrpc":"2.0","method":"notifications/mcp-probe-unknown"})",
         R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"mcp-probe-never"}})"}) {
      auto r = http->exchange(PostOptions{}, body, deadline());
      if (r && r->status == 202 && r->body.empty()) {
        ctx.pass(CheckId::http_post_notification_202);
      } else {
        ctx.violation(CheckId::http_post_notification_202,
                      "a POSTed notification did not get 202 with an empty body",
                      {"202 Accepted, no body", status_text(r), refs(r)});
      }
    }
  }
  if (ctx.wants(CheckId::http_post_response_202)) {
    auto r = http->exchange(PostOptions{}, R"({"jsonrpc":"2.0","id":"mcp-probe-unknown-id","result":{}})",
                            deadline());
    if (r && (r->status == 202 && r->body.empty())) {
      ctx.pass(CheckId::http_post_response_202);
    } else if (r && r->status >= 400 && r->status < 500) {
      ctx.pass(CheckId::http_post_response_202,
               "note: HTTP " + std::to_string(r->status) + " (the server cannot accept this response)");
    } else {
      ctx.violation(CheckId::http_post_response_202, "a POSTed JSON-RPC response did not get 202 (or a 4xx)",
                    {"202 Accepted with no body, or a 4xx", status_text(r), refs(r)});
    }
  }
  for (const char* method : {"ping", "tools/list"}) {
    long long id = ctx.session().next_id();
    Json m = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", Json::object()}};
    auto r = http->exchange(PostOptions{}, json::dump(m), deadline());
    if (!r) {
      ctx.violation(CheckId::http_post_request_content_type, std::string("POST ") + method + " failed",
                    {"a response", r.error().message});
      continue;
    }
    std::string type = media_type(r->content_type);
    if (r->status == 202) {
      ctx.violation(CheckId::http_post_request_content_type,
                    std::string("a request (") + method + ") got 202 Accepted",
                    {"200 with application/json or text/event-stream", status_text(r), refs(r)});
      continue;
    }
    if (type != "application/json" && type != "text/event-stream") {
      ctx.violation(CheckId::http_post_request_content_type,
                    std::string("the answer to ") + method + " has Content-Type \"" + r->content_type + "\"",
                    {"application/json or text/event-stream", "\"" + r->content_type + "\"", refs(r)});
    } else {
      ctx.pass(CheckId::http_post_request_content_type);
    }
    if (type == "application/json" && ctx.wants(CheckId::http_post_json_single_response)) {
      auto body = json::parse(r->body);
      bool ok = body && body->is_object() && body->contains("id") &&
                protocol::same_id((*body)["id"], Json(id)) &&
                (body->contains("result") || body->contains("error"));
      if (ok)
        ctx.pass(CheckId::http_post_json_single_response);
      else
        ctx.violation(
            CheckId::http_post_json_single_response,
            "the JSON body is not the one response to the POSTed request",
            {"one JSON-RPC response with id " + std::to_string(id), brief_raw(r->body, 160), refs(r)});
    }
  }
}

void probe_sse_stream(Context& ctx) {
  auto* http = ctx.http();
  long long id = ctx.session().next_id();
  Json m = {{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/list"}, {"params", Json::object()}};
  PostOptions o;
  o.stop_at_response = false;
  auto r = http->exchange(
      o, json::dump(m),
      util::Deadline::after(util::Millis(std::min<long long>(ctx.timeout().count(), 1000) + 1000)));
  if (!r || media_type(r->content_type) != "text/event-stream") {
    for (CheckId c : {CheckId::http_sse_response_delivered, CheckId::http_sse_priming_event,
                      CheckId::http_sse_retry_before_close}) {
      ctx.skip(c, "the server answers requests with application/json, not SSE");
    }
    return;
  }
  bool has_response = false, any_id = false, any_retry = false;
  for (const auto& e : r->events) {
    any_id = any_id || e.id_seen;
    any_retry = any_retry || e.retry.has_value();
    auto j = json::parse(e.data);
    if (j && j->is_object() && j->contains("id") && protocol::same_id((*j)["id"], Json(id)))
      has_response = true;
  }
  if (has_response && r->end == transport::HttpEnd::deadline) {
    ctx.violation(CheckId::http_sse_response_delivered, "the SSE stream stayed open after the response",
                  {"the stream ends after the response", "still open 1 s later", r->trace_ids});
  } else if (!has_response && !any_id) {
    ctx.violation(CheckId::http_sse_response_delivered,
                  "the SSE stream ended without the response and without an event id",
                  {"the response, or an id to resume from", brief_raw(r->body, 160), r->trace_ids});
  } else {
    ctx.pass(CheckId::http_sse_response_delivered);
  }
  if (ctx.wants(CheckId::http_sse_priming_event)) {
    if (r->events.empty()) {
      ctx.violation(CheckId::http_sse_priming_event, "the SSE stream has no events",
                    {"a priming event (id, empty data)", "none", r->trace_ids});
    } else if (r->events.front().id_seen && r->events.front().data.empty()) {
      ctx.pass(CheckId::http_sse_priming_event);
    } else {
      ctx.violation(CheckId::http_sse_priming_event, "the first SSE event is not a priming event",
                    {"id: <id> with empty data first",
                     "event with data \"" + brief_raw(r->events.front().data, 80) + "\"", r->trace_ids});
    }
  }
  if (ctx.wants(CheckId::http_sse_retry_before_close)) {
    if (has_response)
      ctx.skip(CheckId::http_sse_retry_before_close,
               "the server did not close the stream before the response");
    else if (any_retry)
      ctx.pass(CheckId::http_sse_retry_before_close);
    else
      ctx.violation(CheckId::http_sse_retry_before_close,
                    "the stream closed before the response without a retry field",
                    {"retry: <ms> before closing", "no retry field", r->trace_ids});
  }
}

// http.streams.no-broadcast: with the GET stream open, no message (by its canonical JSON) may
// arrive on both it and a POST response.
void check_no_broadcast(Context& ctx, const protocol::Exchange& first, const Barrier& barrier) {
  if (!ctx.wants(CheckId::http_streams_no_broadcast)) return;
  std::map<std::string, std::pair<std::set<std::string>, std::vector<std::uint64_t>>> seen;
  auto note = [&](const protocol::Received& r) {
    if (!r.json) return;
    auto& entry = seen[json::dump(*r.json)];
    entry.first.insert(r.wire.origin == transport::Origin::get_sse ? "GET" : "POST");
    entry.second.push_back(r.wire.trace_id);
  };
  if (first.reply) note(*first.reply);
  for (const auto& r : first.others) note(r);
  for (const auto& r : barrier.before) note(r);
  // A copy on the GET stream was written before the barrier's reply, but the stream's reader
  // thread may not have queued it yet on a loaded machine: a short bounded wait for it.
  const util::Deadline late = util::Deadline::after(util::Millis(20));
  while (auto more = ctx.session().next(late)) note(*more);
  for (const auto& [text, where] : seen) {
    if (where.first.size() < 2) continue;
    return ctx.violation(CheckId::http_streams_no_broadcast,
                         "the same message arrived on the GET stream and on a POST response",
                         {"each message on one stream", brief_raw(text, 160), where.second});
  }
  ctx.pass(CheckId::http_streams_no_broadcast, std::to_string(seen.size()) + " messages, each on one stream");
}

void probe_get_stream(Context& ctx) {
  if (!ctx.wants(CheckId::http_get_sse_or_405)) return;
  auto* http = ctx.http();
  auto r = http->open_get_stream(util::Deadline::after(util::Millis(5000)));
  if (!r) {
    ctx.violation(CheckId::http_get_sse_or_405, "GET on the endpoint failed",
                  {"text/event-stream or 405", r.error().message});
    return;
  }
  std::string type = media_type(r->content_type);
  if (r->status == 405 || (r->status == 200 && type == "text/event-stream")) {
    ctx.pass(CheckId::http_get_sse_or_405, r->status == 405 ? "405: no standalone stream" : "");
  } else {
    ctx.violation(CheckId::http_get_sse_or_405, "GET with a valid session got " + status_text(r),
                  {"200 text/event-stream, or 405", status_text(r), r->trace_ids});
  }
  if (r->status == 200) {
    // A request while the stream is open lets an unsolicited response or a broadcast show.
    auto first = ctx.session().request("ping");
    Barrier b = ping_barrier(ctx, ctx.session());
    if (first) check_no_broadcast(ctx, *first, b);
    ctx.pass(CheckId::http_get_no_unsolicited_responses);
  }
  http->close_get_stream();
}

void probe_session_ids(Context& ctx) {
  auto* http = ctx.http();
  const std::string& sid = http->session_id();
  if (sid.empty()) {
    for (CheckId c :
         {CheckId::http_session_id_format, CheckId::http_session_missing_400, CheckId::http_session_delete}) {
      ctx.skip(c, "the server issues no Mcp-Session-Id (stateless)");
    }
    return;
  }
  if (ctx.wants(CheckId::http_session_id_format)) {
    bool visible = true;
    for (char c : sid)
      visible = visible && static_cast<unsigned char>(c) >= 0x21 && static_cast<unsigned char>(c) <= 0x7e;
    if (!visible) {
      ctx.fail(CheckId::http_session_id_format, "Mcp-Session-Id has characters outside visible ASCII",
               {"0x21-0x7E only", "\"" + brief_raw(sid, 60) + "\""});
    } else {
      std::set<std::string> ids{sid};
      bool short_id = sid.size() < 16;
      for (int i = 0; i < 4; ++i) {
        auto c = ctx.fresh_connection(ctx.version());
        if (!c) break;
        auto* h = dynamic_cast<transport::HttpTransport*>((*c)->transport.get());
        if (h && !h->session_id().empty()) {
          ids.insert(h->session_id());
          short_id = short_id || h->session_id().size() < 16;
        }
      }
      if (ids.size() < 5)
        ctx.warn(CheckId::http_session_id_format, "session ids repeat across sessions",
                 {"5 distinct ids", std::to_string(ids.size()) + " distinct"});
      else if (short_id)
        ctx.warn(CheckId::http_session_id_format, "session ids are shorter than 16 characters",
                 {">= 16 characters of entropy", "\"" + sid + "\""});
      else
        ctx.pass(CheckId::http_session_id_format);
    }
  }
  if (ctx.wants(CheckId::http_session_missing_400)) {
    PostOptions o;
    o.session_id = HeaderChoice::omit();
    auto r = http->exchange(o, request(ctx, "tools/list"), ctx.request_deadline());
    if (r && r->status == 400)
      ctx.pass(CheckId::http_session_missing_400);
    else
      ctx.violation(CheckId::http_session_missing_400, "a request without Mcp-Session-Id did not get 400",
                    {"400 Bad Request", status_text(r), refs(r)});
  }
  if (ctx.wants(CheckId::http_session_unknown_404)) {
    std::string fake = fake_session_id();
    for (const char* method : {"POST", "GET", "DELETE"}) {
      PostOptions o;
      o.method = method;
      o.session_id = HeaderChoice::with(fake);
      std::string body = std::string(method) == "POST" ? request(ctx, "tools/list") : "";
      auto r = http->exchange(o, body, ctx.request_deadline());
      bool ok = r && (r->status == 404 || (std::string(method) != "POST" && r->status == 405));
      if (ok)
        ctx.pass(CheckId::http_session_unknown_404);
      else
        ctx.violation(CheckId::http_session_unknown_404,
                      std::string(method) + " with an unknown session id did not get 404",
                      {"404 Not Found", status_text(r), refs(r)});
    }
  }
  if (ctx.wants(CheckId::http_session_delete)) {
    auto c = ctx.fresh_connection(ctx.version());
    if (!c) {
      ctx.error(CheckId::http_session_delete, "could not open a session to delete: " + c.error().message);
      return;
    }
    auto* h = dynamic_cast<transport::HttpTransport*>((*c)->transport.get());
    std::string id = h->session_id();
    auto del = h->delete_session(ctx.request_deadline());
    if (del && del->status == 405) {
      ctx.pass(CheckId::http_session_delete, "405: the server does not let clients end sessions");
    } else if (!del) {
      ctx.error(CheckId::http_session_delete,
                "the DELETE of the session got no answer: " + del.error().message);
    } else if (del->status < 200 || del->status >= 300) {
      // The spec has no MUST for the DELETE answer («The server MAY respond to this request with
      // HTTP 405 Method Not Allowed»); a 404 from an endpoint that does not route DELETE is impolite
      // (clients cannot tell it from an unknown session), not a broken rule: WARN.
      ctx.warn(CheckId::http_session_delete,
               "DELETE of the session got " + status_text(del) +
                   " (405 says the server does not let clients end sessions)",
               {"2xx, or 405 Method Not Allowed", status_text(del), refs(del)});
    } else {
      // The MUST part, docs/2025-11-25/basic/transports.mdx: «The server MAY terminate the session
      // at any time, after which it MUST respond to requests containing that session ID with HTTP
      // 404 Not Found.»
      PostOptions o;
      o.session_id = HeaderChoice::with(id);
      auto after = h->exchange(o, request(ctx, "ping"), ctx.request_deadline());
      if (after && after->status == 404)
        ctx.pass(CheckId::http_session_delete);
      else
        ctx.violation(CheckId::http_session_delete, "the deleted session still answers " + status_text(after),
                      {"404 Not Found after DELETE", status_text(after), refs(after)});
    }
  }
}

void probe_protocol_version_header(Context& ctx) {
  auto* http = ctx.http();
  if (ctx.wants(CheckId::http_protocol_version_invalid_400)) {
    for (const char* bad : {"not-a-version", "1900-01-01"}) {
      PostOptions o;
      o.protocol_version = HeaderChoice::with(bad);
      auto r = http->exchange(o, request(ctx, "tools/list"), ctx.request_deadline());
      if (r && r->status == 400)
        ctx.pass(CheckId::http_protocol_version_invalid_400);
      else
        ctx.violation(CheckId::http_protocol_version_invalid_400,
                      std::string("MCP-Protocol-Version: ") + bad + " did not get 400",
                      {"400 Bad Request", status_text(r), refs(r)});
    }
  }
  if (ctx.wants(CheckId::http_protocol_version_absent_default)) {
    PostOptions o;
    o.protocol_version = HeaderChoice::omit();
    auto r = http->exchange(o, request(ctx, "tools/list"), ctx.request_deadline());
    if (r && r->status >= 200 && r->status < 300)
      ctx.pass(CheckId::http_protocol_version_absent_default);
    else
      ctx.violation(CheckId::http_protocol_version_absent_default,
                    "a request without MCP-Protocol-Version was refused",
                    {"served (assume the negotiated version or 2025-03-26)", status_text(r), refs(r)});
  }
}

}  // namespace

// The request after one the server refused goes on the same keep-alive connection. A server that
// refused without reading the body leaves it there, parsed as the start of this request (HTTP 400
// or 501 to a valid one). Sent again on a fresh connection: an answer that now succeeds means the
// connection was poisoned, its own finding (http.keepalive.body-drained), and the check being
// probed is judged on the fresh answer instead of being blamed for the refusal before it.
util::Expected<HttpResponse> exchange_after_refusal(Context& ctx, transport::HttpTransport& http,
                                                    PostOptions o, const std::string& body,
                                                    const std::string& refused) {
  auto r = http.exchange(o, body, ctx.request_deadline());
  // Only a reused connection shows it (a server may close after a refusal; libcurl does not say).
  if (!r || !r->reused_connection) return r;
  if (r->status < 400) {
    ctx.pass(CheckId::http_keepalive_body_drained);
    return r;
  }
  o.fresh_connection = true;
  auto again = http.exchange(o, body, ctx.request_deadline());
  if (!again || again->status >= 400) return r;  // refused either way: nothing shows the connection did it
  std::vector<std::uint64_t> seen = r->trace_ids;
  seen.insert(seen.end(), again->trace_ids.begin(), again->trace_ids.end());
  ctx.violation(
      CheckId::http_keepalive_body_drained,
      "after " + refused + ", the next request on the same connection got HTTP " + std::to_string(r->status) +
          " and on a fresh connection HTTP " + std::to_string(again->status) +
          ": the refused request's body was left unread",
      {"the body read, or Connection: close with the refusal",
       status_text(r) + " on the kept-alive connection, " + status_text(again) + " on a fresh one", seen});
  return again;
}

namespace {

void probe_origin_and_cors(Context& ctx) {
  auto* http = ctx.http();
  Json init = {{"jsonrpc", "2.0"},
               {"id", ctx.session().next_id()},
               {"method", "initialize"},
               {"params",
                {{"protocolVersion", ctx.version()},
                 {"capabilities", Json::object()},
                 {"clientInfo", {{"name", "mcp-probe"}, {"version", MCP_PROBE_VERSION}}}}}};
  bool refused_before = false;  // the foreign-Origin request got a 4xx on a keep-alive connection
  if (ctx.wants(CheckId::http_origin_invalid_403) && ctx.options().allow_origin == "*") {
    ctx.skip(CheckId::http_origin_invalid_403,
             "not checked: --allow-origin '*' says the server deliberately accepts any Origin");
  } else if (ctx.wants(CheckId::http_origin_invalid_403)) {
    PostOptions o;
    o.session_id = HeaderChoice::omit();
    o.protocol_version = HeaderChoice::omit();
    o.extra_headers = {{"Origin", ctx.options().foreign_origin}};
    auto r = http->exchange(o, json::dump(init), ctx.request_deadline());
    refused_before = r && r->status >= 400 && r->status < 500;
    bool exact = protocol::at_least(ctx.version(), "2025-11-25");
    if (r && r->status == 403)
      ctx.pass(CheckId::http_origin_invalid_403);
    else if (r && !exact && r->status >= 400 && r->status < 500)
      ctx.pass(CheckId::http_origin_invalid_403, "HTTP " + std::to_string(r->status));
    else
      ctx.fail(CheckId::http_origin_invalid_403,
               "a request with Origin " + ctx.options().foreign_origin + " was not refused",
               {exact ? "403 Forbidden" : "a 4xx (403 from 2025-11-25)", status_text(r), refs(r)});
  }
  // Every probe so far went without an Origin header, as non-browser clients do.
  ctx.pass(CheckId::http_origin_absent_accepted);
  const std::string& allow = ctx.options().allow_origin;
  std::string origin = allow.empty() || allow == "*" ? local_origin(http->url()) : allow;
  if (!ctx.wants(CheckId::http_cors_preflight) && !ctx.wants(CheckId::http_cors_expose_session_id) &&
      !ctx.wants(CheckId::http_keepalive_body_drained))
    return;
  // CORS is field advice: no MCP spec version mentions it. A finding is INFO (the catalog level)
  // unless the server shows it serves browsers (it answers with Access-Control-Allow-Origin) or
  // --browser says so; then it is a WARN: browser clients cannot connect.
  bool serves_browsers = false;
  auto note_allow_origin = [&](const util::Expected<HttpResponse>& r) {
    if (r && transport::find_header(r->headers, "Access-Control-Allow-Origin")) serves_browsers = true;
  };
  // A POST with a localhost Origin, as a browser client sends its initialize.
  PostOptions post;
  post.session_id = HeaderChoice::omit();
  post.protocol_version = HeaderChoice::omit();
  post.extra_headers = {{"Origin", origin}};
  // It follows the refused foreign-Origin request, on the connection that request used.
  auto posted = refused_before ? exchange_after_refusal(
                                     ctx, *http, post, json::dump(init),
                                     "a request refused for its Origin " + ctx.options().foreign_origin)
                               : http->exchange(post, json::dump(init), ctx.request_deadline());
  note_allow_origin(posted);
  // The preflight a browser sends before it.
  PostOptions o;
  o.method = "OPTIONS";
  o.session_id = HeaderChoice::omit();
  o.protocol_version = HeaderChoice::omit();
  o.accept = HeaderChoice::omit();
  o.content_type = HeaderChoice::omit();
  o.extra_headers = {
      {"Origin", origin},
      {"Access-Control-Request-Method", "POST"},
      {"Access-Control-Request-Headers", "content-type, mcp-session-id, mcp-protocol-version"}};
  auto pre = http->exchange(o, "", ctx.request_deadline());
  note_allow_origin(pre);
  const bool browser = ctx.options().browser || serves_browsers;
  const std::string why =
      ctx.options().browser ? ""
      : serves_browsers     ? " (the server answers with Access-Control-Allow-Origin, so it serves browsers)"
                        : " (INFO: the server sends no Access-Control-Allow-Origin; --browser judges it as "
                          "serving browsers)";
  auto finding = [&](CheckId id, const std::string& message, Evidence evidence) {
    if (browser)
      ctx.warn(id, message + why, std::move(evidence));
    else
      ctx.violation(id, message + why, std::move(evidence));  // the catalog's INFO: a noted pass
  };
  if (ctx.wants(CheckId::http_cors_preflight)) {
    std::string allowed;
    if (pre)
      allowed =
          util::to_lower(transport::find_header(pre->headers, "Access-Control-Allow-Headers").value_or(""));
    bool covers =
        allowed.find('*') != std::string::npos || (allowed.find("content-type") != std::string::npos &&
                                                   allowed.find("mcp-session-id") != std::string::npos &&
                                                   allowed.find("mcp-protocol-version") != std::string::npos);
    if (pre && pre->status >= 200 && pre->status < 300 && covers)
      ctx.pass(CheckId::http_cors_preflight);
    else
      finding(CheckId::http_cors_preflight, "the CORS preflight does not allow MCP's headers",
              {"2xx with Access-Control-Allow-Headers: content-type, mcp-session-id, mcp-protocol-version",
               status_text(pre) +
                   (allowed.empty() ? ", no Access-Control-Allow-Headers" : ", allows \"" + allowed + "\""),
               refs(pre)});
  }
  if (ctx.wants(CheckId::http_cors_expose_session_id)) {
    if (!posted || !transport::find_header(posted->headers, "Mcp-Session-Id")) {
      ctx.skip(CheckId::http_cors_expose_session_id,
               "no session id issued to a request with a localhost Origin");
      return;
    }
    std::string exposed =
        util::to_lower(transport::find_header(posted->headers, "Access-Control-Expose-Headers").value_or(""));
    if (exposed.find("mcp-session-id") != std::string::npos || exposed.find('*') != std::string::npos) {
      ctx.pass(CheckId::http_cors_expose_session_id);
    } else {
      finding(CheckId::http_cors_expose_session_id, "Mcp-Session-Id is not exposed to browser clients",
              {"Access-Control-Expose-Headers: Mcp-Session-Id",
               exposed.empty() ? "no Access-Control-Expose-Headers" : "\"" + exposed + "\"", refs(posted)});
    }
  }
}

void probe_info(Context& ctx) {
  auto* http = ctx.http();
  if (ctx.wants(CheckId::http_accept_negotiation)) {
    std::string notes;
    for (const char* accept : {"application/json", ""}) {
      PostOptions o;
      o.accept = *accept ? HeaderChoice::with(accept) : HeaderChoice::omit();
      auto r = http->exchange(o, request(ctx, "ping"), ctx.request_deadline());
      notes += std::string(notes.empty() ? "" : "; ") + (*accept ? "Accept: application/json" : "no Accept") +
               " -> " + status_text(r);
    }
    ctx.info(CheckId::http_accept_negotiation, notes);
  }
  probe_health(ctx, *http);
}

}  // namespace

void probe_health(Context& ctx, transport::HttpTransport& http) {
  if (!ctx.wants(CheckId::http_health_endpoint)) return;
  std::string found;
  for (const char* path : {"/health", "/healthz"}) {
    transport::HttpTransportOptions ho;
    ho.url = origin_of(http.url()) + path;
    ho.tracer = &ctx.tracer();
    transport::HttpTransport probe(ho);
    PostOptions o;
    o.method = "GET";
    o.accept = HeaderChoice::omit();
    auto r = probe.exchange(o, "", ctx.request_deadline());
    if (r && r->status == 200) {
      found = path;
      break;
    }
  }
  ctx.info(CheckId::http_health_endpoint,
           found.empty() ? "no /health or /healthz endpoint" : "GET " + found + " answers 200");
}

// http.bind.localhost: a server reached on this machine's loopback should listen on loopback
// only. Read from the kernel's socket tables: no traffic to any other address.
void probe_bind(Context& ctx) {
  CheckId id = CheckId::http_bind_localhost;
  if (!ctx.wants(id)) return;
  const std::string hp = transport::url_host_port(ctx.target().url);
  const std::string host = hp.substr(0, hp.rfind(':'));
  const int port = std::atoi(hp.c_str() + hp.rfind(':') + 1);
  const bool loopback = host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
  if (!loopback) return ctx.skip(id, "the server is not reached over this machine's loopback");
  const std::string expected = "127.0.0.1:" + std::to_string(port);
  std::optional<util::TcpListeners> netlink = util::tcp_listeners_netlink(port);
  if (netlink && netlink->any && netlink->wildcard) {
    return ctx.violation(id, "the server listens on all interfaces, not only on localhost",
                         {expected, "0.0.0.0 or [::] port " + std::to_string(port), {}});
  }
  if (netlink && netlink->any)
    return ctx.pass(id, "port " + std::to_string(port) + " listens on loopback only");
  // The kernel answered over netlink that nothing listens, or /proc is the only way to ask.
  std::vector<std::string> listening =
      netlink ? std::vector<std::string>{} : util::tcp_listen_addresses(port);
  if (listening.empty()) {
    return ctx.skip(id, "no socket listening on port " + std::to_string(port) +
                            " in this network namespace (a container or a forwarded port?)");
  }
  for (const std::string& address : listening) {
    if (address.find_first_not_of('0') != std::string::npos) continue;
    std::string all = address.size() > 8 ? "[::]" : "0.0.0.0";
    return ctx.violation(id, "the server listens on all interfaces, not only on localhost",
                         {expected, all + ":" + std::to_string(port), {}});
  }
  ctx.pass(id, "port " + std::to_string(port) + " listens on loopback only");
}

std::vector<Step> http_steps() {
  auto only_http = [](void (*f)(Context&)) {
    return [f](Context& ctx) {
      if (ctx.http() != nullptr) f(ctx);
    };
  };
  return {
      {"POST statuses",
       only_http(probe_post_statuses),
       {CheckId::http_post_notification_202, CheckId::http_post_response_202,
        CheckId::http_post_request_content_type, CheckId::http_post_json_single_response}},
      {"SSE responses",
       only_http(probe_sse_stream),
       {CheckId::http_sse_response_delivered, CheckId::http_sse_priming_event,
        CheckId::http_sse_retry_before_close}},
      {"GET stream",
       only_http(probe_get_stream),
       {CheckId::http_get_sse_or_405, CheckId::http_get_no_unsolicited_responses,
        CheckId::http_streams_no_broadcast}},
      {"sessions",
       only_http(probe_session_ids),
       {CheckId::http_session_id_format, CheckId::http_session_missing_400, CheckId::http_session_unknown_404,
        CheckId::http_session_delete}},
      {"MCP-Protocol-Version",
       only_http(probe_protocol_version_header),
       {CheckId::http_protocol_version_invalid_400, CheckId::http_protocol_version_absent_default}},
      {"Origin and CORS",
       only_http(probe_origin_and_cors),
       {CheckId::http_origin_invalid_403, CheckId::http_origin_absent_accepted, CheckId::http_cors_preflight,
        CheckId::http_cors_expose_session_id, CheckId::http_keepalive_body_drained}},
      {"HTTP facts",
       only_http(probe_info),
       {CheckId::http_accept_negotiation, CheckId::http_health_endpoint}},
      {"bind address", only_http(probe_bind), {CheckId::http_bind_localhost}},
  };
}

}  // namespace mcp_probe::checks
