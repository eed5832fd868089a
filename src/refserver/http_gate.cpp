// The HeaderGate: connections wait here, not on a worker, until their header block is whole.

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "refserver/http_internal.h"

namespace mcp_probe::refserver::http {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

struct HeaderGate::Entry {
  HeldConnection held;
  Clock::time_point deadline;
};

HeaderGate::HeaderGate(std::chrono::milliseconds idle, std::chrono::milliseconds head, Dispatch dispatch)
    : m_idle(idle), m_head(head), m_dispatch(std::move(dispatch)) {
  if (::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    m_wake[0] = m_wake[1] = -1;
  }
  m_thread = std::thread([this] { loop(); });
}

HeaderGate::~HeaderGate() {
  stop();
  if (m_wake[0] >= 0) ::close(m_wake[0]);
  if (m_wake[1] >= 0) ::close(m_wake[1]);
}

void HeaderGate::add(HeldConnection connection) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_stopped) {
      m_incoming.push_back(std::move(connection));
      connection.fd = -1;
    }
  }
  if (connection.fd >= 0) {
    ::shutdown(connection.fd, SHUT_RDWR);
    ::close(connection.fd);
    return;
  }
  const char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(m_wake[1], &byte, 1);
}

void HeaderGate::stop() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_stopped) return;
    m_stopped = true;
  }
  const char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(m_wake[1], &byte, 1);
  if (m_thread.joinable()) m_thread.join();
}

void HeaderGate::loop() {
  std::vector<Entry> held;
  std::vector<pollfd> fds;
  auto drop = [](Entry& e, bool timed_out) {
    if (timed_out && !e.held.bytes.empty()) {
      const std::string answer = refusal(408);
      [[maybe_unused]] ssize_t n =
          ::send(e.held.fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    ::shutdown(e.held.fd, SHUT_RDWR);
    ::close(e.held.fd);
    e.held.fd = -1;
  };
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (m_stopped) break;
      const auto now = Clock::now();
      for (auto& c : m_incoming) {
        const auto deadline = c.head_started ? *c.head_started + m_head : now + m_idle;
        held.push_back(Entry{std::move(c), deadline});
      }
      m_incoming.clear();
    }
    fds.clear();
    fds.push_back(pollfd{m_wake[0], POLLIN, 0});
    auto next = Clock::now() + std::chrono::seconds(1);
    for (const auto& e : held) {
      fds.push_back(pollfd{e.held.fd, POLLIN, 0});
      next = std::min(next, e.deadline);
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(0, wait) + 1));
    if (ready < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) {
      char sink[64];
      while (::read(m_wake[0], sink, sizeof sink) > 0) {
      }
    }
    const auto now = Clock::now();
    for (std::size_t i = 0; i < held.size(); ++i) {
      Entry& e = held[i];
      if (fds[i + 1].revents != 0) {
        char buf[16 * 1024];
        const ssize_t n = ::recv(e.held.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          drop(e, false);
          continue;
        }
        if (n > 0) {
          if (!e.held.head_started) {
            e.held.head_started = now;
            e.deadline = now + m_head;
          }
          e.held.bytes.append(buf, static_cast<std::size_t>(n));
          if (head_end(e.held.bytes) != std::string::npos || e.held.bytes.size() > k_max_head) {
            m_dispatch(std::move(e.held));
            e.held.fd = -1;
            continue;
          }
        }
      }
      if (now >= e.deadline) drop(e, true);
    }
    held.erase(std::remove_if(held.begin(), held.end(), [](const Entry& e) { return e.held.fd < 0; }),
               held.end());
  }
  for (auto& e : held) drop(e, false);
  std::lock_guard<std::mutex> lock(m_mutex);
  for (auto& c : m_incoming) {
    ::shutdown(c.fd, SHUT_RDWR);
    ::close(c.fd);
  }
  m_incoming.clear();
}

}  // namespace mcp_probe::refserver::http
