#include <cctype>

#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/transport/http.h"
#include "mcp_probe/transport/legacy_sse.h"
#include "mcp_probe/transport/stdio.h"
#include "passive.h"
#include "sequences.h"

namespace mcp_probe::checks {

namespace {

bool contains(const std::string& text, const char* word) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(word) != std::string::npos;
}

}  // namespace

std::string classify_connect_failure(const util::Error& e, bool stdio) {
  if (stdio) {
    if (e.kind == util::ErrorKind::spawn || e.kind == util::ErrorKind::closed) return "stdio.spawn";
    return "connectivity.initialize";
  }
  if (contains(e.message, "resolve")) return "connectivity.resolve";
  if (contains(e.message, "tls") || contains(e.message, "certificate") || contains(e.message, "ssl")) {
    return "connectivity.tls";
  }
  if (contains(e.message, "refused") || contains(e.message, "connect")) return "connectivity.connect";
  if (e.kind == util::ErrorKind::timeout) return "connectivity.initialize";
  return "connectivity.http-endpoint";
}

namespace {

void check_init_result(Context& ctx, const protocol::InitializeOutcome& init) {
  const Json& r = init.result;
  std::vector<std::uint64_t> refs;
  if (init.exchange.reply) refs.push_back(init.exchange.reply->wire.trace_id);
  std::string problem;
  if (!r.contains("protocolVersion") || !r["protocolVersion"].is_string()) problem = "protocolVersion is missing";
  else if (!r.contains("capabilities") || !r["capabilities"].is_object()) problem = "capabilities is missing";
  else if (!r.contains("serverInfo") || !r["serverInfo"].is_object() || !r["serverInfo"].contains("name") ||
           !r["serverInfo"].contains("version")) {
    problem = "serverInfo {name, version} is missing";
  } else {
    for (const auto& [name, value] : r["capabilities"].items()) {
      if (!value.is_object()) problem = "capabilities." + name + " is " + brief(value) + ", not an object";
    }
  }
  if (!problem.empty()) {
    ctx.violation("lifecycle.init.result-shape", "the InitializeResult is malformed: " + problem,
                  {"protocolVersion, capabilities (objects) and serverInfo{name,version}", brief(r, 240), refs});
    return;
  }
  std::string version = protocol::is_known_version(init.protocol_version) ? init.protocol_version : ctx.version();
  if (validate_schema(ctx, version, "InitializeResult", r, "initialize result", refs)) {
    ctx.pass("lifecycle.init.result-shape");
  } else {
    ctx.violation("lifecycle.init.result-shape", "the InitializeResult does not match the schema", {"InitializeResult", brief(r, 240), refs});
  }
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The connection failed over HTTP: look at the initialize exchange itself, so the report says
// which rule the server broke instead of only "no answer".
void diagnose_http(Context& ctx, const std::string& version) {
  const RunOptions& o = ctx.options();
  Json init = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
               {"params", {{"protocolVersion", version}, {"capabilities", Json::object()},
                           {"clientInfo", {{"name", "mcp-probe"}, {"version", MCP_PROBE_VERSION}}}}}};
  transport::HttpTransport http(protocol::http_options(ctx.target(), ctx.tracer()));
  auto r = http.exchange(transport::PostOptions{}, json::dump(init), ctx.request_deadline());
  if (!r || r->status == 0) return;
  std::string type = lower(r->content_type.substr(0, r->content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (r->status >= 200 && r->status < 300) {
    if (type != "application/json" && type != "text/event-stream") {
      ctx.fail("http.post.request-content-type", "initialize was answered with Content-Type \"" + r->content_type + "\"",
               {"application/json or text/event-stream", "\"" + r->content_type + "\"", r->trace_ids});
    } else if (type == "application/json") {
      auto body = json::parse(r->body);
      if (!body || !body->is_object() || !protocol::same_id(member(*body, "id"), Json(1))) {
        ctx.fail("http.post.json-single-response", "the JSON answer to initialize is not its response",
                 {"one JSON-RPC response with id 1", brief_raw(r->body, 160), r->trace_ids});
      }
    }
  }
  if (r->status == 403 || r->status == 400) {
    // Refused without an Origin: would a browser's Origin have been let in?
    transport::PostOptions with_origin;
    std::string origin = o.url.substr(0, o.url.find('/', o.url.find("://") + 3));
    auto host = origin.find("://") + 3;
    auto colon = origin.find(':', host);
    with_origin.extra_headers = {{"Origin", "http://localhost" + (colon == std::string::npos ? "" : origin.substr(colon))}};
    auto again = http.exchange(with_origin, json::dump(init), ctx.request_deadline());
    if (again && again->status >= 200 && again->status < 300) {
      ctx.violation("http.origin.absent-accepted", "requests without an Origin header are refused with HTTP " + std::to_string(r->status),
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
  Json init = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
               {"params", {{"protocolVersion", version}, {"capabilities", Json::object()},
                           {"clientInfo", {{"name", "mcp-probe"}, {"version", MCP_PROBE_VERSION}}}}}};
  auto r = post.exchange(transport::PostOptions{}, json::dump(init), ctx.request_deadline());
  if (!r) return;
  auto body = json::parse(r->body);
  if (r->status < 200 || r->status >= 300) {
    ctx.fail("sse.post.roundtrip", "POST initialize to the endpoint got HTTP " + std::to_string(r->status),
             {"2xx (usually 202), the response on the SSE stream", "HTTP " + std::to_string(r->status), r->trace_ids});
  } else if (body && body->is_object() && (body->contains("result") || body->contains("error"))) {
    ctx.fail("sse.post.roundtrip", "the response came in the POST body instead of on the SSE stream",
             {"202 and the response as an SSE `message` event", brief_raw(r->body, 160), r->trace_ids});
  }
  sse.close();
}

}  // namespace

void connect_main(Context& ctx, const std::string& version) {
  const RunOptions& o = ctx.options();
  bool stdio = !o.command.empty();
  ctx.set_version(version);
  if (stdio) ctx.set_transport_kind("stdio");
  else if (o.transport == "http" || o.transport == "sse") ctx.set_transport_kind(o.transport);
  protocol::Target target = ctx.target();
  auto c = protocol::connect(target, version, ctx.tracer(), Json::object(),
                             [&ctx](protocol::Session& s) { ctx.observe(s); });
  if (!c) {
    std::string id = classify_connect_failure(c.error(), stdio);
    ctx.fail(id, c.error().message, {stdio ? "the server starts and answers initialize" : "an MCP endpoint answers", c.error().message});
    if (id != "connectivity.initialize" && id != "stdio.spawn") {
      ctx.error("connectivity.initialize", "not reached: " + c.error().message);
    }
    // Earlier steps evidently worked.
    if (!stdio) {
      for (const char* earlier : {"connectivity.resolve", "connectivity.connect", "connectivity.tls", "connectivity.http-endpoint"}) {
        if (std::string(earlier) == id) break;
        if (std::string(earlier) == "connectivity.tls" && o.url.rfind("https:", 0) != 0) continue;
        ctx.pass(earlier);
      }
    } else if (id != "stdio.spawn") {
      ctx.pass("stdio.spawn");
    }
    if (!stdio && (o.transport == "sse" || c.error().message.find("legacy") != std::string::npos)) {
      diagnose_sse(ctx, version);
    } else if (!stdio) {
      diagnose_http(ctx, version);
    }
    return;
  }
  auto conn = std::make_unique<protocol::Connection>(std::move(*c));
  ctx.set_transport_kind(conn->transport_used);
  protocol::Session& session = *conn->session;
  ctx.connect_ms = conn->connect_ms;
  ctx.set_main(std::move(conn));
  auto& init = *ctx.main_connection().init;
  std::string negotiated = init.protocol_version;
  if (protocol::is_known_version(negotiated) && protocol::version_index(negotiated) < 4) ctx.set_version(negotiated);
  if (stdio) {
    ctx.pass("stdio.spawn");
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f ms from spawn to the initialize response", ctx.connect_ms);
    ctx.info("stdio.startup.latency", buf);
  } else {
    ctx.pass("connectivity.resolve");
    ctx.pass("connectivity.connect");
    if (o.url.rfind("https:", 0) == 0) ctx.pass("connectivity.tls");
    ctx.pass("connectivity.http-endpoint");
    ctx.info("connectivity.transport-detected", "using " + ctx.transport_kind() +
                                                    (ctx.transport_kind() == "sse" ? " (legacy HTTP+SSE, 2024-11-05)" : " (Streamable HTTP)"));
  }
  ctx.pass("connectivity.initialize");
  check_init_result(ctx, init);
  // notifications/initialized was sent by connect(); a ping shows it was taken without a reply.
  Barrier b = ping_barrier(ctx, session);
  bool replied = false;
  for (const auto& r : b.before) {
    if (r.json && r.json->is_object() && (r.json->contains("result") || r.json->contains("error"))) replied = true;
  }
  if (!b.answered) {
    ctx.violation("lifecycle.initialized.accepted", "no answer to ping after notifications/initialized",
                  {"ping answered", "no reply within the timeout"});
  } else if (replied) {
    ctx.violation("lifecycle.initialized.accepted", "notifications/initialized got a reply",
                  {"no reply to a notification", brief(*b.before.front().json)});
  } else {
    ctx.pass("lifecycle.initialized.accepted");
  }
}

std::optional<long long> error_code(const Json& reply) {
  if (!reply.is_object() || !reply.contains("error") || !reply["error"].is_object()) return std::nullopt;
  const Json& code = member(reply["error"], "code");
  if (!code.is_number_integer()) return std::nullopt;
  return code.get<long long>();
}

std::optional<Json> call(Context& ctx, protocol::Session& session, const std::string& method, const Json& params,
                         std::vector<std::uint64_t>* refs) {
  (void)ctx;
  auto ex = session.request(method, params);
  if (!ex || !ex->reply || !ex->reply->json) return std::nullopt;
  if (refs) refs->push_back(ex->reply->wire.trace_id);
  return *ex->reply->json;
}

Barrier ping_barrier(Context& ctx, protocol::Session& session) {
  (void)ctx;
  Barrier b;
  auto ex = session.request("ping");
  if (!ex) return b;
  b.answered = ex->reply.has_value();
  b.before = ex->others;
  return b;
}

}  // namespace mcp_probe::checks
