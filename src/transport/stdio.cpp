#include "mcp_probe/transport/stdio.h"

#include <poll.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "mcp_probe/util/interrupt.h"

namespace mcp_probe::transport {

namespace {

constexpr std::size_t k_read_chunk = 64 * 1024;
// Reads per fd per wake-up, so a flooding stream cannot starve the others.
constexpr int k_reads_per_wake = 16;
// After stdout EOF, how long receive() waits for the exit status and the last stderr bytes.
constexpr util::Millis k_exit_grace{500};
// After SIGKILL: only an uninterruptible (D state) process takes longer.
constexpr util::Millis k_sigkill_wait{5000};
// After the process is gone, how long shutdown() drains what is left in the pipes.
constexpr util::Millis k_drain_wait{100};
constexpr std::size_t k_max_stderr_line_in_error = 300;

std::string format_bytes(std::size_t n) {
  if (n >= (1u << 20) && n % (1u << 20) == 0) return std::to_string(n >> 20) + " MiB";
  if (n >= (1u << 10) && n % (1u << 10) == 0) return std::to_string(n >> 10) + " KiB";
  return std::to_string(n) + " bytes";
}

std::string last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  auto nl = text.rfind('\n');
  if (nl != std::string_view::npos) text.remove_prefix(nl + 1);
  if (text.size() > k_max_stderr_line_in_error) {
    return std::string(text.substr(0, k_max_stderr_line_in_error)) + "...";
  }
  return std::string(text);
}

double since(double start_ms) { return util::monotonic_ms() - start_ms; }

}  // namespace

const char* to_string(ShutdownStep step) {
  switch (step) {
    case ShutdownStep::already_exited:
      return "already-exited";
    case ShutdownStep::stdin_eof:
      return "stdin-eof";
    case ShutdownStep::sigterm:
      return "sigterm";
    case ShutdownStep::sigkill:
      return "sigkill";
  }
  return "unknown";
}

util::Expected<std::unique_ptr<StdioTransport>> StdioTransport::start(const StdioOptions& options) {
  auto process = util::Process::spawn(util::SpawnOptions{options.argv, options.env, options.cwd});
  if (!process) return process.error();
  return std::unique_ptr<StdioTransport>(new StdioTransport(std::move(*process), options));
}

StdioTransport::StdioTransport(util::Process process, const StdioOptions& options)
    : m_process(std::move(process)),
      m_framer(options.max_line_bytes),
      m_stderr_tail_bytes(std::max<std::size_t>(options.stderr_tail_bytes, 1)),
      m_stdin_close_wait(options.stdin_close_wait),
      m_sigterm_wait(options.sigterm_wait),
      m_tracer(options.tracer),
      m_started_at_ms(util::monotonic_ms()) {
  std::string command;
  for (const auto& arg : options.argv) command += (command.empty() ? "" : " ") + arg;
  trace(Direction::info, "process", "started pid " + std::to_string(pid()) + ": " + command);
}

StdioTransport::~StdioTransport() { close(); }

void StdioTransport::trace(Direction direction, const char* channel, std::string_view body,
                           std::uint64_t* id) {
  if (m_tracer == nullptr) return;
  TraceEvent event;
  event.direction = direction;
  event.channel = channel;
  event.body = std::string(body);
  std::uint64_t assigned = m_tracer->emit(std::move(event));
  if (id != nullptr) *id = assigned;
}

std::string StdioTransport::process_state() {
  if (auto status = m_process.poll_exit()) return "the server " + status->describe();
  return "the server is still running";
}

// ---- the poll loop ----

bool StdioTransport::pump(util::Deadline deadline, const std::function<bool()>& done, WriteJob* job,
                          bool watch_exit) {
  for (;;) {
    if (done()) return true;
    if (deadline.expired() || util::interrupt_requested()) return false;

    std::array<pollfd, 5> fds{};
    int n = 0;
    int i_out = -1, i_err = -1, i_in = -1;
    auto add = [&](int fd, short events) {
      fds[n] = pollfd{fd, events, 0};
      return n++;
    };
    if (m_process.stdout_pipe()) i_out = add(m_process.stdout_pipe().get(), POLLIN);
    if (m_process.stderr_pipe()) i_err = add(m_process.stderr_pipe().get(), POLLIN);
    if (job != nullptr && m_process.stdin_pipe()) i_in = add(m_process.stdin_pipe().get(), POLLOUT);
    // The pidfd only wakes us; done() reads the exit status.
    if (watch_exit && m_process.exit_fd() >= 0) add(m_process.exit_fd(), POLLIN);
    // Ctrl-C wakes the wait at once (util/interrupt.h); the loop top then gives up.
    if (util::interrupt_fd() >= 0) add(util::interrupt_fd(), POLLIN);

    int timeout = deadline.remaining_ms();
    if (watch_exit && m_process.exit_fd() < 0) timeout = std::min(timeout, 10);  // no pidfd
    int rc = ::poll(fds.data(), static_cast<nfds_t>(n), timeout);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return done();
    }
    if (i_out >= 0 && fds[i_out].revents != 0) read_stdout();
    if (i_err >= 0 && fds[i_err].revents != 0) read_stderr();
    if (i_in >= 0 && fds[i_in].revents != 0) write_some(*job);
  }
}

void StdioTransport::read_stdout() {
  std::array<char, k_read_chunk> buf;
  for (int i = 0; i < k_reads_per_wake && m_process.stdout_pipe(); ++i) {
    ssize_t n = ::read(m_process.stdout_pipe().get(), buf.data(), buf.size());
    if (n > 0) {
      feed_stdout(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      return;
    } else {
      stdout_eof();  // EOF, or a read error that ends the stream just the same
    }
  }
}

void StdioTransport::read_stderr() {
  std::array<char, k_read_chunk> buf;
  for (int i = 0; i < k_reads_per_wake && m_process.stderr_pipe(); ++i) {
    ssize_t n = ::read(m_process.stderr_pipe().get(), buf.data(), buf.size());
    if (n > 0) {
      std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
      m_stderr.append(chunk);
      if (m_stderr.size() > 2 * m_stderr_tail_bytes) {
        std::size_t drop = m_stderr.size() - m_stderr_tail_bytes;
        m_stderr_cut_mid_line = m_stderr[drop - 1] != '\n';
        m_stderr.erase(0, drop);
      }
      trace(Direction::receive, "stderr", chunk);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      return;
    } else {
      m_process.stderr_pipe().reset();
    }
  }
}

void StdioTransport::write_some(WriteJob& job) {
  while (job.written < job.data.size()) {
    ssize_t n = util::write_no_sigpipe(m_process.stdin_pipe().get(), job.data.data() + job.written,
                                       job.data.size() - job.written);
    if (n > 0) {
      job.written += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      return;
    } else {
      job.error = n < 0 ? errno : EIO;
      return;
    }
  }
}

// ---- stdout framing ----

void StdioTransport::feed_stdout(std::string_view data) {
  std::vector<FramedLine> lines;
  m_framer.feed(data, lines);
  for (auto& line : lines) deliver(std::move(line));
}

void StdioTransport::deliver(FramedLine line) {
  if (line.oversized) {
    std::string message = "server wrote a stdout line longer than " +
                          format_bytes(m_framer.max_line_bytes()) + " without a newline";
    trace(Direction::info, "stdout", message + "; the rest of the line is discarded");
    m_queue.emplace_back(util::make_error(util::ErrorKind::protocol, std::move(message)));
    return;
  }
  Incoming in;
  in.raw = std::move(line.raw);
  in.crlf = line.crlf;
  in.origin = Origin::stdout_line;
  in.terminated = line.terminated;
  in.at_ms = util::monotonic_ms();
  trace(Direction::receive, "stdout", in.raw, &in.trace_id);
  // A server flooding stdout while we shut it down must not grow memory without bound.
  if (m_shutting_down && m_queued_bytes > m_framer.max_line_bytes()) return;
  m_queued_bytes += in.raw.size();
  m_queue.emplace_back(std::move(in));
}

void StdioTransport::stdout_eof() {
  std::vector<FramedLine> lines;
  m_framer.finish(lines);
  for (auto& line : lines) deliver(std::move(line));
  m_process.stdout_pipe().reset();
  m_stdout_eof = true;
  trace(Direction::info, "stdout", "EOF");
}

// ---- the Transport API ----

util::Expected<void> StdioTransport::send(std::string_view message, util::Deadline deadline) {
  std::string framed;
  framed.reserve(message.size() + 1);
  framed.append(message);
  framed.push_back('\n');
  return write_all(framed, message, deadline);
}

util::Expected<void> StdioTransport::send_raw(std::string_view bytes, util::Deadline deadline) {
  return write_all(bytes, bytes, deadline);
}

util::Expected<void> StdioTransport::write_all(std::string_view bytes, std::string_view trace_body,
                                               util::Deadline deadline) {
  if (m_shutting_down || !m_process.stdin_pipe()) {
    return util::make_error(util::ErrorKind::closed,
                            "cannot write to the server's stdin: it is closed (" + process_state() + ")");
  }
  trace(Direction::send, "stdin", trace_body);
  WriteJob job{bytes};
  bool finished = pump(
      deadline, [&] { return job.written == bytes.size() || job.error != 0; }, &job);
  if (job.error != 0) {
    m_process.stdin_pipe().reset();
    wait_exited(deadline.min(util::Deadline::after(k_exit_grace)));
    std::string why = job.error == EPIPE ? "the server closed its stdin" : std::strerror(job.error);
    return util::make_error(util::ErrorKind::closed,
                            "cannot write to the server's stdin: " + why + " (" + process_state() + ")");
  }
  if (!finished) {
    std::string message = "timed out writing to the server's stdin after " + std::to_string(job.written) +
                          " of " + std::to_string(bytes.size()) + " bytes (the server is not reading it)";
    trace(Direction::info, "stdin", message);
    return util::make_error(util::ErrorKind::timeout, std::move(message));
  }
  return {};
}

util::Expected<Incoming> StdioTransport::receive(util::Deadline deadline) {
  if (m_queue.empty() && !m_stdout_eof) {
    pump(deadline, [&] { return !m_queue.empty() || m_stdout_eof; });
  }
  if (!m_queue.empty()) {
    util::Expected<Incoming> next = std::move(m_queue.front());
    m_queue.pop_front();
    if (next) m_queued_bytes -= next->raw.size();
    return next;
  }
  if (m_stdout_eof) return closed_error(deadline);
  std::string message = "timed out waiting for a line on the server's stdout";
  if (m_framer.pending_bytes() != 0)
    message += " (" + std::to_string(m_framer.pending_bytes()) + " bytes of an unterminated line pending)";
  return util::make_error(util::ErrorKind::timeout, std::move(message));
}

bool StdioTransport::wait_exited(util::Deadline deadline) {
  return pump(
      deadline, [&] { return m_process.poll_exit().has_value(); }, nullptr, true);
}

util::Error StdioTransport::closed_error(util::Deadline deadline) {
  if (!m_exit_grace_done && !m_report) {
    // stdout closes a moment before the exit status exists, and stderr may still hold the
    // server's last words: give both a short, bounded chance.
    m_exit_grace_done = true;
    pump(
        deadline.min(util::Deadline::after(k_exit_grace)),
        [&] { return !m_process.stderr_pipe() && m_process.poll_exit().has_value(); }, nullptr, true);
  }
  std::string message = m_report ? "the transport was shut down (" : "the server closed its stdout (";
  message += process_state() + ")";
  std::string last = last_line(stderr_tail());
  if (!last.empty()) message += "; last stderr line: " + last;
  return util::make_error(util::ErrorKind::closed, std::move(message));
}

std::string StdioTransport::stderr_tail() const {
  std::size_t start = m_stderr.size() > m_stderr_tail_bytes ? m_stderr.size() - m_stderr_tail_bytes : 0;
  bool mid_line = start > 0 ? m_stderr[start - 1] != '\n' : m_stderr_cut_mid_line;
  if (mid_line) {
    auto nl = m_stderr.find('\n', start);
    if (nl != std::string::npos && nl + 1 < m_stderr.size()) start = nl + 1;
  }
  return m_stderr.substr(start);
}

// ---- shutdown ----

ShutdownReport StdioTransport::shutdown() {
  if (m_report) return *m_report;
  ShutdownReport report;
  m_shutting_down = true;
  if (m_process.poll_exit()) {
    report.ended_by = ShutdownStep::already_exited;
    m_process.stdin_pipe().reset();
  } else {
    // Keep draining stdout and stderr while waiting: a server blocked writing to a full pipe
    // could not exit otherwise.
    double t = util::monotonic_ms();
    m_process.stdin_pipe().reset();
    trace(Direction::info, "process", "closed stdin");
    bool gone = wait_exited(util::Deadline::after(m_stdin_close_wait));
    report.stdin_eof_ms = since(t);
    report.ended_by = ShutdownStep::stdin_eof;
    if (!gone) {
      t = util::monotonic_ms();
      m_process.signal_group(SIGTERM);
      trace(Direction::info, "process", "sent SIGTERM to the process group");
      gone = wait_exited(util::Deadline::after(m_sigterm_wait));
      report.sigterm_ms = since(t);
      report.ended_by = ShutdownStep::sigterm;
    }
    if (!gone) {
      t = util::monotonic_ms();
      m_process.signal_group(SIGKILL);
      trace(Direction::info, "process", "sent SIGKILL to the process group");
      wait_exited(util::Deadline::after(k_sigkill_wait));
      report.sigkill_ms = since(t);
      report.ended_by = ShutdownStep::sigkill;
    }
  }
  // reap() also kills what is left of the group, so the pipes reach EOF unless a process
  // escaped the group; the drain is bounded for that case.
  report.exit_status = m_process.reap();
  pump(util::Deadline::after(k_drain_wait),
       [&] { return !m_process.stdout_pipe() && !m_process.stderr_pipe(); });
  if (m_process.stdout_pipe()) stdout_eof();
  m_process.stderr_pipe().reset();
  trace(Direction::info, "process",
        std::string("shutdown ended by ") + to_string(report.ended_by) + ": " +
            (report.exit_status ? report.exit_status->describe() : std::string("exit status unknown")));
  m_report = report;
  return report;
}

}  // namespace mcp_probe::transport
