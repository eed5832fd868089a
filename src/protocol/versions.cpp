#include "mcp_probe/protocol/versions.h"

#include <map>

namespace mcp_probe::protocol {

namespace {

std::vector<std::string> names_of(Era era) {
  std::vector<std::string> names;
  for (const VersionInfo& v : k_versions) {
    if (v.era == era) names.emplace_back(v.name);
  }
  return names;
}

struct Entry {
  const char* method;
  const char* definition;
  const char* since;  // first version that has it
};

const Entry k_results[] = {
    {"initialize", "InitializeResult", "2024-11-05"},
    {"ping", "EmptyResult", "2024-11-05"},
    {"tools/list", "ListToolsResult", "2024-11-05"},
    {"tools/call", "CallToolResult", "2024-11-05"},
    {"resources/list", "ListResourcesResult", "2024-11-05"},
    {"resources/read", "ReadResourceResult", "2024-11-05"},
    {"resources/templates/list", "ListResourceTemplatesResult", "2024-11-05"},
    {"resources/subscribe", "EmptyResult", "2024-11-05"},
    {"resources/unsubscribe", "EmptyResult", "2024-11-05"},
    {"prompts/list", "ListPromptsResult", "2024-11-05"},
    {"prompts/get", "GetPromptResult", "2024-11-05"},
    {"logging/setLevel", "EmptyResult", "2024-11-05"},
    {"completion/complete", "CompleteResult", "2024-11-05"},
    {"server/discover", "DiscoverResult", "2026-07-28"},
    {"subscriptions/listen", "SubscriptionsListenResult", "2026-07-28"},
};

const Entry k_responses[] = {
    {"server/discover", "DiscoverResultResponse", "2026-07-28"},
    {"tools/list", "ListToolsResultResponse", "2026-07-28"},
    {"tools/call", "CallToolResultResponse", "2026-07-28"},
    {"resources/list", "ListResourcesResultResponse", "2026-07-28"},
    {"resources/read", "ReadResourceResultResponse", "2026-07-28"},
    {"resources/templates/list", "ListResourceTemplatesResultResponse", "2026-07-28"},
    {"prompts/list", "ListPromptsResultResponse", "2026-07-28"},
    {"prompts/get", "GetPromptResultResponse", "2026-07-28"},
    {"completion/complete", "CompleteResultResponse", "2026-07-28"},
    {"subscriptions/listen", "SubscriptionsListenResultResponse", "2026-07-28"},
};

const Entry k_notifications[] = {
    {"notifications/message", "LoggingMessageNotification", "2024-11-05"},
    {"notifications/progress", "ProgressNotification", "2024-11-05"},
    {"notifications/cancelled", "CancelledNotification", "2024-11-05"},
    {"notifications/resources/updated", "ResourceUpdatedNotification", "2024-11-05"},
    {"notifications/resources/list_changed", "ResourceListChangedNotification", "2024-11-05"},
    {"notifications/tools/list_changed", "ToolListChangedNotification", "2024-11-05"},
    {"notifications/prompts/list_changed", "PromptListChangedNotification", "2024-11-05"},
    {"notifications/elicitation/complete", "ElicitationCompleteNotification", "2025-11-25"},
    {"notifications/tasks/status", "TaskStatusNotification", "2025-11-25"},
};

const Entry k_requests[] = {
    {"ping", "PingRequest", "2024-11-05"},
    {"sampling/createMessage", "CreateMessageRequest", "2024-11-05"},
    {"roots/list", "ListRootsRequest", "2024-11-05"},
    {"elicitation/create", "ElicitRequest", "2025-06-18"},
};

std::string lookup(const Entry* begin, const Entry* end, std::string_view method, std::string_view version) {
  for (const Entry* e = begin; e != end; ++e) {
    if (method == e->method) return at_least(version, e->since) ? e->definition : "";
  }
  return "";
}

}  // namespace

const VersionInfo* find_version(std::string_view version) {
  const int rank = version_rank(version);
  return rank < 0 ? nullptr : &k_versions[static_cast<std::size_t>(rank)];
}

bool is_modern_version(std::string_view version) {
  const VersionInfo* info = find_version(version);
  return info != nullptr && info->era == Era::modern;
}

const std::vector<std::string>& handshake_versions() {
  static const std::vector<std::string> v = names_of(Era::handshake);
  return v;
}

const std::vector<std::string>& modern_versions() {
  static const std::vector<std::string> v = names_of(Era::modern);
  return v;
}

const std::string& latest_version() { return handshake_versions().back(); }

const std::string& latest_modern_version() { return modern_versions().back(); }

int version_index(std::string_view version) { return version_rank(version); }

bool is_known_version(std::string_view version) { return version_rank(version) >= 0; }

bool at_least(std::string_view version, std::string_view min) {
  int v = version_index(version);
  return v >= 0 && v >= version_index(min);
}

std::string result_definition(std::string_view method, std::string_view version) {
  return lookup(std::begin(k_results), std::end(k_results), method, version);
}

std::string server_notification_definition(std::string_view method, std::string_view version) {
  return lookup(std::begin(k_notifications), std::end(k_notifications), method, version);
}

std::string server_request_definition(std::string_view method, std::string_view version) {
  return lookup(std::begin(k_requests), std::end(k_requests), method, version);
}

std::string method_response_definition(std::string_view method, std::string_view version) {
  return lookup(std::begin(k_responses), std::end(k_responses), method, version);
}

std::string result_response_definition(std::string_view version) {
  return at_least(version, "2025-11-25") ? "JSONRPCResultResponse" : "JSONRPCResponse";
}

std::string error_response_definition(std::string_view version) {
  return at_least(version, "2025-11-25") ? "JSONRPCErrorResponse" : "JSONRPCError";
}

}  // namespace mcp_probe::protocol
