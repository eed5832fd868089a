#pragma once

// LegacySseTransport: the 2024-11-05 HTTP+SSE transport. connect() GETs the SSE URL on a
// background thread and waits for the `endpoint` event, whose data (an absolute URL, an absolute
// path or a relative path) is resolved against the SSE URL (RFC 3986 section 5.2). send() POSTs
// each message to that endpoint and expects a 2xx (usually 202); replies arrive on the GET stream
// as `message` events and become Incoming with origin "legacy-sse".
// Threads: one caller at a time; the reader thread only touches the guarded state below.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mcp_probe/transport/http_client.h"
#include "mcp_probe/transport/trace.h"
#include "mcp_probe/transport/transport.h"

namespace mcp_probe::transport {

// RFC 3986 reference resolution (section 5.2.2 with dot-segment removal) of `reference` against
// an absolute `base` URL. Pure.
std::string resolve_url(const std::string& base, const std::string& reference);

struct LegacySseOptions {
  std::string url;           // the SSE URL (GET)
  Headers headers;           // extra headers for every request (--header)
  std::string bearer_token;  // "Authorization: Bearer X"; registered as a tracer secret
  bool insecure = false;
  std::string cacert;
  util::Millis connect_timeout{10000};
  Tracer* tracer = nullptr;  // not owned
};

class LegacySseTransport : public Transport {
 public:
  explicit LegacySseTransport(LegacySseOptions options);
  ~LegacySseTransport() override;
  LegacySseTransport(const LegacySseTransport&) = delete;
  LegacySseTransport& operator=(const LegacySseTransport&) = delete;

  TransportKind kind() const override { return TransportKind::sse; }
  // Opens the GET stream and waits (deadline) for the endpoint event. ErrorKind::protocol when
  // the GET is not answered with a 2xx text/event-stream or the stream ends before the endpoint.
  util::Expected<void> connect(util::Deadline deadline);
  // POSTs to the endpoint; a non-2xx answer is an ErrorKind::protocol error naming the status.
  util::Expected<void> send(std::string_view message, util::Deadline deadline) override;
  // ErrorKind::closed once the GET stream has ended and every event was received.
  util::Expected<Incoming> receive(util::Deadline deadline) override;
  void close() override;

  std::string endpoint_url() const;
  std::string endpoint_data() const;     // the endpoint event's data as sent
  std::string first_event_type() const;  // "" until an event arrived ("" type is reported as "message")
  std::vector<int> post_statuses() const;
  std::optional<HttpResponse> stream_head() const;  // the GET response's status and headers

 private:
  static constexpr std::size_t k_max_queued = 1024;
  static constexpr std::size_t k_max_queued_bytes = std::size_t{8} << 20;

  void reader(HttpRequest request);
  HttpRequest base_request(std::string method, std::string url) const;

  LegacySseOptions m_options;
  HttpClient m_client;

  mutable std::mutex m_mutex;  // guards everything below
  std::condition_variable m_cv;
  std::deque<Incoming> m_queue;  // bounded: the reader waits for room
  std::size_t m_queued_bytes = 0;
  std::optional<HttpResponse> m_head;
  std::optional<util::Error> m_error;
  std::string m_endpoint;
  std::string m_endpoint_data;
  std::string m_first_event_type;
  bool m_any_event = false;
  bool m_running = false;
  std::vector<int> m_post_statuses;
  HttpCancel m_cancel;
  std::thread m_thread;
};

}  // namespace mcp_probe::transport
