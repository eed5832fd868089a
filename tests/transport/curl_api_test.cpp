#include "transport/curl_api.h"

#include <doctest/doctest.h>

#include <string>

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::transport;
using mcp_probe::util::ErrorKind;

namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("transport::curl_api") {
  SUBCASE("the process's libcurl resolves every function and answers") {
    const auto& api = curl_api();
    REQUIRE_MESSAGE(api, (api ? "" : api.error().message));
#define CHECK_RESOLVED(name) CHECK_MESSAGE((api->name != nullptr), "curl_" #name);
    MCP_PROBE_CURL_FUNCTIONS(CHECK_RESOLVED)
#undef CHECK_RESOLVED
    std::string version = api->version();
    CHECK_MESSAGE(version.rfind("libcurl/", 0) == 0, version);
    CHECK(&curl_api() == &api);  // loaded once
  }
  SUBCASE("the loaded functions work: an easy handle, a header list, an error text") {
    const auto& api = curl_api();
    REQUIRE(api);
    CURL* easy = api->easy_init();
    REQUIRE(easy != nullptr);
    CHECK(api->easy_setopt(easy, CURLOPT_URL, "http://127.0.0.1:9/") == CURLE_OK);
    char* url = nullptr;
    CHECK(api->easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK);
    api->easy_cleanup(easy);
    curl_slist* list = api->slist_append(nullptr, "Accept: application/json");
    REQUIRE(list != nullptr);
    CHECK(std::string(list->data) == "Accept: application/json");
    api->slist_free_all(list);
    CHECK(std::string(api->easy_strerror(CURLE_COULDNT_CONNECT)) != "");
  }
  SUBCASE("falls back to the next soname") {
    auto api = load_curl_api({"libmcp-probe-no-such-curl.so.4", "libcurl.so.4"});
    REQUIRE(api);
    CHECK((api->easy_init != nullptr));
  }
  SUBCASE("a missing library is a one-line io error naming the first soname") {
    auto api = load_curl_api({"libmcp-probe-no-such-curl.so.4", "libmcp-probe-no-such-curl.so"});
    REQUIRE_FALSE(api);
    CHECK(api.error().kind == ErrorKind::io);
    const auto& m = api.error().message;
    CHECK(m.rfind("cannot load libcurl (libmcp-probe-no-such-curl.so.4): ", 0) == 0);
    CHECK(has(m, "install libcurl4"));
    CHECK_FALSE(has(m, "\n"));
  }
  SUBCASE("a library without curl's functions names the missing one") {
    auto api = load_curl_api({"libm.so.6"});
    REQUIRE_FALSE(api);
    CHECK(has(api.error().message, "curl_global_init"));
    CHECK(has(api.error().message, "7.68 or newer"));
  }
}
