// run_http: the server setup shared by Streamable HTTP and legacy HTTP+SSE (binding, signals,
// DNS-rebinding and Origin checks, CORS, /health, the SSE writer). The routes live in
// http_streamable.cpp and http_legacy_sse.cpp.

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "refserver/http_internal.h"

namespace mcp_probe::refserver {
namespace http {

bool media_type_is(std::string_view header, std::string_view type) {
  return util::iequals(util::trim(header.substr(0, header.find(';'))), type);
}

bool accepts(std::string_view accept, std::string_view type) {
  const std::string_view major = type.substr(0, type.find('/') + 1);  // "text/"
  std::string_view rest(accept);
  while (true) {
    const std::size_t comma = rest.find(',');
    std::string_view item = util::trim(rest.substr(0, comma));
    item = util::trim(item.substr(0, item.find(';')));
    if (util::iequals(item, type) || item == "*/*") return true;
    if (item.size() == major.size() + 1 && item.back() == '*' &&
        util::iequals(item.substr(0, major.size()), major)) {
      return true;
    }
    if (comma == std::string_view::npos) return false;
    rest.remove_prefix(comma + 1);
  }
}

const std::string* header(const httplib::Headers& headers, std::string_view name) {
  const auto* field = first_named(headers, name);
  return field ? &field->second : nullptr;
}

std::optional<std::string_view> header(const httplib::Request& req, const char* name) {
  if (const PlainRequest* plain = PlainRequest::of(req)) return plain->header(name);
  if (const std::string* value = header(req.headers, name)) return *value;
  return std::nullopt;
}

void add_header(httplib::Response& res, std::string_view name, std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n') return;  // as Response::set_header
  }
  PlainResponse* plain = PlainResponse::of(res);
  if (!plain || !plain->add(name, value, true)) res.headers.emplace(name, value);
}

void add_constant_header(httplib::Response& res, std::string_view name, std::string_view value) {
  PlainResponse* plain = PlainResponse::of(res);
  if (!plain || !plain->add(name, value, false)) res.headers.emplace(name, value);
}

bool has_header(const httplib::Response& res, std::string_view name) {
  const PlainResponse* plain = PlainResponse::of(res);
  return (plain && plain->has(name)) || header(res.headers, name) != nullptr;
}

void erase_header(httplib::Response& res, std::string_view name) {
  if (PlainResponse* plain = PlainResponse::of(res)) plain->erase(name);
  for (auto it = res.headers.begin(); it != res.headers.end();) {
    it = util::iequals(it->first, name) ? res.headers.erase(it) : std::next(it);
  }
}

void set_body(httplib::Response& res, std::string body, const char* content_type) {
  // What Response::set_content does, without copying the body.
  res.body = std::move(body);
  erase_header(res, "Content-Type");
  add_constant_header(res, "Content-Type", content_type);
}

void json_error(httplib::Response& res, int status, int code, const std::string& message) {
  // The spec allows a JSON-RPC error "that has no id" in HTTP error bodies.
  nlohmann::json body = {{"jsonrpc", "2.0"}, {"error", {{"code", code}, {"message", message}}}};
  res.status = status;
  set_body(res, body.dump(), "application/json");
}

// "localhost", "127.0.0.1" or "[::1]", optionally followed by ":port".
static bool is_localhost_authority(std::string_view authority) {
  for (std::string_view name : {"localhost", "127.0.0.1", "[::1]"}) {
    if (authority.size() < name.size() || !util::iequals(authority.substr(0, name.size()), name)) continue;
    std::string_view rest = authority.substr(name.size());
    if (rest.empty()) return true;
    if (rest[0] != ':' || rest.size() == 1) continue;
    if (rest.substr(1).find_first_not_of("0123456789") == std::string_view::npos) return true;
  }
  return false;
}

bool is_localhost_origin(std::string_view origin) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (util::to_lower(origin).rfind(scheme, 0) == 0)
      return is_localhost_authority(origin.substr(scheme.size()));
  }
  return false;
}

bool is_localhost_host(std::string_view host) { return is_localhost_authority(host); }

void set_sse_headers(httplib::Response& res) {
  add_constant_header(res, "Cache-Control", "no-cache");
  add_constant_header(res, "X-Accel-Buffering", "no");
}

namespace {

struct ReaderState {
  std::shared_ptr<SseStream> stream;
  std::uint64_t cursor = 0;
  std::uint64_t reader = 0;
  ReaderMode mode;
  std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
};

// One turn of the content provider: write what is new, end when the stream is drained.
bool pump(ReaderState& st, httplib::DataSink& sink) {
  SseStream::Batch batch = st.stream->wait_after(st.cursor, st.reader, k_poll);
  if (batch.superseded || batch.closed) return false;
  auto now = std::chrono::steady_clock::now();
  if (batch.probe) {
    // A second GET asks whether our client is still there: after a peer close, the first
    // write still succeeds locally and the next one fails.
    static const std::string k_probe = ":\n\n";
    if (!sink.write(k_probe.data(), k_probe.size())) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!sink.write(k_probe.data(), k_probe.size())) return false;
    st.last_write = now;
  }
  if (st.mode.buffered && !batch.drained) return true;  // sse-buffered: hold everything
  std::string out;
  for (const SseEvent& e : batch.events) {
    out.append(e.wire);
    st.cursor = e.seq;
    if (st.mode.close_after_priming && e.priming) break;
  }
  if (!out.empty()) {
    if (!sink.write(out.data(), out.size())) return false;
    st.last_write = now;
    if (st.mode.close_after_priming) {
      sink.done();
      return true;
    }
  } else if (now - st.last_write >= k_keepalive) {
    // A comment keeps proxies from timing out and detects clients that went away.
    static const std::string k_comment = ": keepalive\n\n";
    if (!sink.write(k_comment.data(), k_comment.size())) return false;
    st.last_write = now;
  }
  if (batch.drained && !st.mode.never_close) {
    // Drained only counts once nothing newer than the cursor is left.
    SseStream::Batch again = st.stream->wait_after(st.cursor, st.reader, std::chrono::milliseconds(0));
    if (again.events.empty()) {
      sink.done();
      return true;
    }
  }
  return true;
}

// Writes the events after the cursor, if any. False when the client is gone.
bool write_new(ReaderState& st, httplib::DataSink& sink) {
  SseStream::Batch batch = st.stream->wait_after(st.cursor, st.reader, std::chrono::milliseconds(0));
  if (batch.superseded || batch.closed) return false;
  std::string out;
  for (const SseEvent& e : batch.events) {
    out.append(e.wire);
    st.cursor = e.seq;
  }
  return out.empty() || sink.write(out.data(), out.size());
}

}  // namespace

void serve_finished(httplib::Response& res, SseStream& stream) {
  std::string out;
  stream.read_whole(out);
  set_sse_headers(res);
  set_body(res, std::move(out), "text/event-stream");
}

void serve_inline(httplib::Response& res, std::shared_ptr<SseStream> stream, ReaderMode mode, InlineWork work,
                  std::function<void()> on_end) {
  auto st = std::make_shared<ReaderState>();
  st->stream = std::move(stream);
  st->mode = mode;
  st->reader = st->stream->attach();
  set_sse_headers(res);
  res.set_chunked_content_provider(
      "text/event-stream",
      [st, work = std::move(work)](std::size_t, httplib::DataSink& sink) {
        // Only this thread writes to the connection; a client that went away stops the writes,
        // not the handler (its events stay in the stream's history for Last-Event-ID).
        const std::thread::id owner = std::this_thread::get_id();
        bool connected = true;
        auto flush = [&] {
          if (connected && !st->mode.buffered && std::this_thread::get_id() == owner) {
            connected = write_new(*st, sink);
          }
        };
        work(flush);
        if (connected) connected = write_new(*st, sink);
        if (connected) sink.done();
        return connected;
      },
      [st, on_end = std::move(on_end)](bool) {
        st->stream->detach(st->reader);
        if (on_end) on_end();
      });
}

void serve_stream(httplib::Response& res, std::shared_ptr<SseStream> stream, std::uint64_t cursor,
                  ReaderMode mode, std::function<void()> on_end) {
  auto st = std::make_shared<ReaderState>();
  st->stream = std::move(stream);
  st->cursor = cursor;
  st->mode = mode;
  st->reader = st->stream->attach();
  set_sse_headers(res);
  res.set_chunked_content_provider(
      "text/event-stream", [st](std::size_t, httplib::DataSink& sink) { return pump(*st, sink); },
      [st, on_end = std::move(on_end)](bool) {
        st->stream->detach(st->reader);
        if (on_end) on_end();
      });
}

}  // namespace http

namespace {

std::atomic<bool> g_signalled{false};

extern "C" void on_stop_signal(int) { g_signalled.store(true); }

using namespace http;

// Host (DNS rebinding) and Origin checks. Run by the routes (guarded), not as httplib's
// pre-routing handler: that one runs before the body is read, and a body left unread on a
// keep-alive connection would be parsed as the next request.
bool rejected(const Config& config, const httplib::Request& req, httplib::Response& res) {
  if (const auto host = header(req, "Host"); host && !is_localhost_host(*host)) {
    json_error(res, 403, -32000, "Forbidden: Host is not localhost (DNS rebinding protection)");
    return true;
  }
  bool legacy = config.transport == "sse";
  const auto origin = header(req, "Origin");
  const bool has_origin = origin.has_value();
  if (!has_origin && config.has("origin-required")) {
    json_error(res, 403, -32000, "Forbidden: Origin header required");
    return true;
  }
  bool accept_foreign = legacy ? config.has("legacy-origin-accepted") : config.has("origin-accepted");
  if (has_origin && !accept_foreign && !is_localhost_origin(*origin)) {
    json_error(res, 403, -32000, "Forbidden: Origin not allowed");
    if (config.has("keepalive-body-unread")) add_constant_header(res, k_leave_body_unread, "1");
    return true;
  }
  return false;
}

void add_cors_headers(const Config& config, const httplib::Request& req, httplib::Response& res) {
  if (config.has("no-cors")) return;
  const auto origin = header(req, "Origin");
  if (origin && !has_header(res, "Access-Control-Allow-Origin")) {
    add_header(res, "Access-Control-Allow-Origin", *origin);
    add_constant_header(res, "Vary", "Origin");
  }
  if (!config.has("no-expose-headers")) {
    add_constant_header(res, "Access-Control-Expose-Headers", "Mcp-Session-Id, MCP-Protocol-Version");
  }
}

httplib::Server::Handler post_routing(const Config& config) {
  return
      [&config](const httplib::Request& req, httplib::Response& res) { add_cors_headers(config, req, res); };
}

void on_exception(const httplib::Request&, httplib::Response& res, std::exception_ptr) {
  json_error(res, 500, -32603, "Internal error");
}

void configure(ConnectionServer& server, const Config& config, const HttpOptions& options) {
  // Room for 64 concurrent clients plus their long-lived GET streams.
  server.set_workers(128);
  server.set_deadlines(std::chrono::milliseconds(options.head_timeout_ms),
                       std::chrono::milliseconds(options.body_timeout_ms));
  server.set_keep_alive_max_count(100000);
  server.set_tcp_nodelay(true);  // small SSE writes must not wait for delayed ACKs
  server.set_keep_alive_timeout(5);
  server.set_read_timeout(10);
  server.set_write_timeout(10);
  server.set_payload_max_length(options.max_body_bytes);
  // httplib's default sets SO_REUSEPORT, which lets a second server bind a port that is already
  // listening: two servers then share the traffic, and a known-good target may silently be a
  // faulted one. SO_REUSEADDR alone still allows a restart over TIME_WAIT connections.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_post_routing_handler(post_routing(config));
  server.set_exception_handler(on_exception);
  server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    set_body(res, R"({"status":"ok"})", "application/json");
  });
}

// After a failed bind: is it because something already listens on host:port?
bool port_in_use(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
  bool in_use = false;
  for (addrinfo* a = found; a != nullptr && !in_use; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    in_use = bind(fd, a->ai_addr, a->ai_addrlen) != 0 && errno == EADDRINUSE;
    close(fd);
  }
  freeaddrinfo(found);
  return in_use;
}

}  // namespace

namespace http {

httplib::Server::Handler guarded(const Config& config, httplib::Server::Handler handler) {
  return [&config, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    if (!rejected(config, req, res)) handler(req, res);
  };
}

httplib::Server::Handler guarded_route(Context& ctx, RouteFn handle) {
  return guarded(ctx.config, [&ctx, handle](const httplib::Request& req, httplib::Response& res) {
    handle(ctx, req, res);
  });
}

}  // namespace http

int run_http(const Config& config, const HttpOptions& options, const std::atomic<bool>& stop) {
  ConnectionServer server;
  SessionRegistry sessions(config, options);
  WorkerGroup workers;
  // Modern (2026-07-28) requests share one session-less Session; none with --era legacy.
  std::unique_ptr<ModernState> modern;
  if (config.era != ServeEra::legacy && config.transport != "sse")
    modern = std::make_unique<ModernState>(config);
  Context ctx{config, options, sessions, workers, modern.get()};
  configure(server, config, options);
  if (config.transport == "sse") {
    install_legacy_routes(server, ctx);
  } else {
    install_streamable_routes(server, ctx);
    // No pre-routing handler or logger is set, so the fast path misses nothing of httplib's.
    server.set_fast_post("/mcp", streamable_post(ctx), post_routing(config), on_exception);
  }

  std::string host = config.has("bind-all") ? "0.0.0.0" : options.host;
  int port = options.port == 0 ? server.bind_to_any_port(host)
                               : (server.bind_to_port(host, options.port) ? options.port : -1);
  if (port > 0 && !server.widen_backlog()) port = -1;
  if (port <= 0) {
    if (options.port != 0 && port_in_use(host, options.port)) {
      std::fprintf(stderr, "mcp-refserver: error: port %d is in use (%s)\n", options.port, host.c_str());
    } else {
      std::fprintf(stderr, "mcp-refserver: error: cannot listen on %s:%d\n", host.c_str(), options.port);
    }
    return 1;
  }
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::fprintf(stderr, "listening on http://%s:%d%s\n", shown.c_str(), port,
               config.transport == "sse" ? "/sse" : "/mcp");
  std::fflush(stderr);
  if (options.on_listening) options.on_listening(port);

  g_signalled.store(false);
  auto old_int = std::signal(SIGINT, on_stop_signal);
  auto old_term = std::signal(SIGTERM, on_stop_signal);
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    auto next_sweep = std::chrono::steady_clock::now();
    while (!done.load()) {
      // Repeated: a stop() before listen_after_bind() started would be lost.
      if (stop.load() || g_signalled.load()) server.stop();
      if (std::chrono::steady_clock::now() >= next_sweep) {
        sessions.expire_idle();
        next_sweep = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  bool ok = server.listen_after_bind();
  done.store(true);
  watcher.join();
  sessions.end_all();
  if (modern) modern->session().stop();  // open subscriptions/listen handlers return
  workers.wait_idle(std::chrono::seconds(10));
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  return ok || stop.load() || g_signalled.load() ? 0 : 1;
}

}  // namespace mcp_probe::refserver
