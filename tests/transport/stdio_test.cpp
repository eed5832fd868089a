#include "mcp_probe/transport/stdio.h"

#include <doctest/doctest.h>

#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

using namespace mcp_probe;
using namespace mcp_probe::transport;
using util::Deadline;
using util::ErrorKind;
using util::Millis;

TEST_SUITE_BEGIN("unit");

TEST_CASE("transport::ShutdownStep") {
  CHECK(std::string(to_string(ShutdownStep::already_exited)) == "already-exited");
  CHECK(std::string(to_string(ShutdownStep::stdin_eof)) == "stdin-eof");
  CHECK(std::string(to_string(ShutdownStep::sigterm)) == "sigterm");
  CHECK(std::string(to_string(ShutdownStep::sigkill)) == "sigkill");
}

TEST_SUITE_END();
TEST_SUITE_BEGIN("integration");

namespace {

StdioOptions sh_options(const std::string& script) {
  StdioOptions o;
  o.argv = {"/bin/sh", "-c", script};
  o.stdin_close_wait = Millis(200);
  o.sigterm_wait = Millis(200);
  return o;
}

std::unique_ptr<StdioTransport> start(const StdioOptions& o) {
  auto t = StdioTransport::start(o);
  REQUIRE_MESSAGE(t, (t ? "" : t.error().message));
  return std::move(*t);
}

std::unique_ptr<StdioTransport> start_sh(const std::string& script) { return start(sh_options(script)); }

Deadline soon() { return Deadline::after(Millis(5000)); }

std::string next_raw(StdioTransport& t) {
  auto in = t.receive(soon());
  REQUIRE_MESSAGE(in, (in ? "" : in.error().message));
  return in->raw;
}

bool group_gone(pid_t pgid) { return ::kill(-pgid, 0) == -1 && errno == ESRCH; }

}  // namespace

TEST_CASE("transport::StdioTransport") {
  SUBCASE("sends a line and receives the reply raw") {
    auto t = start_sh("read -r line; echo \"$line\"");
    CHECK(t->kind() == TransportKind::stdio);
    CHECK(t->pid() > 0);
    REQUIRE(t->send(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", soon()));
    auto in = t->receive(soon());
    REQUIRE(in);
    CHECK(in->raw == R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
    CHECK(in->origin == transport::Origin::stdout_line);
    CHECK(in->terminated);
    CHECK_FALSE(in->crlf);
    CHECK(in->at_ms >= t->started_at_ms());
  }
  SUBCASE("a server flooding 8 MB of stderr before answering does not deadlock") {
    auto t = start_sh("yes 'some log line from the server' | head -c 8388608 >&2; read -r l; echo \"$l\"");
    REQUIRE(t->send("{}", soon()));
    CHECK(next_raw(*t) == "{}");
    std::string tail = t->stderr_tail();
    CHECK(tail.size() <= 64 * 1024);
    CHECK(tail.size() > 60 * 1024);
    CHECK(tail.rfind("some log line from the server\n", 0) == 0);
  }
  SUBCASE("a server that ignores SIGTERM is SIGKILLed and its whole group is gone") {
    auto t = start_sh("trap '' TERM; echo ready; while :; do sleep 1; done");
    CHECK(next_raw(*t) == "ready");
    pid_t pgid = t->pid();
    ShutdownReport r = t->shutdown();
    CHECK(r.ended_by == ShutdownStep::sigkill);
    CHECK(r.stdin_eof_ms >= 150);
    CHECK(r.sigterm_ms >= 150);
    REQUIRE(r.exit_status);
    CHECK(r.exit_status->describe() == "killed by SIGKILL");
    CHECK(group_gone(pgid));
    CHECK(t->shutdown().ended_by == ShutdownStep::sigkill);  // idempotent
  }
  SUBCASE("closing stdin is enough for a well-behaved server") {
    auto t = start_sh("while read -r l; do echo \"$l\"; done; exit 0");
    REQUIRE(t->send("a", soon()));
    CHECK(next_raw(*t) == "a");
    ShutdownReport r = t->shutdown();
    CHECK(r.ended_by == ShutdownStep::stdin_eof);
    CHECK(r.exit_status == util::ExitStatus::exited(0));
    CHECK(r.sigterm_ms == 0);
  }
  SUBCASE("a server that ignores stdin EOF ends at SIGTERM") {
    auto t = start_sh("echo ready; exec sleep 30");
    CHECK(next_raw(*t) == "ready");
    ShutdownReport r = t->shutdown();
    CHECK(r.ended_by == ShutdownStep::sigterm);
    CHECK(r.exit_status == util::ExitStatus::signaled(SIGTERM));
    auto after = t->send("{}", soon());
    REQUIRE_FALSE(after);
    CHECK(after.error().kind == ErrorKind::closed);
  }
  SUBCASE("a server that exits at once: the closed error has the status and the stderr line") {
    auto t = start_sh("echo 'fatal: no config file' >&2; exit 3");
    auto in = t->receive(soon());
    REQUIRE_FALSE(in);
    CHECK(in.error().kind == ErrorKind::closed);
    CHECK(in.error().message.find("exited with status 3") != std::string::npos);
    CHECK(in.error().message.find("fatal: no config file") != std::string::npos);
    CHECK(t->exit_status() == util::ExitStatus::exited(3));
    CHECK(t->shutdown().ended_by == ShutdownStep::already_exited);
  }
  SUBCASE("garbage and multi-line JSON come back line by line, raw") {
    auto t = start_sh("printf 'not json\\n{\\n  \"a\": 1\\n}\\n\\n\\t x \\n'");
    for (const char* expected : {"not json", "{", "  \"a\": 1", "}", "", "\t x "}) {
      CHECK(next_raw(*t) == expected);
    }
    CHECK(t->receive(soon()).error().kind == ErrorKind::closed);
  }
  SUBCASE("a last line without a newline is delivered unterminated, then closed") {
    auto t = start_sh("printf '{\"id\":1}'");
    auto in = t->receive(soon());
    REQUIRE(in);
    CHECK(in->raw == R"({"id":1})");
    CHECK_FALSE(in->terminated);
    CHECK(t->receive(soon()).error().kind == ErrorKind::closed);
    CHECK(t->receive(soon()).error().kind == ErrorKind::closed);
  }
  SUBCASE("CRLF lines lose the CR and are flagged") {
    auto t = start_sh("printf 'a\\r\\nb\\n\\r\\n'");
    auto a = t->receive(soon());
    REQUIRE(a);
    CHECK(a->raw == "a");
    CHECK(a->crlf);
    auto b = t->receive(soon());
    REQUIRE(b);
    CHECK(b->raw == "b");
    CHECK_FALSE(b->crlf);
    auto empty = t->receive(soon());
    REQUIRE(empty);
    CHECK(empty->raw == "");
    CHECK(empty->crlf);
  }
  SUBCASE("a line over max_line_bytes is a protocol error and is discarded") {
    StdioOptions o = sh_options(
        "printf '0123456789abcdefXYZ\\nok\\n'; head -c 5000 /dev/zero | tr '\\0' x; echo; echo end");
    o.max_line_bytes = 16;
    auto t = start(o);
    auto first = t->receive(soon());
    REQUIRE_FALSE(first);
    CHECK(first.error().kind == ErrorKind::protocol);
    CHECK(first.error().message == "server wrote a stdout line longer than 16 bytes without a newline");
    CHECK(next_raw(*t) == "ok");
    CHECK(t->receive(soon()).error().kind == ErrorKind::protocol);
    CHECK(next_raw(*t) == "end");
  }
  SUBCASE("the default limit is reported in MiB") {
    StdioOptions o = sh_options("head -c 1100 /dev/zero");
    o.max_line_bytes = 1024;
    auto t = start(o);
    CHECK(t->receive(soon()).error().message.find("longer than 1 KiB") != std::string::npos);
    CHECK(StdioOptions{}.max_line_bytes == 16u << 20);
  }
  SUBCASE("send times out against a server that never reads stdin") {
    auto t = start_sh("exec sleep 30");
    std::string big(10 * 1024 * 1024, 'x');
    double before = util::monotonic_ms();
    auto r = t->send(big, Deadline::after(Millis(300)));
    double took = util::monotonic_ms() - before;
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::timeout);
    CHECK(r.error().message.find("not reading") != std::string::npos);
    CHECK(took < 1500);
  }
  SUBCASE("send to a server that closed its stdin is a closed error") {
    auto t = start_sh("exec 0<&-; echo closed; exec sleep 30");
    CHECK(next_raw(*t) == "closed");
    auto r = t->send("{}", soon());
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::closed);
  }
  SUBCASE("send_raw writes exactly the bytes") {
    auto t = start_sh("head -c 8; echo");
    REQUIRE(t->send_raw("abc", soon()));
    REQUIRE(t->send_raw("d\nefg", soon()));
    CHECK(next_raw(*t) == "abcd");
    CHECK(next_raw(*t) == "efg");
  }
  SUBCASE("a receive timeout keeps a partial line buffered") {
    auto t = start_sh("printf 'abc'; read -r l; echo def");
    auto r = t->receive(Deadline::after(Millis(100)));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::timeout);
    CHECK(r.error().message.find("3 bytes") != std::string::npos);
    REQUIRE(t->send("go", soon()));
    CHECK(next_raw(*t) == "abcdef");
  }
  SUBCASE("the stderr tail is bounded and starts at a line") {
    StdioOptions o = sh_options("printf 'line one\\nline two\\nline three\\n' >&2");
    o.stderr_tail_bytes = 12;
    auto t = start(o);
    CHECK(t->receive(soon()).error().kind == ErrorKind::closed);
    CHECK(t->stderr_tail() == "line three\n");
  }
  SUBCASE("spawn errors: command not found, not executable, bad cwd") {
    StdioOptions o;
    o.argv = {"mcp-probe-no-such-server"};
    auto missing = StdioTransport::start(o);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::spawn);
    CHECK(missing.error().message == "command not found: mcp-probe-no-such-server");

    char file[] = "/tmp/mcp-probe-stdio-test-XXXXXX";
    int fd = ::mkstemp(file);  // mode 0600: not executable
    REQUIRE(fd >= 0);
    ::close(fd);
    o.argv = {file};
    auto denied = StdioTransport::start(o);
    ::unlink(file);
    REQUIRE_FALSE(denied);
    CHECK(denied.error().kind == ErrorKind::spawn);
    CHECK(denied.error().message.find(std::string("permission denied: ") + file) == 0);

    o.argv = {"/bin/sh", "-c", "true"};
    o.cwd = "/nonexistent/dir";
    auto bad_cwd = StdioTransport::start(o);
    REQUIRE_FALSE(bad_cwd);
    CHECK(bad_cwd.error().message == "working directory does not exist: /nonexistent/dir");
  }
  SUBCASE("env and cwd are applied") {
    StdioOptions o = sh_options("echo \"$MCP_PROBE_STDIO_VAR\"; pwd -P");
    o.env = {{"MCP_PROBE_STDIO_VAR", "value=with=equals"}};
    o.cwd = "/";
    auto t = start(o);
    CHECK(next_raw(*t) == "value=with=equals");
    CHECK(next_raw(*t) == "/");
  }
  SUBCASE("every stdin write, stdout line and stderr chunk is traced") {
    Tracer tracer;
    std::vector<TraceEvent> events;
    tracer.add_sink([&](const TraceEvent& e) { events.push_back(e); });
    StdioOptions o = sh_options("echo hello >&2; read -r l; echo \"$l\"");
    o.tracer = &tracer;
    auto t = start(o);
    REQUIRE(t->send("ping", soon()));
    auto in = t->receive(soon());
    REQUIRE(in);
    t->shutdown();
    auto has = [&](Direction d, const std::string& channel, const std::string& body) {
      for (const auto& e : events) {
        if (e.direction == d && e.channel == channel && e.body == body) return true;
      }
      return false;
    };
    CHECK(has(Direction::send, "stdin", "ping"));
    CHECK(has(Direction::receive, "stdout", "ping"));
    CHECK(has(Direction::receive, "stderr", "hello\n"));
    CHECK(in->trace_id != 0);
  }
  SUBCASE("the destructor shuts the server down") {
    pid_t pgid = 0;
    {
      auto t = start_sh("trap '' TERM; echo ready; while :; do sleep 1; done");
      CHECK(next_raw(*t) == "ready");
      pgid = t->pid();
    }
    CHECK(group_gone(pgid));
  }
}
