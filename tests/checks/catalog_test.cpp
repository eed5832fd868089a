#include "mcp_probe/checks/catalog.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "checks/check_def.h"
#include "mcp_probe/report/catalog_list.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe::checks;

namespace {

// The REQUIREMENTS.md group an id belongs to. Group 11 (field diagnostics) and group 9 rows share
// prefixes with other groups, so they are listed explicitly.
int group_of(const std::string& id) {
  static const std::set<std::string> field = {
      "stdio.spawn",          "stdio.stderr.diagnostics",    "stdio.startup.latency",
      "http.cors.preflight",  "http.cors.expose-session-id", "http.sse.unbuffered",
      "http.health.endpoint", "http.keepalive.body-drained"};
  std::string area = id.substr(0, id.find('.'));
  if (area == "connectivity" || field.count(id) != 0) return 11;
  if (area == "tasks" || id == "features.elicitation.safe") return 9;
  if (area == "jsonrpc") return 1;
  if (area == "lifecycle") return 2;
  if (area == "stdio") return 3;
  if (area == "http") return 4;
  if (area == "sse") return 5;
  if (area == "util") return 7;
  if (area == "tools" || area == "resources" || area == "prompts" || area == "features") return 8;
  if (area == "modern") return 10;
  return 0;
}

}  // namespace

TEST_CASE("checks::catalog") {
  const auto& entries = catalog();
  REQUIRE(entries.size() == check_defs().size());

  SUBCASE("ids are unique and well formed") {
    const std::regex id_re("^[a-z0-9-]+(\\.[a-z0-9-]+)+$");
    std::set<std::string> seen;
    for (const auto& e : entries) {
      CAPTURE(e.id);
      CHECK(std::regex_match(e.id, id_re));
      CHECK(seen.insert(e.id).second);
      CHECK(e.area == e.id.substr(0, e.id.find('.')));
    }
  }

  SUBCASE("every entry is documented") {
    for (const auto& e : entries) {
      CAPTURE(e.id);
      CHECK(!e.title.empty());
      CHECK(e.title.size() <= 80);
      // The MCP spec, except for the CORS rows: no MCP spec section mentions CORS (issue 14).
      if (e.id.rfind("http.cors.", 0) == 0)
        CHECK(e.spec == "https://fetch.spec.whatwg.org/#http-cors-protocol");
      else
        CHECK(e.spec.rfind("https://modelcontextprotocol.io/", 0) == 0);
      CHECK(e.spec.find(' ') == std::string::npos);
      CHECK(!e.diagnosis.empty());
      CHECK(!e.versions.empty());
      CHECK(!e.transports.empty());
    }
  }

  SUBCASE("no authorization rows") {
    for (const auto& e : entries) {
      CAPTURE(e.id);
      CHECK(e.area != "auth");
    }
  }

  SUBCASE("modern rows apply to 2026-07-28 only") {
    for (const auto& d : check_defs()) {
      if (d.info.area != "modern" || d.info.id == "modern.era.detected") continue;
      CAPTURE(d.info.id);
      CHECK(d.versions == k_v2026_07_28);
      CHECK(d.info.spec.find("/specification/2026-07-28/") != std::string::npos);
    }
  }

  SUBCASE("connectivity comes first") {
    REQUIRE(entries.size() > 7);
    for (std::size_t i = 0; i < 7; ++i) {
      CAPTURE(entries[i].id);
      CHECK((entries[i].area == "connectivity" || entries[i].id == "stdio.spawn"));
    }
  }

  SUBCASE("rows per group match REQUIREMENTS.md plus the extras") {
    // Extras: connectivity.transport-detected and http.keepalive.body-drained (group 11, issue 14),
    // lifecycle.initialized.accepted (group 2), modern.server-info.meta (the INFO note of group 10)
    // and modern.era.detected (group 10).
    const std::map<int, int> expected = {{1, 15}, {2, 10 + 1}, {3, 5}, {4, 23},      {5, 4},
                                         {7, 13}, {8, 24},     {9, 1}, {10, 16 + 2}, {11, 12 + 2}};
    // (MUST, SHOULD, INFO) per group, as in the document's row-count table, except group 11:
    // the two http.cors.* rows are INFO, not SHOULD (issue 14: field advice with no spec text).
    const std::map<int, std::tuple<int, int, int>> levels = {
        {1, {11, 4, 0}}, {2, {5, 6, 0}},  {3, {3, 2, 0}}, {4, {14, 8, 1}},  {5, {3, 1, 0}},
        {7, {8, 5, 0}},  {8, {17, 7, 0}}, {9, {1, 0, 0}}, {10, {14, 2, 2}}, {11, {6, 2, 6}}};
    std::map<int, int> counts;
    std::map<int, std::tuple<int, int, int>> level_counts;
    for (const auto& e : entries) {
      int g = group_of(e.id);
      CAPTURE(e.id);
      CHECK(g != 0);
      ++counts[g];
      auto& [must, should, info] = level_counts[g];
      (e.level == Level::must ? must : e.level == Level::should ? should : info)++;
    }
    CHECK(counts == expected);
    CHECK(level_counts == levels);
    CHECK(entries.size() == k_check_count);
  }

  SUBCASE("masks are set and match the transport of the id") {
    for (const auto& d : check_defs()) {
      CAPTURE(d.info.id);
      CHECK(d.versions != 0);
      CHECK((d.versions & ~unsigned{k_all_versions}) == 0);
      CHECK(d.transports != 0);
      CHECK((d.transports & ~unsigned{k_all_transports}) == 0);
      if (d.info.area == "stdio") CHECK(d.transports == k_stdio);
      if (d.info.area == "sse") CHECK(d.transports == k_sse);
      if (d.info.area == "http") CHECK(d.transports == k_http);
      if (d.info.versions == "all") CHECK(d.versions == k_all_versions);
      if (d.info.versions == "legacy") CHECK(d.versions == k_legacy);
      if (d.info.transports == "all") CHECK(d.transports == k_all_transports);
    }
    CHECK(find_def("connectivity.connect")->transports == (k_http | k_sse));
    CHECK(find_def("connectivity.initialize")->transports == k_all_transports);
    CHECK(find_def("http.session.unknown-404")->transports == k_http);
    CHECK(find_def("jsonrpc.batch.supported")->versions == k_v2025_03_26);
  }

  SUBCASE("find_check and find_def") {
    const CheckInfo* info = find_check("http.session.unknown-404");
    REQUIRE(info != nullptr);
    CHECK(info->id == "http.session.unknown-404");
    CHECK(info->area == "http");
    CHECK(info->level == Level::must);
    CHECK(info->kind == Kind::active);
    CHECK(find_check("lifecycle.initialized.accepted") != nullptr);
    CHECK(find_check("connectivity.transport-detected") != nullptr);
    CHECK(find_check("auth.unauthenticated-401") == nullptr);
    CHECK(find_check("") == nullptr);
    const CheckDef* def = find_def("stdio.framing.newline");
    REQUIRE(def != nullptr);
    CHECK(def->info.id == "stdio.framing.newline");
    CHECK(find_def("nope.nope") == nullptr);
    for (const auto& e : entries) CHECK(find_check(e.id) == &e);
  }

  SUBCASE("version_bit") {
    CHECK(version_bit("2024-11-05") == k_v2024_11_05);
    CHECK(version_bit("2025-03-26") == k_v2025_03_26);
    CHECK(version_bit("2025-06-18") == k_v2025_06_18);
    CHECK(version_bit("2025-11-25") == k_v2025_11_25);
    CHECK(version_bit("2026-07-28") == k_v2026_07_28);
    CHECK(version_bit("1900-01-01") == 0);
    CHECK(version_bit("") == 0);
  }

  SUBCASE("to_string and summary") {
    CHECK(std::string(to_string(Status::warn)) == "warn");
    CHECK(std::string(to_string(Level::should)) == "should");
    CHECK(std::string(to_string(Kind::negative)) == "negative");
    RunReport report;
    for (Status s : {Status::pass, Status::pass, Status::fail, Status::warn, Status::skip, Status::error}) {
      CheckResult r;
      r.status = s;
      report.checks.push_back(r);
    }
    RunSummary sum = report.summary();
    CHECK(sum.pass == 2);
    CHECK(sum.fail == 1);
    CHECK(sum.warn == 1);
    CHECK(sum.skip == 1);
    CHECK(sum.error == 1);
  }
}

// docs/checks.md is the catalog as `mcp-probe list-checks --format markdown` prints it, under a
// hand-written introduction. MCP_PROBE_UPDATE_GOLDENS=1 rewrites the table.
TEST_CASE("checks::catalog docs/checks.md is current") {
  const std::string path = std::string(MCP_PROBE_SOURCE_DIR) + "/docs/checks.md";
  std::string text;
  {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot read " << path);
    std::ostringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  const auto table_at = text.find("| ID |");
  REQUIRE(table_at != std::string::npos);
  const std::string table =
      mcp_probe::report::render_catalog(catalog(), mcp_probe::report::ListFormat::markdown);
  if (std::getenv("MCP_PROBE_UPDATE_GOLDENS") != nullptr) {
    std::ofstream(path) << text.substr(0, table_at) << table;
    return;
  }
  INFO("regenerate with MCP_PROBE_UPDATE_GOLDENS=1");
  CHECK(text.substr(table_at) == table);
}

TEST_SUITE_END();
