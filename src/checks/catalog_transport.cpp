// Catalog rows for the transports: stdio (group 3), Streamable HTTP (group 4) and legacy HTTP+SSE
// (group 5) of REQUIREMENTS.md, each followed by its field diagnostics from group 11.

#include "catalog_parts.h"

namespace mcp_probe::checks {

namespace {

constexpr const char* k_sending =
    "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports"
    "#sending-messages-to-the-server";
constexpr const char* k_listening =
    "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports"
    "#listening-for-messages-from-the-server";
constexpr const char* k_sessions =
    "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports"
    "#session-management";
constexpr const char* k_security =
    "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports"
    "#security-warning";
constexpr const char* k_version_header =
    "https://modelcontextprotocol.io/specification/2025-06-18/basic/"
    "transports#protocol-version-header";
constexpr const char* k_legacy_sse =
    "https://modelcontextprotocol.io/specification/2024-11-05/basic/transports"
    "#http-with-sse";
constexpr const char* k_debugging = "https://modelcontextprotocol.io/docs/tools/debugging";

std::vector<CheckDef> stdio_defs() {
  return {
      make_def(
          "stdio.stdout.only-jsonrpc", Level::must, Kind::passive, k_ver_all, k_tr_stdio,
          "stdout carries only JSON-RPC messages",
          "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#stdio",
          "Something writes to stdout besides the protocol: print()/console.log debugging, a start-up "
          "banner, a logging library's default handler, or a progress bar. Send all logs to stderr (or a "
          "file) and keep stdout for JSON-RPC only."),
      make_def(
          "stdio.framing.newline", Level::must, Kind::passive, k_ver_all, k_tr_stdio,
          "Each message is one line terminated by \\n",
          "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#stdio",
          "The JSON is pretty-printed (indent=2) so one message spans several lines, two messages share a "
          "line, or the last message is not flushed with its newline. Serialize compactly, write "
          "message + \"\\n\", and flush stdout after every message."),
      make_def("stdio.shutdown.stdin-eof", Level::should, Kind::active, k_ver_all, k_tr_stdio,
               "The server exits promptly when its stdin is closed",
               "https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/stdio#shutdown",
               "The server ignores end-of-file on stdin, usually because a background thread, timer or open "
               "connection keeps the process alive. Treat EOF on stdin as shutdown: stop the work and exit."),
      make_def(
          "stdio.shutdown.sigterm", Level::should, Kind::active, k_ver_all, k_tr_stdio,
          "The server exits on SIGTERM without needing SIGKILL",
          "https://modelcontextprotocol.io/specification/2025-11-25/basic/lifecycle#stdio",
          "A SIGTERM handler swallows the signal, or non-daemon threads or child processes keep the server "
          "alive. Exit (after brief clean-up) on SIGTERM, and start children in a way that they stop too."),
      make_def("stdio.no-server-requests", Level::must, Kind::passive, k_ver_26_07, k_tr_stdio,
               "No JSON-RPC requests on stdout in the stateless era (2026-07-28)",
               "https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/stdio"
               "#receiving-messages",
               "The server still sends sampling, roots or elicitation requests, or ping, as in the handshake "
               "era. In 2026-07-28 ask for client input through an InputRequiredResult instead."),
      make_def("stdio.stderr.diagnostics", Level::info, Kind::passive, k_ver_all, k_tr_stdio,
               "The tail of the server's stderr, shown next to failures", k_debugging,
               "Informational, never a failure: stderr is the right place for logs. Read it for stack traces "
               "and start-up errors that explain other results."),
      make_def("stdio.startup.latency", Level::info, Kind::passive, k_ver_all, k_tr_stdio,
               "Time from spawn to the initialize response", k_debugging,
               "Informational. Clients time out slow starters (a package-runner cold start that downloads "
               "dependencies, heavy imports, network calls before serving); install ahead of time and defer "
               "slow initialization until after initialize."),
  };
}

std::vector<CheckDef> http_defs() {
  return {
      make_def(
          "http.post.notification-202", Level::must, Kind::active, k_ver_25_03_on, k_tr_http,
          "POSTed notifications get 202 Accepted with no body", k_sending,
          "The server answers notifications with 200 or 204, writes a body (often null or {}), or opens "
          "an SSE stream. Send 202 Accepted with an empty body for any POST that holds only notifications "
          "or responses."),
      make_def(
          "http.post.response-202", Level::must, Kind::active, k_ver_25_03_to_25_11, k_tr_http,
          "POSTed JSON-RPC responses get 202 or a 4xx, never a 5xx", k_sending,
          "The request router expects a method and crashes (500) on a JSON-RPC response, e.g. the reply "
          "to a server ping. Accept responses with 202 Accepted and an empty body, or reject them with a "
          "4xx."),
      make_def(
          "http.post.request-content-type", Level::must, Kind::active, k_ver_25_03_on, k_tr_http,
          "POSTed requests are answered as application/json or text/event-stream", k_sending,
          "The response has no Content-Type, text/plain or text/html (a framework default), or a request "
          "gets 202 as if it were a notification. Set Content-Type: application/json for a single JSON "
          "reply or text/event-stream for a stream."),
      make_def(
          "http.post.json-single-response", Level::must, Kind::active, k_ver_25_06_on, k_tr_http,
          "A JSON reply holds exactly the one response to the POSTed request", k_sending,
          "The JSON body is wrapped in an array, carries notifications or another request's response, or "
          "is empty with 200. Return exactly one JSON-RPC response with the POSTed id; use an SSE "
          "stream when notifications must accompany it."),
      make_def("http.sse.response-delivered", Level::should, Kind::active, k_ver_25_03_on, k_tr_http,
               "A POST-initiated SSE stream delivers the response, then closes", k_sending,
               "The stream ends before the response without a resumable event id, or stays open after the "
               "response so clients wait forever. Send the response on the stream and then end it."),
      make_def("http.sse.event-format", Level::should, Kind::passive, k_ver_25_03_on, k_tr_http,
               "Each SSE event carries exactly one JSON-RPC message", k_legacy_sse,
               "Events concatenate several JSON objects, split one message across events, use a custom event "
               "type, or put a JSON string with raw newlines in one data line. Write each message as its own "
               "event (\"data: <compact JSON>\\n\\n\")."),
      make_def(
          "http.sse.related-only", Level::must, Kind::passive, k_ver_25_03_on, k_tr_http,
          "Messages on a request's SSE stream relate to that request", k_sending,
          "Progress or notifications meant for another request (or list_changed broadcasts) are written "
          "to whichever stream is open. Route messages to the stream of the request that caused them and "
          "use the standalone GET stream for unrelated ones."),
      make_def("http.sse.priming-event", Level::should, Kind::active, k_ver_25_11, k_tr_http,
               "SSE streams start with a priming event (an id and empty data)", k_sending,
               "The first event already carries a payload and no event id, so a client cannot resume if the "
               "connection drops. Send an event with an id and an empty data field first (2025-11-25)."),
      make_def("http.sse.retry-before-close", Level::should, Kind::active, k_ver_25_11, k_tr_http,
               "A retry field is sent before closing a stream early", k_sending,
               "The server closes the stream before the response (polling mode) without telling the client "
               "when to reconnect. Send a retry: field before closing."),
      make_def(
          "http.get.sse-or-405", Level::must, Kind::active, k_ver_25_03_to_25_11, k_tr_http,
          "GET on the endpoint opens an SSE stream or returns 405", k_listening,
          "The framework routes only POST, so GET returns 404, 400 or 500, or an SSE handler never sends "
          "headers. Either serve text/event-stream on GET or answer 405 Method Not Allowed."),
      make_def("http.get.no-unsolicited-responses", Level::must, Kind::passive, k_ver_25_03_to_25_11,
               k_tr_http, "The standalone GET stream carries no JSON-RPC responses", k_listening,
               "Responses to POSTed requests are pushed onto the GET stream, e.g. by a single session-wide "
               "message queue. Send each response on the stream of its own POST."),
      make_def(
          "http.streams.no-broadcast", Level::must, Kind::active, k_ver_25_03_to_25_11, k_tr_http,
          "No message is delivered on more than one stream",
          "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#multiple-connections",
          "A pub/sub layer fans every message out to all open streams of the session. Deliver each "
          "message on exactly one stream."),
      make_def("http.session.id-format", Level::must, Kind::active, k_ver_25_03_to_25_11, k_tr_http,
               "Session ids are visible ASCII, unique and hard to guess", k_sessions,
               "Session ids contain spaces or non-ASCII characters, are empty, or are sequential counters. "
               "Use a cryptographically random UUID or token and keep it stable for the session."),
      make_def(
          "http.session.missing-400", Level::should, Kind::active, k_ver_25_03_to_25_11, k_tr_http,
          "Requests without the session header get 400 Bad Request", k_sessions,
          "The server silently creates a new session or serves the request (200), or answers 404/401/500. "
          "When a session id was issued, reject later requests that lack Mcp-Session-Id with 400."),
      make_def(
          "http.session.unknown-404", Level::must, Kind::active, k_ver_25_03_to_25_11, k_tr_http,
          "Requests with an unknown session id get 404 Not Found", k_sessions,
          "The server returns 400 instead of 404 for an unknown or expired session (the most common "
          "mistake), or 200/401/500. Return 404 so clients know to start a new session with initialize."),
      make_def(
          "http.session.delete", Level::must, Kind::active, k_ver_25_03_to_25_11, k_tr_http,
          "DELETE ends the session (or returns 405), and the id then gets 404", k_sessions,
          "DELETE is unrouted (404/500), or the session keeps working or answers 400 after deletion. "
          "Either support DELETE and answer 404 for the id afterwards, or answer 405 Method Not Allowed."),
      make_def("http.protocol-version.invalid-400", Level::must, Kind::active, k_ver_25_06_to_25_11,
               k_tr_http, "An invalid MCP-Protocol-Version header gets 400 Bad Request", k_version_header,
               "The server ignores the MCP-Protocol-Version header and processes the request. Validate the "
               "header on every request after initialize and answer 400 for unknown or unsupported values."),
      make_def("http.protocol-version.absent-default", Level::should, Kind::active, k_ver_25_06_to_25_11,
               k_tr_http, "A request without MCP-Protocol-Version is still served", k_version_header,
               "The server requires the header and answers 400 when it is missing, which breaks older "
               "clients. Fall back to the negotiated version (or 2025-03-26) when the header is absent."),
      make_def("http.origin.invalid-403", Level::must, Kind::active,
               {"25-03…26-07 (403 from 25-11)", k_all_versions & ~k_v2024_11_05}, k_tr_http,
               "A request with an invalid Origin is rejected (403 from 2025-11-25)", k_security,
               "The server accepts any Origin, leaving it open to DNS rebinding from a web page. Check the "
               "Origin header against an allow-list when present and answer 403 Forbidden otherwise. If the "
               "server deliberately accepts any origin, run with --allow-origin '*'."),
      make_def("http.origin.absent-accepted", Level::should, Kind::active, k_ver_25_03_on, k_tr_http,
               "Requests without an Origin header are accepted", k_security,
               "The Origin check treats a missing header as invalid and returns 403 or 400, locking out "
               "non-browser clients (CLIs, desktop apps), which do not send Origin. Reject only present and "
               "invalid Origins."),
      make_def(
          "http.bind.localhost", Level::should, Kind::active, k_ver_all, k_tr_http,
          "A locally run server listens on localhost only", k_security,
          "The server binds 0.0.0.0 or :: (a common framework default), exposing it to the whole "
          "network. Bind 127.0.0.1 (or ::1) when running locally; make wider binding an explicit option."),
      make_def(
          "http.resume.event-ids", Level::must, Kind::fixture, k_ver_25_03_to_25_11, k_tr_http,
          "SSE event ids are unique and resumption replays only the original stream",
          "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports"
          "#resumability-and-redelivery",
          "Event ids are per-stream counters that repeat across streams, or Last-Event-ID replays "
          "messages from other streams. Make event ids unique per session (e.g. stream id plus sequence) "
          "and replay only the stream the id belongs to."),
      make_def("http.accept.negotiation", Level::info, Kind::active, k_ver_25_03_on, k_tr_http,
               "How the server handles an Accept header without text/event-stream", k_sending,
               "Informational: clients must accept both types, so 406 is fine. Answering text/event-stream "
               "when only application/json was accepted goes against HTTP content negotiation; reply with "
               "JSON or 406 Not Acceptable."),
      make_def("http.cors.preflight", Level::should, Kind::active, k_ver_25_03_to_25_11, k_tr_http,
               "CORS preflight allows the MCP request headers",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http",
               "OPTIONS is unrouted or Access-Control-Allow-Headers omits content-type, mcp-session-id or "
               "mcp-protocol-version, so browser-based clients cannot connect. Answer the preflight with 2xx "
               "and allow those headers for your allowed origins."),
      make_def(
          "http.cors.expose-session-id", Level::should, Kind::active, k_ver_25_03_to_25_11, k_tr_http,
          "CORS exposes Mcp-Session-Id to browser clients", k_sessions,
          "Mcp-Session-Id is not listed in Access-Control-Expose-Headers, so browser clients cannot read "
          "it and every later request lacks it (\"session not persisting\"). Add "
          "Access-Control-Expose-Headers: Mcp-Session-Id."),
      make_def(
          "http.sse.unbuffered", Level::should, Kind::active, k_ver_25_03_to_25_11, k_tr_http,
          "SSE events arrive as they are sent, not all at the end", k_sending,
          "A reverse proxy or compression middleware buffers the stream, so progress arrives only with "
          "the final response. Disable buffering (nginx: proxy_buffering off, or send X-Accel-Buffering: "
          "no), disable gzip for text/event-stream, and flush after each event."),
      make_def(
          "http.health.endpoint", Level::info, Kind::active, k_ver_all, k_tr_http,
          "Whether a /health or /healthz endpoint exists",
          "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http",
          "Informational. Deployments (load balancers, Kubernetes probes) use a cheap GET health endpoint "
          "to check liveness; consider adding one outside the MCP endpoint."),
  };
}

std::vector<CheckDef> sse_defs() {
  return {
      make_def(
          "sse.endpoint.first-event", Level::must, Kind::active, k_ver_24_11, k_tr_sse,
          "The SSE stream's first event is endpoint with a URI", k_legacy_sse,
          "The stream starts with another event, sends the endpoint data as JSON instead of a plain URI, "
          "or a proxy buffers it so it never arrives. Send \"event: endpoint\" with the POST URI "
          "(absolute or relative) immediately after the headers, and flush."),
      make_def("sse.post.roundtrip", Level::must, Kind::active, k_ver_24_11, k_tr_sse,
               "POSTs to the endpoint are accepted and answered on the SSE stream", k_legacy_sse,
               "The POST is rejected (wrong session query parameter, load balancer sending it to another "
               "instance), or the response comes back in the POST body. Accept the POST with 202 and send "
               "the response as an \"event: message\" on the GET stream; use sticky sessions behind a "
               "balancer."),
      make_def("sse.origin.validate", Level::must, Kind::active, k_ver_24_11, k_tr_sse,
               "Connections with an invalid Origin are rejected",
               "https://modelcontextprotocol.io/specification/2024-11-05/basic/transports#security-warning",
               "The server accepts any Origin on the SSE GET and the POST, leaving it open to DNS rebinding. "
               "Check Origin against an allow-list and answer 403 when it is present and invalid."),
      make_def("sse.compat.detectable", Level::should, Kind::active, k_ver_24_11, k_tr_sse,
               "POSTing initialize to the SSE URL fails with 400, 404 or 405",
               "https://modelcontextprotocol.io/specification/2025-11-25/basic/transports"
               "#backwards-compatibility",
               "A POST to the SSE URL hangs, returns 5xx, or returns 2xx with garbage, so dual-mode clients "
               "cannot fall back to the legacy transport. Answer POST on the SSE path with 405 Method Not "
               "Allowed (or 400/404)."),
  };
}

}  // namespace

std::vector<CheckDef> transport_check_defs() {
  std::vector<CheckDef> defs = stdio_defs();
  for (auto* part : {http_defs, sse_defs}) {
    auto rows = part();
    defs.insert(defs.end(), rows.begin(), rows.end());
  }
  return defs;
}

}  // namespace mcp_probe::checks
