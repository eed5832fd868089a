// Feature probes: resources, prompts, logging, completion and pagination.

#include <random>

#include "features.h"
#include "mcp_probe/protocol/mrtr.h"
#include "mcp_probe/protocol/versions.h"
#include "passive.h"

namespace mcp_probe::checks {

ListOutcome list_all(Context& ctx, const std::string& method, const std::string& key,
                     const std::function<void(const Json&, const std::vector<std::uint64_t>&)>& check) {
  ListOutcome out;
  std::set<std::string> cursors;
  std::set<std::string> seen_items;
  int empty_run = 0;
  Json params = Json::object();
  for (int page = 0; page < 1000; ++page) {
    std::vector<std::uint64_t> refs;
    auto reply = call(ctx, ctx.session(), method, params, &refs);
    if (!reply) {
      if (page > 0) {
        ctx.violation(CheckId::util_pagination_follow,
                      method + ": no reply to the request for page " + std::to_string(page + 1),
                      {"the next page", "no reply"});
      }
      return out;
    }
    if (reply->contains("error") || !reply->contains("result") || !(*reply)["result"].is_object()) {
      if (page == 0) {
        out.error = *reply;
      } else {
        ctx.violation(CheckId::util_pagination_follow,
                      method + ": a cursor the server gave fails on its first use",
                      {"the next page", brief(*reply), refs});
      }
      return out;
    }
    out.replied = true;
    ++out.pages;
    const Json& result = (*reply)["result"];
    if (check) check(result, refs);
    const Json items = member(result, key.c_str(), Json::array());
    if (items.is_array()) {
      for (const auto& item : items) {
        std::string fingerprint = json::dump(item);
        if (!seen_items.insert(fingerprint).second && page > 0) {
          ctx.violation(CheckId::util_pagination_follow, method + ": the same item appears on two pages",
                        {"each item once", brief(item, 120), refs});
        }
        out.items.push_back(item);
      }
      empty_run = items.empty() ? empty_run + 1 : 0;
    }
    if (!result.contains("nextCursor") || result["nextCursor"].is_null()) {
      if (page > 0) ctx.pass(CheckId::util_pagination_follow);
      return out;
    }
    const Json& cursor = result["nextCursor"];
    if (!cursor.is_string()) {
      ctx.violation(CheckId::util_pagination_follow, method + ": nextCursor is not a string",
                    {"a string cursor", brief(cursor), refs});
      return out;
    }
    if (!cursors.insert(cursor.get<std::string>()).second) {
      ctx.violation(CheckId::util_pagination_follow, method + ": the cursors loop",
                    {"cursors that end", "cursor \"" + cursor.get<std::string>() + "\" again", refs});
      return out;
    }
    if (empty_run >= 10) {
      ctx.violation(CheckId::util_pagination_follow, method + ": ten empty pages in a row",
                    {"pages that end", "empty pages with cursors", refs});
      return out;
    }
    params = {{"cursor", cursor}};
  }
  ctx.violation(CheckId::util_pagination_follow, method + ": more than 1000 pages",
                {"pagination that ends", "1000 pages"});
  return out;
}

void judge_declaration(Context& ctx, const std::string& feature, const std::string& method,
                       CheckId declared_check, const ListOutcome& list) {
  bool declared = ctx.has_capability(feature);
  if (declared) {
    if (list.replied) ctx.pass(declared_check);
    return;
  }
  if (list.replied) {
    std::string what = list.items.empty() ? "an empty list" : std::to_string(list.items.size()) + " item(s)";
    if (list.items.empty()) {
      ctx.warn(CheckId::lifecycle_capabilities_undeclared_method,
               method + " succeeds though " + feature + " is not declared",
               {"error -32601 for an undeclared feature", what});
      ctx.pass(declared_check);
      return;
    }
    ctx.fail(declared_check,
             method + " returns " + what + " but capabilities." + feature + " is not declared",
             {"capabilities." + feature + " declared", what});
    // The MUST broken here is the feature's «MUST declare» row (above); this row's own rule, an
    // undeclared method answered -32601, is a SHOULD: a WARN.
    ctx.warn(CheckId::lifecycle_capabilities_undeclared_method,
             method + " works though " + feature + " is not declared",
             {"error -32601 for an undeclared feature", what});
    return;
  }
  ctx.pass(declared_check);
  if (!list.error) return;
  auto code = error_code(*list.error);
  if (code && *code == -32601) {
    ctx.pass(CheckId::lifecycle_capabilities_undeclared_method);
  } else {
    ctx.warn(CheckId::lifecycle_capabilities_undeclared_method,
             method + " of an undeclared feature got another error than -32601",
             {"-32601 (Method not found)", brief(*list.error)});
  }
}

namespace {

// What came back for a request that should have failed: "error -32601", "a success result", ...
std::string answer_text(const std::optional<Json>& reply) {
  if (!reply) return "no reply";
  if (auto code = error_code(*reply)) return "error " + std::to_string(code.value_or(0));
  return reply->contains("result") ? "a success result" : "a reply without an error code";
}

std::string random_suffix() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(gen()));
  return buf;
}

bool absolute_uri(const std::string& uri) {
  // RFC 3986: scheme ":" hier-part; scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  auto colon = uri.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(uri[0]))) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    char c = uri[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
  }
  for (char c : uri) {
    if (c == ' ' || c == '<' || c == '>' || c == '"' || static_cast<unsigned char>(c) < 0x21) return false;
  }
  return true;
}

bool valid_uri_template(const std::string& t) {
  int depth = 0;
  for (char c : t) {
    if (c == '{') {
      if (++depth > 1) return false;
    } else if (c == '}') {
      if (--depth < 0) return false;
    }
  }
  return depth == 0 && absolute_uri(t.substr(0, t.find('{')) + (t.find('{') == std::string::npos ? "" : "x"));
}

void probe_resources(Context& ctx) {
  auto list = list_all(ctx, "resources/list", "resources",
                       [&](const Json& result, const std::vector<std::uint64_t>& refs) {
                         for (const auto& r : member(result, "resources", Json::array())) {
                           std::string uri = r.is_object() ? str(r, "uri") : "";
                           if (!r.is_object() || !r.contains("name")) {
                             ctx.violation(CheckId::resources_list_uris, "a resource has no name",
                                           {"uri and name", brief(r, 120), refs});
                           } else if (!absolute_uri(uri)) {
                             ctx.violation(CheckId::resources_list_uris,
                                           "a resource URI is not an absolute RFC 3986 URI: \"" + uri + "\"",
                                           {"scheme:…", "\"" + uri + "\"", refs});
                           } else {
                             ctx.pass(CheckId::resources_list_uris);
                           }
                         }
                       });
  ctx.facts().resources = list.items;
  judge_declaration(ctx, "resources", "resources/list", CheckId::resources_capability_declared, list);
  if (!ctx.has_capability("resources")) return;
  // Read what is listed.
  int n = 0;
  for (const auto& r : list.items) {
    if (n++ >= 10 || !r.is_object() || !r.contains("uri")) break;
    std::vector<std::uint64_t> refs;
    auto reply = call(ctx, ctx.session(), "resources/read", {{"uri", r["uri"]}}, &refs);
    if (!reply || !reply->contains("result")) {
      ctx.warn(CheckId::resources_read_listed,
               "a listed resource cannot be read: " + str(r, "uri") + server_says(reply),
               {"its contents", reply ? brief(*reply) : "no reply", refs});
      continue;
    }
    for (const auto& c : member((*reply)["result"], "contents", Json::array())) {
      bool text = c.is_object() && c.contains("text"), blob = c.is_object() && c.contains("blob");
      if (!c.is_object() || !c.contains("uri") || text == blob) {
        ctx.violation(CheckId::resources_read_listed,
                      "a content item needs a uri and exactly one of text and blob",
                      {"uri + (text xor blob)", brief(c, 160), refs});
      } else if (blob && !(c["blob"].is_string() && is_base64(c["blob"].get<std::string>()))) {
        ctx.violation(CheckId::resources_read_listed, "a blob is not valid base64",
                      {"base64", brief(c["blob"], 60), refs});
      } else {
        ctx.pass(CheckId::resources_read_listed);
      }
    }
  }
  // An unknown URI. Legacy versions: «Servers SHOULD return standard JSON-RPC errors for common
  // failure cases: Resource not found: -32002» (docs/2025-11-25/server/resources.mdx), so any
  // other answer is a WARN. 2026-07-28: «If the requested resource does not exist, servers MUST
  // return a JSON-RPC error with code -32602 (Invalid Params).»
  if (ctx.wants(CheckId::resources_read_not_found)) {
    std::vector<std::uint64_t> refs;
    auto reply = call(ctx, ctx.session(), "resources/read",
                      {{"uri", "mcp-probe://nonexistent/" + random_suffix()}}, &refs);
    const long long code = reply ? error_code(*reply).value_or(0) : 0;  // 0: not an error
    const bool modern = protocol::at_least(ctx.version(), "2026-07-28");
    const long long wanted = modern ? -32602 : -32002;
    const std::string expected =
        modern ? "error -32602 (Invalid params)" : "error -32002 (Resource not found)";
    if (code == wanted) {
      ctx.pass(CheckId::resources_read_not_found);
    } else if (!modern && code == -32602) {
      ctx.warn(CheckId::resources_read_not_found, "an unknown resource got -32602 instead of -32002",
               {expected, brief(*reply), refs});
    } else {
      ctx.violation(CheckId::resources_read_not_found,
                    "reading an unknown resource got " + answer_text(reply) + " instead of " + expected,
                    {expected, reply ? brief(*reply) : "no reply", refs});
    }
  }
  // Templates.
  if (ctx.wants(CheckId::resources_templates_list)) {
    auto templates = list_all(ctx, "resources/templates/list", "resourceTemplates");
    if (templates.error) {
      auto code = error_code(*templates.error);
      if (code && *code == -32601) {
        ctx.warn(CheckId::resources_templates_list,
                 "resources/templates/list is not implemented though resources are declared",
                 {"a (possibly empty) list", "-32601"});
      } else {
        ctx.violation(CheckId::resources_templates_list, "resources/templates/list failed",
                      {"a list", brief(*templates.error)});
      }
    }
    for (const auto& t : templates.items) {
      std::string tpl = t.is_object() ? str(t, "uriTemplate") : "";
      if (!valid_uri_template(tpl)) {
        ctx.violation(CheckId::resources_templates_list,
                      "a uriTemplate is not a valid RFC 6570 template: \"" + tpl + "\"",
                      {"a URI template", "\"" + tpl + "\""});
      } else {
        ctx.pass(CheckId::resources_templates_list);
      }
    }
    ctx.facts().templates = templates.items;
    if (templates.replied && templates.items.empty()) ctx.pass(CheckId::resources_templates_list);
  }
  // Subscriptions.
  if (ctx.wants(CheckId::resources_subscribe)) {
    const Json& caps = ctx.capabilities()["resources"];
    bool declared = caps.is_object() && flag(caps, "subscribe") == true;
    std::string uri = list.items.empty() ? "mcp-probe://nonexistent" : str(list.items[0], "uri");
    auto sub = call(ctx, ctx.session(), "resources/subscribe", {{"uri", uri}});
    if (declared) {
      if (!list.items.empty()) ctx.passive().subscribed_uris.insert(uri);
      auto unsub = call(ctx, ctx.session(), "resources/unsubscribe", {{"uri", uri}});
      bool ok = sub && sub->contains("result") && unsub && unsub->contains("result");
      if (ok)
        ctx.pass(CheckId::resources_subscribe);
      else
        ctx.violation(CheckId::resources_subscribe,
                      "subscribe/unsubscribe failed though subscribe is declared",
                      {"{} for both", sub ? brief(*sub) : "no reply"});
    } else if (sub && sub->contains("result")) {
      ctx.violation(CheckId::resources_subscribe,
                    "resources/subscribe works though subscribe is not declared", {"-32601", brief(*sub)});
    } else {
      ctx.pass(CheckId::resources_subscribe);
    }
  }
}

void probe_prompts(Context& ctx) {
  auto list = list_all(ctx, "prompts/list", "prompts");
  ctx.facts().prompts = list.items;
  judge_declaration(ctx, "prompts", "prompts/list", CheckId::prompts_capability_declared, list);
  if (!ctx.has_capability("prompts") || !ctx.wants(CheckId::prompts_get_listed_and_errors)) return;
  int n = 0;
  Json with_required;
  for (const auto& p : list.items) {
    if (n++ >= 10 || !p.is_object()) break;
    Json args = Json::object();
    for (const auto& a : member(p, "arguments", Json::array())) {
      if (a.is_object() && flag(a, "required")) {
        args[str(a, "name")] = "mcp-probe";
        if (with_required.is_null()) with_required = p;
      }
    }
    std::vector<std::uint64_t> refs;
    auto reply =
        call(ctx, ctx.session(), "prompts/get", {{"name", str(p, "name")}, {"arguments", args}}, &refs);
    if (ctx.session().modern() && reply &&
        (error_code(*reply) == protocol::k_missing_client_capability ||
         protocol::is_input_required(*reply))) {
      // 2026-07-28: it needs a client capability this run does not declare, or still asks for
      // input after the probe's answers (the modern.* rows judge both).
      ctx.pass(CheckId::prompts_get_listed_and_errors,
               "note: " + str(p, "name") + " needs input this run does not give (not judged)");
    } else if (reply && reply->contains("error") && !args.empty()) {
      // A PromptArgument has no schema, so "mcp-probe" may simply not be a valid value (an enum
      // such as Text|Blob): rejecting it is not a broken prompt.
      ctx.pass(CheckId::prompts_get_listed_and_errors,
               "note: " + str(p, "name") + " rejected the placeholder arguments (not judged)");
    } else if (!reply || !reply->contains("result")) {
      ctx.violation(CheckId::prompts_get_listed_and_errors,
                    "a listed prompt cannot be fetched: " + str(p, "name") + server_says(reply),
                    {"a GetPromptResult", reply ? brief(*reply) : "no reply", refs});
    } else {
      ctx.pass(CheckId::prompts_get_listed_and_errors);
    }
  }
  auto unknown = call(ctx, ctx.session(), "prompts/get", {{"name", "mcp-probe-nonexistent-prompt"}});
  auto code = unknown ? error_code(*unknown) : std::nullopt;
  if (!code || *code != -32602) {
    ctx.warn(CheckId::prompts_get_listed_and_errors, "an unknown prompt name did not get -32602",
             {"error -32602", unknown ? brief(*unknown) : "no reply"});
  }
  if (!with_required.is_null()) {
    auto missing = call(ctx, ctx.session(), "prompts/get",
                        {{"name", str(with_required, "name")}, {"arguments", Json::object()}});
    auto mcode = missing ? error_code(*missing) : std::nullopt;
    if (!mcode || *mcode != -32602) {
      ctx.warn(CheckId::prompts_get_listed_and_errors, "a missing required argument did not get -32602",
               {"error -32602", missing ? brief(*missing) : "no reply"});
    }
  }
}

void probe_logging(Context& ctx) {
  bool declared = ctx.has_capability("logging");
  if (!declared) {
    auto reply = call(ctx, ctx.session(), "logging/setLevel", {{"level", "error"}});
    if (reply && reply->contains("result")) {
      ctx.warn(CheckId::lifecycle_capabilities_undeclared_method,
               "logging/setLevel works though logging is not declared", {"-32601", brief(*reply)});
    }
    return;
  }
  if (ctx.wants(CheckId::util_logging_set_level)) {
    auto ok = call(ctx, ctx.session(), "logging/setLevel", {{"level", "debug"}});
    if (!ok || !ok->contains("result")) {
      ctx.violation(CheckId::util_logging_set_level, "logging/setLevel debug failed",
                    {"{}", ok ? brief(*ok) : "no reply"});
    } else {
      ctx.pass(CheckId::util_logging_set_level);
    }
    auto bad = call(ctx, ctx.session(), "logging/setLevel", {{"level", "verbose"}});
    auto code = bad ? error_code(*bad) : std::nullopt;
    if (!code || *code != -32602) {
      ctx.violation(CheckId::util_logging_set_level,
                    "an invalid level \"verbose\" was not rejected with -32602",
                    {"error -32602", bad ? brief(*bad) : "no reply"});
    }
  }
  // From here on only errors and worse may be logged (util.logging.level-filter, passive).
  auto reply = call(ctx, ctx.session(), "logging/setLevel", {{"level", "error"}});
  if (reply && reply->contains("result")) ctx.passive().min_log_level = "error";
}

void probe_completion(Context& ctx) {
  bool declared = ctx.has_capability("completions");
  Json ref;
  std::string arg;
  for (const auto& p : ctx.facts().prompts) {
    auto args = member(p, "arguments", Json::array());
    if (!args.empty() && args[0].is_object()) {
      ref = {{"type", "ref/prompt"}, {"name", str(p, "name")}};
      arg = str(args[0], "name");
      break;
    }
  }
  if (!declared) {
    if (!protocol::at_least(ctx.version(), "2025-03-26")) return;
    Json params = {{"ref", ref.is_null() ? Json{{"type", "ref/prompt"}, {"name", "x"}} : ref},
                   {"argument", {{"name", arg.empty() ? "x" : arg}, {"value", ""}}}};
    auto reply = call(ctx, ctx.session(), "completion/complete", params);
    if (reply && reply->contains("result")) {
      ctx.violation(CheckId::util_completion_complete,
                    "completion/complete works though completions is not declared",
                    {"capabilities.completions declared", brief(*reply)});
    }
    return;
  }
  if (!ctx.wants(CheckId::util_completion_complete)) return;
  if (!ref.is_null()) {
    std::vector<std::uint64_t> refs;
    auto reply = call(ctx, ctx.session(), "completion/complete",
                      {{"ref", ref}, {"argument", {{"name", arg}, {"value", ""}}}}, &refs);
    const Json values = reply && reply->contains("result")
                            ? member(member((*reply)["result"], "completion", Json::object()), "values")
                            : Json();
    if (!values.is_array()) {
      ctx.violation(CheckId::util_completion_complete, "completion/complete did not return completion.values",
                    {"completion.values: [strings]", reply ? brief(*reply) : "no reply", refs});
    } else if (values.size() > 100) {
      ctx.violation(CheckId::util_completion_complete, "more than 100 completion values",
                    {"<= 100", std::to_string(values.size()), refs});
    } else {
      bool strings = true;
      for (const auto& v : values) strings = strings && v.is_string();
      if (strings)
        ctx.pass(CheckId::util_completion_complete);
      else
        ctx.violation(CheckId::util_completion_complete, "a completion value is not a string",
                      {"strings", brief(values, 120), refs});
    }
  }
  auto unknown = call(ctx, ctx.session(), "completion/complete",
                      {{"ref", {{"type", "ref/prompt"}, {"name", "mcp-probe-nonexistent-prompt"}}},
                       {"argument", {{"name", "x"}, {"value", ""}}}});
  auto code = unknown ? error_code(*unknown) : std::nullopt;
  // «Servers SHOULD return standard JSON-RPC errors for common failure cases: [...] Invalid prompt
  // name: -32602» (docs/2025-11-25/server/utilities/completion.mdx): a WARN, not a FAIL.
  if (!code || *code != -32602) {
    ctx.warn(CheckId::util_completion_complete,
             "completing an unknown prompt got " + answer_text(unknown) + " instead of -32602",
             {"error -32602 (Invalid params)", unknown ? brief(*unknown) : "no reply"});
  }
}

void probe_invalid_cursor(Context& ctx) {
  if (!ctx.wants(CheckId::util_pagination_invalid_cursor)) return;
  std::string method;
  for (const auto& [feature, m] : {std::pair<const char*, const char*>{"tools", "tools/list"},
                                   {"resources", "resources/list"},
                                   {"prompts", "prompts/list"}}) {
    if (ctx.has_capability(feature)) {
      method = m;
      break;
    }
  }
  if (method.empty()) {
    ctx.skip(CheckId::util_pagination_invalid_cursor, "no list capability declared");
    return;
  }
  std::vector<std::uint64_t> refs;
  auto reply = call(ctx, ctx.session(), method, {{"cursor", "mcp-probe-invalid-cursor"}}, &refs);
  auto code = reply ? error_code(*reply) : std::nullopt;
  if (code && *code == -32602) {
    ctx.pass(CheckId::util_pagination_invalid_cursor);
  } else {
    ctx.violation(CheckId::util_pagination_invalid_cursor,
                  method + " with an invalid cursor did not get -32602",
                  {"error -32602 (Invalid params)", reply ? brief(*reply) : "no reply", refs});
  }
}

}  // namespace

std::vector<Step> feature_steps() {
  std::vector<Step> steps = tool_steps();
  steps.push_back(
      {"resources",
       probe_resources,
       {CheckId::resources_capability_declared, CheckId::lifecycle_capabilities_undeclared_method,
        CheckId::util_pagination_follow, CheckId::resources_list_uris, CheckId::resources_read_listed,
        CheckId::resources_read_not_found, CheckId::resources_templates_list, CheckId::resources_subscribe}});
  steps.push_back({"prompts",
                   probe_prompts,
                   {CheckId::prompts_capability_declared, CheckId::lifecycle_capabilities_undeclared_method,
                    CheckId::util_pagination_follow, CheckId::prompts_get_listed_and_errors}});
  steps.push_back({"completion", probe_completion, {CheckId::util_completion_complete}});
  steps.push_back({"invalid cursor", probe_invalid_cursor, {CheckId::util_pagination_invalid_cursor}});
  // Logging first: it leaves the level at "error", so every later probe also exercises the
  // level filter (util.logging.level-filter, checked passively).
  steps.insert(steps.begin(),
               Step{"logging",
                    probe_logging,
                    {CheckId::util_logging_set_level, CheckId::lifecycle_capabilities_undeclared_method}});
  return steps;
}

}  // namespace mcp_probe::checks
