// The recording side of the engine: how outcomes merge, what a skip says, where applicability
// is enforced, and which checks a failed step turns into errors.

#include "checks/results.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "checks/context.h"

TEST_SUITE_BEGIN("unit");

using namespace mcp_probe;
using namespace mcp_probe::checks;

namespace {

const CheckResult& result_of(const std::vector<CheckResult>& results, CheckId id) {
  for (const auto& r : results) {
    if (r.info.id == to_string(id)) return r;
  }
  FAIL("no result for " << to_string(id));
  throw std::logic_error("unreachable");
}

bool listed(const std::vector<CheckResult>& results, CheckId id) {
  for (const auto& r : results) {
    if (r.info.id == to_string(id)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("checks::CheckId") {
  SUBCASE("every id has its catalog row, in report order") {
    REQUIRE(check_defs().size() == k_check_count);
    for (std::size_t i = 0; i < k_check_count; ++i) {
      CAPTURE(i);
      CHECK(index_of(check_defs()[i].id) == i);
      CHECK(check_defs()[i].info.id == to_string(check_defs()[i].id));
    }
  }
  SUBCASE("each enumerator is its id with '.' and '-' as '_'") {
    constexpr const char* k_names[] = {
#define MCP_PROBE_CHECK(name, ...) #name,
// clang-format off
#include "mcp_probe/checks/catalog_core.def"
#include "mcp_probe/checks/catalog_transport.def"
#include "mcp_probe/checks/catalog_features.def"
#include "mcp_probe/checks/catalog_modern.def"
// clang-format on
#undef MCP_PROBE_CHECK
    };
    for (std::size_t i = 0; i < k_check_count; ++i) {
      std::string text = to_string(static_cast<CheckId>(i));
      for (char& c : text) c = c == '.' || c == '-' ? '_' : c;
      CHECK(text == k_names[i]);
    }
  }
  SUBCASE("text ids parse back") {
    CHECK(parse_check_id("http.session.unknown-404") == CheckId::http_session_unknown_404);
    CHECK(std::string(to_string(CheckId::jsonrpc_envelope_version)) == "jsonrpc.envelope.version");
    CHECK_FALSE(parse_check_id("http.session.unknown-405").has_value());
  }
}

TEST_CASE("checks::Results") {
  RunOptions options;
  Results results(options);
  results.set_version("2025-11-25");
  results.set_transport(transport::TransportKind::http);

  SUBCASE("the worst outcome wins and further violations are counted") {
    results.record(CheckId::jsonrpc_envelope_version, Status::pass, "", {}, "2025-11-25");
    results.record(CheckId::jsonrpc_envelope_version, Status::fail, "first", {"2.0", "1.0"}, "2025-11-25");
    results.record(CheckId::jsonrpc_envelope_version, Status::fail, "second", {}, "2025-11-25");
    results.record(CheckId::jsonrpc_envelope_version, Status::pass, "", {}, "2025-11-25");
    const auto r = result_of(results.finish(), CheckId::jsonrpc_envelope_version);
    CHECK(r.status == Status::fail);
    CHECK(r.message == "first (+1 more)");
    CHECK(r.expected == "2.0");
    CHECK(r.observed == "1.0");
    CHECK(results.failed(CheckId::jsonrpc_envelope_version));
    // Every violation is kept in full, in order (the JSON report's details, -v in human output).
    REQUIRE(r.details.size() == 2);
    CHECK(r.details[0].message == "first");
    CHECK(r.details[0].observed == "1.0");
    CHECK(r.details[1].message == "second");
    CHECK(r.details_dropped == 0);
  }

  SUBCASE("details are bounded; the rest is counted") {
    for (std::size_t i = 0; i < k_max_details + 3; ++i)
      results.record(CheckId::jsonrpc_envelope_version, Status::fail, "v" + std::to_string(i), {},
                     "2025-11-25");
    const auto r = result_of(results.finish(), CheckId::jsonrpc_envelope_version);
    CHECK(r.details.size() == k_max_details);
    CHECK(r.details_dropped == 3);
  }

  SUBCASE("a violation may carry the diagnosis for what was observed") {
    results.record(CheckId::jsonrpc_error_parse_error, Status::warn, "dropped",
                   {"-32700", "nothing", {}, "it dropped the line"}, "2025-11-25");
    CHECK(result_of(results.finish(), CheckId::jsonrpc_error_parse_error).info.diagnosis ==
          "it dropped the line");
    results.record(CheckId::jsonrpc_batch_rejected, Status::warn, "x", {}, "2025-06-18");
    CHECK(result_of(results.finish(), CheckId::jsonrpc_batch_rejected).info.diagnosis ==
          def(CheckId::jsonrpc_batch_rejected).info.diagnosis);
  }

  SUBCASE("a rule about a capability the server does not declare is not applicable") {
    results.set_capabilities(
        capability_bits(nlohmann::json{{"prompts", nlohmann::json::object()}, {"tools", nullptr}}));
    results.record(CheckId::resources_read_listed, Status::fail, "bad", {}, "2025-11-25");
    results.record(CheckId::prompts_get_listed_and_errors, Status::fail, "bad", {}, "2025-11-25");
    results.record(CheckId::tools_capability_declared, Status::fail, "undeclared", {}, "2025-11-25");
    auto all = results.finish();
    CHECK(result_of(all, CheckId::resources_read_listed).status == Status::skip);
    CHECK(result_of(all, CheckId::resources_read_listed).message ==
          "not applicable: the server does not declare the resources capability");
    // "tools": null is not a declaration.
    CHECK(result_of(all, CheckId::tools_list_schema).message ==
          "not applicable: the server does not declare the tools capability");
    CHECK(result_of(all, CheckId::prompts_get_listed_and_errors).status == Status::fail);
    // The rule that a served feature is declared needs no capability.
    CHECK(result_of(all, CheckId::tools_capability_declared).status == Status::fail);
  }

  SUBCASE("a result is tagged with the version it was decided under") {
    results.record(CheckId::jsonrpc_error_shape, Status::pass, "", {}, "2024-11-05");
    CHECK(result_of(results.finish(), CheckId::jsonrpc_error_shape).protocol_version == "2024-11-05");
  }

  SUBCASE("skips say why, and never hide an outcome") {
    results.skip(CheckId::util_cancel_honoured, "no tool to cancel");
    results.record(CheckId::jsonrpc_error_shape, Status::pass, "", {}, "2025-11-25");
    results.skip(CheckId::jsonrpc_error_shape, "too late");
    auto all = results.finish();
    CHECK(result_of(all, CheckId::util_cancel_honoured).status == Status::skip);
    CHECK(result_of(all, CheckId::util_cancel_honoured).message == "no tool to cancel");
    CHECK(result_of(all, CheckId::jsonrpc_error_shape).status == Status::pass);
    CHECK(result_of(all, CheckId::jsonrpc_batch_rejected).message == "not exercised by this run");
    CHECK(result_of(all, CheckId::http_resume_event_ids).message.find("needs an allowed tool") == 0);
  }

  SUBCASE("levels follow the version the rule was broken under") {
    results.violation(CheckId::lifecycle_capabilities_client_respected, "x", {}, "2025-03-26");
    results.violation(CheckId::tools_input_schema_valid_dialect, "x", {}, "2025-11-25");
    results.violation(CheckId::util_cancel_unknown_ignored, "x", {}, "2025-11-25");
    results.violation(CheckId::http_health_endpoint, "x", {}, "2025-11-25");
    auto all = results.finish();
    CHECK(result_of(all, CheckId::lifecycle_capabilities_client_respected).status == Status::warn);
    CHECK(result_of(all, CheckId::tools_input_schema_valid_dialect).status == Status::fail);
    CHECK(result_of(all, CheckId::util_cancel_unknown_ignored).status == Status::warn);
    CHECK(result_of(all, CheckId::http_health_endpoint).status == Status::pass);
    CHECK(def(CheckId::lifecycle_capabilities_client_respected).level_in("2025-06-18") == Level::must);
    CHECK(def(CheckId::lifecycle_operation_version_respected).level_in("2024-11-05") == Level::should);
    CHECK(def(CheckId::tools_input_schema_valid_dialect).level_in("2025-06-18") == Level::should);
    CHECK(def(CheckId::tools_input_schema_valid_dialect).level_in("") == Level::must);
  }

  SUBCASE("a result carries the level that was applied to it, not the row's strictest one") {
    // Issue 14: WARN results carried "must" in the JSON report.
    results.set_version("2025-03-26");
    results.violation(CheckId::lifecycle_capabilities_client_respected, "x", {}, "2025-03-26");
    results.violation(CheckId::util_cancel_honoured, "x", {}, "2025-11-25");
    results.violation(CheckId::jsonrpc_error_shape, "x", {}, "2025-11-25");
    results.record(CheckId::resources_read_not_found, Status::warn, "x", {}, "2025-11-25");
    results.violation(CheckId::http_health_endpoint, "x", {}, "2025-11-25");
    auto all = results.finish();
    CHECK(result_of(all, CheckId::lifecycle_capabilities_client_respected).info.level == Level::should);
    CHECK(result_of(all, CheckId::util_cancel_honoured).status == Status::warn);
    CHECK(result_of(all, CheckId::util_cancel_honoured).info.level == Level::should);
    CHECK(result_of(all, CheckId::jsonrpc_error_shape).info.level == Level::must);
    CHECK(result_of(all, CheckId::resources_read_not_found).info.level == Level::should);
    CHECK(result_of(all, CheckId::http_health_endpoint).info.level == Level::info);
    // Undecided rows carry the run's level too.
    CHECK(result_of(all, CheckId::tools_input_schema_valid_dialect).info.level == Level::should);
  }

  SUBCASE("cancellation is a SHOULD until 2026-07-28 makes it a MUST") {
    // docs/2025-11-25/basic/utilities/cancellation.mdx: «Receivers of cancellation notifications
    // **SHOULD**: Stop processing the cancelled request [...] Not send a response for the cancelled
    // request»; docs/2026-07-28/basic/transports/stdio.mdx: «MUST NOT send any further messages for it.»
    for (const char* v : {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}) {
      CHECK(def(CheckId::util_cancel_honoured).level_in(v) == Level::should);
    }
    CHECK(def(CheckId::util_cancel_honoured).level_in("2026-07-28") == Level::must);
    // The same shape for two other rules the legacy versions state as SHOULD (issue 14's audit).
    CHECK(def(CheckId::http_sse_related_only).level_in("2025-11-25") == Level::should);
    CHECK(def(CheckId::http_sse_related_only).level_in("2026-07-28") == Level::must);
    CHECK(def(CheckId::resources_read_not_found).level_in("2025-11-25") == Level::should);
    CHECK(def(CheckId::resources_read_not_found).level_in("2026-07-28") == Level::must);
    results.violation(CheckId::util_cancel_honoured, "x", {}, "2026-07-28");
    CHECK(result_of(results.finish(), CheckId::util_cancel_honoured).status == Status::fail);
  }

  SUBCASE("a check that does not apply to the run's version is never recorded") {
    // The defect of issue 12: passive checks recorded PASS for rows of later versions.
    results.set_version("2024-11-05");
    results.record(CheckId::http_sse_event_format, Status::pass, "", {}, "2024-11-05");
    results.violation(CheckId::http_resume_event_ids, "x", {}, "2024-11-05");
    auto all = results.finish();
    CHECK_FALSE(results.recorded(CheckId::http_sse_event_format));
    CHECK(result_of(all, CheckId::http_sse_event_format).status == Status::skip);
    CHECK(result_of(all, CheckId::http_sse_event_format).message ==
          "not applicable to protocol version 2024-11-05");
    CHECK(result_of(all, CheckId::http_resume_event_ids).status == Status::skip);
  }

  SUBCASE("nor one of another transport") {
    results.set_transport(transport::TransportKind::stdio);
    results.record(CheckId::http_session_delete, Status::fail, "x", {}, "2025-11-25");
    results.skip(CheckId::http_bind_localhost, "x");
    auto all = results.finish();
    CHECK(result_of(all, CheckId::http_session_delete).status == Status::skip);
    CHECK(result_of(all, CheckId::http_session_delete).message == "not applicable to the stdio transport");
    CHECK(result_of(all, CheckId::http_bind_localhost).message == "not applicable to the stdio transport");
  }

  SUBCASE("--only and --skip hold at recording time too") {
    options.skip = {"jsonrpc.*"};
    results.record(CheckId::jsonrpc_envelope_version, Status::fail, "x", {}, "2025-11-25");
    CHECK_FALSE(results.recorded(CheckId::jsonrpc_envelope_version));
    CHECK_FALSE(listed(results.finish(), CheckId::jsonrpc_envelope_version));
    CHECK_FALSE(results.wants(CheckId::jsonrpc_envelope_version));
  }
}

TEST_CASE("checks::run_step") {
  RunOptions options;
  transport::Tracer tracer;
  Context ctx(options, tracer);
  ctx.set_version("2025-11-25");
  ctx.set_transport_kind(transport::TransportKind::stdio);
  ctx.pass(CheckId::util_ping_empty_result);  // decided before the failing step

  SUBCASE("a step that throws errors only the undecided checks it owns") {
    Step step{"malformed input",
              [](Context& c) {
                c.pass(CheckId::jsonrpc_error_parse_error);
                throw std::runtime_error("type_error: not an object");
              },
              {CheckId::jsonrpc_error_parse_error, CheckId::jsonrpc_error_invalid_request}};
    run_step(ctx, step);
    auto all = ctx.results().finish();
    CHECK(result_of(all, CheckId::jsonrpc_error_parse_error).status == Status::pass);
    const auto& invalid = result_of(all, CheckId::jsonrpc_error_invalid_request);
    CHECK(invalid.status == Status::error);
    CHECK(invalid.message.find("'malformed input'") != std::string::npos);
    CHECK(invalid.message.find("not an object") != std::string::npos);
    // Another step's checks keep their own state (the defect: all became errors).
    CHECK(result_of(all, CheckId::util_ping_empty_result).status == Status::pass);
    CHECK(result_of(all, CheckId::jsonrpc_batch_rejected).status == Status::skip);
    CHECK(result_of(all, CheckId::jsonrpc_batch_rejected).message == "not exercised by this run");
    CHECK(result_of(all, CheckId::stdio_framing_newline).status == Status::skip);
  }

  SUBCASE("a step that returns normally errors nothing") {
    run_step(ctx, Step{"nothing", [](Context&) {}, {CheckId::jsonrpc_error_invalid_request}});
    CHECK(result_of(ctx.results().finish(), CheckId::jsonrpc_error_invalid_request).status == Status::skip);
  }
}
