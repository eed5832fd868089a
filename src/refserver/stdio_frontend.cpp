// The stdio front-end: newline-delimited JSON-RPC on stdin/stdout. One reader thread owns stdin
// and a self-pipe woken by SIGTERM/SIGINT; tools/call and batches run on worker threads so a slow
// tool never blocks a cancellation, a ping or a client's reply to a server request.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "mcp_probe/json/wire.h"
#include "mcp_probe/refserver/frontends.h"

namespace mcp_probe::refserver {

namespace {

constexpr std::size_t k_max_line = 16 * 1024 * 1024;
constexpr auto k_shutdown_grace = std::chrono::milliseconds(500);

std::atomic<bool> g_signalled{false};
int g_wake_fd = -1;  // write end of the self-pipe

extern "C" void on_signal(int) {
  g_signalled = true;
  if (g_wake_fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] ssize_t n = ::write(g_wake_fd, &byte, 1);
  }
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stdout closed: nothing more to say
    done += static_cast<std::size_t>(n);
  }
}

class StdoutOutbox : public Outbox {
 public:
  void send(const std::string& message) override {
    std::lock_guard lock(m_mutex);
    write_all(STDOUT_FILENO, message + "\n");
  }

 private:
  std::mutex m_mutex;
};

// Worker threads for slow messages; finished ones are joined as the reader goes.
class Workers {
 public:
  void start(Session& session, Outbox& out, std::string line) {
    auto done = std::make_shared<std::atomic<bool>>(false);
    m_threads.push_back({std::thread([&session, &out, done, line = std::move(line)] {
                           session.handle(line, out);
                           *done = true;
                         }),
                         done});
  }
  void reap() {
    for (auto it = m_threads.begin(); it != m_threads.end();) {
      if (*it->done) {
        it->thread.join();
        it = m_threads.erase(it);
      } else {
        ++it;
      }
    }
  }
  bool wait_all(std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (true) {
      reap();
      if (m_threads.empty()) return true;
      if (std::chrono::steady_clock::now() >= until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  void join_all() {
    for (Worker& worker : m_threads) worker.thread.join();
    m_threads.clear();
  }

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Worker> m_threads;
};

// Only tools/call (and batches, which may hold one) can take long, and subscriptions/listen
// stays open until cancelled: its notifications/cancelled must still be read.
bool needs_worker(std::string_view line) {
  auto parsed = json::parse(line);
  if (!parsed) return false;
  if (parsed->is_array()) return true;
  if (!parsed->is_object()) return false;
  const nlohmann::json method = parsed->value("method", nlohmann::json());
  return method == "tools/call" || method == "subscriptions/listen";
}

class LineReader {
 public:
  LineReader(Session& session, Outbox& out, Workers& workers)
      : m_session(session), m_out(out), m_workers(workers) {}

  void feed(const char* data, std::size_t size) {
    m_buffer.append(data, size);
    std::size_t start = 0;
    for (std::size_t nl = m_buffer.find('\n'); nl != std::string::npos; nl = m_buffer.find('\n', start)) {
      if (!m_skipping) dispatch(std::string_view(m_buffer).substr(start, nl - start));
      m_skipping = false;
      start = nl + 1;
    }
    m_buffer.erase(0, start);
    if (m_buffer.size() > k_max_line) {
      if (!m_skipping) {
        m_out.send(
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: line too long"}})");
      }
      m_skipping = true;
      m_buffer.clear();
    }
  }
  void finish() {
    if (!m_skipping && !m_buffer.empty()) dispatch(m_buffer);
    m_buffer.clear();
  }

 private:
  void dispatch(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    if (needs_worker(line)) {
      m_workers.start(m_session, m_out, std::string(line));
    } else {
      m_session.handle(line, m_out);
    }
  }

  Session& m_session;
  Outbox& m_out;
  Workers& m_workers;
  std::string m_buffer;
  bool m_skipping = false;
};

void install_signals(const Config& config, int wake_fd) {
  g_wake_fd = wake_fd;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  if (config.has("ignore-sigterm")) {
    signal(SIGTERM, SIG_IGN);
  } else {
    sigaction(SIGTERM, &action, nullptr);
  }
  signal(SIGPIPE, SIG_IGN);
}

// Reads stdin until EOF or a signal. Returns true on EOF.
bool read_loop(LineReader& reader, Workers& workers, int wake_fd) {
  char chunk[65536];
  while (!g_signalled) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    const int ready = ::poll(fds, 2, 100);
    workers.reap();
    if (ready <= 0) continue;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        reader.finish();
        return true;
      }
      reader.feed(chunk, static_cast<std::size_t>(n));
    }
  }
  return false;
}

}  // namespace

int run_stdio(const Config& config) {
  int wake[2];
  if (::pipe(wake) != 0) {
    std::fprintf(stderr, "mcp-refserver: error: pipe: %s\n", std::strerror(errno));
    return 1;
  }
  ::fcntl(wake[1], F_SETFL, O_NONBLOCK);
  install_signals(config, wake[1]);
  if (config.has("stdout-noise")) write_all(STDOUT_FILENO, "mcp-refserver starting up, hello!\n");

  StdoutOutbox out;
  Session session(config, out);
  Workers workers;
  LineReader reader(session, out, workers);
  const bool eof = read_loop(reader, workers, wake[0]);
  if (eof && (config.has("ignore-stdin-eof") || config.has("ignore-sigterm"))) {
    // Fault: stay alive after EOF until a signal (SIGTERM is ignored under ignore-sigterm).
    while (!g_signalled) {
      pollfd fd{wake[0], POLLIN, 0};
      ::poll(&fd, 1, 100);
    }
  }
  // In-flight work gets a short grace, then is cancelled; cancelled requests get no response.
  if (!workers.wait_all(k_shutdown_grace)) session.stop();
  workers.join_all();
  g_wake_fd = -1;
  ::close(wake[0]);
  ::close(wake[1]);
  return 0;
}

}  // namespace mcp_probe::refserver
