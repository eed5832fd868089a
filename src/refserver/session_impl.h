#pragma once

// Private to the protocol core of mcp-refserver: the session state shared by the method handlers
// (session.cpp, lifecycle.cpp, tools*.cpp, resources.cpp, prompts.cpp) and the per-request
// context they work with. Not for the front-ends: they see only server.h.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mcp_probe/json/wire.h"
#include "mcp_probe/protocol/versions.h"
#include "mcp_probe/refserver/server.h"

namespace mcp_probe::refserver {

using Json = nlohmann::json;
// Keys and names are compared as "..."sv: the size first, where a const char* costs a strlen and
// a full compare (every nlohmann find with a literal key is a few of those).
using namespace std::string_view_literals;

// JSON-RPC error codes the server uses.
inline constexpr int k_parse_error = -32700;
inline constexpr int k_invalid_request = -32600;
inline constexpr int k_method_not_found = -32601;
inline constexpr int k_invalid_params = -32602;
inline constexpr int k_internal_error = -32603;
inline constexpr int k_resource_not_found = -32002;

// Marker replaced by an invalid UTF-8 byte at serialisation time (fault invalid-utf8):
// nlohmann::json refuses to serialise invalid UTF-8 itself.
inline constexpr std::string_view k_invalid_utf8_marker = "@@refserver-invalid-utf8@@";

// Ranks in the one version table (protocol::k_versions): what a handler compares call.rank() with.
inline constexpr int k_rank_2024_11 = protocol::version_rank("2024-11-05");
inline constexpr int k_rank_2025_03 = protocol::version_rank("2025-03-26");
inline constexpr int k_rank_2025_06 = protocol::version_rank("2025-06-18");
inline constexpr int k_rank_2025_11 = protocol::version_rank("2025-11-25");
inline constexpr int k_rank_2026_07 = protocol::version_rank("2026-07-28");
static_assert(k_rank_2024_11 == 0 && k_rank_2025_11 > k_rank_2025_06 && k_rank_2026_07 > k_rank_2025_11);

// The rank of a handshake-era version (what `initialize` can negotiate); -1 for anything else,
// modern versions included.
int handshake_rank(std::string_view version);

// The key of request id `id` in Session::Impl::in_flight: its JSON text, as dump() gives it
// (without the serializer for integer ids).
std::string id_key(const Json& id);

// What the request path looks members up with (see json::member).
using mcp_probe::json::member;

// A request's params as the handlers see them: the message's own "params", or an empty object
// when it has none (a static one: no copy either way).
const Json& params_of(const Json& message);

// What a method handler produces: a result, an error, or nothing (a cancelled request).
// A tool's plain text result (what tool_text(text) builds, not an error) may be kept as its text
// alone: a session without faults writes its JSON straight out (Session::Impl::send_text_result),
// without a tree to build, dump and free. Whatever needs the tree asks materialize() for it.
struct Outcome {
  std::optional<Json> result;
  std::optional<Json> error;  // {code, message[, data]}
  // The result {"content":[{"type":"text","text":...}]} as its text; `result` is then empty.
  std::optional<std::string> text_result;
  static Outcome ok(Json result) { return Outcome{std::move(result), std::nullopt, std::nullopt}; }
  static Outcome text(std::string text) { return Outcome{std::nullopt, std::nullopt, std::move(text)}; }
  static Outcome fail(int code, std::string message, Json data = nullptr);
  static Outcome none() { return Outcome{}; }
  bool has_result() const { return result || text_result; }
  // The result as a tree: a text result becomes tool_text(text) (and `result`); nullptr when
  // there is no result (an error, or nothing). Defined in tools.cpp.
  Json* materialize();
};

// Book-keeping of one client request in flight (for notifications/cancelled). Lives on the
// handling thread's stack; Impl::in_flight or Impl::modern_calls point to it while it runs.
struct InFlight {
  bool cancelled = false;  // guarded by Session::Impl::mutex
  // Handshake-era requests only (Impl::in_flight): id_key of the request's id.
  std::string key;
  // Modern requests only (Impl::modern_calls): the request's id and the outbox it answers on.
  // Clients of one shared session may reuse ids, so a modern request is found by its outbox.
  Json id;
  const Outbox* replies = nullptr;
};

// A valid request's members, each found once (Session::Impl::process): what the request
// handling reads instead of looking them up again.
struct Request {
  const Json& id;
  const std::string& method;
  const Json& params;  // an empty object when the request has none
  bool in_batch;       // its response goes into the batch's array, not out on its own
};

class Call;
struct ToolDef;
struct TaskStore;  // tasks.cpp

inline const Json k_no_client_capabilities = Json::object();

// What a modern (2026-07-28) request declared in its _meta: the per-request protocol fields.
struct ModernMeta {
  std::string version;  // io.modelcontextprotocol/protocolVersion
  // io.modelcontextprotocol/clientCapabilities: the request's own object (not a copy), or an
  // empty one.
  const Json* client_capabilities = &k_no_client_capabilities;
  int log_threshold = -1;  // io.modelcontextprotocol/logLevel; -1: no logs
};

// An open subscriptions/listen stream (subscriptions.cpp).
struct Listener {
  Json id;      // the listen request's id = its subscription id
  Json filter;  // the acknowledged notification filter
  Outbox* out = nullptr;
  // Guards `out` against the end of the listen request: publish() sends under it, and the
  // handler sets `closed` under it before returning (after which `out` may be gone).
  std::mutex mutex;
  bool closed = false;
};

struct Session::Impl {
  Impl(const Config& config, Outbox& standalone) : config(config), standalone(standalone) {}

  Config config;
  Outbox& standalone;

  // Guards everything below; `cv` is notified on any change (cancellation, a client response,
  // stop), and waiters re-check their own predicate.
  mutable std::mutex mutex;
  std::condition_variable cv;
  std::string version;         // negotiated ("" before initialize)
  int version_rank = -1;       // handshake_rank(version)
  bool init_answered = false;  // an initialize request was answered
  bool initialized = false;    // notifications/initialized received
  bool stopping = false;
  Json client_capabilities = Json::object();
  int log_threshold = 0;  // index into the LoggingLevel order; 0 = debug (everything)
  std::set<std::string> subscriptions;
  // Handshake-era requests in flight, their keys unique as in a map (a request that reuses the id
  // of one in flight takes its place); a vector, as there are few at a time: no node per request.
  std::vector<InFlight*> in_flight;
  std::vector<InFlight*> modern_calls;                  // modern requests in flight
  std::map<std::string, std::optional<Json>> awaiting;  // server-issued id -> reply
  std::atomic<int> next_server_id{1};
  std::atomic<int> unexpected_waits{0};  // see Session::unexpected_waits
  // The tool table by version rank, shared with the other sessions (see tool_defs).
  std::map<int, std::shared_ptr<const std::vector<ToolDef>>> tool_tables;
  // The capabilities of initialize by version rank, built once (see declares).
  std::map<int, Json> capabilities_by_rank;
  // Open subscriptions/listen streams (modern era), in the order they opened.
  std::vector<std::shared_ptr<Listener>> listeners;
  // tools/call requests served (modern era): only the fault list-varies lets it change a list.
  int tools_called = 0;
  // The tasks of the tasks extension (tasks.cpp), made by the first task; never reset.
  std::shared_ptr<TaskStore> tasks;

  bool has(std::string_view fault) const { return config.has(fault); }
  std::string negotiated() const;
  // Whether initialize declares `capability` (a top-level key) at version rank `rank`. The
  // _locked form expects `mutex` held.
  bool declares(std::string_view capability, int rank);
  bool declares_locked(std::string_view capability, int rank);

  // Serialises and sends one message, applying the wire-level faults.
  void send(Outbox& out, Json message);
  // Sends the response {id, result} without building it, as send would without faults (which
  // act on the whole message): only for a session without faults.
  void send_result(Outbox& out, const Json& id, const Json& result);
  // The same for a text result (Outcome::text_result): the bytes send_result gives for the tree
  // tool_text(text) builds. `before` and `after`: more members of the result, written as they are
  // before and after "content" (each with its comma), whose keys sort before and after it.
  void send_text_result(Outbox& out, const Json& id, const std::string& text, std::string_view before = {},
                        std::string_view after = {});
  // Called by a handler before it sleeps or asks the client: counts and reports (stderr) a
  // request Session::may_wait called non-waiting (front-ends answer those in one piece, so
  // their handlers must neither sleep nor ask the client), a fixture whose ToolDef::may_wait is
  // false.
  void note_wait(std::string_view method, const Json& params);
  // Sends a notification (fault notification-with-id adds an id).
  void notify(Outbox& out, const std::string& method, Json params);
  // A fresh id for a server->client request ("srv-N").
  std::string server_request_id() { return "srv-" + std::to_string(next_server_id++); }
  // Sends a server->client request without waiting for its reply.
  void request_client(Outbox& out, const Json& id, const std::string& method, Json params);

  // Handles one parsed message; returns the response to send (none for notifications,
  // responses and cancelled requests).
  std::optional<Json> process(const Json& message, Outbox& replies, bool in_batch);
  std::optional<Json> process_request(const Request& request, Outbox& replies);
  void process_notification(const Json& message, Outbox& replies);
  void process_response(const Json& message);
  // A request Session::is_modern called modern (modern.cpp): _meta validation, the modern
  // method table, and the fields every modern result carries.
  std::optional<Json> process_modern(const Request& request, Outbox& replies);
  bool is_modern(const Json& message) const;
  // The same for a request's method and params (an empty object when it has none).
  bool is_modern(std::string_view method, const Json& params) const;
  // Marks in-flight requests cancelled: the handshake-era one with id `id` and every modern one
  // with that id (notifications/cancelled; ids are unique on stdio), or every modern one
  // answering on `replies` (Session::cancel). Takes `mutex`.
  void cancel_id(const Json& id);
  void cancel_on(const Outbox& replies);
  // Sends a notification to every open subscription whose filter asked for `kind`
  // (toolsListChanged, promptsListChanged, resourcesListChanged, or resourceSubscriptions for
  // `uri`), with its subscription id in _meta.
  void publish(const std::string& kind, const std::string& uri = "");
  // Moves the outcome's result or error into the response.
  Json make_response(const Json& id, Outcome outcome, const std::string& method);
  void after_initialized(Outbox& replies);
};

// The context of one client request being handled: its id, params and the channels to report
// progress, logs and server->client requests on. Lives on the handling thread's stack.
class Call {
 public:
  // `negotiated`: handshake_rank of the session's version when the request arrived (-1 before
  // initialize). `modern`: the request's per-request fields when it is a modern request (nullptr
  // for the handshake era, whose rank then comes from `negotiated`); it, `state` and `params`
  // (the request's own, not a copy) must outlive the Call.
  Call(Session::Impl& session, Outbox& replies, Json id, std::string method, const Json& params,
       InFlight& state, int negotiated, const ModernMeta* modern = nullptr);

  Session::Impl& session;
  Outbox& replies;
  const Json id;
  const std::string method;
  const Json& params;  // always an object

  bool has(std::string_view fault) const { return session.has(fault); }
  // Rank of the negotiated version for what the server *sends* (newer-fields lifts it).
  int rank() const { return m_rank; }
  // The negotiated rank, unaffected by newer-fields.
  int negotiated_rank() const { return m_negotiated_rank; }

  // The request's per-request fields if it is a modern (2026-07-28) request, else nullptr.
  const ModernMeta* modern() const { return m_modern; }
  // Whether the client declared `capability` (a top-level key of its capabilities): the
  // request's _meta in the modern era, initialize's in the handshake era.
  bool client_declares(const std::string& capability) const;

  // True once the request was cancelled (or the session stops); ignore-cancel hides cancels.
  bool cancelled() const;
  // Waits (with `lock` on session.mutex held) until the request is cancelled or the session
  // stops; ignore-cancel does not apply (a subscription always ends when cancelled).
  void wait_cancelled(std::unique_lock<std::mutex>& lock) const;
  // Sleeps up to `d`; returns false when cancelled meanwhile.
  bool sleep_for(std::chrono::milliseconds d) const;

  // notifications/progress for the request's progressToken (nothing without a token).
  void progress(double value, std::optional<double> total, const std::string& message = "");
  bool has_progress_token() const;
  // notifications/message at `level` if the level filter lets it through: the session's
  // (logging/setLevel) in the handshake era; the request's logLevel in the modern era, where a
  // request without one gets no log messages.
  void log(const std::string& level, const Json& data);
  // Sends a server->client request on the request's stream and waits for the reply (or
  // cancellation, or `timeout`). nullopt when no reply came. A modern request never sends one
  // (the modern era has no server requests; fixtures use InputRequiredResult): nullopt at once.
  std::optional<Json> ask_client(const std::string& method, Json params,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Sends progress deferred by progress-after-response; called once the response is out.
  void flush_deferred();

 private:
  InFlight& m_state;
  const ModernMeta* m_modern;
  int m_rank;
  int m_negotiated_rank;
  int m_progress_count = 0;
  double m_first_progress = 0;
  std::vector<Json> m_deferred;
};

// Method handlers (one file per feature area).
Outcome handle_initialize(Call& call);
Outcome handle_set_level(Call& call);
Outcome handle_tools_list(Call& call);
Outcome handle_tools_call(Call& call);
Outcome handle_resources_list(Call& call);
Outcome handle_resources_read(Call& call);
Outcome handle_templates_list(Call& call);
Outcome handle_subscribe(Call& call, bool subscribe);
Outcome handle_prompts_list(Call& call);
Outcome handle_prompts_get(Call& call);
Outcome handle_complete(Call& call);
Outcome handle_discover(Call& call);
Outcome handle_listen(Call& call);

// The InputRequiredResult prompt fixture of the conformance suite (mrtr.cpp), modern era only.
inline constexpr const char* k_input_required_prompt = "test_input_required_result_prompt";
Outcome run_input_required_prompt(Call& call);

// The server's capabilities as declared for the session (faults applied).
Json server_capabilities(const Session::Impl& session, int rank);

// Pagination shared by the list methods: takes params.cursor, returns one page of `items`
// under `key` with nextCursor, or -32602 for an unknown cursor. Emits two progress
// notifications first when the request carries a progressToken.
Outcome paginate(Call& call, const Json& items, const char* key);

// Small base64 fixtures.
extern const char* const k_png_base64;  // 1x1 red PNG
extern const char* const k_wav_base64;  // a few samples of silence, 8 kHz mono 8-bit

}  // namespace mcp_probe::refserver
