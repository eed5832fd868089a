#pragma once

// The native HTTP/1.1 client: plain http:// over a POSIX socket, for the common case of a server
// on loopback, without libcurl (whose dlopen of ~37 libraries costs ~10 ms per process, and which
// spends ~200 µs of CPU per request). HttpClient picks it for http:// URLs (see http_client.h).
//
// It talks to HttpClient through the same two callbacks curl uses (every header line as it
// arrived, decoded body bytes) and reports a failure as a CURLcode plus an error-buffer text, so
// http_client.cpp keeps one Transfer, one wire trace and one error mapping (describe_curl_error)
// for both back-ends. <curl/curl.h> is used for those constants only; libcurl is never loaded.
//
// Keep-alive: each thread keeps its idle connections (like the curl path's per-thread
// connection cache). A reused connection the server has closed is detected before the request
// is sent, and the request is retried once on a fresh connection when the server closed it
// before any byte of the response arrived.
//
// Private to the transport module: http_client.cpp and its tests.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mcp_probe/transport/http_client.h"
#include "mcp_probe/util/deadline.h"

namespace mcp_probe::transport::native {

// The parts of an http:// URL the native client needs. parse_http_url() returns nullopt for
// anything it leaves to curl: other schemes, userinfo (curl would send Basic auth), IPv6 zone
// ids, bytes that are not printable ASCII, ports out of range.
struct Url {
  std::string host;  // as written, without IPv6 brackets
  int port = 80;
  std::string authority;   // host[:port] as written (the Host header), brackets kept
  std::string target;      // path and query for the request line; "/" when the URL has none
  std::string normalized;  // the URL as curl reports it (CURLINFO_EFFECTIVE_URL): no fragment, a path
};
std::optional<Url> parse_http_url(std::string_view url);

// The request bytes: request line, Host (unless given), `headers` in order (an empty value is
// dropped, as curl drops "Name:" entries), Content-Length when `send_body`, the blank line and
// the body.
std::string format_request(const std::string& method, const Url& url, const Headers& headers,
                           std::string_view body, bool send_body);

// Where the response goes; the same roles as curl's header and write callbacks.
struct Sink {
  // Every status line and header line with its line end, the blank line ending each header block
  // (interim 1xx blocks included) and chunked trailer lines.
  std::function<void(std::string_view line)> header_line;
  // Decoded body bytes, in order. Returning false aborts the transfer (CURLE_WRITE_ERROR).
  std::function<bool(std::string_view chunk)> body;
  // When it returns non-zero: end the transfer successfully once util::monotonic_ms() reaches it
  // (a stopped SSE stream the server keeps open). May be null.
  std::function<double()> abort_at_ms;
};

// Incremental HTTP/1.1 response parser (status line, headers, interim responses, Content-Length,
// chunked with extensions and trailers, or until close). Pure: no I/O, never blocks.
class ResponseParser {
 public:
  enum class State { headers, body, done, failed, aborted };

  ResponseParser(Sink& sink, bool head_request);
  // Consumes the next bytes; returns the state afterwards. Bytes after a complete response are
  // ignored (the connection is then not reusable).
  State feed(std::string_view bytes);
  // The connection was closed by the server: completes a close-delimited body, or fails.
  State eof();

  State state() const { return m_state; }
  int code() const { return m_code; }                   // a CURLcode once failed
  const std::string& error() const { return m_error; }  // curl-style error-buffer text
  bool received_any() const { return m_received > 0; }
  std::uint64_t body_bytes() const { return m_body_bytes; }
  // Done, framed by length or chunks, keep-alive, and nothing extra arrived.
  bool reusable() const;

 private:
  enum class Mode { none, length, chunked, close };
  enum class Chunk { size, data, data_end, trailers };

  std::size_t consume_headers(std::string_view bytes);
  void header_line_done();
  void start_body();
  std::size_t consume_body(std::string_view bytes);
  std::size_t consume_chunked(std::string_view bytes);
  bool chunk_size_line(std::string_view line);
  bool deliver(std::string_view chunk);
  void fail(int code, std::string error);

  Sink& m_sink;
  bool m_head_request;
  State m_state = State::headers;
  Mode m_mode = Mode::none;
  Chunk m_chunk = Chunk::size;
  std::string m_line;  // the current, unterminated header / chunk-size / trailer line
  std::size_t m_header_bytes = 0;
  bool m_status_seen = false;  // the current header block has its status line
  int m_status = 0;
  bool m_http10 = false;
  bool m_close = false;  // Connection: close (or an HTTP/1.0 response without keep-alive)
  bool m_keep_alive_token = false;
  std::optional<std::uint64_t> m_content_length;
  bool m_chunked = false;
  std::uint64_t m_remaining = 0;  // length mode: body bytes left; chunked: bytes left in this chunk
  std::uint64_t m_received = 0;
  std::uint64_t m_body_bytes = 0;
  bool m_extra = false;
  int m_code = 0;
  std::string m_error;
};

// One request and how long it may take.
struct Exchange {
  const Url* url = nullptr;
  std::string_view request;  // format_request()
  bool head_request = false;
  util::Deadline deadline = util::Deadline::never();
  util::Millis connect_timeout{10000};
  const HttpCancel* cancel = nullptr;  // with cancel_fd: readable once cancel() was called
  int cancel_fd = -1;
  bool fresh_connection = false;  // never take an idle connection
};

struct Outcome {
  int code = 0;        // a CURLcode; CURLE_OK also when abort_at_ms ended the transfer
  std::string errbuf;  // curl-style text for describe_curl_error
  int os_errno = 0;    // connect failures
  bool cancelled = false;
  bool tcp_connected = false;  // curl: TCP connected (a later timeout is not a connect failure)
  bool reused = false;         // the response came on an idle connection taken from the pool
};

// Connects (or reuses an idle connection of this thread), sends, and reads the response into
// `sink` until it is complete, the sink aborts or stops it, the deadline passes or `cancel` fires.
// Blocks; never throws. Uses getaddrinfo only for names other than IP literals and "localhost".
Outcome perform(const Exchange& exchange, Sink& sink);

// Closes this thread's idle connections (tests).
void drop_idle_connections();

}  // namespace mcp_probe::transport::native
