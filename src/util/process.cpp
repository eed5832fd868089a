#include "mcp_probe/util/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

extern char** environ;

namespace mcp_probe::util {

namespace {

constexpr const char* k_default_path = "/usr/local/bin:/usr/bin:/bin";
constexpr Millis k_group_linger{500};

std::string errno_text(int err) { return std::strerror(err); }

Error spawn_error(std::string message) { return make_error(ErrorKind::spawn, std::move(message)); }

// True when we could become a subreaper; without it, orphaned group members belong to PID 1
// and waiting for them to disappear would only waste time.
bool ensure_subreaper() {
  static bool ok = false;
  static std::once_flag once;
  std::call_once(once, [] { ok = ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0; });
  return ok;
}

// The children spawned by Process and not yet reaped, process-wide: any other child of ours
// is an orphan re-parented to us (we are a subreaper), i.e. a descendant that escaped its group.
std::mutex g_spawned_mutex;
std::set<pid_t> g_spawned;

void note_spawned(pid_t pid, bool live) {
  std::lock_guard<std::mutex> lock(g_spawned_mutex);
  if (live)
    g_spawned.insert(pid);
  else
    g_spawned.erase(pid);
}

// The parent pid from /proc/<pid>/stat ("pid (comm) state ppid ..."; comm may hold anything,
// so parse after the last ')'); -1 when the process is gone. One open and read, no streams: it
// runs for every process on the machine when a run ends.
pid_t parent_of(const char* pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%s/stat", pid);
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[1024];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  const char* close = std::strrchr(buf, ')');
  if (close == nullptr) return -1;
  char state = 0;
  long ppid = -1;
  if (std::sscanf(close + 1, " %c %ld", &state, &ppid) != 2) return -1;
  return static_cast<pid_t>(ppid);
}

// Our children that no Process owns: orphans re-parented to us.
std::vector<pid_t> orphans() {
  std::vector<pid_t> out;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return out;
  const pid_t self = ::getpid();
  std::lock_guard<std::mutex> lock(g_spawned_mutex);
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    if (parent_of(e->d_name) != self) continue;
    pid_t pid = static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10));
    if (g_spawned.count(pid) == 0) out.push_back(pid);
  }
  ::closedir(dir);
  return out;
}

// Kills and reaps every orphan re-parented to us, and what they started (their children come
// to us when they die: repeat until none is left, or for at most `linger`).
void kill_orphans(Deadline linger) {
  for (;;) {
    auto found = orphans();
    if (found.empty()) return;
    for (pid_t pid : found) {
      ::kill(pid, SIGKILL);
      if (::getpgid(pid) == pid) ::kill(-pid, SIGKILL);  // a group it leads (after setsid())
    }
    for (pid_t pid : found) {
      int status = 0;
      while (::waitpid(pid, &status, WNOHANG) < 0 && errno == EINTR) {
      }
    }
    if (linger.expired()) return;
    ::poll(nullptr, 0, 1);  // SIGKILLed processes are still dying; the kernel offers no event
  }
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty() || name.starts_with('/')) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::optional<ExitStatus> status_from_siginfo(const siginfo_t& info) {
  if (info.si_pid == 0) return std::nullopt;
  if (info.si_code == CLD_EXITED) return ExitStatus::exited(info.si_status);
  if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED) return ExitStatus::signaled(info.si_status);
  return std::nullopt;  // stopped/continued: not an exit
}

Expected<void> check_cwd(const std::string& cwd) {
  if (cwd.empty()) return {};
  struct stat st {};
  if (::stat(cwd.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return spawn_error("working directory does not exist: " + cwd);
    return spawn_error("cannot use working directory " + cwd + ": " + errno_text(errno));
  }
  if (!S_ISDIR(st.st_mode)) return spawn_error("working directory is not a directory: " + cwd);
  if (::access(cwd.c_str(), X_OK) != 0) return spawn_error("permission denied: working directory " + cwd);
  return {};
}

// Resolves argv[0] the way execvp would (after the chdir), so that a missing or non-executable
// command gets a clear message instead of a bare errno from posix_spawn. Returns the path to
// hand to posix_spawn (relative paths stay relative: the child resolves them after its chdir).
Expected<std::string> resolve_command(const std::string& name, const std::string& path_var,
                                      const std::string& cwd) {
  if (name.empty()) return spawn_error("command not found: (empty)");
  bool denied = false;
  std::string denied_detail;
  auto try_candidate = [&](const std::string& candidate) {
    std::string on_disk = join_path(cwd, candidate);
    struct stat st {};
    if (::stat(on_disk.c_str(), &st) != 0) return false;
    if (S_ISDIR(st.st_mode)) {
      denied = true;
      denied_detail = " (is a directory)";
      return false;
    }
    if (::access(on_disk.c_str(), X_OK) != 0) {
      denied = true;
      denied_detail = " (not executable)";
      return false;
    }
    return true;
  };

  if (name.find('/') != std::string::npos) {
    if (try_candidate(name)) return name;
  } else {
    std::size_t start = 0;
    while (start <= path_var.size()) {
      std::size_t end = path_var.find(':', start);
      if (end == std::string::npos) end = path_var.size();
      std::string dir = path_var.substr(start, end - start);
      std::string candidate = dir.empty() ? name : join_path(dir, name);
      if (try_candidate(candidate)) return candidate;
      start = end + 1;
    }
  }
  if (denied) return spawn_error("permission denied: " + name + denied_detail);
  return spawn_error("command not found: " + name);
}

std::vector<std::string> build_environment(const SpawnOptions& options) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view key = entry.substr(0, entry.find('='));
    bool overridden =
        std::any_of(options.env.begin(), options.env.end(), [&](const auto& kv) { return kv.first == key; });
    if (!overridden) env.emplace_back(entry);
  }
  for (const auto& [k, v] : options.env) env.push_back(k + "=" + v);
  return env;
}

std::string effective_path(const SpawnOptions& options) {
  for (const auto& [k, v] : options.env) {
    if (k == "PATH") return v;
  }
  const char* p = std::getenv("PATH");
  return p != nullptr ? p : k_default_path;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Moves an fd out of 0..2 so the dup2 file actions onto 0..2 cannot clobber each other when our
// own standard streams are closed.
Expected<void> move_above_stdio(UniqueFd& fd) {
  if (fd.get() > 2) return {};
  int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return spawn_error("fcntl(F_DUPFD_CLOEXEC): " + errno_text(errno));
  fd.reset(moved);
  return {};
}

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Expected<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return spawn_error("pipe2: " + errno_text(errno));
  Pipe p{UniqueFd(fds[0]), UniqueFd(fds[1])};
  if (auto r = move_above_stdio(p.read); !r) return r.error();
  if (auto r = move_above_stdio(p.write); !r) return r.error();
  return p;
}

// RAII for the posix_spawn attribute objects.
struct SpawnAttrs {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnAttrs() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnAttrs() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnAttrs(const SpawnAttrs&) = delete;
  SpawnAttrs& operator=(const SpawnAttrs&) = delete;
};

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));  // close-on-exec by definition
#else
  (void)pid;
  return -1;
#endif
}

}  // namespace

std::string signal_name(int signo) {
  if (const char* abbrev = ::sigabbrev_np(signo)) return std::string("SIG") + abbrev;
  return "signal " + std::to_string(signo);
}

std::string ExitStatus::describe() const {
  if (kind == Kind::exited) return "exited with status " + std::to_string(code);
  return "killed by " + signal_name(code);
}

Expected<Process> Process::spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return spawn_error("no command given");
  if (auto r = check_cwd(options.cwd); !r) return r.error();
  auto exec_path = resolve_command(options.argv[0], effective_path(options), options.cwd);
  if (!exec_path) return exec_path.error();

  auto in = make_pipe();
  if (!in) return in.error();
  auto out = make_pipe();
  if (!out) return out.error();
  auto err = make_pipe();
  if (!err) return err.error();

  SpawnAttrs sa;
  posix_spawn_file_actions_adddup2(&sa.actions, in->read.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&sa.actions, out->write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&sa.actions, err->write.get(), STDERR_FILENO);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&sa.actions, options.cwd.c_str());

  // The child starts with no blocked signals and default dispositions for the signals a parent
  // commonly ignores, so SIGTERM/SIGPIPE behave as a server author expects.
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2}) {
    sigaddset(&defaults, s);
  }
  posix_spawnattr_setflags(&sa.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&sa.attr, 0);
  posix_spawnattr_setsigmask(&sa.attr, &empty);
  posix_spawnattr_setsigdefault(&sa.attr, &defaults);

  std::vector<std::string> argv_copy = options.argv;
  std::vector<std::string> env = build_environment(options);
  auto argv_c = c_strings(argv_copy);
  auto env_c = c_strings(env);

  ensure_subreaper();
  pid_t pid = -1;
  // glibc's posix_spawn reports exec and chdir failures of the child as its return value.
  int rc = ::posix_spawn(&pid, exec_path->c_str(), &sa.actions, &sa.attr, argv_c.data(), env_c.data());
  if (rc != 0) {
    return spawn_error("cannot execute " + options.argv[0] + ": " + errno_text(rc));
  }

  note_spawned(pid, true);
  Process p;
  p.m_pid = pid;
  p.m_reaped = false;
  p.m_pidfd.reset(open_pidfd(pid));
  p.m_stdin = std::move(in->write);
  p.m_stdout = std::move(out->read);
  p.m_stderr = std::move(err->read);
  for (UniqueFd* fd : {&p.m_stdin, &p.m_stdout, &p.m_stderr}) {
    if (auto r = set_nonblocking(fd->get()); !r) return spawn_error(r.error().message);
  }
  return p;
}

Process::Process(Process&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)),
      m_reaped(std::exchange(other.m_reaped, true)),
      m_status(other.m_status),
      m_pidfd(std::move(other.m_pidfd)),
      m_stdin(std::move(other.m_stdin)),
      m_stdout(std::move(other.m_stdout)),
      m_stderr(std::move(other.m_stderr)) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    release_all();
    m_pid = std::exchange(other.m_pid, -1);
    m_reaped = std::exchange(other.m_reaped, true);
    m_status = other.m_status;
    m_pidfd = std::move(other.m_pidfd);
    m_stdin = std::move(other.m_stdin);
    m_stdout = std::move(other.m_stdout);
    m_stderr = std::move(other.m_stderr);
  }
  return *this;
}

Process::~Process() { release_all(); }

void Process::release_all() {
  if (m_pid > 0 && !m_reaped) kill_and_reap();
}

std::optional<ExitStatus> Process::poll_exit() {
  if (m_status || m_pid <= 0) return m_status;
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  int rc;
  do {
    rc = ::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED | WNOHANG | WNOWAIT);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) m_status = status_from_siginfo(info);
  return m_status;
}

Expected<ExitStatus> Process::wait(Deadline deadline) {
  for (;;) {
    if (auto s = poll_exit()) return *s;
    if (m_pid <= 0) return make_error(ErrorKind::io, "no process");
    if (deadline.expired()) {
      return make_error(ErrorKind::timeout, "process " + std::to_string(m_pid) + " did not exit in time");
    }
    if (m_pidfd) {
      pollfd pfd{m_pidfd.get(), POLLIN, 0};
      ::poll(&pfd, 1, deadline.remaining_ms());
    } else {
      ::poll(nullptr, 0, std::min(deadline.remaining_ms(), 10));  // no pidfd: a short timer
    }
  }
}

bool Process::signal_group(int signo) {
  if (m_pid <= 0 || m_reaped) return false;
  return ::kill(-m_pid, signo) == 0;
}

std::optional<ExitStatus> Process::reap() {
  if (m_reaped) return m_status;
  if (!poll_exit()) return std::nullopt;
  // The child is a zombie, so the group id is still ours: kill what is left of the group before
  // the reap frees the id.
  ::kill(-m_pid, SIGKILL);
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
  m_reaped = true;
  m_pidfd.reset();
  note_spawned(m_pid, false);

  // Killed members whose parent died are reparented to us (we are a subreaper): collect them so
  // that when reap() returns nothing of the group is left, not even a zombie.
  if (ensure_subreaper()) {
    Deadline linger = Deadline::after(k_group_linger);
    for (;;) {
      while (::waitpid(-m_pid, &status, WNOHANG) > 0) {
      }
      if (::kill(-m_pid, 0) != 0 && errno == ESRCH) break;
      if (linger.expired()) break;
      ::poll(nullptr, 0, 1);  // members are still dying; the kernel offers no event for that
    }
    // A descendant that left the group (setsid(), setpgid()) was re-parented to us when its
    // parent died: without this it would outlive the session.
    kill_orphans(Deadline::after(k_group_linger));
  }
  return m_status;
}

std::optional<ExitStatus> Process::kill_and_reap() {
  if (m_reaped) return m_status;
  ::kill(-m_pid, SIGKILL);
  ::kill(m_pid, SIGKILL);  // in case the child left its group
  // SIGKILL cannot be caught, so this wait ends; it is the one wait without a deadline.
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  while (!m_status) {
    int rc = ::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED | WNOWAIT);
    if (rc == 0) {
      m_status = status_from_siginfo(info);
    } else if (errno != EINTR) {
      m_reaped = true;  // not our child any more (ECHILD): nothing left to reap
      note_spawned(m_pid, false);
      return m_status;
    }
  }
  return reap();
}

}  // namespace mcp_probe::util
