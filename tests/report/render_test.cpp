#include "mcp_probe/report/render.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "report/sample_reports.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe;
using mcp_probe::test::check_golden;

namespace {

// A minimal well-formedness check for the JUnit output: balanced tags, only known entities,
// quoted attributes, no characters XML 1.0 forbids.
bool well_formed_xml(const std::string& xml, std::string& why) {
  std::vector<std::string> stack;
  for (std::size_t i = 0; i < xml.size(); ++i) {
    const auto c = static_cast<unsigned char>(xml[i]);
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
      return why = "control character at " + std::to_string(i), false;
    if (c == '&') {
      const auto semi = xml.find(';', i);
      const std::string entity = xml.substr(i, semi - i + 1);
      if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;" &&
          entity != "&apos;" && entity != "&#9;" && entity != "&#10;" && entity != "&#13;") {
        return why = "bad entity " + entity, false;
      }
    }
    if (c != '<') continue;
    const auto end = xml.find('>', i);
    if (end == std::string::npos) return why = "unterminated tag", false;
    const std::string tag = xml.substr(i + 1, end - i - 1);
    if (tag.find('<') != std::string::npos) return why = "'<' inside a tag: " + tag, false;
    std::size_t quotes = 0;
    for (char t : tag) quotes += t == '"';
    if (quotes % 2 != 0) return why = "unbalanced quotes in " + tag, false;
    if (tag[0] == '?') {
    } else if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1))
        return why = "mismatched </" + tag.substr(1) + ">", false;
      stack.pop_back();
    } else if (tag.back() != '/') {
      stack.push_back(tag.substr(0, tag.find_first_of(" \n")));
    }
    i = end;
  }
  if (!stack.empty()) return why = "unclosed <" + stack.back() + ">", false;
  return true;
}

report::ReportOptions plain() { return report::ReportOptions{}; }

}  // namespace

TEST_CASE("report::render_human") {
  SUBCASE("matches the golden without colour") {
    const auto text = report::render_human(test::mixed_report(), plain());
    CHECK(text.find('\033') == std::string::npos);
    check_golden("mixed.human.txt", text);
  }
  SUBCASE("a report that never connected names the failed check and shows the server's stderr") {
    const auto text = report::render_human(test::not_connected_report(), plain());
    CHECK(text.find("Could not connect: lifecycle.initialize.responds") != std::string::npos);
    CHECK(text.find("Cannot find module") != std::string::npos);
    CHECK(text.find("NOT CONNECTED") != std::string::npos);
    check_golden("not_connected.human.txt", text);
  }
  SUBCASE("colour paints the status words") {
    auto options = plain();
    options.color = true;
    const auto text = report::render_human(test::mixed_report(), options);
    CHECK(text.find("\033[32mPASS") != std::string::npos);
    CHECK(text.find("\033[31mFAIL") != std::string::npos);
    CHECK(text.find("\033[33mWARN") != std::string::npos);
  }
  SUBCASE("timings add per-check durations") {
    auto options = plain();
    CHECK(report::render_human(test::mixed_report(), options).find("(12 ms)") == std::string::npos);
    options.timings = true;
    CHECK(report::render_human(test::mixed_report(), options).find("(12 ms)") != std::string::npos);
  }
  SUBCASE("baselined failures are marked and the verdict follows the policy") {
    auto options = plain();
    options.policy.expected_failures = {"lifecycle.version.echo-supported", "tools.list.names",
                                        "jsonrpc.id.string"};
    const auto text = report::render_human(test::mixed_report(), options);
    CHECK(text.find("[expected failure]") != std::string::npos);
    CHECK(text.find("Result: PASS") != std::string::npos);
    options.policy.fail_on_should = true;
    CHECK(report::render_human(test::mixed_report(), options).find("Result: FAIL") != std::string::npos);
  }
  SUBCASE("long diagnoses wrap at 100 columns") {
    const auto text = report::render_human(test::mixed_report(), plain());
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      CHECK(end - start <= 120);
    }
  }
}

TEST_CASE("report::render_json") {
  SUBCASE("matches the golden and parses") {
    const auto text = report::render_json(test::mixed_report(), plain());
    check_golden("mixed.json", text);
    const auto doc = nlohmann::json::parse(text);
    CHECK(doc["schemaVersion"] == 1);
    CHECK(doc["checks"].size() == 6);
    CHECK(doc["summary"]["fail"] == 2);
    CHECK(doc["verdict"]["result"] == "fail");
  }
  SUBCASE("durations only with timings") {
    auto options = plain();
    auto doc = nlohmann::json::parse(report::render_json(test::mixed_report(), options));
    CHECK_FALSE(doc["checks"][0].contains("durationMs"));
    CHECK_FALSE(doc["summary"].contains("wallMs"));
    options.timings = true;
    doc = nlohmann::json::parse(report::render_json(test::mixed_report(), options));
    CHECK(doc["checks"][0]["durationMs"] == 12.25);
    CHECK(doc["summary"]["wallMs"] == 1234.5);
  }
  SUBCASE("a report that never connected") {
    const auto text = report::render_json(test::not_connected_report(), plain());
    check_golden("not_connected.json", text);
    const auto doc = nlohmann::json::parse(text);
    CHECK(doc["summary"]["connected"] == false);
    CHECK(doc["protocolVersion"].is_null());
    CHECK(doc["verdict"]["result"] == "not-connected");
  }
  SUBCASE("is deterministic") {
    CHECK(report::render_json(test::mixed_report(), plain()) ==
          report::render_json(test::mixed_report(), plain()));
  }
}

TEST_CASE("report::render_junit") {
  SUBCASE("matches the golden and is well-formed") {
    const auto xml = report::render_junit(test::mixed_report(), plain());
    check_golden("mixed.junit.xml", xml);
    std::string why;
    CHECK_MESSAGE(well_formed_xml(xml, why), why);
    CHECK(xml.find("&lt;script&gt;") != std::string::npos);
    CHECK(xml.find("\\x01") != std::string::npos);
    CHECK(xml.find("<testsuite name=\"lifecycle\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\">") !=
          std::string::npos);
    CHECK(xml.find("<error message=\"the request could not be sent") != std::string::npos);
    CHECK(xml.find("<skipped message=\"not applicable to this version\"/>") != std::string::npos);
  }
  SUBCASE("a warning passes with its detail in system-out, and fails with --fail-on should") {
    auto options = plain();
    auto xml = report::render_junit(test::mixed_report(), options);
    CHECK(xml.find("<failure message=\"warning:") == std::string::npos);
    CHECK(xml.find("<system-out>serverInfo.version is empty") != std::string::npos);
    options.policy.fail_on_should = true;
    xml = report::render_junit(test::mixed_report(), options);
    CHECK(xml.find("<failure message=\"warning: serverInfo.version is empty\" type=\"should\">") !=
          std::string::npos);
  }
  SUBCASE("baselined failures are skipped, stale entries fail") {
    auto options = plain();
    options.policy.expected_failures = {"lifecycle.version.echo-supported", "lifecycle.initialize.result"};
    const auto xml = report::render_junit(test::mixed_report(), options);
    CHECK(xml.find("<skipped message=\"expected failure (baseline): the server answered 1999-01-01\"/>") !=
          std::string::npos);
    CHECK(xml.find("expected failure lifecycle.initialize.result now passes: remove it from the baseline") !=
          std::string::npos);
    std::string why;
    CHECK_MESSAGE(well_formed_xml(xml, why), why);
  }
  SUBCASE("a report that never connected carries the server's stderr") {
    const auto xml = report::render_junit(test::not_connected_report(), plain());
    check_golden("not_connected.junit.xml", xml);
    std::string why;
    CHECK_MESSAGE(well_formed_xml(xml, why), why);
    CHECK(xml.find("<system-err>Error: Cannot find module") != std::string::npos);
  }
}

TEST_CASE("report::render_markdown") {
  SUBCASE("matches the golden") {
    const auto md = report::render_markdown(test::mixed_report(), plain());
    check_golden("mixed.md", md);
    CHECK(md.rfind("## ❌ mcp-probe: FAIL", 0) == 0);
    CHECK(md.find("<script>") == std::string::npos);
    CHECK(md.find("a\\|b") != std::string::npos);
    CHECK(md.find("<details><summary>All 6 checks</summary>") != std::string::npos);
  }
  SUBCASE("a report that never connected") {
    const auto md = report::render_markdown(test::not_connected_report(), plain());
    check_golden("not_connected.md", md);
    CHECK(md.rfind("## ⛔ mcp-probe: could not connect", 0) == 0);
  }
  SUBCASE("a clean run") {
    auto r = test::mixed_report();
    r.checks.resize(1);
    CHECK(report::render_markdown(r, plain()).rfind("## ✅ mcp-probe: PASS", 0) == 0);
  }
}

TEST_CASE("report::parse_format") {
  CHECK(report::parse_format("junit") == report::Format::junit);
  CHECK_FALSE(report::parse_format("xml"));
  CHECK(std::string(report::to_string(report::Format::markdown)) == "markdown");
}

TEST_CASE("report::details and wrapping") {
  using checks::Status;
  checks::RunReport report = test::mixed_report();
  auto warn =
      test::make_result("resources.read.listed", "resources", Status::warn, "Listed resources can be read",
                        "a listed resource cannot be read: env://a (+2 more)");
  warn.info.level = checks::Level::should;
  warn.observed = R"({"error":{"code":-32603,"message":"no API key configured for this server instance"}})";
  warn.details = {{Status::warn, "a listed resource cannot be read: env://a", "its contents", warn.observed},
                  {Status::warn, "a listed resource cannot be read: env://b", "its contents", "no reply"},
                  {Status::warn, "a listed resource cannot be read: env://c", "its contents", "no reply"}};
  report.checks.push_back(warn);
  SUBCASE("JSON lists every violation of a check that had more than one") {
    const auto doc = nlohmann::json::parse(report::render_json(report, plain()));
    const auto& checks = doc["checks"];
    const auto& last = checks.back();
    REQUIRE(last.contains("details"));
    REQUIRE(last["details"].size() == 3);
    CHECK(last["details"][2]["message"] == "a listed resource cannot be read: env://c");
    CHECK(last["details"][0]["status"] == "warn");
    CHECK_FALSE(last.contains("detailsDropped"));
    for (std::size_t i = 0; i + 1 < checks.size(); ++i) CHECK_FALSE(checks[i].contains("details"));
  }
  SUBCASE("human output lists them with -v only") {
    CHECK(report::render_human(report, plain()).find("also:") == std::string::npos);
    auto options = plain();
    options.details = true;
    const auto text = report::render_human(report, options);
    CHECK(text.find("also: a listed resource cannot be read: env://b (observed: no reply)") !=
          std::string::npos);
    CHECK(text.find("also: a listed resource cannot be read: env://c") != std::string::npos);
  }
  SUBCASE("human output wraps at the width asked, never inside a JSON string of observed") {
    auto options = plain();
    options.width = 60;
    const auto text = report::render_human(report, options);
    INFO(text);
    CHECK(text.find(R"("no API key configured for this server instance")") != std::string::npos);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      // The wrapped detail lines; a quoted string or a URL may overflow rather than break.
      const bool detail = line.rfind("         ", 0) == 0;
      if (detail && line.find('"') == std::string::npos && line.find("://") == std::string::npos)
        CHECK(line.size() <= 60);
    }
  }
}
