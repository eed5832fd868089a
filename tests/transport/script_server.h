#pragma once

// ScriptServer: a loopback HTTP server for client tests that must control the exact bytes of a
// response, or misbehave (close without answering, never answer, send garbage). It accepts
// connections one after another; connection i plays script i: for each request read on it, the
// next reply is written verbatim. A reply may end with k_hang (write what precedes it, then keep
// the connection open and silent until the client closes it or the server is destroyed) or be k_close (close
// without answering). When a connection's script is used up, the connection is closed.

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <initializer_list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mcp_probe::testing {

class ScriptServer {
 public:
  static constexpr const char* k_hang = "\x01hang";
  static constexpr const char* k_close = "\x01close";

  ScriptServer(std::initializer_list<std::vector<std::string>> scripts) : m_scripts(scripts) {
    m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(m_listen >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(m_listen, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    m_port = ntohs(addr.sin_port);
    m_stop = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    m_thread = std::thread([this] { run(); });
  }
  ~ScriptServer() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(m_stop, &one, sizeof one);
    m_thread.join();
    ::close(m_listen);
    ::close(m_stop);
  }
  int port() const { return m_port; }
  std::string url(const std::string& path = "/mcp") const {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
  }
  // Every request read so far (head and body), in order.
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_requests;
  }
  int accepted() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_accepted;
  }

 private:
  // Waits until fd is readable; false when the server is stopping.
  bool wait_readable(int fd) {
    pollfd p[2] = {{fd, POLLIN, 0}, {m_stop, POLLIN, 0}};
    for (;;) {
      if (::poll(p, 2, -1) < 0) continue;
      if (p[1].revents) return false;
      if (p[0].revents) return true;
    }
  }

  // Reads one request (head, then Content-Length bytes of body); false on EOF or stop.
  bool read_request(int fd, std::string& pending, std::string& out) {
    for (;;) {
      auto end = pending.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t length = 0;
        auto cl = pending.find("Content-Length: ");
        if (cl != std::string::npos && cl < end)
          length = std::strtoul(pending.c_str() + cl + 16, nullptr, 10);
        if (pending.size() >= end + 4 + length) {
          out = pending.substr(0, end + 4 + length);
          pending.erase(0, end + 4 + length);
          return true;
        }
      }
      if (!wait_readable(fd)) return false;
      char buf[4096];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      pending.append(buf, static_cast<std::size_t>(n));
    }
  }

  void serve(int fd, const std::vector<std::string>& script) {
    std::string pending;
    for (const auto& reply : script) {
      std::string request;
      if (!read_request(fd, pending, request)) return;
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_requests.push_back(request);
      }
      if (reply == k_close) return;
      std::string hang = k_hang;
      bool hangs =
          reply.size() >= hang.size() && reply.compare(reply.size() - hang.size(), hang.size(), hang) == 0;
      std::string bytes = hangs ? reply.substr(0, reply.size() - hang.size()) : reply;
      if (!bytes.empty()) [[maybe_unused]]
        auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (hangs) {
        wait_readable(fd);  // until the client closes (or sends more) or the server stops
        return;
      }
    }
  }

  void run() {
    for (const auto& script : m_scripts) {
      if (!wait_readable(m_listen)) return;
      int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        ++m_accepted;
      }
      serve(fd, script);
      ::close(fd);
    }
  }

  std::vector<std::vector<std::string>> m_scripts;
  int m_listen = -1;
  int m_stop = -1;
  int m_port = 0;
  std::thread m_thread;
  std::mutex m_mutex;
  std::vector<std::string> m_requests;
  int m_accepted = 0;
};

}  // namespace mcp_probe::testing
