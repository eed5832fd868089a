#pragma once

// The commands behind the command line. Each takes parsed Options, does its I/O, prints what it
// has to (reports on stdout or --output, diagnostics as one "mcp-probe: error: ..." line on
// stderr) and returns the exit code. They may throw only on programming errors; cli::main
// catches everything.

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

#include "mcp_probe/cli/options.h"
#include "mcp_probe/report/verdict.h"

namespace mcp_probe::cli {

// Exit codes (README, man page).
constexpr int k_exit_ok = 0;
constexpr int k_exit_failures = 1;
constexpr int k_exit_usage = 2;
constexpr int k_exit_unreachable = 3;
constexpr int k_exit_interrupted = 130;

int exit_code(report::Outcome outcome);

// Set by the SIGINT handler that cli::main installs.
std::atomic<bool>& interrupted_flag();

// Prints "mcp-probe: error: <message>" (one line: newlines become "; ") on stderr.
void print_error(std::string_view message);
void print_warning(std::string_view message);

int run_probe(const Options& options, const Environment& env);     // mcp-probe URL | -- CMD
int run_call(const Options& options, const Environment& env);      // mcp-probe call
int run_list_checks(const Options& options);                       // mcp-probe list-checks
int run_selftest(const Options& options, const Environment& env);  // mcp-probe selftest

// The progress line's total: the catalog checks that --only/--skip select.
int progress_total(const checks::RunOptions& run);

// selftest: the URL in an mcp-refserver stderr line "listening on http://HOST:PORT/mcp".
std::optional<std::string> parse_listening_line(std::string_view line);

}  // namespace mcp_probe::cli
