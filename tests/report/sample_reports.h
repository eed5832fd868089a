#pragma once

// Hand-made RunReports for the report tests: every status, hostile text, a report of a server
// that could not be started.

#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "mcp_probe/checks/result.h"

namespace mcp_probe::test {

inline checks::CheckResult make_result(std::string id, std::string area, checks::Status status,
                                       std::string title, std::string message = "") {
  checks::CheckResult r;
  r.info.id = std::move(id);
  r.info.area = std::move(area);
  r.info.title = std::move(title);
  r.info.versions = "all";
  r.info.transports = "all";
  r.info.spec = "https://modelcontextprotocol.io/specification/2025-06-18/basic/lifecycle#initialization";
  r.status = status;
  r.message = std::move(message);
  r.duration_ms = 12.25;
  return r;
}

inline checks::RunReport mixed_report() {
  using checks::Status;
  checks::RunReport report;
  report.tool_version = "0.1.0";
  report.target = "http://127.0.0.1:8080/mcp";
  report.transport = "http";
  report.protocol_version = "2025-06-18";
  report.server_info = {{"name", "refserver"}, {"version", "1.2.3"}};
  report.capabilities = {{"tools", {{"listChanged", true}}}};
  report.wall_ms = 1234.5;
  report.connected = true;

  report.checks.push_back(make_result("lifecycle.initialize.result", "lifecycle", Status::pass,
                                      "initialize returns a valid InitializeResult"));
  auto fail = make_result("lifecycle.version.echo-supported", "lifecycle", Status::fail,
                          "The server echoes a supported protocol version", "the server answered 1999-01-01");
  fail.expected = "protocolVersion \"2025-06-18\" (the version the client requested)";
  fail.observed = "/result/protocolVersion = \"1999-01-01\"";
  fail.info.diagnosis =
      "When the server supports the requested version it must answer with that same version; otherwise it "
      "answers with the latest version it supports. A hard-coded protocolVersion string is the usual cause: "
      "read it from the request and compare it with your table of supported versions.";
  fail.trace_refs = {3, 4};
  report.checks.push_back(fail);
  auto warn = make_result("lifecycle.server-info.version", "lifecycle", Status::warn,
                          "serverInfo has a version", "serverInfo.version is empty");
  warn.info.level = checks::Level::should;
  warn.expected = "a non-empty version string";
  report.checks.push_back(warn);
  report.checks.push_back(make_result("jsonrpc.batch.rejected", "jsonrpc", Status::skip,
                                      "Batches are rejected (2025-06-18+)",
                                      "not applicable to this version"));
  report.checks.push_back(make_result("jsonrpc.id.string", "jsonrpc", Status::error, "String ids are echoed",
                                      "the request could not be sent: connection reset"));
  auto hostile =
      make_result("tools.list.names", "tools", Status::fail, "Tool names are <valid> & \"unique\"",
                  "tool 'a|b' has name \"<script>\" & ]]> \x01\x1b[31m bell\x07 *bold* _x_ \xff\xfe end");
  hostile.info.spec = "https://example.invalid/spec (bad)";
  hostile.observed = "line one\nline two\ttab";
  report.checks.push_back(hostile);
  return report;
}

inline checks::RunReport not_connected_report() {
  using checks::Status;
  checks::RunReport report;
  report.tool_version = "0.1.0";
  report.target = "node server.js --stdio";
  report.transport = "stdio";
  report.server_info = nullptr;
  report.capabilities = nullptr;
  report.wall_ms = 57;
  report.connected = false;
  auto start =
      make_result("lifecycle.initialize.responds", "lifecycle", Status::fail, "The server answers initialize",
                  "the server exited with status 1 before answering");
  start.info.diagnosis = "Run the command by hand and read its stderr; the server must not exit on startup.";
  report.checks.push_back(start);
  report.checks.push_back(make_result("lifecycle.version.echo-supported", "lifecycle", Status::skip,
                                      "The server echoes a supported protocol version", "not connected"));
  report.checks.push_back(
      make_result("tools.list.names", "tools", Status::skip, "Tool names are valid", "not connected"));
  report.stderr_tail = "Error: Cannot find module 'server.js'\n    at <anonymous>\n";
  return report;
}

// Compares `actual` with testdata/reports/<name>; MCP_PROBE_UPDATE_GOLDENS=1 rewrites the file.
inline void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(MCP_PROBE_TESTDATA_DIR) + "/reports/" + name;
  const char* update = std::getenv("MCP_PROBE_UPDATE_GOLDENS");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  INFO("golden ", path, " (MCP_PROBE_UPDATE_GOLDENS=1 regenerates it)");
  REQUIRE(in.good());
  std::ostringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

}  // namespace mcp_probe::test
