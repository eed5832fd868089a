// The HeaderGate: the connections' event loop. Every connection waits here between requests, on
// one of a few epoll threads, not on a worker; see http_internal.h.

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "refserver/http_internal.h"

namespace mcp_probe::refserver::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto k_sweep = std::chrono::milliseconds(100);  // how often deadlines are looked at
constexpr int k_events = 64;                              // epoll events taken per wait
constexpr std::size_t k_read_max = 512 * 1024;            // bytes read from one socket per turn

void close_connection(int fd) {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

bool whole_or_too_long(const std::string& bytes) {
  return head_end(bytes) != std::string::npos || bytes.size() > k_max_head;
}

}  // namespace

struct HeaderGate::Loop {
  struct Entry {
    HeldConnection held;
    Clock::time_point deadline;
  };

  int epoll = -1;
  int wake = -1;  // an eventfd: add() and stop() ring it
  std::mutex mutex;
  std::vector<HeldConnection> incoming;  // under mutex
  bool stopped = false;                  // under mutex
  std::unordered_map<int, Entry> held;   // the loop thread's own
  std::thread thread;

  ~Loop() {
    if (epoll >= 0) ::close(epoll);
    if (wake >= 0) ::close(wake);
  }
  void ring() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake, &one, sizeof one);
  }
};

HeaderGate::HeaderGate(std::chrono::milliseconds idle, std::chrono::milliseconds head, Dispatch dispatch,
                       Ready ready, std::size_t threads)
    : m_idle(idle), m_head(head), m_dispatch(std::move(dispatch)), m_ready(std::move(ready)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
    auto loop = std::make_unique<Loop>();
    loop->epoll = ::epoll_create1(EPOLL_CLOEXEC);
    loop->wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = loop->wake;
    if (loop->epoll < 0 || loop->wake < 0 || ::epoll_ctl(loop->epoll, EPOLL_CTL_ADD, loop->wake, &ev) != 0) {
      continue;  // out of descriptors: fewer loops (none: add() closes what comes)
    }
    m_loops.push_back(std::move(loop));
  }
  for (auto& loop : m_loops) loop->thread = std::thread([this, l = loop.get()] { run(*l); });
}

HeaderGate::~HeaderGate() { stop(); }

void HeaderGate::add(HeldConnection connection) {
  if (!m_loops.empty()) {
    Loop& loop = *m_loops[m_next.fetch_add(1, std::memory_order_relaxed) % m_loops.size()];
    {
      std::lock_guard<std::mutex> lock(loop.mutex);
      if (!loop.stopped) {
        loop.incoming.push_back(std::move(connection));
        connection.fd = -1;
      }
    }
    if (connection.fd < 0) {
      loop.ring();
      return;
    }
  }
  close_connection(connection.fd);
}

void HeaderGate::stop() {
  if (m_stopped.exchange(true)) return;
  for (auto& loop : m_loops) {
    {
      std::lock_guard<std::mutex> lock(loop->mutex);
      loop->stopped = true;
    }
    loop->ring();
  }
  for (auto& loop : m_loops) {
    if (loop->thread.joinable()) loop->thread.join();
  }
}

bool HeaderGate::serve(Loop& loop, HeldConnection& held) {
  GateAction action = m_ready ? m_ready(held) : GateAction{};
  switch (action.kind) {
    case GateAction::Kind::keep:
      return true;
    case GateAction::Kind::close:
      close_connection(held.fd);
      return false;
    case GateAction::Kind::hand_off:
      break;
  }
  ::epoll_ctl(loop.epoll, EPOLL_CTL_DEL, held.fd, nullptr);  // before another thread reads it
  if (action.then) {
    action.then(std::move(held));
  } else {
    m_dispatch(std::move(held));
  }
  return false;
}

void HeaderGate::run(Loop& loop) {
  using Entry = Loop::Entry;
  auto drop = [](Entry& e, bool timed_out) {
    if (timed_out && !e.held.bytes.empty()) {
      const std::string answer = refusal(408);
      [[maybe_unused]] ssize_t n =
          ::send(e.held.fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    close_connection(e.held.fd);
  };
  // Serves what the connection's bytes hold, request after request; false once it left the loop.
  auto process = [&](Entry& e) {
    while (whole_or_too_long(e.held.bytes)) {
      if (!serve(loop, e.held)) return false;
      std::string& bytes = e.held.bytes;
      std::size_t crlf = 0;  // blank lines between requests are allowed (RFC 9112 section 2.2)
      while (crlf + 1 < bytes.size() && bytes[crlf] == '\r' && bytes[crlf + 1] == '\n') crlf += 2;
      bytes.erase(0, crlf);
      const auto now = Clock::now();
      if (bytes.empty()) {
        e.held.head_started.reset();
        e.deadline = now + m_idle;
      } else {
        e.held.head_started = now;
        e.deadline = now + m_head;
      }
    }
    return true;
  };
  std::vector<HeldConnection> incoming;
  epoll_event events[k_events];
  auto next_sweep = Clock::now() + k_sweep;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(loop.mutex);
      if (loop.stopped) break;
      incoming.swap(loop.incoming);
    }
    for (HeldConnection& c : incoming) {
      const int fd = c.fd;
      const auto deadline = c.head_started ? *c.head_started + m_head : Clock::now() + m_idle;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      if (::epoll_ctl(loop.epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close_connection(fd);
        continue;
      }
      auto it = loop.held.insert_or_assign(fd, Entry{std::move(c), deadline}).first;
      // A worker may hand a connection back with its next request already received.
      if (!process(it->second)) loop.held.erase(it);
    }
    incoming.clear();
    const int n = ::epoll_wait(loop.epoll, events, k_events, static_cast<int>(k_sweep.count()));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == loop.wake) {
        std::uint64_t count;
        [[maybe_unused]] ssize_t r = ::read(loop.wake, &count, sizeof count);
        continue;
      }
      auto it = loop.held.find(fd);
      if (it == loop.held.end()) continue;
      Entry& e = it->second;
      // Everything the socket holds (up to k_read_max), so that a request whose body came with
      // its head is served here whole.
      char buf[16 * 1024];
      ssize_t got = 0;
      std::size_t taken = 0;
      do {
        got = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (got > 0) {
          e.held.bytes.append(buf, static_cast<std::size_t>(got));
          taken += static_cast<std::size_t>(got);
        }
      } while (got == static_cast<ssize_t>(sizeof buf) && taken < k_read_max);
      const bool gone = got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
      if (gone && (taken == 0 || !whole_or_too_long(e.held.bytes))) {
        drop(e, false);
        loop.held.erase(it);
        continue;
      }
      if (taken == 0) continue;
      if (!e.held.head_started) {
        e.held.head_started = Clock::now();
        e.deadline = *e.held.head_started + m_head;
      }
      if (!process(e)) loop.held.erase(it);
    }
    const auto now = Clock::now();
    if (now >= next_sweep) {
      for (auto it = loop.held.begin(); it != loop.held.end();) {
        if (now >= it->second.deadline) {
          drop(it->second, true);
          it = loop.held.erase(it);
        } else {
          ++it;
        }
      }
      next_sweep = now + k_sweep;
    }
  }
  for (auto& [fd, e] : loop.held) drop(e, false);
  loop.held.clear();
  std::lock_guard<std::mutex> lock(loop.mutex);
  for (auto& c : loop.incoming) close_connection(c.fd);
  loop.incoming.clear();
}

}  // namespace mcp_probe::refserver::http
