#include "mcp_probe/cli/options.h"

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe;
using namespace mcp_probe::cli;

namespace {

util::Expected<Options> parse(std::initializer_list<const char*> args, Environment env = {}) {
  std::vector<const char*> argv{"mcp-probe"};
  argv.insert(argv.end(), args.begin(), args.end());
  return parse_options(static_cast<int>(argv.size()), argv.data(), env);
}

// A usage error: ErrorKind::usage with one line of text.
void check_usage_error(const util::Expected<Options>& result, const std::string& fragment) {
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == util::ErrorKind::usage);
  CHECK(result.error().message.find('\n') == std::string::npos);
  INFO(result.error().message);
  CHECK(result.error().message.find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE("cli::parse_options") {
  SUBCASE("a URL target with repeatable options") {
    auto o = parse({"--only", "lifecycle.*", "--only", "tools.*", "--header", "X-A: 1", "--header", "X-B:2",
                    "--fail-on", "should", "--format", "junit", "http://h/mcp"});
    REQUIRE(o);
    CHECK(o->command == Command::probe);
    CHECK(o->run.target.url == "http://h/mcp");
    CHECK(o->run.only == std::vector<std::string>{"lifecycle.*", "tools.*"});
    REQUIRE(o->run.target.headers.size() == 2);
    CHECK(o->run.target.headers[1] == std::pair<std::string, std::string>{"X-B", "2"});
    CHECK(o->fail_on_should);
    CHECK(o->format == report::Format::junit);
  }
  SUBCASE("a command after --") {
    auto o = parse({"--env", "A=1", "--cwd", "/tmp", "--", "node", "server.js", "--only", "x"});
    REQUIRE(o);
    CHECK(o->run.target.command == std::vector<std::string>{"node", "server.js", "--only", "x"});
    CHECK(o->run.only.empty());
    CHECK(o->run.target.env[0] == std::pair<std::string, std::string>{"A", "1"});
  }
  SUBCASE("-v and -vv count") {
    CHECK(parse({"-v", "http://h/mcp"})->verbosity == 1);
    CHECK(parse({"-vv", "http://h/mcp"})->verbosity == 2);
  }
  SUBCASE("bearer from the environment, the flag wins") {
    Environment env;
    env.bearer = "from-env";
    CHECK(parse({"http://h/mcp"}, env)->run.target.bearer == "from-env");
    CHECK(parse({"--bearer", "flag", "http://h/mcp"}, env)->run.target.bearer == "flag");
  }
  SUBCASE("tool args must be JSON") {
    auto o = parse({"--allow-tool", "echo", "--tool-args", "echo={\"text\":\"hi\"}", "http://h/mcp"});
    REQUIRE(o);
    CHECK(o->run.tool_args.at("echo") == "{\"text\":\"hi\"}");
    check_usage_error(parse({"--tool-args", "echo={bad", "http://h/mcp"}), "not valid JSON");
    check_usage_error(parse({"--tool-args", "nojson", "http://h/mcp"}), "NAME=JSON");
  }
  SUBCASE("usage errors are one line") {
    check_usage_error(parse({"--no-such-option", "http://h/mcp"}), "--no-such-option");
    check_usage_error(parse({}), "no target");
    check_usage_error(parse({"server.js"}), "not an http(s) URL");
    check_usage_error(parse({"http://h/mcp", "--", "node"}), "not both");
    check_usage_error(parse({"--fail-on", "may", "http://h/mcp"}), "--fail-on");
    check_usage_error(parse({"--format", "xml", "http://h/mcp"}), "--format");
    check_usage_error(parse({"--transport", "ws", "http://h/mcp"}), "--transport");
    check_usage_error(parse({"--color", "sometimes", "http://h/mcp"}), "--color");
    check_usage_error(parse({"--timeout", "-1", "http://h/mcp"}), "--timeout");
    check_usage_error(parse({"--timeout", "abc", "http://h/mcp"}), "timeout");
    check_usage_error(parse({"--header", "NoColon", "http://h/mcp"}), "--header");
    check_usage_error(parse({"--env", "=x", "--", "srv"}), "--env");
    check_usage_error(parse({"http://h/mcp", "--"}), "no COMMAND");
  }
  SUBCASE("--help and --version print and exit 0") {
    auto help = parse({"--help"});
    REQUIRE(help);
    REQUIRE(help->early_output);
    CHECK(help->early_output->find("Examples:") != std::string::npos);
    CHECK(help->early_output->find("--expected-failures") != std::string::npos);
    auto call_help = parse({"call", "--help"});
    REQUIRE(call_help);
    CHECK(call_help->early_output->find("METHOD [--params JSON] -- COMMAND") != std::string::npos);
    auto version = parse({"--version"});
    REQUIRE(version);
    CHECK(version->early_output->find(MCP_PROBE_VERSION) != std::string::npos);
  }
}

TEST_CASE("cli::parse_options call") {
  SUBCASE("URL METHOD") {
    auto o = parse({"call", "http://h/mcp", "tools/list"});
    REQUIRE(o);
    CHECK(o->command == Command::call);
    CHECK(o->run.target.url == "http://h/mcp");
    CHECK(o->method == "tools/list");
    CHECK(o->params == nlohmann::json::object());
  }
  SUBCASE("METHOD -- COMMAND with params") {
    auto o = parse({"call", "tools/call", "--params", R"({"name":"echo"})", "--", "node", "server.js"});
    REQUIRE(o);
    CHECK(o->method == "tools/call");
    CHECK(o->run.target.command == std::vector<std::string>{"node", "server.js"});
    CHECK(o->params["name"] == "echo");
  }
  SUBCASE("bad forms and bad JSON are usage errors") {
    check_usage_error(parse({"call", "tools/list"}), "URL METHOD");
    check_usage_error(parse({"call", "http://h/mcp", "tools/list", "--", "node"}), "METHOD");
    check_usage_error(parse({"call", "http://h/mcp", "x", "--params", "{nope"}), "--params");
    check_usage_error(parse({"call", "http://h/mcp", "x", "--params", "42"}), "--params");
  }
}

TEST_CASE("cli::parse_options list-checks and selftest") {
  auto list = parse({"list-checks", "--format", "markdown"});
  REQUIRE(list);
  CHECK(list->command == Command::list_checks);
  CHECK(list->list_format == report::ListFormat::markdown);
  check_usage_error(parse({"list-checks", "--format", "junit"}), "--format");
  auto self = parse({"selftest", "--only", "lifecycle.*", "--timings"});
  REQUIRE(self);
  CHECK(self->command == Command::selftest);
  CHECK(self->timings);
  check_usage_error(parse({"selftest", "--", "node"}), "no COMMAND");
}
