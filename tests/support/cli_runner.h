#pragma once

// Runs the mcp-probe executable as a user would (its own process group, stdout to a pipe or to a
// file such as /dev/full), collects stdout and stderr and the exit status. Every wait has a
// deadline; the destructor of util::Process kills whatever is left.

#include <poll.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "mcp_probe/util/process.h"

namespace mcp_probe::testing {

struct CliRun {
  int code = -1;  // exit status, or 128 + signal
  std::string out, err;
  int lines() const {
    int n = 0;
    for (char c : out) n += c == '\n' ? 1 : 0;
    return n;
  }
};

// `stdout_path` empty: stdout is captured; otherwise the shell redirects it there.
// `on_stderr` sees stderr as it grows and may act on the running process (send a signal).
inline CliRun run_cli(const std::vector<std::string>& args, const std::string& stdout_path = "",
                      std::function<void(const std::string&, util::Process&)> on_stderr = {},
                      util::Millis limit = util::Millis(60000)) {
  std::vector<std::string> argv = {
      "/bin/sh", "-c", stdout_path.empty() ? "exec \"$0\" \"$@\"" : "exec \"$0\" \"$@\" > " + stdout_path,
      MCP_PROBE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  auto spawned = util::Process::spawn({argv, {}, ""});
  CliRun run;
  if (!spawned) return run;
  util::Process& p = *spawned;
  p.stdin_pipe().reset();
  const util::Deadline deadline = util::Deadline::after(limit);
  bool out_open = true, err_open = true;
  while ((out_open || err_open) && !deadline.expired()) {
    pollfd fds[2] = {{p.stdout_pipe().get(), POLLIN, 0}, {p.stderr_pipe().get(), POLLIN, 0}};
    if (!out_open) fds[0].fd = -1;
    if (!err_open) fds[1].fd = -1;
    if (::poll(fds, 2, 100) < 0) continue;
    char buf[65536];
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? run.out : run.err).append(buf, static_cast<std::size_t>(n));
        if (i == 1 && on_stderr) on_stderr(run.err, p);
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        (i == 0 ? out_open : err_open) = false;
      }
    }
  }
  auto status = p.wait(deadline);
  if (!status) return run;
  run.code = status->kind == util::ExitStatus::Kind::exited ? status->code : 128 + status->code;
  return run;
}

}  // namespace mcp_probe::testing
