#pragma once

// Private: the tool fixtures of mcp-refserver (tools.cpp lists and dispatches them,
// tool_fixtures.cpp implements them).

#include <vector>

#include "refserver/session_impl.h"

namespace mcp_probe::refserver {

using ToolRun = Outcome (*)(Call& call, const Json& arguments);

struct ToolDef {
  std::string name;
  std::string title;
  std::string description;
  int min_rank = 0;    // the oldest version (rank) that lists the tool
  Json input_schema;   // what arguments are validated against
  Json output_schema;  // null: none (only sent from 2025-06-18)
  ToolRun run = nullptr;
  // The fixture may wait while it runs (Call::sleep_for or Call::ask_client): Session::may_wait
  // says so to the front-ends, which then stream the reply.
  bool may_wait = false;
  // The newest version (rank) that lists the tool: the fixtures that ask the client with a
  // server->client request stop at 2025-11-25 (the modern era has none; see mrtr.cpp).
  int max_rank = k_rank_2026_07;
};

// The tools visible to `call` (its version, faults applied to names). Built once per process
// for each set of faults and rank (sessions share it); valid as long as the session.
const std::vector<ToolDef>& tool_defs(const Call& call);

// Whether the tool named `name` may wait while it runs (its ToolDef::may_wait). Thread-safe.
bool tool_may_wait(std::string_view name);

// Content helpers. The text is taken by value and moved into the result: a temporary (most
// callers build the text) is not copied.
Json text_content(std::string text);
Json image_content(const Call& call);
Json tool_text(std::string text, bool is_error = false);

// Fixture implementations (tool_fixtures.cpp).
Outcome run_simple_text(Call& call, const Json& arguments);
Outcome run_image(Call& call, const Json& arguments);
Outcome run_audio(Call& call, const Json& arguments);
Outcome run_embedded_resource(Call& call, const Json& arguments);
Outcome run_multiple_content(Call& call, const Json& arguments);
Outcome run_with_logging(Call& call, const Json& arguments);
Outcome run_error_handling(Call& call, const Json& arguments);
Outcome run_with_progress(Call& call, const Json& arguments);
Outcome run_sampling(Call& call, const Json& arguments);
Outcome run_elicitation(Call& call, const Json& arguments);
Outcome run_elicitation_defaults(Call& call, const Json& arguments);
Outcome run_elicitation_enums(Call& call, const Json& arguments);
Outcome run_reconnection(Call& call, const Json& arguments);
Outcome run_json_schema_2020(Call& call, const Json& arguments);
Outcome run_echo(Call& call, const Json& arguments);
Outcome run_add(Call& call, const Json& arguments);
Outcome run_slow(Call& call, const Json& arguments);
Outcome run_fail(Call& call, const Json& arguments);
Outcome run_resource_link(Call& call, const Json& arguments);

// The 2026-07-28 fixtures of the official conformance suite (mrtr.cpp): multi round-trip
// requests (InputRequiredResult), capability errors and list-change triggers.
Outcome run_ir_elicitation(Call& call, const Json& arguments);
Outcome run_ir_sampling(Call& call, const Json& arguments);
Outcome run_ir_list_roots(Call& call, const Json& arguments);
Outcome run_ir_request_state(Call& call, const Json& arguments);
Outcome run_ir_multiple_inputs(Call& call, const Json& arguments);
Outcome run_ir_multi_round(Call& call, const Json& arguments);
Outcome run_ir_tampered_state(Call& call, const Json& arguments);
Outcome run_ir_capabilities(Call& call, const Json& arguments);
Outcome run_missing_capability(Call& call, const Json& arguments);
Outcome run_trigger_tool_change(Call& call, const Json& arguments);
Outcome run_logging_once(Call& call, const Json& arguments);
Outcome run_custom_header(Call& call, const Json& arguments);
Outcome run_trigger_prompt_change(Call& call, const Json& arguments);

}  // namespace mcp_probe::refserver
