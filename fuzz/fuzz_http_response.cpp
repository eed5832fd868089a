// The native HTTP/1.1 response parser (http_native.cpp): any bytes, in any chunking, end in a
// state, never more body bytes than arrived, and the same outcome as when fed whole.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "transport/http_native.h"

using mcp_probe::transport::native::ResponseParser;
using mcp_probe::transport::native::Sink;

namespace {

struct Run {
  std::string headers;
  std::string body;
  ResponseParser::State state;
  int code;
};

Run run(std::string_view bytes, std::size_t step, bool head, bool close_at_end) {
  Run r{};
  Sink sink;
  sink.header_line = [&](std::string_view line) { r.headers.append(line); };
  sink.body = [&](std::string_view chunk) {
    r.body.append(chunk);
    return true;
  };
  ResponseParser parser(sink, head);
  ResponseParser::State state = parser.state();
  for (std::size_t pos = 0; pos < bytes.size(); pos += step) {
    state = parser.feed(bytes.substr(pos, step));
    if (state == ResponseParser::State::done || state == ResponseParser::State::failed) break;
  }
  if (close_at_end && (state == ResponseParser::State::headers || state == ResponseParser::State::body)) {
    state = parser.eof();
  }
  if (parser.body_bytes() != r.body.size()) __builtin_trap();
  r.state = state;
  r.code = parser.code();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool head = (data[0] & 0x80) != 0;
  const bool close_at_end = (data[0] & 0x40) != 0;
  const std::size_t step = 1 + (data[0] & 0x3f);
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  Run whole = run(bytes, bytes.size() + 1, head, close_at_end);
  Run pieces = run(bytes, step, head, close_at_end);
  if (whole.state != pieces.state || whole.code != pieces.code) __builtin_trap();
  if (whole.headers != pieces.headers || whole.body != pieces.body) __builtin_trap();
  if (whole.body.size() > bytes.size()) __builtin_trap();
  return 0;
}
