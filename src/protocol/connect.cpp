#include "mcp_probe/protocol/connect.h"

#include "mcp_probe/protocol/modern.h"

#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/transport/http.h"
#include "mcp_probe/transport/legacy_sse.h"
#include "mcp_probe/transport/stdio.h"

namespace mcp_probe::protocol {

namespace {

// HttpTransportOptions and LegacySseOptions carry the same target fields.
template <typename Options>
Options network_options(const Target& target, transport::Tracer& tracer) {
  Options o;
  o.url = target.url;
  o.headers = target.headers;
  o.bearer_token = target.bearer;
  o.insecure = target.insecure;
  o.cacert = target.cacert;
  o.connect_timeout = target.connect_timeout;
  o.tracer = &tracer;
  return o;
}

}  // namespace

transport::HttpTransportOptions http_options(const Target& target, transport::Tracer& tracer) {
  return network_options<transport::HttpTransportOptions>(target, tracer);
}

transport::LegacySseOptions sse_options(const Target& target, transport::Tracer& tracer) {
  return network_options<transport::LegacySseOptions>(target, tracer);
}

util::Expected<std::unique_ptr<transport::Transport>> open_transport(const Target& target,
                                                                     const std::string& kind,
                                                                     transport::Tracer& tracer) {
  if (kind == "stdio") {
    if (target.command.empty()) return util::make_error(util::ErrorKind::usage, "no command to spawn");
    transport::StdioOptions o;
    o.argv = target.command;
    o.env = target.env;
    o.cwd = target.cwd;
    o.stdin_close_wait = target.stdin_close_wait;
    o.sigterm_wait = target.sigterm_wait;
    o.tracer = &tracer;
    auto t = transport::StdioTransport::start(o);
    if (!t) return t.error();
    return std::unique_ptr<transport::Transport>(std::move(*t));
  }
  if (target.url.empty()) return util::make_error(util::ErrorKind::usage, "no URL to connect to");
  if (kind == "http") {
    return std::unique_ptr<transport::Transport>(
        std::make_unique<transport::HttpTransport>(http_options(target, tracer)));
  }
  if (kind == "sse") {
    auto t = std::make_unique<transport::LegacySseTransport>(sse_options(target, tracer));
    auto ok = t->connect(util::Deadline::after(target.connect_timeout + target.request_timeout));
    if (!ok) return ok.error();
    return std::unique_ptr<transport::Transport>(std::move(t));
  }
  return util::make_error(util::ErrorKind::usage,
                          "unknown transport '" + kind + "' (use auto, stdio, http or sse)");
}

namespace {

// Initializes over `c.transport`; the transport stays in `c` whatever happens, so a caller can
// still look at what the server answered.
util::Expected<void> initialize_on(Connection& c, const std::string& kind, const Target& target,
                                   const std::string& version, const Json& capabilities, double started,
                                   const std::function<void(Session&)>& on_session) {
  c.transport_used = kind;
  // The answer to initialize may wait for a slow start (the connect timeout); the rest of the
  // session waits the per-request timeout.
  if (!c.session) {
    c.session = std::make_unique<Session>(*c.transport, target.connect_timeout);
    if (on_session) on_session(*c.session);
  } else {
    c.session->set_request_timeout(target.connect_timeout);
  }
  auto init = c.session->initialize(version, capabilities);
  c.session->set_request_timeout(target.request_timeout);
  if (!init) return init.error();
  c.init = std::move(*init);
  c.connect_ms = util::monotonic_ms() - started;
  if (auto* h = dynamic_cast<transport::HttpTransport*>(c.transport.get())) {
    if (is_known_version(c.init->protocol_version)) h->set_protocol_version(c.init->protocol_version);
  }
  return {};
}

}  // namespace

const char* to_string(ServerEra era) {
  switch (era) {
    case ServerEra::modern_only:
      return "modern-only";
    case ServerEra::dual:
      return "dual-era";
    case ServerEra::handshake_only:
      return "handshake-only";
    case ServerEra::unknown:
      break;
  }
  return "unknown";
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string error_words(const Json& reply) {
  const Json& e = reply["error"];
  if (!e.is_object()) return "an error " + json::dump(e).substr(0, 120);
  std::string out = "error " + (e.contains("code") ? json::dump(e["code"]) : std::string("(no code)"));
  if (e.contains("message") && e["message"].is_string())
    out += " \"" + e["message"].get<std::string>() + "\"";
  return out.substr(0, 200);
}

// server/discover on `c`'s fresh transport, the modern era's probe (versioning.mdx: a
// recognised modern answer identifies a modern server; anything else a legacy one).
util::Expected<void> discover_on(Connection& c, const std::string& kind, const Target& target,
                                 const ModernProfile& profile, double started,
                                 const std::function<void(Session&)>& on_session) {
  c.transport_used = kind;
  c.session = std::make_unique<Session>(*c.transport, target.request_timeout);
  c.session->set_modern(profile);
  if (on_session) on_session(*c.session);
  auto ex = c.session->discover();
  if (!ex) return ex.error();
  c.connect_ms = util::monotonic_ms() - started;
  EraProbe& p = c.probe;
  p.discover = *ex;
  if (!ex->reply || !ex->reply->json) {
    p.discover_said = !ex->send_error.empty() ? ex->send_error : ex->ended_by;
    return {};
  }
  const Json& reply = *ex->reply->json;
  if (reply.is_object() && reply.contains("result") && reply["result"].is_object()) {
    const Json& r = reply["result"];
    p.modern = p.modern_version_supported = true;
    if (r.contains("supportedVersions") && r["supportedVersions"].is_array()) {
      for (const auto& v : r["supportedVersions"])
        if (v.is_string()) p.supported.push_back(v.get<std::string>());
    }
    p.discover_said = "a DiscoverResult (supportedVersions: " + join(p.supported) + ")";
  } else if (reply.is_object() && reply.contains("error")) {
    p.modern = is_modern_error(reply);
    if (auto s = supported_versions(reply)) p.supported = *s;
    p.discover_said = error_words(reply);
    if (!ex->send_error.empty()) p.discover_said += " (" + ex->send_error.substr(0, 120) + ")";
  } else {
    p.discover_said = "an answer that is neither result nor error";
  }
  return {};
}

}  // namespace

util::Expected<Connection> connect(const Target& target, const std::string& version,
                                   transport::Tracer& tracer, const Json& client_capabilities,
                                   const std::function<void(Session&)>& on_session, EraPlan plan) {
  double started = util::monotonic_ms();
  std::string kind = target.transport;
  if (kind == "auto") kind = target.command.empty() ? "http" : "stdio";
  auto t = open_transport(target, kind, tracer);
  if (!t) return t.error();
  Connection c;
  c.transport = std::move(*t);
  if (plan != EraPlan::handshake) {
    const std::string modern = plan == EraPlan::modern ? version : latest_modern_version();
    auto probed =
        discover_on(c, kind, target, ModernProfile{modern, client_capabilities}, started, on_session);
    if (!probed) return probed.error();
    if (plan == EraPlan::prefer_modern && c.probe.modern_version_supported) {
      c.modern = true;
      return c;
    }
    if (plan == EraPlan::modern) {
      if (c.probe.modern_version_supported) {
        c.modern = true;  // its era stays unknown: initialize was not tried
        return c;
      }
      std::string why = c.probe.modern ? "the server does not support protocol version " + version +
                                             " (it supports: " + join(c.probe.supported) + ")"
                                       : "the server does not speak protocol version " + version +
                                             ": server/discover got " + c.probe.discover_said;
      return util::make_error(util::ErrorKind::protocol, why);
    }
    if (c.probe.modern && plan == EraPlan::detect) {
      // Is it dual-era? initialize on a connection of its own: a modern client never sends
      // initialize where it spoke modern, and the handshake pass wants a session of its own.
      auto legacy_t = open_transport(target, kind, tracer);
      if (!legacy_t) return legacy_t.error();
      Connection l;
      l.transport = std::move(*legacy_t);
      auto lok =
          initialize_on(l, kind, target, version, client_capabilities, util::monotonic_ms(), on_session);
      if (lok) {
        l.probe = c.probe;
        l.probe.initialize_said = l.init->protocol_version;
        l.era = c.era = ServerEra::dual;
        c.modern = true;
        c.probe.initialize_said = l.probe.initialize_said;
        l.modern_side = std::make_unique<Connection>(std::move(c));
        return l;
      }
      // "initialize failed with a JSON-RPC error: {...}": the error's own words are enough here.
      std::string said = lok.error().message;
      const std::string prefix = "initialize failed with a JSON-RPC error: ";
      if (said.rfind(prefix, 0) == 0) {
        auto e = json::parse(said.substr(prefix.size()));
        said = e ? error_words(Json{{"error", *e}}) : said.substr(prefix.size());
      }
      c.probe.initialize_said = said.substr(0, 200);
      c.modern = true;
      c.era = ServerEra::modern_only;
      return c;
    }
    // Not modern: the handshake on the same transport, as the spec's fallback does.
    c.session->set_modern(std::nullopt);
    if (on_session) on_session(*c.session);
  }
  auto ok = initialize_on(c, kind, target, version, client_capabilities, started, on_session);
  if (ok) {
    if (plan == EraPlan::detect) {
      c.era = ServerEra::handshake_only;
      c.probe.initialize_said = c.init->protocol_version;
    }
    return c;
  }
  auto* http = dynamic_cast<transport::HttpTransport*>(c.transport.get());
  if (target.transport != "auto" || http == nullptr) return ok.error();
  // The spec's backwards-compatibility rule: a 400, 404 or 405 to the POST means a legacy
  // HTTP+SSE server may be there; try GET and wait for the endpoint event.
  int status = http->last_response().status;
  if (status != 400 && status != 404 && status != 405) return ok.error();
  auto legacy = open_transport(target, "sse", tracer);
  if (!legacy) {
    return util::make_error(
        ok.error().kind,
        ok.error().message + "; the legacy HTTP+SSE fallback failed too: " + legacy.error().message);
  }
  Connection l;
  l.transport = std::move(*legacy);
  auto lok = initialize_on(l, "sse", target, version, client_capabilities, started, on_session);
  if (!lok) return lok.error();
  if (plan == EraPlan::detect) {
    l.probe = c.probe;
    l.probe.initialize_said = l.init->protocol_version;
    l.era = ServerEra::handshake_only;
  }
  return l;
}

}  // namespace mcp_probe::protocol
