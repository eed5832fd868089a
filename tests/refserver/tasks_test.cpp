// The tasks extension of mcp-refserver's 2026-07-28 era (src/refserver/tasks.cpp): task creation,
// polling, input via tasks/update, cancellation, tool errors vs protocol errors, unknown task ids,
// the capability gate, the bounds, and workers that stop with the session.

#include <doctest/doctest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "refserver/modern_support.h"
#include "refserver/tasks.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::testing;

namespace {

const Json k_tasks_caps = Json{{"extensions", {{"io.modelcontextprotocol/tasks", Json::object()}}}};
const Json k_tasks_and_elicitation = Json{
    {"elicitation", Json::object()}, {"extensions", {{"io.modelcontextprotocol/tasks", Json::object()}}}};

Json args(Json arguments) { return Json{{"arguments", std::move(arguments)}}; }

// Polls tasks/get until `done` holds for the task (or a 10 s deadline passes); returns the last
// result seen.
Json poll(ModernHarness& h, const std::string& task_id, const std::function<bool(const Json&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Json last;
  while (std::chrono::steady_clock::now() < deadline) {
    const Json reply = h.request("tasks/get", {{"taskId", task_id}}, k_tasks_caps);
    REQUIRE(reply.contains("result"));
    last = reply["result"];
    if (done(last)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("task " << task_id << " did not reach the awaited state; last: " << last.dump());
  return last;
}

bool is_terminal(const Json& task) {
  const std::string status = task.value("status", "");
  return status == "completed" || status == "failed" || status == "cancelled";
}

bool has_status(const Json& task, const std::string& status) { return task.value("status", "") == status; }

}  // namespace

TEST_CASE("refserver::tasks creation, polling and the inlined result") {
  ModernHarness h;
  SUBCASE("server/discover advertises the extension under capabilities.extensions") {
    const Json caps = h.request("server/discover")["result"]["capabilities"];
    CHECK(caps["extensions"].contains("io.modelcontextprotocol/tasks"));
    CHECK_FALSE(caps.contains("tasks"));
  }
  SUBCASE("a sync-only tool stays sync, a legacy task param does not promote it") {
    const Json reply =
        h.call("greet", {{"arguments", {{"name", "World"}}}, {"task", {{"ttl", 60000}}}}, k_tasks_caps);
    REQUIRE(reply.contains("result"));
    CHECK(reply["result"]["resultType"] == "complete");
    CHECK_FALSE(reply["result"].contains("taskId"));
    CHECK(reply["result"]["content"][0]["text"] == "Hello, World!");
  }
  SUBCASE("a task-supporting tool answers a flat CreateTaskResult, then completes") {
    const Json reply = h.call("slow_compute", args({{"seconds", 0.05}, {"label", "unit"}}), k_tasks_caps);
    REQUIRE(reply.contains("result"));
    const Json& created = reply["result"];
    CHECK(created["resultType"] == "task");
    CHECK(created["status"] == "working");
    const std::regex iso(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
    CHECK(std::regex_match(created["createdAt"].get<std::string>(), iso));
    CHECK(std::regex_match(created["lastUpdatedAt"].get<std::string>(), iso));
    CHECK(created["ttlMs"].is_number_integer());
    CHECK(created["ttlMs"].get<long long>() > 0);
    CHECK(created["pollIntervalMs"].is_number_integer());
    for (const char* absent :
         {"task", "ttl", "pollInterval", "requestState", "result", "error", "inputRequests"})
      CHECK_MESSAGE(!created.contains(absent), absent);
    const std::string id = created["taskId"];
    // In the store before the CreateTaskResult left: an immediate tasks/get resolves.
    const Json first = h.request("tasks/get", {{"taskId", id}}, k_tasks_caps);
    REQUIRE(first.contains("result"));
    CHECK(first["result"]["taskId"] == id);
    CHECK(first["result"]["resultType"] == "complete");
    const Json done = poll(h, id, is_terminal);
    CHECK(done["status"] == "completed");
    CHECK(done["result"]["content"][0]["text"] == "Computed unit in 0.05s");
    CHECK_FALSE(done["result"].contains("_meta"));
    CHECK_FALSE(done.contains("requestState"));
    CHECK_FALSE(done.contains("error"));
  }
  SUBCASE("without the extension the same tool runs inline") {
    const Json reply = h.call("slow_compute", args({{"seconds", 0}, {"label", "sync"}}));
    REQUIRE(reply.contains("result"));
    CHECK(reply["result"]["resultType"] == "complete");
    CHECK_FALSE(reply["result"].contains("taskId"));
    CHECK(reply["result"]["content"][0]["text"] == "Computed sync in 0s");
  }
  SUBCASE("the extension declared in one request's _meta is enough") {
    const Json reply = h.call("slow_compute", args({{"seconds", 0}}), k_tasks_caps);
    CHECK(reply["result"]["resultType"] == "task");
  }
}

TEST_CASE("refserver::tasks tool errors and protocol errors") {
  ModernHarness h;
  SUBCASE("a tool execution error completes with result.isError") {
    const Json created = h.call("failing_job", Json::object(), k_tasks_caps)["result"];
    REQUIRE(created["resultType"] == "task");
    const Json done = poll(h, created["taskId"], is_terminal);
    CHECK(done["status"] == "completed");
    CHECK(done["result"]["isError"] == true);
    CHECK_FALSE(done.contains("error"));
  }
  SUBCASE("a protocol error fails the task with the error inlined and no result") {
    const Json created = h.call("protocol_error_job", Json::object(), k_tasks_caps)["result"];
    REQUIRE(created["resultType"] == "task");
    const Json done = poll(h, created["taskId"], is_terminal);
    CHECK(done["status"] == "failed");
    CHECK(done["error"]["code"] == -32603);
    CHECK(done["error"]["message"].is_string());
    CHECK_FALSE(done.contains("result"));
  }
  SUBCASE("a required-task tool without the extension is -32021 naming the extension") {
    for (const char* tool : {"failing_job", "test_tool_with_task"}) {
      const Json reply = h.call(tool);
      CHECK(error_code(reply) == -32021);
      CHECK(reply["error"]["data"]["requiredCapabilities"]["extensions"].contains(
          "io.modelcontextprotocol/tasks"));
    }
  }
}

TEST_CASE("refserver::tasks cancellation") {
  ModernHarness h;
  const std::string id = h.call("slow_compute", args({{"seconds", 600}}), k_tasks_caps)["result"]["taskId"];
  const Json ack = h.request("tasks/cancel", {{"taskId", id}}, k_tasks_caps);
  REQUIRE(ack.contains("result"));
  CHECK(ack["result"]["resultType"] == "complete");
  for (const char* absent : {"taskId", "status", "result", "error", "inputRequests"})
    CHECK_FALSE(ack["result"].contains(absent));
  const Json after = h.request("tasks/get", {{"taskId", id}}, k_tasks_caps)["result"];
  CHECK(after["status"] == "cancelled");
  CHECK_FALSE(after.contains("result"));
  // Idempotent on a terminal task: the same empty ack, the status stays.
  const Json again = h.request("tasks/cancel", {{"taskId", id}}, k_tasks_caps);
  CHECK(again["result"]["resultType"] == "complete");
  CHECK_FALSE(again["result"].contains("status"));
  CHECK(h.request("tasks/get", {{"taskId", id}}, k_tasks_caps)["result"]["status"] == "cancelled");
  // A completed task stays completed.
  const std::string quick = h.call("slow_compute", args({{"seconds", 0}}), k_tasks_caps)["result"]["taskId"];
  poll(h, quick, is_terminal);
  CHECK(h.request("tasks/cancel", {{"taskId", quick}}, k_tasks_caps)["result"]["resultType"] == "complete");
  CHECK(h.request("tasks/get", {{"taskId", quick}}, k_tasks_caps)["result"]["status"] == "completed");
}

TEST_CASE("refserver::tasks input through tasks/update") {
  ModernHarness h;
  SUBCASE("a parked task surfaces inputRequests and resumes on the answer") {
    const std::string id =
        h.call("confirm_delete", args({{"filename", "a.txt"}}), k_tasks_and_elicitation)["result"]["taskId"];
    const Json parked =
        poll(h, id, [](const Json& t) { return has_status(t, "input_required") || is_terminal(t); });
    REQUIRE(parked["status"] == "input_required");
    REQUIRE(parked["inputRequests"].contains("confirm"));
    CHECK(parked["inputRequests"]["confirm"]["method"] == "elicitation/create");
    // An answer to a key the task did not ask for is acked and changes nothing.
    const Json ignored =
        h.request("tasks/update",
                  {{"taskId", id}, {"inputResponses", {{"unknown-key", {{"ignored", true}}}}}}, k_tasks_caps);
    CHECK(ignored["result"]["resultType"] == "complete");
    CHECK(h.request("tasks/get", {{"taskId", id}}, k_tasks_caps)["result"]["status"] == "input_required");
    // A malformed answer to a pending key is -32602.
    CHECK(error_code(h.request("tasks/update",
                               {{"taskId", id}, {"inputResponses", {{"confirm", {{"nope", 1}}}}}},
                               k_tasks_caps)) == -32602);
    CHECK(error_code(h.request("tasks/update", {{"taskId", id}, {"inputResponses", "yes"}}, k_tasks_caps)) ==
          -32602);
    const Json ack = h.request(
        "tasks/update",
        {{"taskId", id},
         {"inputResponses", {{"confirm", {{"action", "accept"}, {"content", {{"confirm", true}}}}}}}},
        k_tasks_caps);
    CHECK(ack["result"]["resultType"] == "complete");
    CHECK_FALSE(ack["result"].contains("status"));
    const Json done = poll(h, id, is_terminal);
    CHECK(done["status"] == "completed");
    CHECK(done["result"]["content"][0]["text"] == "Deleted a.txt");
  }
  SUBCASE("a partial answer keeps the task in input_required with the other key") {
    const std::string id = h.call("multi_input", Json::object(), k_tasks_and_elicitation)["result"]["taskId"];
    const Json parked =
        poll(h, id, [](const Json& t) { return has_status(t, "input_required") || is_terminal(t); });
    REQUIRE(parked["inputRequests"].size() == 2);
    h.request("tasks/update",
              {{"taskId", id},
               {"inputResponses", {{"name", {{"action", "accept"}, {"content", {{"name", "Ann"}}}}}}}},
              k_tasks_caps);
    const Json partial = h.request("tasks/get", {{"taskId", id}}, k_tasks_caps)["result"];
    CHECK(partial["status"] == "input_required");
    CHECK(partial["inputRequests"].size() == 1);
    CHECK(partial["inputRequests"].contains("confirm"));
    h.request("tasks/update",
              {{"taskId", id},
               {"inputResponses", {{"confirm", {{"action", "accept"}, {"content", {{"confirm", true}}}}}}}},
              k_tasks_caps);
    const Json done = poll(h, id, is_terminal);
    CHECK(done["status"] == "completed");
    CHECK(done["result"]["content"][0]["text"] == "multi_input: name=Ann confirm=true");
  }
  SUBCASE("without the extension the same tools ask with an InputRequiredResult") {
    const Json reply =
        h.call("confirm_delete", args({{"filename", "b.txt"}}), Json{{"elicitation", Json::object()}});
    CHECK(reply["result"]["resultType"] == "input_required");
    CHECK(reply["result"]["inputRequests"].contains("confirm"));
    CHECK_FALSE(reply["result"].contains("taskId"));
  }
  SUBCASE("multi round-trip first, then a task carrying the answer") {
    const Json round1 = h.call("test_tool_with_task", Json::object(), k_tasks_and_elicitation)["result"];
    REQUIRE(round1["resultType"] == "input_required");
    CHECK_FALSE(round1.contains("taskId"));
    const Json answer{{"user_name", {{"action", "accept"}, {"content", {{"name", "Alice"}}}}}};
    const Json round2 =
        h.call("test_tool_with_task", {{"inputResponses", answer}}, k_tasks_and_elicitation)["result"];
    REQUIRE(round2["resultType"] == "task");
    CHECK_FALSE(round2.contains("requestState"));
    CHECK_FALSE(round2.contains("inputRequests"));
    const Json done = poll(h, round2["taskId"], is_terminal);
    CHECK(done["status"] == "completed");
    CHECK(done["result"]["content"][0]["text"].get<std::string>().find("Alice") != std::string::npos);
  }
}

TEST_CASE("refserver::tasks methods: the gate, unknown ids and removed methods") {
  ModernHarness h;
  const Json update_params{{"taskId", "gate-test"}, {"inputResponses", Json::object()}};
  SUBCASE("without the extension every task method is -32021") {
    CHECK(error_code(h.request("tasks/get", {{"taskId", "gate-test"}})) == -32021);
    CHECK(error_code(h.request("tasks/update", update_params)) == -32021);
    const Json reply = h.request("tasks/cancel", {{"taskId", "gate-test"}});
    CHECK(error_code(reply) == -32021);
    CHECK(reply["error"]["data"]["requiredCapabilities"]["extensions"].contains(
        "io.modelcontextprotocol/tasks"));
  }
  SUBCASE("an unknown or missing task id is -32602") {
    CHECK(error_code(h.request("tasks/get", {{"taskId", "tasks-conformance-nonexistent"}}, k_tasks_caps)) ==
          -32602);
    CHECK(error_code(h.request("tasks/update", update_params, k_tasks_caps)) == -32602);
    CHECK(error_code(h.request("tasks/cancel", {{"taskId", "nope"}}, k_tasks_caps)) == -32602);
    CHECK(error_code(h.request("tasks/get", Json::object(), k_tasks_caps)) == -32602);
    CHECK(error_code(h.request("tasks/get", {{"taskId", 7}}, k_tasks_caps)) == -32602);
  }
  SUBCASE("tasks/result and tasks/list were removed: -32601") {
    CHECK(error_code(h.request("tasks/result", {{"taskId", "x"}}, k_tasks_caps)) == -32601);
    CHECK(error_code(h.request("tasks/list", Json::object(), k_tasks_caps)) == -32601);
  }
  SUBCASE("the handshake era has neither the task tools nor the task methods") {
    mcp_probe::refserver::Config config;
    ModernCapture standalone;
    mcp_probe::refserver::Session session(config, standalone);
    auto send = [&](const Json& message) {
      ModernCapture out;
      session.handle(mcp_probe::json::dump(message), out);
      const auto messages = out.messages();
      return messages.empty() ? Json() : messages.back();
    };
    send({{"jsonrpc", "2.0"},
          {"id", 1},
          {"method", "initialize"},
          {"params",
           {{"protocolVersion", "2025-11-25"},
            {"capabilities", Json::object()},
            {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}});
    send({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
    const Json tools = send({{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"}});
    for (const Json& tool : tools["result"]["tools"]) CHECK(tool["name"] != "slow_compute");
    CHECK(error_code(send(
              {{"jsonrpc", "2.0"}, {"id", 3}, {"method", "tasks/get"}, {"params", {{"taskId", "x"}}}})) ==
          -32601);
  }
}

TEST_CASE("refserver::tasks are bounded and stop with the session") {
  const auto started = std::chrono::steady_clock::now();
  {
    ModernHarness h;
    // At most 64 run at once: the 65th is refused, and a cancelled one frees its place.
    std::string first;
    for (int i = 0; i < 64; ++i) {
      const Json reply = h.call("slow_compute", args({{"seconds", 600}}), k_tasks_caps);
      REQUIRE(reply["result"]["resultType"] == "task");
      if (i == 0) first = reply["result"]["taskId"];
    }
    const Json refused = h.call("slow_compute", args({{"seconds", 600}}), k_tasks_caps);
    CHECK(error_code(refused) == -32603);
    h.request("tasks/cancel", {{"taskId", first}}, k_tasks_caps);
    CHECK(h.call("slow_compute", args({{"seconds", 600}}), k_tasks_caps)["result"]["resultType"] == "task");
    // Leaving the scope stops the session: 64 workers sleeping 600 s end at once.
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
}

TEST_CASE("refserver::tasks expire after their ttlMs") {
  using mcp_probe::refserver::set_task_ttl_for_testing;
  set_task_ttl_for_testing(std::chrono::milliseconds(300));
  ModernHarness h;
  const Json created = h.call("slow_compute", args({{"seconds", 0}}), k_tasks_caps)["result"];
  set_task_ttl_for_testing(std::chrono::milliseconds(0));
  CHECK(created["ttlMs"] == 300);
  const std::string id = created["taskId"];
  // Accessible until its ttl (the suite's no-early-expiry rule), forgotten after it: -32602.
  const auto made = std::chrono::steady_clock::now();
  Json reply = h.request("tasks/get", {{"taskId", id}}, k_tasks_caps);
  if (std::chrono::steady_clock::now() - made < std::chrono::milliseconds(300))
    CHECK(reply.contains("result"));
  const auto deadline = made + std::chrono::seconds(10);
  while (!reply.contains("error") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    reply = h.request("tasks/get", {{"taskId", id}}, k_tasks_caps);
  }
  CHECK(error_code(reply) == -32602);
  CHECK(std::chrono::steady_clock::now() - made >= std::chrono::milliseconds(300));
  // New tasks get the default again.
  CHECK(h.call("slow_compute", args({{"seconds", 0}}), k_tasks_caps)["result"]["ttlMs"] == 600000);
}

TEST_SUITE_END();
