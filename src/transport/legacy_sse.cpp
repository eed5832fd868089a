#include "mcp_probe/transport/legacy_sse.h"

#include <regex>

#include "mcp_probe/util/interrupt.h"

namespace mcp_probe::transport {

namespace {

struct UriParts {
  std::optional<std::string> scheme, authority, query, fragment;
  std::string path;
};

UriParts split_uri(const std::string& s) {
  // RFC 3986 appendix B.
  static const std::regex re(R"(^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?)");
  std::smatch m;
  UriParts p;
  if (!std::regex_match(s, m, re)) {
    p.path = s;
    return p;
  }
  if (m[1].matched) p.scheme = m[2].str();
  if (m[3].matched) p.authority = m[4].str();
  p.path = m[5].str();
  if (m[6].matched) p.query = m[7].str();
  if (m[8].matched) p.fragment = m[9].str();
  return p;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string in) {
  std::string out;
  while (!in.empty()) {
    if (in.rfind("../", 0) == 0) {
      in.erase(0, 3);
    } else if (in.rfind("./", 0) == 0) {
      in.erase(0, 2);
    } else if (in.rfind("/./", 0) == 0) {
      in.erase(0, 2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.rfind("/../", 0) == 0 || in == "/..") {
      in = in == "/.." ? "/" : in.substr(3);
      auto slash = out.rfind('/');
      out.erase(slash == std::string::npos ? 0 : slash);
    } else if (in == "." || in == "..") {
      in.clear();
    } else {
      auto next = in.find('/', in[0] == '/' ? 1 : 0);
      out += in.substr(0, next);
      in.erase(0, next == std::string::npos ? in.size() : next);
    }
  }
  return out;
}

std::string join_uri(const UriParts& t) {
  std::string out;
  if (t.scheme) out += *t.scheme + ":";
  if (t.authority) out += "//" + *t.authority;
  out += t.path;
  if (t.query) out += "?" + *t.query;
  if (t.fragment) out += "#" + *t.fragment;
  return out;
}

}  // namespace

std::string resolve_url(const std::string& base_url, const std::string& reference) {
  UriParts base = split_uri(base_url);
  UriParts r = split_uri(reference);
  UriParts t;
  if (r.scheme) {
    t = r;
    t.path = remove_dot_segments(r.path);
  } else {
    if (r.authority) {
      t.authority = r.authority;
      t.path = remove_dot_segments(r.path);
      t.query = r.query;
    } else {
      if (r.path.empty()) {
        t.path = base.path;
        t.query = r.query ? r.query : base.query;
      } else {
        if (r.path[0] == '/') {
          t.path = remove_dot_segments(r.path);
        } else if (base.authority && base.path.empty()) {
          t.path = remove_dot_segments("/" + r.path);
        } else {
          auto slash = base.path.rfind('/');
          std::string merged = slash == std::string::npos ? r.path : base.path.substr(0, slash + 1) + r.path;
          t.path = remove_dot_segments(merged);
        }
        t.query = r.query;
      }
      t.authority = base.authority;
    }
    t.scheme = base.scheme;
  }
  t.fragment = r.fragment;
  return join_uri(t);
}

LegacySseTransport::LegacySseTransport(LegacySseOptions options)
    : m_options(std::move(options)),
      m_client(HttpClientOptions{m_options.connect_timeout, m_options.insecure, m_options.cacert,
                                 m_options.tracer}) {
  if (m_options.tracer) m_options.tracer->add_secret(m_options.bearer_token);
}

LegacySseTransport::~LegacySseTransport() { close(); }

HttpRequest LegacySseTransport::base_request(std::string method, std::string url) const {
  HttpRequest req;
  req.method = std::move(method);
  req.url = std::move(url);
  bool own_auth = find_header(m_options.headers, "authorization").has_value();
  if (!m_options.bearer_token.empty() && !own_auth) {
    req.headers.emplace_back("Authorization", "Bearer " + m_options.bearer_token);
  }
  for (const auto& h : m_options.headers) req.headers.push_back(h);
  return req;
}

util::Expected<void> LegacySseTransport::connect(util::Deadline deadline) {
  if (m_thread.joinable())
    return util::make_error(util::ErrorKind::usage, "legacy SSE transport already connected");
  HttpRequest req = base_request("GET", m_options.url);
  req.headers.insert(req.headers.begin(), {"Accept", "text/event-stream"});
  req.keep_body = false;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_running = true;
  }
  m_thread = std::thread(&LegacySseTransport::reader, this, std::move(req));
  std::unique_lock<std::mutex> lock(m_mutex);
  bool done = false;
  while (!done && !deadline.expired() && !util::interrupt_requested()) {  // Ctrl-C ends the wait
    done = m_cv.wait_until(lock, deadline.min(util::Deadline::after(util::Millis(50))).at(),
                           [&] { return !m_endpoint.empty() || !m_running; });
  }
  if (!m_endpoint.empty()) return {};
  std::string why;
  if (m_error) {
    why = m_error->message;
  } else if (!done) {
    why = m_head ? "no `endpoint` event on the SSE stream before the deadline"
                 : "no response headers to GET " + m_options.url + " before the deadline";
  } else if (m_head && (m_head->status < 200 || m_head->status >= 300 || !m_head->sse)) {
    why = "GET " + m_options.url + " answered HTTP " + std::to_string(m_head->status) + " with " +
          (m_head->content_type.empty() ? std::string("no Content-Type") : m_head->content_type) +
          ", not a text/event-stream";
  } else {
    why = "the SSE stream ended before an `endpoint` event";
  }
  auto kind = done ? util::ErrorKind::protocol : util::ErrorKind::timeout;
  if (m_error) kind = m_error->kind;
  lock.unlock();
  close();
  return util::make_error(kind, why);
}

void LegacySseTransport::reader(HttpRequest request) {
  HttpHooks hooks;
  hooks.cancel = &m_cancel;
  int status = 0;
  hooks.on_headers = [&](const HttpResponse& head) {
    status = head.status;
    std::lock_guard<std::mutex> lock(m_mutex);
    m_head = head;
  };
  hooks.on_event = [&](const SseEvent& ev, const SseArrival& arrival) {
    std::unique_lock<std::mutex> lock(m_mutex);
    if (!m_any_event) {
      m_any_event = true;
      m_first_event_type = ev.type.empty() ? "message" : ev.type;
    }
    if (ev.type == "endpoint") {
      if (m_endpoint.empty()) {
        m_endpoint_data = ev.data;
        m_endpoint = resolve_url(request.url, ev.data);
      }
    } else if ((ev.type.empty() || ev.type == "message") && !ev.data.empty()) {
      // Wait for room: the server's stream waits with us, so a flood cannot grow the queue.
      m_cv.wait(lock, [&] {
        return m_queue.empty() || (m_queue.size() < k_max_queued && m_queued_bytes < k_max_queued_bytes) ||
               m_cancel.cancelled();
      });
      if (m_cancel.cancelled()) return false;
      Incoming in;
      in.raw = ev.data;
      in.origin = Origin::legacy_sse;
      in.http_status = status;
      in.sse_event = ev.type;
      in.sse_id = ev.id;
      in.trace_id = arrival.trace_id;
      in.at_ms = arrival.at_ms;
      m_queued_bytes += in.raw.size();
      m_queue.push_back(std::move(in));
    }
    lock.unlock();
    m_cv.notify_all();
    return true;
  };
  auto result = m_client.perform(request, util::Deadline::never(), hooks);
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!result && result.error().kind != util::ErrorKind::closed) m_error = result.error();
    m_running = false;
  }
  m_cv.notify_all();
}

util::Expected<void> LegacySseTransport::send(std::string_view message, util::Deadline deadline) {
  std::string endpoint = endpoint_url();
  if (endpoint.empty()) return util::make_error(util::ErrorKind::usage, "legacy SSE transport not connected");
  HttpRequest req = base_request("POST", endpoint);
  req.headers.insert(req.headers.begin(), {"Content-Type", "application/json"});
  req.body = std::string(message);
  auto result = m_client.perform(req, deadline);
  if (!result) return result.error();
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_post_statuses.push_back(result->status);
  }
  if (result->status < 200 || result->status >= 300) {
    std::string body = result->body.substr(0, 200);
    return util::make_error(util::ErrorKind::protocol, "POST " + endpoint + " answered HTTP " +
                                                           std::to_string(result->status) +
                                                           " (expected 2xx, usually 202)" +
                                                           (body.empty() ? std::string() : ": " + body));
  }
  return {};
}

util::Expected<Incoming> LegacySseTransport::receive(util::Deadline deadline) {
  std::unique_lock<std::mutex> lock(m_mutex);
  while (m_queue.empty() && m_running && !deadline.expired() && !util::interrupt_requested()) {
    m_cv.wait_until(lock, deadline.min(util::Deadline::after(util::Millis(50))).at(),
                    [&] { return !m_queue.empty() || !m_running; });
  }
  if (!m_queue.empty()) {
    Incoming in = std::move(m_queue.front());
    m_queue.pop_front();
    m_queued_bytes -= in.raw.size();
    lock.unlock();
    m_cv.notify_all();  // the reader may be waiting for room
    return in;
  }
  if (!m_running) {
    std::string why = m_error ? ": " + m_error->message : std::string();
    return util::make_error(util::ErrorKind::closed, "the SSE stream has ended" + why);
  }
  return util::make_error(util::ErrorKind::timeout, "no message on the SSE stream before the deadline");
}

void LegacySseTransport::close() {
  if (!m_thread.joinable()) return;
  m_cancel.cancel();
  {
    // The reader may be waiting for room in the queue: taking the lock orders this wake-up
    // after its predicate check.
    std::lock_guard<std::mutex> lock(m_mutex);
  }
  m_cv.notify_all();
  m_thread.join();
}

std::string LegacySseTransport::endpoint_url() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_endpoint;
}

std::string LegacySseTransport::endpoint_data() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_endpoint_data;
}

std::string LegacySseTransport::first_event_type() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_first_event_type;
}

std::vector<int> LegacySseTransport::post_statuses() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_post_statuses;
}

std::optional<HttpResponse> LegacySseTransport::stream_head() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_head;
}

}  // namespace mcp_probe::transport
