// The mcp-probe executable end to end: exit codes and what reaches stdout and stderr.

#include <doctest/doctest.h>

#include "support/cli_runner.h"

TEST_SUITE_BEGIN("integration");

using mcp_probe::testing::CliRun;
using mcp_probe::testing::run_cli;

TEST_CASE("cli::commands a failed write to stdout exits 2") {
  SUBCASE("list-checks") {
    const CliRun run = run_cli({"list-checks"}, "/dev/full");
    CHECK(run.code == 2);
    CHECK(run.err.find("writing to stdout failed") != std::string::npos);
  }
  SUBCASE("the probe's report") {
    // A closed port: the report is short and the run would exit 3; the lost report wins.
    const CliRun run = run_cli({"--timeout", "2", "http://127.0.0.1:1/mcp"}, "/dev/full");
    CHECK(run.code == 2);
    CHECK(run.err.find("writing to stdout failed") != std::string::npos);
  }
  SUBCASE("call") {
    const CliRun run = run_cli({"call", "ping", "--", MCP_REFSERVER_BIN}, "/dev/full");
    CHECK(run.code == 2);
    CHECK(run.err.find("writing to stdout failed") != std::string::npos);
  }
  SUBCASE("--help") {
    const CliRun run = run_cli({"--help"}, "/dev/full");
    CHECK(run.code == 2);
  }
  SUBCASE("the same commands succeed on a writable stdout") {
    CHECK(run_cli({"list-checks"}).code == 0);
    const CliRun call = run_cli({"call", "ping", "--", MCP_REFSERVER_BIN});
    CHECK(call.code == 0);
    CHECK(call.out == "{}\n");
  }
}
