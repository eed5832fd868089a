#pragma once

// StdioTransport: an MCP server run as a child process, messages as newline-delimited lines on
// its stdin/stdout (spec: basic/transports, "stdio"; shutdown order: basic/lifecycle).
//
// Threads: none. One poll loop, run inside send(), send_raw(), receive() and shutdown(), reads
// stdout and stderr together and writes stdin, so a server that floods stderr, or one that
// answers while we are still writing, cannot deadlock us. Between calls nothing reads the
// pipes; a chatty server simply blocks on its own write until the next call (Incoming.at_ms is
// therefore when the line was read, which is when it arrived if a receive() was waiting).
// Not thread-safe: one caller at a time.
//
// Framing, exactly as the bytes arrived: each stdout line is delivered raw, without its "\n".
// A line that ended in "\r\n" is delivered without the "\r" too and with crlf = true, so a
// CRLF server's JSON parses the same while a check can still flag the CRLF. Nothing else is
// trimmed or decoded: blank lines, garbage and non-UTF-8 bytes come through as they are.
// - A line longer than max_line_bytes: receive() yields one ErrorKind::protocol error in its
//   place and the rest of that line is discarded; the next line is delivered normally.
// - EOF on stdout: an unterminated last line is delivered with terminated = false; after that
//   receive() fails with ErrorKind::closed, naming the exit status and the last stderr line (the
//   first such receive() waits up to 0.5 s, within its deadline, for the exit and stderr EOF).
// - A receive() timeout never splits a line: a partial line stays buffered (the error says so).
//
// stderr is never interpreted (the spec lets servers log there): it is kept as a bounded tail
// and traced chunk by chunk. With a Tracer, every stdin write ("stdin", send), stdout line
// ("stdout", receive), stderr chunk ("stderr", receive) and process event ("process", info) is
// emitted.

#include <sys/types.h>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcp_probe/transport/line_framer.h"
#include "mcp_probe/transport/trace.h"
#include "mcp_probe/transport/transport.h"
#include "mcp_probe/util/deadline.h"
#include "mcp_probe/util/expected.h"
#include "mcp_probe/util/process.h"

namespace mcp_probe::transport {

struct StdioOptions {
  std::vector<std::string> argv;                          // the server command; argv[0] via PATH
  std::vector<std::pair<std::string, std::string>> env;   // added to / overriding our environment
  std::string cwd;                                        // empty: ours
  std::size_t max_line_bytes = std::size_t{16} << 20;     // 16 MiB
  std::size_t stderr_tail_bytes = std::size_t{64} << 10;  // 64 KiB
  util::Millis stdin_close_wait{2000};                    // shutdown: wait after closing stdin
  util::Millis sigterm_wait{2000};                        // shutdown: wait after SIGTERM
  Tracer* tracer = nullptr;                               // optional, not owned; must outlive us
};

// Which shutdown step saw the server go.
enum class ShutdownStep { already_exited, stdin_eof, sigterm, sigkill };
// "already-exited", "stdin-eof", "sigterm", "sigkill".
const char* to_string(ShutdownStep step);

struct ShutdownReport {
  ShutdownStep ended_by = ShutdownStep::already_exited;
  double stdin_eof_ms = 0;                      // time from closing stdin to exit (or to giving up on it)
  double sigterm_ms = 0;                        // time from SIGTERM to exit (or to giving up); 0 if not sent
  double sigkill_ms = 0;                        // time from SIGKILL to exit; 0 if not sent
  std::optional<util::ExitStatus> exit_status;  // nullopt only if even SIGKILL did not end it
};

class StdioTransport : public Transport {
 public:
  // Spawns the server (see util::Process for the process group, PATH and error messages).
  // Errors are ErrorKind::spawn.
  static util::Expected<std::unique_ptr<StdioTransport>> start(const StdioOptions& options);
  ~StdioTransport() override;  // close()
  StdioTransport(const StdioTransport&) = delete;
  StdioTransport& operator=(const StdioTransport&) = delete;

  TransportKind kind() const override { return TransportKind::stdio; }

  // Writes message + "\n". Errors: ErrorKind::timeout when the server does not read its stdin
  // by the deadline (the stream then holds a partial message: later sends follow it directly);
  // ErrorKind::closed when the server closed its stdin or shutdown has begun.
  util::Expected<void> send(std::string_view message, util::Deadline deadline) override;
  // Writes exactly `bytes`, no newline added: for negative probes (embedded newlines, partial
  // messages, invalid UTF-8). Errors as send().
  util::Expected<void> send_raw(std::string_view bytes, util::Deadline deadline);
  // The next stdout line (see the framing contract above). ErrorKind::timeout, ::protocol (an
  // over-long line) or ::closed.
  util::Expected<Incoming> receive(util::Deadline deadline) override;

  // The spec's stdio shutdown: close stdin, wait stdin_close_wait, SIGTERM the process group,
  // wait sigterm_wait, SIGKILL the group; then reap (no process of the group is left). Blocks
  // for at most about stdin_close_wait + sigterm_wait + a bounded SIGKILL wait. Idempotent:
  // later calls return the first report. Lines read during shutdown stay available to receive().
  ShutdownReport shutdown();
  void close() override { shutdown(); }

  // The last stderr_tail_bytes of stderr, starting at a line start when the cut fell mid-line
  // (unless the window holds a single line).
  std::string stderr_tail() const;
  // Non-blocking; the exit status once the server has exited.
  std::optional<util::ExitStatus> exit_status() { return m_process.poll_exit(); }
  pid_t pid() const { return m_process.pid(); }
  double started_at_ms() const { return m_started_at_ms; }

 private:
  struct WriteJob {
    std::string_view data;
    std::size_t written = 0;
    int error = 0;  // errno of a failed write
  };

  StdioTransport(util::Process process, const StdioOptions& options);
  util::Expected<void> write_all(std::string_view bytes, std::string_view trace_body,
                                 util::Deadline deadline);
  // The poll loop: runs until done() or the deadline. Returns done().
  bool pump(util::Deadline deadline, const std::function<bool()>& done, WriteJob* job = nullptr,
            bool watch_exit = false);
  void read_stdout();
  void read_stderr();
  void write_some(WriteJob& job);
  void feed_stdout(std::string_view data);
  void deliver(FramedLine line);
  void stdout_eof();
  bool wait_exited(util::Deadline deadline);
  util::Error closed_error(util::Deadline deadline);
  std::string process_state();
  void trace(Direction direction, const char* channel, std::string_view body, std::uint64_t* id = nullptr);

  util::Process m_process;
  LineFramer m_framer;  // stdout bytes -> lines
  std::size_t m_stderr_tail_bytes;
  util::Millis m_stdin_close_wait;
  util::Millis m_sigterm_wait;
  Tracer* m_tracer;
  double m_started_at_ms = 0;

  std::deque<util::Expected<Incoming>> m_queue;
  std::size_t m_queued_bytes = 0;
  bool m_stdout_eof = false;
  bool m_exit_grace_done = false;
  std::string m_stderr;  // up to 2x the tail size, trimmed from the front
  bool m_stderr_cut_mid_line = false;
  bool m_shutting_down = false;
  std::optional<ShutdownReport> m_report;
};

}  // namespace mcp_probe::transport
