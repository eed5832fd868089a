// Lifecycle probes on fresh connections: version negotiation and what happens before the
// handshake completes.

#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/transport/http.h"
#include "sequences.h"

namespace mcp_probe::checks {

namespace {

// The version a fresh connection's initialize answered, or the error.
util::Expected<std::string> answered(util::Expected<std::unique_ptr<protocol::Connection>>& c) {
  if (!c) return c.error();
  return (*c)->init->protocol_version;
}

// Initializes a fresh connection with `version`; returns the answered version, or the error.
util::Expected<std::string> negotiate(Context& ctx, const std::string& version) {
  auto c = ctx.fresh_connection(version, false);
  return answered(c);
}

// negotiate() for every version at once (each a server started on its own thread).
std::vector<util::Expected<std::string>> negotiate_all(Context& ctx,
                                                       const std::vector<std::string>& versions) {
  auto connections = ctx.fresh_connections(versions, false);
  std::vector<util::Expected<std::string>> out;
  for (auto& c : connections) out.push_back(answered(c));
  return out;
}

void probe_echo_supported(Context& ctx) {
  if (!ctx.wants(CheckId::lifecycle_version_echo_supported)) return;
  const std::vector<std::string>& versions = protocol::handshake_versions();
  auto answers = negotiate_all(ctx, versions);
  for (std::size_t i = 0; i < versions.size(); ++i) {
    const std::string& v = versions[i];
    if (ctx.interrupted()) return;
    auto& got = answers[i];
    if (!got) continue;  // an error for an older version is a choice, not a violation
    if (*got == v) {
      ctx.facts().supported_versions.insert(v);
      ctx.pass(CheckId::lifecycle_version_echo_supported);
      continue;
    }
    if (!protocol::is_known_version(*got)) {
      ctx.violation(CheckId::lifecycle_version_echo_supported,
                    "asked for " + v + ", the server answered an unknown version",
                    {"a known protocol version", "\"" + *got + "\""});
      continue;
    }
    auto again = negotiate(ctx, *got);
    if (!again || *again != *got) {
      ctx.violation(CheckId::lifecycle_version_echo_supported,
                    "the server offered " + *got + " but does not accept it when asked",
                    {*got + " echoed", again ? "\"" + *again + "\"" : again.error().message});
    } else {
      ctx.facts().supported_versions.insert(*got);
      ctx.pass(CheckId::lifecycle_version_echo_supported);
    }
  }
  if (ctx.facts().supported_versions.count(ctx.version()) == 0 && protocol::is_known_version(ctx.version())) {
    ctx.facts().supported_versions.insert(ctx.version());
  }
}

void probe_unsupported(Context& ctx) {
  if (!ctx.wants(CheckId::lifecycle_version_unsupported_fallback)) return;
  const std::vector<std::string> unsupported = {"1900-01-01", "2099-12-31", "not-a-version"};
  auto answers = negotiate_all(ctx, unsupported);
  for (std::size_t i = 0; i < unsupported.size(); ++i) {
    const char* asked = unsupported[i].c_str();
    if (ctx.interrupted()) return;
    auto& got = answers[i];
    if (!got) {
      if (got.error().kind == util::ErrorKind::protocol) {
        ctx.warn(CheckId::lifecycle_version_unsupported_fallback,
                 std::string("initialize with \"") + asked + "\" got an error",
                 {"a result with a version the server supports", got.error().message});
      } else {
        ctx.violation(CheckId::lifecycle_version_unsupported_fallback,
                      std::string("initialize with \"") + asked + "\" failed",
                      {"a result with a version the server supports", got.error().message});
      }
      continue;
    }
    if (*got == asked) {
      ctx.fail(CheckId::lifecycle_version_unsupported_fallback,
               std::string("the server echoed the unsupported version \"") + asked + "\"",
               {"a version the server supports", "\"" + *got + "\""});
    } else if (!ctx.facts().supported_versions.empty() && ctx.facts().supported_versions.count(*got) == 0) {
      ctx.fail(CheckId::lifecycle_version_unsupported_fallback,
               "the fallback " + *got + " is not a version the server accepts",
               {"one of the supported versions", "\"" + *got + "\""});
    } else {
      ctx.pass(CheckId::lifecycle_version_unsupported_fallback);
      ctx.facts().fallback_version = *got;
    }
  }
  if (!ctx.wants(CheckId::lifecycle_version_latest_preferred) || !ctx.facts().fallback_version ||
      ctx.facts().supported_versions.empty())
    return;
  std::string newest;
  for (const auto& v : ctx.facts().supported_versions) {
    if (newest.empty() || protocol::version_index(v) > protocol::version_index(newest)) newest = v;
  }
  if (*ctx.facts().fallback_version == newest) {
    ctx.pass(CheckId::lifecycle_version_latest_preferred);
  } else {
    ctx.violation(CheckId::lifecycle_version_latest_preferred,
                  "the fallback version is not the newest the server supports",
                  {newest, *ctx.facts().fallback_version});
  }
}

void probe_pre_init(Context& ctx) {
  bool http = ctx.transport_kind() == transport::TransportKind::http;
  struct Probe {
    CheckId check;
    const char* method;
  };
  for (const Probe& p : {Probe{CheckId::lifecycle_pre_init_request_rejected, "tools/list"},
                         Probe{CheckId::lifecycle_pre_init_ping_allowed, "ping"}}) {
    if (!ctx.wants(p.check) || ctx.interrupted()) continue;
    // A stateless Streamable HTTP server (it issued no session id to the main connection) cannot
    // tell a request before initialize from one after it: every POST stands alone.
    if (p.check == CheckId::lifecycle_pre_init_request_rejected && http && ctx.http() != nullptr &&
        ctx.http()->session_id().empty()) {
      ctx.skip(p.check,
               "the server issues no session id (stateless HTTP), so it cannot know whether a request "
               "comes before initialize");
      continue;
    }
    auto t = ctx.fresh_transport();
    if (!t) {
      ctx.error(p.check, "could not open a fresh connection: " + t.error().message);
      continue;
    }
    protocol::Session s(**t, ctx.timeout());
    ctx.observe(s);
    auto ex = s.request(p.method);
    int status = http ? static_cast<transport::HttpTransport*>(t->get())->last_response().status : 0;
    bool answered = ex && ex->reply;
    bool success = answered && ex->reply->json->contains("result");
    std::string observed =
        answered ? brief(*ex->reply->json) : (status ? "HTTP " + std::to_string(status) : "no reply");
    if (std::string(p.method) == "tools/list") {
      if (success)
        ctx.violation(p.check, "tools/list before initialize succeeded", {"an error", observed});
      else
        ctx.pass(p.check);
    } else if (success) {
      ctx.pass(p.check);
    } else if (http && status == 400) {
      ctx.pass(p.check, "note: HTTP 400 (no session yet) for a ping before initialize");
    } else {
      ctx.violation(p.check, "ping before initialize was not answered", {"result: {}", observed});
    }
    (*t)->close();
  }
}

void probe_pre_initialized(Context& ctx) {
  CheckId id = CheckId::lifecycle_pre_initialized_no_server_requests;
  if (!ctx.wants(id) || ctx.interrupted()) return;
  auto c = ctx.fresh_connection(ctx.version(), false);
  if (!c) {
    ctx.error(id, "could not open a fresh connection: " + c.error().message);
    return;
  }
  std::vector<protocol::Received> seen = (*c)->init->exchange.others;
  Barrier b = ping_barrier(ctx, *(*c)->session);
  seen.insert(seen.end(), b.before.begin(), b.before.end());
  for (const auto& r : seen) {
    if (!r.json || json::classify(*r.json) != json::MessageKind::request) continue;
    std::string method = r.json->value("method", "");
    if (method != "ping") {
      ctx.violation(id, method + " sent before notifications/initialized",
                    {"only ping and logging before initialized", brief(*r.json, 160), {r.wire.trace_id}});
      return;
    }
  }
  ctx.pass(id);
}

}  // namespace

std::vector<Step> lifecycle_steps() {
  return {
      {"version negotiation", probe_echo_supported, {CheckId::lifecycle_version_echo_supported}, 4},
      {"unsupported versions",
       probe_unsupported,
       {CheckId::lifecycle_version_unsupported_fallback, CheckId::lifecycle_version_latest_preferred},
       3},
      {"before initialize",
       probe_pre_init,
       {CheckId::lifecycle_pre_init_ping_allowed, CheckId::lifecycle_pre_init_request_rejected},
       2},
      {"before initialized",
       probe_pre_initialized,
       {CheckId::lifecycle_pre_initialized_no_server_requests},
       1},
  };
}

}  // namespace mcp_probe::checks
