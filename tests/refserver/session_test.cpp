// refserver::Session driven in-process: version negotiation, schema validity of every reply
// per negotiated version, error codes and ids, progress, cancellation, logging, client requests.

#include "mcp_probe/refserver/server.h"

#include <doctest/doctest.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "mcp_probe/json/wire.h"
#include "mcp_probe/schema/validator.h"

TEST_SUITE_BEGIN("unit");

using mcp_probe::json::Json;
using namespace mcp_probe::refserver;

namespace {

const std::vector<std::string> k_all_versions = {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"};

// Captures every message; waiters block until a predicate holds (no sleeps).
class Capture : public Outbox {
 public:
  void send(const std::string& message) override {
    std::lock_guard lock(m_mutex);
    m_raw.push_back(message);
    m_cv.notify_all();
  }
  std::vector<Json> messages() const {
    std::lock_guard lock(m_mutex);
    std::vector<Json> out;
    for (const std::string& raw : m_raw) out.push_back(Json::parse(raw));
    return out;
  }
  bool wait_for(const std::function<bool(const Json&)>& match) {
    std::unique_lock lock(m_mutex);
    return m_cv.wait_for(lock, std::chrono::seconds(10), [&] {
      for (const std::string& raw : m_raw) {
        if (match(Json::parse(raw))) return true;
      }
      return false;
    });
  }
  void clear() {
    std::lock_guard lock(m_mutex);
    m_raw.clear();
  }

 private:
  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  std::vector<std::string> m_raw;
};

struct Harness {
  explicit Harness(Config c = {}) : config(std::move(c)), session(config, standalone) {}
  Config config;
  Capture standalone;
  Capture replies;
  Session session;
  int next_id = 100;

  std::vector<Json> send(const std::string& raw) {
    replies.clear();
    session.handle(raw, replies);
    return replies.messages();
  }
  std::vector<Json> send_json(const Json& message) { return send(mcp_probe::json::dump(message)); }
  // Sends a request and returns its response (the message with the same id).
  Json request(const std::string& method, Json params = Json::object()) {
    const int id = next_id++;
    Json message{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
    for (const Json& reply : send_json(message)) {
      if (reply.contains("id") && reply["id"] == id && !reply.contains("method")) return reply;
    }
    return Json();
  }
  Json initialize(const std::string& version, Json caps = Json::object()) {
    Json reply = request("initialize", {{"protocolVersion", version},
                                        {"capabilities", std::move(caps)},
                                        {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
    send_json(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
    return reply;
  }
};

void check_valid(const std::string& version, const std::string& definition, const Json& value) {
  auto validator = mcp_probe::schema::Validator::for_version(version);
  REQUIRE(validator);
  const auto violations = (*validator)->validate(definition, value);
  std::string text;
  for (const auto& v : violations) text += v.pointer + ": " + v.reason + "\n";
  CHECK_MESSAGE(violations.empty(), version << " " << definition << " " << value.dump() << "\n" << text);
}

int error_code(const Json& reply) { return reply.contains("error") ? reply["error"].value("code", 0) : 0; }

Json call_tool(Harness& h, const std::string& name, Json args = Json::object(), Json meta = Json()) {
  Json params{{"name", name}, {"arguments", std::move(args)}};
  if (!meta.is_null()) params["_meta"] = std::move(meta);
  return h.request("tools/call", std::move(params));
}

}  // namespace

TEST_CASE("refserver::Session negotiation") {
  SUBCASE("a supported version is echoed and the result is valid for it") {
    for (const std::string& version : k_all_versions) {
      Harness h;
      const Json reply = h.initialize(version);
      REQUIRE(reply.contains("result"));
      const Json& result = reply["result"];
      CHECK(result["protocolVersion"] == version);
      check_valid(version, "InitializeResult", result);
      CHECK(result["serverInfo"]["name"] == "mcp-refserver");
      CHECK(result["serverInfo"]["version"] == MCP_PROBE_VERSION);
      CHECK(result["instructions"].is_string());
      CHECK(result["capabilities"]["tools"]["listChanged"] == true);
      CHECK(result["capabilities"]["resources"]["subscribe"] == true);
      CHECK(result["capabilities"].contains("logging"));
      CHECK(result["capabilities"].contains("completions") == (version != "2024-11-05"));
      CHECK(result["serverInfo"].contains("title") == (version >= "2025-06-18"));
      CHECK(result["serverInfo"].contains("icons") == (version == "2025-11-25"));
      CHECK(h.session.protocol_version() == version);
      CHECK(h.session.initialized());
    }
  }
  SUBCASE("an unsupported version gets the latest") {
    for (const char* requested : {"1900-01-01", "2099-12-31", "not-a-version", "2026-07-28"}) {
      Harness h;
      CHECK(h.initialize(requested)["result"]["protocolVersion"] == latest_version());
    }
    CHECK(supported_versions().size() == 4);
  }
  SUBCASE("before initialize only ping is served") {
    Harness h;
    CHECK(h.request("ping")["result"] == Json::object());
    const Json early = h.request("tools/list");
    CHECK(error_code(early) == -32600);
    CHECK(early["id"] == h.next_id - 1);
    CHECK_FALSE(h.session.initialized());
  }
  SUBCASE("initialize without protocolVersion is invalid params") {
    Harness h;
    CHECK(error_code(h.request("initialize", Json::object())) == -32602);
  }
}

TEST_CASE("refserver::Session replies validate per version") {
  for (const std::string& v : k_all_versions) {
    CAPTURE(v);
    Harness h;
    h.initialize(v);
    check_valid(v, "EmptyResult", h.request("ping")["result"]);
    const Json tools = h.request("tools/list")["result"];
    check_valid(v, "ListToolsResult", tools);
    for (const Json& tool : tools["tools"]) {
      const std::string name = tool["name"];
      CAPTURE(name);
      if (name.find("sampling") != std::string::npos || name.find("elicitation") != std::string::npos)
        continue;
      Json args = Json::object();
      if (name == "echo") args = {{"message", "hi"}};
      if (name == "add") args = {{"a", 1}, {"b", 2}};
      if (name == "slow") args = {{"steps", 1}, {"delay_ms", 0}};
      const Json reply = call_tool(h, name, args);
      REQUIRE(reply.contains("result"));
      check_valid(v, "CallToolResult", reply["result"]);
    }
    check_valid(v, "ListResourcesResult", h.request("resources/list")["result"]);
    check_valid(v, "ListResourceTemplatesResult", h.request("resources/templates/list")["result"]);
    for (const char* uri : {"test://static-text", "test://static-binary", "test://template/123/data"}) {
      check_valid(v, "ReadResourceResult", h.request("resources/read", {{"uri", uri}})["result"]);
    }
    check_valid(v, "EmptyResult",
                h.request("resources/subscribe", {{"uri", "test://watched-resource"}})["result"]);
    check_valid(v, "EmptyResult",
                h.request("resources/unsubscribe", {{"uri", "test://watched-resource"}})["result"]);
    const Json prompts = h.request("prompts/list")["result"];
    check_valid(v, "ListPromptsResult", prompts);
    for (const Json& prompt : prompts["prompts"]) {
      Json args = Json::object();
      for (const Json& a : prompt.value("arguments", Json::array())) args[a["name"].get<std::string>()] = "x";
      check_valid(v, "GetPromptResult",
                  h.request("prompts/get", {{"name", prompt["name"]}, {"arguments", args}})["result"]);
    }
    const Json complete = h.request(
        "completion/complete", {{"ref", {{"type", "ref/prompt"}, {"name", "test_prompt_with_arguments"}}},
                                {"argument", {{"name", "arg1"}, {"value", "pa"}}}});
    check_valid(v, "CompleteResult", complete["result"]);
    CHECK(complete["result"]["completion"]["values"] == Json::array({"paris", "park", "party"}));
    check_valid(v, "EmptyResult", h.request("logging/setLevel", {{"level", "debug"}})["result"]);
  }
}

TEST_CASE("refserver::Session conformance-suite fixtures") {
  Harness h;
  h.initialize("2025-11-25");
  CHECK(call_tool(h, "test_simple_text")["result"]["content"][0]["text"] ==
        "This is a simple text response for testing.");
  const Json error = call_tool(h, "test_error_handling")["result"];
  CHECK(error["isError"] == true);
  const Json read =
      h.request("resources/read", {{"uri", "test://template/123/data"}})["result"]["contents"][0];
  CHECK(read["text"] == R"({"id":"123","templateTest":true,"data":"Data for ID: 123"})");
  const Json prompt =
      h.request("prompts/get", {{"name", "test_prompt_with_arguments"},
                                {"arguments", {{"arg1", "hello"}, {"arg2", "world"}}}})["result"];
  CHECK(prompt["messages"][0]["content"]["text"] == "Prompt with arguments: arg1='hello', arg2='world'");
  const Json tools = h.request("tools/list")["result"]["tools"];
  bool found = false;
  for (const Json& tool : tools) {
    if (tool["name"] == "json_schema_2020_12_tool") {
      found = true;
      CHECK(tool["inputSchema"]["$schema"] == "https://json-schema.org/draft/2020-12/schema");
      CHECK(tool["inputSchema"]["additionalProperties"] == false);
    }
  }
  CHECK(found);
}

TEST_CASE("refserver::Session negative inputs") {
  Harness h;
  h.initialize("2025-06-18");
  SUBCASE("parse error") {
    const auto replies = h.send(std::string("{\"jsonrpc\":\"2.0\",\"id\":1,"));
    REQUIRE(replies.size() == 1);
    CHECK(error_code(replies[0]) == -32700);
    CHECK(replies[0]["id"].is_null());
  }
  SUBCASE("invalid requests") {
    const std::vector<std::pair<std::string, Json>> cases = {
        {R"({"jsonrpc":"2.0","id":7})", 7},
        {R"({"jsonrpc":"1.0","id":8,"method":"ping"})", 8},
        {R"({"id":9,"method":"ping"})", 9},
        {R"({"jsonrpc":"2.0","id":null,"method":"ping"})", nullptr},
        {R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})", nullptr},
        {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", nullptr},
        {R"({"jsonrpc":"2.0","id":"s","method":5})", "s"},
        {R"(42)", nullptr},
        {R"("ping")", nullptr},
    };
    for (const auto& [raw, id] : cases) {
      CAPTURE(raw);
      const auto replies = h.send(raw);
      REQUIRE(replies.size() == 1);
      CHECK(error_code(replies[0]) == -32600);
      CHECK(replies[0]["id"] == id);
    }
  }
  SUBCASE("unknown method and bad params keep the id and its type") {
    const auto unknown = h.send(R"({"jsonrpc":"2.0","id":"x1","method":"mcp-probe/nonexistent"})");
    REQUIRE(unknown.size() == 1);
    CHECK(error_code(unknown[0]) == -32601);
    CHECK(unknown[0]["id"] == "x1");
    CHECK(error_code(h.request("tools/call", {{"name", 5}})) == -32602);
    CHECK(error_code(h.request("tools/call", {{"name", "nope"}})) == -32602);
    CHECK(error_code(h.request("resources/read", {{"uri", "mcp-probe://nonexistent/1"}})) == -32002);
    CHECK(error_code(h.request("tools/list", {{"cursor", "mcp-probe-invalid-cursor"}})) == -32602);
    CHECK(error_code(h.request("logging/setLevel", {{"level", "verbose"}})) == -32602);
    CHECK(error_code(h.request("prompts/get", {{"name", "nope"}})) == -32602);
    CHECK(error_code(h.request("prompts/get", {{"name", "test_prompt_with_arguments"}})) == -32602);
    CHECK(error_code(h.request("completion/complete", {{"ref", {{"type", "ref/prompt"}, {"name", "nope"}}},
                                                       {"argument", {{"name", "a"}, {"value", ""}}}})) ==
          -32602);
    const auto big = h.send(R"({"jsonrpc":"2.0","id":9007199254740991,"method":"ping"})");
    CHECK(big.at(0)["id"] == 9007199254740991LL);
  }
  SUBCASE("notifications are never answered") {
    CHECK(h.send(R"({"jsonrpc":"2.0","method":"notifications/mcp-probe-unknown"})").empty());
    CHECK(h.send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":12345}})")
              .empty());
    CHECK(h.send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":"junk"})").empty());
    CHECK(h.send(R"({"jsonrpc":"2.0","method":"notifications/roots/list_changed"})").empty());
  }
  SUBCASE("batches are rejected outside 2025-03-26") {
    const auto replies = h.send(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].is_object());
    CHECK(error_code(replies[0]) == -32600);
    CHECK(replies[0]["id"].is_null());
  }
  SUBCASE("tool input validation is a protocol error before 2025-11-25") {
    CHECK(error_code(call_tool(h, "echo", Json::object())) == -32602);
    CHECK(error_code(call_tool(h, "add", {{"a", "1"}, {"b", 2}})) == -32602);
  }
}

TEST_CASE("refserver::Session version-dependent features") {
  SUBCASE("batches under 2025-03-26") {
    Harness h;
    h.initialize("2025-03-26");
    const auto replies =
        h.send(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"tools/list"},)"
               R"({"jsonrpc":"2.0","method":"notifications/x"}])");
    REQUIRE(replies.size() == 1);
    REQUIRE(replies[0].is_array());
    CHECK(replies[0].size() == 2);
    CHECK(h.send(R"([{"jsonrpc":"2.0","method":"notifications/x"}])").empty());
    const auto empty = h.send(std::string("[]"));
    REQUIRE(empty.size() == 1);
    CHECK(error_code(empty[0]) == -32600);
  }
  SUBCASE("input validation errors are tool results from 2025-11-25") {
    Harness h;
    h.initialize("2025-11-25");
    CHECK(call_tool(h, "echo", Json::object())["result"]["isError"] == true);
  }
  SUBCASE("structured content only from 2025-06-18") {
    Harness old;
    old.initialize("2025-03-26");
    const Json r1 = call_tool(old, "add", {{"a", 1}, {"b", 2}})["result"];
    CHECK_FALSE(r1.contains("structuredContent"));
    CHECK(r1["content"][0]["text"] == "3");
    Harness now;
    now.initialize("2025-06-18");
    const Json r2 = call_tool(now, "add", {{"a", 1}, {"b", 2}})["result"];
    CHECK(r2["structuredContent"] == Json{{"sum", 3}});
    CHECK(Json::parse(r2["content"][0]["text"].get<std::string>()) == r2["structuredContent"]);
  }
  SUBCASE("audio only from 2025-03-26, resource links only from 2025-06-18") {
    Harness h;
    h.initialize("2024-11-05");
    CHECK(error_code(call_tool(h, "test_audio_content")) == -32602);
    CHECK(error_code(call_tool(h, "get_resource_link")) == -32602);
    CHECK_FALSE(h.request("tools/list")["result"]["tools"][0].contains("title"));
  }
}

TEST_CASE("refserver::Session progress and cancellation and logging") {
  SUBCASE("progress carries the exact token, increases and precedes the response") {
    for (const Json& token : {Json("tok-1"), Json(42)}) {
      Harness h;
      h.initialize("2025-11-25");
      call_tool(h, "slow", {{"steps", 3}, {"delay_ms", 1}}, {{"progressToken", token}});
      const auto messages = h.replies.messages();
      REQUIRE(messages.size() == 4);
      double last = -1;
      for (int i = 0; i < 3; ++i) {
        CHECK(messages[i]["method"] == "notifications/progress");
        check_valid("2025-11-25", "ProgressNotification", messages[i]);
        CHECK(messages[i]["params"]["progressToken"] == token);
        CHECK(messages[i]["params"]["progress"].get<double>() > last);
        CHECK(messages[i]["params"]["total"] == 3);
        last = messages[i]["params"]["progress"].get<double>();
      }
      CHECK(messages[3].contains("result"));
    }
  }
  SUBCASE("a cancelled request gets no response") {
    Harness h;
    h.initialize("2025-11-25");
    Capture out;
    std::thread worker([&] {
      h.session.handle(R"({"jsonrpc":"2.0","id":"slow-1","method":"tools/call","params":{"name":"slow",)"
                       R"("arguments":{"steps":500,"delay_ms":20},"_meta":{"progressToken":"p"}}})",
                       out);
    });
    CHECK(out.wait_for([](const Json& m) { return m.value("method", "") == "notifications/progress"; }));
    Capture none;
    h.session.handle(
        R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"slow-1"}})", none);
    worker.join();
    for (const Json& m : out.messages()) CHECK_FALSE(m.contains("result"));
    CHECK(none.messages().empty());
  }
  SUBCASE("log messages respect the level") {
    Harness h;
    h.initialize("2025-06-18");
    h.request("logging/setLevel", {{"level", "error"}});
    call_tool(h, "test_tool_with_logging");
    CHECK(h.replies.messages().size() == 1);
    h.request("logging/setLevel", {{"level", "debug"}});
    call_tool(h, "test_tool_with_logging");
    const auto messages = h.replies.messages();
    REQUIRE(messages.size() == 4);
    for (int i = 0; i < 3; ++i) {
      check_valid("2025-06-18", "LoggingMessageNotification", messages[i]);
      CHECK(messages[i]["params"]["level"] == "info");
    }
  }
}

TEST_CASE("refserver::Session client capabilities") {
  SUBCASE("sampling without the capability is a tool error, no request") {
    Harness h;
    h.initialize("2025-11-25");
    const Json reply = call_tool(h, "test_sampling", {{"prompt", "hi"}});
    CHECK(reply["result"]["isError"] == true);
    CHECK(h.replies.messages().size() == 1);
    CHECK(h.standalone.messages().empty());
  }
  SUBCASE("sampling with the capability asks the client") {
    Harness h;
    h.initialize("2025-11-25", {{"sampling", Json::object()}});
    Capture out;
    std::thread worker([&] {
      h.session.handle(
          R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"test_sampling","arguments":{"prompt":"hi"}}})",
          out);
    });
    REQUIRE(out.wait_for([](const Json& m) { return m.value("method", "") == "sampling/createMessage"; }));
    Json request;
    for (const Json& m : out.messages()) {
      if (m.value("method", "") == "sampling/createMessage") request = m;
    }
    check_valid("2025-11-25", "CreateMessageRequest", request);
    Capture ignored;
    Json reply{
        {"jsonrpc", "2.0"},
        {"id", request["id"]},
        {"result", {{"role", "assistant"}, {"content", {{"type", "text"}, {"text", "ok"}}}, {"model", "m"}}}};
    h.session.handle(reply.dump(), ignored);
    worker.join();
    const auto messages = out.messages();
    CHECK(messages.back()["result"]["content"][0]["text"] == "LLM response: ok");
    CHECK(ignored.messages().empty());
  }
  SUBCASE("elicitation with the capability asks the client") {
    Harness h;
    h.initialize("2025-11-25", {{"elicitation", Json::object()}});
    Capture out;
    std::thread worker([&] {
      h.session.handle(
          R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"test_elicitation_sep1034_defaults","arguments":{}}})",
          out);
    });
    REQUIRE(out.wait_for([](const Json& m) { return m.value("method", "") == "elicitation/create"; }));
    Json request = out.messages().front();
    check_valid("2025-11-25", "ElicitRequest", request);
    CHECK(request["params"]["requestedSchema"]["properties"]["score"]["default"] == 95.5);
    Capture ignored;
    h.session.handle(
        Json{{"jsonrpc", "2.0"}, {"id", request["id"]}, {"result", {{"action", "decline"}}}}.dump(), ignored);
    worker.join();
    CHECK(out.messages().back()["result"]["content"][0]["text"] ==
          "Elicitation completed: action=decline, content={}");
  }
}

TEST_CASE("refserver::Session pagination") {
  Config config;
  config.page_size = 2;
  Harness paged(config);
  paged.initialize("2025-11-25");
  Harness whole;
  whole.initialize("2025-11-25");
  for (const char* method : {"tools/list", "resources/list", "prompts/list"}) {
    CAPTURE(method);
    const std::string key = std::string(method) == "tools/list"     ? "tools"
                            : std::string(method) == "prompts/list" ? "prompts"
                                                                    : "resources";
    Json all = Json::array();
    Json params = Json::object();
    int pages = 0;
    while (true) {
      const Json result = paged.request(method, params)["result"];
      REQUIRE(result.is_object());
      CHECK(result[key].size() <= 2);
      for (const Json& item : result[key]) all.push_back(item);
      ++pages;
      if (!result.contains("nextCursor")) break;
      REQUIRE(result["nextCursor"].is_string());
      params = {{"cursor", result["nextCursor"]}};
      REQUIRE(pages < 50);
    }
    CHECK(all == whole.request(method)["result"][key]);
  }
}

namespace {

// Answers every server->client request at once (with an error: the asking handler got a reply,
// which is all that matters here) and drops everything else.
class AnsweringOutbox : public Outbox {
 public:
  explicit AnsweringOutbox(Session& session) : m_session(session) {}
  void send(const std::string& message) override {
    const Json m = Json::parse(message);
    if (!m.contains("method") || !m.contains("id")) return;
    Capture ignored;
    m_session.handle(
        mcp_probe::json::dump(
            Json{{"jsonrpc", "2.0"}, {"id", m["id"]}, {"error", {{"code", -32603}, {"message", "test"}}}}),
        ignored);
  }

 private:
  Session& m_session;
};

// Arguments that satisfy `schema`'s required properties.
Json arguments_for(const Json& schema) {
  Json args = Json::object();
  for (const Json& name : schema.value("required", Json::array())) {
    const std::string type = schema["properties"][name.get<std::string>()].value("type", "string");
    args[name.get<std::string>()] = type == "string" ? Json("x") : type == "boolean" ? Json(true) : Json(1);
  }
  return args;
}

}  // namespace

TEST_CASE("refserver::Session may_wait names every tool that waits") {
  // Front-ends answer a request may_wait calls non-waiting in one piece; a tool that sleeps or
  // asks the client but is missing from the list would hold its events back until it returns.
  Harness h;
  h.initialize("2025-11-25", {{"sampling", Json::object()}, {"elicitation", Json::object()}});
  const Json tools = h.request("tools/list")["result"]["tools"];
  REQUIRE(tools.size() > 10);
  int waiting = 0;
  for (const Json& tool : tools) {
    const std::string name = tool["name"];
    const Json call{{"jsonrpc", "2.0"},
                    {"id", h.next_id++},
                    {"method", "tools/call"},
                    {"params", {{"name", name}, {"arguments", arguments_for(tool["inputSchema"])}}}};
    const int before = h.session.unexpected_waits();
    AnsweringOutbox answering(h.session);
    h.session.handle(mcp_probe::json::dump(call), answering);
    CHECK_MESSAGE(h.session.unexpected_waits() == before, name << " waits but may_wait says it does not");
    if (h.session.may_wait(call)) ++waiting;
  }
  CHECK(waiting >= 5);  // slow, logging, progress, sampling, elicitation...
}

TEST_CASE("refserver::Session writes a result response as dumping the whole message does") {
  // Without faults a result's envelope is written around its text (Session::Impl::send_result):
  // the bytes must be those of json::dump of the message, for every kind of id and result.
  struct Raw : Outbox {
    std::vector<std::string> texts;
    void send(const std::string& message) override { texts.push_back(message); }
  };
  Harness h;
  h.initialize("2025-11-25");
  const Json modern_meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                         {"io.modelcontextprotocol/clientCapabilities", Json::object()}};
  const std::vector<Json> ids = {
      0, -5, 42, Json(std::uint64_t{18446744073709551615u}), "", "a\"b\\c\u00e9\n"};
  const std::vector<Json> calls = {
      {{"method", "ping"}},
      {{"method", "tools/list"}},
      {{"method", "tools/call"},
       {"params", {{"name", "echo"}, {"arguments", {{"message", "caf\u00e9 \"\t\u2028"}}}}}},
      {{"method", "tools/call"}, {"params", {{"name", "add"}, {"arguments", {{"a", 1.5}, {"b", -2}}}}}},
      {{"method", "tools/call"},
       {"params", {{"name", "echo"}, {"arguments", {{"message", "hi"}}}, {"_meta", modern_meta}}}},
  };
  for (const Json& id : ids) {
    for (Json call : calls) {
      call["jsonrpc"] = "2.0";
      call["id"] = id;
      Raw raw;
      h.session.handle(mcp_probe::json::dump(call), raw);
      REQUIRE(raw.texts.size() == 1);
      const Json reply = Json::parse(raw.texts[0]);
      CHECK(reply["id"] == id);
      CHECK(reply.contains("result"));
      CHECK(raw.texts[0] == mcp_probe::json::dump(reply));
    }
  }
}

TEST_CASE("refserver::Session writes a tool's text result as the tree it stands for") {
  // A tool's plain text result (Outcome::text) is written without a tree by a session without
  // faults (Session::Impl::send_text_result); with a fault, in a batch, or under a fault that
  // changes it, it becomes the tree tool_text builds. Either way the bytes must be the same, and
  // those of json::dump of the whole message, in both eras.
  struct Raw : Outbox {
    std::vector<std::string> texts;
    void send(const std::string& message) override { texts.push_back(message); }
  };
  const std::vector<std::string> strings = {"",
                                            "plain",
                                            "quote \" backslash \\ slash /",
                                            "\b\f\n\r\t",
                                            std::string("nul \0 \x01 \x1f \x7f", 11),
                                            "caf\u00e9 \u2028 \U0001F600 \u00ff",
                                            std::string(70000, 'x') + "\"",
                                            "{\"content\":[]}"};
  const Json modern_meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                         {"io.modelcontextprotocol/clientCapabilities", Json::object()}};
  const auto echo = [&](const Json& id, const std::string& text, bool modern) {
    Json params{{"name", "echo"}, {"arguments", {{"message", text}}}};
    if (modern) params["_meta"] = modern_meta;
    return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"}, {"params", std::move(params)}};
  };
  const auto text_result = [](const std::string& text) {
    return Json{{"content", Json::array({{{"type", "text"}, {"text", text}}})}};
  };

  SUBCASE("without faults as with one (the tree path), handshake era and modern") {
    Harness fast;
    fast.initialize("2025-11-25");
    Config config;
    config.faults = {"ping-nonempty"};  // changes nothing a tools/call answers
    Harness tree(config);
    tree.initialize("2025-11-25");
    for (const bool modern : {false, true}) {
      for (const Json& id : {Json(7), Json("a\"b")}) {
        for (const std::string& text : strings) {
          CAPTURE(modern);
          CAPTURE(text.substr(0, 40));
          Raw from_text;
          Raw from_tree;
          fast.session.handle(mcp_probe::json::dump(echo(id, text, modern)), from_text);
          tree.session.handle(mcp_probe::json::dump(echo(id, text, modern)), from_tree);
          REQUIRE(from_text.texts.size() == 1);
          REQUIRE(from_tree.texts.size() == 1);
          CHECK(from_text.texts[0] == from_tree.texts[0]);
          const Json reply = Json::parse(from_text.texts[0]);
          CHECK(from_text.texts[0] == mcp_probe::json::dump(reply));
          Json expected = text_result(text);
          if (modern) {
            expected["resultType"] = "complete";
            expected["_meta"] = {{"io.modelcontextprotocol/serverInfo",
                                  {{"name", "mcp-refserver"}, {"version", MCP_PROBE_VERSION}}}};
          }
          CHECK(reply == Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", expected}});
        }
      }
    }
  }
  SUBCASE("in a batch (the tree path)") {
    Harness h;
    h.initialize("2025-03-26");
    Raw raw;
    h.session.handle(
        mcp_probe::json::dump(Json::array({echo(1, strings[2], false), echo(2, strings[5], false)})), raw);
    REQUIRE(raw.texts.size() == 1);
    CHECK(raw.texts[0] == mcp_probe::json::dump(Json::array(
                              {{{"jsonrpc", "2.0"}, {"id", 1}, {"result", text_result(strings[2])}},
                               {{"jsonrpc", "2.0"}, {"id", 2}, {"result", text_result(strings[5])}}})));
  }
  SUBCASE("a fault that changes the result gets the tree") {
    Config config;
    config.faults = {"tool-result-no-content"};
    Harness h(config);
    h.initialize("2025-11-25");
    const Json reply = call_tool(h, "echo", {{"message", "hi"}});
    CHECK(reply["result"] == Json::object());
    const Json modern = call_tool(h, "echo", {{"message", "hi"}}, modern_meta);
    CHECK(modern["result"]["resultType"] == "complete");
    CHECK_FALSE(modern["result"].contains("content"));
  }
}
