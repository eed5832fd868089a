// tools/list and tools/call of the reference server: the tool table, argument validation and
// the tool-related faults.

#include "refserver/tools.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "refserver/tasks.h"

namespace mcp_probe::refserver {

namespace {

Json object_schema(Json properties = Json::object(), Json required = Json::array()) {
  return Json{{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

Json typed(const char* type, const char* description) {
  return Json{{"type", type}, {"description", description}};
}

Json json_schema_2020_fixture() {
  return Json{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
              {"type", "object"},
              {"$defs",
               {{"address",
                 {{"type", "object"},
                  {"properties", {{"street", {{"type", "string"}}}, {"city", {{"type", "string"}}}}}}}}},
              {"properties", {{"name", {{"type", "string"}}}, {"address", {{"$ref", "#/$defs/address"}}}}},
              {"additionalProperties", false}};
}

// The 2026-07-28 suite's version (SEP-2106): $anchor inside $defs, allOf/anyOf and if/then/else
// too. The handshake era keeps the schema it always had.
Json json_schema_2020_modern_fixture() {
  Json schema = json_schema_2020_fixture();
  schema["$defs"]["address"]["$anchor"] = "addressDef";
  schema["properties"]["contactMethod"] = {{"type", "string"}, {"enum", {"phone", "email"}}};
  schema["properties"]["phone"] = {{"type", "string"}};
  schema["properties"]["email"] = {{"type", "string"}};
  schema["allOf"] =
      Json::array({{{"anyOf", Json::array({{{"required", {"phone"}}}, {{"required", {"email"}}}})}}});
  schema["if"] = {{"properties", {{"contactMethod", {{"const", "phone"}}}}}, {"required", {"contactMethod"}}};
  schema["then"] = {{"required", {"phone"}}};
  schema["else"] = {{"required", {"email"}}};
  return schema;
}

bool type_matches(std::string_view type, const Json& value) {
  if (type == "string"sv) return value.is_string();
  if (type == "number"sv) return value.is_number();
  if (type == "integer"sv) return value.is_number_integer();
  if (type == "boolean"sv) return value.is_boolean();
  if (type == "object"sv) return value.is_object();
  if (type == "array"sv) return value.is_array();
  return true;
}

// The subset of JSON Schema the fixtures use: required properties and property types.
std::string invalid_arguments(const Json& schema, const Json& arguments) {
  // Looked up in place: this runs on every tools/call.
  if (const Json* required = member(schema, "required"sv); required && required->is_array()) {
    for (const Json& name : *required) {
      if (!member(arguments, name.get_ref<const std::string&>()))
        return "missing required argument '" + name.get<std::string>() + "'";
    }
  }
  const Json* properties = member(schema, "properties"sv);
  if (!properties || !properties->is_object()) return {};
  // The object itself, not items(): each of its elements makes two strings.
  for (const auto& [name, value] : arguments.get_ref<const Json::object_t&>()) {
    const Json* property = member(*properties, name);
    if (!property) continue;
    static const std::string k_untyped;
    const Json* type_at = member(*property, "type"sv);
    const std::string& type = type_at ? type_at->get_ref<const std::string&>() : k_untyped;
    if (!type_matches(type, value)) return "argument '" + name + "' must be of type " + type;
  }
  return {};
}

Json listed_tool(const Call& call, const ToolDef& def) {
  Json tool{{"name", def.name}, {"description", def.description}, {"inputSchema", def.input_schema}};
  if (call.rank() >= k_rank_2025_06) {
    tool["title"] = def.title;
    if (!def.output_schema.is_null()) tool["outputSchema"] = def.output_schema;
  }
  if (def.run == run_echo) {
    if (call.rank() >= k_rank_2025_03)
      tool["annotations"] = {{"readOnlyHint", true}, {"openWorldHint", false}};
    if (call.has("invalid-utf8")) tool["description"] = def.description + std::string(k_invalid_utf8_marker);
    if (call.has("tool-schema-not-object")) tool["inputSchema"].erase("type");
    if (call.has("tool-schema-bad-dialect"))
      tool["inputSchema"]["properties"]["message"] = {{"type", "int"}, {"required", true}};
  }
  return tool;
}

}  // namespace

Json text_content(std::string text) {
  // Built member by member: an initializer list copies every element once more.
  Json content(Json::value_t::object);
  content.get_ref<Json::object_t&>().emplace("type", "text");
  content.get_ref<Json::object_t&>().emplace("text", std::move(text));
  return content;
}

Json image_content(const Call& call) {
  std::string data = k_png_base64;
  if (call.has("bad-base64")) data = "data:image/png;base64," + data;
  return Json{{"type", "image"}, {"data", data}, {"mimeType", "image/png"}};
}

Json tool_text(std::string text, bool is_error) {
  Json content(Json::value_t::array);
  content.get_ref<Json::array_t&>().push_back(text_content(std::move(text)));
  Json result(Json::value_t::object);
  result.get_ref<Json::object_t&>().emplace("content", std::move(content));
  if (is_error) result["isError"] = true;
  return result;
}

Json* Outcome::materialize() {
  if (text_result) {
    result = tool_text(std::move(*text_result));
    text_result.reset();
  }
  return result ? &*result : nullptr;
}

namespace {

// The tool table for `config`'s faults at version rank `rank`.
std::vector<ToolDef> build_tool_defs(const Config& config, int rank) {
  Json add_output =
      config.has("output-schema-array")
          ? Json{{"type", "array"}, {"items", {{"type", "number"}}}}
          : Json{{"type", "object"}, {"properties", {{"sum", {{"type", "number"}}}}}, {"required", {"sum"}}};
  std::vector<ToolDef> defs = {
      {config.has("tool-name-bad") ? "my tool/x" : "echo", "Echo", "Returns its message argument as text", 0,
       object_schema({{"message", typed("string", "Text to echo")}}, {"message"}), nullptr, run_echo},
      {"add", "Add", "Adds two numbers", 0,
       object_schema({{"a", typed("number", "First number")}, {"b", typed("number", "Second number")}},
                     {"a", "b"}),
       add_output, run_add},
      {"slow", "Slow", "Works for steps x delay_ms milliseconds, reporting progress; cancellable", 0,
       object_schema({{"steps", typed("integer", "Number of steps (default 3)")},
                      {"delay_ms", typed("integer", "Milliseconds per step (default 100)")}}),
       nullptr, run_slow, true},
      {"fail", "Fail", "Always fails (a tool execution error)", 0, object_schema(), nullptr, run_fail},
      {"get_resource_link", "Resource link", "Returns a link to test://static-text", k_rank_2025_06,
       object_schema(), nullptr, run_resource_link},
      {"test_simple_text", "Simple text", "Returns simple text content", 0, object_schema(), nullptr,
       run_simple_text},
      {"test_image_content", "Image", "Returns image content", 0, object_schema(), nullptr, run_image},
      {"test_audio_content", "Audio", "Returns audio content", k_rank_2025_03, object_schema(), nullptr,
       run_audio},
      {"test_embedded_resource", "Embedded resource", "Returns an embedded resource", 0, object_schema(),
       nullptr, run_embedded_resource},
      {"test_multiple_content_types", "Mixed content", "Returns text, image and resource content", 0,
       object_schema(), nullptr, run_multiple_content},
      {"test_tool_with_logging", "Logging", "Sends three info log messages while it runs", 0, object_schema(),
       nullptr, run_with_logging, true},
      {"test_error_handling", "Error", "Always returns a tool execution error", 0, object_schema(), nullptr,
       run_error_handling},
      {"test_tool_with_progress", "Progress", "Reports progress 0, 50 and 100 of 100", 0, object_schema(),
       nullptr, run_with_progress, true},
      {"test_sampling", "Sampling", "Asks the client for an LLM completion (needs the sampling capability)",
       0, object_schema({{"prompt", typed("string", "The prompt to send to the LLM")}}, {"prompt"}), nullptr,
       run_sampling, true, k_rank_2025_11},
      {"test_elicitation", "Elicitation", "Asks the user for input (needs the elicitation capability)",
       k_rank_2025_06,
       object_schema({{"message", typed("string", "The message to show the user")}}, {"message"}), nullptr,
       run_elicitation, true, k_rank_2025_11},
      {"test_elicitation_sep1034_defaults", "Elicitation defaults",
       "Elicitation with default values for every primitive type (SEP-1034)", k_rank_2025_11, object_schema(),
       nullptr, run_elicitation_defaults, true, k_rank_2025_11},
      {"test_elicitation_sep1330_enums", "Elicitation enums",
       "Elicitation with the five enum variants (SEP-1330)", k_rank_2025_11, object_schema(), nullptr,
       run_elicitation_enums, true, k_rank_2025_11},
      {"test_reconnection", "Reconnection",
       "Takes 500 ms, long enough for an HTTP server to close its stream", 0, object_schema(), nullptr,
       run_reconnection, true},
      {"json_schema_2020_12_tool", "JSON Schema 2020-12", "Tool with JSON Schema 2020-12 features",
       k_rank_2025_11,
       rank >= k_rank_2026_07 ? json_schema_2020_modern_fixture() : json_schema_2020_fixture(), nullptr,
       run_json_schema_2020},
      // 2026-07-28: multi round-trip requests instead of server->client requests.
      {"test_input_required_result_elicitation", "Input required: elicitation",
       "Asks for the user's name with an InputRequiredResult (needs elicitation)", k_rank_2026_07,
       object_schema(), nullptr, run_ir_elicitation},
      {"test_input_required_result_sampling", "Input required: sampling",
       "Asks for an LLM completion with an InputRequiredResult (needs sampling)", k_rank_2026_07,
       object_schema(), nullptr, run_ir_sampling},
      {"test_input_required_result_list_roots", "Input required: roots",
       "Asks for the client's roots with an InputRequiredResult (needs roots)", k_rank_2026_07,
       object_schema(), nullptr, run_ir_list_roots},
      {"test_input_required_result_request_state", "Input required: request state",
       "An InputRequiredResult with a requestState that must be echoed", k_rank_2026_07, object_schema(),
       nullptr, run_ir_request_state},
      {"test_input_required_result_multiple_inputs", "Input required: several inputs",
       "Asks for elicitation, sampling and roots at once (what the client declared)", k_rank_2026_07,
       object_schema(), nullptr, run_ir_multiple_inputs},
      {"test_input_required_result_multi_round", "Input required: two rounds",
       "Asks twice, carrying the first answer in requestState", k_rank_2026_07, object_schema(), nullptr,
       run_ir_multi_round},
      {"test_input_required_result_tampered_state", "Input required: tamper-proof state",
       "Rejects a requestState that was modified", k_rank_2026_07, object_schema(), nullptr,
       run_ir_tampered_state},
      {"test_input_required_result_capabilities", "Input required: capability-gated",
       "Asks only for the inputs the client declared (elicitation, sampling)", k_rank_2026_07,
       object_schema(), nullptr, run_ir_capabilities},
      {"test_missing_capability", "Missing capability", "Needs the sampling capability: -32021 without it",
       k_rank_2026_07, object_schema(), nullptr, run_missing_capability},
      {"test_streaming_elicitation", "Elicitation without server requests",
       "Asks for the user's name with an InputRequiredResult on its response stream (needs elicitation)",
       k_rank_2026_07, object_schema(), nullptr, run_ir_elicitation},
      {"test_logging_tool", "Logging on request", "Logs one info message when the request asks for logs",
       k_rank_2026_07, object_schema(), nullptr, run_logging_once},
      {"test_custom_header", "Custom header",
       "Echoes its region (mirrored in the Mcp-Param-Region header) and query", k_rank_2026_07,
       object_schema(
           {{"region", {{"type", "string"}, {"description", "A region"}, {"x-mcp-header", "Region"}}},
            {"query", typed("string", "A query")}},
           {"region"}),
       nullptr, run_custom_header},
      {"test_trigger_tool_change", "Trigger tools/list_changed",
       "Notifies open subscriptions that the tool list changed (the list itself stays the same)",
       k_rank_2026_07, object_schema(), nullptr, run_trigger_tool_change},
      {"test_trigger_prompt_change", "Trigger prompts/list_changed",
       "Notifies open subscriptions that the prompt list changed (the list itself stays the same)",
       k_rank_2026_07, object_schema(), nullptr, run_trigger_prompt_change},
      // The tasks extension (tasks.cpp): a task when the request declares it.
      {"greet", "Greet", "Says hello (never a task)", k_rank_2026_07,
       object_schema({{"name", typed("string", "Who to greet")}}, {"name"}), nullptr, run_greet},
      {"slow_compute", "Slow compute",
       "Works for `seconds`, then reports; a task with the tasks extension, inline without", k_rank_2026_07,
       object_schema({{"seconds", typed("number", "How long to work (0 to 600)")},
                      {"label", typed("string", "A label for the result")}}),
       nullptr, run_slow_compute, true},
      {"failing_job", "Failing job", "Runs only as a task; ends in a tool execution error", k_rank_2026_07,
       object_schema(), nullptr, run_failing_job},
      {"protocol_error_job", "Protocol error job", "Ends in a protocol error (a failed task)", k_rank_2026_07,
       object_schema(), nullptr, run_protocol_error_job},
      {"confirm_delete", "Confirm delete",
       "Asks the user to confirm deleting a file (a task in input_required, or an InputRequiredResult)",
       k_rank_2026_07, object_schema({{"filename", typed("string", "The file to delete")}}), nullptr,
       run_confirm_delete},
      {"multi_input", "Two inputs",
       "Asks two questions at once (a task in input_required, or an InputRequiredResult)", k_rank_2026_07,
       object_schema(), nullptr, run_multi_input},
      {"test_tool_with_task", "Input, then a task",
       "Runs only as a task: asks for the user's name (InputRequiredResult), then creates a task greeting "
       "them",
       k_rank_2026_07, object_schema(), nullptr, run_tool_with_task},
  };
  std::vector<ToolDef> visible;
  for (ToolDef& def : defs) {
    if (def.min_rank <= rank && rank <= def.max_rank) visible.push_back(std::move(def));
  }
  return visible;
}

}  // namespace

namespace {

// The table for `config`'s faults at `rank`, built once per process: the sessions of a server
// (one per HTTP client) all have its faults, and a table costs thousands of allocations.
std::shared_ptr<const std::vector<ToolDef>> shared_tool_defs(const Config& config, int rank) {
  using Key = std::pair<std::set<std::string, std::less<>>, int>;
  static std::mutex mutex;
  static std::map<Key, std::shared_ptr<const std::vector<ToolDef>>> tables;
  std::lock_guard lock(mutex);
  auto& table = tables[Key(config.faults, rank)];
  if (!table) table = std::make_shared<const std::vector<ToolDef>>(build_tool_defs(config, rank));
  return table;
}

}  // namespace

bool tool_may_wait(std::string_view name) {
  // The tools of the newest version of each era, fault-free: whether a tool waits depends on
  // neither, and every tool is listed in one of the two.
  // The modern table is built only when the name is not in the handshake one.
  const auto find = [name](const std::vector<ToolDef>& table) {
    return std::find_if(table.begin(), table.end(), [name](const ToolDef& def) { return def.name == name; });
  };
  static const auto k_handshake = shared_tool_defs(Config{}, k_rank_2025_11);
  if (auto it = find(*k_handshake); it != k_handshake->end()) return it->may_wait;
  static const auto k_modern = shared_tool_defs(Config{}, k_rank_2026_07);
  auto it = find(*k_modern);
  return it != k_modern->end() && it->may_wait;
}

const std::vector<ToolDef>& tool_defs(const Call& call) {
  std::lock_guard lock(call.session.mutex);
  auto& table = call.session.tool_tables[call.rank()];
  if (!table) table = shared_tool_defs(call.session.config, call.rank());
  return *table;
}

Outcome handle_tools_list(Call& call) {
  const std::vector<ToolDef>& defs = tool_defs(call);
  Json tools = Json::array();
  for (const ToolDef& def : defs) {
    tools.push_back(listed_tool(call, def));
    if (def.run == run_echo && call.has("tool-name-duplicate")) tools.push_back(listed_tool(call, def));
  }
  if (call.modern() && call.has("list-varies")) {
    // The fault: the list changes as a side effect of tools/call (tools.mdx: «MUST NOT vary
    // per-connection or as a side effect of other requests on the connection»).
    std::lock_guard lock(call.session.mutex);
    if (call.session.tools_called > 0 && !tools.empty()) tools.erase(tools.end() - 1);
  }
  if (call.modern() && call.has("list-order-varies")) {
    // The fault: the same tools, in reverse order after any tools/call (the order is a SHOULD).
    std::lock_guard lock(call.session.mutex);
    if (call.session.tools_called > 0) std::reverse(tools.begin(), tools.end());
  }
  if (call.has("bad-schema")) {
    tools.push_back(
        {{"name", 42}, {"description", "a tool whose name is a number"}, {"inputSchema", object_schema()}});
  }
  return paginate(call, tools, "tools");
}

Outcome handle_tools_call(Call& call) {
  // Looked up in place: the params are the request's own, and no name is copied per tool.
  const Json* name_at = member(call.params, "name"sv);
  if (!name_at || !name_at->is_string())
    return Outcome::fail(k_invalid_params, "tools/call: name (a string) is required");
  const std::string& name = name_at->get_ref<const std::string&>();
  static const Json k_no_arguments = Json::object();
  const Json* arguments_at = member(call.params, "arguments"sv);
  const Json& arguments = arguments_at ? *arguments_at : k_no_arguments;
  if (!arguments.is_object())
    return Outcome::fail(k_invalid_params, "tools/call: arguments must be an object");
  const std::vector<ToolDef>& defs = tool_defs(call);
  const ToolDef* tool = nullptr;
  for (const ToolDef& def : defs) {
    if (def.name == name) {
      tool = &def;
      break;
    }
  }
  if (!tool) {
    if (call.has("unknown-tool-success")) return Outcome::text("called " + name);
    return Outcome::fail(k_invalid_params, "Unknown tool: " + name);
  }
  if (call.has("task-without-capability") && call.params.contains("task")) {
    // A CreateTaskResult, though the capabilities declare no task-augmented tools/call.
    return Outcome::ok(Json{{"task",
                             {{"taskId", "refserver-task-1"},
                              {"status", "working"},
                              {"createdAt", "2025-11-25T00:00:00Z"},
                              {"lastUpdatedAt", "2025-11-25T00:00:00Z"},
                              {"ttl", 60000}}}});
  }
  if (!call.has("accept-invalid-args")) {
    const std::string problem = invalid_arguments(tool->input_schema, arguments);
    if (!problem.empty()) {
      // From 2025-11-25 on, input validation errors are tool execution errors (SEP-1303).
      if (call.negotiated_rank() >= k_rank_2025_11)
        return Outcome::ok(tool_text("Invalid arguments: " + problem, true));
      return Outcome::fail(k_invalid_params, "Invalid arguments for " + tool->name + ": " + problem);
    }
  }
  Outcome outcome = tool->run(call, arguments);
  if (call.has("tool-result-no-content")) {
    if (Json* result = outcome.materialize()) result->erase("content");
  }
  return outcome;
}

}  // namespace mcp_probe::refserver
