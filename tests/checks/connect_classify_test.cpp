// Which connectivity check a failed connection names. Name resolution cannot be made to fail
// end to end without asking a DNS server (tests talk to loopback only), so this feeds the
// transport's own error for an unresolvable host to the classifier.

#include <curl/curl.h>
#include <doctest/doctest.h>

#include "checks/sequences.h"
#include "mcp_probe/transport/http_client.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe;

TEST_CASE("checks::classify_connect_failure") {
  auto http = [](int curl_code, const char* errbuf, int os_errno = 0) {
    return checks::classify_connect_failure(
        transport::describe_curl_error(curl_code, "http://no-such-host.invalid:9/mcp", errbuf, os_errno),
        false);
  };
  CHECK(http(CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: no-such-host.invalid") ==
        checks::CheckId::connectivity_resolve);
  CHECK(http(CURLE_COULDNT_CONNECT, "Failed to connect", 111) == checks::CheckId::connectivity_connect);
  CHECK(http(CURLE_SSL_CONNECT_ERROR, "SSL routines::wrong version number") ==
        checks::CheckId::connectivity_tls);
  CHECK(checks::classify_connect_failure(util::make_error(util::ErrorKind::spawn, "no such command"), true) ==
        checks::CheckId::stdio_spawn);
}
