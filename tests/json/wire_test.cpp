#include "mcp_probe/json/wire.h"

#include <doctest/doctest.h>

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::json;

TEST_CASE("json::parse") {
  SUBCASE("keeps integer, unsigned and double apart") {
    auto j = parse(R"({"a":1,"b":9007199254740991,"c":1.0,"d":18446744073709551615,"e":"\u00e9"})");
    REQUIRE(j);
    CHECK((*j)["a"].is_number_integer());
    CHECK((*j)["b"].get<long long>() == 9007199254740991LL);
    CHECK((*j)["c"].is_number_float());
    CHECK((*j)["d"].is_number_unsigned());
    CHECK((*j)["e"].get<std::string>() == "\xc3\xa9");
  }
  SUBCASE("rejects invalid UTF-8, syntax errors, trailing content and empty input") {
    CHECK_FALSE(parse("{\"a\":\"\xff\"}"));
    CHECK(parse("{\"a\":\"\xff\"}").error().message.find("UTF-8") != std::string::npos);
    CHECK_FALSE(parse("{\"a\":"));
    CHECK_FALSE(parse("{} {}"));
    CHECK_FALSE(parse("   "));
    CHECK_FALSE(parse("{'a':1}"));
  }
  SUBCASE("accepts surrounding whitespace") { CHECK(parse(" \t{\"a\":[1,2]}\r\n")); }
}

TEST_CASE("json::classify") {
  CHECK(classify(Json::parse(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")) == MessageKind::request);
  CHECK(classify(Json::parse(R"({"jsonrpc":"2.0","method":"x"})")) == MessageKind::notification);
  CHECK(classify(Json::parse(R"({"jsonrpc":"2.0","id":1,"result":{}})")) == MessageKind::response);
  CHECK(classify(Json::parse(R"({"jsonrpc":"2.0","id":1,"error":{}})")) == MessageKind::error_response);
  CHECK(classify(Json::parse(R"([])")) == MessageKind::batch);
  CHECK(classify(Json::parse(R"(3)")) == MessageKind::invalid);
}
