#include "mcp_probe/util/process.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <string>

using namespace mcp_probe::util;

TEST_SUITE_BEGIN("unit");

TEST_CASE("util::ExitStatus") {
  SUBCASE("describes an exit code and a signal") {
    CHECK(ExitStatus::exited(1).describe() == "exited with status 1");
    CHECK(ExitStatus::signaled(SIGKILL).describe() == "killed by SIGKILL");
    CHECK(ExitStatus::exited(0).success());
    CHECK_FALSE(ExitStatus::signaled(SIGTERM).success());
  }
}

TEST_CASE("util::UniqueFd") {
  SUBCASE("closes on destruction and transfers ownership on move") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    int raw = fds[0];
    {
      UniqueFd a(fds[0]);
      UniqueFd w(fds[1]);
      UniqueFd b(std::move(a));
      CHECK_FALSE(a.valid());
      CHECK(b.get() == raw);
    }
    CHECK(::fcntl(raw, F_GETFD) == -1);
  }
}

TEST_SUITE_END();
TEST_SUITE_BEGIN("integration");

namespace {

// Reads a non-blocking fd until EOF or the deadline.
std::string read_all(int fd, Deadline deadline) {
  std::string out;
  char buf[4096];
  while (!deadline.expired()) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, deadline.remaining_ms()) <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
    if (n == 0) break;
  }
  return out;
}

Process spawn_sh(const std::string& script, SpawnOptions options = {}) {
  options.argv = {"/bin/sh", "-c", script};
  auto p = Process::spawn(options);
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message));
  return std::move(*p);
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/mcp-probe-process-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { [[maybe_unused]] int rc = std::system(("rm -rf '" + path + "'").c_str()); }
};

}  // namespace

TEST_CASE("util::Process") {
  auto soon = [] { return Deadline::after(Millis(5000)); };

  SUBCASE("pipes stdout and stderr and reports the exit status") {
    Process p = spawn_sh("echo out; echo err >&2; exit 7");
    CHECK(read_all(p.stdout_pipe().get(), soon()) == "out\n");
    CHECK(read_all(p.stderr_pipe().get(), soon()) == "err\n");
    auto status = p.wait(soon());
    REQUIRE(status);
    CHECK(*status == ExitStatus::exited(7));
    CHECK(p.reap() == ExitStatus::exited(7));
    CHECK(p.reaped());
  }
  SUBCASE("closing stdin sends EOF") {
    Process p = spawn_sh("cat");
    REQUIRE(::write(p.stdin_pipe().get(), "abc", 3) == 3);
    p.stdin_pipe().reset();
    CHECK(read_all(p.stdout_pipe().get(), soon()) == "abc");
    CHECK(p.wait(soon()).value() == ExitStatus::exited(0));
  }
  SUBCASE("runs in its own process group") {
    Process p = spawn_sh("cat");
    CHECK(::getpgid(p.pid()) == p.pid());
    CHECK(::getpgid(p.pid()) != ::getpgrp());
  }
  SUBCASE("wait times out, signal_group ends it") {
    Process p = spawn_sh("exec cat");
    auto r = p.wait(Deadline::after(Millis(30)));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::timeout);
    CHECK_FALSE(p.poll_exit());
    CHECK(p.signal_group(SIGTERM));
    auto status = p.wait(soon());
    REQUIRE(status);
    CHECK(status->describe() == "killed by SIGTERM");
  }
  SUBCASE("the destructor kills and reaps the whole group") {
    pid_t leader = 0, child = 0;
    {
      Process p = spawn_sh("sleep 30 & echo $!; wait");
      leader = p.pid();
      std::string line;
      char c;
      Deadline d = soon();
      while (!d.expired() && line.find('\n') == std::string::npos) {
        pollfd pfd{p.stdout_pipe().get(), POLLIN, 0};
        if (::poll(&pfd, 1, d.remaining_ms()) > 0 && ::read(p.stdout_pipe().get(), &c, 1) == 1) line += c;
      }
      child = std::atoi(line.c_str());
      REQUIRE(child > 0);
      CHECK(::getpgid(child) == leader);
    }
    CHECK(::kill(-leader, 0) == -1);
    CHECK(errno == ESRCH);
    CHECK(::kill(child, 0) == -1);
  }
  SUBCASE("reap() also kills and reaps a descendant that left the group with setsid()") {
    // The server starts a daemon in its own session and exits; the daemon is re-parented to
    // us (we are a subreaper) and must not outlive the session.
    Process p = spawn_sh("setsid sleep 60 & echo $!");
    std::string line;
    char c;
    Deadline d = soon();
    while (!d.expired() && line.find('\n') == std::string::npos) {
      pollfd pfd{p.stdout_pipe().get(), POLLIN, 0};
      if (::poll(&pfd, 1, d.remaining_ms()) > 0 && ::read(p.stdout_pipe().get(), &c, 1) == 1) line += c;
    }
    pid_t daemon = std::atoi(line.c_str());
    REQUIRE(daemon > 0);
    REQUIRE(p.wait(soon()));
    // setsid(1) may still be on its way to setsid(2); the daemon's own session is what counts.
    Deadline left = soon();
    while (::getsid(daemon) != daemon && !left.expired()) ::poll(nullptr, 0, 1);
    REQUIRE(::getsid(daemon) == daemon);
    REQUIRE(::kill(daemon, 0) == 0);
    p.reap();
    // ESRCH: killed and reaped (a zombie would still accept signal 0).
    CHECK(::kill(daemon, 0) == -1);
    CHECK(errno == ESRCH);
  }
  SUBCASE("applies env overrides and the working directory") {
    TempDir dir;
    SpawnOptions o;
    o.env = {{"MCP_PROBE_TEST_VAR", "hello"}, {"HOME", "/nowhere"}};
    o.cwd = dir.path;
    Process p = spawn_sh("echo \"$MCP_PROBE_TEST_VAR $HOME $(pwd -P)\"", o);
    char* real = ::realpath(dir.path.c_str(), nullptr);
    REQUIRE(real != nullptr);
    CHECK(read_all(p.stdout_pipe().get(), soon()) == "hello /nowhere " + std::string(real) + "\n");
    std::free(real);
  }
  SUBCASE("resolves a relative command from the working directory") {
    TempDir dir;
    std::string script = dir.path + "/server.sh";
    FILE* f = std::fopen(script.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("#!/bin/sh\necho relative\n", f);
    std::fclose(f);
    ::chmod(script.c_str(), 0755);
    auto p = Process::spawn(SpawnOptions{{"./server.sh"}, {}, dir.path});
    REQUIRE(p);
    CHECK(read_all(p->stdout_pipe().get(), soon()) == "relative\n");
  }
  SUBCASE("clear errors for a missing command, a non-executable file and a bad cwd") {
    auto missing = Process::spawn(SpawnOptions{{"mcp-probe-no-such-command"}, {}, {}});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::spawn);
    CHECK(missing.error().message == "command not found: mcp-probe-no-such-command");

    auto missing_path = Process::spawn(SpawnOptions{{"/nonexistent/server"}, {}, {}});
    REQUIRE_FALSE(missing_path);
    CHECK(missing_path.error().message == "command not found: /nonexistent/server");

    TempDir dir;
    std::string file = dir.path + "/not-executable";
    FILE* f = std::fopen(file.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fclose(f);
    auto denied = Process::spawn(SpawnOptions{{file}, {}, {}});
    REQUIRE_FALSE(denied);
    CHECK(denied.error().kind == ErrorKind::spawn);
    CHECK(denied.error().message.find("permission denied: " + file) == 0);

    auto in_path = Process::spawn(SpawnOptions{{"not-executable"}, {{"PATH", dir.path}}, {}});
    REQUIRE_FALSE(in_path);
    CHECK(in_path.error().message.find("permission denied: not-executable") == 0);

    auto bad_cwd = Process::spawn(SpawnOptions{{"/bin/sh", "-c", "true"}, {}, dir.path + "/missing"});
    REQUIRE_FALSE(bad_cwd);
    CHECK(bad_cwd.error().kind == ErrorKind::spawn);
    CHECK(bad_cwd.error().message == "working directory does not exist: " + dir.path + "/missing");
  }
}
