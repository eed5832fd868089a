#pragma once

// Process-wide Ctrl-C, one mechanism for every wait. The CLI's SIGINT handler calls
// request_interrupt() (async-signal-safe: an atomic flag and a write to an eventfd). Blocking
// waits put interrupt_fd() in their poll set, or check interrupt_requested() between short
// slices where they cannot poll (condition variables), and give up at once as if their deadline
// had passed. Nothing here installs a handler; nothing resets the flag (a run ends after it).

namespace mcp_probe::util {

// Creates the eventfd; call once before installing the handler (not async-signal-safe).
void prepare_interrupt();
void request_interrupt() noexcept;
bool interrupt_requested() noexcept;
// The eventfd, readable (POLLIN) once interrupted; -1 before prepare_interrupt().
int interrupt_fd() noexcept;

}  // namespace mcp_probe::util
