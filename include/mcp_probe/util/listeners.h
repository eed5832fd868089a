#pragma once

// Which sockets of this network namespace listen on a local TCP port, read from the kernel
// (no traffic to any address). Linux only; knows nothing about MCP. Blocking but bounded: one
// netlink round trip, or a read of /proc/net/tcp*.

#include <optional>
#include <string>
#include <vector>

namespace mcp_probe::util {

struct TcpListeners {
  bool any = false;       // some socket listens on the port
  bool wildcard = false;  // one of them at 0.0.0.0 or ::
};

// Asked through NETLINK_SOCK_DIAG (reading /proc/net/tcp* costs milliseconds on some virtual
// machines). nullopt when the kernel does not answer (no netlink in a sandbox): then ask /proc.
std::optional<TcpListeners> tcp_listeners_netlink(int port);

// The local addresses listening on TCP `port`, from /proc/net/tcp-style tables (hex as there:
// "00000000" is 0.0.0.0, 32 zeros is ::). Unreadable tables count as empty.
std::vector<std::string> tcp_listen_addresses(int port, const std::vector<std::string>& tables = {
                                                            "/proc/net/tcp", "/proc/net/tcp6"});

}  // namespace mcp_probe::util
