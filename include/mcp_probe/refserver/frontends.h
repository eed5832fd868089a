#pragma once

// The transports of mcp-refserver. Each runs until its input ends or a signal stops it, and
// returns the process exit code.

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>

#include "mcp_probe/refserver/server.h"

namespace mcp_probe::refserver {

// Newline-delimited JSON-RPC on stdin/stdout; all logging on stderr. Returns when stdin closes.
int run_stdio(const Config& config);

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: pick a free port
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  int session_idle_timeout_s = 600;
  int max_sessions = 1000;
  int head_timeout_ms = 10000;  // a request's header block, from its first byte
  int body_timeout_ms = 30000;  // a request's body, from the end of its header block
  // Called once with the bound port, after the "listening on" line and before serving. Tests use
  // it to learn the port picked for port 0. Runs on the thread that called run_http.
  std::function<void(int port)> on_listening;
};

// Streamable HTTP on /mcp (config.transport == "http") or legacy HTTP+SSE on /sse + /messages
// (config.transport == "sse"; /mcp is then not served), plus /health. Prints
// "listening on http://HOST:PORT/mcp" (or /sse) on stderr once bound. Runs until `stop` is set
// (checked at least every 100 ms) or SIGINT/SIGTERM.
int run_http(const Config& config, const HttpOptions& options, const std::atomic<bool>& stop);

// run_http from the module mcp-refserver-http.so (next to the executable, or in
// ../MCP_REFSERVER_MODULE_DIR when installed): the executable itself does not link the HTTP
// front-ends, so a stdio server starts without loading cpp-httplib and OpenSSL. Prints one
// line and returns 1 when the module cannot be loaded.
int run_http_module(const Config& config, const HttpOptions& options, const std::atomic<bool>& stop);

// The module's entry point, the C name run_http_module looks up.
using RunHttpFn = int (*)(const Config& config, const HttpOptions& options, const std::atomic<bool>& stop);
inline constexpr const char* k_run_http_symbol = "mcp_refserver_run_http";
inline constexpr const char* k_http_module_name = "mcp-refserver-http.so";

}  // namespace mcp_probe::refserver
