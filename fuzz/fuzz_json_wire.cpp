// The JSON wire layer: parse (strict UTF-8 and syntax), classify and dump. What parses must
// dump to text that parses back to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mcp_probe/json/wire.h"

namespace json = mcp_probe::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  bool utf8 = json::is_valid_utf8(bytes);
  auto parsed = json::parse(bytes);
  if (!parsed) return 0;
  if (!utf8) __builtin_trap();  // the parser must reject what is not UTF-8
  (void)json::to_string(json::classify(*parsed));
  std::string text = json::dump(*parsed);
  auto again = json::parse(text);
  if (!again) __builtin_trap();
  if (json::dump(*again) != text) __builtin_trap();
  return 0;
}
