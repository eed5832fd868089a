#pragma once

// The probe as a 2026-07-28 client answering multi round-trip requests
// (docs/2026-07-28/basic/patterns/mrtr.mdx): when tools/call, prompts/get or resources/read is
// answered with an InputRequiredResult, the client builds the requested inputs and retries the
// request with inputResponses and the echoed requestState. mcp-probe answers as a client with no
// user and no model would: elicitation is declined, sampling gets a canned text, roots an empty
// list, and only for the capabilities its request declared. Plain functions over JSON;
// Session::request uses them when the session's ModernProfile says so.

#include <optional>
#include <string>
#include <vector>

#include "mcp_probe/json/wire.h"

namespace mcp_probe::protocol {

using json::Json;

// At most this many retries of one request (a server that keeps asking is not followed forever).
inline constexpr int k_max_input_rounds = 4;

// The capability names --client-capabilities accepts, and the ClientCapabilities object the
// probe declares for them (elicitation: form mode, implied by an empty object).
const std::vector<std::string>& answerable_capabilities();
// {"elicitation": {}, ...} for `names` (each one of answerable_capabilities()).
Json client_capabilities_for(const std::vector<std::string>& names);

// The methods on which a server may answer an InputRequiredResult (mrtr.mdx, «Supported Requests»).
bool may_require_input(const std::string& method);
// A reply message whose result says resultType "input_required".
bool is_input_required(const Json& reply);
// The client capability an input request needs ("elicitation", "sampling", "roots"), or "".
std::string capability_of_input(const Json& input_request);
// Whether `capabilities` (a ClientCapabilities object) declares `name`.
bool declares(const Json& capabilities, const std::string& name);

// The probe's answer to one input request, when `declared` has its capability: an ElicitResult
// {action: "decline"}, a CreateMessageResult with a canned text, a ListRootsResult with no roots.
std::optional<Json> answer_input_request(const Json& input_request, const Json& declared);

// The params of the retry of a request sent with `params` that got `input_required` (the result
// object): inputResponses for every input request and the requestState echoed exactly (absent
// when the result had none). nullopt when an input request cannot be answered (its capability
// is not declared, or it is not a request object), so the caller stops there.
std::optional<Json> retry_params(const Json& params, const Json& input_required, const Json& declared);

}  // namespace mcp_probe::protocol
