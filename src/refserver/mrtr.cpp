// Multi round-trip requests of the 2026-07-28 revision (docs/2026-07-28/basic/patterns/mrtr.mdx):
// the InputRequiredResult fixtures the official conformance suite calls, the capability gate
// and the sealed requestState they share, and the list-change triggers for subscriptions.

#include <chrono>
#include <functional>

#include "mcp_probe/json/wire.h"
#include "refserver/request_state.h"
#include "refserver/tasks.h"
#include "refserver/tools.h"

namespace mcp_probe::refserver {

namespace {

// How long a requestState stays valid (mrtr.mdx: servers SHOULD include «a short expiry»).
constexpr std::chrono::minutes k_state_lifetime{10};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The client's answers and the state it echoes; both absent on a first call.
struct InputResponses {
  Json responses;  // params.inputResponses (an object), or null
  Json state;      // the verified requestState payload, or null
};

std::optional<Outcome> read_input_responses(const Call& call, InputResponses& out);

// The client capability an input request needs.
std::string capability_of(const Json& request) {
  const std::string method = request.value("method", "");
  if (method == "elicitation/create") return "elicitation";
  if (method == "sampling/createMessage") return "sampling";
  if (method == "roots/list") return "roots";
  return "";
}

// What a requestState is bound to: the request it was issued for (mrtr.mdx: «an identifier for
// the originating request, e.g. the method name and a digest of its salient parameters»).
Json binding_of(const Call& call) {
  const char* target = call.method == "resources/read" ? "uri" : "name";
  const Json arguments = call.params.value("arguments", Json::object());
  return Json{{"method", call.method},
              {"target", call.params.value(target, Json())},
              {"arguments", hmac_sha256_hex("mcp-refserver-arguments", json::dump(arguments))}};
}

// The answer in `responses` to the input request `request`, if it has the shape of its result.
bool answered(const Json& request, const Json& answer) {
  if (!answer.is_object()) return false;
  const std::string capability = capability_of(request);
  if (capability == "elicitation") return answer.contains("action") && answer["action"].is_string();
  if (capability == "sampling") return answer.contains("content");
  if (capability == "roots") return answer.contains("roots") && answer["roots"].is_array();
  return false;
}

Json elicit(const std::string& message, const std::string& property, const char* type = "string") {
  Json schema{{"type", "object"},
              {"properties", Json::object({{property, Json{{"type", type}}}})},
              {"required", Json::array({property})}};
  return Json{{"method", "elicitation/create"},
              {"params", Json{{"message", message}, {"requestedSchema", std::move(schema)}}}};
}

Json sample(const std::string& text, int max_tokens) {
  return Json{
      {"method", "sampling/createMessage"},
      {"params",
       {{"messages", Json::array({{{"role", "user"}, {"content", {{"type", "text"}, {"text", text}}}}})},
        {"maxTokens", max_tokens}}}};
}

Json list_roots() { return Json{{"method", "roots/list"}, {"params", Json::object()}}; }

// The value the user gave for `property` in an elicitation answer ("" when declined).
std::string elicited(const Json& answer, const std::string& property) {
  if (answer.value("action", "") != "accept") return "";
  const Json content = answer.value("content", Json::object());
  if (!content.is_object() || !content.contains(property)) return "";
  const Json& value = content[property];
  return value.is_string() ? value.get<std::string>() : json::dump(value);
}

std::string sampled_text(const Json& answer) {
  const Json content = answer.value("content", Json::object());
  if (content.is_object() && content.value("type", "") == "text") return content.value("text", "");
  return "(non-text answer)";
}

struct Ask {
  Json requests;         // key -> input request
  Json state = nullptr;  // {round, data}: what the next round needs; sealed into requestState
};

using Complete = std::function<Outcome(const Json& answers, const Json& state)>;

// One round of a fixture: the answers to every request the client can serve, or an
// InputRequiredResult asking for the missing ones (mrtr.mdx: «the server SHOULD respond with a
// new InputRequiredResult requesting the missing information again, rather than returning an
// error»). `expected_round`: the round a retry's state must name for its answers to count
// (null: no state needed).
Outcome round(Call& call, const Ask& ask, const Json& expected_round, const Complete& complete) {
  InputResponses in;
  if (auto error = read_input_responses(call, in)) return *error;
  Json gated = Json::object();
  Json missing_capabilities = Json::object();
  for (const auto& [key, request] : ask.requests.items()) {
    if (call.client_declares(capability_of(request)) || call.has("mrtr-ungated")) {
      gated[key] = request;
    } else {
      missing_capabilities[capability_of(request)] = Json::object();
    }
  }
  if (gated.empty()) {
    // docs/2026-07-28/basic/index.mdx: «the server MUST return a MissingRequiredClientCapabilityError
    // (-32021) whose data.requiredCapabilities lists the missing capabilities.»
    if (call.has("missing-capability-wrong-code")) return Outcome::fail(k_internal_error, "cannot proceed");
    return Outcome::fail(k_missing_client_capability, "Missing required client capability",
                         {{"requiredCapabilities", missing_capabilities}});
  }
  const bool state_matches =
      expected_round.is_null() || (in.state.is_object() && in.state.value("round", Json()) == expected_round);
  Json still = Json::object();
  for (const auto& [key, request] : gated.items()) {
    const bool ok = state_matches && in.responses.is_object() && in.responses.contains(key) &&
                    answered(request, in.responses[key]);
    if (!ok) still[key] = request;
  }
  if (still.empty())
    return complete(in.responses, in.state.is_object() ? in.state.value("data", Json()) : Json());
  Json result{{"resultType", "input_required"}, {"inputRequests", std::move(still)}};
  if (ask.state.is_object()) {
    result["requestState"] =
        seal_state({{"for", binding_of(call)},
                    {"expires", now_ms() + std::chrono::milliseconds(k_state_lifetime).count()},
                    {"round", ask.state.value("round", Json())},
                    {"data", ask.state.value("data", Json())}});
  }
  return Outcome::ok(std::move(result));
}

// Reads and verifies inputResponses and requestState. A requestState that fails verification
// (modified, forged, expired, or issued for another request) is an error Outcome.
std::optional<Outcome> read_input_responses(const Call& call, InputResponses& out) {
  if (call.params.contains("inputResponses")) {
    out.responses = call.params["inputResponses"];
    if (!out.responses.is_object())
      return Outcome::fail(k_invalid_params, "inputResponses must be an object");
  }
  if (!call.params.contains("requestState")) return std::nullopt;
  const Json& sealed = call.params["requestState"];
  auto payload = sealed.is_string() ? open_state(sealed.get<std::string>()) : std::nullopt;
  // mrtr.mdx: servers «MUST reject state that fails verification».
  if (!payload || !payload->is_object())
    return Outcome::fail(k_invalid_params, "requestState failed verification");
  if (payload->value("for", Json()) != binding_of(call)) {
    return Outcome::fail(k_invalid_params, "requestState was issued for another request");
  }
  const Json expires = payload->value("expires", Json());
  if (!expires.is_number_integer() || expires.get<std::int64_t>() < now_ms()) {
    return Outcome::fail(k_invalid_params, "requestState has expired");
  }
  out.state = *payload;
  return std::nullopt;
}

}  // namespace

Json elicitation_request(const std::string& message, const std::string& property, const char* type) {
  return elicit(message, property, type);
}

std::string elicited_value(const Json& answer, const std::string& property) {
  return elicited(answer, property);
}

Outcome gather_input(Call& call, const Json& requests,
                     const std::function<Outcome(const Json& answers)>& complete) {
  return round(call, Ask{requests}, nullptr,
               [&complete](const Json& answers, const Json&) { return complete(answers); });
}

Outcome run_ir_elicitation(Call& call, const Json&) {
  return round(call, {{{"user_name", elicit("What is your name?", "name")}}}, nullptr,
               [](const Json& answers, const Json&) {
                 const std::string name = elicited(answers["user_name"], "name");
                 return Outcome::text(name.empty() ? "No name was given." : "Hello, " + name + "!");
               });
}

Outcome run_ir_sampling(Call& call, const Json&) {
  return round(call, {{{"capital_question", sample("What is the capital of France?", 100)}}}, nullptr,
               [](const Json& answers, const Json&) {
                 return Outcome::text("The model said: " + sampled_text(answers["capital_question"]));
               });
}

Outcome run_missing_capability(Call& call, const Json& arguments) { return run_ir_sampling(call, arguments); }

Outcome run_ir_list_roots(Call& call, const Json&) {
  return round(call, {{{"client_roots", list_roots()}}}, nullptr, [](const Json& answers, const Json&) {
    std::string uris;
    for (const Json& root : answers["client_roots"]["roots"]) {
      if (root.is_object()) uris += (uris.empty() ? "" : ", ") + root.value("uri", std::string("?"));
    }
    return Outcome::text("Roots: " + (uris.empty() ? std::string("none") : uris));
  });
}

Outcome run_ir_request_state(Call& call, const Json&) {
  Ask ask{{{"confirm", elicit("Please confirm", "ok", "boolean")}}, {{"round", 1}}};
  return round(call, ask, 1, [](const Json& answers, const Json&) {
    return Outcome::text("state-ok: confirmed " + elicited(answers["confirm"], "ok"));
  });
}

Outcome run_ir_multiple_inputs(Call& call, const Json&) {
  Ask ask{{{"user_name", elicit("What is your name?", "name")},
           {"greeting", sample("Generate a greeting", 50)},
           {"client_roots", list_roots()}},
          {{"round", 1}}};
  return round(call, ask, 1, [](const Json& answers, const Json&) {
    std::string text = "Received:";
    for (const auto& [key, value] : answers.items()) text += " " + key;
    return Outcome::text(std::move(text));
  });
}

Outcome run_ir_multi_round(Call& call, const Json&) {
  InputResponses in;
  if (auto error = read_input_responses(call, in)) return *error;
  const Json round_number = in.state.is_object() ? in.state.value("round", Json()) : Json();
  const Json step1 = elicit("Step 1: What is your name?", "name");
  auto second_round = [&call](const Json& name) {
    Ask ask{{{"step2", elicit("Step 2: What is your favorite color?", "color")}},
            {{"round", 2}, {"data", name}}};
    return round(call, ask, 2, [](const Json& answers, const Json& who) {
      const std::string person = who.is_string() ? who.get<std::string>() : "";
      return Outcome::text("Hello " + person + ", your favorite color is " +
                           elicited(answers["step2"], "color") + ".");
    });
  };
  // The name of round 1 travels to round 3 inside the sealed state, not in server memory.
  if (round_number == 2) return second_round(in.state.value("data", Json("")));
  if (round_number == 1 && in.responses.is_object() && in.responses.contains("step1") &&
      answered(step1, in.responses["step1"])) {
    return second_round(elicited(in.responses["step1"], "name"));
  }
  return round(call, Ask{{{"step1", step1}}, {{"round", 1}}}, 1, [&](const Json& answers, const Json&) {
    return second_round(elicited(answers["step1"], "name"));
  });
}

Outcome run_ir_tampered_state(Call& call, const Json&) {
  Ask ask{{{"confirm", elicit("Please confirm", "ok", "boolean")}}, {{"round", 1}}};
  return round(call, ask, 1, [](const Json&, const Json&) { return Outcome::text("state verified"); });
}

Outcome run_ir_capabilities(Call& call, const Json&) {
  Ask ask{{{"user_name", elicit("What is your name?", "name")},
           {"capital_question", sample("What is the capital of France?", 100)}}};
  return round(call, ask, nullptr, [](const Json& answers, const Json&) {
    std::string text = "Answered:";
    for (const auto& [key, value] : answers.items()) text += " " + key;
    return Outcome::text(std::move(text));
  });
}

Outcome run_input_required_prompt(Call& call) {
  return round(call, {{{"user_context", elicit("What context should the prompt use?", "context")}}}, nullptr,
               [](const Json& answers, const Json&) {
                 const std::string context = elicited(answers["user_context"], "context");
                 Json message{{"role", "user"},
                              {"content", {{"type", "text"}, {"text", "Use this context: " + context}}}};
                 return Outcome::ok(Json{{"description", "A prompt built from the context the user gave"},
                                         {"messages", Json::array({std::move(message)})}});
               });
}

Outcome run_logging_once(Call& call, const Json&) {
  // Sent only when the request carries io.modelcontextprotocol/logLevel (Call::log).
  call.log("info", "test_logging_tool ran");
  return Outcome::text("test_logging_tool ran");
}

Outcome run_custom_header(Call&, const Json& arguments) {
  const Json query = arguments.value("query", Json(""));
  return Outcome::text("region=" + arguments.value("region", std::string()) +
                       " query=" + (query.is_string() ? query.get<std::string>() : json::dump(query)));
}

Outcome run_trigger_tool_change(Call& call, const Json&) {
  call.session.publish("toolsListChanged");
  return Outcome::text("notified the subscriptions that asked for toolsListChanged");
}

Outcome run_trigger_prompt_change(Call& call, const Json&) {
  call.session.publish("promptsListChanged");
  return Outcome::text("notified the subscriptions that asked for promptsListChanged");
}

}  // namespace mcp_probe::refserver
