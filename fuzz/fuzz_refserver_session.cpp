// mcp-refserver's request handling through its Session, as the stdio front-end feeds it: each
// input line is one message. Requests that may wait (slow tools, questions to the client) are
// skipped so an input cannot stall the fuzzer. Every reply must be one valid JSON text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mcp_probe/json/wire.h"
#include "mcp_probe/refserver/server.h"

namespace refserver = mcp_probe::refserver;
namespace json = mcp_probe::json;

namespace {

class CheckedOutbox : public refserver::Outbox {
 public:
  void send(const std::string& message) override {
    if (!json::parse(message)) __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  refserver::Config config;
  CheckedOutbox standalone;
  CheckedOutbox replies;
  refserver::Session session(config, standalone);
  std::size_t start = 0;
  int messages = 0;
  while (start < bytes.size() && messages < 64) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(start, end - start);
    start = end + 1;
    ++messages;
    auto parsed = json::parse(line);
    if (parsed) {
      if (session.may_wait(*parsed)) continue;
      session.handle_parsed(*parsed, replies);
    } else {
      session.handle(line, replies);
    }
  }
  session.stop();
  if (session.unexpected_waits() != 0) __builtin_trap();
  return 0;
}
