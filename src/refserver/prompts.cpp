// prompts/* and completion/complete of the reference server.

#include "refserver/session_impl.h"

namespace mcp_probe::refserver {

namespace {

struct PromptArg {
  const char* name;
  const char* description;
};

struct PromptDef {
  const char* name;
  const char* title;
  const char* description;
  std::vector<PromptArg> arguments;  // all required
};

const std::vector<PromptDef>& prompt_defs() {
  static const std::vector<PromptDef> defs = {
      {"test_simple_prompt", "Simple prompt", "A simple prompt without arguments", {}},
      {"test_prompt_with_arguments",
       "Prompt with arguments",
       "A prompt with two required arguments",
       {{"arg1", "First test argument"}, {"arg2", "Second test argument"}}},
      {"test_prompt_with_embedded_resource",
       "Prompt with embedded resource",
       "A prompt that embeds a resource",
       {{"resourceUri", "URI of the resource to embed"}}},
      {"test_prompt_with_image", "Prompt with image", "A prompt with image content", {}},
  };
  return defs;
}

const PromptDef* find_prompt(const std::string& name) {
  for (const PromptDef& def : prompt_defs()) {
    if (name == def.name) return &def;
  }
  return nullptr;
}

Json user_message(Json content) { return Json{{"role", "user"}, {"content", std::move(content)}}; }

Json text(const std::string& value) { return Json{{"type", "text"}, {"text", value}}; }

Json render(const Call& call, const PromptDef& def, const Json& args) {
  auto arg = [&](const char* name) { return args.value(name, std::string("mcp-refserver")); };
  const std::string name = def.name;
  Json messages = Json::array();
  if (name == "test_simple_prompt") {
    messages.push_back(user_message(text("This is a simple prompt for testing.")));
  } else if (name == "test_prompt_with_arguments") {
    messages.push_back(
        user_message(text("Prompt with arguments: arg1='" + arg("arg1") + "', arg2='" + arg("arg2") + "'")));
  } else if (name == "test_prompt_with_embedded_resource") {
    Json resource{{"uri", arg("resourceUri")},
                  {"mimeType", "text/plain"},
                  {"text", "Embedded resource content for testing."}};
    messages.push_back(user_message({{"type", "resource"}, {"resource", std::move(resource)}}));
    messages.push_back(user_message(text("Please process the embedded resource above.")));
  } else {
    std::string data = k_png_base64;
    if (call.has("bad-base64")) data = "data:image/png;base64," + data;
    messages.push_back(user_message({{"type", "image"}, {"data", data}, {"mimeType", "image/png"}}));
    messages.push_back(user_message(text("Please analyze the image above.")));
  }
  return Json{{"description", def.description}, {"messages", std::move(messages)}};
}

Json completion(const std::vector<std::string>& candidates, const std::string& prefix) {
  Json values = Json::array();
  for (const std::string& value : candidates) {
    if (value.rfind(prefix, 0) == 0) values.push_back(value);
  }
  const std::size_t total = values.size();
  return Json{{"completion", {{"values", std::move(values)}, {"total", total}, {"hasMore", false}}}};
}

}  // namespace

Outcome handle_prompts_list(Call& call) {
  Json prompts = Json::array();
  for (const PromptDef& def : prompt_defs()) {
    Json prompt{{"name", def.name}, {"description", def.description}};
    if (call.rank() >= k_rank_2025_06) prompt["title"] = def.title;
    Json arguments = Json::array();
    for (const PromptArg& a : def.arguments) {
      arguments.push_back({{"name", a.name}, {"description", a.description}, {"required", true}});
    }
    if (!arguments.empty()) prompt["arguments"] = std::move(arguments);
    prompts.push_back(std::move(prompt));
  }
  if (call.modern()) {
    // 2026-07-28 only: the conformance suite's InputRequiredResult prompt (mrtr.cpp).
    prompts.push_back({{"name", k_input_required_prompt},
                       {"title", "Input required: prompt"},
                       {"description", "Asks for context with an InputRequiredResult (needs elicitation)"}});
  }
  return paginate(call, prompts, "prompts");
}

Outcome handle_prompts_get(Call& call) {
  const Json name = call.params.value("name", Json());
  if (!name.is_string()) return Outcome::fail(k_invalid_params, "prompts/get: name (a string) is required");
  const Json args = call.params.value("arguments", Json::object());
  if (!args.is_object()) return Outcome::fail(k_invalid_params, "prompts/get: arguments must be an object");
  for (const auto& [key, value] : args.items()) {
    if (!value.is_string())
      return Outcome::fail(k_invalid_params, "prompts/get: argument '" + key + "' must be a string");
  }
  if (call.modern() && name == k_input_required_prompt) return run_input_required_prompt(call);
  const bool lenient = call.has("prompt-unknown-success");
  const PromptDef* def = find_prompt(name.get<std::string>());
  if (!def) {
    if (!lenient) return Outcome::fail(k_invalid_params, "Unknown prompt: " + name.get<std::string>());
    return Outcome::ok(
        Json{{"messages", Json::array({user_message(text("No such prompt, but here you are."))})}});
  }
  for (const PromptArg& a : def->arguments) {
    if (!args.contains(a.name) && !lenient) {
      return Outcome::fail(k_invalid_params, std::string("Missing required argument: ") + a.name);
    }
  }
  return Outcome::ok(render(call, *def, args));
}

Outcome handle_complete(Call& call) {
  const Json ref = call.params.value("ref", Json());
  const Json argument = call.params.value("argument", Json());
  if (!ref.is_object() || !argument.is_object() || !argument.value("name", Json()).is_string()) {
    return Outcome::fail(k_invalid_params,
                         "completion/complete: ref and argument {name, value} are required");
  }
  const std::string arg_name = argument["name"];
  const Json value = argument.value("value", Json(""));
  const std::string prefix = value.is_string() ? value.get<std::string>() : "";
  if (call.has("completion-too-many")) {
    std::vector<std::string> many;
    for (int i = 0; i < 101; ++i) many.push_back(prefix + std::to_string(i));
    return Outcome::ok(completion(many, ""));
  }
  const std::string type = ref.value("type", "");
  if (type == "ref/prompt") {
    const PromptDef* def = find_prompt(ref.value("name", ""));
    if (def || call.has("completion-unknown-ok")) {
      if (def && arg_name == "arg1")
        return Outcome::ok(completion({"paris", "park", "party", "test", "testing"}, prefix));
      if (def && arg_name == "arg2") return Outcome::ok(completion({"world", "word", "work"}, prefix));
      return Outcome::ok(completion({}, prefix));
    }
    return Outcome::fail(k_invalid_params, "Unknown prompt: " + ref.value("name", ""));
  }
  if (type == "ref/resource") {
    const bool known = ref.value("uri", "") == "test://template/{id}/data";
    if (known && arg_name == "id") return Outcome::ok(completion({"1", "2", "3", "123"}, prefix));
    if (known || call.has("completion-unknown-ok")) return Outcome::ok(completion({}, prefix));
    return Outcome::fail(k_invalid_params, "Unknown resource template: " + ref.value("uri", ""));
  }
  return Outcome::fail(k_invalid_params, "completion/complete: unknown ref type '" + type + "'");
}

}  // namespace mcp_probe::refserver
