#include "mcp_probe/util/fd.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

namespace mcp_probe::util {

void UniqueFd::reset(int fd) {
  if (m_fd >= 0) {
    // Linux always releases the fd, even when close() reports EINTR: never retry.
    int saved = errno;
    ::close(m_fd);
    errno = saved;
  }
  m_fd = fd;
}

Expected<void> set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return make_error(ErrorKind::io, std::string("fcntl(O_NONBLOCK): ") + std::strerror(errno));
  }
  return {};
}

ssize_t write_no_sigpipe(int fd, const void* data, std::size_t size) {
  // Process-wide SIGPIPE disposition belongs to the program, not to a library, so block the
  // signal in this thread only and swallow the one our own write raised (if it was not already
  // pending before the call).
  sigset_t pipe_set, old_mask, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);

  ssize_t n;
  do {
    n = ::write(fd, data, size);
  } while (n < 0 && errno == EINTR);
  int saved = errno;

  if (n < 0 && saved == EPIPE && !was_pending) {
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = saved;
  return n;
}

}  // namespace mcp_probe::util
