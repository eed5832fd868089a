#include "mcp_probe/protocol/connect.h"

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
  c.session = std::make_unique<Session>(*c.transport, target.connect_timeout);
  if (on_session) on_session(*c.session);
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

util::Expected<Connection> connect(const Target& target, const std::string& version,
                                   transport::Tracer& tracer, const Json& client_capabilities,
                                   const std::function<void(Session&)>& on_session) {
  double started = util::monotonic_ms();
  std::string kind = target.transport;
  if (kind == "auto") kind = target.command.empty() ? "http" : "stdio";
  auto t = open_transport(target, kind, tracer);
  if (!t) return t.error();
  Connection c;
  c.transport = std::move(*t);
  auto ok = initialize_on(c, kind, target, version, client_capabilities, started, on_session);
  if (ok) return c;
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
  return l;
}

}  // namespace mcp_probe::protocol
