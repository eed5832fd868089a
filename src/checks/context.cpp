#include "context.h"

#include <fnmatch.h>

#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/transport/http.h"
#include "mcp_probe/transport/legacy_sse.h"
#include "mcp_probe/transport/stdio.h"
#include "passive.h"

namespace mcp_probe::checks {

namespace {

int rank(Status s) {
  switch (s) {
    case Status::skip: return 0;
    case Status::error: return 1;
    case Status::pass: return 2;
    case Status::warn: return 3;
    case Status::fail: return 4;
  }
  return 0;
}

unsigned transport_bit(const std::string& kind) {
  if (kind == "stdio") return k_stdio;
  if (kind == "http") return k_http;
  if (kind == "sse") return k_sse;
  return 0;
}

// Some rows are MUST from one version on and SHOULD before it.
Level effective_level(const CheckDef& def, const std::string& version) {
  const std::string& id = def.info.id;
  bool before_25_06 = !version.empty() && !protocol::at_least(version, "2025-06-18");
  bool before_25_11 = !version.empty() && !protocol::at_least(version, "2025-11-25");
  if ((id == "lifecycle.capabilities.client-respected" || id == "lifecycle.operation.version-respected") &&
      before_25_06) {
    return Level::should;
  }
  if (id == "tools.input-schema.valid-dialect" && before_25_11) return Level::should;
  return def.info.level;
}

}  // namespace

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
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
    if (out.size() >= max) return out + "…";
  }
  return out;
}

Context::Context(const RunOptions& options, transport::Tracer& tracer)
    : m_options(options), m_tracer(tracer), m_passive(std::make_unique<Passive>()) {}

Context::~Context() {
  // End the connection while the passive state it reports to still exists.
  m_main.reset();
}

protocol::Target Context::target() const {
  protocol::Target t;
  t.url = m_options.url;
  t.command = m_options.command;
  t.env = m_options.env;
  t.cwd = m_options.cwd;
  t.transport = m_options.transport;
  t.headers = m_options.headers;
  t.bearer = m_options.bearer;
  t.insecure = m_options.insecure;
  t.cacert = m_options.cacert;
  t.connect_timeout = util::Millis(static_cast<long long>(m_options.connect_timeout_s * 1000));
  t.request_timeout = timeout();
  return t;
}

bool Context::wants(const std::string& id) const {
  if (!selected(m_options, id)) return false;
  const CheckDef* def = find_def(id);
  if (def == nullptr) return false;
  if (!m_version.empty() && (def->versions & version_bit(m_version)) == 0) return false;
  if (!m_transport_kind.empty() && (def->transports & transport_bit(m_transport_kind)) == 0) return false;
  return true;
}

Context::Record& Context::record(const std::string& id) {
  auto it = m_records.find(id);
  if (it != m_records.end()) return it->second;
  Record r;
  if (const CheckDef* def = find_def(id)) r.result.info = def->info;
  r.result.info.id = id;
  r.result.status = Status::skip;
  return m_records.emplace(id, std::move(r)).first->second;
}

void Context::set(const std::string& id, Status status, const std::string& message, Evidence evidence) {
  if (!selected(m_options, id)) return;
  // After Ctrl-C every wait gives up at once: a failure seen now is the interruption, not the
  // server. The check is recorded as interrupted.
  if (interrupted() && (status == Status::fail || status == Status::warn)) {
    set(id, Status::error, "interrupted (Ctrl-C) while this check was running", {});
    return;
  }
  Record& r = record(id);
  bool is_violation = status == Status::fail || status == Status::warn;
  if (is_violation) ++r.violations;
  if (status == Status::pass) ++r.passes;
  r.result.duration_ms = util::monotonic_ms() - m_step_started;
  bool first = r.passes + r.violations <= 1 && r.result.message.empty();
  if (rank(status) > rank(r.result.status) || first) {
    r.result.status = status;
    r.result.message = message;
    r.result.expected = std::move(evidence.expected);
    r.result.observed = std::move(evidence.observed);
    r.result.trace_refs = std::move(evidence.refs);
  } else if (is_violation && rank(status) == rank(r.result.status)) {
    // Keep the first violation's words; say how many more there were.
    auto pos = r.result.message.rfind(" (+");
    std::string base = pos == std::string::npos ? r.result.message : r.result.message.substr(0, pos);
    r.result.message = base + " (+" + std::to_string(r.violations - 1) + " more)";
  }
  // Once per check, when it is first decided (the progress line counts checks, not events).
  if (m_options.on_result && !r.reported) {
    r.reported = true;
    m_options.on_result(r.result);
  }
}

void Context::pass(const std::string& id, const std::string& message) { set(id, Status::pass, message, {}); }

void Context::violation(const std::string& id, const std::string& message, Evidence evidence) {
  violation_in(m_version, id, message, std::move(evidence));
}

void Context::violation_in(const std::string& version, const std::string& id, const std::string& message,
                           Evidence evidence) {
  const CheckDef* def = find_def(id);
  Level level = def ? effective_level(*def, version) : Level::must;
  switch (level) {
    case Level::must: set(id, Status::fail, message, std::move(evidence)); break;
    case Level::should: set(id, Status::warn, message, std::move(evidence)); break;
    case Level::info: set(id, Status::pass, message, std::move(evidence)); break;
  }
}

void Context::fail(const std::string& id, const std::string& message, Evidence evidence) {
  set(id, Status::fail, message, std::move(evidence));
}

void Context::warn(const std::string& id, const std::string& message, Evidence evidence) {
  set(id, Status::warn, message, std::move(evidence));
}

void Context::info(const std::string& id, const std::string& message) { set(id, Status::pass, message, {}); }

void Context::skip(const std::string& id, const std::string& reason) {
  if (!selected(m_options, id)) return;
  Record& r = record(id);
  if (r.result.status == Status::skip) r.result.message = reason;
}

void Context::error(const std::string& id, const std::string& reason) { set(id, Status::error, reason, {}); }

bool Context::failed(const std::string& id) const {
  auto it = m_records.find(id);
  return it != m_records.end() && (it->second.result.status == Status::fail || it->second.result.status == Status::warn);
}

void Context::set_main(std::unique_ptr<protocol::Connection> c) {
  m_main = std::move(c);
}

void Context::set_version(std::string v) {
  m_version = std::move(v);
  m_passive->version = m_version;
}

bool Context::has_capability(const std::string& name) {
  const Json& caps = session().server_capabilities();
  return caps.is_object() && caps.contains(name) && !caps[name].is_null();
}

transport::HttpTransport* Context::http() {
  return m_main ? dynamic_cast<transport::HttpTransport*>(m_main->transport.get()) : nullptr;
}

int Context::last_http_status() {
  if (auto* h = http()) return h->last_response().status;
  if (auto* l = legacy_sse()) return l->post_statuses().empty() ? 0 : l->post_statuses().back();
  return 0;
}

transport::StdioTransport* Context::stdio() {
  return m_main ? dynamic_cast<transport::StdioTransport*>(m_main->transport.get()) : nullptr;
}

transport::LegacySseTransport* Context::legacy_sse() {
  return m_main ? dynamic_cast<transport::LegacySseTransport*>(m_main->transport.get()) : nullptr;
}

void Context::note_step_failure(const std::string& step, const std::string& what) {
  if (m_step_failure.empty()) m_step_failure = "not run: the probe step '" + step + "' stopped on unexpected data (" + what + ")";
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

util::Expected<std::unique_ptr<protocol::Connection>> Context::fresh_connection(const std::string& version,
                                                                                 bool send_initialized) {
  protocol::Target t = target();
  t.transport = m_transport_kind.empty() ? m_options.transport : m_transport_kind;
  // Probe connections end quickly: their shutdown is not what is being checked.
  t.stdin_close_wait = t.sigterm_wait = util::Millis(250);
  auto transport = protocol::open_transport(t, t.transport, m_tracer);
  if (!transport) return transport.error();
  auto c = std::make_unique<protocol::Connection>();
  c->transport = std::move(*transport);
  c->transport_used = t.transport;
  c->session = std::make_unique<protocol::Session>(*c->transport, timeout());
  observe(*c->session);
  auto init = c->session->initialize(version, Json::object(), send_initialized);
  if (!init) return init.error();
  c->init = std::move(*init);
  if (auto* h = dynamic_cast<transport::HttpTransport*>(c->transport.get())) {
    if (protocol::is_known_version(c->init->protocol_version)) h->set_protocol_version(c->init->protocol_version);
  }
  return c;
}

util::Expected<std::unique_ptr<transport::Transport>> Context::fresh_transport() {
  protocol::Target t = target();
  t.transport = m_transport_kind.empty() ? m_options.transport : m_transport_kind;
  t.stdin_close_wait = t.sigterm_wait = util::Millis(250);
  return protocol::open_transport(t, t.transport, m_tracer);
}

std::vector<CheckResult> Context::results() const {
  std::vector<CheckResult> out;
  for (const CheckDef& def : check_defs()) {
    if (!selected(m_options, def.info.id)) continue;
    auto it = m_records.find(def.info.id);
    if (it != m_records.end()) {
      out.push_back(it->second.result);
      continue;
    }
    CheckResult r;
    r.info = def.info;
    r.status = Status::skip;
    if (!m_version.empty() && (def.versions & version_bit(m_version)) == 0) {
      r.message = "not applicable to protocol version " + m_version;
    } else if (!m_transport_kind.empty() && (def.transports & transport_bit(m_transport_kind)) == 0) {
      r.message = "not applicable to the " + m_transport_kind + " transport";
    } else if (!m_step_failure.empty()) {
      r.status = Status::error;
      r.message = m_step_failure;
    } else if (def.info.kind == Kind::fixture) {
      r.message = "needs an allowed tool or fixture (see --allow-tool)";
    } else {
      r.message = "not exercised by this run";
    }
    out.push_back(std::move(r));
  }
  return out;
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
