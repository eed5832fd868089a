#include "mcp_probe/json/wire.h"

#include <doctest/doctest.h>

#include <vector>

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
  SUBCASE("builds the tree nlohmann's parser builds: key order, repeated keys, nesting") {
    const char* const texts[] = {
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}})",
        R"({"a":1,"b":2,"c":3,"d":{"z":[],"y":{},"x":[{"k":null}]}})",
        R"({"b":1,"a":2,"b":3,"a":{"x":1},"a":[true,false],"c":"a long string value beyond SSO"})",
        R"({"k":1,"k":2,"k":{"n":1,"n":null}})",
        R"([{"z":1,"a":2},[],{},"",-0.5,18446744073709551615,-9223372036854775808])",
        R"("just a string")",
        "null",
    };
    for (const char* text : texts) {
      auto j = parse(text);
      REQUIRE(j);
      CHECK(*j == Json::parse(text));
      CHECK(dump(*j) == Json::parse(text).dump());
    }
  }
}

TEST_CASE("json::dump writes what nlohmann's dump writes, byte for byte") {
  const auto reference = [](const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); };
  const std::vector<Json> values = {
      Json::parse(
          R"({"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"Echo: hi"}],"isError":false}})"),
      Json::parse(
          R"({"a":[],"b":{},"c":null,"d":true,"e":false,"f":-9223372036854775808,"g":18446744073709551615})"),
      Json::parse(R"({"f":1.0,"g":0.1,"h":-2.5e-300,"i":1e300,"j":[1.5,2,-0.0]})"),
      Json::parse(R"({"quote\"key":"tab\tnew\nline\u0001\u001f \\ / \u007f","é":"ünïcödé ✓ 𝄞"})"),
      Json(std::string("bad \xff\xfe utf-8 \xc3")),
      Json(std::string("\x7f"
                       " del and ~")),
      Json::array({Json::object(), Json::array(), "", 0, -1, 42u}),
      Json(nullptr),
      Json(3.141592653589793),
  };
  for (const Json& v : values) CHECK(dump(v) == reference(v));
}

TEST_CASE("json::classify") {
  CHECK(classify(Json::parse(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")) == MessageKind::request);
  CHECK(classify(Json::parse(R"({"jsonrpc":"2.0","method":"x"})")) == MessageKind::notification);
  CHECK(classify(Json::parse(R"({"jsonrpc":"2.0","id":1,"result":{}})")) == MessageKind::response);
  CHECK(classify(Json::parse(R"({"jsonrpc":"2.0","id":1,"error":{}})")) == MessageKind::error_response);
  CHECK(classify(Json::parse(R"([])")) == MessageKind::batch);
  CHECK(classify(Json::parse(R"(3)")) == MessageKind::invalid);
}

TEST_CASE("json::member and json::dump_to") {
  const Json small = Json::parse(R"({"id":1,"method":"ping","params":{}})");
  REQUIRE(member(small, "method") != nullptr);
  CHECK(*member(small, "method") == "ping");
  CHECK(member(small, "metho") == nullptr);
  CHECK(member(small, "result") == nullptr);
  Json large = Json::object();  // past the scan: the map's own search
  for (int i = 0; i < 20; ++i) large["k" + std::to_string(i)] = i;
  REQUIRE(member(large, "k17") != nullptr);
  CHECK(*member(large, "k17") == 17);
  CHECK(member(large, "k20") == nullptr);
  CHECK(member(Json::array({1}), "0") == nullptr);
  CHECK(member(Json("method"), "method") == nullptr);
  // What the map's own find says, for names and keys that share first bytes, sort before,
  // between and after the names, are empty, or start with a byte above 0x7f.
  const Json mixed = Json::parse(R"({"":0,"id":1,"idx":2,"jsonrpc":3,"m":4,"method":5,"été":6})");
  for (const char* key : {"", "i", "id", "idx", "idy", "ia", "jsonrpc", "json", "m", "me", "method",
                          "methods", "z", "A", "_meta", "été", "é", "ÿ"}) {
    const auto found = mixed.find(key);
    CHECK(member(mixed, key) == (found == mixed.end() ? nullptr : &*found));
  }
  std::string out = "prefix:";
  dump_to(small, out);
  CHECK(out == "prefix:" + dump(small));
}

TEST_CASE("json::release") {
  SUBCASE("leaves the value null, whatever it held") {
    for (const char* text : {R"({"content":[{"type":"text","text":"hi"}],"isError":false})", "[1,[2,[3]],{}]",
                             R"("a string")", "42", "null"}) {
      Json value = Json::parse(text);
      release(value);
      CHECK(value.is_null());
    }
  }
  SUBCASE("a tree deeper than its recursion goes") {
    const std::string deep = std::string(5000, '[') + std::string(5000, ']');
    Json value = Json::parse(deep);
    release(value);
    CHECK(value.is_null());
  }
}

TEST_CASE("json::dump_string_to writes a string as nlohmann's dump does") {
  // Invalid UTF-8 too (replaced with U+FFFD, as the sessions' serialisation asks nlohmann to).
  const std::vector<std::string> strings = {"",
                                            "plain",
                                            "quote \" backslash \\ slash /",
                                            "\b\f\n\r\t",
                                            std::string("nul \0 \x01 \x1f \x7f", 11),
                                            "caf\u00e9 \u2028 \U0001F600",
                                            "\xff",
                                            "a\xc3",
                                            "\xed\xa0\x80 surrogate",
                                            "\xc0\xaf overlong",
                                            "\xf4\x90\x80\x80 above U+10FFFF",
                                            "x\x80y"};
  for (const std::string& s : strings) {
    std::string out = "[";
    dump_string_to(s, out);
    CHECK(out == "[" + Json(s).dump(-1, ' ', false, Json::error_handler_t::replace));
  }
}
