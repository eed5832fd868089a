// Reading HTTP/1.1 requests out of received bytes: the checks a header block passes before
// anything parses it (RFC 9112 sections 5 and 6.3), chunked bodies (section 7.1), the plain-POST
// fast path, and parse_request, which puts them together the way a connection uses them.

#include "refserver/http_request.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>

#include "mcp_probe/util/strings.h"

namespace mcp_probe::refserver::http {
namespace {

// The tchar set of RFC 9110 section 5.6.2, one lookup a byte.
struct TokenTable {
  bool tchar[256] = {};
  constexpr TokenTable() {
    for (int c = 'a'; c <= 'z'; ++c) tchar[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) tchar[c] = true;
    for (int c = '0'; c <= '9'; ++c) tchar[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) tchar[static_cast<unsigned char>(c)] = true;
  }
};
constexpr TokenTable k_token_table;

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!k_token_table.tchar[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

// Whether `text` holds CR, LF or NUL (all below 14): eight bytes at a time, a byte at a time only
// in a word that has a byte below 14 (Bit Twiddling Hacks, "hasless").
bool has_line_break_or_nul(std::string_view text) {
  constexpr std::uint64_t k_ones = 0x0101010101010101ull;
  constexpr std::uint64_t k_highs = 0x8080808080808080ull;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if (((word - 14 * k_ones) & ~word & k_highs) == 0) continue;
    for (std::size_t j = i; j < i + 8; ++j) {
      if (text[j] == '\r' || text[j] == '\n' || text[j] == '\0') return true;
    }
  }
  for (; i < text.size(); ++i) {
    if (text[i] == '\r' || text[i] == '\n' || text[i] == '\0') return true;
  }
  return false;
}

// A Content-Length value: digits only. nullopt when invalid; SIZE_MAX when too long to matter.
std::optional<std::size_t> parse_length(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (SIZE_MAX - 9) / 10) {
      value = SIZE_MAX;
    } else {
      value = value * 10 + static_cast<std::size_t>(c - '0');
    }
  }
  return value;
}

constexpr std::size_t k_max_chunk_line = 1024;

// The header lines of a whole head: what follows the request line, up to the blank line.
template <typename Fn>
void for_each_header_line(std::string_view head, Fn fn) {
  std::size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const std::size_t start = at + 2;
    at = head.find("\r\n", start);
    if (at == std::string_view::npos || at == start) break;
    fn(head.substr(start, at - start));
  }
}

}  // namespace

std::size_t head_end(std::string_view bytes) {
  const std::size_t at = bytes.find("\r\n\r\n");
  return at == std::string_view::npos ? at : at + 4;
}

const char* reason_phrase(int status) {
  // RFC 9110 section 15: every status a route, the connection layer or a refusal sends, and the
  // neighbours a fault or a later route may pick up.
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 421:
      return "Misdirected Request";
    case 422:
      return "Unprocessable Content";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      // A client reads the status code, not the phrase: the class's most general one.
      return status < 200   ? "Continue"
             : status < 300 ? "OK"
             : status < 400 ? "Found"
             : status < 500 ? "Bad Request"
                            : "Internal Server Error";
  }
}

std::string refusal(int status) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
         "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

HeadVerdict inspect_head(std::string_view head, std::size_t max_body, HeadFields* fields) {
  HeadVerdict verdict;
  if (fields) fields->clear();
  std::size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  // method SP request-target SP HTTP-version
  const std::size_t sp1 = request_line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || !is_token(request_line.substr(0, sp1)) || sp2 == sp1 + 1) {
    verdict.status = 400;
    return verdict;
  }
  // What cpp-httplib would refuse and then parse on from: refused here, and the connection closed.
  if (request_line.size() + 2 >= k_max_request_line) {
    verdict.status = 414;
    return verdict;
  }
  static constexpr std::string_view k_methods[] = {"GET",     "HEAD",    "POST",  "PUT",   "DELETE",
                                                   "CONNECT", "OPTIONS", "TRACE", "PATCH", "PRI"};
  if (std::find(std::begin(k_methods), std::end(k_methods), request_line.substr(0, sp1)) ==
      std::end(k_methods)) {
    verdict.status = 501;
    return verdict;
  }
  const std::string_view version = request_line.substr(sp2 + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    verdict.status = 400;
    return verdict;
  }
  for (char c : request_line.substr(sp1 + 1, sp2 - sp1 - 1)) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      verdict.status = 400;
      return verdict;
    }
  }
  std::optional<std::size_t> length;
  bool has_length = false;
  std::string codings;  // every Transfer-Encoding value, comma-joined
  bool has_coding = false;
  while (line_end != std::string_view::npos && line_end + 2 < head.size()) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    if (line_end == std::string_view::npos || line_end == start) break;
    const std::string_view line = head.substr(start, line_end - start);
    if (line.size() + 2 >= k_max_header_line) {
      verdict.status = 431;
      return verdict;
    }
    const std::size_t colon = line.find(':');
    // No obs-fold, no whitespace before the colon (RFC 9112 section 5.1 and 5.2).
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
      verdict.status = 400;
      return verdict;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = util::trim(line.substr(colon + 1));
    if (has_line_break_or_nul(value)) {
      verdict.status = 400;
      return verdict;
    }
    if (fields) fields->push_back({name, value});
    if (name.size() == 14 && util::iequals(name, "content-length")) {
      const auto n = parse_length(value);
      // Two different lengths, or one that is not a number: the framing is unknown.
      if (!n || (has_length && length != n)) {
        verdict.status = 400;
        return verdict;
      }
      has_length = true;
      length = n;
    } else if (name.size() == 17 && util::iequals(name, "transfer-encoding")) {
      if (has_coding) codings += ",";
      codings.append(value);
      has_coding = true;
    }
  }
  if (has_coding) {
    // Both framings, or a final coding other than chunked: 400 and close (RFC 9112 section 6.3).
    std::string last = codings.substr(codings.rfind(',') == std::string::npos ? 0 : codings.rfind(',') + 1);
    if (has_length || !util::iequals(util::trim(last), "chunked") || version == "HTTP/1.0") {
      verdict.status = 400;
      return verdict;
    }
    if (!util::iequals(util::trim(codings), "chunked")) {
      verdict.status = 501;  // gzip etc. under the chunked coding: not decoded here
      return verdict;
    }
    verdict.chunked = true;
    return verdict;
  }
  if (length && *length > max_body) verdict.status = 413;
  return verdict;
}

std::size_t ChunkedDecoder::fail(std::size_t at, int status) {
  m_state = State::failed;
  m_status = status;
  return at;
}

bool ChunkedDecoder::on_line(std::string_view line) {
  if (m_state == State::data_end) {
    if (!line.empty()) return fail(0, 400), false;
    m_state = State::size;
    return true;
  }
  if (m_state == State::trailer) {  // the trailer section, dropped
    if (line.empty()) {
      m_state = State::done;
      return true;
    }
    m_trailers += line.size();
    if (m_trailers > k_max_head) return fail(0, 400), false;
    return true;
  }
  const std::string_view size_text = util::trim(line.substr(0, line.find(';')));
  if (size_text.empty()) return fail(0, 400), false;
  if (size_text.size() > 15) return fail(0, 413), false;
  std::size_t size = 0;
  for (char c : size_text) {
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (digit < 0) return fail(0, 400), false;
    size = size * 16 + static_cast<std::size_t>(digit);
  }
  if (size == 0) {
    m_state = State::trailer;
    return true;
  }
  if (size > m_max_body - m_body.size()) return fail(0, 413), false;
  m_left = size;
  m_state = State::data;
  return true;
}

std::size_t ChunkedDecoder::feed(std::string_view bytes) {
  std::size_t at = 0;
  for (;;) {
    switch (m_state) {
      case State::done:
      case State::failed:
        return at;
      case State::data: {
        const std::size_t n = std::min(m_left, bytes.size() - at);
        m_body.append(bytes.substr(at, n));
        at += n;
        m_left -= n;
        if (m_left > 0) return at;
        m_state = State::data_end;
        break;
      }
      default: {
        // The CRLF after a chunk's data comes at once; other lines have their bound.
        const std::size_t max = m_state == State::size      ? k_max_chunk_line
                                : m_state == State::trailer ? k_max_head
                                                            : 0;
        const std::string_view rest = bytes.substr(at);
        const std::size_t end = rest.find("\r\n");
        if (end == std::string_view::npos) return rest.size() > max + 1 ? fail(at, 400) : at;
        if (end > max) return fail(at, 400);
        at += end + 2;
        if (!on_line(rest.substr(0, end))) return at;
      }
    }
  }
}

bool expects_continue(std::string_view head) {
  bool expect = false;
  for_each_header_line(head, [&](std::string_view line) {
    if (util::iequals(line.substr(0, 7), "expect:")) expect = true;
  });
  return expect;
}

std::string dechunked_request(std::string_view head, std::string_view body) {
  head.remove_suffix(2);  // up to the last header line's CRLF
  std::string request;
  request.reserve(head.size() + body.size() + 64);
  for (std::size_t at = 0; at < head.size();) {
    const std::size_t end = head.find("\r\n", at) + 2;
    const std::string_view header = head.substr(at, end - at);
    if (at == 0 || (!util::iequals(header.substr(0, 18), "transfer-encoding:") &&
                    !util::iequals(header.substr(0, 7), "expect:"))) {
      request.append(header);
    }
    at = end;
  }
  request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
  request.append(body);
  return request;
}

std::size_t parse_plain_post(std::string_view buffered, std::size_t head_size, const HeadFields& fields,
                             std::string_view path, std::size_t max_body, ParsedRequest& out) {
  if (buffered.size() < 5 + path.size() + 11 || buffered.substr(0, 5) != "POST " ||
      buffered.substr(5, path.size()) != path || buffered.substr(5 + path.size(), 11) != " HTTP/1.1\r\n") {
    return 0;
  }
  std::optional<std::size_t> length;
  for (const auto& [name, value] : fields) {
    // The names that matter, told apart by length first: most headers compare nothing.
    switch (name.size()) {
      case 5:   // Range
      case 6:   // Expect
      case 15:  // Accept-Encoding
      case 17:  // Transfer-Encoding
        if (util::iequals(name, "transfer-encoding") || util::iequals(name, "expect") ||
            util::iequals(name, "range") || util::iequals(name, "accept-encoding")) {
          return 0;
        }
        break;
      case 14:
        if (util::iequals(name, "content-length")) {
          if (length || value.empty() || value.size() > 12) return 0;
          std::size_t n = 0;
          for (char c : value) {
            if (c < '0' || c > '9') return 0;
            n = n * 10 + static_cast<std::size_t>(c - '0');
          }
          length = n;
        }
        break;
      case 10:
        if (util::iequals(name, "connection") && util::iequals(value, "close")) out.close = true;
        break;
      default:
        break;
    }
  }
  const std::size_t total = head_size + length.value_or(0);
  if (!length || *length > max_body || buffered.size() < total) return 0;
  out.method = "POST";
  out.version = "HTTP/1.1";
  out.target = std::string(path);
  out.body.assign(buffered.substr(head_size, *length));
  return total;
}

std::size_t plain_head(std::string_view buffered, std::size_t max_body, HeadFields& fields) {
  const std::size_t size = head_end(buffered);
  if (size == std::string_view::npos) return 0;
  const HeadVerdict verdict = inspect_head(buffered.substr(0, size), max_body, &fields);
  return verdict.status != 0 || verdict.chunked ? 0 : size;
}

std::size_t parse_plain_post(std::string_view buffered, std::string_view path, std::size_t max_body,
                             ParsedRequest& out) {
  HeadFields fields;
  const std::size_t size = plain_head(buffered, max_body, fields);
  if (size == 0) return 0;
  const std::size_t used = parse_plain_post(buffered, size, fields, path, max_body, out);
  if (used != 0) {
    for (const auto& [name, value] : fields) out.headers.emplace_back(std::string(name), std::string(value));
  }
  return used;
}

ParseResult parse_request(std::string_view bytes, std::size_t max_body) {
  using Kind = ParseResult::Kind;
  ParseResult result;
  std::size_t start = 0;
  while (bytes.size() - start >= 2 && bytes[start] == '\r' && bytes[start + 1] == '\n') start += 2;
  const std::string_view pending = bytes.substr(start);
  const std::size_t end = head_end(pending);
  if (end == std::string_view::npos) {
    if (pending.size() > k_max_head) {
      result.kind = Kind::reject;
      result.status = 431;
    }
    return result;
  }
  const std::string_view head = pending.substr(0, end);
  const HeadVerdict verdict = inspect_head(head, max_body);
  if (verdict.status != 0) {
    result.kind = Kind::reject;
    result.status = verdict.status;
    return result;
  }
  // inspect_head passed it: one request line of three parts, header lines with a token and a colon.
  ParsedRequest& request = result.request;
  const std::string_view line = head.substr(0, head.find("\r\n"));
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  request.method = line.substr(0, sp1);
  request.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  request.version = line.substr(sp2 + 1);
  std::size_t length = 0;
  for_each_header_line(head, [&](std::string_view header) {
    const std::size_t colon = header.find(':');
    const std::string_view name = header.substr(0, colon);
    const std::string_view value = util::trim(header.substr(colon + 1));
    if (util::iequals(name, "content-length")) length = parse_length(value).value_or(0);
    if (util::iequals(name, "connection") && util::iequals(value, "close")) request.close = true;
    request.headers.emplace_back(std::string(name), std::string(value));
  });
  const std::string_view rest = pending.substr(end);
  std::size_t used = length;
  if (verdict.chunked) {
    ChunkedDecoder decoder(max_body);
    used = decoder.feed(rest);
    if (decoder.status() != 0) {
      result.kind = Kind::reject;
      result.status = decoder.status();
      return result;
    }
    if (!decoder.done()) return result;
    request.body = std::move(decoder.body());
    result.chunked = true;
  } else {
    if (rest.size() < length) return result;  // length <= max_body: inspect_head said so
    request.body.assign(rest.substr(0, length));
  }
  result.kind = Kind::request;
  result.consumed = start + end + used;
  return result;
}

}  // namespace mcp_probe::refserver::http
