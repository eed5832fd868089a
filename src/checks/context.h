#pragma once

// The engine's working state during one run, shared by every sequence: the options, the main
// connection, the result records, and helpers to open fresh connections for destructive probes.
// This is the step API: a step is a function of Context&, and the built-in sequences are lists
// of steps (sequences.h). User-written probe scripts will drive the same API.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "check_def.h"
#include "mcp_probe/checks/engine.h"
#include "mcp_probe/protocol/connect.h"
#include "mcp_probe/protocol/session.h"

namespace mcp_probe::transport {
class HttpTransport;
class StdioTransport;
class LegacySseTransport;
}  // namespace mcp_probe::transport

namespace mcp_probe::checks {

using json::Json;

// What a check observed, for the report.
struct Evidence {
  std::string expected;
  std::string observed;
  std::vector<std::uint64_t> refs = {};
};

class Context {
 public:
  Context(const RunOptions& options, transport::Tracer& tracer);
  ~Context();

  const RunOptions& options() const { return m_options; }
  transport::Tracer& tracer() { return m_tracer; }
  protocol::Target target() const;

  // --- results -----------------------------------------------------------------------------
  // Is the check selected (--only/--skip) and applicable to this version and transport?
  bool wants(const std::string& id) const;
  void pass(const std::string& id, const std::string& message = "");
  // A broken rule: fail for MUST checks, warn for SHOULD ones, an informational note for INFO.
  void violation(const std::string& id, const std::string& message, Evidence evidence = {});
  // The same, for a rule broken on a connection that negotiated `version` (a probe connection
  // may differ from the main one): rows whose level depends on the version take it from there.
  void violation_in(const std::string& version, const std::string& id, const std::string& message,
                    Evidence evidence = {});
  // Explicit outcomes where the level depends on what was seen.
  void fail(const std::string& id, const std::string& message, Evidence evidence = {});
  void warn(const std::string& id, const std::string& message, Evidence evidence = {});
  void info(const std::string& id, const std::string& message);
  void skip(const std::string& id, const std::string& reason);
  void error(const std::string& id, const std::string& reason);
  bool recorded(const std::string& id) const { return m_records.count(id) > 0; }
  bool failed(const std::string& id) const;

  // --- the main connection -----------------------------------------------------------------
  protocol::Session& session() { return *m_main->session; }
  bool connected() const { return m_main != nullptr && m_main->session != nullptr && m_main->init.has_value(); }
  protocol::Connection& main_connection() { return *m_main; }
  void set_main(std::unique_ptr<protocol::Connection> c);
  const std::string& version() const { return m_version; }
  void set_version(std::string v);
  const std::string& transport_kind() const { return m_transport_kind; }
  void set_transport_kind(std::string t) { m_transport_kind = std::move(t); }
  const Json& capabilities() { return session().server_capabilities(); }
  bool has_capability(const std::string& name);
  transport::HttpTransport* http();
  transport::StdioTransport* stdio();
  // The status of the last POST on the main connection (HTTP or legacy SSE); 0 on stdio.
  int last_http_status();
  transport::LegacySseTransport* legacy_sse();
  util::Millis timeout() const { return util::Millis(static_cast<long long>(m_options.timeout_s * 1000)); }
  util::Deadline request_deadline() const { return util::Deadline::after(timeout()); }

  // A new connection initialized with `version` (for destructive or version probes), observed
  // by the passive checks. Empty with an error when it cannot be opened or initialized.
  util::Expected<std::unique_ptr<protocol::Connection>> fresh_connection(const std::string& version,
                                                                          bool send_initialized = true);
  // A new transport with no initialize at all (pre-init probes).
  util::Expected<std::unique_ptr<transport::Transport>> fresh_transport();
  // Hooks a session's traffic into the passive checks.
  void observe(protocol::Session& session);

  bool interrupted() const { return m_options.interrupted != nullptr && m_options.interrupted->load(); }
  // The engine calls this as each step starts: a check's duration is the time from the start of
  // the step that decided it to its last recorded outcome.
  void begin_step() { m_step_started = util::monotonic_ms(); }

  // Facts collected along the way, for later steps.
  std::set<std::string> supported_versions;  // from lifecycle.version.echo-supported
  std::optional<std::string> fallback_version;
  Json tools = Json::array();
  Json resources = Json::array();
  Json templates = Json::array();
  Json prompts = Json::array();
  double connect_ms = 0;
  std::string stderr_tail;

  // A step that stopped on unexpected data: its unrecorded checks become errors naming it.
  void note_step_failure(const std::string& step, const std::string& what);

  // The final list of results in catalog order (unrecorded checks become skips).
  std::vector<CheckResult> results() const;

  struct Passive;  // passive-check state (passive.cpp)
  Passive& passive() { return *m_passive; }

 private:
  struct Record {
    CheckResult result;
    int violations = 0;
    int passes = 0;
    bool reported = false;  // on_result was called
  };
  Record& record(const std::string& id);
  void set(const std::string& id, Status status, const std::string& message, Evidence evidence);

  const RunOptions& m_options;
  transport::Tracer& m_tracer;
  // Before m_main: sessions' observers use it until the connection is gone.
  std::unique_ptr<Passive> m_passive;
  std::unique_ptr<protocol::Connection> m_main;
  std::string m_version;
  std::string m_transport_kind;
  std::map<std::string, Record> m_records;
  std::string m_step_failure;
  double m_step_started = util::monotonic_ms();
};

// A step of a sequence: a name (for progress) and what it does.
struct Step {
  const char* name;
  std::function<void(Context&)> run;
};

// Safe member access for server data, which may have any shape: a member of the wrong type
// reads as absent instead of throwing.
std::string str(const Json& object, const char* key);
bool flag(const Json& object, const char* key);
Json member(const Json& object, const char* key, Json fallback = Json());

// Short one-line rendering of JSON for evidence (truncated).
std::string brief(const Json& value, std::size_t max = 300);
std::string brief_raw(const std::string& raw, std::size_t max = 300);

}  // namespace mcp_probe::checks
