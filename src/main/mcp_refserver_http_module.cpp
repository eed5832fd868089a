// mcp-refserver-http.so: the HTTP front-ends of mcp-refserver, loaded by run_http_module only
// for --transport http|sse (see frontends.h).

#include "mcp_probe/refserver/frontends.h"

extern "C" __attribute__((visibility("default"))) int mcp_refserver_run_http(
    const mcp_probe::refserver::Config& config, const mcp_probe::refserver::HttpOptions& options,
    const std::atomic<bool>& stop) {
  return mcp_probe::refserver::run_http(config, options, stop);
}
