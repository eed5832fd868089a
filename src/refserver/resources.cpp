// resources/* of the reference server: static resources, the template test://template/{id}/data,
// subscriptions, and the resource-related faults.

#include <regex>

#include "refserver/session_impl.h"

namespace mcp_probe::refserver {

namespace {

struct ResourceDef {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  std::string text;     // text content, or
  bool binary = false;  // a PNG blob
};

std::vector<ResourceDef> resource_defs(const Call& call) {
  // resource-relative-uri lists (and serves) the static text under a relative reference.
  const std::string text_uri = call.has("resource-relative-uri") ? "static-text.txt" : "test://static-text";
  return {
      {text_uri, "static-text", "Static text", "A static text resource", "text/plain",
       "This is the content of the static text resource.", false},
      {"test://static-binary", "static-binary", "Static binary", "A static binary resource (a 1x1 PNG)",
       "image/png", "", true},
      {"test://watched-resource", "watched-resource", "Watched resource",
       "A resource clients can subscribe to", "text/plain", "This resource is watched for updates.", false},
  };
}

const char* const k_template = "test://template/{id}/data";

Json listed(const Call& call, const ResourceDef& def) {
  Json out{
      {"uri", def.uri}, {"name", def.name}, {"description", def.description}, {"mimeType", def.mime_type}};
  if (call.rank() >= k_rank_2025_06) out["title"] = def.title;
  return out;
}

Json contents_of(const Call& call, const ResourceDef& def) {
  Json item{{"uri", def.uri}, {"mimeType", def.mime_type}};
  if (def.binary) {
    item["blob"] = k_png_base64;
  } else {
    item["text"] = def.text;
  }
  if (call.has("resource-text-and-blob")) {
    if (!item.contains("text")) item["text"] = "";
    if (!item.contains("blob")) item["blob"] = "";
  }
  return item;
}

}  // namespace

Outcome handle_resources_list(Call& call) {
  Json resources = Json::array();
  for (const ResourceDef& def : resource_defs(call)) resources.push_back(listed(call, def));
  return paginate(call, resources, "resources");
}

Outcome handle_templates_list(Call& call) {
  Json entry{{"uriTemplate", call.has("bad-uri-template") ? "test://{unclosed" : k_template},
             {"name", "template"},
             {"description", "A resource template: {id} is substituted into the content"},
             {"mimeType", "application/json"}};
  if (call.rank() >= k_rank_2025_06) entry["title"] = "Template";
  return paginate(call, Json::array({std::move(entry)}), "resourceTemplates");
}

Outcome handle_resources_read(Call& call) {
  const Json uri = call.params.value("uri", Json());
  if (!uri.is_string()) return Outcome::fail(k_invalid_params, "resources/read: uri (a string) is required");
  const std::string text = uri.get<std::string>();
  for (const ResourceDef& def : resource_defs(call)) {
    if (def.uri == text) return Outcome::ok(Json{{"contents", Json::array({contents_of(call, def)})}});
  }
  static const std::regex k_instance("test://template/([^/]+)/data");
  std::smatch match;
  if (std::regex_match(text, match, k_instance)) {
    const std::string id = match[1];
    const Json body{{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
    // The key order of the conformance suite's example: id, templateTest, data.
    const std::string rendered =
        R"({"id":)" + Json(id).dump() + R"(,"templateTest":true,"data":)" + body["data"].dump() + "}";
    Json item{{"uri", text}, {"mimeType", "application/json"}, {"text", rendered}};
    return Outcome::ok(Json{{"contents", Json::array({std::move(item)})}});
  }
  if (call.has("resource-not-found-success")) return Outcome::ok(Json{{"contents", Json::array()}});
  // 2026-07-28 retired -32002 (docs/2026-07-28/server/resources.mdx: «If the requested resource
  // does not exist, servers MUST return a JSON-RPC error with code `-32602`»).
  const bool modern_code = call.modern() && !call.has("reserved-error-code");
  return Outcome::fail(modern_code ? k_invalid_params : k_resource_not_found, "Resource not found",
                       {{"uri", text}});
}

Outcome handle_subscribe(Call& call, bool subscribe) {
  const Json uri = call.params.value("uri", Json());
  if (!uri.is_string()) return Outcome::fail(k_invalid_params, "uri (a string) is required");
  if (call.has("subscribe-error")) return Outcome::fail(k_internal_error, "subscriptions are unavailable");
  std::lock_guard lock(call.session.mutex);
  if (subscribe) {
    call.session.subscriptions.insert(uri.get<std::string>());
  } else {
    call.session.subscriptions.erase(uri.get<std::string>());
  }
  return Outcome::ok(Json::object());
}

}  // namespace mcp_probe::refserver
