#include "mcp_probe/refserver/faults.h"

namespace mcp_probe::refserver {

namespace {

// One row per fault: name, the check it makes fail, what the server does wrong. Faults of the
// HTTP front-ends (http_frontend*.cpp) are listed here too, so --list-faults is complete.
const std::vector<FaultInfo> k_faults = {
    // stdio
    {"stdout-noise", "stdio.stdout.only-jsonrpc", "prints a banner line on stdout at start (stdio)"},
    {"embedded-newline", "stdio.framing.newline", "pretty-prints messages over several lines"},
    {"ignore-stdin-eof", "stdio.shutdown.stdin-eof", "keeps running after stdin closes (stdio)"},
    {"ignore-sigterm", "stdio.shutdown.sigterm", "ignores SIGTERM and stdin EOF (stdio)"},
    {"exit-at-start", "stdio.spawn", "writes an error on stderr and exits with status 3 at start"},
    // JSON-RPC
    {"no-jsonrpc-field", "jsonrpc.envelope.version", "omits \"jsonrpc\":\"2.0\" from every message"},
    {"id-as-string", "jsonrpc.response.id-match", "echoes integer request ids as strings"},
    {"result-and-error", "jsonrpc.response.result-xor-error",
     "adds an error member to results (initialize excepted)"},
    {"error-code-string", "jsonrpc.error.shape", "sends error codes as strings"},
    {"wrong-method-not-found-code", "jsonrpc.error.method-not-found", "answers unknown methods with -32603"},
    {"drop-parse-error", "jsonrpc.error.parse-error", "silently drops malformed JSON"},
    {"accept-invalid-request", "jsonrpc.error.invalid-request",
     "serves jsonrpc \"1.0\" and answers a request without method with {}"},
    {"answer-notifications", "jsonrpc.notification.no-response",
     "answers client notifications (initialized excepted) with an error"},
    {"notification-with-id", "jsonrpc.notification.no-id", "puts an id on every notification it sends"},
    {"server-request-null-id", "jsonrpc.request.id-not-null", "after initialized, sends a ping with id null"},
    {"server-request-id-reuse", "jsonrpc.request.id-unique",
     "after initialized, sends two pings with one id"},
    {"reject-batch", "jsonrpc.batch.supported", "rejects batches under 2025-03-26"},
    {"batch-silence", "jsonrpc.batch.rejected", "never answers a batch where the version has none"},
    {"invalid-utf8", "jsonrpc.encoding.utf8", "puts an invalid UTF-8 byte in a tools/list description"},
    {"bad-schema", "jsonrpc.schema.message-valid", "tools/list returns a tool whose name is a number"},
    // lifecycle
    {"init-missing-server-info", "lifecycle.init.result-shape",
     "omits serverInfo from the initialize result"},
    {"capability-bool", "lifecycle.init.result-shape", "declares \"tools\": true instead of an object"},
    {"echo-unsupported-version", "lifecycle.version.unsupported-fallback",
     "echoes an unsupported requested version"},
    {"wrong-version-echo", "lifecycle.version.echo-supported",
     "answers the previous supported version to every supported request (wrapping)"},
    {"oldest-fallback", "lifecycle.version.latest-preferred", "falls back to 2024-11-05, not the latest"},
    {"no-init-gating", "lifecycle.pre-init.request-rejected", "serves requests before initialize"},
    {"reject-early-ping", "lifecycle.pre-init.ping-allowed", "rejects ping before initialize"},
    {"early-server-request", "lifecycle.pre-initialized.no-server-requests",
     "sends roots/list right after the initialize response"},
    {"unrequested-sampling", "lifecycle.capabilities.client-respected",
     "sends sampling/createMessage after initialized whatever the client declared"},
    {"undeclared-prompts", "prompts.capability.declared", "serves prompts without declaring the capability"},
    {"undeclared-tools", "tools.capability.declared", "serves tools without declaring the capability"},
    {"undeclared-resources", "resources.capability.declared",
     "serves resources without declaring the capability"},
    {"newer-fields", "lifecycle.operation.version-respected",
     "sends fields of the latest version whatever was negotiated"},
    {"never-answer-initialize", "connectivity.initialize", "never answers initialize"},
    {"answer-initialized", "lifecycle.initialized.accepted",
     "answers notifications/initialized with an error"},
    // utilities
    {"ping-nonempty", "util.ping.empty-result", "answers ping with a non-empty result"},
    {"reply-to-cancel", "util.cancel.unknown-ignored", "answers notifications/cancelled with an error"},
    {"ignore-cancel", "util.cancel.honoured", "the slow tool ignores cancellation and responds"},
    {"bogus-cancel", "util.cancel.server-sent-valid",
     "after initialized, cancels a request id it never issued"},
    {"progress-wrong-token", "util.progress.token-match", "progress notifications carry another token"},
    {"progress-not-monotonic", "util.progress.monotonic", "progress values repeat instead of increasing"},
    {"progress-after-response", "util.progress.stop-after-response",
     "sends progress notifications after the response"},
    {"cursor-loop", "util.pagination.follow", "the last page's nextCursor points back to the first"},
    {"accept-invalid-cursor", "util.pagination.invalid-cursor", "treats an unknown cursor as the first page"},
    {"log-without-capability", "util.logging.capability",
     "omits the logging capability but sends notifications/message"},
    {"log-bad-level", "util.logging.capability", "sends log messages with level \"warn\""},
    {"reject-set-level", "util.logging.set-level", "answers logging/setLevel with an error"},
    {"ignore-log-level", "util.logging.level-filter", "sends log messages below the level set"},
    {"completion-too-many", "util.completion.complete", "returns 101 completion values"},
    {"completion-unknown-ok", "util.completion.complete", "completes an unknown prompt or template"},
    // tools
    {"tool-schema-not-object", "tools.input-schema.object", "an inputSchema without \"type\":\"object\""},
    {"tool-schema-bad-dialect", "tools.input-schema.valid-dialect",
     "an inputSchema with \"required\": true and \"type\":\"int\""},
    {"output-schema-array", "tools.output-schema.object-root", "an outputSchema whose root type is array"},
    {"tool-name-bad", "tools.name.format", "a tool named \"my tool/x\""},
    {"tool-name-duplicate", "tools.name.unique", "lists a tool twice"},
    {"unknown-tool-success", "tools.call.unknown-tool", "calling an unknown tool succeeds"},
    {"tool-result-no-content", "tools.call.result-shape", "tool results have no content"},
    {"accept-invalid-args", "tools.call.invalid-args", "tool arguments are not validated"},
    {"tool-error-as-protocol-error", "tools.call.error-in-result",
     "failing tools answer with a JSON-RPC error"},
    {"structured-missing", "tools.call.structured-present", "the add tool omits structuredContent"},
    {"structured-mismatch", "tools.call.structured-conforms",
     "the add tool returns structuredContent {sum:\"3\"} (a string)"},
    {"no-text-mirror", "tools.call.structured-text-mirror",
     "the add tool's text is not the JSON of structuredContent"},
    // features
    {"bad-base64", "features.content.binary-encoding", "image data carries a data: URL prefix"},
    {"list-changed-undeclared", "features.list-changed.declared",
     "declares tools.listChanged false but sends notifications/tools/list_changed"},
    {"resource-relative-uri", "resources.list.uris", "lists a resource with a relative URI"},
    {"resource-text-and-blob", "resources.read.listed", "a resource content with both text and blob"},
    {"resource-not-found-success", "resources.read.not-found",
     "reading an unknown resource returns empty contents"},
    {"bad-uri-template", "resources.templates.list", "a template \"test://{unclosed\""},
    {"subscribe-error", "resources.subscribe", "resources/subscribe fails though subscribe is declared"},
    {"prompt-unknown-success", "prompts.get.listed-and-errors",
     "unknown prompts and missing required arguments succeed"},
    // tasks
    {"task-without-capability", "tasks.ignored-without-capability",
     "answers a task-augmented tools/call with a CreateTaskResult though tasks are not declared"},
    // Streamable HTTP (implemented by the HTTP front-end)
    {"notification-200", "http.post.notification-202", "answers a POSTed notification with 200", true},
    {"response-200", "http.post.response-202", "answers a POSTed response with 200", true},
    {"wrong-content-type", "http.post.request-content-type", "answers requests with text/plain", true},
    {"json-wrong-id", "http.post.json-single-response", "a JSON response body carries another id", true},
    {"sse-never-close", "http.sse.response-delivered", "keeps the POST SSE stream open after the response",
     true},
    {"sse-split-event", "http.sse.event-format", "splits one message across two SSE events", true},
    {"sse-unrelated-progress", "http.sse.related-only", "sends unrelated messages on a POST SSE stream",
     true},
    {"no-priming-event", "http.sse.priming-event", "no priming event on SSE streams", true},
    {"sse-close-no-retry", "http.sse.retry-before-close",
     "closes POST SSE streams after the priming event (as --sse-poll) without a retry field", true},
    {"get-404", "http.get.sse-or-405", "answers GET with 404", true},
    {"get-unsolicited-response", "http.get.no-unsolicited-responses", "sends a response on the GET stream",
     true},
    {"broadcast", "http.streams.no-broadcast", "sends messages on both the POST and the GET stream", true},
    {"session-id-bad-chars", "http.session.id-format", "session ids contain characters outside 0x21-0x7E",
     true},
    {"session-not-required", "http.session.missing-400", "serves requests without a session id", true},
    {"unknown-session-400", "http.session.unknown-404", "answers an unknown session id with 400", true},
    {"delete-ignored", "http.session.delete", "DELETE does not end the session", true},
    {"protocol-version-ignored", "http.protocol-version.invalid-400",
     "accepts an invalid MCP-Protocol-Version header", true},
    {"protocol-version-required", "http.protocol-version.absent-default",
     "rejects requests without MCP-Protocol-Version", true},
    {"origin-accepted", "http.origin.invalid-403", "accepts requests from any Origin", true},
    {"origin-required", "http.origin.absent-accepted", "rejects requests without Origin", true},
    {"bind-all", "http.bind.localhost", "binds 0.0.0.0 instead of localhost", true},
    {"duplicate-event-ids", "http.resume.event-ids", "reuses SSE event ids", true},
    {"no-cors", "http.cors.preflight", "answers CORS preflights without the CORS headers", true},
    {"no-expose-headers", "http.cors.expose-session-id", "does not expose Mcp-Session-Id to browsers", true},
    {"sse-buffered", "http.sse.unbuffered", "sends every SSE event at the end", true},
    // legacy HTTP+SSE (implemented by the HTTP front-end)
    {"legacy-no-endpoint", "sse.endpoint.first-event", "the SSE stream does not start with an endpoint event",
     true},
    {"legacy-response-in-post", "sse.post.roundtrip", "answers in the POST body instead of the SSE stream",
     true},
    {"legacy-origin-accepted", "sse.origin.validate", "accepts requests from any Origin", true},
    {"legacy-post-500", "sse.compat.detectable", "answers a Streamable HTTP POST with 500", true},
};

}  // namespace

const std::vector<FaultInfo>& fault_table() { return k_faults; }

const FaultInfo* find_fault(std::string_view name) {
  for (const FaultInfo& fault : k_faults) {
    if (fault.name == name) return &fault;
  }
  return nullptr;
}

}  // namespace mcp_probe::refserver
