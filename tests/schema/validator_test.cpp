#include "mcp_probe/schema/validator.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

TEST_SUITE_BEGIN("unit");

using mcp_probe::json::Json;
using mcp_probe::schema::Validator;

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("schema::Validator loads every embedded version") {
  const auto& versions = mcp_probe::schema::versions();
  CHECK(versions.size() == 5);
  for (const auto& v : versions) {
    auto validator = Validator::for_version(v);
    REQUIRE_MESSAGE(validator, v);
    CHECK((*validator)->has_definition("JSONRPCNotification"));
    CHECK((*validator)->has_definition("InitializeResult") == (v != "2026-07-28"));
  }
  CHECK_FALSE(Validator::for_version("1999-01-01"));
}

TEST_CASE("schema::Validator accepts the official 2026-07-28 examples") {
  auto validator = Validator::for_version("2026-07-28");
  REQUIRE(validator);
  std::filesystem::path root =
      std::filesystem::path(MCP_PROBE_TESTDATA_DIR) / "schema-examples" / "2026-07-28";
  int count = 0;
  for (const auto& dir : std::filesystem::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    std::string definition = dir.path().filename().string();
    for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
      auto doc = mcp_probe::json::parse(read_file(file.path()));
      REQUIRE_MESSAGE(doc, file.path().string());
      auto violations = (*validator)->validate(definition, *doc);
      std::string why =
          violations.empty() ? "" : violations.front().pointer + ": " + violations.front().reason;
      CHECK_MESSAGE(violations.empty(), file.path().string() << " " << why);
      ++count;
    }
  }
  CHECK(count == 129);
}

TEST_CASE("schema::Validator rejects invalid messages with a pointer") {
  auto validator = *Validator::for_version("2025-06-18");

  SUBCASE("wrong type deep inside") {
    Json result = {{"tools", {{{"name", 42}, {"inputSchema", {{"type", "object"}}}}}}};
    auto v = validator->validate("ListToolsResult", result);
    REQUIRE_FALSE(v.empty());
    CHECK(v.front().pointer == "/tools/0/name");
  }
  SUBCASE("missing required member") {
    Json result = {{"protocolVersion", "2025-06-18"}, {"capabilities", Json::object()}};
    auto v = validator->validate("InitializeResult", result);
    REQUIRE_FALSE(v.empty());
    bool named = false;
    for (const auto& x : v) named = named || x.reason.find("serverInfo") != std::string::npos;
    CHECK(named);
  }
  SUBCASE("capability that is not an object") {
    Json result = {{"protocolVersion", "2025-06-18"},
                   {"capabilities", {{"tools", true}}},
                   {"serverInfo", {{"name", "x"}, {"version", "1"}}}};
    auto v = validator->validate("InitializeResult", result);
    REQUIRE_FALSE(v.empty());
    CHECK(v.front().pointer == "/capabilities/tools");
  }
  SUBCASE("content block of an unknown type") {
    Json result = {{"content", {{{"type", "video"}, {"data", "x"}}}}};
    CHECK_FALSE(validator->validate("CallToolResult", result).empty());
  }
  SUBCASE("valid result passes") {
    Json result = {{"content", {{{"type", "text"}, {"text", "hi"}}}}};
    CHECK(validator->validate("CallToolResult", result).empty());
  }
  SUBCASE("unknown definition") {
    auto v = validator->validate("NoSuchThing", Json::object());
    REQUIRE(v.size() == 1);
    CHECK(v.front().reason.find("NoSuchThing") != std::string::npos);
  }
}
