// mcp-refserver spawned over stdio: replies as single lines, exit on stdin EOF, the command
// line (--list-faults, unknown faults, exit-at-start) and the stdio-only faults.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcp_probe/refserver/faults.h"

TEST_SUITE_BEGIN("integration");

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

// A spawned mcp-refserver with pipes on stdin, stdout and stderr; killed and reaped on exit.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int in[2], out[2], err[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    REQUIRE(::pipe(err) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
      posix_spawn_file_actions_addclose(&actions, fd);
    args.insert(args.begin(), MCP_REFSERVER_BIN);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&m_pid, MCP_REFSERVER_BIN, &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    m_in = in[1];
    m_out = out[0];
    m_err = err[0];
  }
  ~Child() {
    close_stdin();
    if (m_pid > 0) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, nullptr, 0);
    }
    ::close(m_out);
    ::close(m_err);
  }
  void write_line(const std::string& line) {
    const std::string text = line + "\n";
    REQUIRE(::write(m_in, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
  void close_stdin() {
    if (m_in >= 0) ::close(m_in);
    m_in = -1;
  }
  // The next stdout line, or nullopt after 5 s.
  std::optional<std::string> read_line() { return read_from(m_out, m_out_buffer); }
  std::optional<std::string> read_err_line() { return read_from(m_err, m_err_buffer); }
  // Exit status once the child exits within `ms`; nullopt if it is still running.
  std::optional<int> wait_exit(int ms) {
    const auto until = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < until) {
      int status = 0;
      if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      ::poll(nullptr, 0, 10);
    }
    return std::nullopt;
  }
  void signal(int sig) { ::kill(m_pid, sig); }

 private:
  std::optional<std::string> read_from(int fd, std::string& buffer) {
    const auto until = Clock::now() + std::chrono::seconds(5);
    while (true) {
      const auto nl = buffer.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer.substr(0, nl);
        buffer.erase(0, nl + 1);
        return line;
      }
      const int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count());
      if (left <= 0) return std::nullopt;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, left) <= 0) return std::nullopt;
      char chunk[4096];
      const ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0) return std::nullopt;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
  }

  pid_t m_pid = -1;
  int m_in = -1, m_out = -1, m_err = -1;
  std::string m_out_buffer, m_err_buffer;
};

const char* const k_initialize =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

}  // namespace

TEST_CASE("refserver::run_stdio") {
  SUBCASE("answers initialize and tools/list, one line each, and exits on stdin EOF") {
    Child child({});
    child.write_line(k_initialize);
    auto line = child.read_line();
    REQUIRE(line);
    const auto init = nlohmann::json::parse(*line);
    CHECK(init["id"] == 1);
    CHECK(init["result"]["protocolVersion"] == "2025-11-25");
    child.write_line(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    child.write_line(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
    line = child.read_line();
    REQUIRE(line);
    const auto tools = nlohmann::json::parse(*line);
    CHECK(tools["id"] == 2);
    CHECK(tools["result"]["tools"].size() > 5);
    child.write_line("{not json");
    line = child.read_line();
    REQUIRE(line);
    CHECK(nlohmann::json::parse(*line)["error"]["code"] == -32700);
    child.close_stdin();
    CHECK(child.wait_exit(2000) == 0);
  }
  SUBCASE("a slow tool does not block ping, and EOF stops it promptly") {
    Child child({});
    child.write_line(k_initialize);
    REQUIRE(child.read_line());
    child.write_line(
        R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"slow","arguments":{"steps":100,"delay_ms":100}}})");
    child.write_line(R"({"jsonrpc":"2.0","id":3,"method":"ping"})");
    const auto line = child.read_line();
    REQUIRE(line);
    CHECK(nlohmann::json::parse(*line)["id"] == 3);
    child.close_stdin();
    CHECK(child.wait_exit(2000) == 0);
  }
  SUBCASE("modern era: subscriptions/listen does not block the line, and notifications/cancelled ends it") {
    Child child({});
    const std::string meta =
        R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}})";
    child.write_line(R"({"jsonrpc":"2.0","id":"sub","method":"subscriptions/listen","params":{)" + meta +
                     R"(,"notifications":{"toolsListChanged":true}}})");
    auto line = child.read_line();
    REQUIRE(line);
    CHECK(nlohmann::json::parse(*line)["method"] == "notifications/subscriptions/acknowledged");
    child.write_line(
        R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_trigger_tool_change","arguments":{},)" +
        meta + "}}");
    std::vector<nlohmann::json> seen;
    for (int i = 0; i < 2; ++i) {
      line = child.read_line();
      REQUIRE(line);
      seen.push_back(nlohmann::json::parse(*line));
    }
    for (const auto& m : seen) CHECK_FALSE((m.contains("method") && m.contains("id")));  // no server requests
    const bool notified = seen[0].value("method", "") == "notifications/tools/list_changed" ||
                          seen[1].value("method", "") == "notifications/tools/list_changed";
    CHECK(notified);
    child.write_line(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"sub"}})");
    child.write_line(R"({"jsonrpc":"2.0","id":3,"method":"server/discover","params":{)" + meta + "}}");
    line = child.read_line();
    REQUIRE(line);
    CHECK(nlohmann::json::parse(*line)["id"] == 3);  // the cancelled subscription got no response
    child.close_stdin();
    CHECK(child.wait_exit(2000) == 0);
  }
  SUBCASE("SIGTERM ends it cleanly") {
    Child child({});
    child.write_line(k_initialize);
    REQUIRE(child.read_line());
    child.signal(SIGTERM);
    CHECK(child.wait_exit(2000) == 0);
  }
}

TEST_CASE("refserver::run_stdio faults") {
  SUBCASE("stdout-noise writes a non-JSON line first") {
    Child child({"--fault", "stdout-noise"});
    child.write_line(k_initialize);
    const auto line = child.read_line();
    REQUIRE(line);
    CHECK_THROWS(nlohmann::json::parse(*line));
  }
  SUBCASE("embedded-newline spreads a reply over several lines") {
    Child child({"--fault", "embedded-newline"});
    child.write_line(k_initialize);
    const auto line = child.read_line();
    REQUIRE(line);
    CHECK(*line == "{");
  }
  SUBCASE("ignore-stdin-eof keeps running after EOF until SIGTERM") {
    Child child({"--fault", "ignore-stdin-eof"});
    child.close_stdin();
    CHECK_FALSE(child.wait_exit(1200));
    child.signal(SIGTERM);
    CHECK(child.wait_exit(2000) == 0);
  }
  SUBCASE("ignore-sigterm survives EOF and SIGTERM") {
    Child child({"--fault", "ignore-sigterm"});
    child.write_line(k_initialize);
    REQUIRE(child.read_line());  // signal dispositions are set by now
    child.close_stdin();
    child.signal(SIGTERM);
    CHECK_FALSE(child.wait_exit(1000));
  }
}

TEST_CASE("refserver::main") {
  SUBCASE("--list-faults lists every fault") {
    Child child({"--list-faults"});
    std::size_t lines = 0;
    while (auto line = child.read_line()) {
      const std::string name = line->substr(0, line->find(' '));
      CHECK(mcp_probe::refserver::find_fault(name) != nullptr);
      ++lines;
    }
    CHECK(lines == mcp_probe::refserver::fault_table().size());
    CHECK(child.wait_exit(2000) == 0);
  }
  SUBCASE("an unknown fault is a usage error") {
    Child child({"--fault", "no-such-fault"});
    CHECK(child.wait_exit(2000) == 2);
    const auto err = child.read_err_line();
    REQUIRE(err);
    CHECK(err->find("no-such-fault") != std::string::npos);
    CHECK_FALSE(child.read_err_line());
  }
  SUBCASE("a bad option is a usage error") {
    Child child({"--transport", "pigeon"});
    CHECK(child.wait_exit(2000) == 2);
  }
  SUBCASE("exit-at-start exits 3 with a message on stderr") {
    Child child({"--fault", "exit-at-start"});
    CHECK(child.wait_exit(2000) == 3);
    CHECK(child.read_err_line());
  }
  SUBCASE("--version") {
    Child child({"--version"});
    const auto line = child.read_line();
    REQUIRE(line);
    CHECK(*line == std::string("mcp-refserver ") + MCP_PROBE_VERSION);
  }
}
