// WorkerGroup (http_sessions.cpp): the worker threads of mcp-refserver's HTTP front-ends.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "refserver/http_internal.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::refserver::http;

namespace {

std::atomic<int> g_exited{0};

// What a handler leaves in its thread (the JSON parser of json::parse is one): destroyed when the
// thread exits, after its work returned. The pause stands for a slow teardown.
struct ThreadExit {
  bool used = false;
  ~ThreadExit() {
    if (!used) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    g_exited.fetch_add(1);
  }
};

}  // namespace

TEST_CASE("refserver::http::WorkerGroup") {
  // fuzz_refserver_http, legacy POST /messages (LeakSanitizer: the thread_local simdjson parser of
  // a worker reported leaked): wait_idle returned while the workers were still exiting.
  SUBCASE("wait_idle returns once every worker thread is gone, thread_local state included") {
    g_exited.store(0);
    WorkerGroup workers;
    for (int i = 0; i < 4; ++i) {
      workers.spawn([] {
        thread_local ThreadExit exit;
        exit.used = true;
      });
    }
    REQUIRE(workers.wait_idle(std::chrono::seconds(10)));
    CHECK(g_exited.load() == 4);
  }
  SUBCASE("a worker still running at the deadline is reported, and outlives its group") {
    auto gate = std::make_shared<std::promise<void>>();
    auto finished = std::make_shared<std::promise<void>>();
    std::future<void> done = finished->get_future();
    {
      WorkerGroup workers;
      workers.spawn([opened = gate->get_future().share(), finished] {
        opened.wait();
        finished->set_value();
      });
      CHECK_FALSE(workers.wait_idle(std::chrono::milliseconds(20)));
    }
    gate->set_value();
    CHECK(done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  }
}
