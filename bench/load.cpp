// bench/load: concurrent tools/call load against an MCP server over Streamable HTTP.
//
//   load [--clients C] [--count N] [--tool NAME] [--args JSON] URL
//
// Starts C client threads; each opens its own session (protocol::connect: initialize and
// notifications/initialized) and then sends its share of N tools/call requests one after
// another. Prints one JSON line: requests per second over the whole run, p50/p99/max latency of
// the individual calls, and failures (transport errors, JSON-RPC errors, missing replies).
// A native client, so that the client is never what limits a fast server.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mcp_probe/protocol/connect.h"
#include "mcp_probe/protocol/versions.h"

namespace {

using namespace mcp_probe;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string url;
  long clients = 1;
  long count = 2000;
  std::string tool = "echo";
  json::Json arguments = {{"message", "hello"}};
};

[[noreturn]] void usage() {
  std::fputs("usage: load [--clients C] [--count N] [--tool NAME] [--args JSON] URL\n", stderr);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--clients" || arg == "--count") && i + 1 < argc) {
      (arg == "--clients" ? a.clients : a.count) = std::strtol(argv[++i], nullptr, 10);
    } else if (arg == "--tool" && i + 1 < argc) {
      a.tool = argv[++i];
    } else if (arg == "--args" && i + 1 < argc) {
      auto parsed = json::parse(argv[++i]);
      if (!parsed) usage();
      a.arguments = *parsed;
    } else if (arg.rfind("http", 0) == 0) {
      a.url = arg;
    } else {
      usage();
    }
  }
  if (a.url.empty() || a.clients < 1 || a.clients > 1024 || a.count < a.clients) usage();
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  std::mutex mutex;
  std::vector<double> latency_us;
  std::atomic<long> failures{0};
  std::atomic<long> connect_failures{0};
  std::atomic<long> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (long c = 0; c < args.clients; ++c) {
    const long share = args.count / args.clients + (c < args.count % args.clients ? 1 : 0);
    threads.emplace_back([&, share] {
      transport::Tracer tracer;
      protocol::Target target;
      target.url = args.url;
      target.transport = "http";
      target.request_timeout = util::Millis(30000);
      auto connection = protocol::connect(target, protocol::latest_version(), tracer);
      ++ready;
      if (!connection) {
        ++connect_failures;
        failures += share;
        return;
      }
      while (!go) std::this_thread::yield();
      std::vector<double> mine;
      mine.reserve(static_cast<size_t>(share));
      const json::Json params = {{"name", args.tool}, {"arguments", args.arguments}};
      for (long i = 0; i < share; ++i) {
        const auto start = Clock::now();
        auto ex = connection->session->request("tools/call", params);
        bool ok = ex && ex->reply && ex->reply->json && ex->reply->json->contains("result");
        if (!ok) ++failures;
        mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
      }
      std::lock_guard<std::mutex> lock(mutex);
      latency_us.insert(latency_us.end(), mine.begin(), mine.end());
    });
  }
  while (ready < args.clients) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto t0 = Clock::now();
  go = true;
  for (auto& t : threads) t.join();
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  std::sort(latency_us.begin(), latency_us.end());
  auto pct = [&](double p) {
    if (latency_us.empty()) return 0.0;
    return latency_us[std::min(latency_us.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(latency_us.size())))];
  };
  std::printf("{\"clients\":%ld,\"count\":%ld,\"failures\":%ld,\"connect_failures\":%ld,\"wall_s\":%.3f,"
              "\"requests_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}\n",
              args.clients, args.count, failures.load(), connect_failures.load(), wall,
              static_cast<double>(latency_us.size()) / wall, pct(50) / 1000, pct(99) / 1000,
              latency_us.empty() ? 0.0 : latency_us.back() / 1000);
  return failures == 0 ? 0 : 1;
}
