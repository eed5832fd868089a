#pragma once

// Process: one spawned child program in its own process group, with pipes for its stdin,
// stdout and stderr. Linux/glibc (posix_spawn, pidfd_open). Knows nothing about MCP.
//
// Ownership: a Process owns the child and, through its process group, everything the child
// starts there. The destructor SIGKILLs the whole group if the child is still running and reaps
// it: a Process never leaves a zombie or an orphan behind.
//
// Exit observation does not reap: wait() and poll_exit() look at the exit status but leave the
// child a zombie until reap() or the destructor. The zombie keeps the pid and the process-group
// id reserved, so signal_group() can never hit an unrelated process that reused the id.
//
// Process-wide effect: the first spawn() makes this program a child subreaper
// (PR_SET_CHILD_SUBREAPER), so group members that outlive their parent are reparented to us and
// reaped by reap() instead of relying on PID 1 (which in containers often never reaps).
// reap() also SIGKILLs and reaps every orphan re-parented to us that no Process owns: a
// descendant that left the group (a setsid() daemon) and whose parent died. Which session it
// came from is not recorded by the kernel, so the first Process reaped after its parent died
// collects it, even when that is another Process of this program.
//
// Not thread-safe: one owner at a time. Nothing here installs signal handlers or uses SIGCHLD.

#include <sys/types.h>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mcp_probe/util/deadline.h"
#include "mcp_probe/util/expected.h"
#include "mcp_probe/util/fd.h"

namespace mcp_probe::util {

// How a child ended.
struct ExitStatus {
  enum class Kind { exited, signaled };
  Kind kind = Kind::exited;
  int code = 0;  // the exit status (exited) or the signal number (signaled)

  static ExitStatus exited(int status) { return {Kind::exited, status}; }
  static ExitStatus signaled(int signo) { return {Kind::signaled, signo}; }
  bool success() const { return kind == Kind::exited && code == 0; }
  // "exited with status 1", "killed by SIGKILL".
  std::string describe() const;
  bool operator==(const ExitStatus&) const = default;
};

// "SIGTERM" for SIGTERM; "signal 42" for a number without a name.
std::string signal_name(int signo);

struct SpawnOptions {
  // argv[0] is looked up in PATH (the PATH in `env` if it overrides one, else ours) unless it
  // contains a '/'. Must not be empty.
  std::vector<std::string> argv;
  // Added to a copy of the current environment; a key that already exists is overridden.
  std::vector<std::pair<std::string, std::string>> env;
  // The child's working directory; empty keeps ours. A relative argv[0] with a '/' and relative
  // PATH entries are resolved from here, as exec will resolve them.
  std::string cwd;
};

class Process {
 public:
  // Spawns the child in a new process group (pgid == pid) with non-blocking, close-on-exec
  // parent pipe ends. Errors are ErrorKind::spawn with a message meant for the user:
  // "command not found: X", "permission denied: X", "working directory does not exist: D".
  static Expected<Process> spawn(const SpawnOptions& options);

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();  // kill_and_reap() unless already reaped

  pid_t pid() const { return m_pid; }  // also the process-group id; -1 for a moved-from Process

  // The parent ends of the pipes, non-blocking. The caller may take them (the Process then no
  // longer closes them) or close them early (close the stdin end to send EOF).
  UniqueFd& stdin_pipe() { return m_stdin; }
  UniqueFd& stdout_pipe() { return m_stdout; }
  UniqueFd& stderr_pipe() { return m_stderr; }
  // A pidfd that becomes readable (POLLIN) when the child exits; -1 if the kernel has none
  // (callers then poll exit_status() on a short timer).
  int exit_fd() const { return m_pidfd.get(); }

  // Non-blocking: the exit status if the child has exited, else nullopt. Does not reap.
  std::optional<ExitStatus> poll_exit();
  // Blocks until the child exits or the deadline passes (ErrorKind::timeout). Does not reap.
  Expected<ExitStatus> wait(Deadline deadline);
  // Sends `signo` to every process in the child's group. False if the group is gone (or after
  // reap()).
  bool signal_group(int signo);

  // Requires the child to have exited (poll_exit() has a value): SIGKILLs whatever is left of
  // its group, reaps the child and collects the group's other members (up to ~0.5 s for them to
  // die). Returns the child's status. Idempotent.
  std::optional<ExitStatus> reap();
  // SIGKILLs the group, waits for the child (blocking: SIGKILL cannot be refused) and reaps as
  // reap() does.
  std::optional<ExitStatus> kill_and_reap();
  bool reaped() const { return m_reaped; }

 private:
  Process() = default;
  void release_all();

  pid_t m_pid = -1;
  bool m_reaped = true;
  std::optional<ExitStatus> m_status;
  UniqueFd m_pidfd;
  UniqueFd m_stdin;
  UniqueFd m_stdout;
  UniqueFd m_stderr;
};

}  // namespace mcp_probe::util
