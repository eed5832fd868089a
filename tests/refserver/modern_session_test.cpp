// refserver::Session in the 2026-07-28 era: classification of requests, the per-request _meta
// and its errors, server/discover, the fields of every result, multi round-trip requests with a
// sealed requestState, subscriptions/listen, logging opt-in, and --era.

#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "refserver/modern_support.h"
#include "refserver/request_state.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::testing;
using mcp_probe::refserver::Config;
using mcp_probe::refserver::ServeEra;

namespace {

Config with_era(ServeEra era) {
  Config c;
  c.era = era;
  return c;
}

const Json k_all_caps =
    Json{{"elicitation", Json::object()}, {"sampling", Json::object()}, {"roots", Json::object()}};

}  // namespace

TEST_CASE("refserver::modern requests and their meta") {
  SUBCASE("server/discover answers a DiscoverResult without initialize") {
    ModernHarness h;
    const Json reply = h.request("server/discover");
    REQUIRE(reply.contains("result"));
    check_valid_2026("DiscoverResultResponse", reply);
    const Json& r = reply["result"];
    CHECK(r["resultType"] == "complete");
    CHECK(r["supportedVersions"][0] == "2026-07-28");
    CHECK(r["supportedVersions"].size() == 5);  // dual: the handshake-era versions too
    CHECK(r["capabilities"].contains("tools"));
    CHECK(r["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "mcp-refserver");
    CHECK(r["ttlMs"].get<long long>() >= 0);
    CHECK(r["cacheScope"] == "public");
    CHECK(h.session.protocol_version().empty());  // no handshake happened
  }
  SUBCASE("a missing required field is -32602") {
    ModernHarness h;
    Json no_version = modern_meta();
    no_version.erase("io.modelcontextprotocol/protocolVersion");
    Json no_caps = modern_meta();
    no_caps.erase("io.modelcontextprotocol/clientCapabilities");
    CHECK(error_code(h.raw("tools/list", {{"_meta", no_version}})) == -32602);
    CHECK(error_code(h.raw("tools/list", {{"_meta", no_caps}})) == -32602);
    CHECK(error_code(h.raw("server/discover", Json::object())) == -32602);
    // clientInfo is only a SHOULD: its absence is served.
    Json no_info = modern_meta();
    no_info.erase("io.modelcontextprotocol/clientInfo");
    CHECK(h.raw("tools/list", {{"_meta", no_info}}).contains("result"));
  }
  SUBCASE("an unsupported version is -32022 naming the supported ones") {
    ModernHarness h;
    for (const char* version : {"1900-01-01", "2025-11-25"}) {
      const Json reply = h.raw("tools/list", {{"_meta", modern_meta(Json::object(), version)}});
      REQUIRE(error_code(reply) == -32022);
      CHECK(reply["id"] == h.next_id - 1);
      CHECK(reply["error"]["data"]["requested"] == version);
      CHECK(reply["error"]["data"]["supported"] == Json::array({"2026-07-28"}));
    }
  }
  SUBCASE("every result has resultType and serverInfo; the lists carry caching hints") {
    ModernHarness h;
    for (const char* method : {"tools/list", "resources/list", "resources/templates/list", "prompts/list"}) {
      CAPTURE(method);
      const Json reply = h.request(method);
      REQUIRE(reply.contains("result"));
      CHECK(reply["result"]["resultType"] == "complete");
      CHECK(reply["result"]["ttlMs"].get<long long>() >= 0);
      CHECK(reply["result"]["cacheScope"] == "public");
      CHECK(reply["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["version"] == MCP_PROBE_VERSION);
    }
    check_valid_2026("ListToolsResultResponse", h.request("tools/list"));
    const Json read = h.request("resources/read", {{"uri", "test://static-text"}});
    check_valid_2026("ReadResourceResultResponse", read);
    CHECK(read["result"].contains("ttlMs"));
    const Json called = h.call("echo", {{"arguments", {{"message", "hi"}}}});
    check_valid_2026("CallToolResultResponse", called);
    CHECK(called["result"]["resultType"] == "complete");
    CHECK_FALSE(called["result"].contains("ttlMs"));
  }
  SUBCASE("removed methods are -32601; a missing resource is -32602, never -32002") {
    ModernHarness h;
    for (const char* method : {"ping", "logging/setLevel", "resources/subscribe", "mcp-probe/nonexistent"}) {
      CHECK_MESSAGE(
          error_code(h.request(method, {{"uri", "test://static-text"}, {"level", "info"}})) == -32601,
          method);
    }
    const Json missing = h.request("resources/read", {{"uri", "mcp-probe://nonexistent/1"}});
    CHECK(error_code(missing) == -32602);
    CHECK(missing["error"]["data"]["uri"] == "mcp-probe://nonexistent/1");
  }
  SUBCASE("the modern tool list has the MRTR fixtures and no server-request fixtures") {
    ModernHarness h;
    std::set<std::string> names;
    const Json listed = h.request("tools/list");
    for (const Json& tool : listed["result"]["tools"]) names.insert(tool["name"].get<std::string>());
    CHECK(names.count("test_input_required_result_elicitation") == 1);
    CHECK(names.count("test_missing_capability") == 1);
    CHECK(names.count("test_sampling") == 0);
    CHECK(names.count("test_elicitation") == 0);
    CHECK(names.count("echo") == 1);
  }
}

TEST_CASE("refserver::modern logging is opt-in per request") {
  ModernHarness h;
  auto logs = [&] {
    int n = 0;
    for (const Json& m : h.last) n += m.value("method", "") == "notifications/message";
    return n;
  };
  h.call("test_tool_with_logging");
  CHECK(logs() == 0);
  h.call("test_tool_with_logging", {{"_meta", {{"io.modelcontextprotocol/logLevel", "info"}}}});
  CHECK(logs() == 3);
  h.call("test_tool_with_logging", {{"_meta", {{"io.modelcontextprotocol/logLevel", "error"}}}});
  CHECK(logs() == 0);
  CHECK(error_code(h.call("echo", {{"_meta", {{"io.modelcontextprotocol/logLevel", "loud"}}}})) == -32602);
  h.call("test_logging_tool");
  CHECK(logs() == 0);
  h.call("test_logging_tool", {{"_meta", {{"io.modelcontextprotocol/logLevel", "debug"}}}});
  CHECK(logs() == 1);
}

TEST_CASE("refserver::modern eras") {
  SUBCASE("dual: initialize still selects the handshake era, byte for byte") {
    ModernHarness dual;
    ModernHarness legacy(with_era(ServeEra::legacy));
    const Json params{{"protocolVersion", "2025-11-25"},
                      {"capabilities", Json::object()},
                      {"clientInfo", {{"name", "t"}, {"version", "1"}}}};
    CHECK(dual.raw("initialize", params) == legacy.raw("initialize", params));
    CHECK(dual.raw("tools/list", Json::object()) == legacy.raw("tools/list", Json::object()));
    // Both eras on one session.
    CHECK(dual.request("tools/list")["result"]["resultType"] == "complete");
    CHECK_FALSE(dual.raw("tools/list", Json::object())["result"].contains("resultType"));
  }
  SUBCASE("legacy: modern _meta is ignored and server/discover does not exist") {
    ModernHarness h(with_era(ServeEra::legacy));
    CHECK(error_code(h.request("server/discover")) == -32600);  // not initialized, as today
    h.raw("initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()}});
    CHECK(error_code(h.request("server/discover")) == -32601);
    CHECK_FALSE(h.request("tools/list")["result"].contains("resultType"));
  }
  SUBCASE("modern: initialize is rejected with the supported versions") {
    ModernHarness h(with_era(ServeEra::modern));
    const Json reply =
        h.raw("initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()}});
    REQUIRE(error_code(reply) == -32601);
    CHECK(reply["error"]["message"].get<std::string>().find("2026-07-28") != std::string::npos);
    CHECK(reply["error"]["data"]["supported"] == Json::array({"2026-07-28"}));
    // The same for an initialize that carries modern _meta.
    CHECK(error_code(h.request("initialize", {{"protocolVersion", "2025-11-25"}})) == -32601);
    CHECK(h.request("server/discover")["result"]["supportedVersions"] == Json::array({"2026-07-28"}));
    CHECK(error_code(h.raw("tools/list", Json::object())) == -32602);
  }
  SUBCASE("dual: an initialize with modern _meta is a removed method") {
    ModernHarness h;
    CHECK(error_code(h.request("initialize", {{"protocolVersion", "2025-11-25"}})) == -32601);
  }
  SUBCASE("is_modern") {
    ModernHarness h;
    CHECK(h.session.is_modern(
        Json{{"id", 1}, {"method", "tools/list"}, {"params", {{"_meta", modern_meta()}}}}));
    CHECK(h.session.is_modern(Json{{"id", 1}, {"method", "server/discover"}}));
    CHECK_FALSE(h.session.is_modern(Json{{"id", 1}, {"method", "tools/list"}, {"params", Json::object()}}));
    CHECK_FALSE(h.session.is_modern(Json{{"id", 1}, {"method", "initialize"}}));
  }
}

TEST_CASE("refserver::modern multi round-trip requests") {
  SUBCASE("elicitation: input_required, then complete with the answer") {
    ModernHarness h;
    const Json first = h.call("test_input_required_result_elicitation", {}, k_all_caps);
    check_valid_2026("CallToolResultResponse", first);
    REQUIRE(first["result"]["resultType"] == "input_required");
    const Json& ask = first["result"]["inputRequests"]["user_name"];
    CHECK(ask["method"] == "elicitation/create");
    CHECK_FALSE(first["result"].contains("ttlMs"));
    const Json done = h.call(
        "test_input_required_result_elicitation",
        {{"inputResponses", {{"user_name", {{"action", "accept"}, {"content", {{"name", "Alice"}}}}}}}},
        k_all_caps);
    CHECK(done["result"]["resultType"] == "complete");
    CHECK(done["result"]["content"][0]["text"] == "Hello, Alice!");
    // A wrong key is asked again, not an error; a non-object is invalid params.
    CHECK(h.call("test_input_required_result_elicitation", {{"inputResponses", {{"other", 1}}}},
                 k_all_caps)["result"]["resultType"] == "input_required");
    CHECK(error_code(h.call("test_input_required_result_elicitation", {{"inputResponses", "x"}},
                            k_all_caps)) == -32602);
  }
  SUBCASE("no declared capability: -32021 naming it") {
    ModernHarness h;
    const Json reply = h.call("test_input_required_result_elicitation");
    REQUIRE(error_code(reply) == -32021);
    CHECK(reply["error"]["data"]["requiredCapabilities"] == Json{{"elicitation", Json::object()}});
    CHECK(h.call("test_missing_capability")["error"]["data"]["requiredCapabilities"].contains("sampling"));
  }
  SUBCASE("only declared inputs are asked for") {
    ModernHarness h;
    const Json reply = h.call("test_input_required_result_capabilities", {}, {{"sampling", Json::object()}});
    REQUIRE(reply["result"]["resultType"] == "input_required");
    CHECK(reply["result"]["inputRequests"].size() == 1);
    CHECK(reply["result"]["inputRequests"].contains("capital_question"));
    const Json all = h.call("test_input_required_result_multiple_inputs", {}, {{"roots", Json::object()}});
    CHECK(all["result"]["inputRequests"].size() == 1);
    CHECK(all["result"]["inputRequests"].contains("client_roots"));
  }
  SUBCASE("requestState round-trips, and a tampered or misplaced one is rejected") {
    ModernHarness h;
    const Json first = h.call("test_input_required_result_request_state", {}, k_all_caps);
    const Json state = first["result"]["requestState"];
    REQUIRE(state.is_string());
    const Json answer{{"confirm", {{"action", "accept"}, {"content", {{"ok", true}}}}}};
    const Json done = h.call("test_input_required_result_request_state",
                             {{"inputResponses", answer}, {"requestState", state}}, k_all_caps);
    CHECK(done["result"]["content"][0]["text"].get<std::string>().find("state-ok") != std::string::npos);
    std::string tampered = state.get<std::string>();
    tampered[tampered.size() / 3] = tampered[tampered.size() / 3] == 'A' ? 'B' : 'A';
    CHECK(error_code(h.call("test_input_required_result_request_state",
                            {{"inputResponses", answer}, {"requestState", tampered}}, k_all_caps)) == -32602);
    // The state is bound to the request it was issued for.
    CHECK(error_code(h.call("test_input_required_result_tampered_state",
                            {{"inputResponses", answer}, {"requestState", state}}, k_all_caps)) == -32602);
    // Without the state the answer does not count.
    CHECK(h.call("test_input_required_result_request_state", {{"inputResponses", answer}},
                 k_all_caps)["result"]["resultType"] == "input_required");
  }
  SUBCASE("three rounds carry the first answer in the state") {
    ModernHarness h;
    const Json r1 = h.call("test_input_required_result_multi_round", {}, k_all_caps);
    REQUIRE(r1["result"]["inputRequests"].contains("step1"));
    const Json r2 =
        h.call("test_input_required_result_multi_round",
               {{"inputResponses", {{"step1", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}}},
                {"requestState", r1["result"]["requestState"]}},
               k_all_caps);
    REQUIRE(r2["result"]["inputRequests"].contains("step2"));
    CHECK(r2["result"]["requestState"] != r1["result"]["requestState"]);
    const Json r3 =
        h.call("test_input_required_result_multi_round",
               {{"inputResponses", {{"step2", {{"action", "accept"}, {"content", {{"color", "green"}}}}}}},
                {"requestState", r2["result"]["requestState"]}},
               k_all_caps);
    CHECK(r3["result"]["content"][0]["text"] == "Hello Ada, your favorite color is green.");
  }
  SUBCASE("prompts/get can need input; list methods never do") {
    ModernHarness h;
    const Json first = h.request("prompts/get", {{"name", "test_input_required_result_prompt"}}, k_all_caps);
    REQUIRE(first["result"]["resultType"] == "input_required");
    const Json done = h.request(
        "prompts/get",
        {{"name", "test_input_required_result_prompt"},
         {"inputResponses", {{"user_context", {{"action", "accept"}, {"content", {{"context", "tests"}}}}}}}},
        k_all_caps);
    check_valid_2026("GetPromptResultResponse", done);
    CHECK(done["result"]["messages"][0]["content"]["text"] == "Use this context: tests");
  }
}

TEST_CASE("refserver::modern request state sealing") {
  using namespace mcp_probe::refserver;
  // FIPS 180-4 test vectors.
  auto hex = [](const std::array<std::uint8_t, 32>& d) {
    std::string out;
    for (auto b : d) out += "0123456789abcdef"[b >> 4], out += "0123456789abcdef"[b & 15];
    return out;
  };
  CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(sha256(std::string(1000, 'a'))) ==
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  // RFC 4231 test case 2.
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const std::string sealed = seal_state({{"round", 1}});
  REQUIRE(open_state(sealed).has_value());
  CHECK((*open_state(sealed))["round"] == 1);
  CHECK_FALSE(open_state(sealed + "0").has_value());
  CHECK_FALSE(open_state("eyJyb3VuZCI6Mn0." + sealed.substr(sealed.find('.') + 1)).has_value());
  CHECK_FALSE(open_state("").has_value());
  CHECK_FALSE(open_state("...").has_value());
}

TEST_CASE("refserver::modern subscriptions/listen") {
  ModernHarness h;
  ModernCapture stream;
  const Json listen{{"jsonrpc", "2.0"},
                    {"id", "sub-1"},
                    {"method", "subscriptions/listen"},
                    {"params", {{"_meta", modern_meta()}, {"notifications", {{"toolsListChanged", true}}}}}};
  CHECK(h.session.may_wait(listen));
  std::thread listener([&] { h.session.handle(mcp_probe::json::dump(listen), stream); });
  REQUIRE(stream.wait_for(
      [](const Json& m) { return m.value("method", "") == "notifications/subscriptions/acknowledged"; }));
  h.call("test_trigger_prompt_change");  // not asked for: nothing arrives
  h.call("test_trigger_tool_change");
  REQUIRE(stream.wait_for(
      [](const Json& m) { return m.value("method", "") == "notifications/tools/list_changed"; }));
  h.session.cancel("sub-1");
  listener.join();
  const auto messages = stream.messages();
  REQUIRE(messages.size() == 2);
  CHECK(messages[0]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "sub-1");
  CHECK(messages[0]["params"]["notifications"] == Json{{"toolsListChanged", true}});
  CHECK(messages[1]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "sub-1");
  // A cancelled subscription gets no response; a stopped server answers a graceful closure.
  ModernCapture second;
  std::thread again([&] { h.session.handle(mcp_probe::json::dump(listen), second); });
  REQUIRE(second.wait_for(
      [](const Json& m) { return m.value("method", "") == "notifications/subscriptions/acknowledged"; }));
  h.session.stop();
  again.join();
  const auto closing = second.messages();
  REQUIRE(closing.size() == 2);
  CHECK(closing[1]["id"] == "sub-1");
  CHECK(closing[1]["result"]["resultType"] == "complete");
  CHECK(closing[1]["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "sub-1");
}

TEST_CASE("refserver::modern requests of several clients share one session") {
  // Two subscriptions with the same id from two clients (outboxes): cancelling one client's
  // stream ends only its own.
  ModernHarness h;
  const Json listen{{"jsonrpc", "2.0"},
                    {"id", 1},
                    {"method", "subscriptions/listen"},
                    {"params", {{"_meta", modern_meta()}, {"notifications", {{"toolsListChanged", true}}}}}};
  ModernCapture a;
  ModernCapture b;
  std::thread first([&] { h.session.handle(mcp_probe::json::dump(listen), a); });
  std::thread second([&] { h.session.handle(mcp_probe::json::dump(listen), b); });
  auto acked = [](const Json& m) {
    return m.value("method", "") == "notifications/subscriptions/acknowledged";
  };
  REQUIRE(a.wait_for(acked));
  REQUIRE(b.wait_for(acked));
  h.session.cancel(static_cast<const mcp_probe::refserver::Outbox&>(a));
  first.join();
  h.call("test_trigger_tool_change");
  REQUIRE(
      b.wait_for([](const Json& m) { return m.value("method", "") == "notifications/tools/list_changed"; }));
  CHECK(a.messages().size() == 1);
  h.session.cancel(static_cast<const mcp_probe::refserver::Outbox&>(b));
  second.join();
  CHECK(b.messages().size() == 2);
}

TEST_CASE("refserver::modern requests never make the server send a request") {
  // stdio.mdx: «The server MUST NOT write JSON-RPC requests to stdout.» Every modern tool, called
  // by a client that declares every capability, answers without one.
  ModernHarness h;
  const Json listed = h.request("tools/list");
  REQUIRE(listed["result"]["tools"].size() > 20);
  for (const Json& tool : listed["result"]["tools"]) {
    const std::string name = tool["name"];
    CAPTURE(name);
    Json args = Json::object();
    if (name == "echo") args = {{"message", "x"}};
    if (name == "add") args = {{"a", 1}, {"b", 2}};
    if (name == "slow") args = {{"steps", 1}, {"delay_ms", 1}};
    if (name == "test_custom_header") args = {{"region", "eu"}};
    const Json reply = h.call(name, {{"arguments", args}}, k_all_caps);
    CHECK((reply.contains("result") || reply.contains("error")));
    for (const Json& m : h.last) CHECK_FALSE((m.contains("method") && m.contains("id")));
  }
}
