// The 2026-07-28 request-header checks of mcp-refserver's Streamable HTTP front-end
// (http_modern.cpp): value decoding, x-mcp-header annotations, header/body validation.
#include <doctest/doctest.h>

#include <map>

#include "refserver/http_internal.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::refserver::http;
using nlohmann::json;

namespace {

// Headers by lowercase name.
struct Headers {
  std::map<std::string, std::string> values;
  HeaderLookup lookup() const {
    return [this](const char* name) -> std::optional<std::string_view> {
      std::string key(name);
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto it = values.find(key);
      if (it == values.end()) return std::nullopt;
      return it->second;
    };
  }
};

json call(const json& arguments, const std::string& name = "tool",
          const std::string& version = "2026-07-28") {
  return {{"jsonrpc", "2.0"},
          {"id", 7},
          {"method", "tools/call"},
          {"params",
           {{"name", name},
            {"arguments", arguments},
            {"_meta",
             {{"io.modelcontextprotocol/protocolVersion", version},
              {"io.modelcontextprotocol/clientCapabilities", json::object()}}}}}};
}

Headers good_headers(const std::string& name = "tool") {
  return Headers{{{"mcp-protocol-version", "2026-07-28"}, {"mcp-method", "tools/call"}, {"mcp-name", name}}};
}

}  // namespace

TEST_CASE("refserver::http decode_header_value") {
  std::string out;
  SUBCASE("plain values are trimmed of OWS and kept as they are") {
    CHECK(decode_header_value("  us-west1\t", out));
    CHECK(out == "us-west1");
  }
  SUBCASE("the Base64 sentinel is decoded (the spec's examples)") {
    CHECK(decode_header_value("=?base64?SGVsbG8sIOS4lueVjA==?=", out));
    CHECK(out == "Hello, \xe4\xb8\x96\xe7\x95\x8c");
    CHECK(decode_header_value("=?base64?IHBhZGRlZCA=?=", out));
    CHECK(out == " padded ");
    CHECK(decode_header_value("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=", out));
    CHECK(out == "=?base64?literal?=");
  }
  SUBCASE("invalid Base64 is rejected: missing padding, characters outside the alphabet") {
    CHECK_FALSE(decode_header_value("=?base64?SGVsbG8?=", out));
    CHECK_FALSE(decode_header_value("=?base64?SGVs!!!bG8=?=", out));
    CHECK_FALSE(decode_header_value("=?base64?SG=sbG8=?=", out));
  }
  SUBCASE("without both markers the value is literal") {
    CHECK(decode_header_value("SGVsbG8=", out));
    CHECK(out == "SGVsbG8=");
    CHECK(decode_header_value("=?base64?SGVsbG8=", out));
    CHECK(out == "=?base64?SGVsbG8=");
  }
  SUBCASE("control and non-ASCII characters in a plain value are invalid") {
    CHECK_FALSE(decode_header_value("a\x01z", out));
    CHECK_FALSE(decode_header_value("caf\xc3\xa9", out));
  }
}

TEST_CASE("refserver::http header_params") {
  json schema = {
      {"type", "object"},
      {"properties",
       {{"region", {{"type", "string"}, {"x-mcp-header", "Region"}}},
        {"query", {{"type", "string"}}},
        {"nested",
         {{"type", "object"}, {"properties", {{"count", {{"type", "integer"}, {"x-mcp-header", "Count"}}}}}}},
        {"list", {{"type", "array"}, {"items", {{"type", "string"}, {"x-mcp-header", "Item"}}}}}}}};
  auto params = header_params(schema);
  REQUIRE(params.size() == 2);
  std::map<std::string, HeaderParam> by_name;
  for (const auto& p : params) by_name[p.header] = p;
  CHECK(by_name["Region"].path == std::vector<std::string>{"region"});
  CHECK(by_name["Count"].path == std::vector<std::string>{"nested", "count"});
  CHECK(by_name["Count"].type == "integer");
  CHECK(by_name.count("Item") == 0);  // only `properties` chains count
}

TEST_CASE("refserver::http modern_header_mismatch") {
  SUBCASE("matching headers pass; header names are case-insensitive, values trimmed") {
    Headers h = good_headers();
    h.values["mcp-name"] = "  tool  ";
    CHECK(modern_header_mismatch(h.lookup(), call(json::object()), nullptr).empty());
  }
  SUBCASE("MCP-Protocol-Version missing or different from _meta") {
    Headers h = good_headers();
    h.values.erase("mcp-protocol-version");
    CHECK(modern_header_mismatch(h.lookup(), call(json::object()), nullptr).find("MCP-Protocol-Version") ==
          0);
    h.values["mcp-protocol-version"] = "2026-07-28";
    CHECK_FALSE(
        modern_header_mismatch(h.lookup(), call(json::object(), "tool", "v999.0.0"), nullptr).empty());
  }
  SUBCASE("an unsupported version named alike in header and body is the core's -32022, not a mismatch") {
    Headers h = good_headers();
    h.values["mcp-protocol-version"] = "v999.0.0";
    CHECK(modern_header_mismatch(h.lookup(), call(json::object(), "tool", "v999.0.0"), nullptr).empty());
  }
  SUBCASE("Mcp-Method missing, different, or of another case") {
    Headers h = good_headers();
    h.values["mcp-method"] = "TOOLS/CALL";
    CHECK_FALSE(modern_header_mismatch(h.lookup(), call(json::object()), nullptr).empty());
    h.values.erase("mcp-method");
    CHECK_FALSE(modern_header_mismatch(h.lookup(), call(json::object()), nullptr).empty());
  }
  SUBCASE("Mcp-Name missing, different, or Base64 of the body value") {
    Headers h = good_headers("wrong_tool_name");
    CHECK_FALSE(modern_header_mismatch(h.lookup(), call(json::object()), nullptr).empty());
    h.values.erase("mcp-name");
    CHECK_FALSE(modern_header_mismatch(h.lookup(), call(json::object()), nullptr).empty());
    h.values["mcp-name"] = "=?base64?dG9vbA==?=";  // "tool"
    CHECK(modern_header_mismatch(h.lookup(), call(json::object()), nullptr).empty());
  }
  SUBCASE("Mcp-Name on tasks/get is compared with params.taskId when sent") {
    json get = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tasks/get"}, {"params", {{"taskId", "t-1"}}}};
    Headers h{{{"mcp-protocol-version", "2026-07-28"}, {"mcp-method", "tasks/get"}}};
    CHECK(modern_header_mismatch(h.lookup(), get, nullptr).empty());
    h.values["mcp-name"] = "t-2";
    CHECK_FALSE(modern_header_mismatch(h.lookup(), get, nullptr).empty());
  }
  SUBCASE("Mcp-Param headers: required when the argument is present, decoded, compared by type") {
    std::vector<HeaderParam> params{
        {"Region", {"region"}, "string"}, {"Count", {"count"}, "integer"}, {"Flag", {"flag"}, "boolean"}};
    Headers h = good_headers();
    json args = {{"region", "Hello"}, {"count", 42}, {"flag", true}};
    CHECK_FALSE(modern_header_mismatch(h.lookup(), call(args), &params).empty());  // none sent
    h.values["mcp-param-region"] = "=?base64?SGVsbG8=?=";
    h.values["mcp-param-count"] = "42.0";
    h.values["mcp-param-flag"] = "true";
    CHECK(modern_header_mismatch(h.lookup(), call(args), &params).empty());
    h.values["mcp-param-region"] = "=?base64?SGVsbG8?=";
    CHECK_FALSE(modern_header_mismatch(h.lookup(), call(args), &params).empty());
    h.values["mcp-param-region"] = "Bye";
    CHECK_FALSE(modern_header_mismatch(h.lookup(), call(args), &params).empty());
    h.values["mcp-param-region"] = "Hello";
    h.values["mcp-param-flag"] = "TRUE";
    CHECK_FALSE(modern_header_mismatch(h.lookup(), call(args), &params).empty());
  }
  SUBCASE("an absent or null argument expects no header") {
    std::vector<HeaderParam> params{{"Region", {"region"}, "string"}};
    Headers h = good_headers();
    CHECK(modern_header_mismatch(h.lookup(), call(json::object()), &params).empty());
    CHECK(modern_header_mismatch(h.lookup(), call({{"region", nullptr}}), &params).empty());
  }
}

TEST_CASE("refserver::http modern_reply_status") {
  mcp_probe::refserver::Config config;
  CHECK(modern_reply_status(config, R"({"jsonrpc":"2.0","id":1,"result":{"content":[]}})") == 200);
  int code = 0;
  CHECK(modern_reply_status(config, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"x"}})",
                            &code) == 404);
  CHECK(code == -32601);
  CHECK(modern_reply_status(config, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"x"}})") ==
        400);
  CHECK(modern_reply_status(config, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"x"}})") ==
        400);
  CHECK(modern_reply_status(config, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32021,"message":"x"}})") ==
        400);
  CHECK(modern_reply_status(config, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"x"}})") ==
        200);
  config.faults.insert("unknown-method-200");
  CHECK(modern_reply_status(config, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"x"}})") ==
        200);
}

TEST_SUITE_END();
