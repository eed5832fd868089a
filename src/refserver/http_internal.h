#pragma once

// Private to the HTTP front-ends of mcp-refserver (http_*.cpp): SSE streams with bounded
// history, the session registry, worker threads, and the route installers. The only header of
// src/ that includes <httplib.h>.
//
// Threads: each request runs on a thread of ConnectionServer's pool (128). A POSTed request whose handler
// cannot wait (Session::may_wait) is handled right there and answered with one body; one that may wait runs
// on the same thread inside the response's content provider, which writes each event as it is appended
// (serve_inline). Only a stream that must outlive its connection, or the reverse (faults, --sse-poll), hands
// the handler to a worker thread (WorkerGroup) and follows its SseStream from the content provider
// (serve_stream). Every class here is thread-safe unless its comment says otherwise.

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "mcp_probe/refserver/frontends.h"
#include "mcp_probe/refserver/server.h"
#include "mcp_probe/util/strings.h"
#include "refserver/http_request.h"

namespace mcp_probe::refserver::http {

// A route sets this (internal) header to have the connection layer leave the request's body
// unread on a keep-alive connection (--fault keepalive-body-unread); it is never sent.
constexpr const char* k_leave_body_unread = "X-Refserver-Leave-Body-Unread";
constexpr std::size_t k_stream_history = 512;     // events kept per stream for Last-Event-ID
constexpr std::size_t k_retained_streams = 32;    // finished streams kept per session
constexpr std::size_t k_pending_standalone = 64;  // standalone messages kept while no GET stream
constexpr int k_retry_ms = 1000;                  // `retry:` sent with the priming event
constexpr int k_poll_retry_ms = 10;               // ... when the stream closes early (--sse-poll)
constexpr auto k_poll = std::chrono::milliseconds(100);
constexpr auto k_keepalive = std::chrono::seconds(10);

struct SseEvent {
  std::uint64_t seq = 0;
  // The event as sent: its fields (`event:` unless priming, `id:` unless on a legacy stream,
  // `retry:` when priming asks, the data split at newlines) and the blank line ending it.
  // Formatted once, when appended: readers and replays copy it.
  std::string wire;
  bool priming = false;
};

// Appends the wire form of an event to `out`: `event: type` when `type` is set, `id: id` when
// `id` is, `data` split at newlines, and the blank line.
void write_event(std::string& out, std::string_view type, std::string_view id, std::string_view data);

// One SSE stream of a session (POST-initiated or standalone GET). Producers append; at most
// one reader follows it at a time with a cursor (the last seq it wrote). History is bounded to
// k_stream_history events: a reader more than that far behind loses the oldest ones.
class SseStream {
 public:
  // Event ids are "<id_prefix><seq>" when `with_ids` (legacy streams have none).
  SseStream(int number, bool standalone, bool with_ids, std::string id_prefix);

  int number() const { return m_number; }
  bool standalone() const { return m_standalone; }

  void append(std::string_view type, std::string_view data);
  void append_priming(int retry_ms = k_retry_ms);
  void finish();  // no more events: the last response was appended
  void close();   // the session ended: readers stop now
  bool finished() const;

  struct Batch {
    std::vector<SseEvent> events;  // seq > cursor, oldest first
    bool drained = false;          // finished and nothing after these events
    bool closed = false;           // close() was called
    bool superseded = false;       // another reader took over
    bool probe = false;            // someone asks whether the reader's client is still there
  };
  // Blocks up to `wait` until something happens after `cursor`.
  Batch wait_after(std::uint64_t cursor, std::uint64_t reader, std::chrono::milliseconds wait);
  // Appends the wire form of the events after `cursor` to `out` (no copies of the events).
  void append_wire(std::uint64_t cursor, std::string& out) const;
  // Appends the wire form of every event to `out` as a reader that attaches, reads and detaches
  // (superseding any other reader), under one lock: how a finished stream is sent whole.
  void read_whole(std::string& out);

  // Reader registration: attach() returns a reader token and supersedes any previous reader.
  std::uint64_t attach();
  void detach(std::uint64_t reader);
  bool has_reader() const;
  // Asks the current reader to write a probe; waits up to `wait` for it to detach (its client is
  // gone). Returns true when no reader is attached any more.
  bool probe_reader(std::chrono::milliseconds wait);

 private:
  // "<id_prefix><seq>", written in `buffer`.
  std::string_view event_id(std::uint64_t seq, char (&buffer)[64]) const;
  void push_locked(SseEvent event);  // m_mutex held; bounds the history

  const int m_number;
  const bool m_standalone;
  const bool m_with_ids;
  const std::string m_id_prefix;
  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  // The history is m_events from m_first on: a vector, as most streams hold two events (one
  // allocation, where a deque takes two); the dropped front is erased once it is as long as
  // k_stream_history.
  std::vector<SseEvent> m_events;
  std::size_t m_first = 0;
  std::uint64_t m_next_seq = 1;
  std::uint64_t m_reader = 0;  // current reader token, 0: none
  std::uint64_t m_next_reader = 1;
  bool m_finished = false;
  bool m_closed = false;
  bool m_probe = false;
};

// Collects the messages of one synchronous Session::handle call.
class CollectOutbox : public Outbox {
 public:
  void send(const std::string& message) override;
  std::vector<std::string> take();

 private:
  std::mutex m_mutex;
  std::vector<std::string> m_messages;
};

class HttpSession;

// Standalone messages of a session: to its current GET stream, else kept (bounded) for the next.
class StandaloneOutbox : public Outbox {
 public:
  explicit StandaloneOutbox(HttpSession& owner) : m_owner(owner) {}
  void send(const std::string& message) override;

 private:
  HttpSession& m_owner;
};

// One MCP session of the HTTP front-end: the protocol Session plus its SSE streams.
class HttpSession {
 public:
  HttpSession(std::string id, const Config& config, bool legacy);
  ~HttpSession();

  const std::string& id() const { return m_id; }
  bool legacy() const { return m_legacy; }
  const Config& config() const { return m_config; }
  Session& session() { return *m_session; }

  // A new POST stream (or, standalone, the new GET stream, which replaces the old one).
  std::shared_ptr<SseStream> new_stream(bool standalone);
  std::shared_ptr<SseStream> find_stream(int number);
  std::shared_ptr<SseStream> standalone_stream();
  // Sends a standalone message (see StandaloneOutbox).
  void send_standalone(const std::string& message);
  // Moves the standalone messages kept while no GET stream existed into the current one.
  void flush_pending();

  void touch(std::chrono::steady_clock::time_point now);  // takes no lock
  void begin_use();
  void end_use();
  bool idle_for(std::chrono::steady_clock::duration d) const;
  std::chrono::steady_clock::time_point last_used() const;
  bool in_use() const;
  // Ends the session: stops in-flight handlers and closes every stream.
  void end();

 private:
  const std::string m_id;
  const Config& m_config;
  const bool m_legacy;
  StandaloneOutbox m_standalone_outbox{*this};
  mutable std::mutex m_mutex;
  // By number, oldest first (numbers only grow; found by binary search). A deque: the stream a
  // new one evicts is nearly always the oldest, and leaves from the front without the others
  // moving up (as they do in a vector), one allocation per few dozen streams.
  std::deque<std::pair<int, std::shared_ptr<SseStream>>> m_streams;
  std::shared_ptr<SseStream> m_standalone;
  std::deque<std::string> m_pending;
  int m_next_stream = 1;
  // Atomic, so that touch takes no lock (the registry's lock is held, and every request takes it).
  std::atomic<std::chrono::steady_clock::rep> m_last_used;
  int m_users = 0;
  std::unique_ptr<Session> m_session;  // last: destroyed first, while the outbox still exists
};

// Every live session, bounded in number and idle time.
class SessionRegistry {
 public:
  SessionRegistry(const Config& config, const HttpOptions& options);

  // A new session under a fresh id; evicts the least recently used one when full.
  std::shared_ptr<HttpSession> create(bool legacy);
  std::shared_ptr<HttpSession> find(std::string_view id);
  std::shared_ptr<HttpSession> latest();  // most recently created live session, or null
  bool remove(const std::string& id);
  void expire_idle();
  void end_all();
  std::size_t size() const;

 private:
  const Config& m_config;
  const HttpOptions& m_options;
  mutable std::shared_mutex m_mutex;  // shared by find, latest and size
  std::map<std::string, std::shared_ptr<HttpSession>, std::less<>> m_sessions;
  std::weak_ptr<HttpSession> m_latest;
};

// 32 lowercase hex characters from the kernel's CSPRNG.
std::string random_hex_id();

// Worker threads that run Session::handle; run_http waits for them before returning. A worker is
// joined once its work returned (by the next spawn or wait_idle), so when wait_idle says idle every
// worker thread has exited, its thread_local state destroyed. Workers still running when the group
// is destroyed are detached: they touch nothing of the group.
class WorkerGroup {
 public:
  WorkerGroup() = default;
  ~WorkerGroup();
  WorkerGroup(const WorkerGroup&) = delete;
  WorkerGroup& operator=(const WorkerGroup&) = delete;

  void spawn(std::function<void()> work);
  // Waits until no worker runs (and joins them all), or `wait` passed. Returns true when idle.
  bool wait_idle(std::chrono::milliseconds wait);

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable cv;
    int running = 0;
    std::vector<std::thread::id> finished;  // workers whose work returned, not joined yet
  };
  void reap_locked();  // joins the finished workers; m_threads_mutex held

  std::shared_ptr<State> m_state = std::make_shared<State>();
  std::mutex m_threads_mutex;  // before m_state->mutex when both are taken
  std::unordered_map<std::thread::id, std::thread> m_threads;
};

// ---- 2026-07-28 (modern) requests, http_modern.cpp and http_modern_post.cpp ----

// A tool argument mirrored into an `Mcp-Param-{header}` header (`x-mcp-header` in its schema).
struct HeaderParam {
  std::string header;             // the name part: Mcp-Param-<header>
  std::vector<std::string> path;  // the chain of `properties` keys from the schema root
  std::string type;               // the schema's `type` ("" when absent)
};

// The x-mcp-header annotations reachable through `properties` chains of `input_schema`.
std::vector<HeaderParam> header_params(const nlohmann::json& input_schema);

// A header value as the server compares it: OWS trimmed; `=?base64?...?=` decoded (RFC 4648 with
// padding). False when the Base64 is invalid or a plain value has characters outside RFC 9110's
// field-value set.
bool decode_header_value(std::string_view raw, std::string& out);

// A request header by name (any case), or null when absent.
using HeaderLookup = std::function<std::optional<std::string_view>(const char* name)>;

// Server Validation of streamable-http.mdx for one modern request: the HeaderMismatch (-32020)
// message when MCP-Protocol-Version, Mcp-Method, Mcp-Name or a Mcp-Param-* header (for `params`,
// the called tool's annotations; may be null) is missing, malformed or disagrees with the body;
// empty when they agree. A body without a method (not a request) passes.
std::string modern_header_mismatch(const HeaderLookup& headers, const nlohmann::json& body,
                                   const std::vector<HeaderParam>* params);

// The HTTP status of the modern reply `reply` (a JSON-RPC response text): 200 for a result,
// modern_http_status() of its error code otherwise (fault unknown-method-200: -32601 -> 200).
// Sets *code to the error code when there is one. Parses only replies that contain "error".
int modern_reply_status(const Config& config, const std::string& reply, int* code = nullptr);

// What the modern requests of one server share: the session-less Session that answers them
// (modern requests read no per-connection state) and the tools' header annotations, read once
// from tools/list (a modern server's lists do not vary per connection). Thread-safe.
class ModernState {
 public:
  explicit ModernState(const Config& config);
  ~ModernState();
  ModernState(const ModernState&) = delete;
  ModernState& operator=(const ModernState&) = delete;

  Session& session() { return m_session; }
  // The Mcp-Param annotations of tool `tool`, or null when it has none (or is unknown).
  const std::vector<HeaderParam>* tool_header_params(const std::string& tool);

 private:
  class DropOutbox : public Outbox {
   public:
    void send(const std::string& message) override;
  };
  void load_tools();

  DropOutbox m_standalone;
  Session m_session;
  std::once_flag m_tools_once;
  std::unordered_map<std::string, std::vector<HeaderParam>> m_tool_params;
};

// What a route installer needs.
struct Context {
  const Config& config;
  const HttpOptions& options;
  SessionRegistry& sessions;
  WorkerGroup& workers;
  ModernState* modern = nullptr;  // null with --era legacy
};

// POST /mcp of a modern request (Session::is_modern), parsed: header validation, the reply and
// its HTTP status; no session is minted or required.
void post_modern(Context& ctx, const httplib::Request& req, httplib::Response& res, nlohmann::json body);

// How an SSE reader behaves (faults).
struct ReaderMode {
  bool buffered = false;     // sse-buffered: hold everything until the stream finished
  bool never_close = false;  // sse-never-close: keep the connection after the last event
  // Close the connection (not the stream) right after the priming event, so the client has to
  // resume with GET + Last-Event-ID (the `test_reconnection` fixture of the conformance suite).
  bool close_after_priming = false;
};

// Streams `stream` from `cursor` as the body of `res`; `on_end` runs when the connection is done.
void serve_stream(httplib::Response& res, std::shared_ptr<SseStream> stream, std::uint64_t cursor,
                  ReaderMode mode, std::function<void()> on_end);
void set_sse_headers(httplib::Response& res);

// Sends the events of a finished `stream` as one complete text/event-stream body.
void serve_finished(httplib::Response& res, SseStream& stream);

// Runs `work` on the connection's own thread as the body of `res` (no worker thread, no
// hand-off): `work` appends to `stream` and calls the `flush` it is given after each append,
// which writes the new events to the client at once (with `mode.buffered`, only when `work`
// returned). Events appended by other threads go out with the next flush. For requests whose
// stream ends with their handler; `mode` must not ask to close early or never.
using InlineWork = std::function<void(const std::function<void()>& flush)>;
void serve_inline(httplib::Response& res, std::shared_ptr<SseStream> stream, ReaderMode mode, InlineWork work,
                  std::function<void()> on_end);

// A connection between requests, with what has been received of the next one.
struct HeldConnection {
  int fd = -1;
  std::string bytes;
  std::optional<std::chrono::steady_clock::time_point> head_started;  // first byte of the head
};

// Holds connections on one poll thread until their header block is whole (or over k_max_head),
// then gives them to `dispatch`. One with no byte of a request goes after `idle`, one with part
// of a head after `head` from its first byte (answered 408). Thread-safe; stop() closes every
// connection held and joins the thread; add() after stop() closes the connection.
class HeaderGate {
 public:
  using Dispatch = std::function<void(HeldConnection)>;
  HeaderGate(std::chrono::milliseconds idle, std::chrono::milliseconds head, Dispatch dispatch);
  ~HeaderGate();
  HeaderGate(const HeaderGate&) = delete;
  HeaderGate& operator=(const HeaderGate&) = delete;
  void add(HeldConnection connection);
  void stop();

 private:
  struct Entry;
  void loop();

  const std::chrono::milliseconds m_idle;
  const std::chrono::milliseconds m_head;
  const Dispatch m_dispatch;
  int m_wake[2] = {-1, -1};
  std::mutex m_mutex;
  std::vector<HeldConnection> m_incoming;
  bool m_stopped = false;
  std::thread m_thread;
};

// The first field of `fields` ((name, value) pairs or {name, value} structs) named `name` (any
// case), or null: a scan comparing lengths first (a header map's own search lowers each character
// it compares, and names such as Access-Control-* share long prefixes).
template <typename Fields>
auto first_named(const Fields& fields, std::string_view name) -> decltype(&*std::begin(fields)) {
  for (const auto& field : fields) {
    const auto& [key, value] = field;
    (void)value;
    if (key.size() == name.size() && util::iequals(key, name)) return &field;
  }
  return nullptr;
}

// The request a plain POST (parse_plain_post) is given to its route as, on the fast path: an
// httplib::Request without its header map, whose headers header() finds in the head's fields
// (views of the connection's buffer, which outlives this object) while this object lives (it
// registers itself with the thread that serves it). Building the map cost more than the route:
// each insert lowers every character it compares with a call to tolower, and copies every name
// and value. The routes read headers only through header().
class PlainRequest {
 public:
  PlainRequest(ParsedRequest parsed, const HeadFields& fields);
  ~PlainRequest();
  PlainRequest(const PlainRequest&) = delete;
  PlainRequest& operator=(const PlainRequest&) = delete;

  httplib::Request& get() { return m_request; }
  // The first header named `name` (any case), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
  // The one being served on this thread whose request is `req`, or null.
  static const PlainRequest* of(const httplib::Request& req);

 private:
  httplib::Request m_request;
  const HeadFields& m_fields;  // in order, values trimmed
  const PlainRequest* m_outer;
};

// The response a plain POST's route writes, on the fast path: an httplib::Response whose header
// fields added with add_header() and add_constant_header() go to a fixed list inside this object
// (no allocation, no map insert lowering every compared character), written out in the order they
// came; fields the routes put in the map themselves follow them. Registers itself with its thread,
// as PlainRequest does. The routes add, find and erase response fields only through the helpers
// below, so that both places are seen.
class PlainResponse {
 public:
  PlainResponse();
  ~PlainResponse();
  PlainResponse(const PlainResponse&) = delete;
  PlainResponse& operator=(const PlainResponse&) = delete;

  httplib::Response& get() { return m_response; }
  // The one being served on this thread whose response is `res`, or null.
  static PlainResponse* of(const httplib::Response& res);

  struct Field {
    std::string_view name;
    std::string_view value;
  };
  // False when the list or its text space is full (the caller then uses the map).
  bool add(std::string_view name, std::string_view value, bool copy_value);
  bool has(std::string_view name) const;
  void erase(std::string_view name);
  void clear() { m_count = 0, m_text_used = 0; }
  const Field* begin() const { return m_fields; }
  const Field* end() const { return m_fields + m_count; }

 private:
  httplib::Response m_response;
  PlainResponse* m_outer;
  Field m_fields[8];
  std::size_t m_count = 0;
  char m_text[192];  // the copied values
  std::size_t m_text_used = 0;
};

// httplib::Server with its own connection layer (http_connection.cpp). httplib parses each
// request and runs the routes (Server::process_request); this class owns the socket around that:
// the keep-alive wait, buffered reads, and writes that leave in as few segments as possible.
// httplib's own SocketStream polls before every read and write, asks the kernel for both
// addresses on every request, and sends a response's header block and body as two segments, so
// the client wakes up twice for one answer. Here a response with a Content-Length leaves with one
// send(), a request costs one recv and one send, the addresses are looked up once per
// connection, and an idle keep-alive connection notices stop() within 100 ms. Chunked bodies
// (SSE streams) still go out chunk by chunk as they are written. A connection is served on one
// thread of its own pool (not httplib's) once its header block is whole; see below.
//
// POST on one path (the MCP endpoint) can skip cpp-httplib's request parsing: a request that is
// whole in the read buffer and plain (HTTP/1.1, Content-Length, no Transfer-Encoding, Expect,
// Range or Accept-Encoding, a well-formed header block) is parsed here and given to the route's
// handler directly, and its response written here the way cpp-httplib writes it. Anything else
// goes through cpp-httplib as before. Saves cpp-httplib's regular expressions (request line,
// routes) and byte-by-byte header reading on the one request that carries the traffic.
//
// Hostile clients (RFC 9112 section 6.3): a header block is checked before anyone parses it
// (inspect_head, http_request.h); a smuggling attempt or a malformed head is answered 400 and the connection
// closed, a Content-Length over the limit 413 at once without reading the body, a chunked body
// is decoded here under the same limit (413 as soon as it goes over) and handed on as a
// Content-Length request. A new connection waits in the HeaderGate (one poll thread) until its
// header block is whole, so slow clients never hold a worker; a keep-alive connection waits for
// its next request on its worker while at least a quarter of the workers are free, and goes back
// to the gate otherwise. A header block has a deadline from its first byte, a body one from the
// end of its head.
class ConnectionServer : public httplib::Server {
 public:
  ConnectionServer();

  // `handler` must be the handler registered for POST `path`; `post_routing` and `on_exception`
  // the ones given to set_post_routing_handler and set_exception_handler.
  void set_fast_post(std::string path, Handler handler, Handler post_routing, ExceptionHandler on_exception);
  // Before listen_after_bind.
  void set_workers(std::size_t count) { m_worker_count = count; }
  void set_deadlines(std::chrono::milliseconds head, std::chrono::milliseconds body) {
    m_head_timeout = head;
    m_body_timeout = body;
  }
  // After bind: the listen backlog becomes SOMAXCONN (httplib listens with 5).
  bool widen_backlog();

  class Queue;  // the task queue given to httplib: the gate and the workers behind it

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Runs one connection on a worker until it closes or goes back to the gate.
  void serve(HeldConnection held);
  bool under_pressure() const;
  void hand_back(HeldConnection held);

  std::string m_fast_path;
  Handler m_fast_handler;
  Handler m_post_routing;
  ExceptionHandler m_on_exception;
  std::size_t m_worker_count = 128;
  std::chrono::milliseconds m_head_timeout{10000};
  std::chrono::milliseconds m_body_timeout{30000};
  std::atomic<std::size_t> m_busy{0};
  std::atomic<Queue*> m_queue{nullptr};  // set while listening
};

// Small helpers shared by the routes.
bool media_type_is(std::string_view header, std::string_view type);  // ignores parameters
bool accepts(std::string_view accept, std::string_view type);        // honours wildcards
// The value of request header `name` (any case), or nullopt when absent: one lookup, no copy.
std::optional<std::string_view> header(const httplib::Request& req, const char* name);
// The same in any header map: the first match in the map's order, as its find() (first_named).
const std::string* header(const httplib::Headers& headers, std::string_view name);
// A response's header fields (PlainResponse says why these and not res.headers). `name` and a
// constant `value` must be string literals (or live as long); add_header copies `value`, and
// drops it as Response::set_header does when it holds a CR or LF.
void add_header(httplib::Response& res, std::string_view name, std::string_view value);
void add_constant_header(httplib::Response& res, std::string_view name, std::string_view value);
bool has_header(const httplib::Response& res, std::string_view name);
void erase_header(httplib::Response& res, std::string_view name);
// Response::set_content without the copy: `body` moves into the response, and its Content-Type
// (a literal) replaces any other.
void set_body(httplib::Response& res, std::string body, const char* content_type);
void json_error(httplib::Response& res, int status, int code, const std::string& message);
bool is_localhost_origin(std::string_view origin);
bool is_localhost_host(std::string_view host);

// `handler` behind the Host (DNS rebinding) and Origin checks; every route but /health has them.
httplib::Server::Handler guarded(const Config& config, httplib::Server::Handler handler);
// guarded() for a route function of the front-ends, bound to `ctx`.
using RouteFn = void (*)(Context&, const httplib::Request&, httplib::Response&);
httplib::Server::Handler guarded_route(Context& ctx, RouteFn handle);

// The handler of POST /mcp (also given to ConnectionServer::set_fast_post).
httplib::Server::Handler streamable_post(Context& ctx);
void install_streamable_routes(httplib::Server& server, Context& ctx);
void install_legacy_routes(httplib::Server& server, Context& ctx);

}  // namespace mcp_probe::refserver::http
