#pragma once

// libcurl, loaded at run time instead of linked. Linking it costs every start of mcp-probe its ~37
// shared libraries (TLS, Kerberos, LDAP, SSH, HTTP/2, ...): several milliseconds in the dynamic
// loader, most of a stdio run, which never makes an HTTP request. So the executables do not link
// libcurl; the first HTTP request dlopen()s it and reaches it through the table below.
// <curl/curl.h> is still used, for types and constants only.
//
// Private to the transport module: http_client.cpp (the only user of curl) and its tests.

#include <curl/curl.h>

#include <initializer_list>

#include "mcp_probe/util/expected.h"

// Every libcurl function mcp-probe calls, without the curl_ prefix. X(name) is expanded once for
// the table's members and once to resolve them, so the two cannot drift apart.
#define MCP_PROBE_CURL_FUNCTIONS(X) \
  X(global_init)                    \
  X(version)                        \
  X(easy_init)                      \
  X(easy_setopt)                    \
  X(easy_getinfo)                   \
  X(easy_cleanup)                   \
  X(easy_strerror)                  \
  X(multi_init)                     \
  X(multi_add_handle)               \
  X(multi_remove_handle)            \
  X(multi_perform)                  \
  X(multi_poll)                     \
  X(multi_wakeup)                   \
  X(multi_info_read)                \
  X(multi_cleanup)                  \
  X(share_init)                     \
  X(share_setopt)                   \
  X(share_cleanup)                  \
  X(slist_append)                   \
  X(slist_free_all)

namespace mcp_probe::transport {

// Pointers into a loaded libcurl. Each member has the type of the function it is named after
// (curl_easy_setopt and friends stay variadic), so a wrong signature does not compile.
struct CurlApi {
#define MCP_PROBE_CURL_MEMBER(name) decltype(&::curl_##name) name = nullptr;
  MCP_PROBE_CURL_FUNCTIONS(MCP_PROBE_CURL_MEMBER)
#undef MCP_PROBE_CURL_MEMBER
};

// Opens the first of `sonames` that dlopen() finds (RTLD_LAZY | RTLD_LOCAL) and resolves every
// member. The library is never closed. Does not call curl_global_init. An error (ErrorKind::io)
// is one line naming the first soname, e.g. "cannot load libcurl (libcurl.so.4): <dlerror> —
// install libcurl4", or the missing function when the library is too old. Thread-safe; each
// call opens the library again (dlopen counts references), so the process uses curl_api().
util::Expected<CurlApi> load_curl_api(std::initializer_list<const char*> sonames);

// The process's libcurl: the first call loads libcurl.so.4 (or libcurl.so, a development
// symlink) and runs curl_global_init; every later call returns that same result, a failure
// included (it is not retried). Thread-safe. Blocks only the first time (~5 ms).
const util::Expected<CurlApi>& curl_api();

}  // namespace mcp_probe::transport
