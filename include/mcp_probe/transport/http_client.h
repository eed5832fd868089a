#pragma once

// HttpClient: the HTTP client of the transports, the only place besides the HTTP transports'
// sources that sees curl. Two back-ends behind one contract: plain http:// goes over a native
// HTTP/1.1 client on POSIX sockets (no libcurl to load: local servers answer in well under a
// millisecond, and loading libcurl's ~37 libraries would cost ~10 ms), everything else (https://,
// a proxy from the environment, MCP_PROBE_HTTP=curl) over libcurl. One request per perform()
// call, so any number of threads can perform requests concurrently on one client; each thread
// reuses its own keep-alive connections. Every request has a deadline. A text/event-stream
// response is parsed incrementally (SseParser) and each event can be handed to a callback that
// may stop the transfer, so a caller can read "until the response arrives" without waiting for
// the server to close the stream. Redirects are not followed (a tester reports what it got).
// The request carries exactly the headers given (no default Accept or form Content-Type; a
// header with an empty value is not sent), plus Host, Content-Length when a body is sent (always
// for POST) and a User-Agent unless one is given; never Expect: 100-continue.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mcp_probe/transport/sse_parser.h"
#include "mcp_probe/transport/trace.h"
#include "mcp_probe/util/deadline.h"
#include "mcp_probe/util/expected.h"

namespace mcp_probe::transport {

struct HttpRequest {
  std::string method = "POST";  // POST, GET, DELETE, OPTIONS, PUT, HEAD or any token
  std::string url;
  Headers headers;
  std::string body;       // sent when non-empty, or always for POST
  bool keep_body = true;  // false: body and events are not stored (long-lived GET streams)
  // Open a new connection instead of reusing an idle keep-alive one (native back-end; libcurl
  // is asked for a fresh connection too).
  bool fresh_connection = false;
};

// Why reading the response stopped.
enum class HttpEnd {
  complete,   // the server ended the body
  stopped,    // the on_event callback returned false
  deadline,   // an SSE stream was still open at the deadline (what arrived is kept)
  cancelled,  // HttpCancel::cancel() was called
};
const char* to_string(HttpEnd end);

// A flood of events must not grow memory: what a response keeps of an SSE stream is bounded.
inline constexpr std::size_t k_sse_body_sample = std::size_t{1} << 20;
inline constexpr std::size_t k_sse_events_sample = 256;

struct HttpResponse {
  int status = 0;
  Headers headers;           // as received (case kept), of the final response
  std::string content_type;  // the Content-Type header value, "" when absent
  // The raw body bytes, unless keep_body is false. For SSE only the first k_sse_body_sample
  // bytes are kept (the stream itself is limited by max_body_bytes, the event by max_event_bytes).
  std::string body;
  // SSE: the dispatched events in order, the first k_sse_events_sample only (at most
  // k_sse_body_sample bytes of data); the rest are counted in events_dropped. Every event still
  // reaches the on_event callback.
  std::vector<SseEvent> events;
  std::size_t events_dropped = 0;
  std::string sse_last_event_id;          // SSE: the stream's last event id (WHATWG buffer)
  std::optional<long long> sse_retry_ms;  // SSE: the last valid `retry` of the stream
  bool sse = false;                       // the Content-Type media type is text/event-stream
  bool sse_partial_event = false;         // SSE: the stream ended in the middle of an event
  HttpEnd end = HttpEnd::complete;
  double started_at_ms = 0;  // util::monotonic_ms() timestamps; 0 when it did not happen
  double headers_at_ms = 0;
  double first_event_at_ms = 0;
  double done_at_ms = 0;
  std::string effective_url;
  std::vector<std::uint64_t> trace_ids;  // the trace events this exchange emitted
  // Native back-end: the request went on a kept-alive connection an earlier request used (what a
  // server left unread there is parsed as this request's start). Always false with libcurl.
  bool reused_connection = false;
};

// Facts about one SSE event's arrival, for the callback.
struct SseArrival {
  std::uint64_t trace_id = 0;
  double at_ms = 0;
};
// Return false to stop reading (the transfer is aborted cleanly; HttpEnd::stopped). Events that
// arrived in the same network chunk as the stopping one are still delivered.
using SseCallback = std::function<bool(const SseEvent&, const SseArrival&)>;
// Called once when the final response's headers are complete (body and events still empty).
using HeadersCallback = std::function<void(const HttpResponse&)>;

// Cancels a perform() in progress from another thread; the request ends promptly with
// HttpEnd::cancelled (or ErrorKind::closed before headers arrived). Thread-safe; one-shot.
class HttpCancel {
 public:
  void cancel();
  bool cancelled() const { return m_cancelled.load(); }

 private:
  friend class CancelHook;  // http_client.cpp: attaches a wake-up for one transfer
  // The running perform() registers how to wake it (a curl multi wakeup, an eventfd write);
  // cancel() calls it under the lock, so it is never called after detach().
  void attach(std::function<void()> wake);
  void detach();
  std::mutex m_mutex;
  std::function<void()> m_wake;
  std::atomic<bool> m_cancelled{false};
};

// Which client carries a request. https:// always goes over libcurl.
enum class HttpBackend {
  automatic,  // native for http://, unless MCP_PROBE_HTTP=curl or a proxy variable (http_proxy,
              // HTTP_PROXY, all_proxy, ALL_PROXY) is set and the host is not 127.0.0.1, ::1 or
              // localhost (curl never proxies those); read when the client is constructed
  curl,       // libcurl for everything
  native,     // native for every http:// URL it can parse, whatever the environment
};

struct HttpClientOptions {
  util::Millis connect_timeout{10000};
  bool insecure = false;     // skip TLS verification (--insecure)
  std::string cacert;        // CA bundle file (--cacert)
  Tracer* tracer = nullptr;  // not owned; must outlive the client
  std::size_t max_body_bytes = 64u * 1024u * 1024u;
  std::size_t max_event_bytes = SseParser::k_default_max_event_bytes;
  HttpBackend backend = HttpBackend::automatic;
};

struct HttpHooks {
  SseCallback on_event;
  HeadersCallback on_headers;
  HttpCancel* cancel = nullptr;  // not owned
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  const HttpClientOptions& options() const { return m_options; }

  // Performs one request, blocking until the response is complete, the callback stops it, it is
  // cancelled or the deadline passes. Any HTTP status is a value, not an error. Errors: io
  // (connection, TLS, size limits; the message is a one-line diagnosis), timeout (no connection
  // or no complete non-SSE response by the deadline), closed (cancelled before headers).
  util::Expected<HttpResponse> perform(const HttpRequest& request, util::Deadline deadline,
                                       const HttpHooks& hooks = {}) const;

 private:
  bool use_native(const std::string& host) const;

  HttpClientOptions m_options;
  bool m_native = false;        // plain http:// may go over the native client
  bool m_proxy_in_env = false;  // ... but only to loopback hosts (automatic backend)
};

// A one-line diagnosis of a curl error code (CURLE_*) for `url`, e.g. "cannot resolve host 'x'"
// or "connection refused by 127.0.0.1:8080: nothing is listening there — ...". curl_errbuf is
// curl's CURLOPT_ERRORBUFFER text; os_errno (CURLINFO_OS_ERRNO) refines connect failures.
// tcp_connected (CURLINFO_CONNECT_TIME) tells a stalled TLS handshake or server from a connect
// timeout. Pure; the kind is ErrorKind::timeout for timeouts and ErrorKind::io otherwise.
util::Error describe_curl_error(int curl_code, const std::string& url, const std::string& curl_errbuf,
                                int os_errno = 0, bool tcp_connected = false);

// "host:port" of an http(s) URL (default ports filled in), for messages.
std::string url_host_port(const std::string& url);

}  // namespace mcp_probe::transport
