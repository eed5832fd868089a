// Passive rules of the 2026-07-28 era: every response a modern session receives is held to them.

#include "mcp_probe/protocol/modern.h"
#include "mcp_probe/protocol/mrtr.h"
#include "passive.h"

namespace mcp_probe::checks {

namespace {

// docs/2026-07-28/basic/patterns/mrtr.mdx: «Servers MUST NOT send InputRequiredResult responses
// on any other client requests.» (than tools/call, prompts/get and resources/read)
bool may_require_input(const std::string& method) {
  return method == "tools/call" || method == "prompts/get" || method == "resources/read";
}

// docs/2026-07-28/server/utilities/caching.mdx, «Cacheable Results».
bool cacheable(const std::string& method) {
  return method == "server/discover" || method == "tools/list" || method == "prompts/list" ||
         method == "resources/list" || method == "resources/templates/list" || method == "resources/read";
}

void check_result_type(Context& ctx, const std::string& method, const Json& result,
                       const std::vector<std::uint64_t>& refs) {
  // «The result MUST include a resultType field to indicate the type of the result.»
  if (!result.contains("resultType")) {
    ctx.violation(CheckId::modern_result_result_type, "your " + method + " result lacks resultType",
                  {"resultType \"complete\" (or \"input_required\")", brief(result, 160), refs});
    return;
  }
  const std::string type = str(result, "resultType");
  if (type == "complete") {
    ctx.pass(CheckId::modern_result_result_type);
  } else if (type == "input_required") {
    if (may_require_input(method) || method.empty()) {
      ctx.pass(CheckId::modern_result_result_type);
    } else {
      ctx.violation(CheckId::modern_result_result_type, "an InputRequiredResult answered " + method,
                    {"input_required only for tools/call, prompts/get and resources/read",
                     "resultType \"input_required\" on " + method, refs});
    }
  } else {
    ctx.violation(CheckId::modern_result_result_type, "the " + method + " result has an unknown resultType",
                  {"\"complete\" or \"input_required\"", "resultType " + brief(result["resultType"]), refs});
  }
}

void check_cache_hints(Context& ctx, SessionFacts& facts, const std::string& method, const std::string& key,
                       const Json& result, const std::vector<std::uint64_t>& refs) {
  if (!cacheable(method) || str(result, "resultType") != "complete") return;
  // «Servers MUST provide a ttlMs value that is >= 0.»
  const Json ttl = member(result, "ttlMs");
  if (!ttl.is_number_integer() || ttl.get<long long>() < 0) {
    ctx.violation(CheckId::modern_caching_hints, "the " + method + " result has no valid ttlMs",
                  {"ttlMs: an integer >= 0", result.contains("ttlMs") ? brief(ttl) : "ttlMs absent", refs});
    return;
  }
  const Json scope = member(result, "cacheScope");
  if (!scope.is_string() || (scope != "public" && scope != "private")) {
    ctx.violation(CheckId::modern_caching_hints, "the " + method + " result has no valid cacheScope",
                  {"cacheScope \"public\" or \"private\"",
                   result.contains("cacheScope") ? brief(scope) : "cacheScope absent", refs});
    return;
  }
  if (method != "server/discover" && method != "resources/read") {
    // «Servers MUST apply the same cacheScope to all response pages for a given list request»
    const bool later_page = facts.cursor_requests.erase(key) > 0;
    if (!later_page) {
      facts.first_page_scope[method] = scope.get<std::string>();
    } else if (auto it = facts.first_page_scope.find(method);
               it != facts.first_page_scope.end() && it->second != scope.get<std::string>()) {
      ctx.violation(CheckId::modern_caching_hints, method + ": pages of one list differ in cacheScope",
                    {"the first page's cacheScope \"" + it->second + "\" on every page",
                     "cacheScope \"" + scope.get<std::string>() + "\" on a later page", refs});
      return;
    }
  }
  ctx.pass(CheckId::modern_caching_hints);
}

// docs/2026-07-28/basic/index.mdx: «Implementations MUST NOT emit any code from this sub-range that
// is not defined by this specification»
void check_error_code(Context& ctx, const Json& error, const std::vector<std::uint64_t>& refs) {
  const Json code = member(error, "code");
  if (!code.is_number_integer()) return;  // jsonrpc.error.shape reports it
  const long long c = code.get<long long>();
  const bool retired = c == -32002 || c == -32042;
  const bool undefined = c <= -32020 && c >= -32099 && c != protocol::k_header_mismatch &&
                         c != protocol::k_missing_client_capability &&
                         c != protocol::k_unsupported_protocol_version;
  if (retired) {
    ctx.violation(CheckId::modern_error_codes_reserved,
                  "error code " + std::to_string(c) + " is retired in 2026-07-28",
                  {c == -32002 ? "-32602 for an unknown resource" : "no URL-elicitation error -32042",
                   "code " + std::to_string(c), refs});
  } else if (undefined) {
    ctx.violation(CheckId::modern_error_codes_reserved,
                  "error code " + std::to_string(c) + " is in the reserved range -32020..-32099",
                  {"only -32020, -32021 and -32022 from that range", "code " + std::to_string(c), refs});
  } else {
    ctx.pass(CheckId::modern_error_codes_reserved);
  }
}

// docs/2026-07-28/basic/patterns/mrtr.mdx: «Servers MUST NOT send an inputRequests that the client
// has not declared support for in its capabilities.» and «Servers MUST include at least one of
// inputRequests or requestState in every InputRequiredResult response.»
void check_capability_gate(Context& ctx, const Json& declared, const std::string& method, const Json& result,
                           const std::vector<std::uint64_t>& refs) {
  const CheckId id = CheckId::modern_mrtr_capability_gated;
  const bool has_requests = result.contains("inputRequests");
  if (!has_requests && !result.contains("requestState")) {
    ctx.violation(id, "an InputRequiredResult to " + method + " has neither inputRequests nor requestState",
                  {"inputRequests or requestState", brief(result, 160), refs});
    return;
  }
  const Json requests = member(result, "inputRequests", Json::object());
  std::string undeclared;
  for (const auto& [key, request] : requests.items()) {
    const std::string capability = protocol::capability_of_input(request);
    if (capability.empty() || protocol::declares(declared, capability)) continue;
    if (undeclared.empty())
      undeclared = "\"" + key + "\" (" + str(request, "method") + ", needs " + capability + ")";
  }
  if (!undeclared.empty()) {
    ctx.violation(id, "an InputRequiredResult to " + method + " asks for input the request did not declare",
                  {"only input requests of the declared capabilities " + brief(declared, 80),
                   "inputRequests " + undeclared, refs});
  } else {
    ctx.pass(id);
  }
}

}  // namespace

void passive_modern_sent(SessionFacts& facts, const std::string& key, const std::string& method,
                         const Json& params) {
  const Json meta = member(params, "_meta", Json::object());
  if (protocol::may_require_input(method))
    facts.declared_capabilities[key] = member(meta, protocol::k_meta_client_capabilities, Json::object());
  facts.last_request_logs = meta.contains(protocol::k_meta_log_level);
  if (facts.last_request_logs) facts.log_requests.insert(key);
}

// docs/2026-07-28/server/utilities/logging.mdx: «The server MUST NOT emit notifications/message for a
// request that does not include this field.» A message is taken as one for a request in flight
// that asked for logs, or for the last request sent when that one did (a line written just after
// its response on stdio).
void passive_modern_log(Context& ctx, SessionFacts& facts, const Json& m,
                        const std::vector<std::uint64_t>& refs) {
  bool asked = facts.last_request_logs;
  for (const auto& [key, method] : facts.pending) asked = asked || facts.log_requests.count(key) != 0;
  if (asked) return;
  ctx.violation(CheckId::modern_logging_opt_in,
                "notifications/message arrived though no request in flight asked for logs",
                {"log messages only for requests with _meta[\"io.modelcontextprotocol/logLevel\"]",
                 brief(m, 160), refs});
}

void passive_modern_response(Context& ctx, SessionFacts& facts, const std::string& method, const Json& id,
                             const Json& m, const std::vector<std::uint64_t>& refs) {
  if (m.contains("error")) {
    check_error_code(ctx, member(m, "error", Json::object()), refs);
    facts.log_requests.erase(json::dump(id));
    facts.declared_capabilities.erase(json::dump(id));
    return;
  }
  const Json result = member(m, "result", Json::object());
  if (!result.is_object()) return;  // the schema check reports it
  check_result_type(ctx, method, result, refs);
  const std::string key = json::dump(id);
  facts.log_requests.erase(key);
  if (auto declared = facts.declared_capabilities.find(key); declared != facts.declared_capabilities.end()) {
    if (str(result, "resultType") == "input_required")
      check_capability_gate(ctx, declared->second, method, result, refs);
    facts.declared_capabilities.erase(declared);
  }
  check_cache_hints(ctx, facts, method, json::dump(id), result, refs);
  const Json meta = member(result, "_meta", Json::object());
  const Json info = member(meta, protocol::k_meta_server_info, Json::object());
  ServerInfoSeen& seen = ctx.passive().server_info;
  if (info.contains("name") && info.contains("version")) {
    ++seen.with;
  } else {
    ++seen.without;
    if (seen.example.empty()) seen.example = method.empty() ? "a result" : method;
  }
}

}  // namespace mcp_probe::checks
