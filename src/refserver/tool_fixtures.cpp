// The tool fixtures: the server scenarios of the official conformance suite
// (@modelcontextprotocol/conformance 0.1.16), with their exact outputs, plus echo, add, slow,
// fail and get_resource_link.

#include <chrono>

#include "mcp_probe/json/wire.h"
#include "refserver/tools.h"

namespace mcp_probe::refserver {

namespace {

using std::chrono::milliseconds;

Json embedded(const char* uri, const char* mime, const std::string& text) {
  return Json{{"type", "resource"}, {"resource", {{"uri", uri}, {"mimeType", mime}, {"text", text}}}};
}

// A tool's execution failure: a result with isError, or a protocol error under the fault.
Outcome tool_failure(Call& call, const std::string& text) {
  if (call.has("tool-error-as-protocol-error")) return Outcome::fail(k_internal_error, text);
  return Outcome::ok(tool_text(text, true));
}

// Server->client requests wait for notifications/initialized (lifecycle SHOULD).
bool client_declares(Call& call, const char* capability) {
  std::lock_guard lock(call.session.mutex);
  return call.session.initialized && call.session.client_capabilities.contains(capability);
}

// Elicitation in form mode: `elicitation: {}` (form implied) or one that lists `form`.
bool client_elicits_forms(Call& call) {
  std::lock_guard lock(call.session.mutex);
  const Json& caps = call.session.client_capabilities;
  if (!call.session.initialized || !caps.contains("elicitation") || !caps["elicitation"].is_object())
    return false;
  const Json& elicitation = caps["elicitation"];
  return elicitation.empty() || elicitation.contains("form");
}

// Sends elicitation/create and renders the reply as "<prefix>action=..., content=...".
Outcome elicit(Call& call, Json params, const std::string& prefix) {
  if (!client_elicits_forms(call)) {
    return Outcome::ok(
        tool_text("The client does not support elicitation (no elicitation capability)", true));
  }
  std::optional<Json> reply = call.ask_client("elicitation/create", std::move(params));
  if (call.cancelled()) return Outcome::none();
  if (!reply) return Outcome::ok(tool_text("No reply to elicitation/create", true));
  if (!reply->contains("result")) {
    return Outcome::ok(tool_text("Elicitation failed: " + json::dump(reply->value("error", Json())), true));
  }
  const Json& result = (*reply)["result"];
  return Outcome::text(prefix + "action=" + result.value("action", std::string("?")) +
                       ", content=" + json::dump(result.value("content", Json::object())));
}

Json enum_choices(const std::vector<std::pair<const char*, const char*>>& choices) {
  Json out = Json::array();
  for (const auto& [value, title] : choices) out.push_back({{"const", value}, {"title", title}});
  return out;
}

}  // namespace

Outcome run_simple_text(Call&, const Json&) {
  return Outcome::text("This is a simple text response for testing.");
}

Outcome run_image(Call& call, const Json&) {
  return Outcome::ok(Json{{"content", Json::array({image_content(call)})}});
}

Outcome run_audio(Call&, const Json&) {
  return Outcome::ok(Json{
      {"content", Json::array({{{"type", "audio"}, {"data", k_wav_base64}, {"mimeType", "audio/wav"}}})}});
}

Outcome run_embedded_resource(Call&, const Json&) {
  return Outcome::ok(Json{{"content", Json::array({embedded("test://embedded-resource", "text/plain",
                                                            "This is an embedded resource content.")})}});
}

Outcome run_multiple_content(Call& call, const Json&) {
  Json content = Json::array(
      {text_content("Multiple content types test:"), image_content(call),
       embedded("test://mixed-content-resource", "application/json", R"({"test":"data","value":123})")});
  return Outcome::ok(Json{{"content", std::move(content)}});
}

Outcome run_with_logging(Call& call, const Json&) {
  call.log("info", "Tool execution started");
  if (!call.sleep_for(milliseconds(50))) return Outcome::none();
  call.log("info", "Tool processing data");
  if (!call.sleep_for(milliseconds(50))) return Outcome::none();
  call.log("info", "Tool execution completed");
  return Outcome::text("Tool with logging executed successfully");
}

Outcome run_error_handling(Call& call, const Json&) {
  return tool_failure(call, "This tool intentionally returns an error for testing");
}

Outcome run_with_progress(Call& call, const Json&) {
  call.progress(0, 100);
  if (!call.sleep_for(milliseconds(50))) return Outcome::none();
  call.progress(50, 100);
  if (!call.sleep_for(milliseconds(50))) return Outcome::none();
  call.progress(100, 100);
  return Outcome::text("Tool with progress executed successfully");
}

Outcome run_sampling(Call& call, const Json& arguments) {
  if (!client_declares(call, "sampling")) {
    return Outcome::ok(tool_text("The client does not support sampling (no sampling capability)", true));
  }
  Json params{
      {"messages", Json::array({{{"role", "user"},
                                 {"content", {{"type", "text"}, {"text", arguments.value("prompt", "")}}}}})},
      {"maxTokens", 100}};
  std::optional<Json> reply = call.ask_client("sampling/createMessage", std::move(params));
  if (call.cancelled()) return Outcome::none();
  if (!reply) return Outcome::ok(tool_text("No reply to sampling/createMessage", true));
  if (!reply->contains("result")) {
    return Outcome::ok(tool_text("Sampling failed: " + json::dump(reply->value("error", Json())), true));
  }
  const Json content = (*reply)["result"].value("content", Json::object());
  const std::string text = content.is_object() && content.value("type", "") == "text"
                               ? content.value("text", "")
                               : json::dump(content);
  return Outcome::text("LLM response: " + text);
}

Outcome run_elicitation(Call& call, const Json& arguments) {
  Json schema{{"type", "object"},
              {"properties",
               {{"username", {{"type", "string"}, {"description", "User's response"}}},
                {"email", {{"type", "string"}, {"description", "User's email address"}}}}},
              {"required", {"username", "email"}}};
  return elicit(call, {{"message", arguments.value("message", "")}, {"requestedSchema", std::move(schema)}},
                "User response: ");
}

Outcome run_elicitation_defaults(Call& call, const Json&) {
  Json properties{
      {"name", {{"type", "string"}, {"description", "User name"}, {"default", "John Doe"}}},
      {"age", {{"type", "integer"}, {"description", "User age"}, {"default", 30}}},
      {"score", {{"type", "number"}, {"description", "User score"}, {"default", 95.5}}},
      {"status",
       {{"type", "string"},
        {"description", "User status"},
        {"enum", {"active", "inactive", "pending"}},
        {"default", "active"}}},
      {"verified", {{"type", "boolean"}, {"description", "Verification status"}, {"default", true}}}};
  Json params{{"message", "Test client default value handling - please accept with defaults"},
              {"requestedSchema",
               {{"type", "object"}, {"properties", std::move(properties)}, {"required", Json::array()}}}};
  return elicit(call, std::move(params), "Elicitation completed: ");
}

Outcome run_elicitation_enums(Call& call, const Json&) {
  Json properties{{"untitledSingle",
                   {{"type", "string"},
                    {"description", "Untitled single-select"},
                    {"enum", {"option1", "option2", "option3"}}}},
                  {"titledSingle",
                   {{"type", "string"},
                    {"description", "Titled single-select"},
                    {"oneOf", enum_choices({{"value1", "First Option"},
                                            {"value2", "Second Option"},
                                            {"value3", "Third Option"}})}}},
                  {"legacyEnum",
                   {{"type", "string"},
                    {"description", "Legacy titled enum"},
                    {"enum", {"opt1", "opt2", "opt3"}},
                    {"enumNames", {"Option One", "Option Two", "Option Three"}}}},
                  {"untitledMulti",
                   {{"type", "array"},
                    {"description", "Untitled multi-select"},
                    {"items", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}}}},
                  {"titledMulti",
                   {{"type", "array"},
                    {"description", "Titled multi-select"},
                    {"items",
                     {{"anyOf", enum_choices({{"value1", "First Choice"},
                                              {"value2", "Second Choice"},
                                              {"value3", "Third Choice"}})}}}}}};
  Json params{{"message", "Test enum schema variants - please choose"},
              {"requestedSchema",
               {{"type", "object"}, {"properties", std::move(properties)}, {"required", Json::array()}}}};
  return elicit(call, std::move(params), "Elicitation completed: ");
}

Outcome run_reconnection(Call& call, const Json&) {
  if (!call.sleep_for(milliseconds(500))) return Outcome::none();
  return Outcome::text("Reconnection test completed successfully");
}

Outcome run_json_schema_2020(Call&, const Json& arguments) {
  return Outcome::text("json_schema_2020_12_tool called with: " + json::dump(arguments));
}

Outcome run_echo(Call&, const Json& arguments) {
  const Json* message = member(arguments, "message"sv);
  if (!message) return Outcome::text("");
  return Outcome::text(message->is_string() ? message->get_ref<const std::string&>() : json::dump(*message));
}

Outcome run_add(Call& call, const Json& arguments) {
  const Json a = arguments.value("a", Json(0));
  const Json b = arguments.value("b", Json(0));
  Json sum;
  if (a.is_number_integer() && b.is_number_integer()) {
    sum = a.get<std::int64_t>() + b.get<std::int64_t>();
  } else if (a.is_number() && b.is_number()) {
    sum = a.get<double>() + b.get<double>();
  } else {
    sum = nullptr;  // only reachable with accept-invalid-args
  }
  if (call.rank() < k_rank_2025_06) return Outcome::text(json::dump(sum));
  Json structured{{"sum", call.has("structured-mismatch") ? Json(json::dump(sum)) : sum}};
  const std::string mirror =
      call.has("no-text-mirror") ? "The sum is " + json::dump(sum) : json::dump(structured);
  Json result = tool_text(mirror);
  if (!call.has("structured-missing")) result["structuredContent"] = std::move(structured);
  return Outcome::ok(std::move(result));
}

Outcome run_slow(Call& call, const Json& arguments) {
  const int steps = std::clamp<int>(arguments.value("steps", 3), 1, 1000);
  const int delay = std::clamp<int>(arguments.value("delay_ms", 100), 0, 10000);
  for (int step = 1; step <= steps; ++step) {
    if (!call.sleep_for(milliseconds(delay))) return Outcome::none();
    call.progress(step, steps, "step " + std::to_string(step) + " of " + std::to_string(steps));
  }
  return Outcome::text("slow: " + std::to_string(steps) + " steps done");
}

Outcome run_fail(Call& call, const Json&) { return tool_failure(call, "fail: this tool always fails"); }

Outcome run_resource_link(Call&, const Json&) {
  Json link{{"type", "resource_link"},
            {"uri", "test://static-text"},
            {"name", "static-text"},
            {"description", "A static text resource"},
            {"mimeType", "text/plain"}};
  return Outcome::ok(Json{{"content", Json::array({std::move(link)})}});
}

}  // namespace mcp_probe::refserver
