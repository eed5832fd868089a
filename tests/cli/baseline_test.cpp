#include "mcp_probe/cli/baseline.h"

#include <doctest/doctest.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>

#include "mcp_probe/cli/commands.h"
#include "mcp_probe/cli/terminal.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe;
using namespace mcp_probe::cli;

TEST_CASE("cli::parse_baseline") {
  SUBCASE("one id per line, comments and blanks ignored") {
    const auto ids = parse_baseline("# known failures\nlifecycle.a\n\n  tools.b  # flaky\r\n#x\n");
    CHECK(ids == std::set<std::string>{"lifecycle.a", "tools.b"});
  }
  SUBCASE("an unreadable file is a usage error") {
    auto missing = load_baseline("/nonexistent/baseline.txt");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == util::ErrorKind::usage);
    CHECK_FALSE(load_baseline("/"));
  }
  SUBCASE("a readable file") {
    char path[] = "/tmp/mcp-probe-baseline-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    ::close(fd);
    std::ofstream(path) << "a.b\n";
    auto ids = load_baseline(path);
    std::remove(path);
    REQUIRE(ids);
    CHECK(*ids == std::set<std::string>{"a.b"});
  }
}

TEST_CASE("cli::use_color") {
  Environment env;
  SUBCASE("auto follows the terminal") {
    CHECK(use_color(ColorMode::auto_detect, true, env));
    CHECK_FALSE(use_color(ColorMode::auto_detect, false, env));
  }
  SUBCASE("NO_COLOR and TERM=dumb disable colour in auto mode") {
    env.no_color = "1";
    CHECK_FALSE(use_color(ColorMode::auto_detect, true, env));
    env.no_color = "";
    CHECK(use_color(ColorMode::auto_detect, true, env));
    env.term = "dumb";
    CHECK_FALSE(use_color(ColorMode::auto_detect, true, env));
  }
  SUBCASE("always and never") {
    env.no_color = "1";
    CHECK(use_color(ColorMode::always, false, env));
    CHECK_FALSE(use_color(ColorMode::never, true, Environment{}));
  }
  SUBCASE("the progress line needs a quiet terminal") {
    Options o;
    CHECK(show_progress(o, true, Environment{}));
    CHECK_FALSE(show_progress(o, false, Environment{}));
    Environment no_color;
    no_color.no_color = "yes";
    CHECK_FALSE(show_progress(o, true, no_color));
    o.verbosity = 1;
    CHECK_FALSE(show_progress(o, true, Environment{}));
  }
}

TEST_CASE("cli::exit_code") {
  CHECK(exit_code(report::Outcome::pass) == 0);
  CHECK(exit_code(report::Outcome::fail) == 1);
  CHECK(exit_code(report::Outcome::not_connected) == 3);
  CHECK(exit_code(report::Outcome::interrupted) == 130);
}

TEST_CASE("cli::parse_listening_line") {
  CHECK(parse_listening_line("listening on http://127.0.0.1:40123/mcp") == "http://127.0.0.1:40123/mcp");
  CHECK(parse_listening_line("[refserver] listening on http://[::1]:8/mcp\r") == "http://[::1]:8/mcp");
  CHECK_FALSE(parse_listening_line("starting"));
  CHECK_FALSE(parse_listening_line("listening on "));
}
