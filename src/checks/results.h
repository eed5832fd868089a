#pragma once

// The result records of one run: the single place where a check's outcome is recorded, and so
// the single place where selection (--only/--skip) and applicability (protocol version,
// transport) are enforced, for active and passive checks alike. Not thread-safe: the engine
// runs one step at a time, and passive observers run on the caller's thread.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check_def.h"
#include "mcp_probe/checks/engine.h"
#include "mcp_probe/util/deadline.h"

namespace mcp_probe::checks {

// What a check observed, for the report.
struct Evidence {
  std::string expected;
  std::string observed;
  std::vector<std::uint64_t> refs = {};
  // When set, the diagnosis for what was observed, in place of the catalog row's (a row's text
  // may describe a crash where the server dropped the input and kept working).
  std::string diagnosis = {};
};

class Results {
 public:
  explicit Results(const RunOptions& options) : m_options(options) {}

  // The scope of the run: the protocol version the main connection negotiated (or asked for)
  // and the transport in use. Unknown (empty / nullopt) means "not decided yet": applicable.
  void set_version(std::string version) { m_version = std::move(version); }
  const std::string& version() const { return m_version; }
  void set_transport(std::optional<transport::TransportKind> kind) { m_transport = kind; }
  // The server's declared capabilities (CapabilityBits), once known: a check whose rule needs a
  // capability the server does not declare is not applicable from then on.
  void set_capabilities(unsigned declared) { m_capabilities = declared; }
  std::optional<transport::TransportKind> transport() const { return m_transport; }

  bool selected(CheckId id) const;
  // Why `id` does not apply to this run ("" when it does).
  std::string not_applicable(CheckId id) const;
  // Selected and applicable: worth probing.
  bool wants(CheckId id) const { return selected(id) && not_applicable(id).empty(); }

  // Records one outcome of `id`, seen on a connection that negotiated `version` (tagged on the
  // result). Outcomes merge: the worst status wins (fail > warn > pass > error > skip), the first
  // violation's words are kept with a count of the others. Ignored when `id` is not selected or
  // not applicable to the run.
  void record(CheckId id, Status status, const std::string& message, Evidence evidence,
              const std::string& version);
  // A broken rule: fail for the MUST level of `version`, warn for SHOULD, a pass noting it for INFO.
  void violation(CheckId id, const std::string& message, Evidence evidence, const std::string& version);
  // Why `id` was not decided, unless something was recorded for it.
  void skip(CheckId id, const std::string& reason);
  bool recorded(CheckId id) const { return m_records[index_of(id)].has_value(); }
  // Recorded as a violation (fail or warn).
  bool failed(CheckId id) const;

  // The engine calls this as each step starts: a check's duration is the time from the start of
  // the step that decided it to its last recorded outcome.
  void begin_step() { m_step_started = util::monotonic_ms(); }

  // A step stopped on unexpected data: those of `owned` it had not yet decided become errors
  // naming it. Other checks are not affected.
  void step_failed(std::string_view step, std::string_view what, const std::vector<CheckId>& owned);

  // The final list in catalog order: selected checks only; undecided ones become skips saying
  // why (not applicable, needs a fixture, not exercised).
  std::vector<CheckResult> finish() const;

 private:
  struct Record {
    CheckResult result;
    int violations = 0;
    int passes = 0;
    bool reported = false;  // on_result was called
  };
  Record& slot(CheckId id);
  bool interrupted() const { return m_options.interrupted != nullptr && m_options.interrupted->load(); }

  const RunOptions& m_options;
  std::string m_version;
  std::optional<transport::TransportKind> m_transport;
  std::optional<unsigned> m_capabilities;
  std::array<std::optional<Record>, k_check_count> m_records;
  double m_step_started = util::monotonic_ms();
};

}  // namespace mcp_probe::checks
