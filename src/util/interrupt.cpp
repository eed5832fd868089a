#include "mcp_probe/util/interrupt.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace mcp_probe::util {
namespace {

std::atomic<bool> g_requested{false};
std::atomic<int> g_fd{-1};

}  // namespace

void prepare_interrupt() {
  if (g_fd.load() >= 0) return;
  const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  int expected = -1;
  if (fd >= 0 && !g_fd.compare_exchange_strong(expected, fd)) ::close(fd);
}

void request_interrupt() noexcept {
  g_requested.store(true);
  const int fd = g_fd.load();
  if (fd >= 0) {
    // Never read back: the fd stays readable, so every later poll wakes at once too.
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(fd, &one, sizeof one);
  }
}

bool interrupt_requested() noexcept { return g_requested.load(); }

int interrupt_fd() noexcept { return g_fd.load(); }

}  // namespace mcp_probe::util
