// Catalog rows for utilities (group 7), server features (group 8) and the experimental and opt-in
// features (group 9) of REQUIREMENTS.md.

#include "catalog_parts.h"

namespace mcp_probe::checks {

namespace {

std::vector<CheckDef> utility_defs() {
  return {
      make_def(
          "util.ping.empty-result", Level::must, Kind::active, k_ver_legacy, k_tr_all,
          "ping is answered promptly with an empty result",
          "https://modelcontextprotocol.io/specification/2024-11-05/basic/utilities/ping"
          "#behavior-requirements",
          "ping is unhandled (-32601), answered with extra fields (\"pong\": true, a timestamp), or delayed "
          "behind slow work on the same thread. Answer ping with result {} immediately, outside any "
          "long-running handler."),
      make_def("util.cancel.unknown-ignored", Level::should, Kind::active, k_ver_all, k_tr_all,
               "Cancellations for unknown requests or with bad params are ignored",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/cancellation"
               "#error-handling",
               "The cancellation handler looks up the request id without checking it exists and throws, "
               "replies with an error, or crashes the session. Ignore cancellations for unknown ids or with "
               "malformed params, silently."),
      make_def(
          "util.cancel.honoured", Level::must, Kind::fixture, k_ver_all, k_tr_all,
          "A cancelled request gets no response or progress afterwards",
          "https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/cancellation"
          "#behavior-requirements",
          "The tool keeps running after notifications/cancelled and its result is still sent. Track "
          "in-flight requests, signal their cancellation (a token or task cancel), and drop any response "
          "or progress for a cancelled id."),
      make_def("util.cancel.server-sent-valid", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "Server cancellations reference only the server's own in-flight requests",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/cancellation"
               "#behavior-requirements",
               "The server sends notifications/cancelled for a client request id (to abort its own work) or "
               "for a request that already finished. Only cancel requests you issued and are still waiting "
               "for; to abort a client's request, just answer it with an error."),
      make_def(
          "util.progress.token-match", Level::must, Kind::active, k_ver_all, k_tr_all,
          "Progress uses only the client's progressToken, with its type unchanged",
          "https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/progress"
          "#behavior-requirements",
          "The server invents tokens, sends progress when the request had no _meta.progressToken, or "
          "converts the token (string to number). Send progress only when a token was given, and copy it "
          "back exactly."),
      make_def("util.progress.monotonic", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "Progress values strictly increase for each token",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/progress"
               "#progress-flow",
               "Progress repeats a value, resets per phase, or reports a per-step count instead of a running "
               "total. Send a strictly increasing progress value, and make total a number when present."),
      make_def("util.progress.stop-after-response", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "No progress notifications after the final response",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/progress"
               "#implementation-notes",
               "A background reporter keeps emitting progress after the handler returned. Stop the progress "
               "reporter before sending the response."),
      make_def("util.pagination.follow", Level::should, Kind::active, k_ver_all, k_tr_all,
               "List pagination terminates with stable cursors and no duplicates",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/pagination"
               "#implementation-guidelines",
               "nextCursor is always set (even on the last page), cycles, is not a string, or refers to "
               "offsets that shift between calls. Omit nextCursor on the last page and encode a stable "
               "position in an opaque string cursor."),
      make_def("util.pagination.invalid-cursor", Level::should, Kind::active, k_ver_all, k_tr_all,
               "An invalid cursor gets error -32602 (Invalid params)",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/pagination"
               "#error-handling",
               "A garbage cursor is ignored (the first page comes back), or decoding it throws and becomes "
               "-32603. Validate the cursor and answer -32602 when it cannot be decoded."),
      make_def(
          "util.logging.capability", Level::must, Kind::passive, k_ver_all, k_tr_all,
          "Log notifications require the logging capability and a valid level",
          "https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/logging#capabilities",
          "The server sends notifications/message without declaring \"logging\": {}, or uses levels "
          "from its logging library (warn, fatal, trace). Declare the capability and map levels to the "
          "syslog set: debug, info, notice, warning, error, critical, alert, emergency."),
      make_def("util.logging.set-level", Level::should, Kind::active, k_ver_legacy, k_tr_all,
               "logging/setLevel accepts valid levels and rejects invalid ones",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/logging"
               "#error-handling",
               "logging/setLevel is not implemented although logging is declared, or any string is accepted. "
               "Return {} for the eight valid levels and error -32602 for anything else."),
      make_def("util.logging.level-filter", Level::should, Kind::active, k_ver_legacy, k_tr_all,
               "Log messages below the level set by the client are not sent",
               "https://modelcontextprotocol.io/specification/2025-11-25/schema#setlevelrequestparams",
               "The level from logging/setLevel is stored but never consulted, so debug and info messages "
               "keep flowing. Filter notifications/message by the session's minimum level."),
      make_def("util.completion.complete", Level::must, Kind::active, k_ver_25_03_on, k_tr_all,
               "completion/complete is declared when served and returns valid values",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/completion"
               "#capabilities",
               "completion/complete works without \"completions\": {} being declared, returns more than 100 "
               "values or non-strings, or succeeds for an unknown prompt. Declare the capability, cap values "
               "at 100 (set hasMore/total), and answer unknown references with -32602."),
  };
}

std::vector<CheckDef> tool_defs() {
  return {
      make_def("tools.capability.declared", Level::must, Kind::active, k_ver_all, k_tr_all,
               "Tools are served only when the tools capability is declared",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/tools#capabilities",
               "tools/list returns tools (or tools/call works) while capabilities.tools is absent, often "
               "because tools are registered after the capabilities were computed. Declare \"tools\": {} "
               "whenever you serve tools."),
      make_def("tools.list.schema", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "tools/list results validate against ListToolsResult",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic#schema",
               "A tool definition has a non-string name, annotations that are not an object, or a bad "
               "execution.taskSupport value. Compare the reported JSON pointer with the Tool definition of "
               "the negotiated version."),
      make_def("tools.input-schema.object", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "Every inputSchema is an object schema with \"type\": \"object\"",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/tools#tool",
               "inputSchema is missing or null for a tool without parameters, or its root is an anyOf/oneOf, "
               "a nullable type, or only $schema. Use {\"type\": \"object\"} (with properties as needed) at "
               "the root, even for tools without parameters."),
      make_def("tools.input-schema.valid-dialect", Level::must, Kind::passive,
               {"all (before 25-11 derived)", k_all_versions}, k_tr_all,
               "Tool input and output schemas are valid for their JSON Schema dialect",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic#schema-validation",
               "A hand-written or generated schema uses invalid keywords (\"required\": true inside a "
               "property, \"type\": \"int\") or a $ref that does not resolve. Validate your schemas against "
               "the 2020-12 metaschema (or the declared $schema) in your tests."),
      make_def("tools.output-schema.object-root", Level::must, Kind::passive, k_ver_25_06_to_25_11, k_tr_all,
               "outputSchema has \"type\": \"object\" at the root",
               "https://modelcontextprotocol.io/specification/2025-11-25/schema#tool",
               "A tool returning a list declares an array (or nullable) output schema. Wrap the value in an "
               "object, e.g. {\"type\": \"object\", \"properties\": {\"items\": {\"type\": \"array\"}}}."),
      make_def("tools.name.format", Level::should, Kind::passive, k_ver_25_11_on, k_tr_all,
               "Tool names are 1-128 characters of A-Z, a-z, 0-9, _, - and .",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/tools#tool-names",
               "Tool names contain spaces, slashes, colons or non-ASCII characters (often a human title used "
               "as the name). Use a short identifier as name and put the display text in title."),
      make_def("tools.name.unique", Level::should, Kind::passive,
               {"all (before 25-11 derived)", k_all_versions}, k_tr_all,
               "Tool names are unique across all pages",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/tools#tool-names",
               "The same tool is registered twice (e.g. by two modules or on every reload), or pagination "
               "repeats items. Register each tool once and de-duplicate the list."),
      make_def("tools.call.unknown-tool", Level::should, Kind::active, k_ver_all, k_tr_all,
               "Calling an unknown tool gets a -32602 protocol error",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/tools#error-handling",
               "A call to a nonexistent tool succeeds, or reports isError: true instead of a protocol error. "
               "Answer unknown tool names with JSON-RPC error -32602 (Invalid params)."),
      make_def(
          "tools.call.result-shape", Level::must, Kind::fixture, k_ver_all, k_tr_all,
          "tools/call results validate against CallToolResult",
          "https://modelcontextprotocol.io/specification/2025-11-25/basic#schema",
          "The tool returns a bare string or object instead of {\"content\": [...]}, uses a content type "
          "the negotiated version lacks (audio before 2025-03-26, resource_link before 2025-06-18), or "
          "sets isError to a non-boolean. Always wrap output in a content array."),
      make_def("tools.call.invalid-args", Level::must, Kind::fixture, k_ver_all, k_tr_all,
               "Arguments that break inputSchema are rejected, not executed",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/tools#error-handling",
               "The server runs the tool without validating arguments, or crashes with -32603. Validate "
               "arguments against inputSchema and return isError: true with a helpful message (from "
               "2025-11-25; earlier versions may also use -32602)."),
      make_def("tools.call.error-in-result", Level::should, Kind::fixture, k_ver_all, k_tr_all,
               "Tool execution failures are reported with isError: true",
               "https://modelcontextprotocol.io/specification/2025-11-25/schema#calltoolresult",
               "Exceptions raised inside the tool propagate as JSON-RPC errors, which the model never sees. "
               "Catch tool failures and return a result with isError: true and the message as text content."),
      make_def("tools.call.structured-present", Level::must, Kind::fixture, k_ver_25_06_on, k_tr_all,
               "Tools with an outputSchema return structuredContent",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/tools#output-schema",
               "The tool declares an outputSchema but only returns text content. Return structuredContent "
               "matching the schema on every successful call, or drop the outputSchema."),
      make_def(
          "tools.call.structured-conforms", Level::must, Kind::fixture, k_ver_25_06_on, k_tr_all,
          "structuredContent conforms to the tool's outputSchema",
          "https://modelcontextprotocol.io/specification/2025-11-25/server/tools#output-schema",
          "The output drifted from the declared schema (renamed or missing required fields, wrong types, "
          "null for a required value). Validate structuredContent against outputSchema before returning "
          "it, in tests at least."),
      make_def("tools.call.structured-text-mirror", Level::should, Kind::fixture, k_ver_25_06_on, k_tr_all,
               "structuredContent is mirrored as JSON in a text content block",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/tools#structured-content",
               "The result has structuredContent but no text block with the same JSON, so older clients see "
               "nothing. Also return a TextContent holding the serialized structuredContent."),
      make_def("features.content.binary-encoding", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "Binary content is plain base64 with a mimeType",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/prompts#image-content",
               "Image/audio data or a blob is a data: URL (\"data:image/png;base64,...\"), URL-safe or "
               "line-wrapped base64, or lacks mimeType. Send standard RFC 4648 base64 with no prefix and set "
               "mimeType."),
      make_def(
          "features.list-changed.declared", Level::should, Kind::passive, k_ver_all, k_tr_all,
          "list_changed notifications are sent only when listChanged is declared",
          "https://modelcontextprotocol.io/specification/2025-11-25/server/tools#list-changed-notification",
          "The server emits notifications/tools|prompts|resources/list_changed while the capability "
          "lacks \"listChanged\": true. Declare listChanged: true for each list you notify about, or stop "
          "sending the notification."),
  };
}

std::vector<CheckDef> resource_and_prompt_defs() {
  return {
      make_def("resources.capability.declared", Level::must, Kind::active, k_ver_all, k_tr_all,
               "Resources are served only when the resources capability is declared",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/resources#capabilities",
               "resources/list returns resources while capabilities.resources is absent. Declare "
               "\"resources\": {} whenever you serve resources."),
      make_def("resources.list.uris", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "Listed resources have a name and an absolute RFC 3986 URI",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/resources#custom-uri-schemes",
               "Resource URIs are relative or bare file paths (/etc/x, C:\\x), contain unescaped spaces, or "
               "the name is missing. Use absolute URIs (file:///..., or a custom scheme://) with "
               "percent-encoding."),
      make_def("resources.read.listed", Level::must, Kind::active, k_ver_all, k_tr_all,
               "Listed resources can be read and each content has exactly one of text/blob",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/resources"
               "#security-considerations",
               "A listed resource fails to read, or its contents items lack uri, set both text and blob, or "
               "carry invalid base64. Return one item per content with uri and either text or base64 blob."),
      make_def(
          "resources.read.not-found", Level::must, Kind::active, k_ver_all, k_tr_all,
          "Reading an unknown resource gets the not-found error",
          "https://modelcontextprotocol.io/specification/2025-11-25/server/resources#error-handling",
          "An unknown URI returns an empty contents array, a generic -32603, or a success. Answer -32002 "
          "(Resource not found) up to 2025-11-25, and -32602 from 2026-07-28."),
      make_def("resources.templates.list", Level::must, Kind::active, k_ver_all, k_tr_all,
               "resources/templates/list validates and templates parse as RFC 6570",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/resources#resource-templates",
               "resources/templates/list is not implemented although resources are declared (clients call it "
               "unconditionally), or a uriTemplate has unbalanced braces. Return an empty resourceTemplates "
               "list when you have none."),
      make_def(
          "resources.subscribe", Level::should, Kind::active, k_ver_legacy, k_tr_all,
          "Subscriptions work when declared, and updates are only sent for them",
          "https://modelcontextprotocol.io/specification/2024-11-05/schema#resourceupdatednotification",
          "subscribe: true is declared but resources/subscribe fails, it succeeds although undeclared, "
          "or notifications/resources/updated arrives for URIs never subscribed. Track subscriptions per "
          "session and notify only those URIs."),
      make_def(
          "prompts.capability.declared", Level::must, Kind::active, k_ver_all, k_tr_all,
          "Prompts are served only when declared, and prompts/list validates",
          "https://modelcontextprotocol.io/specification/2025-11-25/server/prompts#capabilities",
          "prompts/list returns prompts while capabilities.prompts is absent, or the list does not match "
          "ListPromptsResult. Declare \"prompts\": {} whenever you serve prompts."),
      make_def(
          "prompts.get.listed-and-errors", Level::must, Kind::active, k_ver_all, k_tr_all,
          "prompts/get returns valid messages and rejects bad names and arguments",
          "https://modelcontextprotocol.io/specification/2025-11-25/server/prompts#error-handling",
          "Messages use roles other than user/assistant or invalid content, or an unknown prompt name or "
          "missing required argument still succeeds. Validate the name and required arguments and answer "
          "-32602 (Invalid params)."),
  };
}

}  // namespace

std::vector<CheckDef> feature_check_defs() {
  std::vector<CheckDef> defs = utility_defs();
  for (auto* part : {tool_defs, resource_and_prompt_defs}) {
    auto rows = part();
    defs.insert(defs.end(), rows.begin(), rows.end());
  }
  return defs;
}

}  // namespace mcp_probe::checks
