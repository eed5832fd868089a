// `mcp-probe call`: connect, initialize, send one request, print what came back.

#include <unistd.h>
#include <cstdio>

#include "mcp_probe/cli/commands.h"
#include "mcp_probe/cli/output.h"
#include "mcp_probe/protocol/connect.h"
#include "mcp_probe/protocol/versions.h"

namespace mcp_probe::cli {
namespace {

void print_json(const nlohmann::json& value) {
  const int indent = isatty(STDOUT_FILENO) == 1 ? 2 : -1;
  const std::string text = value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// Prints the reply and returns the exit code: 0 for a result, 1 for anything else.
int print_reply(const protocol::Exchange& exchange, const Options& options, const transport::Tracer& tracer) {
  if (!exchange.reply) {
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
  if (message.is_object() && message.contains("result")) {
    print_json(message["result"]);
    return k_exit_ok;
  }
  print_json(message.is_object() && message.contains("error") ? message["error"] : message);
  return k_exit_failures;
}

}  // namespace

int run_call(const Options& options, const Environment&) {
  transport::Tracer tracer;
  if (auto ok = configure_tracer(tracer, options); !ok) {
    print_error(ok.error().message);
    return k_exit_usage;
  }
  const std::string version =
      options.run.protocol_version.empty() ? protocol::latest_version() : options.run.protocol_version;
  auto connection = protocol::connect(options.run.target, version, tracer);
  if (!connection) {
    print_error("could not connect: " + tracer.redact(connection.error().message));
    return k_exit_unreachable;
  }
  auto exchange = connection->session->request(options.method, options.params);
  int code = k_exit_failures;
  if (!exchange) {
    print_error(options.method + " failed: " + tracer.redact(exchange.error().message));
  } else {
    code = print_reply(*exchange, options, tracer);
  }
  connection->transport->close();
  return code;
}

}  // namespace mcp_probe::cli
