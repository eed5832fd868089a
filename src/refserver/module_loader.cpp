// run_http_module: finds and loads mcp-refserver-http.so (see frontends.h).

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "mcp_probe/refserver/frontends.h"

namespace mcp_probe::refserver {

namespace {

// The directory of the running executable ("" when /proc is not there).
std::string executable_dir() {
  std::vector<char> buf(4096);
  ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return "";
  std::string path(buf.data(), static_cast<std::size_t>(n));
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

}  // namespace

int run_http_module(const Config& config, const HttpOptions& options, const std::atomic<bool>& stop) {
  const std::string dir = executable_dir();
  // The build tree first, then the installed layout.
  const std::vector<std::string> candidates = {
      dir + "/" + k_http_module_name, dir + "/" MCP_REFSERVER_MODULE_RELDIR "/" + k_http_module_name};
  std::string first_error;
  for (const std::string& path : candidates) {
    void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!module) {
      if (first_error.empty()) first_error = dlerror();
      continue;
    }
    auto run = reinterpret_cast<RunHttpFn>(dlsym(module, k_run_http_symbol));
    if (!run) {
      std::fprintf(stderr, "mcp-refserver: error: %s has no %s\n", path.c_str(), k_run_http_symbol);
      return 1;
    }
    return run(config, options, stop);
  }
  std::fprintf(stderr,
               "mcp-refserver: error: cannot load the HTTP front-end %s (%s): reinstall mcp-refserver\n",
               k_http_module_name, first_error.c_str());
  return 1;
}

}  // namespace mcp_probe::refserver
