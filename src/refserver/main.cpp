// The mcp-refserver command line: options -> Config -> a front-end. Never throws; a usage error
// is one line on stderr and exit status 2.

#include "mcp_probe/refserver/main.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "mcp_probe/refserver/faults.h"
#include "mcp_probe/refserver/frontends.h"

namespace mcp_probe::refserver {

namespace {

constexpr int k_usage_exit = 2;

struct Options {
  Config config;
  HttpOptions http;
  std::vector<std::string> faults;
  std::string era = "dual";
  bool list_faults = false;
  bool version = false;
};

void build_app(CLI::App& app, Options& options) {
  app.add_option("--transport", options.config.transport, "Transport: stdio (default), http or sse")
      ->check(CLI::IsMember({"stdio", "http", "sse"}));
  app.add_option("--host", options.http.host, "Address to bind for http/sse (default 127.0.0.1)");
  app.add_option("--port", options.http.port, "Port for http/sse (default 0: any free port)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--era", options.era,
                 "Protocol eras: dual (default: modern requests get 2026-07-28, initialize a handshake-era "
                 "version), modern (2026-07-28 only) or legacy (the initialize handshake only)")
      ->check(CLI::IsMember({"dual", "modern", "legacy"}));
  app.add_option("--fault", options.faults, "Break one rule on purpose (repeatable; see --list-faults)");
  app.add_option("--page-size", options.config.page_size,
                 "Items per page of every list method (0: no paging)")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--response-mode", options.config.response_mode, "HTTP replies as json or sse (default sse)")
      ->check(CLI::IsMember({"json", "sse"}));
  app.add_flag("--sse-poll", options.config.sse_poll,
               "HTTP (2025-11-25): close each POST SSE stream after its priming event; clients resume with "
               "GET and Last-Event-ID");
  app.add_flag("--list-faults", options.list_faults, "List the faults and the check each one breaks");
  app.add_flag("--version", options.version, "Print the version and exit");
}

void print_faults() {
  for (const FaultInfo& fault : fault_table()) {
    std::printf("%-30s %-46s %s\n", std::string(fault.name).c_str(), std::string(fault.breaks).c_str(),
                std::string(fault.summary).c_str());
  }
}

int run(int argc, char** argv) {
  CLI::App app{"mcp-refserver: a conforming reference MCP server that breaks one rule on demand"};
  app.name("mcp-refserver");
  Options options;
  build_app(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "mcp-refserver: error: %s\n", e.what());
    return k_usage_exit;
  }
  if (options.version) {
    std::printf("mcp-refserver %s\n", MCP_PROBE_VERSION);
    return 0;
  }
  if (options.list_faults) {
    print_faults();
    return 0;
  }
  for (const std::string& name : options.faults) {
    if (!find_fault(name)) {
      std::fprintf(stderr, "mcp-refserver: error: unknown fault '%s' (see --list-faults)\n", name.c_str());
      return k_usage_exit;
    }
    options.config.faults.insert(name);
  }
  options.config.era = options.era == "modern"   ? ServeEra::modern
                       : options.era == "legacy" ? ServeEra::legacy
                                                 : ServeEra::dual;
  if (options.config.has("exit-at-start")) {
    std::fprintf(stderr, "mcp-refserver: error: exiting at start (fault exit-at-start)\n");
    return 3;
  }
  if (options.config.transport == "stdio") return run_stdio(options.config);
  static std::atomic<bool> stop{false};
  return run_http_module(options.config, options.http, stop);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mcp-refserver: error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "mcp-refserver: error: unexpected exception\n");
  }
  return 1;
}

}  // namespace mcp_probe::refserver
