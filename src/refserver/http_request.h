#pragma once

// Private to mcp-refserver's HTTP front-end: reading HTTP/1.1 requests out of bytes already
// received, with no socket, thread or clock (RFC 9112 sections 5, 6 and 7.1). The connection
// layer (http_connection.cpp) feeds these with what it reads; the unit tests and the fuzz
// harness feed them byte strings. Nothing here includes cpp-httplib. Not thread-safe per object;
// the free functions are pure.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcp_probe::refserver::http {

constexpr std::size_t k_max_head = 32 * 1024;  // a longer header block is answered 431
// cpp-httplib's own limits (its defaults; checked in http_connection.cpp): a request line or a
// header line it would refuse and then parse on from is refused here first.
constexpr std::size_t k_max_request_line = 8192;
constexpr std::size_t k_max_header_line = 8192;

// Where the blank line ending the head at the start of `bytes` ends; npos when not yet there.
std::size_t head_end(std::string_view bytes);

// What to do with a whole header block (request line to the blank line, inclusive).
struct HeadVerdict {
  int status = 0;  // 0: go on; else answer this and close (400, 413, 414, 431, 501)
  bool chunked = false;
};
// One header field of a head inspect_head passed: views into the head, the value trimmed.
struct HeadField {
  std::string_view name;
  std::string_view value;
};
using HeadFields = std::vector<HeadField>;
// `fields`, when given, receives the head's header fields in order (valid while the head's bytes
// are), so that the fast path does not read the head again (parse_plain_post).
HeadVerdict inspect_head(std::string_view head, std::size_t max_body, HeadFields* fields = nullptr);

// The reason phrase of a status line (RFC 9110 section 15), for every status the front-end
// sends (routes, fast path, refusals); a code it does not know gets its class's general phrase.
const char* reason_phrase(int status);

// The minimal answer to a refused request, with Connection: close.
std::string refusal(int status);

// Decodes a chunked body (RFC 9112 section 7.1) as its bytes arrive, at most `max_body` bytes of
// it; the trailer section is read and dropped. Lines are bounded (a chunk-size line 1024 bytes,
// the trailers k_max_head in all), so a peer cannot make it buffer more than that.
class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(std::size_t max_body) : m_max_body(max_body) {}

  // Decodes from the start of `bytes` (what follows the bytes earlier calls consumed) and returns
  // how many it consumed; bytes it leaves are an incomplete line, to be given again with more.
  std::size_t feed(std::string_view bytes);
  bool done() const { return m_state == State::done; }
  // 0 while the framing is fine; 413 as soon as the body goes over max_body, 400 when it is broken.
  int status() const { return m_status; }
  std::string& body() { return m_body; }

 private:
  enum class State { size, data, data_end, trailer, done, failed };
  std::size_t fail(std::size_t at, int status);
  // A whole line: advances the state; false when it refuses the body.
  bool on_line(std::string_view line);

  const std::size_t m_max_body;
  State m_state = State::size;
  int m_status = 0;
  std::size_t m_left = 0;      // data bytes still due in the current chunk
  std::size_t m_trailers = 0;  // trailer bytes so far
  std::string m_body;
};

// Whether the header block `head` asks for 100-continue.
bool expects_continue(std::string_view head);

// The request with header block `head` (whole, as inspect_head passed it) and the decoded
// `body` of its chunked framing, framed by Content-Length instead (without Transfer-Encoding and
// Expect headers: the 100-continue was answered before the body).
std::string dechunked_request(std::string_view head, std::string_view body);

// One request as this layer reads it.
struct ParsedRequest {
  std::string method;
  std::string target;
  std::string version;
  std::vector<std::pair<std::string, std::string>> headers;  // in order, values trimmed
  std::string body;
  bool close = false;  // it carried Connection: close
};

// The size of the header block at the start of `buffered` when it is whole, inspect_head passes
// it and it is not chunked, its fields in `fields`; 0 otherwise.
std::size_t plain_head(std::string_view buffered, std::size_t max_body, HeadFields& fields);

// A plain POST to `path`, whole at the start of `buffered`: HTTP/1.1, one valid Content-Length
// of at most `max_body`, no Transfer-Encoding, Expect, Range or Accept-Encoding, a well-formed
// header block. Fills `out` and returns its length; 0 when it is anything else (the general
// parser's turn). The connection layer's fast path.
std::size_t parse_plain_post(std::string_view buffered, std::string_view path, std::size_t max_body,
                             ParsedRequest& out);
// The same for a buffer whose head, of `head_size` bytes, inspect_head has passed (status 0, not
// chunked) and whose fields it gave: the head is not read again, and `out` gets no headers (the
// caller has them in `fields`).
std::size_t parse_plain_post(std::string_view buffered, std::size_t head_size, const HeadFields& fields,
                             std::string_view path, std::size_t max_body, ParsedRequest& out);

// The first request of `bytes` (blank lines before it skipped), as a connection reads it.
struct ParseResult {
  enum class Kind { need_more, request, reject };
  Kind kind = Kind::need_more;
  int status = 0;            // reject: the status to answer before closing the connection
  std::size_t consumed = 0;  // request: its length in `bytes`; the next request starts there
  ParsedRequest request;     // request: the body decoded, whatever its framing
  bool chunked = false;      // request: it came chunked (see dechunked_request)
};
ParseResult parse_request(std::string_view bytes, std::size_t max_body);

}  // namespace mcp_probe::refserver::http
