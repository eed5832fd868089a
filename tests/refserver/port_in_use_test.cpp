// mcp-refserver refuses a port that another server already listens on.

#include <doctest/doctest.h>

#include "support/cli_runner.h"
#include "support/refserver_http.h"

TEST_SUITE_BEGIN("integration");

using mcp_probe::testing::refserver_http::HttpServer;

TEST_CASE("refserver::run_http a port already in use") {
  HttpServer first;
  SUBCASE("run_http fails instead of sharing the port") {
    mcp_probe::refserver::Config config;
    config.transport = "http";
    mcp_probe::refserver::HttpOptions options;
    options.port = first.port();
    std::atomic<bool> stop{false};
    bool listened = false;
    // Had it bound (SO_REUSEPORT), stop at once so the test ends either way.
    options.on_listening = [&](int) {
      listened = true;
      stop = true;
    };
    CHECK(mcp_probe::refserver::run_http(config, options, stop) != 0);
    CHECK_FALSE(listened);
  }
  SUBCASE("the executable says so and exits non-zero") {
    auto p = mcp_probe::util::Process::spawn(
        {{MCP_REFSERVER_BIN, "--transport", "http", "--port", std::to_string(first.port())}, {}, ""});
    REQUIRE(p);
    auto status = p->wait(mcp_probe::util::Deadline::after(mcp_probe::util::Millis(10000)));
    REQUIRE(status);
    CHECK_FALSE(status->success());
    std::string err(4096, '\0');
    const ssize_t n = read(p->stderr_pipe().get(), err.data(), err.size());
    err.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    CHECK(err.find("port " + std::to_string(first.port()) + " is in use") != std::string::npos);
  }
}
