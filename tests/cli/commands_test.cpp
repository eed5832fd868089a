// The mcp-probe executable end to end: exit codes and what reaches stdout and stderr.

#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "mcp_probe/checks/catalog.h"
#include "mcp_probe/cli/commands.h"
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
    const CliRun run =
        run_cli({"call", "--protocol-version", "2025-11-25", "ping", "--", MCP_REFSERVER_BIN}, "/dev/full");
    CHECK(run.code == 2);
    CHECK(run.err.find("writing to stdout failed") != std::string::npos);
  }
  SUBCASE("--help") {
    const CliRun run = run_cli({"--help"}, "/dev/full");
    CHECK(run.code == 2);
  }
  SUBCASE("the same commands succeed on a writable stdout") {
    CHECK(run_cli({"list-checks"}).code == 0);
    // ping is a handshake-era method: a dual-era server is spoken to in 2026-07-28 unless pinned.
    const CliRun call =
        run_cli({"call", "--protocol-version", "2025-11-25", "ping", "--", MCP_REFSERVER_BIN});
    CHECK(call.code == 0);
    CHECK(call.out == "{}\n");
    const CliRun discover = run_cli({"call", "server/discover", "--", MCP_REFSERVER_BIN});
    CHECK(discover.code == 0);
    CHECK(discover.out.find("supportedVersions") != std::string::npos);
  }
}

TEST_CASE("cli::commands a run that cannot connect is one screen") {
  SUBCASE("a command that does not exist") {
    const CliRun run = run_cli({"--", "mcp-probe-no-such-command"});
    CHECK(run.code == 3);
    INFO(run.out);
    CHECK(run.lines() <= 40);
    CHECK(run.out.find("Could not connect: stdio.spawn") != std::string::npos);
    CHECK(run.out.find("command not found") != std::string::npos);
    CHECK(run.out.find("checks not run") != std::string::npos);
    CHECK(run.out.find("ERROR") == std::string::npos);
  }
  SUBCASE("a file that is not executable") {
    const CliRun run = run_cli({"--", MCP_PROBE_SOURCE_DIR "/README.md"});
    CHECK(run.code == 3);
    INFO(run.out);
    CHECK(run.lines() <= 40);
    CHECK(run.out.find("Could not connect: stdio.spawn") != std::string::npos);
    CHECK(run.out.find("permission denied") != std::string::npos);
  }
  SUBCASE("a closed port, in human and Markdown output") {
    for (const char* format : {"human", "markdown"}) {
      const CliRun run = run_cli({"--format", format, "--timeout", "2", "http://127.0.0.1:1/mcp"});
      CHECK(run.code == 3);
      INFO(run.out);
      CHECK(run.lines() <= 40);
      CHECK(run.out.find("connectivity.connect") != std::string::npos);
      CHECK(run.out.find("stdio.") == std::string::npos);
      CHECK(run.out.find("checks not run") != std::string::npos);
    }
  }
  SUBCASE("JSON keeps every row; checks of another transport are SKIP, not ERROR") {
    const CliRun run = run_cli({"--format", "json", "--timeout", "2", "http://127.0.0.1:1/mcp"});
    CHECK(run.code == 3);
    const auto report = nlohmann::json::parse(run.out, nullptr, false);
    REQUIRE(report.is_object());
    int rows = 0;
    for (const auto& check : report["checks"]) {
      ++rows;
      const std::string id = check["id"];
      if (id.rfind("stdio.", 0) == 0) {
        CHECK(check["status"] == "skip");
        CHECK(check["message"].get<std::string>().rfind("not applicable", 0) == 0);
      }
      if (id == "connectivity.connect") CHECK(check["status"] == "fail");
    }
    CHECK(rows > 40);
  }
}

TEST_CASE("cli::commands the progress total follows --only and --skip") {
  mcp_probe::checks::RunOptions run;
  const int all = mcp_probe::cli::progress_total(run);
  CHECK(all == static_cast<int>(mcp_probe::checks::catalog().size()));
  run.only = {"lifecycle.*"};
  const int lifecycle = mcp_probe::cli::progress_total(run);
  CHECK(lifecycle > 0);
  CHECK(lifecycle < all);
  run.skip = {"lifecycle.init.*"};
  CHECK(mcp_probe::cli::progress_total(run) < lifecycle);
}

TEST_CASE("cli::commands human output shows values of info checks and measured timings") {
  const CliRun run = run_cli({"--timings", "--only", "stdio.*", "--", MCP_REFSERVER_BIN});
  CHECK(run.code == 0);
  INFO(run.out);
  CHECK(run.out.find("ms from spawn to the initialize response") != std::string::npos);
  // Not every check may take a whole millisecond, but not all of them are 0 ms.
  int timed = 0;
  for (std::size_t at = run.out.find(" ms)"); at != std::string::npos; at = run.out.find(" ms)", at + 1)) {
    if (run.out.compare(at - 2, 2, "(0") != 0) ++timed;
  }
  CHECK(timed > 0);
}

namespace {

// Sends SIGINT to mcp-probe once its trace shows the first request went out (server/discover, the
// era probe that comes before initialize).
std::function<void(const std::string&, mcp_probe::util::Process&)> interrupt_after_initialize(bool& sent) {
  return [&sent](const std::string& err, mcp_probe::util::Process& p) {
    if (!sent && err.find("server/discover") != std::string::npos) sent = p.signal_group(SIGINT);
  };
}

}  // namespace

TEST_CASE("cli::commands Ctrl-C wakes every wait and exits 130") {
  SUBCASE("the probe, against a server that never answers initialize") {
    bool sent = false;
    const auto started = std::chrono::steady_clock::now();
    const CliRun run = run_cli({"-v", "--connect-timeout", "120", "--", "sleep", "100"}, "",
                               interrupt_after_initialize(sent), mcp_probe::util::Millis(60000));
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
    REQUIRE(sent);
    CHECK(run.code == 130);
    CHECK(seconds < 30);  // the wait was for 120 s
    INFO(run.out);
    CHECK(run.out.find("INTERRUPTED") != std::string::npos);
    CHECK(run.out.find("interrupted (Ctrl-C)") != std::string::npos);
    CHECK(run.out.find("diagnosis") == std::string::npos);  // no diagnosis of a hang that was Ctrl-C
  }
  SUBCASE("call kills the server it spawned") {
    // The server prints its pid on stderr, which -v traces: SIGINT once both it and the first
    // request (server/discover) have shown.
    bool sent = false;
    auto when_ready = [&sent](const std::string& err, mcp_probe::util::Process& p) {
      if (!sent && err.find("stderr server-pid=") != std::string::npos &&
          err.find("server/discover") != std::string::npos) {
        sent = p.signal_group(SIGINT);
      }
    };
    const CliRun run = run_cli({"-v", "call", "--connect-timeout", "120", "ping", "--", "/bin/sh", "-c",
                                "echo server-pid=$$ >&2; exec sleep 100"},
                               "", when_ready, mcp_probe::util::Millis(60000));
    REQUIRE(sent);
    CHECK(run.code == 130);
    const auto at = run.err.find("stderr server-pid=");
    REQUIRE(at != std::string::npos);
    const pid_t server = static_cast<pid_t>(std::atol(run.err.c_str() + at + 18));
    REQUIRE(server > 0);
    CHECK(kill(server, 0) != 0);  // gone, not left running
  }
}

TEST_CASE("cli::commands echoed targets are capped") {
  const std::string url = "http://127.0.0.1:1/" + std::string(100000, 'a');
  for (const char* format : {"human", "json"}) {
    const CliRun run = run_cli({"--format", format, "--timeout", "2", url});
    CHECK(run.code == 3);
    CHECK(run.out.size() < 200000);  // was about 10 MB
    CHECK(run.err.size() < 2000);
  }
}
