// The only file that knows CLI11. CLI11 parses into a Raw struct of strings; finish() validates
// and converts it into Options, so every semantic error has one clear message.

#include "mcp_probe/cli/options.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include <CLI/CLI.hpp>

#include "mcp_probe/checks/catalog.h"
#include "mcp_probe/protocol/mrtr.h"
#include "mcp_probe/protocol/versions.h"

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
  std::string client_capabilities = "elicitation,sampling,roots";
  double timeout = 5;
  double connect_timeout = 30;
  bool no_redact = false;
};

CLI::Option* repeatable(CLI::Option* option) { return option->allow_extra_args(false)->type_size(1); }

void add_connection_options(CLI::App& app, Options& o, Raw& raw) {
  app.add_option("--transport", raw.transport, "auto|stdio|http|sse (default auto)")->type_name("KIND");
  app.add_option("--protocol-version", o.run.protocol_version,
                 "pin one protocol version and its era (default: probe 2026-07-28 and the newest "
                 "handshake version the server negotiates)")
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

void add_origin_options(CLI::App& app, Options& o) {
  app.add_option("--allow-origin", o.run.allow_origin,
                 "an Origin the server allows (sent by the CORS probes); '*' = it deliberately allows any, "
                 "so the invalid-Origin checks are skipped")
      ->type_name("ORIGIN");
  app.add_flag("--browser", o.run.browser,
               "the server serves browser-based clients: CORS findings WARN (by default they are INFO "
               "unless the server answers with Access-Control-Allow-Origin)");
  app.add_option("--invalid-origin", o.run.foreign_origin,
                 "the Origin the invalid-Origin checks send (default http://mcp-probe.invalid)")
      ->type_name("ORIGIN");
}

void add_trace_options(CLI::App& app, Options& o, Raw& raw) {
  app.add_option("--timeout", raw.timeout, "seconds to wait for each response (default 5)")
      ->type_name("SECONDS");
  app.add_option("--connect-timeout", raw.connect_timeout,
                 "seconds from spawn or connect to the answer to initialize (default 30)")
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
  app.add_option("--client-capabilities", raw.client_capabilities,
                 "what the 2026-07-28 pass declares and answers in input requests: a comma list of "
                 "elicitation, sampling, roots, or none (default all three)")
      ->type_name("LIST");
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

// What a usage error may echo of the user's input: one line, at most k_echo_max bytes, so a
// pasted 100 kB URL gives a short message and not a wall of text.
constexpr std::size_t k_echo_max = 200;

std::string echo(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, std::min(text.size(), k_echo_max))) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", u);
      out += hex;
    } else {
      out += c;
    }
  }
  if (text.size() > k_echo_max) out += "… (" + std::to_string(text.size()) + " bytes)";
  return out;
}

// RFC 9110 token characters: what a header name may contain.
bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A field value may hold visible characters, spaces and tabs, never CR, LF or other controls:
// "\r\n" in a value would put a second header on the wire (header injection).
bool has_control(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

util::Expected<void> parse_header(const std::string& text, Options& o) {
  const auto colon = text.find(':');
  const std::string name = text.substr(0, colon);
  if (colon == std::string::npos || name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
    return make_error(ErrorKind::usage,
                      "--header expects 'Name: value' with a token as the name, got '" + echo(text) + "'");
  }
  std::string value = text.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  if (has_control(value)) {
    return make_error(
        ErrorKind::usage,
        "--header " + name + ": the value contains a control character (CR, LF, ...): '" + echo(value) + "'");
  }
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
  if (!(raw.connect_timeout > 0) || raw.connect_timeout > 3600) {
    return make_error(ErrorKind::usage, "--connect-timeout must be a number of seconds between 0 and 3600");
  }
  o.run.client_capabilities.clear();
  if (raw.client_capabilities != "none") {
    const auto& known = protocol::answerable_capabilities();
    std::size_t start = 0;
    while (start <= raw.client_capabilities.size()) {
      std::size_t comma = raw.client_capabilities.find(',', start);
      if (comma == std::string::npos) comma = raw.client_capabilities.size();
      const std::string name = raw.client_capabilities.substr(start, comma - start);
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        return make_error(ErrorKind::usage,
                          "--client-capabilities takes elicitation, sampling and roots "
                          "(comma-separated) or none, not '" +
                              echo(name) + "'");
      }
      if (std::find(o.run.client_capabilities.begin(), o.run.client_capabilities.end(), name) ==
          o.run.client_capabilities.end())
        o.run.client_capabilities.push_back(name);
      start = comma + 1;
    }
  }
  o.run.target.request_timeout = util::seconds(raw.timeout);
  o.run.target.connect_timeout = util::seconds(raw.connect_timeout);
  return {};
}

bool is_url(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The candidate closest to `word`, if it is close enough to be a likely typo.
std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

// A positional argument that is not a URL: a mistyped command, or a URL without its scheme.
std::string not_a_url_message(const std::string& arg) {
  std::string message = "'" + echo(arg) + "' is not an http(s) URL";
  if (arg == "help") return message + "; did you mean --help?";
  if (auto command = nearest(arg, {"call", "list-checks", "selftest"})) {
    return message + " or a command; did you mean '" + *command + "'?";
  }
  const bool host_like =
      arg.find(':') != std::string::npos || arg.rfind("localhost", 0) == 0 || arg.rfind("127.", 0) == 0;
  if (host_like && arg.find("://") == std::string::npos && arg.find(' ') == std::string::npos) {
    return message + "; did you mean http://" + echo(arg) + "?";
  }
  return message + "; put a command to spawn after --";
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) != 0 &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2])) != 0) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? k_alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? k_alphabet[n & 63] : '=';
  }
  return out;
}

bool has_authorization(const Options& o) {
  return !o.run.target.bearer.empty() ||
         std::any_of(o.run.target.headers.begin(), o.run.target.headers.end(), [](const auto& h) {
           std::string name = h.first;
           for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
           return name == "authorization";
         });
}

// Checks the URL's authority (a host, a port in 1-65535) and turns credentials in it
// (http://user:secret@host/) into Basic authorization: they are sent, registered as secrets for
// redaction and removed from the URL, so no report, trace or message ever prints them.
util::Expected<void> parse_url(const std::string& url, Options& o) {
  const std::size_t start = url.find("://") + 3;
  const std::size_t end = std::min(url.find_first_of("/?#", start), url.size());
  std::string authority = url.substr(start, end - start);
  std::string rest = url.substr(end);
  const std::size_t at = authority.rfind('@');
  std::string shown = url;
  if (at != std::string::npos) {
    const std::string userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    shown = url.substr(0, start) + authority + rest;
    const std::string user = percent_decode(userinfo.substr(0, userinfo.find(':')));
    const std::string password = userinfo.find(':') == std::string::npos
                                     ? ""
                                     : percent_decode(userinfo.substr(userinfo.find(':') + 1));
    if (has_authorization(o)) {
      return make_error(ErrorKind::usage, "the URL " + echo(shown) +
                                              " carries credentials and --bearer or an Authorization "
                                              "header is given too; use one of them");
    }
    const std::string token = base64(user + ":" + password);
    o.run.target.headers.emplace_back("Authorization", "Basic " + token);
    for (const std::string& secret : {password, token, userinfo}) {
      if (!secret.empty()) o.secrets.push_back(secret);
    }
  }
  std::string host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string::npos)
      return make_error(ErrorKind::usage, "the URL " + echo(shown) + " has an unclosed '['");
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':')
        return make_error(ErrorKind::usage, "the URL " + echo(shown) + " has no valid host");
      port = authority.substr(close + 2);
    }
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return make_error(ErrorKind::usage, "the URL " + echo(shown) + " has no host");
  if (!port.empty()) {
    const bool digits = port.size() <= 5 &&
                        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    const long number = digits ? std::stol(port) : 0;
    if (number < 1 || number > 65535) {
      return make_error(ErrorKind::usage,
                        "the URL " + echo(shown) + " has port '" + echo(port) + "'; a port is 1-65535");
    }
  }
  if (has_control(url) || url.find(' ') != std::string::npos) {
    return make_error(ErrorKind::usage, "the URL " + echo(shown) + " contains spaces or control characters");
  }
  o.run.target.url = shown;
  return {};
}

util::Expected<void> parse_target(const std::string& url, Options& o) {
  if (!url.empty() && !o.run.target.command.empty()) {
    return make_error(ErrorKind::usage, "give either a URL or a command after --, not both");
  }
  if (url.empty() && o.run.target.command.empty()) {
    return make_error(ErrorKind::usage, "no target: give a URL or -- COMMAND ARGS... (see mcp-probe --help)");
  }
  if (!url.empty() && !is_url(url)) return make_error(ErrorKind::usage, not_a_url_message(url));
  if (o.run.target.transport == "stdio" && !url.empty()) {
    return make_error(ErrorKind::usage,
                      "--transport stdio spawns a server: give -- COMMAND ARGS... instead of a URL");
  }
  if ((o.run.target.transport == "http" || o.run.target.transport == "sse") && url.empty()) {
    return make_error(ErrorKind::usage,
                      "--transport " + o.run.target.transport +
                          " needs a URL; a command after -- is always spoken to over stdio");
  }
  if (!url.empty()) return parse_url(url, o);
  return {};
}

// Inputs that must exist before anything starts: a missing file is a usage error, not an
// "unreachable server" after a connection attempt.
util::Expected<void> check_inputs(const Options& o) {
  struct stat st {};
  if (!o.run.target.cacert.empty() &&
      (::stat(o.run.target.cacert.c_str(), &st) != 0 || !S_ISREG(st.st_mode))) {
    return make_error(ErrorKind::usage, "--cacert " + echo(o.run.target.cacert) + ": no such file");
  }
  if (!o.run.target.cwd.empty() && (::stat(o.run.target.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) {
    return make_error(ErrorKind::usage, "--cwd " + echo(o.run.target.cwd) + ": no such directory");
  }
  auto is_origin = [](const std::string& origin) {
    return is_url(origin) && origin.find('/', origin.find("://") + 3) == std::string::npos &&
           !has_control(origin);
  };
  if (!o.run.allow_origin.empty() && o.run.allow_origin != "*" && !is_origin(o.run.allow_origin)) {
    return make_error(ErrorKind::usage,
                      "--allow-origin takes '*' or an origin such as http://localhost:5173, not '" +
                          echo(o.run.allow_origin) + "'");
  }
  if (!is_origin(o.run.foreign_origin)) {
    return make_error(ErrorKind::usage,
                      "--invalid-origin takes an origin such as http://evil.example, not '" +
                          echo(o.run.foreign_origin) + "'");
  }
  if (o.run.allow_origin == o.run.foreign_origin) {
    return make_error(ErrorKind::usage, "--allow-origin and --invalid-origin name the same origin");
  }
  if (!o.run.protocol_version.empty()) {
    if (!protocol::is_known_version(o.run.protocol_version)) {
      std::string list;
      for (const auto& v : protocol::k_versions) list += (list.empty() ? "" : ", ") + std::string(v.name);
      return make_error(ErrorKind::usage, "--protocol-version " + echo(o.run.protocol_version) +
                                              " is not a version mcp-probe speaks (" + list + ")");
    }
  }
  return {};
}

// A suggestion for an --only glob that matches no check: the area's glob, or the nearest id.
std::string suggest_selection(const std::string& glob) {
  std::vector<std::string> candidates;
  for (const auto& info : checks::catalog()) {
    if (info.id.rfind(glob + ".", 0) == 0) return "; did you mean '" + glob + ".*'?";
    candidates.push_back(info.id);
    const std::string area_glob = info.id.substr(0, info.id.find('.')) + ".*";
    if (std::find(candidates.begin(), candidates.end(), area_glob) == candidates.end()) {
      candidates.push_back(area_glob);
    }
  }
  if (auto best = nearest(glob, candidates)) return "; did you mean '" + *best + "'?";
  return "; see mcp-probe list-checks";
}

// A selection that runs nothing is a typo, not a green run.
util::Expected<void> check_selection(const Options& o) {
  for (const auto& glob : o.run.only) {
    checks::RunOptions one;
    one.only = {glob};
    const auto& all = checks::catalog();
    if (std::none_of(all.begin(), all.end(),
                     [&](const auto& info) { return checks::selected(one, info.id); })) {
      return make_error(ErrorKind::usage,
                        "--only '" + echo(glob) + "' matches no check" + suggest_selection(glob));
    }
  }
  const auto& all = checks::catalog();
  if (std::none_of(all.begin(), all.end(),
                   [&](const auto& info) { return checks::selected(o.run, info.id); })) {
    return make_error(ErrorKind::usage, "--only/--skip leave no check to run; see mcp-probe list-checks");
  }
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
  if (o.command == Command::probe || o.command == Command::selftest) {
    if (auto ok = check_selection(o); !ok) return ok;
  }
  if (o.command == Command::call) {
    if (auto ok = parse_call(raw, o); !ok) return ok;
  }
  if (o.command == Command::probe) {
    if (auto ok = parse_target(raw.url, o); !ok) return ok;
  }
  return check_inputs(o);
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
  add_origin_options(app, o);
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
