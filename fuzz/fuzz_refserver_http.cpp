// mcp-refserver's HTTP request handling, without sockets. The first byte of an input chooses the
// server: low bit clear, Streamable HTTP (`--transport http`); set, legacy HTTP+SSE
// (`--transport sse`). The rest is what one connection receives, one or more pipelined HTTP/1.1
// requests. Each is read by parse_request (framing, RFC 9112 section 6.3 rejects, chunked bodies)
// as ConnectionServer reads it; every request it accepts goes to the real routes of that server
// (Streamable: both eras, modern POSTs, handshake POSTs with sessions, GET, DELETE, /health;
// legacy: GET /sse, POST /messages?sessionId=..., POST /sse, /health): on the Streamable server a
// plain POST to /mcp straight to its handler, as the fast path does, anything else through
// cpp-httplib's parser and router. A refused request ends the connection, as it does on the wire.
// Oracles: a refusal carries one of the statuses the connection layer sends; the fast-path parser
// never accepts a request differently from parse_request; a chunked body decodes the same fed in
// pieces as whole; every response is an HTTP/1.1 status line.
//
// A header `Mcp-Session-Id: @`, or `sessionId=@` in a request target, stands for the id of the
// latest session (ids are random, so an input could not name one). Response bodies that stream
// (SSE) are not pumped: the stream says it cannot be written, so no handler waits on the fuzzer's
// thread. A legacy session lives as long as its GET /sse stream: that response's release is held
// until the input ends (the connection that reads the stream stays open), so the requests after a
// GET /sse find its session; POSTed messages are handled on worker threads, which append their
// replies to the stream and never wait for the fuzzer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "refserver/http_internal.h"
#include "refserver/http_request.h"

namespace http = mcp_probe::refserver::http;
namespace refserver = mcp_probe::refserver;

namespace {

constexpr std::size_t k_max_output = 1 << 20;

// One request's bytes in, the response out.
class MemoryStream final : public httplib::Stream {
 public:
  explicit MemoryStream(std::string_view in) : m_in(in) {}
  bool is_readable() const override { return m_at < m_in.size(); }
  bool is_writable() const override { return false; }  // streamed bodies are not pumped
  ssize_t read(char* ptr, std::size_t size) override {
    const std::size_t n = std::min(size, m_in.size() - m_at);
    if (n == 0) return -1;
    std::memcpy(ptr, m_in.data() + m_at, n);
    m_at += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, std::size_t size) override {
    if (m_out.size() + size > k_max_output) return -1;
    m_out.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8080;
  }
  socket_t socket() const override { return INVALID_SOCKET; }
  const std::string& out() const { return m_out; }

 private:
  std::string_view m_in;
  std::size_t m_at = 0;
  std::string m_out;
};

class FuzzServer final : public httplib::Server {
 public:
  std::string serve(std::string_view request) {
    MemoryStream stream(request);
    bool closed = false;
    process_request(stream, false, closed, nullptr);
    return stream.out();
  }
};

// Built once per server (cpp-httplib compiles a regular expression per route); the per-input
// state (the sessions, the held streams and the modern Session) is reset after every input.
struct World {
  const bool legacy;
  refserver::Config config;
  refserver::HttpOptions options;
  http::SessionRegistry sessions{config, options};
  http::WorkerGroup workers;
  http::Context ctx{config, options, sessions, workers, nullptr};
  FuzzServer server;
  httplib::Server::Handler post;  // Streamable only: the fast path's handler
  // Legacy only: the releases of the streams answered during this input (each ends its session).
  std::vector<httplib::ContentProviderResourceReleaser> held;

  explicit World(bool legacy_transport) : legacy(legacy_transport) {
    config.transport = legacy ? "sse" : "http";
    options.max_body_bytes = 64 * 1024;
    server.set_payload_max_length(options.max_body_bytes);
    server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"status":"ok"})", "application/json");
    });
    if (legacy) {
      http::install_legacy_routes(server, ctx);
      // Runs before the response is written: the stream is taken over here, before cpp-httplib
      // destroys the response (and with it the session) at the end of the request.
      server.set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
        if (res.content_provider_resource_releaser_) {
          held.push_back(std::move(res.content_provider_resource_releaser_));
          res.content_provider_resource_releaser_ = nullptr;
        }
      });
    } else {
      http::install_streamable_routes(server, ctx);
      post = http::streamable_post(ctx);
    }
  }

  void release_held() {
    for (auto& release : held) release(false);
    held.clear();
  }
};

World& world(bool legacy) {
  // Never destroyed: they outlive every input.
  static World* streamable = new World(false);
  static World* legacy_world = new World(true);
  return legacy ? *legacy_world : *streamable;
}

// `target` with each `sessionId=@` naming `session`.
std::string with_session(std::string target, const std::string& session) {
  static constexpr std::string_view k_placeholder = "sessionId=@";
  for (std::size_t at = target.find(k_placeholder); at != std::string::npos;
       at = target.find(k_placeholder, at + k_placeholder.size() - 1 + session.size())) {
    target.replace(at + k_placeholder.size() - 1, 1, session);
  }
  return target;
}

bool has_header(const http::ParsedRequest& request, std::string_view name) {
  for (const auto& header : request.headers) {
    if (mcp_probe::util::iequals(header.first, name)) return true;
  }
  return false;
}

void check_response(const std::string& out) {
  if (!out.empty() && out.rfind("HTTP/1.1 ", 0) != 0) __builtin_trap();
}

// The request as cpp-httplib receives it: framed by Content-Length, the session placeholder
// replaced.
std::string wire_form(const http::ParsedRequest& request, bool chunked, const std::string& session) {
  std::string out =
      request.method + " " + with_session(request.target, session) + " " + request.version + "\r\n";
  for (const auto& [name, value] : request.headers) {
    if (chunked &&
        (mcp_probe::util::iequals(name, "transfer-encoding") || mcp_probe::util::iequals(name, "expect"))) {
      continue;
    }
    const bool placeholder = value == "@" && mcp_probe::util::iequals(name, "mcp-session-id");
    out.append(name).append(": ").append(placeholder ? session : value).append("\r\n");
  }
  if (chunked) out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  out.append("\r\n").append(request.body);
  return out;
}

// The chunked body of `bytes` (a whole request of `length` bytes) fed to a decoder in pieces, as
// the connection's reads deliver it: the same body must come out, from the same bytes.
void check_pieces(std::string_view bytes, std::size_t length, const std::string& body, std::size_t max_body) {
  const std::size_t start = http::head_end(bytes);
  http::ChunkedDecoder decoder(max_body);
  std::string pending;
  std::size_t used = start;
  for (std::size_t at = start; at < length && !decoder.done();) {
    const std::size_t piece =
        std::min<std::size_t>(1 + static_cast<unsigned char>(bytes[at]) % 13, length - at);
    pending.append(bytes.substr(at, piece));
    at += piece;
    const std::size_t n = decoder.feed(pending);
    pending.erase(0, n);
    used += n;
    if (decoder.status() != 0) __builtin_trap();
  }
  if (!decoder.done() || decoder.body() != body || used != length) __builtin_trap();
}

void serve_plain(World& w, http::ParsedRequest parsed, const std::string& session) {
  // The fields as the connection gives them, views (here of the parsed strings, kept apart).
  const auto headers = std::move(parsed.headers);
  http::HeadFields fields;
  for (const auto& [name, value] : headers) {
    const bool placeholder = value == "@" && mcp_probe::util::iequals(name, "mcp-session-id");
    fields.push_back({name, placeholder ? std::string_view(session) : std::string_view(value)});
  }
  http::PlainRequest plain(std::move(parsed), fields);
  httplib::Request& req = plain.get();
  req.remote_addr = "127.0.0.1";
  http::PlainResponse plain_response;
  httplib::Response& res = plain_response.get();
  try {
    w.post(req, res);
  } catch (...) {
    res.status = 500;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  World& w = world((data[0] & 1) != 0);
  // As run_http: modern (2026-07-28) requests only on the Streamable server.
  std::unique_ptr<refserver::http::ModernState> modern;
  if (!w.legacy) modern = std::make_unique<refserver::http::ModernState>(w.config);
  w.ctx.modern = modern.get();
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (int requests = 0; requests < 32; ++requests) {
    while (bytes.size() >= 2 && bytes[0] == '\r' && bytes[1] == '\n') bytes.remove_prefix(2);
    http::ParseResult result = http::parse_request(bytes, w.options.max_body_bytes);
    if (result.kind == http::ParseResult::Kind::need_more) break;
    if (result.kind == http::ParseResult::Kind::reject) {
      const int s = result.status;
      if (s != 400 && s != 413 && s != 414 && s != 431 && s != 501) __builtin_trap();
      break;  // the connection closes: nothing after a refusal is parsed
    }
    if (result.consumed == 0 || result.consumed > bytes.size()) __builtin_trap();
    // What the fast path sees: the buffer, or for a chunked request the connection's rewrite of
    // it with a Content-Length.
    std::string_view fast = bytes;
    std::string rewritten;
    if (result.chunked) {
      check_pieces(bytes, result.consumed, result.request.body, w.options.max_body_bytes);
      const std::string_view head = bytes.substr(0, http::head_end(bytes));
      if (http::expects_continue(head) != has_header(result.request, "expect")) __builtin_trap();
      rewritten = http::dechunked_request(head, result.request.body);
      fast = rewritten;
    }
    http::ParsedRequest plain;
    const std::size_t used = http::parse_plain_post(fast, "/mcp", w.options.max_body_bytes, plain);
    if (used != 0 && (used != (result.chunked ? fast.size() : result.consumed) ||
                      plain.body != result.request.body || plain.close != result.request.close ||
                      (!result.chunked && plain.headers != result.request.headers))) {
      __builtin_trap();  // the fast path and the general parser disagree on a request
    }
    const auto latest = w.sessions.latest();
    const std::string session = latest ? latest->id() : "";
    if (used != 0 && !w.legacy) {
      serve_plain(w, std::move(plain), session);
    } else {
      check_response(w.server.serve(wire_form(result.request, result.chunked, session)));
    }
    bytes.remove_prefix(result.consumed);
    if (result.request.close) break;
  }
  w.release_held();
  w.sessions.end_all();
  if (modern) modern->session().stop();
  if (!w.workers.wait_idle(std::chrono::seconds(5))) __builtin_trap();
  w.ctx.modern = nullptr;
  return 0;
}
