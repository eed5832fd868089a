// bench/roundtrip: ping round trips through mcp-probe's own transports and session.
//
//   roundtrip [--count N] [--warmup W] URL
//   roundtrip [--count N] [--warmup W] -- CMD [ARGS...]
//
// Connects with protocol::connect (spawning CMD for stdio, Streamable HTTP for a URL), sends W
// untimed pings, then N timed `ping` requests one after another, and prints one JSON line:
// round trips per second, p50/p99/max latency, and this process's CPU time (getrusage
// RUSAGE_SELF: every thread, user + system) over the timed loop divided by round trips and by
// messages (a round trip is two messages). The server's CPU is not counted.
// Exit: 0 when every ping got a result, 1 otherwise, 2 for usage, 3 when it could not connect.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mcp_probe/protocol/connect.h"
#include "mcp_probe/protocol/versions.h"

namespace {

using namespace mcp_probe;
using Clock = std::chrono::steady_clock;

struct Args {
  protocol::Target target;
  long count = 1000;
  long warmup = 100;
};

[[noreturn]] void usage() {
  std::fputs("usage: roundtrip [--count N] [--warmup W] (URL | -- CMD [ARGS...])\n", stderr);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--count" || arg == "--warmup") && i + 1 < argc) {
      const long v = std::strtol(argv[++i], nullptr, 10);
      if (v < 0) usage();
      (arg == "--count" ? a.count : a.warmup) = v;
    } else if (arg == "--") {
      a.target.command.assign(argv + i + 1, argv + argc);
      a.target.transport = "stdio";
      break;
    } else if (arg.rfind("http", 0) == 0 && a.target.url.empty()) {
      a.target.url = arg;
      a.target.transport = "http";
    } else {
      usage();
    }
  }
  if (a.count < 1 || (a.target.url.empty() == a.target.command.empty())) usage();
  return a;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

long max_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Nearest-rank percentile of sorted samples.
double percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()));
  return sorted[std::min(rank, sorted.size() - 1)];
}

// One ping; false when the transport failed or no result came back in time.
bool ping(protocol::Session& session) {
  auto exchange = session.request("ping");
  return exchange && exchange->reply && exchange->reply->json && exchange->reply->json->contains("result");
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse(argc, argv);
  transport::Tracer tracer;
  auto connection = protocol::connect(args.target, protocol::latest_version(), tracer);
  if (!connection) {
    std::fprintf(stderr, "roundtrip: could not connect: %s\n", connection.error().message.c_str());
    return 3;
  }
  protocol::Session& session = *connection->session;
  long failures = 0;
  for (long i = 0; i < args.warmup; ++i) failures += ping(session) ? 0 : 1;

  std::vector<double> latency_us;
  latency_us.reserve(static_cast<size_t>(args.count));
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  for (long i = 0; i < args.count; ++i) {
    const auto start = Clock::now();
    failures += ping(session) ? 0 : 1;
    latency_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  connection->transport->close();

  std::sort(latency_us.begin(), latency_us.end());
  const auto n = static_cast<double>(args.count);
  std::printf(
      "{\"transport\":\"%s\",\"count\":%ld,\"failures\":%ld,\"wall_s\":%.4f,\"roundtrips_per_s\":%.0f,"
      "\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"cpu_s\":%.4f,\"cpu_us_per_roundtrip\":%.2f,"
      "\"cpu_us_per_message\":%.2f,\"max_rss_kb\":%ld}\n",
      connection->transport_used.c_str(), args.count, failures, wall, n / wall, percentile(latency_us, 50),
      percentile(latency_us, 99), latency_us.back(), cpu, cpu / n * 1e6, cpu / (2 * n) * 1e6, max_rss_kb());
  return failures == 0 ? 0 : 1;
}
