#include "context.h"

#include <fnmatch.h>

#include <algorithm>
#include <thread>

#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/transport/http.h"
#include "mcp_probe/transport/legacy_sse.h"
#include "mcp_probe/transport/stdio.h"
#include "passive.h"

namespace mcp_probe::checks {

std::string str(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

bool flag(const Json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

Json member(const Json& object, const char* key, Json fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (!fallback.is_null() && it->type() != fallback.type()) return fallback;
  return *it;
}

std::string brief(const Json& value, std::size_t max) { return brief_raw(json::dump(value), max); }

std::string brief_raw(const std::string& raw, std::size_t max) {
  std::string out;
  for (char c : raw) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
    if (out.size() >= max) return out + "…";
  }
  return out;
}

std::string server_says(const std::optional<Json>& reply) {
  if (!reply || !reply->is_object()) return "";
  const Json error = member(*reply, "error", Json::object());
  const std::string message = str(error, "message");
  if (message.empty()) return "";
  return "; the server says: \"" + brief_raw(message, 200) + "\"";
}

Context::Context(const RunOptions& options, transport::Tracer& tracer)
    : m_options(options),
      m_tracer(tracer),
      m_target(options.target),
      m_results(options),
      m_passive(std::make_unique<Passive>()) {}

Context::~Context() {
  // End the connection while the passive state it reports to still exists.
  m_main.reset();
}

void Context::pass(CheckId id, const std::string& message) {
  m_results.record(id, Status::pass, message, {}, version());
}

void Context::violation(CheckId id, const std::string& message, Evidence evidence) {
  m_results.violation(id, message, std::move(evidence), version());
}

void Context::violation_in(const std::string& version, CheckId id, const std::string& message,
                           Evidence evidence) {
  m_results.violation(id, message, std::move(evidence), version);
}

void Context::fail(CheckId id, const std::string& message, Evidence evidence) {
  m_results.record(id, Status::fail, message, std::move(evidence), version());
}

void Context::warn(CheckId id, const std::string& message, Evidence evidence) {
  m_results.record(id, Status::warn, message, std::move(evidence), version());
}

void Context::info(CheckId id, const std::string& message) {
  m_results.record(id, Status::pass, message, {}, version());
}

void Context::skip(CheckId id, const std::string& reason) { m_results.skip(id, reason); }

void Context::error(CheckId id, const std::string& reason) {
  m_results.record(id, Status::error, reason, {}, version());
}

void Context::set_main(std::unique_ptr<protocol::Connection> c) {
  m_main = std::move(c);
  // From here on, a rule about a capability the server does not declare is not applicable.
  if (m_main && m_main->session)
    m_results.set_capabilities(capability_bits(m_main->session->server_capabilities()));
}

void Context::set_version(std::string v) {
  m_passive->version = v;
  m_results.set_version(std::move(v));
}

bool Context::has_capability(const std::string& name) {
  const Json& caps = session().server_capabilities();
  return caps.is_object() && caps.contains(name) && !caps[name].is_null();
}

// Transport::kind() names the class for http (HttpTransport) and sse (LegacySseTransport); a
// stdio-kind transport may also be a test's in-memory fake, so that one is still checked.
transport::HttpTransport* Context::http() {
  if (!m_main || !m_main->transport || m_main->transport->kind() != transport::TransportKind::http)
    return nullptr;
  return static_cast<transport::HttpTransport*>(m_main->transport.get());
}

transport::StdioTransport* Context::stdio() {
  if (!m_main || !m_main->transport || m_main->transport->kind() != transport::TransportKind::stdio)
    return nullptr;
  return dynamic_cast<transport::StdioTransport*>(m_main->transport.get());
}

transport::LegacySseTransport* Context::legacy_sse() {
  if (!m_main || !m_main->transport || m_main->transport->kind() != transport::TransportKind::sse)
    return nullptr;
  return static_cast<transport::LegacySseTransport*>(m_main->transport.get());
}

int Context::last_http_status() {
  if (auto* h = http()) return h->last_response().status;
  if (auto* l = legacy_sse()) return l->post_statuses().empty() ? 0 : l->post_statuses().back();
  return 0;
}

void run_step(Context& ctx, const Step& step) {
  // Checks never throw by design; this is the safety net that keeps one unforeseen shape of
  // server data from ending the whole run.
  ctx.results().begin_step();
  try {
    step.run(ctx);
  } catch (const std::exception& e) {
    ctx.results().step_failed(step.name, e.what(), step.owns);
  }
}

void Context::observe(protocol::Session& session) {
  // A new session may reuse a dead one's address: start its facts afresh.
  m_passive->sessions.erase(&session);
  protocol::Session* s = &session;
  // Passive checks look at arbitrary server data; an unforeseen shape is dropped, not fatal
  // (schema validation reports it).
  session.set_send_observer([this, s](const Json& message, const std::string&) {
    try {
      passive_on_send(*this, *s, message);
    } catch (const std::exception&) {
    }
  });
  session.set_observer([this, s](const protocol::Received& r) {
    try {
      passive_on_receive(*this, *s, r);
    } catch (const std::exception&) {
    }
  });
}

std::vector<util::Expected<std::unique_ptr<protocol::Connection>>> Context::fresh_connections(
    const std::vector<std::string>& versions, bool send_initialized) {
  using Result = util::Expected<std::unique_ptr<protocol::Connection>>;
  std::vector<std::optional<Result>> slots(versions.size());
  // Each connection's traffic, kept while they connect at once and shown to the passive checks
  // afterwards, connection by connection: the report does not depend on which server was faster.
  std::vector<Recording> recordings(versions.size());
  std::vector<std::thread> threads;
  threads.reserve(versions.size());
  for (std::size_t i = 0; i < versions.size(); ++i) {
    threads.emplace_back([this, &slots, &versions, &recordings, i, send_initialized] {
      try {
        slots[i].emplace(connect_fresh(versions[i], send_initialized, &recordings[i]));
      } catch (const std::exception& e) {
        slots[i].emplace(util::Error{util::ErrorKind::io, std::string("could not connect: ") + e.what()});
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<Result> out;
  out.reserve(slots.size());
  for (std::size_t i = 0; i < slots.size(); ++i) {
    Result& r = *slots[i];
    if (r) {
      protocol::Session& session = *(*r)->session;
      observe(session);
      for (const auto& event : recordings[i].events) {
        try {
          if (event.sent)
            passive_on_send(*this, session, *event.sent);
          else
            passive_on_receive(*this, session, *event.received);
        } catch (const std::exception&) {
        }
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

util::Expected<std::unique_ptr<protocol::Connection>> Context::fresh_connection(const std::string& version,
                                                                                bool send_initialized) {
  return connect_fresh(version, send_initialized, nullptr);
}

util::Expected<std::unique_ptr<protocol::Connection>> Context::connect_fresh(const std::string& version,
                                                                             bool send_initialized,
                                                                             Recording* recording) {
  protocol::Target t = probe_target();
  auto transport = fresh_transport();
  if (!transport) return transport.error();
  auto c = std::make_unique<protocol::Connection>();
  c->transport = std::move(*transport);
  c->transport_used = t.transport;
  // A freshly started server may be as slow to answer initialize as the main one was: wait for
  // three times its start-up (at least the request timeout, at most the connect timeout), not the
  // whole connect timeout for a server that never answers this version.
  const auto started = util::Millis(static_cast<long long>(3 * m_facts.connect_ms));
  const util::Millis init_wait = std::min(t.connect_timeout, std::max(timeout(), started));
  c->session = std::make_unique<protocol::Session>(*c->transport, init_wait);
  if (recording != nullptr) {
    c->session->set_send_observer([recording](const Json& message, const std::string&) {
      if (!recording->full()) recording->events.push_back({message, {}});
    });
    c->session->set_observer([recording](const protocol::Received& r) {
      if (recording->full()) return;
      recording->received_bytes += r.wire.raw.size();
      recording->events.push_back({{}, r});
    });
  } else {
    observe(*c->session);
  }
  auto init = c->session->initialize(version, Json::object(), send_initialized);
  c->session->set_request_timeout(timeout());
  if (!init) return init.error();
  c->init = std::move(*init);
  if (c->transport->kind() == transport::TransportKind::http &&
      protocol::is_known_version(c->init->protocol_version)) {
    static_cast<transport::HttpTransport*>(c->transport.get())
        ->set_protocol_version(c->init->protocol_version);
  }
  return c;
}

util::Expected<std::unique_ptr<protocol::Connection>> Context::fresh_modern_connection(
    const std::string& version, const Json& client_capabilities) {
  protocol::Target t = probe_target();
  auto transport = protocol::open_transport(t, t.transport, m_tracer);
  if (!transport) return transport.error();
  auto c = std::make_unique<protocol::Connection>();
  c->transport = std::move(*transport);
  c->transport_used = t.transport;
  c->modern = true;
  c->session = std::make_unique<protocol::Session>(*c->transport, timeout());
  c->session->set_modern(protocol::ModernProfile{version, client_capabilities, true});
  observe(*c->session);
  return c;
}

util::Expected<std::unique_ptr<transport::Transport>> Context::fresh_transport() {
  {
    std::lock_guard<std::mutex> lock(m_spare_mutex);
    if (!m_spare.empty()) {
      auto t = std::move(m_spare.front());
      m_spare.erase(m_spare.begin());
      return t;
    }
  }
  protocol::Target t = probe_target();
  return protocol::open_transport(t, t.transport, m_tracer);
}

void Context::start_ahead(std::size_t n) {
  if (transport_kind() != transport::TransportKind::stdio) return;
  protocol::Target t = probe_target();
  for (std::size_t i = 0; i < n; ++i) {
    auto opened = protocol::open_transport(t, t.transport, m_tracer);
    if (!opened) return;  // fresh_transport() will say why, when a step asks
    std::lock_guard<std::mutex> lock(m_spare_mutex);
    m_spare.push_back(std::move(*opened));
  }
}

protocol::Target Context::probe_target() const {
  protocol::Target t = m_target;
  if (auto kind = transport_kind()) t.transport = transport::to_string(*kind);
  // Probe connections end quickly: their shutdown is not what is being checked.
  t.stdin_close_wait = t.sigterm_wait = util::Millis(250);
  return t;
}

bool selected(const RunOptions& options, const std::string& id) {
  auto matches = [&](const std::vector<std::string>& globs) {
    for (const auto& g : globs) {
      if (fnmatch(g.c_str(), id.c_str(), 0) == 0) return true;
    }
    return false;
  };
  if (!options.only.empty() && !matches(options.only)) return false;
  return !matches(options.skip);
}

}  // namespace mcp_probe::checks
