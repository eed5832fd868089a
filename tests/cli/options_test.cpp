#include "mcp_probe/cli/options.h"

#include <doctest/doctest.h>

#include <algorithm>
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
  SUBCASE("the connect timeout is its own (default 30 s), apart from the per-request one") {
    auto o = parse({"--timeout", "2", "http://h/mcp"});
    REQUIRE(o);
    CHECK(o->run.target.request_timeout == util::Millis(2000));
    CHECK(o->run.target.connect_timeout == util::Millis(30000));
    auto slow = parse({"--connect-timeout", "90", "http://h/mcp"});
    REQUIRE(slow);
    CHECK(slow->run.target.connect_timeout == util::Millis(90000));
    CHECK(slow->run.target.request_timeout == util::Millis(5000));
  }
  SUBCASE("--client-capabilities: all three by default, a list, or none") {
    auto all = parse({"http://h/mcp"});
    REQUIRE(all);
    CHECK(all->run.client_capabilities == std::vector<std::string>{"elicitation", "sampling", "roots"});
    auto some = parse({"--client-capabilities", "roots,elicitation,roots", "http://h/mcp"});
    REQUIRE(some);
    CHECK(some->run.client_capabilities == std::vector<std::string>{"roots", "elicitation"});
    auto none = parse({"--client-capabilities", "none", "http://h/mcp"});
    REQUIRE(none);
    CHECK(none->run.client_capabilities.empty());
    check_usage_error(parse({"--client-capabilities", "sampling,tasks", "http://h/mcp"}),
                      "--client-capabilities");
    check_usage_error(parse({"--client-capabilities", "", "http://h/mcp"}), "--client-capabilities");
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
    check_usage_error(parse({"--connect-timeout", "0", "http://h/mcp"}), "--connect-timeout");
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

TEST_CASE("cli::parse_options usage errors before anything starts") {
  SUBCASE("a selection that matches nothing, with a suggestion") {
    check_usage_error(parse({"--only", "lifecycle", "http://h/mcp"}), "did you mean 'lifecycle.*'");
    check_usage_error(parse({"--only", "lifecycel.*", "http://h/mcp"}), "did you mean 'lifecycle.*'");
    check_usage_error(parse({"--only", "nosuch.*", "http://h/mcp"}), "matches no check");
    check_usage_error(parse({"--skip", "*", "http://h/mcp"}), "leave no check to run");
    check_usage_error(parse({"selftest", "--only", "tols.*"}), "did you mean 'tools.*'");
    CHECK(parse({"--only", "lifecycle.*", "--skip", "lifecycle.init.*", "http://h/mcp"}));
    CHECK(parse({"--only", "connectivity.initialize", "http://h/mcp"}));
  }
  SUBCASE("a transport that does not fit the target") {
    check_usage_error(parse({"--transport", "stdio", "http://h/mcp"}), "--transport stdio");
    check_usage_error(parse({"--transport", "http", "--", "node", "s.js"}), "--transport http needs a URL");
    check_usage_error(parse({"--transport", "sse", "--", "node"}), "--transport sse");
    CHECK(parse({"--transport", "stdio", "--", "node"}));
    CHECK(parse({"--transport", "sse", "http://h/sse"}));
  }
  SUBCASE("ports and hosts") {
    check_usage_error(parse({"http://127.0.0.1:0/mcp"}), "1-65535");
    check_usage_error(parse({"http://127.0.0.1:65536/mcp"}), "1-65535");
    check_usage_error(parse({"http://127.0.0.1:99999999999999999999/mcp"}), "1-65535");
    check_usage_error(parse({"http://127.0.0.1:80a/mcp"}), "1-65535");
    check_usage_error(parse({"http:///mcp"}), "no host");
    check_usage_error(parse({"call", "http://h:70000/mcp", "ping"}), "1-65535");
    CHECK(parse({"http://127.0.0.1:65535/mcp"}));
    CHECK(parse({"http://[::1]:8080/mcp"}));
    CHECK(parse({"https://example.com/mcp"}));
  }
  SUBCASE("missing input files") {
    check_usage_error(parse({"--cacert", "/nonexistent/ca.pem", "https://h/mcp"}), "--cacert");
    check_usage_error(parse({"--cwd", "/nonexistent/dir", "--", "node"}), "--cwd");
    check_usage_error(parse({"call", "--cwd", "/nonexistent/dir", "ping", "--", "node"}), "--cwd");
    CHECK(parse({"--cwd", "/tmp", "--", "node"}));
  }
  SUBCASE("an unknown protocol version lists the known ones") {
    check_usage_error(parse({"--protocol-version", "2025-13-01", "http://h/mcp"}), "2025-06-18");
    check_usage_error(parse({"call", "--protocol-version", "1.0", "http://h/mcp", "ping"}), "2024-11-05");
    CHECK(parse({"--protocol-version", "2025-03-26", "http://h/mcp"}));
    // 2026-07-28 is a version of its own era, and listed with the others.
    CHECK(parse({"--protocol-version", "2026-07-28", "http://h/mcp"}));
    CHECK(parse({"call", "--protocol-version", "2026-07-28", "http://h/mcp", "server/discover"}));
    check_usage_error(parse({"--protocol-version", "2026-13-01", "http://h/mcp"}), "2026-07-28");
  }
  SUBCASE("a mistyped command is suggested") {
    check_usage_error(parse({"lsit-checks"}), "did you mean 'list-checks'");
    check_usage_error(parse({"selftets"}), "did you mean 'selftest'");
    check_usage_error(parse({"help"}), "did you mean --help");
    check_usage_error(parse({"localhost:3000/mcp"}), "did you mean http://localhost:3000/mcp");
  }
  SUBCASE("echoed input is capped") {
    const std::string huge = "http://h:0/" + std::string(100000, 'a');
    auto o = parse({huge.c_str()});
    REQUIRE_FALSE(o);
    CHECK(o.error().message.size() < 600);
    const std::string word(100000, 'x');
    auto w = parse({word.c_str()});
    REQUIRE_FALSE(w);
    CHECK(w.error().message.size() < 600);
  }
}

TEST_CASE("cli::parse_options nothing unsafe passes through") {
  SUBCASE("control characters in a header are refused") {
    check_usage_error(parse({"--header", "X-A: 1\r\nX-Injected: 2", "http://h/mcp"}), "control character");
    check_usage_error(parse({"--header", "X-A: 1\nX-B: 2", "http://h/mcp"}), "control character");
    check_usage_error(parse({"--header", "X A: 1", "http://h/mcp"}), "--header");
    check_usage_error(parse({"--header", "X\r\nA: 1", "http://h/mcp"}), "--header");
    auto ok = parse({"--header", "X-A: a\tb", "http://h/mcp"});
    REQUIRE(ok);
    CHECK(ok->run.target.headers[0].second == "a\tb");
  }
  SUBCASE("credentials in the URL become Basic auth and leave the URL") {
    auto o = parse({"http://user:s%40cret@127.0.0.1:3000/mcp"});
    REQUIRE(o);
    CHECK(o->run.target.url == "http://127.0.0.1:3000/mcp");
    REQUIRE(o->run.target.headers.size() == 1);
    CHECK(o->run.target.headers[0].first == "Authorization");
    CHECK(o->run.target.headers[0].second == "Basic dXNlcjpzQGNyZXQ=");  // base64("user:s@cret")
    CHECK(std::find(o->secrets.begin(), o->secrets.end(), "s@cret") != o->secrets.end());
    CHECK(std::find(o->secrets.begin(), o->secrets.end(), "dXNlcjpzQGNyZXQ=") != o->secrets.end());
    auto call = parse({"call", "http://u:pw@h/mcp", "ping"});
    REQUIRE(call);
    CHECK(call->run.target.url == "http://h/mcp");
  }
  SUBCASE("credentials in the URL and --bearer conflict, without echoing the secret") {
    auto o = parse({"--bearer", "t", "http://user:secret@h/mcp"});
    check_usage_error(o, "credentials");
    CHECK(o.error().message.find("secret") == std::string::npos);
  }
}

TEST_CASE("cli::parse_options origins") {
  auto o = parse({"--allow-origin", "*", "--invalid-origin", "http://evil.example", "http://h/mcp"});
  REQUIRE(o);
  CHECK(o->run.allow_origin == "*");
  CHECK(o->run.foreign_origin == "http://evil.example");
  CHECK_FALSE(o->run.browser);
  CHECK(parse({"--browser", "http://h/mcp"})->run.browser);
  CHECK(parse({"--allow-origin", "http://localhost:5173", "http://h/mcp"})->run.allow_origin ==
        "http://localhost:5173");
  check_usage_error(parse({"--allow-origin", "localhost", "http://h/mcp"}), "--allow-origin");
  check_usage_error(parse({"--invalid-origin", "http://e.example/path", "http://h/mcp"}), "--invalid-origin");
  check_usage_error(
      parse({"--allow-origin", "http://a.example", "--invalid-origin", "http://a.example", "http://h/mcp"}),
      "same origin");
}
