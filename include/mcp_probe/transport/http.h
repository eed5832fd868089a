#pragma once

// HttpTransport: MCP Streamable HTTP (2025-03-26 and later) over one endpoint URL.
// send() POSTs one message and reads the reply synchronously: an application/json body becomes
// one Incoming ("post-json"); a text/event-stream body becomes one Incoming per event with
// non-empty data ("post-sse"), read until the JSON-RPC response(s) to the posted request(s)
// arrive, the stream ends or the deadline passes — never until the server closes a stream that
// stays open. A stream the server ends before the response (polling, 2025-11-25) is resumed
// with GET + Last-Event-ID after its `retry` delay, and its events arrive as "post-sse" too.
// open_get_stream() adds a background GET stream whose events arrive as "get-sse". The transport manages
// Mcp-Session-Id (captured from the first response that carries one) and MCP-Protocol-Version (sent once
// set_protocol_version() was called). exchange() is the deliberate-probe API for checks: any method, any
// header left out or overridden. Threads: one caller at a time (see Transport); the GET stream's reader
// thread only touches the receive queue. close() stops the GET stream; it does not DELETE the session.
// Memory: the receive queue holds at most k_max_queued messages / k_max_queued_bytes. The GET
// reader waits for room (the server's stream then waits too); a POST's stream hands what does
// not fit to the overflow callback (see Transport), except the responses it awaits.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "mcp_probe/transport/http_client.h"
#include "mcp_probe/transport/trace.h"
#include "mcp_probe/transport/transport.h"

namespace mcp_probe::transport {

struct HttpTransportOptions {
  std::string url;
  Headers headers;           // extra headers for every request (--header)
  std::string bearer_token;  // sent as "Authorization: Bearer X"; registered as a tracer secret
  bool insecure = false;
  std::string cacert;
  util::Millis connect_timeout{10000};
  Tracer* tracer = nullptr;  // not owned
};

// How a header the transport normally manages is sent by exchange().
struct HeaderChoice {
  enum class Mode { automatic, omit, value };
  Mode mode = Mode::automatic;
  std::string value;
  static HeaderChoice omit() { return {Mode::omit, {}}; }
  static HeaderChoice with(std::string v) { return {Mode::value, std::move(v)}; }
};

struct PostOptions {
  std::string method = "POST";
  HeaderChoice session_id;        // automatic: the known session id, if any
  HeaderChoice protocol_version;  // automatic: the version set by set_protocol_version(), if any
  HeaderChoice accept;            // automatic: "application/json, text/event-stream" (GET: SSE only)
  HeaderChoice content_type;      // automatic: "application/json" when there is a body
  Headers extra_headers;          // added last (e.g. Origin, Last-Event-ID)
  bool stop_at_response = true;   // SSE: stop reading at the first JSON-RPC response
  bool capture_session = false;   // take Mcp-Session-Id from the response when none is known
  bool fresh_connection = false;  // a new TCP connection, not an idle keep-alive one
};

class HttpTransport : public Transport {
 public:
  static constexpr std::size_t k_max_queued = 1024;
  static constexpr std::size_t k_max_queued_bytes = std::size_t{8} << 20;

  explicit HttpTransport(HttpTransportOptions options);
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  TransportKind kind() const override { return TransportKind::http; }
  // ErrorKind::protocol when the server answers with an error status or a content type that
  // carries no JSON-RPC message (the response is still in last_response()); ErrorKind::timeout
  // when an SSE reply does not contain the awaited response by the deadline.
  util::Expected<void> send(std::string_view message, util::Deadline deadline) override;
  // Returns at once with ErrorKind::timeout when nothing is queued and no GET stream is open
  // (nothing can arrive until the next send()).
  util::Expected<Incoming> receive(util::Deadline deadline) override;
  void close() override;

  // The complete response to the last send().
  const HttpResponse& last_response() const { return m_last; }

  // One request exactly as described; does not touch the receive queue or last_response().
  util::Expected<HttpResponse> exchange(const PostOptions& opts, std::string_view body,
                                        util::Deadline deadline);

  // Opens the GET SSE stream on a background thread and waits (deadline) for its response
  // headers. Any status is returned as a value (405: the server offers no GET stream); only a 2xx
  // text/event-stream response keeps the thread reading. Replaces a previous stream.
  util::Expected<HttpResponse> open_get_stream(util::Deadline deadline);
  void close_get_stream();
  bool get_stream_open() const;

  // DELETE with the session id; a 2xx answer clears the session.
  util::Expected<HttpResponse> delete_session(util::Deadline deadline);

  const std::string& session_id() const { return m_session_id; }
  void set_session_id(std::string id) { m_session_id = std::move(id); }
  void clear_session() { m_session_id.clear(); }
  void set_protocol_version(std::string version) { m_protocol_version = std::move(version); }
  // Headers for each message send() POSTs, computed from its bytes (a 2026-07-28 session mirrors
  // the body into MCP-Protocol-Version, Mcp-Method and Mcp-Name). A header the hook returns
  // replaces the transport's own header of that name. exchange() does not use it: there the
  // caller chooses every header. Called on the thread that calls send().
  using HeaderHook = std::function<Headers(std::string_view message)>;
  void set_header_hook(HeaderHook hook) { m_header_hook = std::move(hook); }
  const std::string& protocol_version() const { return m_protocol_version; }
  const std::string& url() const { return m_options.url; }

 private:
  HttpRequest build(const PostOptions& opts, std::string_view body) const;
  // Queues `in`, or hands it to the overflow callback when the queue is full (unless `keep`).
  void push(Incoming in, bool keep);
  bool has_room_locked() const;
  void get_loop(HttpRequest request);
  util::Expected<void> resume(const HttpHooks& hooks, const std::set<std::string>& awaited,
                              util::Deadline deadline);

  HttpTransportOptions m_options;
  HttpClient m_client;
  std::string m_session_id;
  std::string m_protocol_version;
  HeaderHook m_header_hook;
  HttpResponse m_last;

  mutable std::mutex m_mutex;  // guards everything below
  std::condition_variable m_cv;
  std::deque<Incoming> m_queue;
  std::size_t m_queued_bytes = 0;
  bool m_get_running = false;
  bool m_get_head_ready = false;
  std::optional<HttpResponse> m_get_head;
  std::optional<util::Error> m_get_error;
  std::unique_ptr<HttpCancel> m_get_cancel;
  std::thread m_get_thread;
};

}  // namespace mcp_probe::transport
