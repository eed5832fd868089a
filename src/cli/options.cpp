// The only file that knows CLI11. CLI11 parses into a Raw struct of strings; finish() validates
// and converts it into Options, so every semantic error has one clear message.

#include "mcp_probe/cli/options.h"

#include <cstdlib>
#include <sstream>

#include <CLI/CLI.hpp>

namespace mcp_probe::cli {
namespace {

using util::ErrorKind;
using util::make_error;

constexpr const char* k_probe_footer = R"(Targets:
  mcp-probe [options] URL                  probe a server over HTTP (Streamable HTTP or legacy SSE)
  mcp-probe [options] -- COMMAND ARGS...   spawn a server and probe it over stdio

Examples:
  mcp-probe http://127.0.0.1:3000/mcp
  mcp-probe --fail-on should -- node build/server.js --stdio
  mcp-probe --format junit --output probe.xml --expected-failures .mcp-probe-baseline https://example.com/mcp
  mcp-probe --format markdown --junit probe.xml URL >> "$GITHUB_STEP_SUMMARY"
  mcp-probe --only 'lifecycle.*' -v -- python -m my_server

Exit status: 0 no failure at the --fail-on level, 1 conformance failures, 2 usage error,
3 could not reach, start or initialize the server, 130 interrupted.
Commands: call, list-checks, selftest (see mcp-probe COMMAND --help); man mcp-probe for more.)";

constexpr const char* k_call_footer = R"(Forms:
  mcp-probe call [options] URL METHOD [--params JSON]
  mcp-probe call [options] METHOD [--params JSON] -- COMMAND ARGS...

Prints the result (or the JSON-RPC error object) as JSON: pretty on a terminal, compact otherwise.
Exit status: 0 a result, 1 a JSON-RPC error or no response, 2 usage error, 3 could not connect.

Examples:
  mcp-probe call http://127.0.0.1:3000/mcp tools/list
  mcp-probe call tools/call --params '{"name":"echo","arguments":{"text":"hi"}}' -- node server.js)";

constexpr const char* k_list_footer = R"(Examples:
  mcp-probe list-checks
  mcp-probe list-checks --format markdown > CHECKS.md)";

constexpr const char* k_selftest_footer =
    R"(Runs the suite against the bundled mcp-refserver (found next to mcp-probe) over stdio and
over Streamable HTTP, and prints both reports. Exit status 0 when neither run has a failure.

Examples:
  mcp-probe selftest
  mcp-probe selftest --only 'lifecycle.*' --timings)";

// What CLI11 fills in; finish() validates and converts.
struct Raw {
  std::string url;
  std::vector<std::string> call_args;
  std::vector<std::string> headers, envs, tool_args;
  std::string bearer, transport = "auto", fail_on = "must", format = "human", list_format = "text";
  std::string color = "auto", params;
  double timeout = 5;
  bool no_redact = false;
};

CLI::Option* repeatable(CLI::Option* option) { return option->allow_extra_args(false)->type_size(1); }

void add_connection_options(CLI::App& app, Options& o, Raw& raw) {
  app.add_option("--transport", raw.transport, "auto|stdio|http|sse (default auto)")->type_name("KIND");
  app.add_option("--protocol-version", o.run.protocol_version,
                 "protocol version to request (default: latest)")
      ->type_name("V");
  repeatable(app.add_option("--header", raw.headers, "extra HTTP header 'Name: value' (repeatable)")
                 ->type_name("HEADER"));
  app.add_option("--bearer", raw.bearer, "bearer token for Authorization (or env MCP_PROBE_BEARER)")
      ->type_name("TOKEN");
  app.add_flag("--insecure", o.run.target.insecure, "do not verify TLS certificates");
  app.add_option("--cacert", o.run.target.cacert, "CA bundle file for TLS verification")->type_name("FILE");
  repeatable(app.add_option("--env", raw.envs, "K=V for the spawned server (repeatable)")->type_name("K=V"));
  app.add_option("--cwd", o.run.target.cwd, "working directory of the spawned server")->type_name("DIR");
}

void add_trace_options(CLI::App& app, Options& o, Raw& raw) {
  app.add_option("--timeout", raw.timeout, "seconds to wait for each response (default 5)")
      ->type_name("SECONDS");
  app.add_flag("-v,--verbose", o.verbosity, "wire trace on stderr; -vv adds headers");
  app.add_option("--trace", o.trace_path, "write every wire event to FILE as NDJSON")->type_name("FILE");
  app.add_flag("--no-redact", raw.no_redact, "do not hide tokens and cookies in traces and reports");
}

void add_selection_options(CLI::App& app, Options& o, Raw& raw) {
  repeatable(app.add_option("--only", o.run.only, "run only checks whose id matches GLOB (repeatable)")
                 ->type_name("GLOB"));
  repeatable(app.add_option("--skip", o.run.skip, "skip checks whose id matches GLOB (repeatable)")
                 ->type_name("GLOB"));
  repeatable(
      app.add_option("--allow-tool", o.run.allow_tools, "tool the probe may call; '*' = all (repeatable)")
          ->type_name("NAME"));
  repeatable(
      app.add_option("--tool-args", raw.tool_args, "NAME=JSON arguments for an allowed tool (repeatable)")
          ->type_name("NAME=JSON"));
  app.add_option("--cancel-tool", o.run.cancel_tool,
                 "a slow tool, safe to call, that util.cancel.honoured calls and cancels (stdio)")
      ->type_name("NAME");
  app.add_option("--fail-on", raw.fail_on, "must|should: lowest level that fails the run (default must)")
      ->type_name("LEVEL");
  app.add_option("--expected-failures", o.expected_failures_path, "baseline FILE of check ids known to fail")
      ->type_name("FILE");
  app.add_option("--color", raw.color, "auto|always|never (default auto; honours NO_COLOR)")
      ->type_name("WHEN");
  app.add_flag("--timings", o.timings, "show per-check durations");
}

void add_report_file_options(CLI::App& app, Options& o, Raw& raw) {
  app.add_option("--format", raw.format, "human|json|junit|markdown (default human)")->type_name("FORMAT");
  app.add_option("--output", o.output_path, "write the report to FILE instead of stdout")->type_name("FILE");
  app.add_option("--junit", o.junit_path, "also write a JUnit XML report to FILE")->type_name("FILE");
}

util::Expected<void> parse_header(const std::string& text, Options& o) {
  const auto colon = text.find(':');
  const std::string name = text.substr(0, colon);
  if (colon == std::string::npos || name.empty() || name.find_first_of(" \t") != std::string::npos) {
    return make_error(ErrorKind::usage, "--header expects 'Name: value', got '" + text + "'");
  }
  std::string value = text.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  o.run.target.headers.emplace_back(name, value);
  return {};
}

util::Expected<void> parse_pairs(const Raw& raw, Options& o) {
  for (const auto& h : raw.headers) {
    if (auto ok = parse_header(h, o); !ok) return ok.error();
  }
  for (const auto& e : raw.envs) {
    const auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error(ErrorKind::usage, "--env expects K=V, got '" + e + "'");
    o.run.target.env.emplace_back(e.substr(0, eq), e.substr(eq + 1));
  }
  for (const auto& t : raw.tool_args) {
    const auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0) {
      return make_error(ErrorKind::usage, "--tool-args expects NAME=JSON, got '" + t + "'");
    }
    const std::string json_text = t.substr(eq + 1);
    if (nlohmann::json::parse(json_text, nullptr, false).is_discarded()) {
      return make_error(ErrorKind::usage,
                        "--tool-args " + t.substr(0, eq) + ": not valid JSON: " + json_text);
    }
    o.run.tool_args[t.substr(0, eq)] = json_text;
  }
  return {};
}

util::Expected<void> parse_choices(const Raw& raw, Options& o) {
  if (raw.transport != "auto" && raw.transport != "stdio" && raw.transport != "http" &&
      raw.transport != "sse") {
    return make_error(ErrorKind::usage,
                      "--transport must be auto, stdio, http or sse, not '" + raw.transport + "'");
  }
  o.run.target.transport = raw.transport;
  if (raw.fail_on != "must" && raw.fail_on != "should") {
    return make_error(ErrorKind::usage, "--fail-on must be must or should, not '" + raw.fail_on + "'");
  }
  o.fail_on_should = raw.fail_on == "should";
  if (auto f = report::parse_format(raw.format)) {
    o.format = *f;
  } else {
    return make_error(ErrorKind::usage,
                      "--format must be human, json, junit or markdown, not '" + raw.format + "'");
  }
  if (raw.color == "auto" || raw.color == "always" || raw.color == "never") {
    o.color = raw.color == "auto"     ? ColorMode::auto_detect
              : raw.color == "always" ? ColorMode::always
                                      : ColorMode::never;
  } else {
    return make_error(ErrorKind::usage, "--color must be auto, always or never, not '" + raw.color + "'");
  }
  if (!(raw.timeout > 0) || raw.timeout > 3600) {
    return make_error(ErrorKind::usage, "--timeout must be a number of seconds between 0 and 3600");
  }
  o.run.target.request_timeout = util::seconds(raw.timeout);
  o.run.target.connect_timeout = util::seconds(std::max(raw.timeout, 5.0));
  return {};
}

bool is_url(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

util::Expected<void> parse_target(const std::string& url, Options& o) {
  if (!url.empty() && !o.run.target.command.empty()) {
    return make_error(ErrorKind::usage, "give either a URL or a command after --, not both");
  }
  if (url.empty() && o.run.target.command.empty()) {
    return make_error(ErrorKind::usage, "no target: give a URL or -- COMMAND ARGS... (see mcp-probe --help)");
  }
  if (!url.empty() && !is_url(url)) {
    return make_error(ErrorKind::usage,
                      "'" + url + "' is not an http(s) URL; put a command to spawn after --");
  }
  o.run.target.url = url;
  return {};
}

util::Expected<void> parse_call(const Raw& raw, Options& o) {
  const bool spawn = !o.run.target.command.empty();
  if (spawn && raw.call_args.size() != 1) {
    return make_error(ErrorKind::usage,
                      "call with a command takes exactly METHOD before --: call METHOD -- COMMAND");
  }
  if (!spawn && raw.call_args.size() != 2) {
    return make_error(ErrorKind::usage,
                      "call takes URL METHOD, or METHOD -- COMMAND (see mcp-probe call --help)");
  }
  o.method = raw.call_args.back();
  if (auto ok = parse_target(spawn ? "" : raw.call_args.front(), o); !ok) return ok.error();
  if (!raw.params.empty()) {
    o.params = nlohmann::json::parse(raw.params, nullptr, false);
    if (o.params.is_discarded() || !(o.params.is_object() || o.params.is_array())) {
      return make_error(ErrorKind::usage, "--params must be a JSON object or array, got: " + raw.params);
    }
  }
  return {};
}

util::Expected<void> finish(const Raw& raw, Options& o, const Environment& env) {
  if (auto ok = parse_choices(raw, o); !ok) return ok;
  if (auto ok = parse_pairs(raw, o); !ok) return ok;
  auto list = report::parse_list_format(raw.list_format);
  if (!list)
    return make_error(ErrorKind::usage,
                      "--format must be text, json or markdown, not '" + raw.list_format + "'");
  o.list_format = *list;
  o.redact = !raw.no_redact;
  o.run.target.bearer = !raw.bearer.empty() ? raw.bearer : env.bearer.value_or("");
  const bool takes_command = o.command == Command::probe || o.command == Command::call;
  if (!takes_command && !o.run.target.command.empty()) {
    return make_error(ErrorKind::usage, "this command takes no COMMAND after --");
  }
  if (o.command == Command::call) return parse_call(raw, o);
  if (o.command == Command::probe) return parse_target(raw.url, o);
  return {};
}

std::string one_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  for (std::size_t pos; (pos = text.find('\n')) != std::string::npos;) text.replace(pos, 1, "; ");
  return text;
}

}  // namespace

Environment Environment::current() {
  auto get = [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
  };
  return Environment{get("MCP_PROBE_BEARER"), get("NO_COLOR"), get("TERM")};
}

util::Expected<Options> parse_options(int argc, const char* const* argv, const Environment& env) {
  Options o;
  Raw raw;
  // Everything after the first "--" is the server command; CLI11 sees only what comes before.
  std::vector<const char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::string_view(argv[i]) == "--") {
      o.run.target.command.assign(argv + i + 1, argv + argc);
      if (o.run.target.command.empty()) return make_error(ErrorKind::usage, "no COMMAND after --");
      break;
    }
    args.push_back(argv[i]);
  }
  CLI::App app("mcp-probe: a conformance tester for Model Context Protocol (MCP) servers.", "mcp-probe");
  app.set_version_flag("--version", std::string("mcp-probe ") + MCP_PROBE_VERSION);
  app.get_formatter()->column_width(32);
  app.footer(k_probe_footer);
  app.add_option("url", raw.url, "http(s) URL of the server's MCP endpoint")->type_name("URL");
  add_connection_options(app, o, raw);
  add_trace_options(app, o, raw);
  add_selection_options(app, o, raw);
  add_report_file_options(app, o, raw);

  CLI::App* call = app.add_subcommand("call", "send one request and print the result as JSON");
  call->footer(k_call_footer);
  call->add_option("args", raw.call_args, "[URL] METHOD")->type_name("");
  call->add_option("--params", raw.params, "request params as a JSON object (default {})")->type_name("JSON");
  add_connection_options(*call, o, raw);
  add_trace_options(*call, o, raw);
  CLI::App* list = app.add_subcommand("list-checks", "list every check mcp-probe implements");
  list->footer(k_list_footer);
  list->add_option("--format", raw.list_format, "text|json|markdown (default text)")->type_name("FORMAT");
  CLI::App* selftest = app.add_subcommand("selftest", "probe the bundled mcp-refserver over stdio and HTTP");
  selftest->footer(k_selftest_footer);
  add_trace_options(*selftest, o, raw);
  add_selection_options(*selftest, o, raw);
  app.require_subcommand(0, 1);

  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    if (app.exit(e, out, err) == 0) {
      o.early_output = out.str();
      return o;
    }
    return make_error(ErrorKind::usage, one_line(e.what()) + " (see mcp-probe --help)");
  }
  if (call->parsed()) o.command = Command::call;
  if (list->parsed()) o.command = Command::list_checks;
  if (selftest->parsed()) o.command = Command::selftest;
  if (auto ok = finish(raw, o, env); !ok) return ok.error();
  return o;
}

}  // namespace mcp_probe::cli
