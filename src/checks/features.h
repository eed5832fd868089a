#pragma once

// Helpers shared by the feature probes (tools, resources, prompts, utilities).

#include <string>

#include "sequences.h"

namespace mcp_probe::checks {

struct ListOutcome {
  bool replied = false;
  std::optional<Json> error;  // the error reply of the first page
  Json items = Json::array();
  int pages = 0;
};

// Lists `method` following nextCursor (records util.pagination.follow). `key` is the array
// member of the result ("tools", "resources", ...). `check` receives each page's result.
ListOutcome list_all(
    Context& ctx, const std::string& method, const std::string& key,
    const std::function<void(const Json& result, const std::vector<std::uint64_t>& refs)>& check = {});

// The capability rule shared by tools/resources/prompts: a list that works while the feature is
// not declared is under-declared; one that fails with a code other than -32601 is a warning.
void judge_declaration(Context& ctx, const std::string& feature, const std::string& method,
                       CheckId declared_check, const ListOutcome& list);

std::vector<Step> tool_steps();

}  // namespace mcp_probe::checks
