#pragma once

// What a probe run produces: one CheckResult per catalog check, plus facts about the target.
// Plain data; the report module turns it into human / JSON / JUnit / Markdown output.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mcp_probe::checks {

enum class Status { pass, fail, warn, skip, error };
enum class Level { must, should, info };
// P = passive (every message), A = active probe, X = deliberately malformed input,
// F = needs an allowed tool or opt-in fixture.
enum class Kind { passive, active, negative, fixture };

const char* to_string(Status s);
const char* to_string(Level l);
const char* to_string(Kind k);

// The static description of a check: what the catalog table holds.
struct CheckInfo {
  std::string id;    // exactly as in REQUIREMENTS.md, e.g. "http.session.unknown-404"
  std::string area;  // the group used to order and group reports: "jsonrpc", "lifecycle", ...
  Level level = Level::must;
  Kind kind = Kind::active;
  std::string versions;    // human-readable: "all", "25-03…25-11", ...
  std::string transports;  // human-readable: "all", "http", "stdio", "sse"
  // The server capability the rule is about ("tools", "resources", ...; "" for none): a server
  // that does not declare it is not bound by the rule, and the check is "not applicable".
  std::string needs;
  // Where the level differs by version: the versions of `earlier_level` ("" when one level).
  std::string earlier_versions;
  Level earlier_level = Level::must;
  std::string title;      // one line
  std::string spec;       // URL on modelcontextprotocol.io (page and section)
  std::string diagnosis;  // likely causes and the fix, for a server author
};

// One violation recorded for a check: a result keeps the first one's words in its message and
// counts the others ("(+2 more)"); its details list them all.
struct Detail {
  Status status = Status::fail;
  std::string message;
  std::string expected;
  std::string observed;
};

struct CheckResult {
  CheckInfo info;  // info.diagnosis may be the words for what was observed, not the row's
  Status status = Status::skip;
  std::string message;                    // one line: what happened (why skipped, what failed)
  std::string expected;                   // what the spec wants (may be empty on pass)
  std::string observed;                   // what the server did: status code, header, JSON pointer and value
  std::vector<std::uint64_t> trace_refs;  // trace event ids that show it
  std::string protocol_version;           // the version of the connection it was decided on ("" = undecided)
  double duration_ms = 0;
  std::vector<Detail> details;  // every violation (fail or warn), in order; at most k_max_details
  int details_dropped = 0;      // violations beyond that
};

constexpr std::size_t k_max_details = 50;

struct RunSummary {
  int pass = 0, fail = 0, warn = 0, skip = 0, error = 0;
};

// One protocol era a run probed: a dual-era server is probed in both, each with its own
// connection and its own results.
struct EraRun {
  std::string era;               // "modern" (2026-07-28) or "handshake" (initialize)
  std::string protocol_version;  // what this era's checks ran under
  bool connected = false;
  nlohmann::json server_info;   // serverInfo (InitializeResult, or the results' _meta in modern)
  nlohmann::json capabilities;  // InitializeResult or DiscoverResult capabilities
};

// Everything a report needs.
struct RunReport {
  std::string tool_version;
  std::string target;            // URL or the command line
  std::string transport;         // "stdio", "http", "sse" (what was actually used)
  std::string protocol_version;  // the newest era's version; empty when no era connected
  std::string server_era;        // "modern-only", "dual-era", "handshake-only" ("" = not probed)
  std::vector<EraRun> eras;      // oldest first; two for a dual-era server
  nlohmann::json server_info;    // InitializeResult.serverInfo (null when unknown)
  nlohmann::json capabilities;   // InitializeResult.capabilities (null when unknown)
  // Catalog order; with two eras a check that applies to both appears once per era (oldest
  // first), each tagged with CheckResult::protocol_version.
  std::vector<CheckResult> checks;
  std::string stderr_tail;  // stdio: the last lines the server wrote on stderr
  double wall_ms = 0;
  bool connected = false;    // false: could not reach/start/initialize (exit code 3)
  bool interrupted = false;  // Ctrl-C (exit code 130)

  RunSummary summary() const;
};

}  // namespace mcp_probe::checks
