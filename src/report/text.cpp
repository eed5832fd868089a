#include "text.h"

#include <cmath>
#include <cstdio>

namespace mcp_probe::report::detail {
namespace {

constexpr const char* k_replacement = "\xEF\xBF\xBD";

// Decodes one UTF-8 sequence at `pos`: its length, or 0 when invalid (RFC 3629).
std::size_t utf8_length(std::string_view s, std::size_t pos, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (pos + len > s.size()) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::string hex_escape(unsigned value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02X", value);
  return buf;
}

}  // namespace

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    const std::size_t len = utf8_length(text, pos, cp);
    if (len == 0) {
      out += k_replacement;
      ++pos;
    } else {
      out.append(text.substr(pos, len));
      pos += len;
    }
  }
  return out;
}

std::string printable(std::string_view text) {
  const std::string clean = sanitize_utf8(text);
  std::string out;
  out.reserve(clean.size());
  for (const char c : clean) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\t') {
      out += ' ';
    } else if ((u < 0x20 && c != '\n') || u == 0x7F) {
      out += hex_escape(u);
    } else {
      out += c;
    }
  }
  return out;
}

std::string xml_escape(std::string_view text, bool attribute) {
  const std::string clean = sanitize_utf8(text);
  std::string out;
  out.reserve(clean.size());
  for (std::size_t pos = 0; pos < clean.size();) {
    char32_t cp = 0;
    const std::size_t len = utf8_length(clean, pos, cp);
    const std::string_view bytes(clean.data() + pos, len);
    pos += len;
    switch (cp) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '"':
        out += "&quot;";
        continue;
      case '\'':
        out += "&apos;";
        continue;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        continue;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        continue;
      case '\r':
        out += "&#13;";
        continue;
      case 0xFFFE:
        out += "\\uFFFE";
        continue;
      case 0xFFFF:
        out += "\\uFFFF";
        continue;
      default:
        break;
    }
    if (cp < 0x20 || cp == 0x7F) {
      out += hex_escape(static_cast<unsigned>(cp));
    } else {
      out.append(bytes);
    }
  }
  return out;
}

std::string markdown_escape(std::string_view text) {
  const std::string clean = sanitize_utf8(text);
  std::string out;
  out.reserve(clean.size());
  for (const char c : clean) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\n':
        out += "<br>";
        break;
      case '\r':
        break;
      case '|':
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '#':
      case '!':
        out += '\\';
        out += c;
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

namespace {

// The end of the word at `p`: the next space, or with `keep_strings` the next space outside a
// double-quoted JSON string (a string value is copied whole from a report, not re-joined).
std::size_t word_end(std::string_view text, std::size_t p, bool keep_strings) {
  if (!keep_strings) {
    const std::size_t q = text.find(' ', p);
    return q == std::string_view::npos ? text.size() : q;
  }
  bool in_string = false;
  for (std::size_t i = p; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string && c == '\\') {
      ++i;
    } else if (c == '"') {
      in_string = !in_string;
    } else if (c == ' ' && !in_string) {
      return i;
    }
  }
  return text.size();
}

}  // namespace

std::vector<std::string> wrap(std::string_view text, std::size_t width, std::string_view indent,
                              bool keep_strings) {
  std::vector<std::string> lines;
  const std::size_t room = width > indent.size() + 20 ? width - indent.size() : 20;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view paragraph = text.substr(start, end - start);
    std::string line;
    std::size_t p = 0;
    while (p < paragraph.size()) {
      while (p < paragraph.size() && paragraph[p] == ' ') ++p;
      const std::size_t q = word_end(paragraph, p, keep_strings);
      if (q == p) break;
      const std::string_view word = paragraph.substr(p, q - p);
      // A lone label ("spec:") keeps its value on the same line even when that overflows.
      const bool lone_label = line.find(' ') == std::string::npos && !line.empty() && line.back() == ':';
      if (!line.empty() && !lone_label && line.size() + 1 + word.size() > room) {
        lines.push_back(std::string(indent) + line);
        line.clear();
      }
      if (!line.empty()) line += ' ';
      line.append(word);
      p = q;
    }
    lines.push_back(line.empty() ? std::string() : std::string(indent) + line);
    start = end + 1;
  }
  return lines;
}

std::string count(int n, std::string_view noun) {
  std::string out = std::to_string(n) + " " + std::string(noun);
  if (n != 1) out += 's';
  return out;
}

std::string format_ms(double ms) {
  char buf[32];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%.0f ms", std::round(ms));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000);
  }
  return buf;
}

std::string server_label(const nlohmann::json& server_info) {
  if (!server_info.is_object()) return "";
  std::string label;
  auto name = server_info.find("name");
  if (name != server_info.end() && name->is_string()) label = name->get<std::string>();
  auto version = server_info.find("version");
  if (version != server_info.end() && version->is_string()) {
    if (!label.empty()) label += ' ';
    label += version->get<std::string>();
  }
  return label;
}

std::vector<AreaGroup> group_by_area(const checks::RunReport& report) {
  std::vector<AreaGroup> groups;
  for (const auto& result : report.checks) {
    AreaGroup* group = nullptr;
    for (auto& g : groups) {
      if (g.area == result.info.area) group = &g;
    }
    if (group == nullptr) group = &groups.emplace_back(AreaGroup{result.info.area, {}});
    group->checks.push_back(&result);
  }
  return groups;
}

const checks::CheckResult* first_failure(const checks::RunReport& report) {
  // A FAIL is what happened; the ERRORs after a failed connection only say what could not run.
  for (const auto& result : report.checks) {
    if (result.status == checks::Status::fail) return &result;
  }
  for (const auto& result : report.checks) {
    if (result.status == checks::Status::error) return &result;
  }
  return nullptr;
}

int not_run(const checks::RunReport& report) {
  int n = 0;
  for (const auto& result : report.checks) {
    const bool not_applicable = result.message.rfind("not applicable", 0) == 0;
    if (result.status == checks::Status::error || (result.status == checks::Status::skip && !not_applicable))
      ++n;
  }
  return n;
}

std::string status_word(checks::Status status) {
  switch (status) {
    case checks::Status::pass:
      return "PASS";
    case checks::Status::fail:
      return "FAIL";
    case checks::Status::warn:
      return "WARN";
    case checks::Status::skip:
      return "SKIP";
    case checks::Status::error:
      return "ERROR";
  }
  return "?";
}

std::string era_tag(const checks::RunReport& report, const checks::CheckResult& r) {
  if (report.eras.size() < 2 || r.protocol_version.empty()) return "";
  return " [" + r.protocol_version + "]";
}

std::string protocol_label(const checks::RunReport& report) {
  if (report.eras.size() < 2) return report.protocol_version;
  std::string out;
  for (const auto& e : report.eras) out += (out.empty() ? "" : " and ") + e.protocol_version;
  if (!report.server_era.empty()) out += " (" + report.server_era + ")";
  return out;
}

}  // namespace mcp_probe::report::detail
