// The JSON wire layer: parse (strict UTF-8 and syntax), classify, dump and release. What parses
// must dump to text that parses back to the same value.
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
  // The tree is nlohmann's own for the same text (key order, repeated keys), and release empties it.
  const json::Json reference = json::Json::parse(bytes, nullptr, false);
  if (!reference.is_discarded() && reference != *parsed) __builtin_trap();
  json::release(*parsed);
  if (!parsed->is_null()) __builtin_trap();
  return 0;
}
