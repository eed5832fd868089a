#pragma once

// The mcp-probe command line as data. parse_options() is the only place that knows CLI11; it
// writes nothing and never throws, so tests call it directly. Every usage error is found here,
// before anything starts: bad JSON in --params/--tool-args, malformed or control characters in
// --header, a URL without a host or with a port outside 1-65535, --transport that does not fit
// the target, an unknown --protocol-version, an --only/--skip selection that matches no check,
// a missing --cacert file or --cwd directory (stat only). Files the command writes or reads
// (--expected-failures, --output, --junit, --trace) are opened when the command runs.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcp_probe/checks/engine.h"
#include "mcp_probe/report/catalog_list.h"
#include "mcp_probe/report/render.h"
#include "mcp_probe/util/expected.h"

namespace mcp_probe::cli {

enum class Command { probe, call, list_checks, selftest };
enum class ColorMode { auto_detect, always, never };

// The environment variables mcp-probe reads, passed in so parsing stays pure.
struct Environment {
  std::optional<std::string> bearer;    // MCP_PROBE_BEARER
  std::optional<std::string> no_color;  // NO_COLOR (any non-empty value disables colour)
  std::optional<std::string> term;      // TERM ("dumb" disables colour)
  static Environment current();         // reads the process environment
};

struct Options {
  Command command = Command::probe;
  // Target, connection and check selection, as the engine takes them (interrupted/on_result
  // are filled in by the command).
  checks::RunOptions run;
  // Reports.
  bool fail_on_should = false;         // --fail-on should
  std::string expected_failures_path;  // --expected-failures FILE
  report::Format format = report::Format::human;
  std::string output_path;  // --output FILE ("" = stdout)
  std::string junit_path;   // --junit FILE
  ColorMode color = ColorMode::auto_detect;
  bool timings = false;
  // Tracing.
  int verbosity = 0;       // -v = 1, -vv = 2
  std::string trace_path;  // --trace FILE (NDJSON)
  bool redact = true;      // --no-redact clears it
  // Credentials taken out of the URL (user:password@), hidden in traces and reports.
  std::vector<std::string> secrets;
  // call
  std::string method;
  nlohmann::json params = nlohmann::json::object();
  // list-checks
  report::ListFormat list_format = report::ListFormat::text;
  // --help / --version: print this on stdout and exit 0 without running anything.
  std::optional<std::string> early_output;
};

// Parses argv (argv[0] is the program name). Errors are ErrorKind::usage with a one-line
// message (no "mcp-probe: error:" prefix; the caller adds it and exits 2).
util::Expected<Options> parse_options(int argc, const char* const* argv, const Environment& env);

}  // namespace mcp_probe::cli
