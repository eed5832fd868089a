// The kernel's view of who listens on a port: a socket this test binds on loopback and one on
// every interface, asked through netlink and through /proc-style tables.

#include "mcp_probe/util/listeners.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "mcp_probe/util/fd.h"

using namespace mcp_probe::util;

TEST_SUITE_BEGIN("unit");

namespace {

// A listening TCP socket on `address` (network order) and a port the kernel picks.
UniqueFd listen_on(in_addr_t address, int& port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd.valid());
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = address;
  REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd.get(), 1) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) == 0);
  port = ntohs(a.sin_port);
  return fd;
}

}  // namespace

TEST_CASE("util::tcp_listeners") {
  SUBCASE("a loopback listener is seen, and not as a wildcard") {
    int port = 0;
    UniqueFd fd = listen_on(htonl(INADDR_LOOPBACK), port);
    if (auto l = tcp_listeners_netlink(port)) {
      CHECK(l->any);
      CHECK_FALSE(l->wildcard);
    }
    auto addresses = tcp_listen_addresses(port);
    REQUIRE(addresses.size() == 1);
    CHECK(addresses[0] == "0100007F");  // 127.0.0.1, little-endian hex as in /proc/net/tcp
  }
  SUBCASE("a listener on every interface is a wildcard") {
    int port = 0;
    UniqueFd fd = listen_on(htonl(INADDR_ANY), port);
    if (auto l = tcp_listeners_netlink(port)) {
      CHECK(l->any);
      CHECK(l->wildcard);
    }
    auto addresses = tcp_listen_addresses(port);
    REQUIRE(addresses.size() == 1);
    CHECK(addresses[0] == "00000000");
  }
  SUBCASE("the /proc table format: LISTEN rows of the port only") {
    char path[] = "/tmp/mcp-probe-tcp-XXXXXX";
    int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    ::close(fd);
    {
      std::ofstream out(path);
      out << "  sl  local_address rem_address   st tx_queue rx_queue\n"
             "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000\n"
             "   1: 00000000:1F90 0100007F:C350 01 00000000:00000000\n"
             "   2: 00000000:0050 00000000:0000 0A 00000000:00000000\n"
             "   3: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 0\n";
    }
    auto addresses = tcp_listen_addresses(8080, {path, "/nonexistent/table"});
    std::remove(path);
    REQUIRE(addresses.size() == 2);
    CHECK(addresses[0] == "0100007F");
    CHECK(addresses[1] == "00000000000000000000000000000000");
  }
}
