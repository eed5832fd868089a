
#include "mcp_probe/protocol/modern.h"
#include "mcp_probe/protocol/mrtr.h"
#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/transport/http.h"
#include "mcp_probe/transport/legacy_sse.h"
#include "mcp_probe/transport/stdio.h"
#include "mcp_probe/util/strings.h"
#include "passive.h"
#include "sequences.h"

namespace mcp_probe::checks {

using util::icontains;

CheckId classify_connect_failure(const util::Error& e, bool stdio) {
  if (stdio) {
    if (e.kind == util::ErrorKind::spawn || e.kind == util::ErrorKind::closed) return CheckId::stdio_spawn;
    return CheckId::connectivity_initialize;
  }
  if (icontains(e.message, "resolve")) return CheckId::connectivity_resolve;
  if (icontains(e.message, "tls") || icontains(e.message, "certificate") || icontains(e.message, "ssl")) {
    return CheckId::connectivity_tls;
  }
  if (icontains(e.message, "refused") || icontains(e.message, "connect"))
    return CheckId::connectivity_connect;
  if (e.kind == util::ErrorKind::timeout) return CheckId::connectivity_initialize;
  return CheckId::connectivity_http_endpoint;
}

namespace {

void check_init_result(Context& ctx, const protocol::InitializeOutcome& init) {
  const Json& r = init.result;
  std::vector<std::uint64_t> refs;
  if (init.exchange.reply) refs.push_back(init.exchange.reply->wire.trace_id);
  std::string problem;
  if (!r.contains("protocolVersion") || !r["protocolVersion"].is_string())
    problem = "protocolVersion is missing";
  else if (!r.contains("capabilities") || !r["capabilities"].is_object())
    problem = "capabilities is missing";
  else if (!r.contains("serverInfo") || !r["serverInfo"].is_object() || !r["serverInfo"].contains("name") ||
           !r["serverInfo"].contains("version")) {
    problem = "serverInfo {name, version} is missing";
  } else {
    for (const auto& [name, value] : r["capabilities"].items()) {
      if (!value.is_object()) problem = "capabilities." + name + " is " + brief(value) + ", not an object";
    }
  }
  if (!problem.empty()) {
    ctx.violation(
        CheckId::lifecycle_init_result_shape, "the InitializeResult is malformed: " + problem,
        {"protocolVersion, capabilities (objects) and serverInfo{name,version}", brief(r, 240), refs});
    return;
  }
  std::string version =
      protocol::is_known_version(init.protocol_version) ? init.protocol_version : ctx.version();
  if (validate_schema(ctx, version, "InitializeResult", r, "initialize result", refs)) {
    ctx.pass(CheckId::lifecycle_init_result_shape);
  } else {
    ctx.violation(CheckId::lifecycle_init_result_shape, "the InitializeResult does not match the schema",
                  {"InitializeResult", brief(r, 240), refs});
  }
}

// The initialize request the diagnoses send, as the main connection did.
Json initialize_message(const std::string& version) {
  return {{"jsonrpc", "2.0"},
          {"id", 1},
          {"method", "initialize"},
          {"params",
           {{"protocolVersion", version},
            {"capabilities", Json::object()},
            {"clientInfo", {{"name", "mcp-probe"}, {"version", MCP_PROBE_VERSION}}}}}};
}

// server/discover as the modern connection sent it (id 1), with its headers.
Json discover_message(const std::string& version) {
  return {{"jsonrpc", "2.0"},
          {"id", 1},
          {"method", "server/discover"},
          {"params",
           protocol::with_modern_meta(Json::object(), protocol::ModernProfile{version, Json::object()})}};
}

// The connection failed over HTTP: look at the first exchange itself (`request`, id 1: initialize,
// or server/discover with the modern headers in `base`), so the report says which rule the server
// broke instead of only "no answer".
void diagnose_http(Context& ctx, const Json& request, const transport::PostOptions& base) {
  const protocol::Target& o = ctx.target();
  const std::string method = str(request, "method");
  transport::HttpTransport http(protocol::http_options(ctx.target(), ctx.tracer()));
  auto r = http.exchange(base, json::dump(request), ctx.request_deadline());
  if (!r || r->status == 0) return;
  std::string type =
      util::to_lower(util::trim(std::string_view(r->content_type).substr(0, r->content_type.find(';'))));
  if (r->status >= 200 && r->status < 300) {
    if (type != "application/json" && type != "text/event-stream") {
      ctx.fail(CheckId::http_post_request_content_type,
               method + " was answered with Content-Type \"" + r->content_type + "\"",
               {"application/json or text/event-stream", "\"" + r->content_type + "\"", r->trace_ids});
    } else if (type == "application/json") {
      auto body = json::parse(r->body);
      if (!body || !body->is_object() || !protocol::same_id(member(*body, "id"), Json(1))) {
        ctx.fail(CheckId::http_post_json_single_response,
                 "the JSON answer to " + method + " is not its response",
                 {"one JSON-RPC response with id 1", brief_raw(r->body, 160), r->trace_ids});
      }
    }
  }
  if (r->status == 403 || r->status == 400) {
    // Refused without an Origin: would a browser's Origin have been let in?
    transport::PostOptions with_origin = base;
    std::string origin = o.url.substr(0, o.url.find('/', o.url.find("://") + 3));
    auto host = origin.find("://") + 3;
    auto colon = origin.find(':', host);
    with_origin.extra_headers.emplace_back(
        "Origin", "http://localhost" + (colon == std::string::npos ? "" : origin.substr(colon)));
    auto again = http.exchange(with_origin, json::dump(request), ctx.request_deadline());
    if (again && again->status >= 200 && again->status < 300) {
      ctx.violation(
          CheckId::http_origin_absent_accepted,
          "requests without an Origin header are refused with HTTP " + std::to_string(r->status),
          {"served: non-browser clients send no Origin", "HTTP " + std::to_string(r->status), r->trace_ids});
    }
  }
}

// The connection failed over legacy HTTP+SSE: did the answer come in the POST body?
void diagnose_sse(Context& ctx, const std::string& version) {
  transport::LegacySseTransport sse(protocol::sse_options(ctx.target(), ctx.tracer()));
  if (!sse.connect(ctx.request_deadline())) return;
  transport::HttpTransportOptions ho;
  ho.url = sse.endpoint_url();
  ho.tracer = &ctx.tracer();
  transport::HttpTransport post(ho);
  Json init = initialize_message(version);
  auto r = post.exchange(transport::PostOptions{}, json::dump(init), ctx.request_deadline());
  if (!r) return;
  auto body = json::parse(r->body);
  if (r->status < 200 || r->status >= 300) {
    ctx.fail(CheckId::sse_post_roundtrip,
             "POST initialize to the endpoint got HTTP " + std::to_string(r->status),
             {"2xx (usually 202), the response on the SSE stream", "HTTP " + std::to_string(r->status),
              r->trace_ids});
  } else if (body && body->is_object() && (body->contains("result") || body->contains("error"))) {
    ctx.fail(CheckId::sse_post_roundtrip, "the response came in the POST body instead of on the SSE stream",
             {"202 and the response as an SSE `message` event", brief_raw(r->body, 160), r->trace_ids});
  }
  sse.close();
}

}  // namespace

namespace {

std::optional<transport::TransportKind> kind_of(const std::string& name) {
  if (name == "stdio") return transport::TransportKind::stdio;
  if (name == "http") return transport::TransportKind::http;
  if (name == "sse") return transport::TransportKind::sse;
  return std::nullopt;  // auto: decided by the connection
}

std::string seconds_text(util::Millis ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

// HTTP 401: the endpoint is there and wants credentials. Not the server's fault, and not a
// hang: the probe says so and how to give a token (authorization probes come later).
bool record_unauthorized(Context& ctx, const util::Error& error) {
  const auto at = error.message.find("answered HTTP 401: ");
  if (at == std::string::npos) return false;
  const std::string why = error.message.substr(at + std::string("answered HTTP ").size());
  ctx.error(CheckId::connectivity_initialize,
            why + "; give a token with --bearer TOKEN (or --header 'Authorization: ...')");
  for (CheckId reached : {CheckId::connectivity_resolve, CheckId::connectivity_connect,
                          CheckId::connectivity_tls, CheckId::connectivity_http_endpoint}) {
    if (reached == CheckId::connectivity_tls && ctx.target().url.rfind("https:", 0) != 0) continue;
    ctx.pass(reached);
  }
  return true;
}

// The connection could not be opened or initialized: record which step failed, and that the
// ones before it evidently worked. `answered_not_modern`: the server answered, but not in the
// modern era that was pinned (a failed server/discover rather than a connectivity problem).
void record_connect_failure(Context& ctx, const util::Error& error, const std::string& version,
                            bool answered_not_modern = false) {
  const protocol::Target& o = ctx.target();
  bool stdio = !o.command.empty();
  if (!stdio && !answered_not_modern && record_unauthorized(ctx, error)) return;
  CheckId id =
      answered_not_modern ? CheckId::modern_discover_implemented : classify_connect_failure(error, stdio);
  std::string message = error.message;
  // Say which deadline expired and how to raise it: a slow start (npx downloads, a JVM) is not
  // a hang.
  const bool init_timeout = !answered_not_modern && error.kind == util::ErrorKind::timeout &&
                            id == CheckId::connectivity_initialize;
  if (init_timeout) {
    message += " (the connect timeout, " + seconds_text(o.connect_timeout) +
               ", expired: a server that starts slowly needs a longer --connect-timeout)";
  }
  ctx.fail(id, message,
           {stdio ? "the server starts and answers initialize" : "an MCP endpoint answers", error.message});
  if (answered_not_modern) {
    if (stdio) ctx.pass(CheckId::stdio_spawn);
    id = CheckId::connectivity_initialize;  // every network step before it worked
  } else if (id != CheckId::connectivity_initialize && id != CheckId::stdio_spawn) {
    ctx.error(CheckId::connectivity_initialize, "not reached: " + error.message);
  }
  if (!stdio) {
    for (CheckId earlier : {CheckId::connectivity_resolve, CheckId::connectivity_connect,
                            CheckId::connectivity_tls, CheckId::connectivity_http_endpoint}) {
      if (earlier == id) break;
      if (earlier == CheckId::connectivity_tls && o.url.rfind("https:", 0) != 0) continue;
      ctx.pass(earlier);
    }
  } else if (init_timeout) {
    // The process started, but without an answer to initialize nobody can tell whether it
    // would have stayed up: not a pass.
    ctx.error(CheckId::stdio_spawn, "not decided: the process started and was still running after " +
                                        seconds_text(o.connect_timeout) + ", but initialize got no answer");
  } else if (id != CheckId::stdio_spawn) {
    ctx.pass(CheckId::stdio_spawn);  // it answered initialize, with an error
  }
  if (answered_not_modern) {
    // 2026-07-28 states the same content type, single JSON response and Origin rules.
    if (!stdio && o.transport != "sse") {
      const Json discover = discover_message(version);
      transport::PostOptions modern;
      modern.extra_headers = protocol::modern_headers(discover);
      diagnose_http(ctx, discover, modern);
    }
    return;
  }
  if (!stdio && (o.transport == "sse" || error.message.find("legacy") != std::string::npos)) {
    diagnose_sse(ctx, version);
  } else if (!stdio) {
    diagnose_http(ctx, initialize_message(version), {});
  }
}

// The connectivity rows a context records for a connection that was opened.
void record_connected(Context& ctx, const protocol::Connection& conn, const char* what) {
  const protocol::Target& o = ctx.target();
  if (o.command.empty()) {
    ctx.pass(CheckId::connectivity_resolve);
    ctx.pass(CheckId::connectivity_connect);
    if (o.url.rfind("https:", 0) == 0) ctx.pass(CheckId::connectivity_tls);
    ctx.pass(CheckId::connectivity_http_endpoint);
    bool legacy = ctx.transport_kind() == transport::TransportKind::sse;
    ctx.info(CheckId::connectivity_transport_detected,
             legacy ? "using sse (legacy HTTP+SSE, 2024-11-05)" : "using http (Streamable HTTP)");
    return;
  }
  ctx.pass(CheckId::stdio_spawn);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.0f ms from spawn to the %s response", conn.connect_ms, what);
  ctx.info(CheckId::stdio_startup_latency, buf);
}

// The modern side of the run: `mctx` speaks 2026-07-28 on `conn` (no initialize).
void set_modern_main(Context& mctx, std::unique_ptr<protocol::Connection> conn) {
  // From here on the session declares what --client-capabilities names and answers the input
  // requests of those capabilities (the discover probe declared none).
  const std::string version = conn->session->modern() ? conn->session->modern()->version : mctx.version();
  conn->session->set_modern(protocol::ModernProfile{
      version, protocol::client_capabilities_for(mctx.options().client_capabilities), true});
  mctx.set_transport_kind(kind_of(conn->transport_used));
  mctx.facts().connect_ms = conn->connect_ms;
  record_connected(mctx, *conn, "server/discover");
  mctx.set_main(std::move(conn));
}

// modern.era.detected: what each era probe got.
void record_era(Context& ctx, const protocol::Connection& conn, protocol::EraPlan plan) {
  if (plan != protocol::EraPlan::detect) {
    ctx.info(CheckId::modern_era_detected, "not probed: the protocol version was pinned to " + ctx.version());
    return;
  }
  const protocol::EraProbe& p = conn.probe;
  ctx.info(CheckId::modern_era_detected,
           std::string(protocol::to_string(conn.era)) + ": server/discover got " + p.discover_said +
               "; initialize got " + (p.initialize_said.empty() ? "no answer" : p.initialize_said));
}

}  // namespace

// notifications/initialized was sent by connect(); a ping shows it was taken without a reply.
void check_initialized_accepted(Context& ctx, protocol::Session& session) {
  Barrier b = ping_barrier(ctx, session);
  // The first reply that came before the ping's own; a line that is not JSON is no reply (the
  // passive checks report it).
  const Json* reply = nullptr;
  for (const auto& r : b.before) {
    if (reply == nullptr && r.json && r.json->is_object() &&
        (r.json->contains("result") || r.json->contains("error"))) {
      reply = &*r.json;
    }
  }
  if (!b.answered) {
    ctx.violation(CheckId::lifecycle_initialized_accepted,
                  "no answer to ping after notifications/initialized",
                  {"ping answered", "no reply within the timeout"});
  } else if (reply != nullptr) {
    ctx.violation(CheckId::lifecycle_initialized_accepted, "notifications/initialized got a reply",
                  {"no reply to a notification", brief(*reply)});
  } else {
    ctx.pass(CheckId::lifecycle_initialized_accepted);
  }
}

void connect_main(Context& ctx, Context& mctx, const std::string& version, protocol::EraPlan plan) {
  const protocol::Target& o = ctx.target();
  bool stdio = !o.command.empty();
  const bool pinned_modern = plan == protocol::EraPlan::modern;
  ctx.set_version(pinned_modern ? protocol::latest_version() : version);
  mctx.set_version(pinned_modern ? version : protocol::latest_modern_version());
  for (Context* c : {&ctx, &mctx})
    c->set_transport_kind(stdio ? std::optional(transport::TransportKind::stdio) : kind_of(o.transport));
  // Each session reports to the context of the era it speaks.
  auto c = protocol::connect(
      o, version, ctx.tracer(), Json::object(),
      [&ctx, &mctx](protocol::Session& s) { (s.modern() ? mctx : ctx).observe(s); }, plan);
  if (!c) {
    const bool not_modern = pinned_modern && c.error().message.rfind("the server does not", 0) == 0;
    return record_connect_failure(pinned_modern ? mctx : ctx, c.error(), version, not_modern);
  }
  auto conn = std::make_unique<protocol::Connection>(std::move(*c));
  std::unique_ptr<protocol::Connection> modern;
  if (conn->modern) {
    modern = std::move(conn);
  } else if (conn->modern_side) {
    modern = std::move(conn->modern_side);
  }
  record_era(modern ? mctx : ctx, modern ? *modern : *conn, plan);
  if (modern && conn) record_era(ctx, *conn, plan);  // dual-era: each era's report says so
  if (modern) set_modern_main(mctx, std::move(modern));
  if (!conn) return;
  ctx.set_transport_kind(kind_of(conn->transport_used));
  protocol::Session& session = *conn->session;
  ctx.facts().connect_ms = conn->connect_ms;
  record_connected(ctx, *conn, "initialize");
  ctx.set_main(std::move(conn));
  auto& init = *ctx.main_connection().init;
  std::string negotiated = init.protocol_version;
  // The handshake era only: a 2026-07-28 answer is judged by the version asked for.
  if (protocol::is_known_version(negotiated) && version_bit(negotiated) & k_legacy)
    ctx.set_version(negotiated);
  ctx.pass(CheckId::connectivity_initialize);
  check_init_result(ctx, init);
  check_initialized_accepted(ctx, session);
}

std::optional<long long> error_code(const Json& reply) {
  if (!reply.is_object() || !reply.contains("error") || !reply["error"].is_object()) return std::nullopt;
  const Json& code = member(reply["error"], "code");
  if (!code.is_number_integer()) return std::nullopt;
  return code.get<long long>();
}

std::optional<Json> call(Context& ctx, protocol::Session& session, const std::string& method,
                         const Json& params, std::vector<std::uint64_t>* refs) {
  (void)ctx;
  auto ex = session.request(method, params);
  if (!ex || !ex->reply || !ex->reply->json) return std::nullopt;
  if (refs) refs->push_back(ex->reply->wire.trace_id);
  return *ex->reply->json;
}

util::Expected<protocol::Exchange> send_droppable(protocol::Session& session, const std::string& raw,
                                                  const std::function<bool(const protocol::Received&)>& until,
                                                  util::Millis wait) {
  // A reply that comes after the answer to a later request is out of order; 200 ms covers a server
  // that answers from several threads.
  constexpr util::Millis k_grace(200);
  if (session.transport().kind() == transport::TransportKind::stdio)
    return session.send_and_wait_ordered(raw, until, wait, std::min(wait, k_grace));
  return session.send_and_wait(raw, until, wait);
}

Barrier ping_barrier(Context& ctx, protocol::Session& session) {
  (void)ctx;
  Barrier b;
  // 2026-07-28 has no ping (changelog.mdx: «Remove ping»): server/discover is the barrier there.
  auto ex = session.request(session.modern() ? "server/discover" : "ping");
  if (!ex) return b;
  b.answered = ex->reply.has_value();
  b.before = ex->others;
  return b;
}

}  // namespace mcp_probe::checks
