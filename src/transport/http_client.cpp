#include "mcp_probe/transport/http_client.h"

#include <curl/curl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "mcp_probe/util/fd.h"
#include "mcp_probe/util/strings.h"
#include "transport/curl_api.h"
#include "transport/http_native.h"

namespace mcp_probe::transport {

namespace {

// How long a stopped SSE transfer may take to end on its own before it is aborted.
constexpr double k_stop_grace_ms = 20;

// One connection cache (and DNS cache) per thread, so consecutive requests to the same server
// reuse a keep-alive connection instead of a new TCP (and TLS) handshake each. Per thread, not
// per process: a cache shared across threads made concurrent transfers stall on each other.
// Freed at thread exit, after every transfer of that thread has ended.
CURLSH* shared_cache(const CurlApi& curl) {
  struct Share {
    CURLSH* handle;
    decltype(CurlApi::share_cleanup) cleanup;
    explicit Share(const CurlApi& api) : handle(api.share_init()), cleanup(api.share_cleanup) {
      api.share_setopt(handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
      api.share_setopt(handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    }
    ~Share() { cleanup(handle); }
  };
  thread_local Share share(curl);
  return share.handle;
}

using util::trim;

bool is_event_stream(const std::string& content_type) {
  std::string_view media = trim(std::string_view(content_type).substr(0, content_type.find(';')));
  return iequals(media, "text/event-stream");
}

std::string seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", ms / 1000.0);
  return buf;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// describe_curl_error is normally reached after a transfer, with libcurl loaded; it is also
// called on its own (tests), where a missing libcurl must not turn into a crash.
std::string curl_error_text(int code) {
  const auto& curl = curl_api();
  if (!curl) return "curl error " + std::to_string(code);
  return curl->easy_strerror(static_cast<CURLcode>(code));
}

// State shared with curl's callbacks for one transfer.
struct Transfer {
  const HttpRequest* request = nullptr;
  const HttpHooks* hooks = nullptr;
  const HttpClientOptions* options = nullptr;
  HttpResponse response;
  SseParser parser;
  bool in_final_headers = false;
  bool headers_done = false;
  bool stopped = false;
  double stop_at_ms = 0;         // when stopped: abort the transfer if it has not ended by then
  std::string fatal;             // a size limit was hit: the diagnosis
  std::size_t body_bytes = 0;    // all body bytes so far (the body keeps only a sample of SSE)
  std::size_t events_bytes = 0;  // data bytes of the events kept in response.events

  explicit Transfer(std::size_t max_event) : parser(max_event) {}

  std::uint64_t trace(TraceEvent e) {
    if (!options->tracer) return 0;
    auto id = options->tracer->emit(std::move(e));
    response.trace_ids.push_back(id);
    return id;
  }

  void on_headers_complete() {
    headers_done = true;
    response.headers_at_ms = util::monotonic_ms();
    response.content_type = find_header(response.headers, "content-type").value_or("");
    response.sse = is_event_stream(response.content_type);
    if (response.sse) {
      TraceEvent e;
      e.direction = Direction::receive;
      e.channel = "http";
      e.url = request->url;
      e.http_status = response.status;
      e.headers = response.headers;
      trace(std::move(e));
    }
    if (hooks->on_headers) hooks->on_headers(response);
  }

  bool on_body(std::string_view chunk) {
    if (request->keep_body) {
      if (body_bytes + chunk.size() > options->max_body_bytes) {
        fatal = "response body from " + request->url + " exceeds the limit of " +
                std::to_string(options->max_body_bytes) + " bytes";
        return false;
      }
      body_bytes += chunk.size();
      // An SSE stream is handed on event by event: keep only its start (for evidence).
      if (!response.sse) {
        response.body.append(chunk);
      } else if (response.body.size() < k_sse_body_sample) {
        response.body.append(chunk.substr(0, k_sse_body_sample - response.body.size()));
      }
    }
    if (!response.sse) return true;
    auto events = parser.feed(chunk);
    if (parser.failed()) {
      fatal = parser.error() + " (from " + request->url + ")";
      return false;
    }
    if (response.sse_last_event_id != parser.last_event_id())
      response.sse_last_event_id = parser.last_event_id();
    response.sse_retry_ms = parser.reconnection_ms();
    for (auto& event : events) {
      SseArrival arrival;
      arrival.at_ms = util::monotonic_ms();
      if (response.first_event_at_ms == 0) response.first_event_at_ms = arrival.at_ms;
      TraceEvent e;
      e.direction = Direction::receive;
      e.channel = "sse";
      e.url = request->url;
      e.sse_event = event.type;
      e.sse_id = event.id;
      e.body = event.data;
      arrival.trace_id = trace(std::move(e));
      if (request->keep_body && response.events.size() < k_sse_events_sample &&
          events_bytes + event.data.size() <= k_sse_body_sample) {
        events_bytes += event.data.size();
        response.events.push_back(event);
      } else if (request->keep_body) {
        ++response.events_dropped;
      }
      if (!stopped && hooks->on_event && !hooks->on_event(event, arrival)) {
        // Done reading, but give the server a moment to end the stream itself: a stream that
        // ends cleanly leaves its keep-alive connection reusable for the next request.
        stopped = true;
        stop_at_ms = util::monotonic_ms() + k_stop_grace_ms;
      }
    }
    return true;
  }
};

// One header line as received (curl's header callback and the native client both call it).
void on_header_line(Transfer& t, std::string_view line) {
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after 100 Continue or an interim response): start over.
    t.response.headers.clear();
    auto sp = line.find(' ');
    t.response.status =
        sp == std::string_view::npos ? 0 : std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
    t.in_final_headers = t.response.status >= 200;
  } else if (line == "\r\n" || line == "\n") {
    if (t.in_final_headers && !t.headers_done) t.on_headers_complete();
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    t.response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                    std::string(trim(line.substr(colon + 1))));
  }
}

size_t header_cb(char* data, size_t size, size_t n, void* user) {
  on_header_line(*static_cast<Transfer*>(user), std::string_view(data, size * n));
  return size * n;
}

size_t write_cb(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->headers_done) t->on_headers_complete();  // HTTP/0.9-like or missing blank line
  return t->on_body(std::string_view(data, size * n)) ? size * n : 0;
}

}  // namespace

const char* to_string(HttpEnd end) {
  switch (end) {
    case HttpEnd::complete:
      return "complete";
    case HttpEnd::stopped:
      return "stopped";
    case HttpEnd::deadline:
      return "deadline";
    case HttpEnd::cancelled:
      return "cancelled";
  }
  return "complete";
}

void HttpCancel::cancel() {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_cancelled = true;
  if (m_wake) m_wake();
}

void HttpCancel::attach(std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_wake = std::move(wake);
}

void HttpCancel::detach() {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_wake = nullptr;
}

std::string url_host_port(const std::string& url) {
  std::string_view u = url;
  std::string scheme;
  if (auto p = u.find("://"); p != std::string_view::npos) {
    scheme = std::string(u.substr(0, p));
    u.remove_prefix(p + 3);
  }
  u = u.substr(0, u.find_first_of("/?#"));
  if (auto at = u.rfind('@'); at != std::string_view::npos) u.remove_prefix(at + 1);
  std::size_t host_end = u.size();
  if (!u.empty() && u[0] == '[') {
    host_end = u.find(']');
    host_end = host_end == std::string_view::npos ? u.size() : host_end + 1;
  } else if (auto c = u.find(':'); c != std::string_view::npos) {
    host_end = c;
  }
  std::string host(u.substr(0, host_end));
  std::string port;
  if (host_end < u.size() && u[host_end] == ':') port = std::string(u.substr(host_end + 1));
  if (port.empty()) port = iequals(scheme, "https") ? "443" : "80";
  return host + ":" + port;
}

util::Error describe_curl_error(int code, const std::string& url, const std::string& errbuf, int os_errno,
                                bool tcp_connected) {
  using util::ErrorKind;
  std::string hp = url_host_port(url);
  std::string host = hp.substr(0, hp.rfind(':'));
  std::string detail = errbuf.empty() ? curl_error_text(code) : errbuf;
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
      return {ErrorKind::io,
              "unsupported protocol in URL '" + url + "': use http:// or https:// (" + detail + ")"};
    case CURLE_URL_MALFORMAT:
      return {ErrorKind::io, "malformed URL '" + url + "': " + detail};
    case CURLE_COULDNT_RESOLVE_HOST:
      return {ErrorKind::io, "cannot resolve host '" + host + "': check the host name in '" + url + "'"};
    case CURLE_COULDNT_RESOLVE_PROXY:
      return {ErrorKind::io,
              "cannot resolve the proxy host: " + detail + " (check http_proxy / https_proxy)"};
    case CURLE_COULDNT_CONNECT: {
      bool refused = os_errno == ECONNREFUSED || contains(detail, "refused") ||
                     (os_errno == 0 && contains(detail, "Couldn't connect to server"));
      if (refused) {
        return {ErrorKind::io,
                "connection refused by " + hp +
                    ": nothing is listening there — check the port, that the server is running, "
                    "and whether it binds 127.0.0.1, 0.0.0.0 or ::1"};
      }
      return {ErrorKind::io, "cannot connect to " + hp + ": " + detail};
    }
    case CURLE_OPERATION_TIMEDOUT:
      if (contains(detail, "Resolving timed out")) {
        return {ErrorKind::timeout, "cannot resolve host '" + host + "' in time: " + detail};
      }
      if ((tcp_connected || contains(detail, "SSL connection timeout")) &&
          iequals(url.substr(0, 6), "https:")) {
        // curl says "SSL connection timeout" or "Connection timed out after N ms" for a TLS
        // handshake that stalls, but TCP did connect: not a firewall or a wrong address.
        return {ErrorKind::timeout,
                "TLS handshake with " + hp +
                    " did not finish in time: the TCP connection was made, but the server "
                    "never completed TLS (a plain-HTTP or stalled service on an https:// "
                    "URL?): " +
                    detail};
      }
      if (tcp_connected)
        return {ErrorKind::timeout, "timed out waiting for " + url + " after connecting: " + detail};
      if (contains(detail, "Connection timed out") || contains(detail, "connect")) {
        return {ErrorKind::timeout, "cannot connect to " + hp +
                                        " in time (no TCP connection; a firewall dropping packets or a wrong "
                                        "address?): " +
                                        detail};
      }
      return {ErrorKind::timeout, "timed out waiting for " + url + ": " + detail};
    case CURLE_PEER_FAILED_VERIFICATION:
      return {ErrorKind::io,
              "TLS certificate of " + host + " not trusted: " + detail +
                  " — pass --cacert FILE with the issuing CA, or --insecure to skip verification"};
    case CURLE_SSL_CACERT_BADFILE:
      return {ErrorKind::io, "cannot use the CA certificate file (--cacert): " + detail};
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
      return {ErrorKind::io,
              "TLS handshake with " + hp + " failed: " + detail +
                  " — is it an https:// URL for a plain-HTTP server? A certificate problem can be "
                  "worked around with --cacert FILE or --insecure"};
    case CURLE_GOT_NOTHING:
      return {ErrorKind::io, "server at " + hp + " closed the connection without sending a response"};
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return {ErrorKind::io, "malformed HTTP response from " + hp + ": " + detail};
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return {ErrorKind::io, "connection to " + hp + " failed mid-exchange: " + detail};
    case CURLE_PARTIAL_FILE:
      return {ErrorKind::io, "response from " + hp + " ended before its declared length: " + detail};
    case CURLE_TOO_MANY_REDIRECTS:
      return {ErrorKind::io, "too many redirects from " + url};
    default:
      return {ErrorKind::io, "HTTP request to " + url + " failed: " + detail};
  }
}

// Registers how to wake one blocked transfer with an HttpCancel, for the transfer's lifetime.
class CancelHook {
 public:
  CancelHook(HttpCancel* cancel, std::function<void()> wake) : m_cancel(cancel) {
    if (m_cancel) m_cancel->attach(std::move(wake));
  }
  ~CancelHook() {
    if (m_cancel) m_cancel->detach();
  }
  CancelHook(const CancelHook&) = delete;
  CancelHook& operator=(const CancelHook&) = delete;

 private:
  HttpCancel* m_cancel;
};

namespace {

// What a transfer ended with, from either back-end: a CURLcode and curl's error text, so one
// mapping (below and describe_curl_error) serves both.
using Wire = native::Outcome;

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && *v;
}

// The hosts the curl path exempts from any proxy (CURLOPT_NOPROXY below).
bool never_proxied(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || iequals(host, "localhost");
}

Wire curl_transfer(const CurlApi& curl, Transfer& t, const Headers& sent, util::Deadline deadline,
                   const HttpHooks& hooks) {
  const HttpRequest& request = *t.request;
  const HttpClientOptions& options = *t.options;
  CURL* easy = curl.easy_init();
  if (!easy) return Wire{CURLE_FAILED_INIT, "curl_easy_init failed"};
  curl_slist* list = nullptr;
  for (const auto& [k, v] : sent) list = curl.slist_append(list, (k + ": " + v).c_str());
  // Suppress curl's own defaults: the request carries exactly what the caller asked for.
  if (!find_header(sent, "accept")) list = curl.slist_append(list, "Accept:");
  if (!find_header(sent, "content-type")) list = curl.slist_append(list, "Content-Type:");
  list = curl.slist_append(list, "Expect:");

  char errbuf[CURL_ERROR_SIZE] = {0};
  curl.easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  if (request.fresh_connection) curl.easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  curl.easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
  curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  curl.easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_cb);
  curl.easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl.easy_setopt(easy, CURLOPT_WRITEDATA, &t);
  curl.easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl.easy_setopt(easy, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
  curl.easy_setopt(easy, CURLOPT_SHARE, shared_cache(curl));
  if (request.method == "GET") {
    curl.easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl.easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else {
    if (request.method != "POST") curl.easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "POST" || !request.body.empty()) {
      curl.easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl.easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    }
  }
  if (options.insecure) {
    curl.easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl.easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!options.cacert.empty()) curl.easy_setopt(easy, CURLOPT_CAINFO, options.cacert.c_str());
  long budget_ms = 0;  // 0: no overall timeout (Deadline::never)
  if (deadline.at() != util::Clock::time_point::max()) budget_ms = std::max(1, deadline.remaining_ms());
  long connect_ms = static_cast<long>(options.connect_timeout.count());
  if (budget_ms > 0 && budget_ms < connect_ms) connect_ms = budget_ms;
  curl.easy_setopt(easy, CURLOPT_TIMEOUT_MS, budget_ms);
  curl.easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);

  // The multi interface only so that HttpCancel can wake a blocked transfer at once.
  CURLM* multi = curl.multi_init();
  curl.multi_add_handle(multi, easy);
  Wire wire;
  {
    CancelHook hook(hooks.cancel, [&curl, multi] { curl.multi_wakeup(multi); });
    for (;;) {
      if (hooks.cancel && hooks.cancel->cancelled()) {
        wire.cancelled = true;
        break;
      }
      if (t.stopped && util::monotonic_ms() >= t.stop_at_ms) break;  // the server keeps it open
      int running = 0;
      if (curl.multi_perform(multi, &running) != CURLM_OK) {
        wire.code = CURLE_FAILED_INIT;
        break;
      }
      if (running == 0) {
        int left = 0;
        while (CURLMsg* msg = curl.multi_info_read(multi, &left)) {
          if (msg->msg == CURLMSG_DONE) wire.code = msg->data.result;
        }
        break;
      }
      int wait_ms = 1000;
      if (t.stopped) wait_ms = std::max(1, static_cast<int>(t.stop_at_ms - util::monotonic_ms()));
      curl.multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    }
  }
  long os_errno = 0;
  curl.easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
  wire.os_errno = static_cast<int>(os_errno);
  // curl records the connect time only when the whole connect phase (TCP and TLS) succeeds,
  // but the local port as soon as TCP is connected.
  long local_port = 0;
  if (curl.easy_getinfo(easy, CURLINFO_LOCAL_PORT, &local_port) == CURLE_OK)
    wire.tcp_connected = local_port > 0;
  wire.errbuf = errbuf;
  char* effective = nullptr;
  if (curl.easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective) {
    t.response.effective_url = effective;
  }
  curl.multi_remove_handle(multi, easy);
  curl.multi_cleanup(multi);
  curl.easy_cleanup(easy);
  curl.slist_free_all(list);
  return wire;
}

Wire native_transfer(Transfer& t, const native::Url& url, const Headers& sent, util::Deadline deadline,
                     const HttpHooks& hooks) {
  const HttpRequest& request = *t.request;
  // The same body rule as the curl path: POST always sends one, GET and HEAD never.
  bool head = request.method == "HEAD";
  bool send_body = request.method != "GET" && !head && (request.method == "POST" || !request.body.empty());
  std::string bytes = native::format_request(request.method, url, sent, request.body, send_body);

  native::Sink sink;
  sink.header_line = [&t](std::string_view line) { on_header_line(t, line); };
  sink.body = [&t](std::string_view chunk) {
    if (!t.headers_done) t.on_headers_complete();
    return t.on_body(chunk);
  };
  sink.abort_at_ms = [&t] { return t.stopped ? t.stop_at_ms : 0.0; };

  native::Exchange x;
  x.url = &url;
  x.request = bytes;
  x.head_request = head;
  x.deadline = deadline;
  x.connect_timeout = t.options->connect_timeout;
  // Only a cancellable request (a long-lived GET stream) pays for an eventfd to wake its poll.
  util::UniqueFd wake(hooks.cancel ? ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) : -1);
  int wake_fd = wake.get();
  CancelHook hook(hooks.cancel, [wake_fd] {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  });
  x.cancel = hooks.cancel;
  x.cancel_fd = wake_fd;
  x.fresh_connection = t.request->fresh_connection;
  t.response.effective_url = url.normalized;
  return native::perform(x, sink);
}

// The response, or the error, of a transfer that has ended (either back-end).
util::Expected<HttpResponse> finish(Transfer& t, const Wire& wire) {
  const HttpClientOptions& options = *t.options;
  const HttpRequest& request = *t.request;
  auto redact = [&](std::string s) { return options.tracer ? options.tracer->redact(std::move(s)) : s; };
  auto fail = [&](util::Error e) -> util::Expected<HttpResponse> {
    e.message = redact(std::move(e.message));
    if (options.tracer) {
      TraceEvent ev;
      ev.direction = Direction::info;
      ev.channel = "http";
      ev.url = request.url;
      ev.body = e.message;
      options.tracer->emit(std::move(ev));
    }
    return e;
  };
  double elapsed = t.response.done_at_ms - t.response.started_at_ms;
  t.response.reused_connection = wire.reused;
  const int result = wire.code;
  const std::string& errbuf = wire.errbuf;

  if (!t.fatal.empty()) return fail({util::ErrorKind::io, t.fatal});
  if (wire.cancelled) {
    if (!t.headers_done) return fail({util::ErrorKind::closed, "request to " + request.url + " cancelled"});
    t.response.end = HttpEnd::cancelled;
  } else if (t.stopped && (result == CURLE_WRITE_ERROR || result == CURLE_OK)) {
    t.response.end = HttpEnd::stopped;
  } else if (result == CURLE_OPERATION_TIMEDOUT && t.headers_done && t.response.sse) {
    t.response.end = HttpEnd::deadline;
  } else if (result == CURLE_OPERATION_TIMEDOUT && t.headers_done) {
    return fail({util::ErrorKind::timeout,
                 request.method + " " + request.url + ": response body not complete within " +
                     seconds(elapsed) + " (" + std::to_string(t.response.body.size()) +
                     " bytes received, status " + std::to_string(t.response.status) + ")"});
  } else if (result == CURLE_OPERATION_TIMEDOUT && !contains(errbuf, "onnect") &&
             !contains(errbuf, "Resolving")) {
    return fail({util::ErrorKind::timeout,
                 request.method + " " + request.url + ": no response headers within " + seconds(elapsed)});
  } else if (result != CURLE_OK) {
    return fail(describe_curl_error(result, request.url, errbuf, wire.os_errno, wire.tcp_connected));
  }
  if (t.response.sse) {
    t.parser.finish();
    t.response.sse_partial_event = t.parser.has_partial_event();
  } else if (t.headers_done) {
    TraceEvent e;
    e.direction = Direction::receive;
    e.channel = "http";
    e.url = request.url;
    e.http_status = t.response.status;
    e.headers = t.response.headers;
    e.body = t.response.body;
    t.trace(std::move(e));
  }
  return std::move(t.response);
}

}  // namespace

// libcurl is loaded by the first request that needs it, not here: a transport may build a client
// it never uses, and plain http:// never needs it.
HttpClient::HttpClient(HttpClientOptions options) : m_options(std::move(options)) {
  switch (m_options.backend) {
    case HttpBackend::native:
      m_native = true;
      break;
    case HttpBackend::curl:
      break;
    case HttpBackend::automatic: {
      const char* forced = std::getenv("MCP_PROBE_HTTP");
      m_native = !(forced && iequals(forced, "curl"));
      m_proxy_in_env =
          env_set("http_proxy") || env_set("HTTP_PROXY") || env_set("all_proxy") || env_set("ALL_PROXY");
      break;
    }
  }
}

bool HttpClient::use_native(const std::string& host) const {
  return m_native && (!m_proxy_in_env || never_proxied(host));
}

util::Expected<HttpResponse> HttpClient::perform(const HttpRequest& request, util::Deadline deadline,
                                                 const HttpHooks& hooks) const {
  // CR or LF in a header would put a second header on the wire that the trace does not show
  // (header injection); NUL ends it early. Refused before anything is sent, on both back-ends.
  for (const auto& [name, value] : request.headers) {
    if ((name + value).find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
      return util::make_error(util::ErrorKind::usage, "refusing to send header " +
                                                          name.substr(0, name.find_first_of("\r\n")) +
                                                          ": it contains CR, LF or NUL");
    }
  }
  std::optional<native::Url> url;
  if (m_native) url = native::parse_http_url(request.url);
  if (url && !use_native(url->host)) url.reset();
  const util::Expected<CurlApi>* curl = nullptr;
  if (!url) {
    curl = &curl_api();
    if (!*curl) return curl->error();  // before tracing: nothing was sent
  }

  Transfer t(m_options.max_event_bytes);
  t.request = &request;
  t.hooks = &hooks;
  t.options = &m_options;
  t.response.started_at_ms = util::monotonic_ms();

  Headers sent = request.headers;
  if (!find_header(sent, "user-agent")) sent.emplace_back("User-Agent", "mcp-probe/" MCP_PROBE_VERSION);
  {
    TraceEvent e;
    e.direction = Direction::send;
    e.channel = "http";
    e.http_method = request.method;
    e.url = request.url;
    e.headers = sent;
    e.body = request.body;
    t.trace(std::move(e));
  }

  Wire wire =
      url ? native_transfer(t, *url, sent, deadline, hooks) : curl_transfer(**curl, t, sent, deadline, hooks);
  t.response.done_at_ms = util::monotonic_ms();
  return finish(t, wire);
}

}  // namespace mcp_probe::transport
