// The tasks extension of the 2026-07-28 era (io.modelcontextprotocol/tasks, SEP-2663), as the
// official conformance suite 0.2.0-alpha.12 exercises it: server-directed task creation for
// task-supporting tools (a flat CreateTaskResult, resultType "task"), tasks/get with the result
// or error inlined once terminal, tasks/update delivering inputResponses to a task parked in
// input_required, tasks/cancel (an empty ack, idempotent), -32602 for an unknown taskId and
// -32021 for requests that did not declare the extension. tasks/result and tasks/list do not
// exist (removed in v2: -32601, because modern.cpp does not route them).
//
// Bounds: at most k_max_live tasks run at once (one worker thread each), at most k_max_stored are
// kept, and a task is forgotten k_ttl after its creation (the ttlMs it announces). Workers stop
// when the session stops.

#include "refserver/tasks.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <ctime>
#include <map>
#include <random>
#include <system_error>
#include <thread>
#include <utility>

#include "mcp_probe/json/wire.h"
#include "refserver/tools.h"

namespace mcp_probe::refserver {

namespace {

constexpr std::size_t k_max_live = 64;
constexpr std::size_t k_max_stored = 1024;
constexpr std::chrono::milliseconds k_ttl{10 * 60 * 1000};
// The ttl of new tasks: k_ttl, or what set_task_ttl_for_testing set.
std::atomic<std::int64_t> g_ttl_ms{k_ttl.count()};
constexpr std::chrono::milliseconds k_poll_interval{200};

std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  return text;
}

bool terminal(const std::string& status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

struct Task {
  std::string id;
  std::string status = "working";  // working, input_required, completed, failed, cancelled
  std::string created_at;
  std::string updated_at;
  std::int64_t ttl_ms = 0;
  std::chrono::steady_clock::time_point expires;
  bool cancel_requested = false;
  Json pending = Json::object();  // key -> input request, while input_required
  Json answers = Json::object();  // key -> answer, collected by tasks/update
  Json result;                    // completed: the tool result
  Json error;                     // failed: the JSON-RPC error
  std::thread worker;
  bool worker_done = false;
};

}  // namespace

// The tasks of one session; everything is guarded by `mutex`.
struct TaskStore {
  std::mutex mutex;
  std::condition_variable cv;
  bool stopping = false;
  std::map<std::string, std::shared_ptr<Task>> tasks;
  std::mt19937_64 random{std::random_device{}()};

  ~TaskStore() { stop(); }

  void stop() {
    std::vector<std::thread> workers;
    {
      std::lock_guard lock(mutex);
      stopping = true;
      for (auto& [id, task] : tasks) {
        if (task->worker.joinable()) workers.push_back(std::move(task->worker));
      }
      cv.notify_all();
    }
    for (std::thread& worker : workers) worker.join();
  }

  // Forgets expired tasks and joins finished workers; `lock` holds `mutex`. Threads are joined
  // without the lock (a finished worker only has to return).
  void reap(std::unique_lock<std::mutex>& lock) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::thread> finished;
    for (auto it = tasks.begin(); it != tasks.end();) {
      Task& task = *it->second;
      if (task.worker_done && task.worker.joinable()) finished.push_back(std::move(task.worker));
      if (now >= task.expires && !task.worker.joinable() && task.worker_done) {
        it = tasks.erase(it);
      } else {
        if (now >= task.expires) task.cancel_requested = true;  // past its ttl: stop it, drop it later
        ++it;
      }
    }
    cv.notify_all();
    if (finished.empty()) return;
    lock.unlock();
    for (std::thread& worker : finished) worker.join();
    lock.lock();
  }

  std::string fresh_id() {
    static const char* const k_hex = "0123456789abcdef";
    std::string id = "task-";
    for (int i = 0; i < 2; ++i) {
      std::uint64_t bits = random();
      for (int j = 0; j < 16; ++j, bits >>= 4) id += k_hex[bits & 15];
    }
    return id;
  }

  void touch(Task& task, std::string status) {
    task.status = std::move(status);
    task.updated_at = iso_now();
    cv.notify_all();
  }
};

namespace {

// The context of a job: the task it works for, in its store.
class WorkerContext : public TaskContext {
 public:
  WorkerContext(TaskStore& store, std::shared_ptr<Task> task) : m_store(store), m_task(std::move(task)) {}

  bool sleep_for(std::chrono::milliseconds d) override {
    std::unique_lock lock(m_store.mutex);
    return !m_store.cv.wait_for(lock, d, [&] { return gave_up(); });
  }

  std::optional<Json> ask(const Json& requests) override {
    std::unique_lock lock(m_store.mutex);
    if (gave_up()) return std::nullopt;
    m_task->pending = requests;
    m_task->answers = Json::object();
    m_store.touch(*m_task, "input_required");
    m_store.cv.wait(lock, [&] { return gave_up() || m_task->pending.empty(); });
    if (gave_up()) return std::nullopt;
    m_store.touch(*m_task, "working");
    return std::exchange(m_task->answers, Json::object());
  }

 private:
  bool gave_up() const { return m_store.stopping || m_task->cancel_requested; }
  TaskStore& m_store;
  std::shared_ptr<Task> m_task;
};

void run_worker(TaskStore& store, std::shared_ptr<Task> task, TaskJob job) {
  WorkerContext context(store, task);
  Outcome outcome;
  try {
    outcome = job(context);
  } catch (const std::exception& e) {
    outcome = Outcome::fail(k_internal_error, std::string("Internal error: ") + e.what());
  }
  std::lock_guard lock(store.mutex);
  task->worker_done = true;
  task->pending = Json::object();
  // A task cancelled by tasks/cancel is already terminal; keep what the client was told.
  if (terminal(task->status)) {
    store.cv.notify_all();
    return;
  }
  if (Json* result = outcome.materialize()) {
    task->result = std::move(*result);
    store.touch(*task, "completed");
  } else if (outcome.error) {
    task->error = std::move(*outcome.error);
    store.touch(*task, "failed");
  } else {
    store.touch(*task, "cancelled");
  }
}

TaskStore& store_of(Session::Impl& session) {
  std::lock_guard lock(session.mutex);
  if (!session.tasks) session.tasks = std::make_shared<TaskStore>();
  return *session.tasks;
}

// The Task fields every task answer carries (the Task base of SEP-2663; no requestState).
Json task_fields(const Task& task) {
  return Json{{"taskId", task.id},
              {"status", task.status},
              {"createdAt", task.created_at},
              {"lastUpdatedAt", task.updated_at},
              {"ttlMs", task.ttl_ms},
              {"pollIntervalMs", static_cast<std::int64_t>(k_poll_interval.count())}};
}

Json extension_required_data() {
  return Json{{"requiredCapabilities", {{"extensions", {{k_tasks_extension, Json::object()}}}}}};
}

// The gate and lookup shared by the three task methods: -32021 without the extension (before
// anything else: the suite's gate probe names an unknown task), -32602 for a missing or unknown
// taskId. On success `task` is set and `lock` holds the store's mutex.
std::optional<Outcome> find_task(Call& call, std::unique_lock<std::mutex>& lock, TaskStore*& store_out,
                                 std::shared_ptr<Task>& task) {
  if (!tasks_negotiated(call)) {
    return Outcome::fail(k_missing_client_capability,
                         std::string("Missing required client capability: extensions[\"") +
                             k_tasks_extension + "\"] (declare it in _meta clientCapabilities)",
                         extension_required_data());
  }
  const Json id = call.params.value("taskId", Json());
  if (!id.is_string())
    return Outcome::fail(k_invalid_params, call.method + ": taskId (a string) is required");
  TaskStore& store = store_of(call.session);
  store_out = &store;
  lock = std::unique_lock(store.mutex);
  store.reap(lock);
  const auto found = store.tasks.find(id.get<std::string>());
  if (found == store.tasks.end())
    return Outcome::fail(k_invalid_params, "Unknown task: " + id.get<std::string>(), {{"taskId", id}});
  task = found->second;
  return std::nullopt;
}

// What an answer to `request` must look like to count (the result of the request's method).
bool well_formed_answer(const Json& request, const Json& answer) {
  if (!answer.is_object()) return false;
  const std::string method = request.value("method", "");
  if (method == "elicitation/create") return answer.contains("action") && answer["action"].is_string();
  if (method == "sampling/createMessage") return answer.contains("content");
  if (method == "roots/list") return answer.contains("roots") && answer["roots"].is_array();
  return true;
}

double seconds_argument(const Json& arguments) {
  const Json seconds = arguments.value("seconds", Json(1));
  if (!seconds.is_number()) return 1;
  const double value = seconds.get<double>();
  return std::isfinite(value) ? std::clamp(value, 0.0, 600.0) : 1;
}

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

std::string slow_compute_text(double seconds, const std::string& label) {
  char text[64];
  std::snprintf(text, sizeof text, "%g", seconds);
  return "Computed " + (label.empty() ? std::string("result") : label) + " in " + text + "s";
}

}  // namespace

bool tasks_negotiated(const Call& call) {
  const ModernMeta* modern = call.modern();
  if (!modern) return false;
  const Json& caps = *modern->client_capabilities;
  const auto extensions = caps.find("extensions");
  return extensions != caps.end() && extensions->is_object() && extensions->contains(k_tasks_extension);
}

Outcome tasks_required_error(const Call& call) {
  // SEP-2663 «Required Capabilities»: «If a server is unable to service a request to a client
  // that does not declare this extension capability without returning CreateTaskResult, the
  // server MUST return an error with the code -32021».
  return Outcome::fail(k_missing_client_capability,
                       call.params.value("name", std::string("this tool")) +
                           " runs only as a task: declare the " + k_tasks_extension +
                           " extension in _meta clientCapabilities",
                       extension_required_data());
}

Outcome create_task(Call& call, TaskJob job) {
  TaskStore& store = store_of(call.session);
  std::unique_lock lock(store.mutex);
  store.reap(lock);
  if (store.stopping) return Outcome::fail(k_internal_error, "the server is stopping");
  std::size_t live = 0;
  for (const auto& [id, task] : store.tasks) live += terminal(task->status) ? 0 : 1;
  if (live >= k_max_live || store.tasks.size() >= k_max_stored) {
    return Outcome::fail(k_internal_error, "too many tasks (at most " + std::to_string(k_max_live) +
                                               " running, " + std::to_string(k_max_stored) +
                                               " kept); try again later");
  }
  auto task = std::make_shared<Task>();
  task->id = store.fresh_id();
  task->created_at = task->updated_at = iso_now();
  task->ttl_ms = g_ttl_ms.load();
  task->expires = std::chrono::steady_clock::now() + std::chrono::milliseconds(task->ttl_ms);
  // In the store before the CreateTaskResult leaves (SEP-2663: «MUST NOT return CreateTaskResult
  // until the task is durably created»).
  store.tasks[task->id] = task;
  try {
    task->worker = std::thread(run_worker, std::ref(store), task, std::move(job));
  } catch (const std::system_error& e) {
    // No thread to be had: no task either (it would stay "working" forever).
    store.tasks.erase(task->id);
    return Outcome::fail(k_internal_error, std::string("cannot start the task: ") + e.what());
  }
  Json result = task_fields(*task);
  result["resultType"] = "task";
  return Outcome::ok(std::move(result));
}

void set_task_ttl_for_testing(std::chrono::milliseconds ttl) {
  g_ttl_ms = ttl.count() > 0 ? ttl.count() : k_ttl.count();
}

void stop_tasks(Session::Impl& session) {
  std::shared_ptr<TaskStore> store;
  {
    std::lock_guard lock(session.mutex);
    store = session.tasks;
  }
  if (store) store->stop();
}

Outcome handle_tasks_get(Call& call) {
  std::unique_lock<std::mutex> lock;
  TaskStore* store = nullptr;
  std::shared_ptr<Task> task;
  if (auto error = find_task(call, lock, store, task)) return *error;
  Json result = task_fields(*task);
  result["resultType"] = "complete";
  if (task->status == "completed") result["result"] = task->result;
  if (task->status == "failed") result["error"] = task->error;
  if (task->status == "input_required") result["inputRequests"] = task->pending;
  return Outcome::ok(std::move(result));
}

Outcome handle_tasks_update(Call& call) {
  std::unique_lock<std::mutex> lock;
  TaskStore* store = nullptr;
  std::shared_ptr<Task> task;
  if (auto error = find_task(call, lock, store, task)) return *error;
  const Json responses = call.params.value("inputResponses", Json());
  if (!responses.is_object())
    return Outcome::fail(k_invalid_params, "tasks/update: inputResponses (an object) is required");
  // Answers to keys the task is not waiting for (already answered, never asked, or a task no
  // longer in input_required) are ignored; a partial answer keeps the rest pending.
  for (const auto& [key, answer] : responses.items()) {
    if (!task->pending.contains(key)) continue;
    if (!well_formed_answer(task->pending[key], answer))
      return Outcome::fail(k_invalid_params,
                           "tasks/update: inputResponses[\"" + key + "\"] is not a result of " +
                               task->pending[key].value("method", std::string("its request")));
  }
  for (const auto& [key, answer] : responses.items()) {
    if (!task->pending.contains(key)) continue;
    task->answers[key] = answer;
    task->pending.erase(key);
  }
  if (task->status == "input_required") {
    // Every answer in: the worker resumes (it sets working itself too, when it wakes).
    if (task->pending.empty()) store->touch(*task, "working");
    task->updated_at = iso_now();
    store->cv.notify_all();
  }
  return Outcome::ok(Json{{"resultType", "complete"}});
}

Outcome handle_tasks_cancel(Call& call) {
  std::unique_lock<std::mutex> lock;
  TaskStore* store = nullptr;
  std::shared_ptr<Task> task;
  if (auto error = find_task(call, lock, store, task)) return *error;
  // Cancelling a terminal task changes nothing and answers the same empty ack (idempotent).
  if (!terminal(task->status)) {
    task->cancel_requested = true;
    task->pending = Json::object();
    store->touch(*task, "cancelled");
  }
  return Outcome::ok(Json{{"resultType", "complete"}});
}

// ---- the fixtures -------------------------------------------------------------------------

Outcome run_greet(Call&, const Json& arguments) {
  const Json name = arguments.value("name", Json("World"));
  return Outcome::text("Hello, " + (name.is_string() ? name.get<std::string>() : json::dump(name)) + "!");
}

// Task support optional: a task when the extension is declared, else the same work inline.
Outcome run_slow_compute(Call& call, const Json& arguments) {
  const double seconds = seconds_argument(arguments);
  const Json label_json = arguments.value("label", Json(""));
  const std::string label = label_json.is_string() ? label_json.get<std::string>() : json::dump(label_json);
  if (!tasks_negotiated(call)) {
    if (seconds > 0 && !call.sleep_for(to_ms(seconds))) return Outcome::none();
    return Outcome::text(slow_compute_text(seconds, label));
  }
  return create_task(call, [seconds, label](TaskContext& context) {
    if (!context.sleep_for(to_ms(seconds))) return Outcome::none();
    return Outcome::text(slow_compute_text(seconds, label));
  });
}

// Task support required; the tool reports a tool execution error (status completed, isError).
Outcome run_failing_job(Call& call, const Json&) {
  if (!tasks_negotiated(call)) return tasks_required_error(call);
  return create_task(call, [](TaskContext& context) {
    if (!context.sleep_for(std::chrono::milliseconds(500))) return Outcome::none();
    return Outcome::ok(tool_text("failing_job: the job failed (a tool execution error)", true));
  });
}

// Task support optional; the work ends in a protocol error (status failed, error inlined).
Outcome run_protocol_error_job(Call& call, const Json&) {
  const auto fail = [] {
    return Outcome::fail(k_internal_error, "protocol_error_job: internal failure while working");
  };
  if (!tasks_negotiated(call)) return fail();
  return create_task(call, [fail](TaskContext& context) {
    if (!context.sleep_for(std::chrono::milliseconds(100))) return Outcome::none();
    return fail();
  });
}

// Task support optional: as a task it parks in input_required on one elicitation; without the
// extension the same question is a multi round-trip request.
Outcome run_confirm_delete(Call& call, const Json& arguments) {
  const Json file = arguments.value("filename", Json("(unnamed)"));
  const std::string filename = file.is_string() ? file.get<std::string>() : json::dump(file);
  const Json requests{{"confirm", elicitation_request("Delete " + filename + "?", "confirm", "boolean")}};
  const auto answer = [filename](const Json& answers) {
    const bool yes = elicited_value(answers.value("confirm", Json()), "confirm") == "true";
    return Outcome::text(yes ? "Deleted " + filename : "Kept " + filename + " (not confirmed)");
  };
  if (!tasks_negotiated(call)) return gather_input(call, requests, answer);
  return create_task(call, [requests, answer](TaskContext& context) {
    const auto answers = context.ask(requests);
    return answers ? answer(*answers) : Outcome::none();
  });
}

// Task support optional: two elicitations at once (the suite answers them one at a time).
Outcome run_multi_input(Call& call, const Json&) {
  const Json requests{{"name", elicitation_request("What is your name?", "name")},
                      {"confirm", elicitation_request("Shall I go on?", "confirm", "boolean")}};
  const auto answer = [](const Json& answers) {
    return Outcome::text("multi_input: name=" + elicited_value(answers.value("name", Json()), "name") +
                         " confirm=" + elicited_value(answers.value("confirm", Json()), "confirm"));
  };
  if (!tasks_negotiated(call)) return gather_input(call, requests, answer);
  return create_task(call, [requests, answer](TaskContext& context) {
    const auto answers = context.ask(requests);
    return answers ? answer(*answers) : Outcome::none();
  });
}

// Task support required: round 1 is a multi round-trip request for the user's name, the final
// round creates the task, whose result greets the name gathered.
Outcome run_tool_with_task(Call& call, const Json&) {
  if (!tasks_negotiated(call)) return tasks_required_error(call);
  const Json requests{{"user_name", elicitation_request("What is your name?", "name")}};
  return gather_input(call, requests, [&call](const Json& answers) {
    std::string name = elicited_value(answers.value("user_name", Json()), "name");
    if (name.empty()) name = "stranger";
    return create_task(call, [name](TaskContext& context) {
      if (!context.sleep_for(std::chrono::milliseconds(100))) return Outcome::none();
      return Outcome::text("Hello, " + name + "! (from a task)");
    });
  });
}

}  // namespace mcp_probe::refserver
