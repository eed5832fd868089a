#pragma once

// Third-party peers of the interop tests (installed by scripts/peers into REPO/.peers): the argv a
// peer runs with, and a peer HTTP server on 127.0.0.1 for the length of a scope. Failures end the
// test (doctest REQUIRE): a missing npm or registry says so.

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mcp_probe/util/process.h"

namespace mcp_probe::testing::peers {

inline const std::string k_repo = MCP_PROBE_SOURCE_DIR;
inline const std::string k_peers_dir = k_repo + "/.peers";
inline const std::string k_peers = k_repo + "/scripts/peers";

// Runs a shell command; returns its exit status and its stdout (and stderr when `with_stderr`).
inline int run_shell(const std::string& command, std::string& output, bool with_stderr = true) {
  FILE* f = popen((command + (with_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  if (!f) return -1;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) output.append(buf, n);
  int status = pclose(f);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string quoted(const std::string& s) { return "'" + s + "'"; }

// Installs the peers with the project's script and returns the argv `scripts/peers SUBCOMMAND
// .peers MODE` prints (one argument a line), e.g. ("everything-command", "stdio"). `package`
// names what is missing when npm is; at least `min_args` arguments are expected.
inline std::vector<std::string> peer_command(const std::string& subcommand, const std::string& mode,
                                             const std::string& package, std::size_t min_args) {
  std::string out;
  REQUIRE_MESSAGE(run_shell("command -v npm", out) == 0,
                  "npm is not installed: cannot install " << package << " (scripts/peers install)");
  std::string log;
  REQUIRE_MESSAGE(run_shell(quoted(k_peers) + " install " + quoted(k_peers_dir), log) == 0,
                  "scripts/peers install failed (is the npm registry reachable?):\n"
                      << log);
  std::string lines;
  REQUIRE(run_shell(quoted(k_peers) + " " + subcommand + " " + quoted(k_peers_dir) + " " + mode, lines,
                    false) == 0);
  std::vector<std::string> argv;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) argv.push_back(line);
  }
  REQUIRE(argv.size() >= min_args);
  return argv;
}

// A free TCP port on 127.0.0.1 (the kernel's choice; released for the server to take).
inline int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  close(fd);
  REQUIRE(ok);
  return ntohs(a.sin_port);
}

inline bool accepts_connections(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// A peer HTTP server: `argv` run with PORT (a free port on 127.0.0.1, where the peer binds) and
// `env` in its environment, in its own process group, its output in a log file under .peers (a
// pipe nobody reads would fill up and stall it). The constructor returns once the port accepts
// connections (at most 30 s); the util::Process destructor kills and reaps the group, also when
// an assertion ends the test early. Serves MCP at /mcp.
class PeerHttpServer {
 public:
  PeerHttpServer(const std::string& name, const std::vector<std::string>& argv,
                 std::vector<std::pair<std::string, std::string>> env = {}) {
    m_port = free_port();
    m_log = k_peers_dir + "/" + name + "-interop-" + std::to_string(getpid()) + ".log";
    util::SpawnOptions o;
    o.argv = {"/bin/sh", "-c", "exec \"$0\" \"$@\" >\"$MCP_PROBE_PEER_LOG\" 2>&1"};
    o.argv.insert(o.argv.end(), argv.begin(), argv.end());
    o.env = std::move(env);
    o.env.emplace_back("PORT", std::to_string(m_port));
    o.env.emplace_back("MCP_PROBE_PEER_LOG", m_log);
    auto p = util::Process::spawn(o);
    REQUIRE_MESSAGE(p.has_value(), "cannot start " << name << ": " << p.error().message);
    m_process.emplace(std::move(*p));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!accepts_connections(m_port)) {
      REQUIRE_MESSAGE(!m_process->poll_exit(), name << " exited early:\n" << log_text());
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, name << " is not listening after 30 s:\n"
                                                                        << log_text());
      // Polling a port that nothing signals: there is no readiness line to wait on.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~PeerHttpServer() {
    m_process.reset();
    std::remove(m_log.c_str());
  }
  PeerHttpServer(const PeerHttpServer&) = delete;
  PeerHttpServer& operator=(const PeerHttpServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/mcp"; }

 private:
  std::string log_text() const {
    std::ifstream in(m_log);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::optional<util::Process> m_process;
  int m_port = 0;
  std::string m_log;
};

}  // namespace mcp_probe::testing::peers
