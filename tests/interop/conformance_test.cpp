// Interop: the official MCP conformance suite (@modelcontextprotocol/conformance, server side)
// against mcp-refserver's Streamable HTTP front-end, on 127.0.0.1, in two versions:
//   0.1.16          --suite all                       (the handshake-era revisions)
//   0.2.0-alpha.12  --requirements 2026-07-28         (the scenarios 2026-07-28 requires, plus the
//                                                      not-scored tasks extension and pending ones)
//   0.2.0-alpha.12  --suite active
// Each must report 0 failed. scripts/peers installs both suites side by side and a Node 22 runtime
// into REPO/.peers on first use (npm); without npm or the registry the tests fail (CI has both).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <regex>
#include <string>

#include "support/peer_server.h"

TEST_SUITE_BEGIN("interop");

namespace {

const std::string k_repo = MCP_PROBE_SOURCE_DIR;
using mcp_probe::testing::peers::run_shell;

// mcp-refserver --transport http --port 0 in its own process group; killed by the destructor.
class RefServer {
 public:
  RefServer() {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    m_pid = fork();
    REQUIRE(m_pid >= 0);
    if (m_pid == 0) {
      setpgid(0, 0);
      dup2(fds[1], STDERR_FILENO);
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, STDIN_FILENO);
      dup2(devnull, STDOUT_FILENO);
      execl(MCP_REFSERVER_BIN, MCP_REFSERVER_BIN, "--transport", "http", "--port", "0",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    m_stderr = fds[0];
    m_url = read_url();
  }
  ~RefServer() {
    if (m_pid > 0) {
      kill(m_pid, SIGTERM);
      int status = 0;
      for (int i = 0; i < 50 && waitpid(m_pid, &status, WNOHANG) == 0; ++i) usleep(100000);
      if (waitpid(m_pid, &status, WNOHANG) == 0) {
        kill(m_pid, SIGKILL);
        waitpid(m_pid, &status, 0);
      }
    }
    if (m_stderr >= 0) close(m_stderr);
  }
  const std::string& url() const { return m_url; }

 private:
  // The "listening on URL" line, within 10 s.
  std::string read_url() {
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (text.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{m_stderr, POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buf[256];
      ssize_t n = read(m_stderr, buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    std::smatch m;
    std::regex re("listening on (http://127\\.0\\.0\\.1:[0-9]+/mcp)");
    if (!std::regex_search(text, m, re)) return {};
    return m[1];
  }

  pid_t m_pid = -1;
  int m_stderr = -1;
  std::string m_url;
};

// Runs suite `version` with `args` against a fresh mcp-refserver; checks "Total: N passed, 0 failed".
void run_suite(const std::string& version, const std::string& args) {
  std::string out;
  REQUIRE_MESSAGE(
      run_shell("command -v npm", out) == 0,
      "npm is not installed: cannot install @modelcontextprotocol/conformance (scripts/peers install)");
  const std::string peers = k_repo + "/scripts/peers";
  const std::string env = "CONFORMANCE_VERSION='" + version + "' ";
  std::string install_log;
  REQUIRE_MESSAGE(run_shell(env + "'" + peers + "' install '" + k_repo + "/.peers'", install_log) == 0,
                  "scripts/peers install failed (is the npm registry reachable?):\n"
                      << install_log);

  RefServer server;
  REQUIRE(!server.url().empty());
  std::string log;
  int status = run_shell(
      env + "'" + peers + "' conformance '" + k_repo + "/.peers' '" + server.url() + "' " + args, log);

  std::size_t summary = log.find("=== SUMMARY ===");
  MESSAGE((summary == std::string::npos ? log : log.substr(summary)));
  std::smatch m;
  REQUIRE(std::regex_search(log, m, std::regex("Total: ([0-9]+) passed, ([0-9]+) failed")));
  int passed = std::stoi(m[1]);
  int failed = std::stoi(m[2]);
  CHECK(passed > 0);
  CHECK(failed == 0);
  // Warnings count as failures for the suite's own exit status.
  CHECK(status == 0);
}

}  // namespace

TEST_CASE("interop::conformance suite 0.1.16 all") { run_suite("0.1.16", "--suite all"); }

TEST_CASE("interop::conformance suite 0.2.0-alpha.12 requirements 2026-07-28") {
  run_suite("0.2.0-alpha.12", "--requirements 2026-07-28");
}

TEST_CASE("interop::conformance suite 0.2.0-alpha.12 active") {
  run_suite("0.2.0-alpha.12", "--suite active");
}

TEST_SUITE_END();
