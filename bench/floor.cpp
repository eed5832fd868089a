// floor: the fastest "MCP server" this machine can run, for bench/refserver_throughput. It does
// no MCP work at all: every POST gets a canned answer (initialize a result with a protocol
// version and a session id, notifications 202, any other request an SSE event with a text result
// carrying the request's id), one thread per connection, one recv and one send per request, as
// mcp-refserver's connection layer does. Its throughput is the floor the loopback round trip,
// the load client and the scheduler leave on this machine: no server can beat it, so it shows
// how much of a server's time is its own.
//
//   floor            listens on 127.0.0.1, a free port; prints "listening on http://127.0.0.1:PORT/mcp"
//
// Not a server to use for anything else: it reads only what the load client sends.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>

namespace {

// The body length a request head announces (0 when none).
std::size_t content_length(std::string_view head) {
  const std::string_view name = "\r\nContent-Length:";
  std::size_t at = head.find(name);
  return at == std::string_view::npos ? 0 : std::strtoul(head.data() + at + name.size(), nullptr, 10);
}

// The canned answer to the request with this body.
std::string answer(std::string_view body) {
  const std::size_t id_at = body.find("\"id\":");
  if (id_at == std::string_view::npos) return "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";
  const std::size_t id_end = body.find_first_of(",}", id_at + 5);
  const std::string_view id = body.substr(id_at + 5, id_end - id_at - 5);
  const bool init = body.find("\"initialize\"") != std::string_view::npos;
  const std::string result =
      init
          ? R"({"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"floor","version":"1"}})"
          : R"({"content":[{"type":"text","text":"Echo: hello"}]})";
  const std::string event =
      "id: 1-1\nretry: 1000\ndata: \n\nevent: message\nid: 1-2\ndata: {\"jsonrpc\":\"2.0\",\"id\":" +
      std::string(id) + ",\"result\":" + result + "}\n\n";
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
         "Mcp-Session-Id: 00000000000000000000000000000001\r\nContent-Length: " +
         std::to_string(event.size()) + "\r\n\r\n" + event;
}

void serve(int fd) {
  std::string in;
  char buf[16384];
  for (;;) {
    const std::size_t head_end = in.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const std::string_view head(in.data(), head_end + 4);
      const std::size_t total = head.size() + content_length(head);
      if (in.size() >= total) {
        const std::string out = answer(std::string_view(in).substr(head.size(), total - head.size()));
        if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) < 0) break;
        in.erase(0, total);
        continue;
      }
    }
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
}

}  // namespace

int main() {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 128) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("floor: cannot listen");
    return 1;
  }
  std::fprintf(stderr, "listening on http://127.0.0.1:%d/mcp\n", ntohs(addr.sin_port));
  std::fflush(stderr);
  for (;;) {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::thread(serve, fd).detach();
  }
}
