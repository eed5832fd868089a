#pragma once

// A client-side JSON-RPC session over one Transport: sends requests, matches replies to them
// by id (value AND JSON type), answers the server's own requests (ping -> {}, anything else ->
// -32601, since the default profile declares no client capabilities), and shows every message
// in both directions to an observer, which is where passive checks hook in.
// Not thread-safe; blocking calls are bounded by the request timeout or an explicit deadline.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcp_probe/json/wire.h"
#include "mcp_probe/protocol/modern.h"
#include "mcp_probe/transport/transport.h"
#include "mcp_probe/util/deadline.h"
#include "mcp_probe/util/expected.h"

namespace mcp_probe::protocol {

using json::Json;

// One received message with its parse outcome.
struct Received {
  transport::Incoming wire;
  std::optional<Json> json;  // empty when the bytes were not one valid JSON text
  std::string parse_error;
  // Set when the transport could not deliver a message but went on (a stdout line over the
  // line limit, discarded): wire.raw is then empty and json and parse_error are too.
  std::string transport_error;
};

// Exchange.others is a bounded sample, so a server that floods us while a request waits cannot
// grow memory: the first k_max_others messages (at most k_max_others_bytes of raw bytes) are
// kept, the rest only counted. Every message, kept or not, is shown to the observer as it
// arrives.
inline constexpr std::size_t k_max_others = 256;
inline constexpr std::size_t k_max_others_bytes = std::size_t{1} << 20;

struct Exchange {
  Json request;                    // what was sent
  std::optional<Received> reply;   // the response whose id matched (value and type)
  std::vector<Received> others;    // a sample of everything else that arrived before it (see above)
  std::size_t others_dropped = 0;  // messages that arrived before the reply but are not in `others`
  double elapsed_ms = 0;
  std::string send_error;  // the transport's complaint about the send (HTTP error status)
  // Why the wait ended without a reply: "" when there is a reply; otherwise the transport's
  // words ("the server closed its stdout (exited with status 1)", "nothing to receive: ...") or
  // "no response within N s" for a real timeout.
  std::string ended_by;
  util::ErrorKind ended_kind = util::ErrorKind::timeout;  // the kind of that transport error
  // Transport complaints the exchange went on after (an over-long stdout line), first few only.
  std::vector<std::string> receive_errors;
  // send_and_wait_ordered: whether the barrier request behind the message was answered.
  bool barrier_answered = false;
  // A modern session that answers input requests (ModernProfile::answer_input_requests): the
  // InputRequiredResults (result objects) it answered before this, the last, exchange.
  std::vector<Json> input_required;
};

struct InitializeOutcome {
  Exchange exchange;
  Json result;                   // the InitializeResult (empty object when it failed)
  std::string protocol_version;  // what the server answered
};

class Session {
 public:
  using Observer = std::function<void(const Received&)>;
  using SendObserver = std::function<void(const Json& message, const std::string& raw)>;

  Session(transport::Transport& transport, util::Millis request_timeout);

  transport::Transport& transport() { return m_transport; }
  void set_observer(Observer observer) { m_observer = std::move(observer); }
  void set_send_observer(SendObserver observer) { m_send_observer = std::move(observer); }
  void set_request_timeout(util::Millis t) { m_timeout = t; }
  util::Millis request_timeout() const { return m_timeout; }

  // Sends a request with the next integer id (or `id`) and waits for its response. A missing
  // response is not an Error: Exchange.reply stays empty (timeout), unless the transport failed.
  // A modern session whose profile answers input requests retries tools/call, prompts/get and
  // resources/read answered with an InputRequiredResult (fresh ids; Exchange.input_required).
  util::Expected<Exchange> request(const std::string& method, const Json& params = Json::object(),
                                   std::optional<Json> id = std::nullopt);
  // Sends any message (a deliberately odd request, a batch) and waits until `until` accepts a
  // received message or the timeout passes; a sample of everything else received is in
  // Exchange.others, the accepted one in Exchange.reply. A message the transport could not
  // deliver (ErrorKind::protocol: a stdout line over the limit) is shown to the observer with
  // Received.transport_error and the wait goes on.
  util::Expected<Exchange> send_and_wait(const std::string& raw,
                                         const std::function<bool(const Received&)>& until,
                                         std::optional<util::Millis> timeout = std::nullopt) {
    return wait_for(raw, until, timeout, nullptr, util::Millis(0));
  }
  // send_and_wait for input a server may drop without a word (malformed JSON, an invalid request,
  // a batch). A barrier request (ping; server/discover in 2026-07-28) goes right behind `raw`: a
  // server that reads its input in order answers `raw` first, so once the barrier's reply has come
  // `raw`'s reply is awaited only a little longer (four barrier round trips, 50 ms to `grace`),
  // instead of the whole `timeout`. The barrier's
  // reply is consumed (not in `others`); Exchange.barrier_answered says whether it came.
  util::Expected<Exchange> send_and_wait_ordered(const std::string& raw,
                                                 const std::function<bool(const Received&)>& until,
                                                 util::Millis timeout, util::Millis grace);
  // The request message request() would send for `method` (the 2026-07-28 _meta included).
  Json build_request(const std::string& method, const Json& params, const Json& id) const;
  util::Expected<void> notify(const std::string& method, const Json& params = Json::object());
  util::Expected<void> send_raw(const std::string& raw);
  // The next message from the server (after answering server requests); timeout error if none.
  util::Expected<Received> next(util::Deadline deadline);

  // initialize (+ notifications/initialized when `send_initialized`), recording the outcome.
  util::Expected<InitializeOutcome> initialize(const std::string& version,
                                               const Json& capabilities = Json::object(),
                                               bool send_initialized = true);

  // Speaks 2026-07-28 on this session (nullopt: back to the handshake era). Every request()
  // then carries the profile's _meta fields (merged into any _meta given), and on Streamable
  // HTTP each message the session sends gets the headers modern_headers() derives from its own
  // bytes, so a raw send with a deliberately broken body gets headers that mirror it. A probe
  // that wants other headers uses HttpTransport::exchange(). protocol_version() becomes the
  // profile's version.
  void set_modern(std::optional<ModernProfile> profile);
  const std::optional<ModernProfile>& modern() const { return m_modern; }
  // server/discover with the modern _meta (set_modern first). A DiscoverResult's capabilities
  // and _meta serverInfo become server_capabilities() and server_info(); an error reply or none
  // is returned as it came.
  util::Expected<Exchange> discover();

  const std::string& protocol_version() const { return m_protocol_version; }
  const Json& server_capabilities() const { return m_capabilities; }
  const Json& server_info() const { return m_server_info; }
  const Json& initialize_result() const { return m_init_result; }
  long long next_id() { return m_next_id++; }

 private:
  // send_and_wait, with an optional barrier request (its message) sent right behind `raw`.
  util::Expected<Exchange> wait_for(const std::string& raw, const std::function<bool(const Received&)>& until,
                                    std::optional<util::Millis> timeout, const Json* barrier,
                                    util::Millis grace);
  util::Expected<Exchange> request_once(const std::string& method, const Json& params,
                                        std::optional<Json> id);
  Received receive_one(transport::Incoming incoming);
  Received parse(transport::Incoming incoming);
  // transport.send() with the overflow callback set: messages the transport cannot queue
  // while it sends are shown to the observer (not answered) and counted in m_unqueued.
  util::Expected<void> send_observed(std::string_view raw, util::Deadline deadline);
  void answer_server_request(const Json& message);

  transport::Transport& m_transport;
  util::Millis m_timeout;
  Observer m_observer;
  SendObserver m_send_observer;
  long long m_next_id = 1;
  std::size_t m_unqueued = 0;
  std::string m_protocol_version;
  std::optional<ModernProfile> m_modern;
  Json m_capabilities;
  Json m_server_info;
  Json m_init_result;
};

// Whether two JSON-RPC ids are the same value of the same JSON type ("1" != 1, 1 != 1.0).
bool same_id(const Json& a, const Json& b);

}  // namespace mcp_probe::protocol
