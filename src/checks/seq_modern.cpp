// The 2026-07-28 pass: probes of the modern era (REQUIREMENTS.md group 10), run on the context
// whose main session speaks 2026-07-28 (Session::set_modern: every request carries the _meta
// fields, and on HTTP the modern headers).

#include "mcp_probe/protocol/modern.h"
#include "mcp_probe/protocol/versions.h"
#include "passive.h"
#include "sequences.h"

namespace mcp_probe::checks {

namespace {

std::vector<std::uint64_t> refs_of(const protocol::Exchange& ex) {
  if (!ex.reply || ex.reply->wire.trace_id == 0) return {};
  return {ex.reply->wire.trace_id};
}

// docs/2026-07-28/server/discover.mdx: «Servers MUST implement it.»
void discover_implemented(Context& ctx) {
  auto ex = ctx.session().discover();
  if (!ex) {
    ctx.error(CheckId::modern_discover_implemented,
              "server/discover could not be sent: " + ex.error().message);
    return;
  }
  auto refs = refs_of(*ex);
  if (!ex->reply || !ex->reply->json) {
    ctx.violation(CheckId::modern_discover_implemented, "no answer to server/discover",
                  {"a DiscoverResult", ex->send_error.empty() ? ex->ended_by : ex->send_error, refs});
    return;
  }
  const Json& reply = *ex->reply->json;
  if (!reply.is_object() || !reply.contains("result") || !reply["result"].is_object()) {
    ctx.violation(CheckId::modern_discover_implemented, "server/discover was not answered with a result",
                  {"a DiscoverResult", brief(reply), refs});
    return;
  }
  const Json& r = reply["result"];
  std::string problem;
  const Json versions = member(r, "supportedVersions", Json::array());
  if (versions.empty()) {
    problem = "supportedVersions is missing or empty";
  } else if (!member(r, "capabilities", Json::object()).is_object() || !r.contains("capabilities")) {
    problem = "capabilities is missing";
  } else if (str(r, "resultType") != "complete") {
    problem = "resultType is " +
              (r.contains("resultType") ? brief(r["resultType"]) : std::string("missing")) +
              ", not \"complete\"";
  }
  if (!problem.empty()) {
    ctx.violation(
        CheckId::modern_discover_implemented, "the DiscoverResult is malformed: " + problem,
        {"resultType \"complete\", a non-empty supportedVersions and capabilities", brief(r, 240), refs});
    return;
  }
  if (validate_schema(ctx, ctx.version(), "DiscoverResult", r, "server/discover result", refs)) {
    ctx.pass(CheckId::modern_discover_implemented);
  } else {
    ctx.violation(CheckId::modern_discover_implemented, "the DiscoverResult does not match the schema",
                  {"DiscoverResult", brief(r, 240), refs});
  }
}

// The reply to a raw request, waited for like Session::request does.
std::optional<protocol::Exchange> send_raw_request(Context& ctx, const Json& message) {
  const Json id = message.value("id", Json());
  auto ex = ctx.session().send_and_wait(json::dump(message), [&id](const protocol::Received& r) {
    return r.json && r.json->is_object() && r.json->contains("id") &&
           protocol::same_id((*r.json)["id"], id) &&
           (r.json->contains("result") || r.json->contains("error"));
  });
  if (!ex) return std::nullopt;
  return *ex;
}

std::string answer_words(const protocol::Exchange& ex) {
  if (!ex.reply || !ex.reply->json) return ex.send_error.empty() ? ex.ended_by : ex.send_error;
  return brief(*ex.reply->json, 200);
}

// The HTTP status of the last POST on the main connection, for the rows that name one ("" on stdio).
std::string status_words(Context& ctx) {
  const int status = ctx.last_http_status();
  return status == 0 ? "" : " (HTTP " + std::to_string(status) + ")";
}

// docs/2026-07-28/basic/versioning.mdx: «it MUST respond with an UnsupportedProtocolVersionError
// listing the versions it does support»; on HTTP «with 400 Bad Request» (streamable-http.mdx).
void version_unsupported(Context& ctx) {
  // A supported request first: each request is judged on its own («the server accepts or rejects
  // each request independently»), also once a stdio server has settled its connection's era on
  // its first request (SDK v2's serveStdio serves every later version as the pinned one).
  auto opening = ctx.session().request("tools/list", Json::object());
  if (!opening) {
    ctx.error(CheckId::modern_version_unsupported_error,
              "the request could not be sent: " + opening.error().message);
    return;
  }
  const std::string requested = "1900-01-01";
  Json params = {{"_meta", {{protocol::k_meta_protocol_version, requested}}}};
  auto ex = ctx.session().request("tools/list", params);
  if (!ex) {
    ctx.error(CheckId::modern_version_unsupported_error,
              "the request could not be sent: " + ex.error().message);
    return;
  }
  auto refs = refs_of(*ex);
  const std::string status = status_words(ctx);
  const std::string expected = "error -32022 with data.supported (strings) and data.requested";
  if (!ex->reply || !ex->reply->json) {
    ctx.violation(CheckId::modern_version_unsupported_error,
                  "no answer to a request for protocol version " + requested,
                  {expected, answer_words(*ex), refs});
    return;
  }
  const Json& reply = *ex->reply->json;
  const auto code = error_code(reply);
  const auto supported = protocol::supported_versions(reply);
  const Json data = member(member(reply, "error", Json::object()), "data", Json::object());
  if (!code) {
    ctx.violation(CheckId::modern_version_unsupported_error,
                  "a request for protocol version " + requested + " was served",
                  {expected, brief(reply, 200) + status, refs});
  } else if (*code != protocol::k_unsupported_protocol_version || !supported || !data.contains("requested")) {
    ctx.violation(CheckId::modern_version_unsupported_error,
                  "an unsupported protocol version got " + (*code != protocol::k_unsupported_protocol_version
                                                                ? "error " + std::to_string(*code)
                                                                : std::string("-32022 without data")),
                  {expected, brief(reply, 200) + status, refs});
  } else if (const int http = ctx.last_http_status(); http != 0 && http != 400) {
    ctx.violation(CheckId::modern_version_unsupported_error,
                  "the UnsupportedProtocolVersionError came with HTTP " + std::to_string(http),
                  {"400 Bad Request", "HTTP " + std::to_string(http), refs});
  } else {
    ctx.pass(CheckId::modern_version_unsupported_error);
  }
}

// docs/2026-07-28/basic/index.mdx: «A request missing any required field is malformed; the server
// MUST reject it with JSON-RPC error code -32602 (Invalid params).»
void meta_required(Context& ctx) {
  const protocol::ModernProfile& profile = *ctx.session().modern();
  struct Case {
    const char* missing;
    Json meta;
  };
  std::vector<Case> cases = {
      {protocol::k_meta_client_capabilities, {{protocol::k_meta_protocol_version, profile.version}}},
  };
  // A request without a protocol version is a handshake-era request to a server that also speaks
  // that era (versioning.mdx: a dual-era server «selects its behavior from how the client opens»),
  // not a malformed 2026-07-28 one; on stdio it may even settle the connection's era (SDK v2's
  // serveStdio pins it to the handshake era). Only a server known to be modern-only is asked.
  if (ctx.main_connection().era == protocol::ServerEra::modern_only) {
    cases.insert(cases.begin(), Case{protocol::k_meta_protocol_version,
                                     {{protocol::k_meta_client_capabilities, profile.client_capabilities}}});
  }
  bool all_rejected = true;
  for (const Case& c : cases) {
    const Json message = {{"jsonrpc", "2.0"},
                          {"id", ctx.session().next_id()},
                          {"method", "tools/list"},
                          {"params", {{"_meta", c.meta}}}};
    auto ex = send_raw_request(ctx, message);
    if (!ex) {
      ctx.error(CheckId::modern_meta_required_fields, "the request could not be sent");
      return;
    }
    auto refs = refs_of(*ex);
    const std::string what = std::string("a request without _meta[\"") + c.missing + "\"]";
    // A plain value, not an optional: GCC 12 -O3 sees a maybe-uninitialized optional here.
    long long code = 0;
    bool has_code = false;
    if (ex->reply && ex->reply->json) {
      if (auto c = error_code(*ex->reply->json)) {
        code = *c;
        has_code = true;
      }
    }
    const int http = ctx.last_http_status();
    // On HTTP the modern headers stay (they mirror what the body has): a server may reject the
    // body/header disagreement first, with -32020 and 400. That is a rejection too.
    const bool rejected = has_code &&
                          (code == -32602 || (http != 0 && code == protocol::k_header_mismatch)) &&
                          (http == 0 || http == 400);
    if (!rejected) {
      all_rejected = false;
      ctx.violation(
          CheckId::modern_meta_required_fields,
          what + (has_code ? " got error " + std::to_string(code) : std::string(" was not rejected")),
          {"error -32602 (Invalid params)" + std::string(http != 0 ? ", HTTP 400" : ""),
           answer_words(*ex) + status_words(ctx), refs});
    }
  }
  if (all_rejected) ctx.pass(CheckId::modern_meta_required_fields);
}

// docs/2026-07-28/basic/versioning.mdx: «A server that supports only modern versions SHOULD name
// the protocol versions it supports in any error it returns to an initialize request»
void initialize_diagnostic(Context& ctx) {
  const protocol::Connection& main = ctx.main_connection();
  if (main.era == protocol::ServerEra::dual) {
    ctx.skip(CheckId::modern_compat_initialize_diagnostic,
             "not applicable: the server is dual-era (it answers initialize)");
    return;
  }
  // A connection of its own: initialize must not turn the modern one into a handshake session.
  auto t = ctx.fresh_transport();
  if (!t) {
    ctx.error(CheckId::modern_compat_initialize_diagnostic,
              "could not open a connection: " + t.error().message);
    return;
  }
  // Not observed: the passive checks would hold this handshake-era answer to 2026-07-28 rules.
  protocol::Session session(**t, ctx.timeout());
  auto init = session.request("initialize",
                              {{"protocolVersion", protocol::latest_version()},
                               {"capabilities", Json::object()},
                               {"clientInfo", {{"name", "mcp-probe"}, {"version", MCP_PROBE_VERSION}}}});
  if (!init) {
    ctx.error(CheckId::modern_compat_initialize_diagnostic,
              "initialize could not be sent: " + init.error().message);
    return;
  }
  auto refs = refs_of(*init);
  const Json reply = init->reply && init->reply->json ? *init->reply->json : Json();
  if (reply.is_object() && reply.contains("result")) {
    ctx.skip(CheckId::modern_compat_initialize_diagnostic,
             "not applicable: the server answers initialize (it is dual-era)");
    return;
  }
  // Named versions: what server/discover lists, else any modern version.
  std::vector<std::string> names = main.probe.supported;
  for (const auto& v : protocol::modern_versions()) names.push_back(v);
  const std::string text = reply.is_object() && reply.contains("error") ? json::dump(reply["error"]) : "";
  bool named = false;
  for (const auto& v : names) named = named || (!v.empty() && text.find(v) != std::string::npos);
  if (named) {
    ctx.pass(CheckId::modern_compat_initialize_diagnostic);
  } else {
    ctx.violation(CheckId::modern_compat_initialize_diagnostic,
                  text.empty()
                      ? "initialize got no error naming the supported versions: " + answer_words(*init)
                      : "the error to initialize does not name the supported versions",
                  {"an error whose message or data names the supported versions (e.g. 2026-07-28)",
                   text.empty() ? answer_words(*init) : brief_raw(text, 200), refs});
  }
  t->get()->close();
}

// modern.server-info.meta (INFO): what the pass saw of results' _meta serverInfo.
void server_info_meta(Context& ctx) {
  const ServerInfoSeen& seen = ctx.passive().server_info;
  if (seen.with + seen.without == 0) return;
  if (seen.without == 0) {
    ctx.info(CheckId::modern_server_info_meta,
             "every result carries _meta serverInfo (" + std::to_string(seen.with) + " results)");
  } else {
    ctx.violation(CheckId::modern_server_info_meta,
                  std::to_string(seen.without) + " of " + std::to_string(seen.with + seen.without) +
                      " results lack _meta[\"io.modelcontextprotocol/serverInfo\"] (first: " + seen.example +
                      ")");
  }
}

}  // namespace

std::vector<Step> modern_steps() {
  return {
      {"server/discover", discover_implemented, {CheckId::modern_discover_implemented}},
      {"unsupported version", version_unsupported, {CheckId::modern_version_unsupported_error}},
      {"_meta required", meta_required, {CheckId::modern_meta_required_fields}},
      {"initialize diagnostic", initialize_diagnostic, {CheckId::modern_compat_initialize_diagnostic}},
      {"serverInfo in _meta", server_info_meta, {CheckId::modern_server_info_meta}},
  };
}

}  // namespace mcp_probe::checks
