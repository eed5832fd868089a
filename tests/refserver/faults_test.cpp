// The fault table, and each core fault seen to change the wire output of a scripted exchange.

#include "mcp_probe/refserver/faults.h"

#include <doctest/doctest.h>

#include <mutex>
#include <set>
#include <thread>

#include "mcp_probe/refserver/server.h"

TEST_SUITE_BEGIN("unit");

using nlohmann::json;
using namespace mcp_probe::refserver;

namespace {

class Recorder : public Outbox {
 public:
  void send(const std::string& message) override {
    std::lock_guard lock(m_mutex);
    m_text += message + "\n";
  }
  std::string text() const {
    std::lock_guard lock(m_mutex);
    return m_text;
  }

 private:
  mutable std::mutex m_mutex;
  std::string m_text;
};

std::string request(int id, const std::string& method, const json& params = json::object()) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump();
}

std::string tool(int id, const std::string& name, const json& args = json::object(),
                 const json& meta = json()) {
  json params{{"name", name}, {"arguments", args}};
  if (!meta.is_null()) params["_meta"] = meta;
  return request(id, "tools/call", params);
}

// One deterministic session touching every rule a core fault can break; returns everything the
// server wrote, on both channels, in order.
std::string transcript(const Config& config, const std::string& version) {
  Recorder out;
  Session session(config, out);
  auto send = [&](const std::string& raw) { session.handle(raw, out); };
  send(request(1, "ping"));
  send(request(2, "tools/list"));
  send(
      R"({"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2099-12-31","capabilities":{}}})");
  send(
      R"({"jsonrpc":"2.0","id":4,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}})");
  send(request(5, "initialize",
               {{"protocolVersion", version},
                {"capabilities", json::object()},
                {"clientInfo", {{"name", "t"}, {"version", "1"}}}}));
  send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  send("{\"jsonrpc\":\"2.0\",");
  send(R"({"jsonrpc":"1.0","id":6,"method":"ping"})");
  send(R"({"jsonrpc":"2.0","id":7})");
  send(request(8, "mcp-probe/nonexistent"));
  send(R"({"jsonrpc":"2.0","method":"notifications/mcp-probe-unknown"})");
  send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":4242}})");
  send(R"([{"jsonrpc":"2.0","id":9,"method":"ping"},{"jsonrpc":"2.0","id":10,"method":"tools/list"}])");
  send(request(11, "tools/list", {{"_meta", {{"progressToken", "tok"}}}}));
  send(request(12, "tools/list", {{"cursor", "mcp-probe-invalid-cursor"}}));
  send(tool(13, "echo", {{"message", "hi"}}));
  send(tool(14, "echo"));
  send(tool(15, "add", {{"a", 1}, {"b", 2}}));
  send(tool(16, "fail"));
  send(tool(17, "test_image_content"));
  send(tool(18, "mcp-probe-nonexistent-tool"));
  send(tool(19, "slow", {{"steps", 3}, {"delay_ms", 0}}, {{"progressToken", 7}}));
  send(request(20, "logging/setLevel", {{"level", "debug"}}));
  send(request(21, "logging/setLevel", {{"level", "error"}}));
  send(request(23, "resources/list"));
  send(request(24, "resources/read", {{"uri", "test://static-text"}}));
  send(request(25, "resources/read", {{"uri", "mcp-probe://nonexistent/1"}}));
  send(request(26, "resources/templates/list"));
  send(request(27, "resources/subscribe", {{"uri", "test://static-text"}}));
  send(request(28, "prompts/list"));
  send(request(29, "prompts/get", {{"name", "nope"}}));
  send(request(30, "completion/complete",
               {{"ref", {{"type", "ref/prompt"}, {"name", "test_prompt_with_arguments"}}},
                {"argument", {{"name", "arg1"}, {"value", ""}}}}));
  send(request(31, "completion/complete",
               {{"ref", {{"type", "ref/prompt"}, {"name", "nope"}}},
                {"argument", {{"name", "arg1"}, {"value", ""}}}}));
  send(request(32, "ping"));
  send(request(33, "tools/call",
               {{"name", "echo"}, {"arguments", {{"message", "hi"}}}, {"task", {{"ttl", 60000}}}}));
  return out.text();
}

// Faults that only a front-end or the command line can show.
const std::set<std::string> k_not_in_process = {"stdout-noise", "ignore-stdin-eof", "ignore-sigterm",
                                                "exit-at-start", "ignore-cancel"};

}  // namespace

TEST_CASE("refserver::fault_table") {
  SUBCASE("names are unique and every row is complete") {
    std::set<std::string_view> names;
    for (const FaultInfo& fault : fault_table()) {
      CHECK(names.insert(fault.name).second);
      CHECK_FALSE(fault.breaks.empty());
      CHECK_FALSE(fault.summary.empty());
      CHECK(find_fault(fault.name) == &fault);
    }
    CHECK(find_fault("no-such-fault") == nullptr);
    CHECK(names.size() == fault_table().size());
  }
  SUBCASE("the faults of the brief are all there") {
    for (const char* name :
         {"stdout-noise", "bad-schema", "never-answer-initialize", "prompt-unknown-success",
          "notification-200", "legacy-post-500", "sse-buffered"}) {
      CHECK_MESSAGE(find_fault(name) != nullptr, name);
    }
    CHECK(find_fault("broadcast")->http);
    CHECK_FALSE(find_fault("id-as-string")->http);
  }
}

TEST_CASE("refserver::faults change the wire output") {
  const std::string clean_03 = transcript(Config{}, "2025-03-26");
  const std::string clean_11 = transcript(Config{}, "2025-11-25");
  CHECK(transcript(Config{}, "2025-03-26") == clean_03);  // the script is deterministic
  for (const FaultInfo& fault : fault_table()) {
    // Modern faults show only on modern requests: modern_faults_test.cpp proves each.
    if (fault.http || fault.modern || k_not_in_process.count(std::string(fault.name))) continue;
    CAPTURE(fault.name);
    Config config;
    config.faults.insert(std::string(fault.name));
    // The 2025-11-25 run only for faults the 2025-03-26 run does not show (it takes time).
    const bool differs =
        transcript(config, "2025-03-26") != clean_03 || transcript(config, "2025-11-25") != clean_11;
    CHECK_MESSAGE(differs, "fault " << fault.name << " left the transcript unchanged");
  }
}

TEST_CASE("refserver::faults ignore-cancel") {
  for (const bool faulty : {false, true}) {
    Config config;
    if (faulty) config.faults.insert("ignore-cancel");
    Recorder standalone;
    Session session(config, standalone);
    Recorder init;
    session.handle(
        request(1, "initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", json::object()}}),
        init);
    Recorder out;
    std::thread worker([&] { session.handle(tool(2, "slow", {{"steps", 20}, {"delay_ms", 10}}), out); });
    // Cancel while the tool runs; it takes 200 ms, so retrying until it is seen in flight is racy-free.
    for (int i = 0; i < 20; ++i) {
      Recorder none;
      session.handle(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}})",
                     none);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    worker.join();
    CHECK((out.text().find("\"result\"") != std::string::npos) == faulty);
  }
}
