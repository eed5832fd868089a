#pragma once

// UniqueFd: sole owner of one file descriptor; closes it in the destructor. Movable, not
// copyable. Plus the two small fd helpers the process layer needs. Knows nothing about MCP.

#include <sys/types.h>
#include <cstddef>

#include "mcp_probe/util/expected.h"

namespace mcp_probe::util {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }
  explicit operator bool() const { return valid(); }
  // Gives up ownership without closing; returns the fd (or -1).
  int release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
  }
  // Closes the current fd (if any; close errors are ignored) and takes ownership of `fd`.
  void reset(int fd = -1);

 private:
  int m_fd = -1;
};

// Sets O_NONBLOCK on `fd`.
Expected<void> set_nonblocking(int fd);

// write(2) that never raises SIGPIPE in this process: a write to a pipe whose reader is gone
// fails with EPIPE instead (SIGPIPE is blocked in the calling thread for the call and a SIGPIPE
// it generated is consumed). Returns what write(2) returns; errno as write(2) sets it.
ssize_t write_no_sigpipe(int fd, const void* data, std::size_t size);

}  // namespace mcp_probe::util
