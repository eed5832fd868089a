// Header and URL parsing that exists today: the native client's URL parser, the host:port of a
// URL for messages, header lookup, and format_request with whatever survived parsing. A
// WWW-Authenticate parser does not exist yet; its harness comes with it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mcp_probe/transport/http_client.h"
#include "mcp_probe/transport/trace.h"
#include "transport/http_native.h"

namespace transport = mcp_probe::transport;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string text(bytes);
  (void)transport::url_host_port(text);
  if (auto url = transport::native::parse_http_url(bytes)) {
    if (url->target.empty() || url->target[0] != '/') __builtin_trap();
    if (url->port < 1 || url->port > 65535) __builtin_trap();
    // Nothing that parsed may smuggle a line break into the request head.
    for (char c : url->authority + url->target) {
      if (c == '\r' || c == '\n') __builtin_trap();
    }
    std::string request = transport::native::format_request("POST", *url, {}, "{}", true);
    if (request.find("\r\n\r\n") + 4 + 2 != request.size()) __builtin_trap();
  }
  // Header lines "Name: value" split on the first newline-free colon, looked up case-insensitively.
  transport::Headers headers;
  std::size_t start = 0;
  while (start < bytes.size()) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(start, end - start);
    if (auto colon = line.find(':'); colon != std::string_view::npos) {
      headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
    }
    start = end + 1;
  }
  for (const auto& [name, value] : headers) {
    auto found = transport::find_header(headers, name);
    if (!found) __builtin_trap();
    if (!transport::iequals(name, name)) __builtin_trap();
  }
  return 0;
}
