#include "mcp_probe/transport/http.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "mcp_probe/json/wire.h"
#include "mcp_probe/util/interrupt.h"

namespace mcp_probe::transport {

namespace {

// An SSE event with a message, as the receive queue holds it.
Incoming sse_incoming(const SseEvent& ev, const SseArrival& arrival, Origin origin, int status) {
  Incoming in;
  in.raw = ev.data;
  in.origin = origin;
  in.http_status = status;
  in.sse_event = ev.type;
  in.sse_id = ev.id;
  in.trace_id = arrival.trace_id;
  in.at_ms = arrival.at_ms;
  return in;
}

constexpr const char* k_accept_both = "application/json, text/event-stream";
constexpr int k_max_resumes = 8;                 // GETs with Last-Event-ID per POST
constexpr long long k_max_retry_wait_ms = 1000;  // cap on a server's `retry` delay

bool is_json_type(const std::string& content_type) {
  auto semi = content_type.find(';');
  std::string media = content_type.substr(0, semi);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.pop_back();
  return iequals(media, "application/json");
}

// The ids (serialised) of the JSON-RPC requests in a message or batch.
std::set<std::string> request_ids(std::string_view message) {
  std::set<std::string> ids;
  auto parsed = json::parse(message);
  if (!parsed) return ids;
  auto add = [&](const json::Json& m) {
    if (json::classify(m) == json::MessageKind::request) ids.insert(json::dump(m["id"]));
  };
  if (parsed->is_array()) {
    for (const auto& m : *parsed) add(m);
  } else {
    add(*parsed);
  }
  return ids;
}

// The ids (serialised) of the JSON-RPC responses in an SSE event's data; empty when none.
std::vector<std::string> response_ids(std::string_view data) {
  std::vector<std::string> ids;
  auto parsed = json::parse(data);
  if (!parsed) return ids;
  auto add = [&](const json::Json& m) {
    auto k = json::classify(m);
    if ((k == json::MessageKind::response || k == json::MessageKind::error_response) && m.contains("id")) {
      ids.push_back(json::dump(m["id"]));
    }
  };
  if (parsed->is_array()) {
    for (const auto& m : *parsed) add(m);
  } else {
    add(*parsed);
  }
  return ids;
}

// A condition wait bounded by a deadline; Deadline::never() waits without a timeout.
template <typename Pred>
bool wait_for_deadline(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                       util::Deadline deadline, Pred pred) {
  // In slices, so Ctrl-C (util/interrupt.h) ends the wait within 50 ms.
  for (;;) {
    if (pred()) return true;
    if (deadline.expired() || util::interrupt_requested()) return false;
    cv.wait_until(lock, deadline.min(util::Deadline::after(util::Millis(50))).at(), pred);
  }
}

std::string snippet(const std::string& body) {
  if (body.size() <= 200) return body;
  return body.substr(0, 200) + "...";
}

}  // namespace

HttpTransport::HttpTransport(HttpTransportOptions options)
    : m_options(std::move(options)),
      m_client(HttpClientOptions{m_options.connect_timeout, m_options.insecure, m_options.cacert,
                                 m_options.tracer}) {
  if (m_options.tracer) {
    m_options.tracer->add_secret(m_options.bearer_token);
    for (const auto& [name, value] : m_options.headers) {
      if (iequals(name, "authorization") || iequals(name, "proxy-authorization") || iequals(name, "cookie")) {
        m_options.tracer->add_secret(value);
        if (auto sp = value.find(' '); sp != std::string::npos)
          m_options.tracer->add_secret(value.substr(sp + 1));
      }
    }
  }
}

HttpTransport::~HttpTransport() { close(); }

HttpRequest HttpTransport::build(const PostOptions& opts, std::string_view body) const {
  HttpRequest req;
  req.method = opts.method;
  req.url = m_options.url;
  req.body = std::string(body);
  req.fresh_connection = opts.fresh_connection;
  bool has_body = opts.method == "POST" || opts.method == "PUT" || !body.empty();
  auto apply = [&](const HeaderChoice& choice, const char* name, const std::string& automatic) {
    if (choice.mode == HeaderChoice::Mode::value) {
      req.headers.emplace_back(name, choice.value);
    } else if (choice.mode == HeaderChoice::Mode::automatic && !automatic.empty()) {
      req.headers.emplace_back(name, automatic);
    }
  };
  apply(opts.accept, "Accept", opts.method == "GET" ? "text/event-stream" : has_body ? k_accept_both : "");
  apply(opts.content_type, "Content-Type", has_body ? "application/json" : "");
  apply(opts.session_id, "Mcp-Session-Id", m_session_id);
  apply(opts.protocol_version, "MCP-Protocol-Version", m_protocol_version);
  bool own_auth =
      find_header(m_options.headers, "authorization") || find_header(opts.extra_headers, "authorization");
  if (!m_options.bearer_token.empty() && !own_auth) {
    req.headers.emplace_back("Authorization", "Bearer " + m_options.bearer_token);
  }
  for (const auto& h : m_options.headers) req.headers.push_back(h);
  for (const auto& h : opts.extra_headers) req.headers.push_back(h);
  return req;
}

bool HttpTransport::has_room_locked() const {
  return m_queue.empty() || (m_queue.size() < k_max_queued && m_queued_bytes < k_max_queued_bytes);
}

void HttpTransport::push(Incoming in, bool keep) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (keep || has_room_locked()) {
      m_queued_bytes += in.raw.size();
      m_queue.push_back(std::move(in));
      keep = true;
    }
  }
  if (keep) {
    m_cv.notify_all();
  } else if (m_overflow) {
    m_overflow(std::move(in));
  }
}

util::Expected<void> HttpTransport::send(std::string_view message, util::Deadline deadline) {
  std::set<std::string> awaited = request_ids(message);
  bool awaiting = !awaited.empty();
  bool any_response = false;  // an error answer with id null counts: nothing more will come
  HttpRequest req = build(PostOptions{}, message);
  if (m_header_hook) {
    for (auto& header : m_header_hook(message)) {
      std::erase_if(req.headers, [&](const auto& h) { return iequals(h.first, header.first); });
      req.headers.push_back(std::move(header));
    }
  }
  int status = 0;
  HttpHooks hooks;
  hooks.on_headers = [&](const HttpResponse& head) { status = head.status; };
  hooks.on_event = [&](const SseEvent& ev, const SseArrival& arrival) {
    if (ev.data.empty()) return true;  // priming events and the like carry no message
    if (!awaiting) {
      push(sse_incoming(ev, arrival, Origin::post_sse, status), false);
      return true;
    }
    bool answers = false;
    for (const auto& id : response_ids(ev.data)) {
      answers = awaited.erase(id) > 0 || answers;
      any_response = true;
    }
    push(sse_incoming(ev, arrival, Origin::post_sse, status), answers);
    return !awaited.empty();
  };
  auto result = m_client.perform(req, deadline, hooks);
  if (!result) return result.error();
  m_last = std::move(*result);
  if (m_session_id.empty()) {
    if (auto sid = find_header(m_last.headers, "mcp-session-id")) m_session_id = *sid;
  }
  const std::string what = "POST " + m_last.effective_url;
  if (m_last.sse && awaiting && !any_response && m_last.end == HttpEnd::complete) {
    if (auto resumed = resume(hooks, awaited, deadline); !resumed) return resumed.error();
  }
  if (m_last.sse) {
    if (m_last.end == HttpEnd::deadline && awaiting && !awaited.empty()) {
      return util::make_error(util::ErrorKind::timeout,
                              what + ": the SSE stream did not carry the response to request id " +
                                  *awaited.begin() + " before the deadline (" +
                                  std::to_string(m_last.events.size() + m_last.events_dropped) +
                                  " events received)");
    }
    return {};
  }
  if (m_last.status == 202) return {};
  // A 401's body is the authorization layer's ({"error":"invalid_token"}), not a JSON-RPC message.
  const bool json_body = is_json_type(m_last.content_type) && !m_last.body.empty() && m_last.status != 401;
  if (json_body) {
    Incoming in;
    in.raw = m_last.body;
    in.origin = Origin::post_json;
    in.http_status = m_last.status;
    in.trace_id = m_last.trace_ids.empty() ? 0 : m_last.trace_ids.back();
    in.at_ms = m_last.done_at_ms;
    push(std::move(in), true);
  }
  // A 401 is the answer whatever its body says (OAuth servers send {"error":"invalid_token"}):
  // naming it beats waiting for a JSON-RPC reply that will not come.
  if (m_last.status == 401) {
    auto challenge = find_header(m_last.headers, "www-authenticate");
    return util::make_error(util::ErrorKind::protocol,
                            what + " answered HTTP 401: the server requires authorization (" +
                                (challenge ? "WWW-Authenticate: " + snippet(*challenge)
                                           : std::string("no WWW-Authenticate header")) +
                                ")");
  }
  if (json_body) return {};
  if (m_last.status >= 200 && m_last.status < 300 && m_last.body.empty()) return {};
  std::string ct = m_last.content_type.empty() ? "no Content-Type" : m_last.content_type;
  return util::make_error(util::ErrorKind::protocol,
                          what + " answered HTTP " + std::to_string(m_last.status) + " with " + ct +
                              ", which carries no JSON-RPC message" +
                              (m_last.body.empty() ? std::string() : ": " + snippet(m_last.body)));
}

util::Expected<void> HttpTransport::resume(const HttpHooks& hooks, const std::set<std::string>& awaited,
                                           util::Deadline deadline) {
  std::string last_id;
  long long retry_ms = 0;
  // From the whole stream, not the events the response kept (a bounded sample).
  auto note = [&](const HttpResponse& r) {
    if (!r.sse_last_event_id.empty()) last_id = r.sse_last_event_id;
    if (r.sse_retry_ms) retry_ms = *r.sse_retry_ms;
  };
  note(m_last);
  for (int attempt = 0; attempt < k_max_resumes && !last_id.empty() && !awaited.empty(); ++attempt) {
    // The server's reconnection delay, bounded so a huge `retry` cannot stall a run.
    const long long wait = std::min<long long>({retry_ms, k_max_retry_wait_ms, deadline.remaining_ms()});
    if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    PostOptions opts;
    opts.method = "GET";
    opts.extra_headers.emplace_back("Last-Event-ID", last_id);
    auto result = m_client.perform(build(opts, ""), deadline, hooks);
    if (!result) return result.error();
    if (result->status != 200 || !result->sse) {
      return util::make_error(util::ErrorKind::protocol,
                              "GET " + m_options.url + " with Last-Event-ID " + last_id +
                                  " (resuming a POST stream that ended before its response) answered HTTP " +
                                  std::to_string(result->status));
    }
    const std::string before = last_id;
    note(*result);
    if (result->end != HttpEnd::complete || last_id == before) break;
  }
  return {};
}

util::Expected<Incoming> HttpTransport::receive(util::Deadline deadline) {
  std::unique_lock<std::mutex> lock(m_mutex);
  auto ready = [&] { return !m_queue.empty() || !m_get_running; };
  wait_for_deadline(m_cv, lock, deadline, ready);
  if (!m_queue.empty()) {
    Incoming in = std::move(m_queue.front());
    m_queue.pop_front();
    m_queued_bytes -= in.raw.size();
    lock.unlock();
    m_cv.notify_all();  // the GET reader may be waiting for room
    return in;
  }
  if (!m_get_running) {
    return util::make_error(
        util::ErrorKind::timeout,
        "nothing to receive: every POST response has been read and no GET stream is open");
  }
  return util::make_error(util::ErrorKind::timeout, "no message from the server before the deadline");
}

void HttpTransport::close() { close_get_stream(); }

util::Expected<HttpResponse> HttpTransport::exchange(const PostOptions& opts, std::string_view body,
                                                     util::Deadline deadline) {
  HttpRequest req = build(opts, body);
  HttpHooks hooks;
  if (opts.stop_at_response) {
    hooks.on_event = [](const SseEvent& ev, const SseArrival&) { return response_ids(ev.data).empty(); };
  }
  auto result = m_client.perform(req, deadline, hooks);
  if (result && opts.capture_session && m_session_id.empty()) {
    if (auto sid = find_header(result->headers, "mcp-session-id")) m_session_id = *sid;
  }
  return result;
}

util::Expected<HttpResponse> HttpTransport::open_get_stream(util::Deadline deadline) {
  close_get_stream();
  PostOptions opts;
  opts.method = "GET";
  HttpRequest req = build(opts, "");
  req.keep_body = false;  // a GET stream may live for hours: events go to the queue only
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_get_running = true;
    m_get_head_ready = false;
    m_get_head.reset();
    m_get_error.reset();
    m_get_cancel = std::make_unique<HttpCancel>();
  }
  m_get_thread = std::thread(&HttpTransport::get_loop, this, std::move(req));
  std::unique_lock<std::mutex> lock(m_mutex);
  if (!wait_for_deadline(m_cv, lock, deadline, [&] { return m_get_head_ready; })) {
    lock.unlock();
    close_get_stream();
    return util::make_error(util::ErrorKind::timeout,
                            "GET " + m_options.url + ": no response headers before the deadline");
  }
  if (m_get_error) {
    util::Error e = *m_get_error;
    lock.unlock();
    close_get_stream();
    return e;
  }
  return *m_get_head;
}

void HttpTransport::get_loop(HttpRequest request) {
  HttpHooks hooks;
  int status = 0;
  hooks.cancel = m_get_cancel.get();
  hooks.on_headers = [&](const HttpResponse& head) {
    status = head.status;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_get_head = head;
      m_get_head_ready = true;
    }
    m_cv.notify_all();
  };
  hooks.on_event = [&](const SseEvent& ev, const SseArrival& arrival) {
    if (ev.data.empty()) return true;
    {
      // Wait for room: the server's stream waits with us, so a flood cannot grow the queue.
      std::unique_lock<std::mutex> lock(m_mutex);
      m_cv.wait(lock, [&] { return has_room_locked() || m_get_cancel->cancelled(); });
      if (m_get_cancel->cancelled()) return false;
      Incoming in = sse_incoming(ev, arrival, Origin::get_sse, status);
      m_queued_bytes += in.raw.size();
      m_queue.push_back(std::move(in));
    }
    m_cv.notify_all();
    return true;
  };
  auto result = m_client.perform(request, util::Deadline::never(), hooks);
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!result) m_get_error = result.error();
    if (!m_get_head_ready && result) m_get_head = *result;
    m_get_head_ready = true;
    m_get_running = false;
  }
  m_cv.notify_all();
}

void HttpTransport::close_get_stream() {
  if (!m_get_thread.joinable()) return;
  m_get_cancel->cancel();
  {
    // The reader may be waiting for room in the queue: taking the lock orders this wake-up
    // after its predicate check.
    std::lock_guard<std::mutex> lock(m_mutex);
  }
  m_cv.notify_all();
  m_get_thread.join();
  std::lock_guard<std::mutex> lock(m_mutex);
  m_get_running = false;
}

bool HttpTransport::get_stream_open() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_get_running;
}

util::Expected<HttpResponse> HttpTransport::delete_session(util::Deadline deadline) {
  PostOptions opts;
  opts.method = "DELETE";
  opts.stop_at_response = false;
  auto result = exchange(opts, "", deadline);
  if (result && result->status >= 200 && result->status < 300) clear_session();
  return result;
}

}  // namespace mcp_probe::transport
