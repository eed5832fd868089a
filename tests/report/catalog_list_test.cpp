#include "mcp_probe/report/catalog_list.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "mcp_probe/report/progress.h"
#include "report/sample_reports.h"
#include "report/text.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe;

namespace {

std::vector<checks::CheckInfo> entries() {
  auto a =
      test::make_result("lifecycle.initialize.result", "lifecycle", checks::Status::pass, "initialize works")
          .info;
  auto b =
      test::make_result("http.session.unknown-404", "http", checks::Status::pass, "Unknown session | 404")
          .info;
  b.level = checks::Level::should;
  b.transports = "http";
  return {a, b};
}

}  // namespace

TEST_CASE("report::render_catalog") {
  SUBCASE("text is an aligned table") {
    const auto text = report::render_catalog(entries(), report::ListFormat::text);
    CHECK(text.rfind("ID                           LEVEL   VERSIONS  TRANSPORTS  TITLE\n", 0) == 0);
    CHECK(text.find("http.session.unknown-404     should  all       http        Unknown session | 404\n") !=
          std::string::npos);
  }
  SUBCASE("json is an array of objects") {
    const auto doc = nlohmann::json::parse(report::render_catalog(entries(), report::ListFormat::json));
    REQUIRE(doc.size() == 2);
    CHECK(doc[1]["id"] == "http.session.unknown-404");
    CHECK(doc[1]["level"] == "should");
    CHECK(doc[0]["area"] == "lifecycle");
  }
  SUBCASE("markdown links ids and escapes pipes") {
    const auto md = report::render_catalog(entries(), report::ListFormat::markdown);
    CHECK(md.find("| [lifecycle.initialize.result](https://") != std::string::npos);
    CHECK(md.find("Unknown session \\| 404") != std::string::npos);
  }
  SUBCASE("format names") {
    CHECK(report::parse_list_format("markdown") == report::ListFormat::markdown);
    CHECK_FALSE(report::parse_list_format("junit"));
  }
}

TEST_CASE("report::ProgressLine") {
  SUBCASE("formats and fits the terminal width") {
    CHECK(report::ProgressLine::format(12, 80, "lifecycle.version.echo-supported", 100) ==
          "checking… 12/80 lifecycle.version.echo-supported");
    CHECK(report::ProgressLine::format(1, 2, "abcdefghijklmnopqrstuvwxyz", 20).size() - 2 == 19);
  }
  SUBCASE("a disabled line writes nothing") {
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    {
      report::ProgressLine line(f, false, 3);
      line.update(test::make_result("a", "a", checks::Status::pass, "A"));
    }
    CHECK(std::ftell(f) == 0);
    std::fclose(f);
  }
}

TEST_CASE("report::detail text helpers") {
  using namespace report::detail;
  SUBCASE("sanitize_utf8 replaces invalid sequences") {
    CHECK(sanitize_utf8("a\xff"
                        "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(sanitize_utf8("\xC3\xA9") == "\xC3\xA9");
    CHECK(sanitize_utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  }
  SUBCASE("xml_escape handles markup, controls and attributes") {
    CHECK(xml_escape("<a href=\"x\">&'</a>", false) == "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    CHECK(xml_escape("a\x01z\x1b", false) == "a\\x01z\\x1B");
    CHECK(xml_escape("l1\nl2\t", true) == "l1&#10;l2&#9;");
    CHECK(xml_escape("l1\nl2", false) == "l1\nl2");
    CHECK(xml_escape("\xEF\xBF\xBF", false) == "\\uFFFF");
  }
  SUBCASE("markdown_escape neutralises HTML and table syntax") {
    CHECK(markdown_escape("<b>|*x*|</b>\nnext") == "&lt;b&gt;\\|\\*x\\*\\|&lt;/b&gt;<br>next");
  }
  SUBCASE("wrap breaks on words and indents") {
    const auto lines = wrap("aaa bbb ccc ddd", 30, "    ");
    CHECK(lines == std::vector<std::string>{"    aaa bbb ccc ddd"});
    const auto narrow = wrap(std::string(30, 'x') + " " + std::string(30, 'y'), 40, "  ");
    CHECK(narrow.size() == 2);
  }
  SUBCASE("format_ms") {
    CHECK(format_ms(12.4) == "12 ms");
    CHECK(format_ms(1234.5) == "1.2 s");
  }
}
