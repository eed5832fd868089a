#include "mcp_probe/protocol/mrtr.h"

namespace mcp_probe::protocol {

const std::vector<std::string>& answerable_capabilities() {
  static const std::vector<std::string> k_names = {"elicitation", "sampling", "roots"};
  return k_names;
}

Json client_capabilities_for(const std::vector<std::string>& names) {
  Json caps = Json::object();
  for (const auto& n : names) caps[n] = Json::object();
  return caps;
}

bool may_require_input(const std::string& method) {
  return method == "tools/call" || method == "prompts/get" || method == "resources/read";
}

bool is_input_required(const Json& reply) {
  if (!reply.is_object()) return false;
  auto result = reply.find("result");
  if (result == reply.end() || !result->is_object()) return false;
  auto type = result->find("resultType");
  return type != result->end() && type->is_string() && type->get<std::string>() == "input_required";
}

std::string capability_of_input(const Json& input_request) {
  if (!input_request.is_object()) return "";
  auto method = input_request.find("method");
  if (method == input_request.end() || !method->is_string()) return "";
  const std::string& m = method->get_ref<const std::string&>();
  if (m == "elicitation/create") return "elicitation";
  if (m == "sampling/createMessage") return "sampling";
  if (m == "roots/list") return "roots";
  return "";
}

bool declares(const Json& capabilities, const std::string& name) {
  if (!capabilities.is_object()) return false;
  auto it = capabilities.find(name);
  return it != capabilities.end() && it->is_object();
}

std::optional<Json> answer_input_request(const Json& input_request, const Json& declared) {
  const std::string capability = capability_of_input(input_request);
  if (capability.empty() || !declares(declared, capability)) return std::nullopt;
  if (capability == "elicitation") return Json{{"action", "decline"}};
  if (capability == "roots") return Json{{"roots", Json::array()}};
  return Json{{"role", "assistant"},
              {"content", {{"type", "text"}, {"text", "mcp-probe has no model: this is a canned answer."}}},
              {"model", "mcp-probe"},
              {"stopReason", "endTurn"}};
}

std::optional<Json> retry_params(const Json& params, const Json& input_required, const Json& declared) {
  if (!input_required.is_object()) return std::nullopt;
  Json out = params.is_object() ? params : Json::object();
  out.erase("inputResponses");
  out.erase("requestState");
  auto requests = input_required.find("inputRequests");
  if (requests != input_required.end()) {
    if (!requests->is_object()) return std::nullopt;
    Json responses = Json::object();
    for (const auto& [key, request] : requests->items()) {
      auto answer = answer_input_request(request, declared);
      if (!answer) return std::nullopt;
      responses[key] = std::move(*answer);
    }
    out["inputResponses"] = std::move(responses);
  }
  // mrtr.mdx: «the client MUST echo back the exact value of that field»; and «MUST NOT include
  // one in the retry» when there was none.
  auto state = input_required.find("requestState");
  if (state != input_required.end()) out["requestState"] = *state;
  return out;
}

}  // namespace mcp_probe::protocol
