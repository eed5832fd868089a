// `mcp-probe selftest`: the suite against the bundled mcp-refserver, over stdio and over
// Streamable HTTP. This is what `make run` shows.

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <set>
#include <thread>

#include "mcp_probe/checks/engine.h"
#include "mcp_probe/cli/baseline.h"
#include "mcp_probe/cli/commands.h"
#include "mcp_probe/cli/output.h"
#include "mcp_probe/util/process.h"

namespace mcp_probe::cli {
namespace {

constexpr util::Millis k_listen_deadline{10000};

std::string refserver_path() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "mcp-refserver";
  return (self.parent_path() / "mcp-refserver").string();
}

// Reads the server's stderr until the "listening on" line; the error carries what it said.
util::Expected<std::string> wait_for_url(util::Process& server) {
  const auto deadline = util::Deadline::after(k_listen_deadline);
  std::string buffer;
  while (!deadline.expired()) {
    pollfd pfd{server.stderr_pipe().get(), POLLIN, 0};
    if (poll(&pfd, 1, std::min(deadline.remaining_ms(), 100)) < 0 && errno != EINTR) break;
    char chunk[4096];
    const ssize_t n = read(server.stderr_pipe().get(), chunk, sizeof chunk);
    if (n > 0) buffer.append(chunk, static_cast<std::size_t>(n));
    for (std::size_t end; (end = buffer.find('\n')) != std::string::npos; buffer.erase(0, end + 1)) {
      if (auto url = parse_listening_line(std::string_view(buffer).substr(0, end))) return *url;
    }
    if (n == 0 || server.poll_exit()) {
      return util::make_error(util::ErrorKind::spawn,
                              "mcp-refserver --transport http exited early: " + buffer);
    }
  }
  return util::make_error(util::ErrorKind::timeout, "mcp-refserver did not report its URL within 10 s");
}

// Keeps reading the server's stderr so its logging never fills the pipe and blocks it.
class StderrDrain {
 public:
  explicit StderrDrain(int fd) : m_thread([this, fd] { loop(fd); }) {}
  ~StderrDrain() {
    m_stop = true;
    m_thread.join();
  }
  StderrDrain(const StderrDrain&) = delete;
  StderrDrain& operator=(const StderrDrain&) = delete;

 private:
  void loop(int fd) {
    char chunk[4096];
    while (!m_stop) {
      pollfd pfd{fd, POLLIN, 0};
      if (poll(&pfd, 1, 100) > 0 && read(fd, chunk, sizeof chunk) == 0) return;
    }
  }
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

checks::RunReport probe_http(const std::string& server, checks::RunOptions run, transport::Tracer& tracer) {
  auto process = util::Process::spawn({{server, "--transport", "http", "--port", "0"}, {}, ""});
  auto url = process ? wait_for_url(*process) : util::Expected<std::string>(process.error());
  if (!url) {
    checks::RunReport failed;
    failed.tool_version = MCP_PROBE_VERSION;
    failed.target = server + " --transport http --port 0";
    failed.transport = "http";
    checks::CheckResult result;
    result.info.id = "selftest.http.start";
    result.info.area = "selftest";
    result.info.title = "mcp-refserver starts and reports its URL";
    result.status = checks::Status::error;
    result.message = url.error().message;
    failed.checks.push_back(result);
    return failed;
  }
  StderrDrain drain(process->stderr_pipe().get());
  run.target.url = *url;
  run.target.transport = "http";
  return checks::run(run, tracer);
}

int worst(int a, int b) {
  for (int code : {k_exit_interrupted, k_exit_unreachable, k_exit_failures}) {
    if (a == code || b == code) return code;
  }
  return k_exit_ok;
}

}  // namespace

std::optional<std::string> parse_listening_line(std::string_view line) {
  const std::string_view marker = "listening on ";
  const auto at = line.find(marker);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view url = line.substr(at + marker.size());
  url = url.substr(0, url.find_first_of(" \t\r\n"));
  if (url.rfind("http://", 0) != 0 || url.size() <= 7) return std::nullopt;
  return std::string(url);
}

int run_selftest(const Options& options, const Environment& env) {
  const std::string server = refserver_path();
  std::error_code ec;
  if (!std::filesystem::exists(server, ec)) {
    print_error("mcp-refserver not found next to mcp-probe (looked for " + server + ")");
    return k_exit_unreachable;
  }
  std::set<std::string> baseline;
  if (!options.expected_failures_path.empty()) {
    auto ids = load_baseline(options.expected_failures_path);
    if (!ids) {
      print_error(ids.error().message);
      return k_exit_usage;
    }
    baseline = std::move(*ids);
  }
  transport::Tracer tracer;
  if (auto ok = configure_tracer(tracer, options); !ok) {
    print_error(ok.error().message);
    return k_exit_usage;
  }
  const report::ReportOptions ropts = report_options(options, env, baseline);
  checks::RunOptions run = options.run;
  run.interrupted = &interrupted_flag();
  run.target.command = {server};
  run.target.transport = "stdio";
  int code = k_exit_ok;
  for (int pass = 0; pass < 2 && !interrupted_flag().load(); ++pass) {
    const std::string heading = "== selftest " + std::to_string(pass + 1) + "/2: mcp-refserver over " +
                                (pass == 0 ? "stdio" : "Streamable HTTP") + " ==\n";
    if (auto ok = write_stdout(heading); !ok) {
      print_error(ok.error().message);
      return k_exit_usage;
    }
    checks::RunReport report = pass == 0 ? checks::run(run, tracer) : probe_http(server, run, tracer);
    if (interrupted_flag().load()) report.interrupted = true;
    redact_report(report, tracer);
    const std::string text = report::render(report, report::Format::human, ropts);
    if (auto ok = write_stdout(text + "\n"); !ok) {
      print_error(ok.error().message);
      return k_exit_usage;
    }
    code = worst(code, exit_code(report::judge(report, ropts.policy).outcome));
  }
  if (interrupted_flag().load()) code = k_exit_interrupted;
  return code;
}

}  // namespace mcp_probe::cli
