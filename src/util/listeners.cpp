#include "mcp_probe/util/listeners.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "mcp_probe/util/fd.h"

namespace mcp_probe::util {

namespace {

// One family's dump. false when the kernel's answer cannot be used.
bool dump_family(int fd, int family, int port, TcpListeners& out) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } query{};
  query.header.nlmsg_len = sizeof query;
  query.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  query.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  query.request.sdiag_family = static_cast<std::uint8_t>(family);
  query.request.sdiag_protocol = IPPROTO_TCP;
  query.request.idiag_states = 1u << 10;  // TCP_LISTEN
  query.request.id.idiag_sport = htons(static_cast<std::uint16_t>(port));
  if (::send(fd, &query, sizeof query, 0) < 0) return false;
  for (;;) {
    alignas(nlmsghdr) char buf[16384];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    const std::size_t size = static_cast<std::size_t>(n);
    for (std::size_t at = 0; at + sizeof(nlmsghdr) <= size;) {
      const auto* h = reinterpret_cast<const nlmsghdr*>(buf + at);
      if (h->nlmsg_len < sizeof(nlmsghdr) || at + h->nlmsg_len > size) return false;
      const char* payload = buf + at + NLMSG_ALIGN(sizeof(nlmsghdr));
      at += NLMSG_ALIGN(h->nlmsg_len);
      if (h->nlmsg_type == NLMSG_DONE) return true;
      if (h->nlmsg_type == NLMSG_ERROR) return false;
      if (h->nlmsg_len < NLMSG_ALIGN(sizeof(nlmsghdr)) + sizeof(inet_diag_msg)) continue;
      const auto* msg = reinterpret_cast<const inet_diag_msg*>(payload);
      if (ntohs(msg->id.idiag_sport) != port) continue;  // older kernels ignore the port filter
      out.any = true;
      const auto* words = msg->id.idiag_src;
      bool zero = words[0] == 0 && (family == AF_INET || (words[1] == 0 && words[2] == 0 && words[3] == 0));
      out.wildcard = out.wildcard || zero;
    }
  }
}

}  // namespace

std::optional<TcpListeners> tcp_listeners_netlink(int port) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!fd) return std::nullopt;
  TcpListeners out;
  for (int family : {AF_INET, AF_INET6}) {
    if (!dump_family(fd.get(), family, port, out)) return std::nullopt;
  }
  return out;
}

std::vector<std::string> tcp_listen_addresses(int port, const std::vector<std::string>& tables) {
  std::vector<std::string> out;
  for (const std::string& table : tables) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      if (!(fields >> slot >> local >> remote >> state) || state != "0A") continue;  // 0A: LISTEN
      std::size_t colon = local.rfind(':');
      if (colon == std::string::npos) continue;
      if (std::strtol(local.c_str() + colon + 1, nullptr, 16) == port) out.push_back(local.substr(0, colon));
    }
  }
  return out;
}

}  // namespace mcp_probe::util
