#pragma once

// The conformance engine: runs the built-in probe sequences against one target and returns a
// RunReport with one result per catalog check. Blocking; every step is bounded by deadlines.

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "mcp_probe/checks/result.h"
#include "mcp_probe/protocol/connect.h"
#include "mcp_probe/transport/trace.h"

namespace mcp_probe::checks {

struct RunOptions {
  // What to probe and how to reach it: a URL or a command (argv) to spawn over stdio, the
  // transport (auto|stdio|http|sse), headers and credentials, TLS, and the connect and
  // per-request timeouts. The engine opens every connection of the run from it.
  protocol::Target target;
  std::string protocol_version;   // empty: latest supported
  double run_timeout_s = 120;     // whole run
  std::vector<std::string> only;  // globs on check ids
  std::vector<std::string> skip;
  std::vector<std::string> allow_tools;          // names, or "*"
  std::map<std::string, std::string> tool_args;  // name -> JSON text
  std::string cancel_tool;                       // a slow tool to call and cancel
  // --client-capabilities: what the 2026-07-28 pass declares in _meta clientCapabilities (and
  // answers in InputRequiredResults); the handshake pass declares none.
  std::vector<std::string> client_capabilities = {"elicitation", "sampling", "roots"};
  std::string foreign_origin = "http://mcp-probe.invalid";  // --invalid-origin: sent as invalid
  // --allow-origin: "*" = the server deliberately accepts any Origin (the invalid-Origin checks
  // are skipped); an origin = one the server allows, sent by the browser-like CORS probes.
  std::string allow_origin;
  // --browser: the server is meant for browser-based clients, so the CORS rows (field advice,
  // INFO by default) WARN. Without it they WARN only when the server shows it serves browsers
  // (it answers with Access-Control-Allow-Origin).
  bool browser = false;
  // Set from a signal handler: the run stops at the next step and reports what it has.
  const std::atomic<bool>* interrupted = nullptr;
  // Called once per check, when it is first decided (for a progress line); may be empty.
  std::function<void(const CheckResult&)> on_result;
};

// Runs every applicable check. Never throws; a target that cannot be reached, started or
// initialized yields a report with connected=false and the failing connectivity check.
RunReport run(const RunOptions& options, transport::Tracer& tracer);

// Does `id` pass the --only/--skip filters?
bool selected(const RunOptions& options, const std::string& id);

}  // namespace mcp_probe::checks
