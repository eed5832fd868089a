// The 2026-07-28 pass, feature rows of REQUIREMENTS.md group 10: tools/list across connections,
// subscriptions/listen, log messages by request, and the client-capability rows of multi
// round-trip requests. subscriptions/listen over HTTP is a stream that stays open: it is read on
// a thread of its own (listen_http), the only one in the checks; everything else is the step API.

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "mcp_probe/protocol/modern.h"
#include "mcp_probe/protocol/mrtr.h"
#include "mcp_probe/transport/http.h"
#include "passive.h"
#include "sequences.h"

namespace mcp_probe::checks {

namespace {

constexpr const char* k_meta_subscription_id = "io.modelcontextprotocol/subscriptionId";
// The official conformance suite's fixture that makes a server send notifications/tools/list_changed
// to its subscriptions; the probe calls it only when it is listed and allowed (--allow-tool).
constexpr const char* k_trigger_tool = "test_trigger_tool_change";

std::vector<std::uint64_t> refs_of(const protocol::Exchange& ex) {
  if (!ex.reply || ex.reply->wire.trace_id == 0) return {};
  return {ex.reply->wire.trace_id};
}

int http_status_of(const protocol::Connection& c) {
  if (!c.transport || c.transport->kind() != transport::TransportKind::http) return 0;
  return static_cast<const transport::HttpTransport*>(c.transport.get())->last_response().status;
}

Json declared_capabilities(const Context& ctx) {
  return protocol::client_capabilities_for(ctx.options().client_capabilities);
}

const Json* listed_tool(Context& ctx, const std::string& name) {
  for (const auto& t : ctx.facts().tools) {
    if (t.is_object() && str(t, "name") == name) return &t;
  }
  return nullptr;
}

// ---- modern.list.connection-independent -------------------------------------------------------

struct Listing {
  Json tools = Json::array();
  std::string failure;  // "" when every page arrived
  std::vector<std::uint64_t> refs;
};

Listing list_tools(protocol::Session& session) {
  Listing l;
  Json params = Json::object();
  for (int page = 0; page < 100; ++page) {
    auto ex = session.request("tools/list", params);
    if (!ex || !ex->reply || !ex->reply->json) {
      l.failure = "no answer to tools/list";
      return l;
    }
    l.refs.push_back(ex->reply->wire.trace_id);
    const Json& reply = *ex->reply->json;
    const Json result = member(reply, "result", Json::object());
    if (!result.contains("tools") || !result["tools"].is_array()) {
      l.failure = "tools/list got " + brief(reply, 160);
      return l;
    }
    for (const auto& t : result["tools"]) l.tools.push_back(t);
    const Json cursor = member(result, "nextCursor");
    if (!cursor.is_string()) return l;
    params = {{"cursor", cursor}};
  }
  l.failure = "tools/list did not end after 100 pages";
  return l;
}

// Tools by name, without their _meta (which may carry per-response data); the names in order.
std::map<std::string, Json> by_name(const Json& tools, std::vector<std::string>& order) {
  std::map<std::string, Json> out;
  for (const auto& t : tools) {
    const std::string name = t.is_object() ? str(t, "name") : json::dump(t);
    Json kept = t;
    if (kept.is_object()) kept.erase("_meta");
    out[name] = std::move(kept);
    order.push_back(name);
  }
  return out;
}

struct ListDiff {
  std::string what;  // "" when the lists are the same
  bool order_only = false;
};

ListDiff compare_lists(const Json& base, const Json& other) {
  std::vector<std::string> base_order, other_order;
  const auto a = by_name(base, base_order);
  const auto b = by_name(other, other_order);
  for (const auto& [name, tool] : a) {
    auto it = b.find(name);
    if (it == b.end()) return {"tool \"" + name + "\" is missing", false};
    if (it->second != tool)
      return {"tool \"" + name + "\" is defined differently: " + brief(it->second, 160), false};
  }
  for (const auto& entry : b) {
    if (a.count(entry.first) == 0) return {"an extra tool \"" + entry.first + "\" is listed", false};
  }
  if (base_order != other_order) {
    std::string first;
    for (std::size_t i = 0; i < base_order.size() && i < other_order.size(); ++i) {
      if (base_order[i] != other_order[i]) {
        first = "position " + std::to_string(i) + ": \"" + other_order[i] + "\" instead of \"" +
                base_order[i] + "\"";
        break;
      }
    }
    return {"the same tools in another order (" + first + ")", true};
  }
  return {};
}

// docs/2026-07-28/server/tools.mdx: «MUST NOT vary per-connection or as a side effect of other
// requests on the connection.» The main connection's list (taken before this pass called any
// tool) against a fresh connection's, before and after a tools/call of an unknown tool there.
void list_connection_independent(Context& ctx) {
  const CheckId id = CheckId::modern_list_connection_independent;
  if (!ctx.wants(id)) return;
  if (!ctx.has_capability("tools")) return ctx.skip(id, "not applicable: the server does not declare tools");
  Json baseline = ctx.facts().tools;
  std::string baseline_words = "the main connection's list";
  if (baseline.empty()) {
    Listing main = list_tools(ctx.session());
    if (!main.failure.empty()) return ctx.error(id, "could not list the tools: " + main.failure);
    baseline = main.tools;
  }
  auto conn = ctx.fresh_modern_connection(ctx.version(), declared_capabilities(ctx));
  if (!conn) return ctx.error(id, "could not open a second connection: " + conn.error().message);
  protocol::Session& other = *(*conn)->session;
  struct Take {
    std::string words;
    Listing listing;
  };
  std::vector<Take> takes;
  takes.push_back({"a second connection's list", list_tools(other)});
  // A side effect any client may cause: a call (of a tool that does not exist, so nothing runs).
  (void)other.request("tools/call", {{"name", "mcp-probe-nonexistent-tool"}, {"arguments", Json::object()}});
  takes.push_back({"the second connection's list after a tools/call", list_tools(other)});
  (*conn)->transport->close();
  std::string order_note;
  for (const Take& t : takes) {
    if (!t.listing.failure.empty())
      return ctx.error(id, t.words + " could not be read: " + t.listing.failure);
    const ListDiff d = compare_lists(baseline, t.listing.tools);
    if (d.what.empty()) continue;
    if (!d.order_only) {
      return ctx.violation(id, "tools/list differs between connections: " + d.what,
                           {"the same tools on every connection (" + baseline_words + ")",
                            t.words + ": " + d.what, t.listing.refs});
    }
    if (order_note.empty()) order_note = t.words + ": " + d.what;
  }
  if (!order_note.empty()) {
    // The row: a different order is a WARN (the set is what the MUST is about).
    return ctx.warn(id, "tools/list keeps its tools but not their order across connections",
                    {"the same order on every connection", order_note});
  }
  ctx.pass(id,
           std::to_string(baseline.size()) + " tools, the same on two connections and after a tools/call");
}

// ---- modern.subscriptions.listen --------------------------------------------------------------

// One message of the listen stream (HTTP) or of the listening connection (stdio).
struct Seen {
  Json message;
  std::uint64_t trace_id = 0;
};

bool is_listen_kind(const std::string& method) {
  return method == "notifications/subscriptions/acknowledged" ||
         method == "notifications/tools/list_changed" || method == "notifications/prompts/list_changed" ||
         method == "notifications/resources/list_changed" || method == "notifications/resources/updated";
}

Json subscription_of(const Json& message) {
  return member(member(member(message, "params", Json::object()), "_meta", Json::object()),
                k_meta_subscription_id);
}

struct ListenVerdict {
  bool acknowledged = false;
  int delivered = 0;  // notifications/tools/list_changed after the acknowledgement
  std::string problem;
  std::string observed;
  std::uint64_t trace_id = 0;
};

// The rules of subscriptions.mdx over what the listening side received, in order. `whole_stream`:
// every message is the subscription's (an HTTP listen stream); on stdio only the listen kinds and
// what carries a subscriptionId are.
ListenVerdict judge_listen(const std::vector<Seen>& seen, const Json& listen_id, bool whole_stream) {
  ListenVerdict v;
  auto fail = [&v](std::string problem, const Seen& s) {
    v.problem = std::move(problem);
    v.observed = brief(s.message, 200);
    v.trace_id = s.trace_id;
  };
  for (const Seen& s : seen) {
    const Json& m = s.message;
    const std::string method = str(m, "method");
    const Json sub = subscription_of(m);
    const bool response = !m.contains("method") && m.contains("id") && protocol::same_id(m["id"], listen_id);
    if (response) {
      if (m.contains("error")) {
        fail("subscriptions/listen was answered with an error", s);
        return v;
      }
      continue;  // a graceful closure
    }
    const bool ours = whole_stream || is_listen_kind(method) || !sub.is_null();
    if (!ours || method.empty()) continue;
    // «MUST send notifications/subscriptions/acknowledged as the first message carrying the
    // subscription's ID [...] and MUST NOT send any notification on the subscription before it»
    if (!v.acknowledged) {
      if (method != "notifications/subscriptions/acknowledged") {
        fail(method + " came before notifications/subscriptions/acknowledged", s);
        return v;
      }
      if (sub.is_null() || !protocol::same_id(sub, listen_id)) {
        fail("the acknowledgement's _meta subscriptionId is not the request id " + json::dump(listen_id), s);
        return v;
      }
      v.acknowledged = true;
      continue;
    }
    // «All notifications delivered on the stream carry io.modelcontextprotocol/subscriptionId»
    if (sub.is_null()) {
      fail(method + " on the subscription lacks _meta subscriptionId", s);
      return v;
    }
    if (!protocol::same_id(sub, listen_id)) {
      fail(method + " carries subscriptionId " + json::dump(sub) + ", not " + json::dump(listen_id), s);
      return v;
    }
    // «The server MUST NOT send notification types the client has not explicitly requested.»
    if (method != "notifications/tools/list_changed") {
      fail(method + " was not requested (the filter asked for toolsListChanged only)", s);
      return v;
    }
    ++v.delivered;
  }
  return v;
}

Json listen_request(const Json& id, const protocol::ModernProfile& profile) {
  return {{"jsonrpc", "2.0"},
          {"id", id},
          {"method", "subscriptions/listen"},
          {"params", protocol::with_modern_meta({{"notifications", {{"toolsListChanged", true}}}}, profile)}};
}

// The trigger tool when it is listed and allowed, else "".
std::string trigger_tool(Context& ctx) {
  return listed_tool(ctx, k_trigger_tool) != nullptr && tool_allowed(ctx, k_trigger_tool) ? k_trigger_tool
                                                                                          : "";
}

void collect(std::vector<Seen>& into, const protocol::Exchange& ex) {
  for (const auto& r : ex.others) {
    if (r.json) into.push_back({*r.json, r.wire.trace_id});
  }
  if (ex.reply && ex.reply->json) into.push_back({*ex.reply->json, ex.reply->wire.trace_id});
}

// stdio: the listen request, then the trigger and a barrier on the same connection, then
// notifications/cancelled to end the subscription.
util::Expected<std::vector<Seen>> listen_stdio(Context& ctx, const std::string& trigger, Json& listen_id) {
  auto conn = ctx.fresh_modern_connection(ctx.version(), declared_capabilities(ctx));
  if (!conn) return conn.error();
  protocol::Session& s = *(*conn)->session;
  // The server's capabilities, for the passive rules on what arrives (list_changed declared).
  (void)s.discover();
  listen_id = s.next_id();
  const Json id = listen_id;
  std::vector<Seen> seen;
  auto first =
      s.send_and_wait(json::dump(listen_request(id, *s.modern())), [&id](const protocol::Received& r) {
        if (!r.json || !r.json->is_object()) return false;
        const Json& m = *r.json;
        if (!m.contains("method")) return m.contains("id") && protocol::same_id(m["id"], id);
        return is_listen_kind(str(m, "method")) || !subscription_of(m).is_null();
      });
  if (!first) return first.error();
  collect(seen, *first);
  const bool acked = first->reply && first->reply->json &&
                     str(*first->reply->json, "method") == "notifications/subscriptions/acknowledged";
  if (acked && !trigger.empty()) {
    if (auto t = s.request("tools/call", {{"name", trigger}, {"arguments", Json::object()}}))
      collect(seen, *t);
  }
  if (acked) {
    Barrier b = ping_barrier(ctx, s);
    for (const auto& r : b.before) {
      if (r.json) seen.push_back({*r.json, r.wire.trace_id});
    }
    (void)s.notify("notifications/cancelled",
                   {{"requestId", id}, {"reason", "mcp-probe: listen probe done"}});
  }
  (*conn)->transport->close();
  return seen;
}

// HTTP: the listen POST's stream is read on a thread while this one calls the trigger on the
// main connection; closing the stream ends the subscription (subscriptions.mdx, «Cancellation»).
util::Expected<std::vector<Seen>> listen_http(Context& ctx, const std::string& trigger, Json& listen_id) {
  const protocol::Target& target = ctx.target();
  const protocol::ModernProfile profile{ctx.version(), declared_capabilities(ctx)};
  listen_id = "mcp-probe-listen";
  const Json message = listen_request(listen_id, profile);
  transport::HttpClientOptions client_options;
  client_options.connect_timeout = target.connect_timeout;
  client_options.insecure = target.insecure;
  client_options.cacert = target.cacert;
  client_options.tracer = &ctx.tracer();
  const transport::HttpClient client(client_options);
  transport::HttpRequest request;
  request.url = target.url;
  request.body = json::dump(message);
  request.headers = target.headers;
  if (!target.bearer.empty()) request.headers.emplace_back("Authorization", "Bearer " + target.bearer);
  request.headers.emplace_back("Accept", "application/json, text/event-stream");
  request.headers.emplace_back("Content-Type", "application/json");
  for (auto& h : protocol::modern_headers(message, profile.version)) request.headers.push_back(std::move(h));

  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Seen> seen;
  bool done = false;
  std::optional<util::Error> failure;
  transport::HttpCancel cancel;
  const util::Millis wait = ctx.timeout();
  std::thread reader([&] {
    transport::HttpHooks hooks;
    hooks.cancel = &cancel;
    hooks.on_event = [&](const transport::SseEvent& e, const transport::SseArrival& a) {
      auto parsed = json::parse(e.data);
      std::lock_guard lock(mutex);
      if (parsed) seen.push_back({*parsed, a.trace_id});
      cv.notify_all();
      return true;
    };
    auto response = client.perform(request, util::Deadline::after(wait * 3), hooks);
    std::lock_guard lock(mutex);
    if (!response) {
      failure = response.error();
    } else if (!response->sse) {
      // An error answered as one JSON body (or anything else): the judge sees it as it came.
      if (auto parsed = json::parse(response->body)) seen.push_back({*parsed, 0});
    }
    done = true;
    cv.notify_all();
  });
  auto arrived = [&](std::size_t n) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, wait, [&] { return done || seen.size() >= n; });
  };
  arrived(1);
  bool acked = false;
  {
    std::lock_guard lock(mutex);
    acked =
        !seen.empty() && str(seen.front().message, "method") == "notifications/subscriptions/acknowledged";
  }
  if (acked && !trigger.empty()) {
    std::size_t before = 0;
    {
      std::lock_guard lock(mutex);
      before = seen.size();
    }
    (void)ctx.session().request("tools/call", {{"name", trigger}, {"arguments", Json::object()}});
    // The notification was written before the call's response; it may still be on its way.
    arrived(before + 1);
  }
  cancel.cancel();
  reader.join();
  if (failure && seen.empty() && failure->kind != util::ErrorKind::closed) return *failure;
  return seen;
}

// docs/2026-07-28/basic/patterns/subscriptions.mdx: «The server MUST NOT send notification types the
// client has not explicitly requested.», and the acknowledgement first, with the subscription id.
void subscriptions_listen(Context& ctx) {
  const CheckId id = CheckId::modern_subscriptions_listen;
  if (!ctx.wants(id)) return;
  const std::string trigger = trigger_tool(ctx);
  Json listen_id;
  const bool http = ctx.http() != nullptr;
  if (!http && ctx.transport_kind() != transport::TransportKind::stdio)
    return ctx.skip(id, "not applicable to this transport");
  auto seen = http ? listen_http(ctx, trigger, listen_id) : listen_stdio(ctx, trigger, listen_id);
  if (!seen) return ctx.error(id, "subscriptions/listen could not be sent: " + seen.error().message);
  const ListenVerdict v = judge_listen(*seen, listen_id, http);
  const Json caps = ctx.capabilities();
  const bool notifies = flag(member(caps, "tools", Json::object()), "listChanged") ||
                        flag(member(caps, "prompts", Json::object()), "listChanged") ||
                        flag(member(caps, "resources", Json::object()), "listChanged") ||
                        flag(member(caps, "resources", Json::object()), "subscribe");
  if (!v.problem.empty()) {
    if (!v.acknowledged && v.problem.find("answered with an error") != std::string::npos && !notifies) {
      return ctx.skip(id,
                      "not applicable: subscriptions/listen got an error and the server declares no "
                      "listChanged or subscribe capability (" +
                          v.observed + ")");
    }
    return ctx.violation(id, v.problem,
                         {"notifications/subscriptions/acknowledged first, then only notifications/tools/"
                          "list_changed, each with _meta subscriptionId " +
                              json::dump(listen_id),
                          v.observed,
                          {v.trace_id}});
  }
  if (!v.acknowledged) {
    return ctx.violation(
        id,
        "no notifications/subscriptions/acknowledged within " + std::to_string(ctx.timeout().count()) +
            " ms of subscriptions/listen",
        {"notifications/subscriptions/acknowledged with _meta subscriptionId " + json::dump(listen_id),
         seen->empty() ? "nothing on the stream" : brief(seen->front().message, 200)});
  }
  if (trigger.empty()) {
    ctx.pass(id, std::string("acknowledged; no list change was triggered (allow ") + k_trigger_tool +
                     " with --allow-tool to see one delivered)");
  } else {
    ctx.pass(id, "acknowledged; " + std::to_string(v.delivered) + " notifications/tools/list_changed after " +
                     trigger + ", each with the subscription id");
  }
}

// ---- modern.logging.opt-in (with the passive rule of passive_modern.cpp) -----------------------

int log_messages(const protocol::Exchange& ex) {
  int n = 0;
  for (const auto& r : ex.others) {
    if (r.json && str(*r.json, "method") == "notifications/message") ++n;
  }
  return n;
}

// docs/2026-07-28/server/utilities/logging.mdx: «The server MUST NOT emit notifications/message for
// a request that does not include this field.» The first allowed tool that logs when a request
// asks (_meta logLevel "debug") is called again without: it must stay silent. Also exercises
// util.logging.capability (passive) in this era, where logging/setLevel is gone.
void logging_by_request(Context& ctx) {
  const CheckId id = CheckId::modern_logging_opt_in;
  if (!ctx.wants(id)) return;
  int tried = 0;
  for (const auto& tool : ctx.facts().tools) {
    const std::string name = str(tool, "name");
    if (!tool.is_object() || !tool_allowed(ctx, name)) continue;
    if (tried++ >= 8) break;
    const Json args = tool_arguments(ctx, tool);
    auto asked = ctx.session().request(
        "tools/call",
        {{"name", name}, {"arguments", args}, {"_meta", {{protocol::k_meta_log_level, "debug"}}}});
    if (!asked || log_messages(*asked) == 0) continue;
    const int with = log_messages(*asked);
    auto silent = ctx.session().request("tools/call", {{"name", name}, {"arguments", args}});
    if (!silent)
      return ctx.error(id, "the call without logLevel could not be sent: " + silent.error().message);
    const int without = log_messages(*silent);
    if (without > 0) {
      // The passive rule has recorded it with the message itself; say which call it was too.
      return ctx.violation(id,
                           "tool \"" + name + "\" logged " + std::to_string(without) +
                               " messages for a request without _meta logLevel",
                           {"no notifications/message without logLevel",
                            std::to_string(without) + " messages", refs_of(*silent)});
    }
    return ctx.pass(id, "tool \"" + name + "\" logged " + std::to_string(with) +
                            " messages with logLevel debug and none without");
  }
  if (!ctx.recorded(id)) {
    ctx.skip(id,
             "not exercised: no allowed tool sent log messages when asked (allow one that logs with "
             "--allow-tool NAME)");
  }
}

// ---- modern.missing-capability-error ------------------------------------------------------------

// docs/2026-07-28/basic/index.mdx: «the server MUST return a MissingRequiredClientCapabilityError
// (-32021) whose data.requiredCapabilities lists the missing capabilities.» (HTTP: 400.) Each
// allowed tool is called on a connection that declares no client capability. A -32021 is judged
// on its own; another error is judged only when the tool is seen to need input: on the main
// connection (which declares --client-capabilities) its first answer is an InputRequiredResult.
// An InputRequiredResult here is modern.mrtr.capability-gated's (passive); a completion without
// the input is allowed.
void missing_capability(Context& ctx) {
  const CheckId id = CheckId::modern_missing_capability_error;
  if (!ctx.wants(id) && !ctx.wants(CheckId::modern_mrtr_capability_gated)) return;
  std::vector<const Json*> tools;
  for (const auto& t : ctx.facts().tools) {
    if (t.is_object() && tool_allowed(ctx, str(t, "name")) && tools.size() < 16) tools.push_back(&t);
  }
  if (tools.empty()) return ctx.skip(id, "needs an allowed tool that asks for input (see --allow-tool)");
  auto conn = ctx.fresh_modern_connection(ctx.version(), Json::object());
  if (!conn) return ctx.error(id, "could not open a connection: " + conn.error().message);
  protocol::Session& bare = *(*conn)->session;
  bool decided = false;
  for (const Json* tool : tools) {
    const std::string name = str(*tool, "name");
    const Json params = {{"name", name}, {"arguments", tool_arguments(ctx, *tool)}};
    auto ex = bare.request("tools/call", params);
    if (!ex || !ex->reply || !ex->reply->json) continue;
    const Json& reply = *ex->reply->json;
    const auto code = error_code(reply);
    if (!code) continue;  // a completion, or an InputRequiredResult (the passive rule's)
    const auto refs = refs_of(*ex);
    const int status = http_status_of(**conn);
    const std::string expected = "error -32021 with data.requiredCapabilities" +
                                 std::string(status != 0 ? " (HTTP 400)" : "") +
                                 ", or a result without the input";
    if (*code == protocol::k_missing_client_capability) {
      decided = true;
      const Json required = member(member(member(reply, "error", Json::object()), "data", Json::object()),
                                   "requiredCapabilities");
      if (!required.is_object() || required.empty()) {
        ctx.violation(id, "tool \"" + name + "\": the -32021 error does not list data.requiredCapabilities",
                      {expected, brief(reply, 200), refs});
      } else if (status != 0 && status != 400) {
        ctx.violation(id, "tool \"" + name + "\": the -32021 error came with HTTP " + std::to_string(status),
                      {"HTTP 400 Bad Request", "HTTP " + std::to_string(status), refs});
      } else {
        ctx.pass(id, "tool \"" + name + "\" requires " + brief(required, 80));
      }
      continue;
    }
    if (ctx.options().client_capabilities.empty()) continue;  // nothing to show what it needs
    auto full = ctx.session().request("tools/call", params);
    if (!full || full->input_required.empty()) continue;  // it does not ask for input
    std::string needs;
    const Json asked = member(full->input_required.front(), "inputRequests", Json::object());
    for (const auto& request : asked) {
      const std::string c = protocol::capability_of_input(request);
      if (!c.empty() && needs.find(c) == std::string::npos) needs += (needs.empty() ? "" : ", ") + c;
    }
    decided = true;
    ctx.violation(id,
                  "tool \"" + name + "\" needs " + (needs.empty() ? std::string("input") : needs) +
                      ", but a request declaring no client capability got error " + std::to_string(*code) +
                      " instead of -32021",
                  {expected, brief(reply, 200), refs});
  }
  (*conn)->transport->close();
  if (!decided && !ctx.recorded(id)) {
    ctx.skip(id,
             "not exercised: no allowed tool needed a client capability (allow one that asks for "
             "elicitation, sampling or roots with --allow-tool NAME)");
  }
}

}  // namespace

std::vector<Step> modern_feature_steps() {
  return {
      {"lists across connections",
       list_connection_independent,
       {CheckId::modern_list_connection_independent}},
      {"subscriptions/listen", subscriptions_listen, {CheckId::modern_subscriptions_listen}},
      {"logging by request", logging_by_request, {CheckId::modern_logging_opt_in}},
      {"missing client capability", missing_capability, {CheckId::modern_missing_capability_error}},
  };
}

}  // namespace mcp_probe::checks
