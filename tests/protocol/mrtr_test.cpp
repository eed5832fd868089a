// The probe's answers to multi round-trip input requests (protocol/mrtr.h).

#include "mcp_probe/protocol/mrtr.h"

#include <doctest/doctest.h>

TEST_SUITE_BEGIN("unit");

using mcp_probe::json::Json;
namespace protocol = mcp_probe::protocol;

namespace {

const Json k_elicit = {{"method", "elicitation/create"},
                       {"params", {{"message", "Name?"}, {"requestedSchema", {{"type", "object"}}}}}};
const Json k_sample = {{"method", "sampling/createMessage"}, {"params", {{"messages", Json::array()}}}};
const Json k_roots = {{"method", "roots/list"}};

}  // namespace

TEST_CASE("protocol::mrtr answers") {
  const Json all = protocol::client_capabilities_for(protocol::answerable_capabilities());
  SUBCASE("capabilities") {
    CHECK(all ==
          Json{{"elicitation", Json::object()}, {"sampling", Json::object()}, {"roots", Json::object()}});
    CHECK(protocol::client_capabilities_for({}) == Json::object());
    CHECK(protocol::declares(all, "sampling"));
    CHECK_FALSE(protocol::declares(Json{{"sampling", true}}, "sampling"));
  }
  SUBCASE("one answer per capability, only when declared") {
    CHECK(protocol::answer_input_request(k_elicit, all) == Json{{"action", "decline"}});
    CHECK(protocol::answer_input_request(k_roots, all) == Json{{"roots", Json::array()}});
    const auto sampled = protocol::answer_input_request(k_sample, all);
    REQUIRE(sampled);
    CHECK((*sampled)["content"]["type"] == "text");
    CHECK((*sampled)["role"] == "assistant");
    CHECK_FALSE(protocol::answer_input_request(k_sample, Json{{"elicitation", Json::object()}}));
    CHECK_FALSE(protocol::answer_input_request(Json{{"method", "ping"}}, all));
    CHECK_FALSE(protocol::answer_input_request(Json("not a request"), all));
  }
  SUBCASE("the retry echoes requestState and answers every key") {
    const Json params = {{"name", "t"}, {"arguments", Json::object()}, {"requestState", "old"}};
    const Json irr = {{"resultType", "input_required"},
                      {"inputRequests", {{"a", k_elicit}, {"b", k_roots}}},
                      {"requestState", "opaque-1"}};
    const auto retry = protocol::retry_params(params, irr, all);
    REQUIRE(retry);
    CHECK((*retry)["name"] == "t");
    CHECK((*retry)["requestState"] == "opaque-1");
    CHECK((*retry)["inputResponses"]["a"] == Json{{"action", "decline"}});
    CHECK((*retry)["inputResponses"]["b"] == Json{{"roots", Json::array()}});
  }
  SUBCASE("no requestState in the retry when the result had none") {
    const Json irr = {{"resultType", "input_required"}, {"inputRequests", {{"a", k_roots}}}};
    const auto retry = protocol::retry_params({{"requestState", "stale"}}, irr, all);
    REQUIRE(retry);
    CHECK_FALSE(retry->contains("requestState"));
  }
  SUBCASE("state only: retried at once, without inputResponses") {
    const auto retry = protocol::retry_params(Json::object(), {{"requestState", "s"}}, Json::object());
    REQUIRE(retry);
    CHECK_FALSE(retry->contains("inputResponses"));
    CHECK((*retry)["requestState"] == "s");
  }
  SUBCASE("an undeclared or malformed input request stops the retries") {
    const Json irr = {{"inputRequests", {{"a", k_elicit}, {"b", k_sample}}}};
    CHECK_FALSE(protocol::retry_params(Json::object(), irr, Json{{"elicitation", Json::object()}}));
    CHECK_FALSE(protocol::retry_params(Json::object(), {{"inputRequests", Json::array()}}, all));
    CHECK_FALSE(protocol::retry_params(Json::object(), Json("x"), all));
  }
  SUBCASE("input_required replies") {
    CHECK(protocol::is_input_required({{"id", 1}, {"result", {{"resultType", "input_required"}}}}));
    CHECK_FALSE(protocol::is_input_required({{"id", 1}, {"result", {{"resultType", "complete"}}}}));
    CHECK_FALSE(protocol::is_input_required({{"id", 1}, {"error", {{"code", -32021}}}}));
    CHECK(protocol::may_require_input("prompts/get"));
    CHECK_FALSE(protocol::may_require_input("tools/list"));
  }
}
