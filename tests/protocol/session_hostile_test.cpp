// protocol::Session over real transports against hostile servers: floods, an over-long line.
// Memory itself is measured outside the tests (see bench/README.md); here the bounds hold.

#include <doctest/doctest.h>

#include <string>

#include "mcp_probe/protocol/session.h"
#include "mcp_probe/transport/http.h"
#include "mcp_probe/transport/stdio.h"
#include "transport/script_server.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe;
using json::Json;

namespace {

const char* const k_init_reply =
    R"({"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"x","version":"1"}}})";
const char* const k_note =
    R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}})";

std::unique_ptr<transport::StdioTransport> spawn_sh(const std::string& script, std::size_t max_line = 0) {
  transport::StdioOptions o;
  o.argv = {"/bin/sh", "-c", script};
  o.stdin_close_wait = o.sigterm_wait = util::Millis(200);
  if (max_line != 0) o.max_line_bytes = max_line;
  auto t = transport::StdioTransport::start(o);
  REQUIRE(t);
  return std::move(*t);
}

}  // namespace

TEST_CASE("protocol::Session against hostile stdio servers") {
  SUBCASE("an over-long line before the initialize reply is reported and the reply is read") {
    // 20 MB without a newline (the limit is 16 MiB), then the valid reply.
    auto t = spawn_sh(std::string("read line; head -c 20000000 /dev/zero | tr '\\0' a; echo; echo '") +
                      k_init_reply + "'; cat >/dev/null");
    protocol::Session s(*t, util::Millis(10000));
    auto init = s.initialize("2025-06-18");
    REQUIRE(init);
    CHECK(init->protocol_version == "2025-06-18");
    REQUIRE(init->exchange.receive_errors.size() == 1);
    CHECK(init->exchange.receive_errors[0] ==
          "server wrote a stdout line longer than 16 MiB without a newline");
  }
  SUBCASE("a notification flood before the initialize reply keeps a bounded sample") {
    auto t = spawn_sh(std::string("read line; yes '") + k_note + "' | head -n 100000; echo '" + k_init_reply +
                      "'; cat >/dev/null");
    protocol::Session s(*t, util::Millis(20000));
    std::size_t observed = 0;
    s.set_observer([&](const protocol::Received&) { ++observed; });
    auto init = s.initialize("2025-06-18");
    REQUIRE(init);
    CHECK(observed == 100001);
    CHECK(init->exchange.others.size() == protocol::k_max_others);
    CHECK(init->exchange.others.size() + init->exchange.others_dropped == 100000);
  }
  SUBCASE("a server that exits before answering is named, not called a timeout") {
    auto t = spawn_sh("read line; echo 'Starting...'; echo 'fatal: no config' >&2; exit 3");
    protocol::Session s(*t, util::Millis(10000));
    auto init = s.initialize("2025-06-18");
    REQUIRE_FALSE(init);
    CHECK(init.error().kind == util::ErrorKind::closed);
    CHECK(init.error().message.find("exited with status 3") != std::string::npos);
    CHECK(init.error().message.find("within") == std::string::npos);
  }
}

TEST_CASE("protocol::Session against a hostile HTTP server") {
  SUBCASE("an SSE flood on the POST response is observed whole and sampled") {
    const std::size_t flood = 5000;
    std::string events;
    for (std::size_t i = 0; i < flood; ++i) events += std::string("data: ") + k_note + "\n\n";
    events += std::string("data: ") + k_init_reply + "\n\n";
    testing::ScriptServer server({{"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " +
                                   std::to_string(events.size()) + "\r\n\r\n" + events}});
    transport::HttpTransportOptions o;
    o.url = server.url();
    transport::HttpTransport t(o);
    protocol::Session s(t, util::Millis(10000));
    std::size_t observed = 0;
    s.set_observer([&](const protocol::Received&) { ++observed; });
    auto init = s.initialize("2025-06-18", Json::object(), false);
    REQUIRE(init);
    CHECK(observed == flood + 1);
    CHECK(init->exchange.others.size() <= protocol::k_max_others);
    CHECK(init->exchange.others.size() + init->exchange.others_dropped == flood);
    CHECK(t.last_response().events.size() <= transport::k_sse_events_sample);
  }
  SUBCASE("a POST response that ends without the reply is named, not called a timeout") {
    testing::ScriptServer server(
        {{"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " +
          std::to_string(std::string("data: ").size() + std::string(k_note).size() + 2) +
          "\r\n\r\ndata: " + k_note + "\n\n"}});
    transport::HttpTransportOptions o;
    o.url = server.url();
    transport::HttpTransport t(o);
    protocol::Session s(t, util::Millis(10000));
    auto init = s.initialize("2025-06-18", Json::object(), false);
    REQUIRE_FALSE(init);
    CHECK(init.error().message.find("nothing to receive") != std::string::npos);
    CHECK(init.error().message.find("within") == std::string::npos);
  }
}
