// The 2026-07-28 pass over Streamable HTTP (docs/2026-07-28/basic/transports/streamable-http.mdx):
// the modern.http.* rows of REQUIREMENTS.md group 10 (the rows of group 4 that the 26-07 text
// still states are in seq_modern_http_transport.cpp), probed with modern requests (the _meta
// fields in the body, MCP-Protocol-Version, Mcp-Method and Mcp-Name mirrored into headers). Every
// POST here is a raw exchange whose headers the step chooses; none creates a session.

#include <algorithm>

#include "http_probe.h"
#include "mcp_probe/protocol/modern.h"
#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/util/strings.h"
#include "sequences.h"

namespace mcp_probe::checks {

using transport::HeaderChoice;
using transport::HttpResponse;
using transport::PostOptions;

std::vector<std::uint64_t> trace_refs(const util::Expected<HttpResponse>& r) {
  return r ? r->trace_ids : std::vector<std::uint64_t>{};
}

// A modern message of the main session's profile; a request gets a fresh id.
Json modern_message(Context& ctx, const std::string& method, const Json& params, bool request) {
  Json m = {{"jsonrpc", "2.0"},
            {"method", method},
            {"params", protocol::with_modern_meta(params, *ctx.session().modern())}};
  if (request) m["id"] = ctx.session().next_id();
  return m;
}

// The headers a conforming client sends with `message`, and no session.
PostOptions modern_options(const Json& message) {
  PostOptions o;
  o.session_id = HeaderChoice::omit();
  o.protocol_version = HeaderChoice::omit();
  o.extra_headers = protocol::modern_headers(message);
  return o;
}

util::Expected<HttpResponse> modern_post(Context& ctx, const Json& message, const PostOptions& o) {
  return ctx.http()->exchange(o, json::dump(message), ctx.request_deadline());
}

// The JSON-RPC answer to `message` in an HTTP response: the response with its id (a JSON body or
// an SSE event), or an error body without an id (HTTP error bodies may omit it).
std::optional<Json> answer_of(const HttpResponse& r, const Json& message) {
  const Json id = member(message, "id");
  auto answers = [&](const Json& m) {
    return m.is_object() && (m.contains("result") || m.contains("error")) && m.contains("id") &&
           protocol::same_id(m["id"], id);
  };
  if (r.sse) {
    for (const auto& e : r.events) {
      auto m = json::parse(e.data);
      if (m && answers(*m)) return *m;
    }
    return std::nullopt;
  }
  auto m = json::parse(r.body);
  if (!m) return std::nullopt;
  if (answers(*m) || (m->is_object() && m->contains("error") && member(*m, "id").is_null())) return *m;
  return std::nullopt;
}

std::optional<long long> answer_code(const util::Expected<HttpResponse>& r, const Json& message) {
  if (!r) return std::nullopt;
  auto answer = answer_of(*r, message);
  return answer ? error_code(*answer) : std::nullopt;
}

namespace {

void set_header(PostOptions& o, const std::string& name, const std::string& value) {
  std::erase_if(o.extra_headers, [&](const auto& h) { return util::iequals(h.first, name); });
  if (!value.empty()) o.extra_headers.emplace_back(name, value);
}

// --- modern.http.header-validation ---------------------------------------------------------

// docs/2026-07-28/basic/transports/streamable-http.mdx: «If the values do not match, the server
// MUST reject the request with 400 Bad Request and a HeaderMismatch JSON-RPC error»; «Validation
// failure conditions include: A required standard header (MCP-Protocol-Version, Mcp-Method,
// Mcp-Name) is missing. A header value does not match the corresponding request body value.»
void header_validation(Context& ctx) {
  const CheckId id = CheckId::modern_http_header_validation;
  if (!ctx.wants(id)) return;
  const std::string& version = ctx.session().modern()->version;
  const std::vector<std::string>& supported = ctx.main_connection().probe.supported;
  auto lists = [&](const std::string& v) {
    return std::find(supported.begin(), supported.end(), v) != supported.end();
  };
  struct Case {
    std::string what;
    Json message;
    PostOptions options;
    bool unsupported_header = false;  // the header names a version the server does not list
  };
  std::vector<Case> cases;
  {
    // Another version the server lists, so that only the mismatch is wrong; else a handshake one.
    std::string other = "2025-11-25";
    for (const auto& v : supported) {
      if (v != version && protocol::is_known_version(v)) {
        other = v;
        break;
      }
    }
    Json m = modern_message(ctx, "tools/list");
    PostOptions o = modern_options(m);
    set_header(o, "MCP-Protocol-Version", other);
    cases.push_back(
        {"MCP-Protocol-Version: " + other + " with _meta protocolVersion " + version, m, o, !lists(other)});
  }
  {
    Json m = modern_message(ctx, "tools/list");
    PostOptions o = modern_options(m);
    set_header(o, "Mcp-Method", "");
    cases.push_back({"tools/list without Mcp-Method", m, o});
  }
  {
    Json m = modern_message(ctx, "tools/list");
    PostOptions o = modern_options(m);
    set_header(o, "Mcp-Method", "prompts/list");
    cases.push_back({"tools/list with Mcp-Method: prompts/list", m, o});
  }
  {
    // A tool that does not exist: a server that skips the check runs no tool.
    Json m = modern_message(ctx, "tools/call",
                            {{"name", "mcp-probe-no-such-tool"}, {"arguments", Json::object()}});
    PostOptions o = modern_options(m);
    set_header(o, "Mcp-Name", "mcp-probe-other-tool");
    cases.push_back({"tools/call of mcp-probe-no-such-tool with Mcp-Name: mcp-probe-other-tool", m, o});
  }
  // «A server that supports clients implementing protocol versions earlier than 2025-06-18 ... MAY
  // treat a request that omits the header as protocol version 2025-03-26. A server that does not
  // support such clients MUST reject a request without the header per Server Validation.»
  const bool old_clients = lists("2024-11-05") || lists("2025-03-26");
  if (!old_clients) {
    Json m = modern_message(ctx, "tools/list");
    PostOptions o = modern_options(m);
    set_header(o, "MCP-Protocol-Version", "");
    cases.push_back({"tools/list without MCP-Protocol-Version", m, o});
  }
  bool all_rejected = true;
  for (const Case& c : cases) {
    auto r = modern_post(ctx, c.message, c.options);
    const auto code = answer_code(r, c.message);
    const int status = r ? r->status : 0;
    const bool mismatch = status == 400 && code == protocol::k_header_mismatch;
    // The header named a version the server does not serve: «If the server does not implement the
    // requested protocol version ... it MUST respond with 400 Bad Request and an
    // UnsupportedProtocolVersionError»; which of the two it checks first is not specified.
    const bool unsupported =
        c.unsupported_header && status == 400 && code == protocol::k_unsupported_protocol_version;
    if (mismatch || unsupported) continue;
    all_rejected = false;
    std::string got = !r                              ? "got no answer"
                      : status >= 200 && status < 300 ? "was served (HTTP " + std::to_string(status) + ")"
                      : code ? "got HTTP " + std::to_string(status) + " with error " + std::to_string(*code)
                             : "got HTTP " + std::to_string(status) + " without a JSON-RPC error";
    ctx.violation(id, "a request with " + c.what + " " + got,
                  {"HTTP 400 with error -32020 (HeaderMismatch)", status_text(r), trace_refs(r)});
  }
  if (all_rejected) {
    ctx.pass(id, old_clients ? "note: no request without MCP-Protocol-Version was sent (the server lists a "
                               "version before 2025-06-18, whose clients send none)"
                             : "");
  }
}

// --- modern.http.unknown-method-404 --------------------------------------------------------

// docs/2026-07-28/basic/transports/streamable-http.mdx: «If the server does not implement the
// requested RPC method, it MUST respond with 404 Not Found and a JSON-RPC error with code -32601»
void unknown_method_404(Context& ctx) {
  const CheckId id = CheckId::modern_http_unknown_method_404;
  if (!ctx.wants(id)) return;
  Json m = modern_message(ctx, "mcp-probe/nonexistent");
  auto r = modern_post(ctx, m, modern_options(m));
  const auto code = answer_code(r, m);
  const Evidence evidence{"HTTP 404 with error -32601 (Method not found)", status_text(r), trace_refs(r)};
  if (!r) {
    ctx.violation(id, "an unknown method got no answer", evidence);
  } else if (r->status == 404 && code == -32601) {
    ctx.pass(id);
  } else if (r->status == 404) {
    ctx.violation(id,
                  "an unknown method got 404 without a -32601 error (a client takes it for a legacy "
                  "HTTP+SSE server)",
                  evidence);
  } else if (code == -32601) {
    ctx.violation(id, "the -32601 to an unknown method came with HTTP " + std::to_string(r->status),
                  evidence);
  } else {
    ctx.violation(id, "an unknown method got HTTP " + std::to_string(r->status), evidence);
  }
}

// --- modern.http.legacy-mechanisms ---------------------------------------------------------

// Whether the server also serves the handshake era (so GET, DELETE and sessions are its own):
// the era detection says so, and a pinned run asks with an initialize of its own. nullopt when
// no connection could be opened to ask.
std::optional<bool> serves_handshake_era(Context& ctx) {
  const protocol::Connection& main = ctx.main_connection();
  if (main.era == protocol::ServerEra::dual) return true;
  if (main.era == protocol::ServerEra::modern_only) return false;
  auto t = ctx.fresh_transport();
  if (!t) return std::nullopt;
  // Not observed: the passive checks would hold a handshake-era answer to 2026-07-28 rules.
  protocol::Session session(**t, ctx.timeout());
  auto init = session.request("initialize",
                              {{"protocolVersion", protocol::latest_version()},
                               {"capabilities", Json::object()},
                               {"clientInfo", {{"name", "mcp-probe"}, {"version", MCP_PROBE_VERSION}}}});
  t->get()->close();
  if (!init) return std::nullopt;
  return init->reply && init->reply->json && init->reply->json->is_object() &&
         init->reply->json->contains("result");
}

// docs/2026-07-28/basic/transports/streamable-http.mdx, «Earlier Streamable HTTP Revisions»: «A
// server that supports only this revision and receives such traffic from an older client SHOULD
// respond as follows: HTTP GET or DELETE to the MCP endpoint: respond with 405 Method Not Allowed.
// An Mcp-Session-Id header on a request: ignore it, and do not mint or echo session IDs. A
// Last-Event-ID header: ignore it». A dual-era server serves that traffic to its handshake era.
void legacy_mechanisms(Context& ctx) {
  const CheckId id = CheckId::modern_http_legacy_mechanisms;
  if (!ctx.wants(id)) return;
  const auto dual = serves_handshake_era(ctx);
  if (!dual) {
    ctx.error(id, "could not open a connection to learn whether the server is dual-era");
    return;
  }
  if (*dual) {
    ctx.skip(id,
             "not applicable: the server is dual-era (GET, DELETE and Mcp-Session-Id serve its "
             "handshake era)");
    return;
  }
  bool clean = true;
  auto finding = [&](const std::string& message, Evidence evidence) {
    clean = false;
    ctx.violation(id, message, std::move(evidence));
  };
  // Never issued by anyone: a modern-only server does not look it up.
  const std::string bogus = "mcp-probe-never-issued-session";
  // GET on a transport of its own: a stream that opens is closed as soon as its headers arrive.
  {
    transport::HttpTransport probe(protocol::http_options(ctx.target(), ctx.tracer()));
    auto r = probe.open_get_stream(ctx.request_deadline());
    probe.close_get_stream();
    if (!r || r->status != 405)
      finding("GET on the MCP endpoint got " + status_text(r),
              {"405 Method Not Allowed", status_text(r), trace_refs(r)});
  }
  {
    PostOptions o;
    o.method = "DELETE";
    o.session_id = HeaderChoice::with(bogus);
    o.protocol_version = HeaderChoice::omit();
    auto r = ctx.http()->exchange(o, "", ctx.request_deadline());
    if (!r || r->status != 405)
      finding("DELETE on the MCP endpoint got " + status_text(r),
              {"405 Method Not Allowed", status_text(r), trace_refs(r)});
  }
  struct Post {
    const char* what;
    const char* header;
    std::string value;
  };
  const Post posts[] = {{"a request", "", ""},
                        {"a request with a never-issued Mcp-Session-Id", "Mcp-Session-Id", bogus},
                        {"a request with Last-Event-ID", "Last-Event-ID", "mcp-probe-0"}};
  for (const Post& p : posts) {
    Json m = modern_message(ctx, "tools/list");
    PostOptions o = modern_options(m);
    if (*p.header != '\0') o.extra_headers.emplace_back(p.header, p.value);
    auto r = modern_post(ctx, m, o);
    if (!r) {
      finding(std::string(p.what) + " got no answer: " + r.error().message,
              {"served as if the header were absent", status_text(r), {}});
      continue;
    }
    auto answer = answer_of(*r, m);
    if (!answer || !answer->contains("result")) {
      finding(std::string(p.what) + " was not served: " + status_text(r),
              {"served as if the header were absent", status_text(r), trace_refs(r)});
    }
    if (auto sid = transport::find_header(r->headers, "Mcp-Session-Id")) {
      finding(
          std::string(p.what) + " got a session id back (Mcp-Session-Id: " + brief_raw(*sid, 60) + ")",
          {"no Mcp-Session-Id minted or echoed", "Mcp-Session-Id: " + brief_raw(*sid, 60), trace_refs(r)});
    }
  }
  if (clean) ctx.pass(id);
}

// --- modern.http.no-server-requests (its X-Accel-Buffering part; passive.cpp watches every
// stream for server requests)

// docs/2026-07-28/basic/transports/streamable-http.mdx: «The server MUST NOT send independent
// JSON-RPC requests on this stream.»; «When initiating an SSE stream, servers SHOULD include the
// X-Accel-Buffering: no header in the HTTP response.»
void sse_response_stream(Context& ctx) {
  const CheckId id = CheckId::modern_http_no_server_requests;
  if (!ctx.wants(id)) return;
  Json m = modern_message(ctx, "tools/list");
  auto r = modern_post(ctx, m, modern_options(m));
  if (!r || !r->sse) return;  // a JSON answer: no stream to judge
  bool clean = true;
  for (const auto& e : r->events) {
    auto message = json::parse(e.data);
    if (message && message->is_object() && message->contains("method") && message->contains("id")) {
      clean = false;
      ctx.violation(id, "the server sent a " + str(*message, "method") + " request on a response stream",
                    {"notifications and the response only (an InputRequiredResult instead of a request)",
                     brief(*message, 160), trace_refs(r)});
    }
  }
  auto accel = transport::find_header(r->headers, "X-Accel-Buffering");
  if (!accel || !util::iequals(util::trim(*accel), "no")) {
    clean = false;
    ctx.warn(id, "an SSE response lacks X-Accel-Buffering: no (a proxy such as nginx may buffer the stream)",
             {"X-Accel-Buffering: no", accel ? "X-Accel-Buffering: " + *accel : "no X-Accel-Buffering header",
              trace_refs(r)});
  }
  if (clean) ctx.pass(id);
}

}  // namespace

std::vector<Step> modern_http_steps() {
  std::vector<Step> steps = {
      {"modern headers", header_validation, {CheckId::modern_http_header_validation}},
      {"unknown method 404", unknown_method_404, {CheckId::modern_http_unknown_method_404}},
      {"legacy mechanisms", legacy_mechanisms, {CheckId::modern_http_legacy_mechanisms}},
      {"SSE response streams", sse_response_stream, {CheckId::modern_http_no_server_requests}},
  };
  for (Step& step : modern_transport_steps()) steps.push_back(std::move(step));
  return steps;
}

}  // namespace mcp_probe::checks
