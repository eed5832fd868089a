#pragma once

// Private: the tasks extension (io.modelcontextprotocol/tasks, SEP-2663) of mcp-refserver's
// 2026-07-28 era. A task-supporting tool called by a client that declared the extension in its
// request's _meta answers a CreateTaskResult at once and runs on a worker thread; tasks/get polls
// it (the final result or error inlined), tasks/update delivers the answers to the input requests
// it parked on, tasks/cancel stops it. The store is bounded (live tasks, stored tasks, ttlMs) and
// its workers stop with the session.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "refserver/session_impl.h"

namespace mcp_probe::refserver {

inline constexpr const char* k_tasks_extension = "io.modelcontextprotocol/tasks";

// What a task's job sees while it runs on its worker thread.
class TaskContext {
 public:
  virtual ~TaskContext() = default;
  // Sleeps up to `d`; false when the task was cancelled or the server stops meanwhile.
  virtual bool sleep_for(std::chrono::milliseconds d) = 0;
  // Parks the task in input_required with `requests` (key -> input request) until every key is
  // answered through tasks/update; the answers by key, or nullopt when cancelled or stopping.
  virtual std::optional<Json> ask(const Json& requests) = 0;
};

// A task's work: its tool result (Outcome::ok), a protocol error (Outcome::fail: status failed),
// or Outcome::none() when it gave up because it was cancelled.
using TaskJob = std::function<Outcome(TaskContext&)>;

// Whether the request negotiated the tasks extension (its _meta clientCapabilities.extensions).
bool tasks_negotiated(const Call& call);

// The -32021 of a tool that can only run as a task, called without the extension.
Outcome tasks_required_error(const Call& call);

// Creates a task running `job` and answers its CreateTaskResult (the task is in the store, so a
// tasks/get resolves, before this returns).
Outcome create_task(Call& call, TaskJob job);

// The ttl of tasks created from now on (every session); 0 restores the default (10 minutes).
// For tests of expiry only.
void set_task_ttl_for_testing(std::chrono::milliseconds ttl);

// Stops every worker and waits for them (Session::stop).
void stop_tasks(Session::Impl& session);

// The task methods of the modern era.
Outcome handle_tasks_get(Call& call);
Outcome handle_tasks_update(Call& call);
Outcome handle_tasks_cancel(Call& call);

// The task fixtures of the official conformance suite (tools.cpp lists them, modern era only).
Outcome run_greet(Call& call, const Json& arguments);
Outcome run_slow_compute(Call& call, const Json& arguments);
Outcome run_failing_job(Call& call, const Json& arguments);
Outcome run_protocol_error_job(Call& call, const Json& arguments);
Outcome run_confirm_delete(Call& call, const Json& arguments);
Outcome run_multi_input(Call& call, const Json& arguments);
Outcome run_tool_with_task(Call& call, const Json& arguments);

// From mrtr.cpp: an elicitation/create input request for one property, the value the user gave
// for it, and one multi round-trip round (InputRequiredResult until every request the client
// can serve is answered; -32021 when it can serve none; then `complete` with the answers).
Json elicitation_request(const std::string& message, const std::string& property,
                         const char* type = "string");
std::string elicited_value(const Json& answer, const std::string& property);
Outcome gather_input(Call& call, const Json& requests,
                     const std::function<Outcome(const Json& answers)>& complete);

}  // namespace mcp_probe::refserver
