#include "mcp_probe/cli/baseline.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace mcp_probe::cli {

std::set<std::string> parse_baseline(std::string_view text) {
  std::set<std::string> ids;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    line = line.substr(0, line.find('#'));
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      const auto last = line.find_last_not_of(" \t\r");
      ids.emplace(line.substr(first, last - first + 1));
    }
    start = end + 1;
  }
  return ids;
}

util::Expected<std::set<std::string>> load_baseline(const std::string& path) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in && std::filesystem::is_regular_file(path, ec)) text << in.rdbuf();
  if (!in || in.bad() || !std::filesystem::is_regular_file(path, ec)) {
    return util::make_error(util::ErrorKind::usage, "cannot read the expected-failures file " + path);
  }
  return parse_baseline(text.str());
}

}  // namespace mcp_probe::cli
