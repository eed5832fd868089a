#pragma once

// The built-in probe sequences, as lists of steps over the Context step API. The order is the
// order a run takes: connect and initialize, the base protocol, lifecycle probes on fresh
// connections, feature probes, transport probes, and finally shutdown.

#include <vector>

#include "context.h"

namespace mcp_probe::checks {

// Opens the main connections and records the connectivity, era and initialize checks: `ctx`
// gets the handshake-era connection (initialized with `version`), `mctx` the 2026-07-28 one,
// as `plan` finds them (detect: both for a dual-era server). A context whose era the server
// does not speak, or that could not be reached, started or initialized, stays unconnected; the
// failure is recorded in `ctx` (in `mctx` for a pinned modern version).
void connect_main(Context& ctx, Context& mctx, const std::string& version, protocol::EraPlan plan);
// The connectivity check a failed connection attempt belongs to (connectivity.resolve,
// connectivity.connect, ..., or stdio.spawn), from the transport's error.
CheckId classify_connect_failure(const util::Error& e, bool stdio);

// lifecycle.initialized.accepted: notifications/initialized was sent on `session`; a ping shows
// whether it was taken without a reply. Part of connect_main.
void check_initialized_accepted(Context& ctx, protocol::Session& session);

std::vector<Step> jsonrpc_steps();
std::vector<Step> lifecycle_steps();
std::vector<Step> feature_steps();
std::vector<Step> http_steps();
std::vector<Step> sse_steps();
// Last: ends the main connection (stdio shutdown checks).
std::vector<Step> shutdown_steps();
// The 2026-07-28 pass (seq_modern.cpp): the modern.* checks of this branch.
std::vector<Step> modern_steps();
// The 2026-07-28 pass's client notifications (seq_modern_notifications.cpp): no response to
// them, unknown cancellations ignored (stdio only: HTTP cancels by closing a stream).
std::vector<Step> modern_notification_steps();
// The 2026-07-28 pass over Streamable HTTP (seq_modern_http.cpp): the modern.http.* rows and the
// Streamable HTTP rows the 2026-07-28 text still states, with modern requests. Only for a main
// connection over Streamable HTTP.
std::vector<Step> modern_http_steps();
// The 2026-07-28 feature rows (seq_modern_features.cpp): lists across connections,
// subscriptions/listen, logging by request, and the client-capability rows of multi round-trip
// requests. They run after the ported feature steps (they use Facts::tools).
std::vector<Step> modern_feature_steps();
// Whether --allow-tool lets the probe call `name`; the arguments it calls `tool` with
// (--tool-args, else values its inputSchema suggests). seq_tools.cpp.
bool tool_allowed(const Context& ctx, const std::string& name);
Json tool_arguments(const Context& ctx, const Json& tool);

// Sends `method` on the session and returns the reply message, or nullopt (no reply in time).
std::optional<Json> call(Context& ctx, protocol::Session& session, const std::string& method,
                         const Json& params = Json::object(), std::vector<std::uint64_t>* refs = nullptr);
// A ping after a notification: everything that arrived before the ping's reply.
struct Barrier {
  bool answered = false;
  std::vector<protocol::Received> before;
};
Barrier ping_barrier(Context& ctx, protocol::Session& session);
// Sends input a server may drop without a word (malformed JSON, an invalid request, a batch) and
// waits for what `until` accepts. Over stdio a barrier request goes right behind it, and its answer
// ends the wait after a short grace (a server reads its stdin in order), instead of all of `wait`;
// over HTTP the POST's own response decides.
util::Expected<protocol::Exchange> send_droppable(protocol::Session& session, const std::string& raw,
                                                  const std::function<bool(const protocol::Received&)>& until,
                                                  util::Millis wait);
// An error code of a reply, or nullopt when it is not an error.
std::optional<long long> error_code(const Json& reply);

}  // namespace mcp_probe::checks
