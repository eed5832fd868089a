#pragma once

// The engine's working state during one run, shared by every sequence: the options, the main
// connection, the result records, and helpers to open fresh connections for destructive probes.
// This is the step API: a step is a function of Context&, and the built-in sequences are lists
// of steps (sequences.h). User-written probe scripts will drive the same API.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "check_def.h"
#include "mcp_probe/checks/engine.h"
#include "mcp_probe/protocol/connect.h"
#include "mcp_probe/protocol/session.h"
#include "results.h"

namespace mcp_probe::transport {
class HttpTransport;
class StdioTransport;
class LegacySseTransport;
}  // namespace mcp_probe::transport

namespace mcp_probe::checks {

using json::Json;

// Facts one step learns for later ones (typed, so a script can rely on them).
struct Facts {
  std::set<std::string> supported_versions;     // from lifecycle.version.echo-supported
  std::optional<std::string> fallback_version;  // what the server answered an unsupported version with
  Json tools = Json::array();                   // every page of tools/list
  Json resources = Json::array();
  Json templates = Json::array();
  Json prompts = Json::array();
  double connect_ms = 0;    // spawn or first request to the initialize response
  std::string stderr_tail;  // stdio: the server's last stderr lines
};

// The step API: a step is a function of Context&. Context holds the run's three jobs apart:
// results() (recording, with selection and applicability enforced there), the connections (the
// main one and fresh ones for destructive probes, all observed by the passive checks), and
// facts() shared between steps. Not thread-safe; one step runs at a time.
class Context {
 public:
  Context(const RunOptions& options, transport::Tracer& tracer);
  ~Context();

  const RunOptions& options() const { return m_options; }
  transport::Tracer& tracer() { return m_tracer; }
  const protocol::Target& target() const { return m_target; }

  // --- results (see Results; every call is a no-op for a check not selected or not applicable)
  Results& results() { return m_results; }
  bool wants(CheckId id) const { return m_results.wants(id); }
  void pass(CheckId id, const std::string& message = "");
  // A broken rule: fail for MUST checks, warn for SHOULD ones, an informational note for INFO.
  void violation(CheckId id, const std::string& message, Evidence evidence = {});
  // The same, for a rule broken on a connection that negotiated `version` (a probe connection
  // may differ from the main one): rows whose level depends on the version take it from there.
  void violation_in(const std::string& version, CheckId id, const std::string& message,
                    Evidence evidence = {});
  // Explicit outcomes where the level depends on what was seen.
  void fail(CheckId id, const std::string& message, Evidence evidence = {});
  void warn(CheckId id, const std::string& message, Evidence evidence = {});
  void info(CheckId id, const std::string& message);
  void skip(CheckId id, const std::string& reason);
  void error(CheckId id, const std::string& reason);
  bool recorded(CheckId id) const { return m_results.recorded(id); }
  bool failed(CheckId id) const { return m_results.failed(id); }

  // --- facts shared between steps
  Facts& facts() { return m_facts; }

  // --- the main connection -----------------------------------------------------------------
  protocol::Session& session() { return *m_main->session; }
  // Initialized (handshake era), or speaking 2026-07-28 (no initialize there).
  bool connected() const {
    return m_main != nullptr && m_main->session != nullptr && (m_main->init.has_value() || m_main->modern);
  }
  // This context is the run's 2026-07-28 pass: its main session speaks the modern era.
  bool modern() const { return m_main != nullptr && m_main->modern; }
  protocol::Connection& main_connection() { return *m_main; }
  void set_main(std::unique_ptr<protocol::Connection> c);
  // The run's protocol version (negotiated on the main connection, or asked for until then).
  const std::string& version() const { return m_results.version(); }
  void set_version(std::string v);
  // The transport in use (nullopt until known).
  std::optional<transport::TransportKind> transport_kind() const { return m_results.transport(); }
  void set_transport_kind(std::optional<transport::TransportKind> kind) { m_results.set_transport(kind); }
  const Json& capabilities() { return session().server_capabilities(); }
  bool has_capability(const std::string& name);
  // The main connection's transport when it is of that kind, else nullptr.
  transport::HttpTransport* http();
  transport::StdioTransport* stdio();
  transport::LegacySseTransport* legacy_sse();
  // The status of the last POST on the main connection (HTTP or legacy SSE); 0 on stdio.
  int last_http_status();
  util::Millis timeout() const { return m_target.request_timeout; }
  util::Deadline request_deadline() const { return util::Deadline::after(timeout()); }

  // A new connection initialized with `version` (for destructive or version probes), observed
  // by the passive checks. Empty with an error when it cannot be opened or initialized.
  util::Expected<std::unique_ptr<protocol::Connection>> fresh_connection(const std::string& version,
                                                                         bool send_initialized = true);
  // A new connection speaking `version` of the modern era (no initialize; every request carries
  // the _meta fields and, on HTTP, the modern headers), observed by the passive checks.
  util::Expected<std::unique_ptr<protocol::Connection>> fresh_modern_connection(
      const std::string& version, const Json& client_capabilities = Json::object());
  // fresh_connection for each of `versions` at once, each on its own thread (a server that takes
  // half a second to start costs that once, not once per version); results in the same order.
  // Only the connections' observers run meanwhile, one at a time (observe()).
  std::vector<util::Expected<std::unique_ptr<protocol::Connection>>> fresh_connections(
      const std::vector<std::string>& versions, bool send_initialized = true);
  // A new transport with no initialize at all (pre-init probes); one started ahead when there is.
  util::Expected<std::unique_ptr<transport::Transport>> fresh_transport();
  // Starts `n` servers now for fresh_transport() to hand out later, so that their start-up
  // overlaps the steps before them (stdio only: a fresh HTTP connection costs nothing). Those
  // never handed out end with the context.
  void start_ahead(std::size_t n);
  // Hooks a session's traffic into the passive checks.
  void observe(protocol::Session& session);

  bool interrupted() const { return m_options.interrupted != nullptr && m_options.interrupted->load(); }

  struct Passive;  // passive-check state (passive.cpp)
  Passive& passive() { return *m_passive; }

 private:
  // A session's traffic kept for the passive checks to see later (fresh_connections). Bounded
  // like an Exchange's sample, whatever a server sends before its initialize reply: the first
  // protocol::k_max_others messages (k_max_others_bytes of received bytes) are kept.
  struct Recording {
    struct Event {
      std::optional<Json> sent;
      std::optional<protocol::Received> received;
    };
    std::vector<Event> events;
    std::size_t received_bytes = 0;
    bool full() const {
      return events.size() >= protocol::k_max_others || received_bytes >= protocol::k_max_others_bytes;
    }
  };
  // fresh_connection; with `recording`, the traffic goes there instead of the passive checks.
  util::Expected<std::unique_ptr<protocol::Connection>> connect_fresh(const std::string& version,
                                                                      bool send_initialized,
                                                                      Recording* recording);
  protocol::Target probe_target() const;

  const RunOptions& m_options;
  transport::Tracer& m_tracer;
  const protocol::Target m_target;
  Results m_results;
  Facts m_facts;
  // Before m_main: sessions' observers use it until the connection is gone.
  std::unique_ptr<Passive> m_passive;
  // Servers started ahead (start_ahead), oldest first.
  std::mutex m_spare_mutex;
  std::vector<std::unique_ptr<transport::Transport>> m_spare;

  std::unique_ptr<protocol::Connection> m_main;
};

// A step of a sequence: a name (for progress), what it does, and the checks it decides. When
// a step throws (server data of a shape nobody foresaw), the checks it owns and had not yet
// decided become errors naming it; other steps' checks are untouched.
struct Step {
  const char* name;
  std::function<void(Context&)> run;
  std::vector<CheckId> owns = {};
  // How many fresh servers the step starts over stdio: the pass starts them ahead (start_ahead).
  std::size_t fresh_servers = 0;
};

// Runs one step: a throw becomes errors on the checks the step owns.
void run_step(Context& ctx, const Step& step);

// Safe member access for server data, which may have any shape: a member of the wrong type
// reads as absent instead of throwing.
std::string str(const Json& object, const char* key);
bool flag(const Json& object, const char* key);
Json member(const Json& object, const char* key, Json fallback = Json());

// Short one-line rendering of JSON for evidence (truncated).
std::string brief(const Json& value, std::size_t max = 300);
std::string brief_raw(const std::string& raw, std::size_t max = 300);
// "; the server says: \"<error.message>\"" for an error reply that explains itself (a missing
// API key, no cluster), so a failure caused by the server's environment reads as one; else "".
std::string server_says(const std::optional<Json>& reply);

}  // namespace mcp_probe::checks
