// Catalog rows: connectivity first (reports show it first), then the JSON-RPC base (group 1) and
// the initialize handshake (group 2) of REQUIREMENTS.md.

#include "catalog_parts.h"

namespace mcp_probe::checks {

namespace {

constexpr const char* k_debugging = "https://modelcontextprotocol.io/docs/tools/debugging";

std::vector<CheckDef> connectivity_defs() {
  return {
      make_def("connectivity.resolve", Level::must, Kind::active, k_ver_all, k_tr_network,
               "The URL's host name resolves", k_debugging,
               "The host name in the URL does not resolve from the machine running the probe. Check for "
               "typos, and for names that only resolve inside a container network or VPN; use a name or IP "
               "address reachable from here."),
      make_def("connectivity.connect", Level::must, Kind::active, k_ver_all, k_tr_network,
               "A TCP connection to the server's host and port succeeds", k_debugging,
               "Refused means nothing listens there: the server is not running, uses another port, or is "
               "bound to another interface (127.0.0.1 vs ::1 vs 0.0.0.0, or localhost inside a container). "
               "A timeout usually means a firewall or security group drops the traffic."),
      make_def(
          "connectivity.tls", Level::must, Kind::active, k_ver_all, k_tr_network,
          "The TLS handshake succeeds and the certificate verifies", k_debugging,
          "The certificate is expired, self-signed, issued for another host name, or served without its "
          "intermediate chain. Serve the full chain from a trusted CA for the host name in the URL; for a "
          "local test server, --insecure skips verification."),
      make_def("connectivity.http-endpoint", Level::must, Kind::active, k_ver_all, k_tr_network,
               "The first POST reaches an MCP endpoint",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http",
               "A 404 usually means the wrong path (/mcp vs /mcp/ vs /sse); 405, 406 or 415 mean the route "
               "exists but rejects POST, the Accept header or application/json. An HTML page or a redirect "
               "means a proxy, login page or web app answers instead of the MCP handler."),
      make_def(
          "connectivity.transport-detected", Level::info, Kind::active, k_ver_all, k_tr_network,
          "Which HTTP transport auto-detection found (Streamable HTTP or HTTP+SSE)",
          "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#backwards-compatibility",
          "Informational. If the legacy HTTP+SSE transport was found but you meant to serve Streamable "
          "HTTP, point the probe at the Streamable HTTP path (often /mcp rather than /sse) or enable that "
          "transport in the server."),
      make_def("connectivity.initialize", Level::must, Kind::active, k_ver_legacy, k_tr_all,
               "The initialize request gets a response within the timeout",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#initialization",
               "The server accepted the connection but never answered initialize: it is busy or hung, a "
               "blocking call runs inside an async handler, or it crashed mid-request. Check its stderr or "
               "logs, and answer initialize before doing slow start-up work."),
      make_def("stdio.spawn", Level::must, Kind::active, k_ver_all, k_tr_stdio,
               "The server command starts and stays up until it answers initialize", k_debugging,
               "The command was not found or not executable, the interpreter is missing (python3 vs python), "
               "the working directory or environment is wrong, or the process exited early. Use absolute "
               "paths, and read the exit code and stderr tail shown with this result."),
  };
}

std::vector<CheckDef> jsonrpc_defs() {
  return {
      make_def("jsonrpc.envelope.version", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "Every message carries \"jsonrpc\": \"2.0\"",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic#messages",
               "A hand-built message omits the jsonrpc member or sets it to something other than the string "
               "\"2.0\" (a number 2.0, \"2\"). Build every outgoing message through one helper that sets "
               "\"jsonrpc\": \"2.0\"."),
      make_def(
          "jsonrpc.response.id-match", Level::must, Kind::active, k_ver_all, k_tr_all,
          "Responses echo the request id with the same JSON type",
          "https://modelcontextprotocol.io/specification/2024-11-05/basic/messages#responses",
          "The server converts ids (string \"1\" to number 1 or back), loses precision on large integers "
          "by parsing them as doubles, or drops the id. Store the id exactly as received and copy it "
          "back unchanged into the response."),
      make_def("jsonrpc.response.result-xor-error", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "Each response has exactly one of result and error",
               "https://modelcontextprotocol.io/specification/2024-11-05/basic/messages#responses",
               "A response serializer emits \"result\": null next to \"error\", or an empty object with "
               "neither. Emit result on success and error on failure, never both, and omit the other key "
               "instead of setting it to null."),
      make_def("jsonrpc.error.shape", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "Error objects have an integer code and a string message",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic#error-responses",
               "An error handler returns a string or float code, or puts the text under another key (error, "
               "detail). Map every exception to {\"code\": <integer>, \"message\": <string>} and put extra "
               "details in data."),
      make_def("jsonrpc.error.method-not-found", Level::should, Kind::active, k_ver_all, k_tr_all,
               "An unknown method gets error -32601 (Method not found)",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic#messages",
               "The dispatcher falls through to a default handler that returns an empty result, a generic "
               "-32603, or nothing at all. Answer any method you do not implement with error -32601."),
      make_def("jsonrpc.error.parse-error", Level::should, Kind::negative, k_ver_all, k_tr_all,
               "Malformed JSON gets a -32700 error and the server keeps working",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic#error-responses",
               "The read loop lets a JSON parse exception escape, so the process exits or the connection "
               "dies. Catch parse failures per message, reply with error -32700 and a null id, and keep "
               "reading."),
      make_def("jsonrpc.error.invalid-request", Level::should, Kind::negative, k_ver_all, k_tr_all,
               "A request without method or with a wrong jsonrpc version gets -32600",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic#messages",
               "The server processes messages without validating the envelope, or crashes on a missing "
               "method. Check jsonrpc == \"2.0\" and that method is a string before dispatching, and reply "
               "with error -32600 otherwise."),
      make_def("jsonrpc.notification.no-response", Level::must, Kind::active, k_ver_all, k_tr_all,
               "Notifications never get a response",
               "https://modelcontextprotocol.io/specification/2025-03-26/basic#notifications",
               "The dispatcher answers every message, including notifications (an error for unknown ones, or "
               "a null result). Treat a message without an id as a notification: handle or ignore it "
               "silently; over HTTP send 202 Accepted with an empty body."),
      make_def("jsonrpc.notification.no-id", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "Server notifications carry no id",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic#notifications",
               "Notifications are built with the request helper and get an id (often null or a counter). "
               "Send notifications (logging, progress, list_changed) without any id member."),
      make_def("jsonrpc.request.id-not-null", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "Server-to-client requests have a string or integer id, never null",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic#requests",
               "Server-initiated requests (ping, sampling/createMessage, roots/list, elicitation/create) are "
               "sent with a null, float or missing id. Use a per-session integer counter or a string id."),
      make_def("jsonrpc.request.id-unique", Level::must, Kind::passive, k_ver_legacy, k_tr_all,
               "The server never reuses a request id within a session",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic#requests",
               "The id counter restarts per request handler or per stream, or is a constant. Use one "
               "monotonically increasing counter (or UUIDs) per session for server-initiated requests."),
      make_def("jsonrpc.batch.supported", Level::must, Kind::active, k_ver_25_03, k_tr_all,
               "JSON-RPC batches are accepted (2025-03-26)",
               "https://modelcontextprotocol.io/specification/2025-03-26/basic#batching",
               "The server negotiated 2025-03-26 but rejects or mishandles array bodies. Answer a batch with "
               "an array holding one response per request (none for notifications), send nothing (202 on "
               "HTTP) for an all-notification batch, and answer [] with a single -32600 error."),
      make_def("jsonrpc.batch.rejected", Level::should, Kind::active,
               {"24-11, 25-06…26-07", k_v2024_11_05 | k_v2025_06_18 | k_v2025_11_25 | k_v2026_07_28},
               k_tr_all, "A batch in a version without batching is rejected cleanly",
               "https://modelcontextprotocol.io/specification/2025-06-18/basic/transports"
               "#sending-messages-to-the-server",
               "The server crashes or hangs on a JSON array because it assumes every message is an object. "
               "Check the top-level type first and reply with error -32600 (or HTTP 400) for arrays in "
               "versions other than 2025-03-26."),
      make_def(
          "jsonrpc.encoding.utf8", Level::must, Kind::passive, {"all (24-11 derived)", k_all_versions},
          k_tr_all, "Every message is valid UTF-8 without a BOM",
          "https://modelcontextprotocol.io/specification/2025-03-26/basic/transports",
          "Output goes through a platform default encoding (cp1252 on Windows, a UTF-16 console), adds a "
          "BOM, or cuts strings in the middle of a multi-byte character. Encode explicitly as UTF-8 and "
          "truncate on code-point boundaries."),
      make_def("jsonrpc.schema.message-valid", Level::must, Kind::passive, k_ver_all, k_tr_all,
               "Every message validates against the negotiated version's schema",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic#schema",
               "A result misses a required field, uses the wrong type, or follows another version's shape. "
               "Compare the reported JSON pointer with the schema.ts definition for the negotiated version, "
               "and generate types from the schema rather than hand-building dictionaries."),
  };
}

std::vector<CheckDef> lifecycle_defs() {
  return {
      make_def("lifecycle.init.result-shape", Level::must, Kind::active, k_ver_legacy, k_tr_all,
               "initialize returns protocolVersion, capabilities and serverInfo",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#initialization",
               "The InitializeResult misses serverInfo.name/version or protocolVersion, or declares "
               "capabilities as booleans (\"tools\": true). Declare each capability as an object, e.g. "
               "\"tools\": {} or \"tools\": {\"listChanged\": true}."),
      make_def("lifecycle.version.echo-supported", Level::must, Kind::active, k_ver_legacy, k_tr_all,
               "A supported requested protocol version is echoed back",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#version-negotiation",
               "The server always answers one hard-coded version, or returns a version it then refuses. "
               "Keep a list of supported versions; answer the client's version when it is in the list."),
      make_def("lifecycle.version.unsupported-fallback", Level::must, Kind::active, k_ver_legacy, k_tr_all,
               "An unsupported requested version gets a supported version back",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#version-negotiation",
               "The server echoes any requested protocol version, even \"2099-12-31\" or garbage, or fails "
               "the request. When the requested version is not supported, answer with your latest supported "
               "version and let the client decide."),
      make_def("lifecycle.version.latest-preferred", Level::should, Kind::active, k_ver_legacy, k_tr_all,
               "The fallback version is the newest one the server supports",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#version-negotiation",
               "The fallback is the first or oldest entry of the supported list. Answer an unsupported "
               "request with the latest version you support."),
      make_def("lifecycle.pre-init.request-rejected", Level::should, Kind::active, k_ver_legacy, k_tr_all,
               "Requests before initialize are rejected",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#initialization",
               "The server serves tools/list and other requests on a connection that never initialized, so "
               "no version or capabilities were negotiated. Reject requests other than ping with an error "
               "(HTTP: 400) until initialize has completed."),
      make_def("lifecycle.pre-init.ping-allowed", Level::should, Kind::active, k_ver_legacy, k_tr_all,
               "ping is answered before initialize",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#initialization",
               "The not-initialized guard also blocks ping. Exempt ping from the guard and answer it with an "
               "empty result at any time."),
      make_def("lifecycle.pre-initialized.no-server-requests", Level::should, Kind::active, k_ver_legacy,
               k_tr_all, "No server requests other than ping before notifications/initialized",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#initialization",
               "The server sends sampling, roots/list or elicitation requests right after answering "
               "initialize. Wait for notifications/initialized before sending requests; only ping and "
               "logging are allowed earlier."),
      make_def("lifecycle.initialized.accepted", Level::should, Kind::active, k_ver_legacy, k_tr_all,
               "notifications/initialized is accepted without a reply or error",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#initialization",
               "The server answers notifications/initialized with an error (often -32601 because no handler "
               "is registered) or a result, or closes the connection. Register a no-op handler that returns "
               "nothing; over HTTP answer 202 Accepted with an empty body."),
      make_def("lifecycle.capabilities.client-respected", Level::must, Kind::passive, k_ver_legacy, k_tr_all,
               "The server only uses client capabilities the client declared",
               "https://modelcontextprotocol.io/specification/2025-06-18/basic/lifecycle#operation",
               "The server calls sampling/createMessage, roots/list or elicitation/create without checking "
               "the client's capabilities. Check InitializeRequest.params.capabilities before each "
               "server-to-client request and degrade gracefully when a capability is missing."),
      make_def("lifecycle.capabilities.undeclared-method", Level::should, Kind::active, k_ver_legacy,
               k_tr_all, "Methods of undeclared capabilities fail with -32601",
               "https://modelcontextprotocol.io/specification/2025-11-25/server/utilities/completion"
               "#error-handling",
               "The SDK registers list handlers (tools/list, prompts/list, completion/complete) that answer "
               "even though the capability is not declared, or an unimplemented method returns another "
               "code. Declare every capability you serve; answer the others with -32601."),
      make_def("lifecycle.operation.version-respected", Level::must, Kind::passive, k_ver_legacy, k_tr_all,
               "No fields or methods newer than the negotiated version",
               "https://modelcontextprotocol.io/specification/2025-06-18/basic/lifecycle#operation",
               "The server always emits its newest features (structuredContent, resource_link, title, icons, "
               "execution) whatever version was negotiated. Gate each such field on the negotiated protocol "
               "version."),
  };
}

}  // namespace

std::vector<CheckDef> core_check_defs() {
  std::vector<CheckDef> defs = connectivity_defs();
  for (auto* part : {jsonrpc_defs, lifecycle_defs}) {
    auto rows = part();
    defs.insert(defs.end(), rows.begin(), rows.end());
  }
  return defs;
}

}  // namespace mcp_probe::checks
