// Each modern (2026-07-28) fault of the table, proved at the refserver level, apart from the
// probe (tests/integration/faults_test.cpp runs them through it): each fault's broken behaviour
// is asserted on the modern request that shows it, and the fault-free server is asserted to
// behave correctly on the same request.

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <set>
#include <thread>

#include "mcp_probe/refserver/faults.h"
#include "refserver/modern_support.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::testing;
using mcp_probe::refserver::Config;
using mcp_probe::refserver::ServeEra;

namespace {

const Json k_elicitation = Json{{"elicitation", Json::object()}};

bool has_message(const std::vector<Json>& messages, const std::function<bool(const Json&)>& match) {
  for (const Json& m : messages) {
    if (match(m)) return true;
  }
  return false;
}

// Opens subscriptions/listen for toolsListChanged, triggers a tool change, and returns what the
// stream carried once the notification (or, without it, the trigger's reply) is through.
std::vector<Json> listen_and_trigger(ModernHarness& h) {
  ModernCapture stream;
  const Json listen{{"jsonrpc", "2.0"},
                    {"id", 77},
                    {"method", "subscriptions/listen"},
                    {"params", {{"_meta", modern_meta()}, {"notifications", {{"toolsListChanged", true}}}}}};
  std::thread listener([&] { h.session.handle(mcp_probe::json::dump(listen), stream); });
  // The subscription is live once acknowledged; without an acknowledgement (listen-no-ack),
  // trigger until a notification shows it live, within a deadline.
  auto changed = [](const Json& m) { return m.value("method", "") == "notifications/tools/list_changed"; };
  for (int attempt = 0; attempt < 200; ++attempt) {
    h.call("test_trigger_tool_change");
    if (stream.wait_for(changed, std::chrono::milliseconds(50))) break;
  }
  h.session.cancel(77);
  listener.join();
  return stream.messages();
}

// A modern notification (`params` with the _meta fields); returns what the server sent for it.
std::vector<Json> notify(ModernHarness& h, const std::string& method, Json params) {
  params["_meta"] = modern_meta();
  ModernCapture out;
  h.session.handle(mcp_probe::json::dump(Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}}),
                   out);
  return out.messages();
}

// A scenario returns true when it sees the rule broken.
using Scenario = std::function<bool(ModernHarness&)>;

const std::map<std::string, std::pair<Config, Scenario>>& scenarios() {
  static const auto* table = new std::map<std::string, std::pair<Config, Scenario>>{
      {"discover-missing",
       {{}, [](ModernHarness& h) { return error_code(h.request("server/discover")) == -32601; }}},
      {"unsupported-version-wrong-code",
       {{},
        [](ModernHarness& h) {
          const Json r = h.raw("tools/list", {{"_meta", modern_meta(Json::object(), "1900-01-01")}});
          return error_code(r) != -32022 || !r["error"].contains("data");
        }}},
      {"meta-not-required",
       {{},
        [](ModernHarness& h) {
          Json meta = modern_meta();
          meta.erase("io.modelcontextprotocol/protocolVersion");
          return h.raw("tools/list", {{"_meta", meta}}).contains("result");
        }}},
      {"no-result-type",
       {{}, [](ModernHarness& h) { return !h.request("tools/list")["result"].contains("resultType"); }}},
      {"mrtr-ungated",
       {{},
        [](ModernHarness& h) {
          const Json r = h.call("test_input_required_result_elicitation");  // no capabilities declared
          return r.contains("result") && r["result"].contains("inputRequests");
        }}},
      {"missing-capability-wrong-code",
       {{},
        [](ModernHarness& h) {
          const Json r = h.call("test_input_required_result_elicitation");
          return error_code(r) != -32021 || !r["error"]["data"].contains("requiredCapabilities");
        }}},
      {"no-server-info",
       {{},
        [](ModernHarness& h) {
          return !h.request("tools/list")["result"]
                      .value("_meta", Json::object())
                      .contains("io.modelcontextprotocol/serverInfo");
        }}},
      {"no-cache-hints",
       {{}, [](ModernHarness& h) { return !h.request("tools/list")["result"].contains("ttlMs"); }}},
      {"cache-scope-varies",
       {[] {
          Config c;
          c.page_size = 2;
          return c;
        }(),
        [](ModernHarness& h) {
          const Json first = h.request("tools/list")["result"];
          const Json second = h.request("tools/list", {{"cursor", first["nextCursor"]}})["result"];
          return first["cacheScope"] != second["cacheScope"];
        }}},
      {"list-varies",
       {{},
        [](ModernHarness& h) {
          const Json before = h.request("tools/list")["result"]["tools"];
          h.call("echo", {{"arguments", {{"message", "x"}}}});
          return h.request("tools/list")["result"]["tools"] != before;
        }}},
      {"list-order-varies",
       {{},
        [](ModernHarness& h) {
          const Json before = h.request("tools/list")["result"]["tools"];
          h.call("echo", {{"arguments", {{"message", "x"}}}});
          const Json after = h.request("tools/list")["result"]["tools"];
          return after.size() == before.size() && after != before;
        }}},
      {"listen-no-ack",
       {{},
        [](ModernHarness& h) {
          const auto m = listen_and_trigger(h);
          return m.empty() || m[0].value("method", "") != "notifications/subscriptions/acknowledged";
        }}},
      {"listen-no-subscription-id",
       {{},
        [](ModernHarness& h) {
          return has_message(listen_and_trigger(h), [](const Json& m) {
            return m.contains("method") && !m["params"].contains("_meta");
          });
        }}},
      {"listen-unrequested",
       {{},
        [](ModernHarness& h) {
          return has_message(listen_and_trigger(h), [](const Json& m) {
            return m.value("method", "") == "notifications/resources/list_changed";
          });
        }}},
      {"log-without-opt-in",
       {{},
        [](ModernHarness& h) {
          h.call("echo", {{"arguments", {{"message", "x"}}}});
          return has_message(h.last,
                             [](const Json& m) { return m.value("method", "") == "notifications/message"; });
        }}},
      {"reserved-error-code",
       {{},
        [](ModernHarness& h) {
          return error_code(h.request("resources/read", {{"uri", "mcp-probe://nonexistent/1"}})) == -32002;
        }}},
      {"initialize-silent-versions",
       {[] {
          Config c;
          c.era = ServeEra::modern;
          return c;
        }(),
        [](ModernHarness& h) {
          const Json r =
              h.raw("initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()}});
          return !r.contains("error") || r["error"].dump().find("2026-07-28") == std::string::npos;
        }}},
      {"modern-server-request",
       {{},
        [](ModernHarness& h) {
          h.call("test_input_required_result_elicitation", {}, k_elicitation);
          return has_message(h.last, [](const Json& m) { return m.contains("method") && m.contains("id"); });
        }}},
      {"sse-server-request",
       {{},
        [](ModernHarness& h) {
          h.request("tools/list");
          return has_message(h.last, [](const Json& m) { return m.contains("method") && m.contains("id"); });
        }}},
      {"list-changed-on-request",
       {{},
        [](ModernHarness& h) {
          h.call("echo", {{"arguments", {{"message", "x"}}}});
          return has_message(h.last, [](const Json& m) {
            return m.value("method", "") == "notifications/tools/list_changed";
          });
        }}},
      {"modern-bogus-cancel",
       {{},
        [](ModernHarness& h) {
          h.request("tools/list");
          return has_message(
              h.last, [](const Json& m) { return m.value("method", "") == "notifications/cancelled"; });
        }}},
      {"modern-answer-notifications",
       {{},
        [](ModernHarness& h) {
          return !notify(h, "notifications/mcp-probe-unknown", Json::object()).empty();
        }}},
      {"modern-reply-to-cancel",
       {{},
        [](ModernHarness& h) {
          return !notify(h, "notifications/cancelled", {{"requestId", 987654321}}).empty();
        }}},
      {"modern-progress-wrong-token",
       {{},
        [](ModernHarness& h) {
          h.call("test_tool_with_progress", {{"_meta", {{"progressToken", "t"}}}});
          return has_message(h.last, [](const Json& m) {
            return m.value("method", "") == "notifications/progress" &&
                   m["params"].value("progressToken", Json()) != Json("t");
          });
        }}},
  };
  return *table;
}

// The modern faults of the HTTP front-end: proved by tests/refserver/http_* (branch modern-http).
const std::set<std::string> k_http_modern = {"header-mismatch-ignored", "unknown-method-200",
                                             "modern-get-sse", "no-accel-buffering"};

}  // namespace

TEST_CASE("refserver::modern faults break their rule and only with the fault") {
  for (const auto& [name, entry] : scenarios()) {
    CAPTURE(name);
    const auto* fault = mcp_probe::refserver::find_fault(name);
    REQUIRE(fault != nullptr);
    CHECK(fault->modern);
    Config clean = entry.first;
    ModernHarness good(clean);
    CHECK_MESSAGE(!entry.second(good), "the fault-free server breaks the rule of " << name);
    Config broken = entry.first;
    broken.faults.insert(name);
    ModernHarness bad(broken);
    CHECK_MESSAGE(entry.second(bad), "fault " << name << " does not break its rule");
  }
}

TEST_CASE("refserver::modern faults are all proved") {
  for (const auto& fault : mcp_probe::refserver::fault_table()) {
    if (!fault.modern) continue;
    const std::string name(fault.name);
    CHECK_MESSAGE((scenarios().count(name) == 1 || k_http_modern.count(name) == 1),
                  "modern fault " << name << " is not proved");
    CHECK(fault.http == (k_http_modern.count(name) == 1));
  }
}
