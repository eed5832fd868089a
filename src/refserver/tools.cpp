// tools/list and tools/call of the reference server: the tool table, argument validation and
// the tool-related faults.

#include "refserver/tools.h"

namespace mcp_probe::refserver {

namespace {

Json object_schema(Json properties = Json::object(), Json required = Json::array()) {
  return Json{{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

Json typed(const char* type, const char* description) { return Json{{"type", type}, {"description", description}}; }

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

bool type_matches(const std::string& type, const Json& value) {
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "integer") return value.is_number_integer();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  return true;
}

// The subset of JSON Schema the fixtures use: required properties and property types.
std::string invalid_arguments(const Json& schema, const Json& arguments) {
  // Looked up in place: this runs on every tools/call.
  if (auto required = schema.find("required"); required != schema.end() && required->is_array()) {
    for (const Json& name : *required) {
      if (!arguments.contains(name.get<std::string>())) return "missing required argument '" + name.get<std::string>() + "'";
    }
  }
  const auto properties = schema.find("properties");
  if (properties == schema.end() || !properties->is_object()) return "";
  for (const auto& [name, value] : arguments.items()) {
    const auto property = properties->find(name);
    if (property == properties->end()) continue;
    const std::string type = property->value("type", "");
    if (!type_matches(type, value)) return "argument '" + name + "' must be of type " + type;
  }
  return "";
}

Json listed_tool(const Call& call, const ToolDef& def) {
  Json tool{{"name", def.name}, {"description", def.description}, {"inputSchema", def.input_schema}};
  if (call.rank() >= k_rank_2025_06) {
    tool["title"] = def.title;
    if (!def.output_schema.is_null()) tool["outputSchema"] = def.output_schema;
  }
  if (def.run == run_echo) {
    if (call.rank() >= k_rank_2025_03) tool["annotations"] = {{"readOnlyHint", true}, {"openWorldHint", false}};
    if (call.has("invalid-utf8")) tool["description"] = def.description + std::string(k_invalid_utf8_marker);
    if (call.has("tool-schema-not-object")) tool["inputSchema"].erase("type");
    if (call.has("tool-schema-bad-dialect")) tool["inputSchema"]["properties"]["message"] = {{"type", "int"}, {"required", true}};
  }
  return tool;
}

}  // namespace

Json text_content(const std::string& text) { return Json{{"type", "text"}, {"text", text}}; }

Json image_content(const Call& call) {
  std::string data = k_png_base64;
  if (call.has("bad-base64")) data = "data:image/png;base64," + data;
  return Json{{"type", "image"}, {"data", data}, {"mimeType", "image/png"}};
}

Json tool_text(const std::string& text, bool is_error) {
  Json result{{"content", Json::array({text_content(text)})}};
  if (is_error) result["isError"] = true;
  return result;
}

namespace {

std::vector<ToolDef> build_tool_defs(const Call& call) {
  Json add_output = call.has("output-schema-array")
                        ? Json{{"type", "array"}, {"items", {{"type", "number"}}}}
                        : Json{{"type", "object"}, {"properties", {{"sum", {{"type", "number"}}}}}, {"required", {"sum"}}};
  std::vector<ToolDef> defs = {
      {call.has("tool-name-bad") ? "my tool/x" : "echo", "Echo", "Returns its message argument as text", 0,
       object_schema({{"message", typed("string", "Text to echo")}}, {"message"}), nullptr, run_echo},
      {"add", "Add", "Adds two numbers", 0,
       object_schema({{"a", typed("number", "First number")}, {"b", typed("number", "Second number")}}, {"a", "b"}),
       add_output, run_add},
      {"slow", "Slow", "Works for steps x delay_ms milliseconds, reporting progress; cancellable", 0,
       object_schema({{"steps", typed("integer", "Number of steps (default 3)")},
                      {"delay_ms", typed("integer", "Milliseconds per step (default 100)")}}),
       nullptr, run_slow},
      {"fail", "Fail", "Always fails (a tool execution error)", 0, object_schema(), nullptr, run_fail},
      {"get_resource_link", "Resource link", "Returns a link to test://static-text", k_rank_2025_06, object_schema(),
       nullptr, run_resource_link},
      {"test_simple_text", "Simple text", "Returns simple text content", 0, object_schema(), nullptr, run_simple_text},
      {"test_image_content", "Image", "Returns image content", 0, object_schema(), nullptr, run_image},
      {"test_audio_content", "Audio", "Returns audio content", k_rank_2025_03, object_schema(), nullptr, run_audio},
      {"test_embedded_resource", "Embedded resource", "Returns an embedded resource", 0, object_schema(), nullptr,
       run_embedded_resource},
      {"test_multiple_content_types", "Mixed content", "Returns text, image and resource content", 0,
       object_schema(), nullptr, run_multiple_content},
      {"test_tool_with_logging", "Logging", "Sends three info log messages while it runs", 0, object_schema(),
       nullptr, run_with_logging},
      {"test_error_handling", "Error", "Always returns a tool execution error", 0, object_schema(), nullptr,
       run_error_handling},
      {"test_tool_with_progress", "Progress", "Reports progress 0, 50 and 100 of 100", 0, object_schema(), nullptr,
       run_with_progress},
      {"test_sampling", "Sampling", "Asks the client for an LLM completion (needs the sampling capability)", 0,
       object_schema({{"prompt", typed("string", "The prompt to send to the LLM")}}, {"prompt"}), nullptr,
       run_sampling},
      {"test_elicitation", "Elicitation", "Asks the user for input (needs the elicitation capability)",
       k_rank_2025_06, object_schema({{"message", typed("string", "The message to show the user")}}, {"message"}),
       nullptr, run_elicitation},
      {"test_elicitation_sep1034_defaults", "Elicitation defaults",
       "Elicitation with default values for every primitive type (SEP-1034)", k_rank_2025_11, object_schema(),
       nullptr, run_elicitation_defaults},
      {"test_elicitation_sep1330_enums", "Elicitation enums", "Elicitation with the five enum variants (SEP-1330)",
       k_rank_2025_11, object_schema(), nullptr, run_elicitation_enums},
      {"test_reconnection", "Reconnection", "Takes 500 ms, long enough for an HTTP server to close its stream", 0,
       object_schema(), nullptr, run_reconnection},
      {"json_schema_2020_12_tool", "JSON Schema 2020-12", "Tool with JSON Schema 2020-12 features", k_rank_2025_11,
       json_schema_2020_fixture(), nullptr, run_json_schema_2020},
  };
  std::vector<ToolDef> visible;
  for (ToolDef& def : defs) {
    if (def.min_rank <= call.rank()) visible.push_back(std::move(def));
  }
  return visible;
}

}  // namespace

bool tool_may_wait(std::string_view name) {
  // The fixtures that call Call::sleep_for or Call::ask_client.
  static const std::set<std::string_view> k_waiting = {
      "slow", "test_tool_with_logging", "test_tool_with_progress", "test_sampling", "test_elicitation",
      "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums", "test_reconnection"};
  return k_waiting.count(name) > 0;
}

const std::vector<ToolDef>& tool_defs(const Call& call) {
  std::lock_guard lock(call.session.mutex);
  auto& table = call.session.tool_tables[call.rank()];
  if (!table) table = std::make_shared<const std::vector<ToolDef>>(build_tool_defs(call));
  return *table;
}

Outcome handle_tools_list(Call& call) {
  const std::vector<ToolDef>& defs = tool_defs(call);
  Json tools = Json::array();
  for (const ToolDef& def : defs) {
    tools.push_back(listed_tool(call, def));
    if (def.run == run_echo && call.has("tool-name-duplicate")) tools.push_back(listed_tool(call, def));
  }
  if (call.has("bad-schema")) {
    tools.push_back({{"name", 42}, {"description", "a tool whose name is a number"}, {"inputSchema", object_schema()}});
  }
  return paginate(call, tools, "tools");
}

Outcome handle_tools_call(Call& call) {
  const Json name = call.params.value("name", Json());
  if (!name.is_string()) return Outcome::fail(k_invalid_params, "tools/call: name (a string) is required");
  const Json arguments = call.params.value("arguments", Json::object());
  if (!arguments.is_object()) return Outcome::fail(k_invalid_params, "tools/call: arguments must be an object");
  const std::vector<ToolDef>& defs = tool_defs(call);
  const ToolDef* tool = nullptr;
  for (const ToolDef& def : defs) {
    if (def.name == name.get<std::string>()) tool = &def;
  }
  if (!tool) {
    if (call.has("unknown-tool-success")) return Outcome::ok(tool_text("called " + name.get<std::string>()));
    return Outcome::fail(k_invalid_params, "Unknown tool: " + name.get<std::string>());
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
      if (call.negotiated_rank() >= k_rank_2025_11) return Outcome::ok(tool_text("Invalid arguments: " + problem, true));
      return Outcome::fail(k_invalid_params, "Invalid arguments for " + tool->name + ": " + problem);
    }
  }
  Outcome outcome = tool->run(call, arguments);
  if (outcome.result && call.has("tool-result-no-content")) outcome.result->erase("content");
  return outcome;
}

}  // namespace mcp_probe::refserver
