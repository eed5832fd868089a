#include "transport/curl_api.h"

#include <dlfcn.h>

#include <string>

namespace mcp_probe::transport {

namespace {

std::string last_dlerror() {
  const char* e = dlerror();
  return e ? e : "unknown error";
}

util::Error load_error(const char* soname, const std::string& detail, const char* remedy) {
  return {util::ErrorKind::io,
          std::string("cannot load libcurl (") + soname + "): " + detail + " — " + remedy};
}

template <typename Fn>
bool resolve(void* lib, const char* symbol, Fn& fn) {
  fn = reinterpret_cast<Fn>(dlsym(lib, symbol));
  return fn != nullptr;
}

}  // namespace

util::Expected<CurlApi> load_curl_api(std::initializer_list<const char*> sonames) {
  const char* wanted = sonames.size() > 0 ? *sonames.begin() : "libcurl";
  // RTLD_LOCAL: curl's symbols (and those of its TLS stack) stay out of the global namespace.
  // The first soname's error is the one reported: later ones are fallbacks (libcurl.so is
  // only there with the -dev package), and "libcurl.so: not found" would mislead.
  void* lib = nullptr;
  std::string first_error;
  for (const char* soname : sonames) {
    lib = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
    if (lib) break;
    if (first_error.empty()) first_error = last_dlerror();
  }
  if (!lib) return load_error(wanted, first_error, "install libcurl4");

  CurlApi api;
  std::string missing;
#define MCP_PROBE_CURL_RESOLVE(name) \
  if (missing.empty() && !resolve(lib, "curl_" #name, api.name)) missing = "curl_" #name;
  MCP_PROBE_CURL_FUNCTIONS(MCP_PROBE_CURL_RESOLVE)
#undef MCP_PROBE_CURL_RESOLVE
  if (!missing.empty()) {
    std::string detail = last_dlerror();
    dlclose(lib);
    // curl_multi_wakeup, the newest function used, appeared in libcurl 7.68.0.
    return load_error(wanted, detail, "mcp-probe needs libcurl 7.68 or newer");
  }
  return api;
}

const util::Expected<CurlApi>& curl_api() {
  // A function-local static: C++ runs the initializer once even when threads race here, and
  // curl_global_init (not thread-safe before libcurl 7.84) runs inside it, before any handle.
  static const util::Expected<CurlApi> loaded = []() -> util::Expected<CurlApi> {
    auto api = load_curl_api({"libcurl.so.4", "libcurl.so"});
    if (!api) return api;
    if (CURLcode rc = api->global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
      return util::make_error(util::ErrorKind::io,
                              std::string("curl_global_init failed: ") + api->easy_strerror(rc));
    }
    return api;
  }();
  return loaded;
}

}  // namespace mcp_probe::transport
