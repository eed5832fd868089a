#include "mcp_probe/util/strings.h"

#include <cstdint>
#include <cstring>

namespace mcp_probe::util {

namespace {

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals_same_size(std::string_view a, std::string_view b) {
  // Two bytes differ only in case when they differ in bit 0x20 alone and that bit set gives
  // the same letter. Eight bytes at a time while they are equal (the usual case), no call.
  const auto same_letter = [](unsigned char x, unsigned char y) {
    if (x == y) return true;
    const unsigned char folded = x | 0x20;
    return (x ^ y) == 0x20 && folded >= 'a' && folded <= 'z';
  };
  std::size_t i = 0;
  for (; i + 8 <= a.size(); i += 8) {
    std::uint64_t x;
    std::uint64_t y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x == y) continue;
    for (std::size_t j = i; j < i + 8; ++j) {
      if (!same_letter(static_cast<unsigned char>(a[j]), static_cast<unsigned char>(b[j]))) return false;
    }
  }
  for (; i < a.size(); ++i) {
    if (!same_letter(static_cast<unsigned char>(a[i]), static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool icontains(std::string_view text, std::string_view word) {
  if (word.empty()) return true;
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (iequals(text.substr(i, word.size()), word)) return true;
  }
  return false;
}

}  // namespace mcp_probe::util
