// The engine on an in-memory transport: the passive checks fed with scripted messages, and the
// lifecycle.initialized.accepted probe with a reply that is not JSON.

#include "checks/context.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "checks/passive.h"
#include "checks/sequences.h"
#include "support/fake_transport.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe;
using namespace mcp_probe::checks;

namespace {

const CheckResult& result_of(const std::vector<CheckResult>& results, CheckId id) {
  for (const auto& r : results) {
    if (r.info.id == to_string(id)) return r;
  }
  FAIL("no result for " << to_string(id));
  throw std::logic_error("unreachable");
}

// The id of a request line the fake received ("" for a notification).
std::string id_of(const std::string& sent) {
  auto j = json::parse(sent);
  return j && j->is_object() && j->contains("id") ? json::dump((*j)["id"]) : "";
}

struct Rig {
  RunOptions options;
  transport::Tracer tracer;
  Context ctx{options, tracer};
  testing::FakeTransport fake;
  protocol::Session session{fake, util::Millis(200)};

  explicit Rig(testing::FakeTransport::Responder responder) : fake(std::move(responder)) {
    ctx.set_version("2025-11-25");
    ctx.set_transport_kind(transport::TransportKind::stdio);
    ctx.observe(session);
  }
};

}  // namespace

TEST_CASE("checks::passive observer") {
  SUBCASE("a well-formed reply passes the envelope checks") {
    Rig rig([](const std::string& sent) {
      return std::vector<std::string>{R"({"jsonrpc":"2.0","id":)" + id_of(sent) + R"(,"result":{}})"};
    });
    REQUIRE(rig.session.request("ping"));
    auto all = rig.ctx.results().finish();
    CHECK(result_of(all, CheckId::jsonrpc_envelope_version).status == Status::pass);
    CHECK(result_of(all, CheckId::jsonrpc_response_result_xor_error).status == Status::pass);
  }

  SUBCASE("a reply without jsonrpc and with both result and error fails them") {
    Rig rig([](const std::string& sent) {
      return std::vector<std::string>{R"({"id":)" + id_of(sent) +
                                      R"(,"result":{},"error":{"code":-32603,"message":"x"}})"};
    });
    REQUIRE(rig.session.request("ping"));
    auto all = rig.ctx.results().finish();
    CHECK(result_of(all, CheckId::jsonrpc_envelope_version).status == Status::fail);
    CHECK(result_of(all, CheckId::jsonrpc_response_result_xor_error).status == Status::fail);
  }

  SUBCASE("a line that is not JSON breaks the stdout rule") {
    Rig rig([](const std::string& sent) {
      return std::vector<std::string>{"Server ready!",
                                      R"({"jsonrpc":"2.0","id":)" + id_of(sent) + R"(,"result":{}})"};
    });
    REQUIRE(rig.session.request("ping"));
    CHECK(result_of(rig.ctx.results().finish(), CheckId::stdio_stdout_only_jsonrpc).status == Status::fail);
  }

  SUBCASE("passive results respect the run's applicability") {
    Rig rig([](const std::string& sent) {
      return std::vector<std::string>{R"({"jsonrpc":"2.0","id":)" + id_of(sent) + R"(,"result":{}})"};
    });
    rig.ctx.set_transport_kind(transport::TransportKind::http);
    REQUIRE(rig.session.request("ping"));
    auto all = rig.ctx.results().finish();
    CHECK(result_of(all, CheckId::stdio_stdout_only_jsonrpc).message ==
          "not applicable to the http transport");
    CHECK(result_of(all, CheckId::jsonrpc_envelope_version).status == Status::pass);
  }
}

// Issue 14: lifecycle.operation.version-respected splits what it finds by the VERSIONS.md §5
// matrix. Fields an older schema accepts (serverInfo.description, websiteUrl, icons, title, ...)
// are a WARN even where «Respect the negotiated protocol version» is a MUST (2025-06-18 on); a
// content type an older client cannot parse takes the row's level for the version.
TEST_CASE("checks::check_version_features") {
  Rig rig([](const std::string&) { return std::vector<std::string>{}; });
  const CheckId id = CheckId::lifecycle_operation_version_respected;
  SUBCASE("2025-11-25 serverInfo fields under 2025-06-18 warn, description included") {
    rig.ctx.set_version("2025-06-18");
    Json result = {{"protocolVersion", "2025-06-18"},
                   {"serverInfo",
                    {{"name", "s"},
                     {"version", "1"},
                     {"description", "d"},
                     {"websiteUrl", "https://e.example"},
                     {"icons", Json::array()}}}};
    check_version_features(rig.ctx, "initialize", result, "2025-06-18");
    const auto all = rig.ctx.results().finish();
    const auto& r = result_of(all, id);
    CHECK(r.status == Status::warn);
    CHECK(r.info.level == Level::should);
    CHECK(r.message.find("fields newer than 2025-06-18") != std::string::npos);
    CHECK(r.observed.find("serverInfo.description (from 2025-11-25)") != std::string::npos);
    CHECK(r.observed.find("serverInfo.websiteUrl") != std::string::npos);
    CHECK(r.observed.find("serverInfo.icons") != std::string::npos);
  }
  SUBCASE("fields of the negotiated version pass") {
    rig.ctx.set_version("2025-11-25");
    Json result = {{"serverInfo", {{"name", "s"}, {"version", "1"}, {"description", "d"}}}};
    check_version_features(rig.ctx, "initialize", result, "2025-11-25");
    CHECK(result_of(rig.ctx.results().finish(), id).status == Status::pass);
  }
  SUBCASE("a newer content type is reported as such, at the row's level for the version") {
    rig.ctx.set_version("2025-03-26");
    Json result = {{"content", Json::array({{{"type", "resource_link"}, {"uri", "x:y"}, {"name", "n"}}})}};
    check_version_features(rig.ctx, "tools/call", result, "2025-03-26");
    const auto all = rig.ctx.results().finish();
    const auto& r = result_of(all, id);
    CHECK(r.message.find("content types newer than 2025-03-26") != std::string::npos);
    CHECK(r.observed == "resource_link content (from 2025-06-18)");
    // 2025-03-26 states the rule as a SHOULD; it is a MUST from 2025-06-18.
    CHECK(r.status == Status::warn);
    CHECK(def(id).level_in("2025-06-18") == Level::must);
  }
}

TEST_CASE("checks::check_initialized_accepted") {
  SUBCASE("a reply to notifications/initialized after a line that is not JSON") {
    // The defect of issue 12: the evidence dereferenced the first message's JSON, which a
    // non-JSON line does not have.
    Rig rig([](const std::string& sent) {
      if (id_of(sent).empty()) return std::vector<std::string>{};
      return std::vector<std::string>{
          "not json at all",
          R"({"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"initialized is not a request"}})",
          R"({"jsonrpc":"2.0","id":)" + id_of(sent) + R"(,"result":{}})"};
    });
    check_initialized_accepted(rig.ctx, rig.session);
    const auto r = result_of(rig.ctx.results().finish(), CheckId::lifecycle_initialized_accepted);
    CHECK(r.status == Status::warn);  // a SHOULD
    CHECK(r.observed.find("initialized is not a request") != std::string::npos);
  }

  SUBCASE("no reply before the ping's passes") {
    Rig rig([](const std::string& sent) {
      return std::vector<std::string>{R"({"jsonrpc":"2.0","id":)" + id_of(sent) + R"(,"result":{}})"};
    });
    check_initialized_accepted(rig.ctx, rig.session);
    CHECK(result_of(rig.ctx.results().finish(), CheckId::lifecycle_initialized_accepted).status ==
          Status::pass);
  }

  SUBCASE("no answer to the ping at all") {
    Rig rig([](const std::string&) { return std::vector<std::string>{}; });
    check_initialized_accepted(rig.ctx, rig.session);
    CHECK(result_of(rig.ctx.results().finish(), CheckId::lifecycle_initialized_accepted).status ==
          Status::warn);
  }
}
