#pragma once

// Passive checks: they look at every message of every session the engine opens, as it passes.
// Per-session state (pending request ids, progress tokens, server request ids) lives here.

#include <map>
#include <set>
#include <string>

#include "context.h"

namespace mcp_probe::checks {

struct SessionFacts {
  std::map<std::string, std::string> pending;        // dump(id) -> method, requests we sent
  std::map<std::string, std::string> request_token;  // dump(id) -> dump(progressToken)
  std::set<std::string> sent_tokens;                 // dump(progressToken) of requests we sent
  std::set<std::string> finished_tokens;             // tokens whose request got its response
  std::map<std::string, double> last_progress;       // dump(token) -> last progress value
  std::set<std::string> server_request_ids;          // dump(id) of requests the server sent
  std::string last_request_token;                    // token of the last request sent ("" none)
  std::set<std::string> sse_ids;                     // event ids seen on this session's streams
  // 2026-07-28: requests sent with a cursor (dump(id)), and the cacheScope of each list's first page.
  std::set<std::string> cursor_requests;
  std::map<std::string, std::string> first_page_scope;  // method -> cacheScope
  // 2026-07-28: the clientCapabilities each tools/call, prompts/get and resources/read declared
  // (dump(id) -> capabilities; modern.mrtr.capability-gated), and the requests that asked for
  // log messages with _meta logLevel (modern.logging.opt-in).
  std::map<std::string, Json> declared_capabilities;
  std::set<std::string> log_requests;
  bool last_request_logs = false;  // the last request sent carried _meta logLevel
};

// What the 2026-07-28 pass saw of results' _meta serverInfo (modern.server-info.meta, decided
// at the end of the pass).
struct ServerInfoSeen {
  int with = 0;
  int without = 0;
  std::string example;  // a method whose result lacked it
};

struct Context::Passive {
  std::string version;
  std::map<const protocol::Session*, SessionFacts> sessions;
  std::set<std::string> subscribed_uris;
  std::string min_log_level;  // set by logging/setLevel; "" = none requested
  int messages = 0;
  ServerInfoSeen server_info;
};

void passive_on_send(Context& ctx, protocol::Session& session, const Json& message);
void passive_on_receive(Context& ctx, protocol::Session& session, const protocol::Received& r);

// Checks applied to results by the sequences as well (content blocks, version features).
void check_content_blocks(Context& ctx, const Json& blocks, const std::string& where);
void check_version_features(Context& ctx, const std::string& method, const Json& result,
                            const std::string& version);
// Validates `value` against `definition` of `version`; records jsonrpc.schema.message-valid (and
// `extra_check` if given) and returns whether it was valid.
bool validate_schema(Context& ctx, const std::string& version, const std::string& definition,
                     const Json& value, const std::string& what, const std::vector<std::uint64_t>& refs,
                     std::optional<CheckId> extra_check = std::nullopt);
bool is_base64(const std::string& s);

// The 2026-07-28 rules every response of a modern session is held to (passive_modern.cpp):
// modern.result.result-type, modern.caching.hints, modern.error-codes.reserved, and what
// modern.server-info.meta counts. `method` is the request's ("" when unknown).
void passive_modern_response(Context& ctx, SessionFacts& facts, const std::string& method, const Json& id,
                             const Json& m, const std::vector<std::uint64_t>& refs);
// What a modern session's request (dump(id) `key`) declares, for the two rules above.
void passive_modern_sent(SessionFacts& facts, const std::string& key, const std::string& method,
                         const Json& params);
// modern.logging.opt-in: a notifications/message on a modern session.
void passive_modern_log(Context& ctx, SessionFacts& facts, const Json& m,
                        const std::vector<std::uint64_t>& refs);

}  // namespace mcp_probe::checks
