// `mcp-probe call`: connect (server/discover, then initialize for a handshake-era server), send
// one request, print what came back.

#include <unistd.h>
#include <cstdio>

#include "mcp_probe/cli/commands.h"
#include "mcp_probe/cli/output.h"
#include "mcp_probe/protocol/connect.h"
#include "mcp_probe/protocol/versions.h"

namespace mcp_probe::cli {
namespace {

// Prints the JSON and returns `code`, or k_exit_usage when stdout cannot take it.
int print_json(const nlohmann::json& value, int code) {
  const int indent = isatty(STDOUT_FILENO) == 1 ? 2 : -1;
  const std::string text = value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (auto ok = write_stdout(text); !ok) {
    print_error(ok.error().message);
    return k_exit_usage;
  }
  return code;
}

// Prints the reply and returns the exit code: 0 for a result, 1 for anything else.
int print_reply(const protocol::Exchange& exchange, const Options& options, const transport::Tracer& tracer) {
  if (!exchange.reply) {
    // Name what happened: the server may have exited or ended the response long before the timeout.
    if (exchange.ended_by.rfind("no response within", 0) != 0 && !exchange.ended_by.empty()) {
      char after[48];
      std::snprintf(after, sizeof after, " (after %.2f s)", exchange.elapsed_ms / 1000.0);
      print_error("no response to " + options.method + ": " + tracer.redact(exchange.ended_by) + after);
      return k_exit_failures;
    }
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g",
                  static_cast<double>(options.run.target.request_timeout.count()) / 1000);
    print_error("no response to " + options.method + " within " + seconds + " s");
    return k_exit_failures;
  }
  if (!exchange.reply->json) {
    print_error("the response is not valid JSON (" + exchange.reply->parse_error +
                "): " + tracer.redact(exchange.reply->wire.raw.substr(0, 200)));
    return k_exit_failures;
  }
  const auto& message = *exchange.reply->json;
  if (message.is_object() && message.contains("result")) return print_json(message["result"], k_exit_ok);
  return print_json(message.is_object() && message.contains("error") ? message["error"] : message,
                    k_exit_failures);
}

}  // namespace

int run_call(const Options& options, const Environment&) {
  transport::Tracer tracer;
  if (auto ok = configure_tracer(tracer, options); !ok) {
    print_error(ok.error().message);
    return k_exit_usage;
  }
  // Like a dual-era client: server/discover first, initialize only for a server that is not
  // modern; a pinned version keeps to its era.
  const std::string& pinned = options.run.protocol_version;
  const protocol::EraPlan plan = pinned.empty()                        ? protocol::EraPlan::prefer_modern
                                 : protocol::is_modern_version(pinned) ? protocol::EraPlan::modern
                                                                       : protocol::EraPlan::handshake;
  const std::string version = pinned.empty() ? protocol::latest_version() : pinned;
  auto connection =
      protocol::connect(options.run.target, version, tracer, protocol::Json::object(), {}, plan);
  // Ctrl-C: every wait gave up; the spawned server's process group dies with the connection.
  if (interrupted_flag().load()) {
    print_error("interrupted");
    return k_exit_interrupted;
  }
  if (!connection) {
    print_error("could not connect: " + tracer.redact(connection.error().message));
    return k_exit_unreachable;
  }
  auto exchange = connection->session->request(options.method, options.params);
  int code = k_exit_failures;
  if (interrupted_flag().load()) {
    print_error("interrupted while waiting for the response to " + options.method);
    code = k_exit_interrupted;
  } else if (!exchange) {
    print_error(options.method + " failed: " + tracer.redact(exchange.error().message));
  } else {
    code = print_reply(*exchange, options, tracer);
  }
  connection->transport->close();
  return code;
}

}  // namespace mcp_probe::cli
