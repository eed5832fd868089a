// Legacy HTTP+SSE probes, and the end of the run: stdio shutdown.

#include "mcp_probe/transport/http.h"
#include "mcp_probe/transport/legacy_sse.h"
#include "mcp_probe/transport/stdio.h"
#include "sequences.h"

namespace mcp_probe::checks {

namespace {

using transport::HeaderChoice;
using transport::PostOptions;

std::string status_of(const util::Expected<transport::HttpResponse>& r) {
  return r ? "HTTP " + std::to_string(r->status) : r.error().message;
}

void probe_legacy(Context& ctx) {
  auto* sse = ctx.legacy_sse();
  if (sse == nullptr) return;
  std::string first = sse->first_event_type();
  if (first == "endpoint") {
    ctx.pass(CheckId::sse_endpoint_first_event);
  } else {
    ctx.fail(CheckId::sse_endpoint_first_event, "the first SSE event is not `endpoint`",
             {"event: endpoint first", "event: " + (first.empty() ? std::string("message") : first)});
  }
  // The handshake's POSTs (initialize, initialized) were accepted and initialize was answered
  // on the stream, or we would not be here; a later negative probe may rightly get a 4xx.
  const auto statuses = sse->post_statuses();
  bool posts_ok = statuses.size() >= 2 && statuses[0] >= 200 && statuses[0] < 300 && statuses[1] >= 200 &&
                  statuses[1] < 300;
  if (posts_ok) {
    ctx.pass(CheckId::sse_post_roundtrip);
  } else {
    ctx.fail(
        CheckId::sse_post_roundtrip, "a POST of the handshake was not accepted with 2xx",
        {"2xx (usually 202)", statuses.empty() ? "no POST status" : "HTTP " + std::to_string(statuses[0])});
  }

  // Origin: a foreign page must not be able to open the stream or post.
  transport::HttpTransportOptions o;
  o.url = ctx.target().url;
  o.tracer = &ctx.tracer();
  transport::HttpTransport raw(o);
  PostOptions get;
  get.method = "GET";
  get.accept = HeaderChoice::with("text/event-stream");
  get.extra_headers = {{"Origin", ctx.options().foreign_origin}};
  get.stop_at_response = true;
  auto g = raw.exchange(get, "", util::Deadline::after(util::Millis(1500)));
  bool get_refused = g && g->status >= 400 && g->status < 500;
  transport::HttpTransportOptions po;
  po.url = sse->endpoint_url();
  po.tracer = &ctx.tracer();
  transport::HttpTransport poster(po);
  PostOptions post;
  post.extra_headers = {{"Origin", ctx.options().foreign_origin}};
  auto p = poster.exchange(post, R"({"jsonrpc":"2.0","id":"mcp-probe-origin","method":"ping"})",
                           ctx.request_deadline());
  bool post_refused = p && p->status >= 400 && p->status < 500;
  if (ctx.options().allow_origin == "*") {
    ctx.skip(CheckId::sse_origin_validate,
             "not checked: --allow-origin '*' says the server deliberately accepts any Origin");
  } else if (get_refused && post_refused) {
    ctx.pass(CheckId::sse_origin_validate);
  } else {
    ctx.fail(CheckId::sse_origin_validate,
             std::string("a foreign Origin was accepted on the ") + (get_refused ? "POST" : "GET stream"),
             {"a 4xx for Origin " + ctx.options().foreign_origin,
              "GET: " + status_of(g) + ", POST: " + status_of(p)});
  }
  // A dual-mode client POSTs initialize to the SSE URL first and needs 400/404/405 back.
  PostOptions init;
  auto r = raw.exchange(
      init,
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"mcp-probe","version":")" MCP_PROBE_VERSION
      R"("}}})",
      ctx.request_deadline());
  if (r && (r->status == 400 || r->status == 404 || r->status == 405)) {
    ctx.pass(CheckId::sse_compat_detectable);
  } else {
    ctx.violation(CheckId::sse_compat_detectable,
                  "POST initialize to the SSE URL did not get 400, 404 or 405",
                  {"400, 404 or 405", status_of(r)});
  }
}

void shutdown(Context& ctx) {
  auto* stdio = ctx.stdio();
  if (stdio == nullptr) {
    if (ctx.connected()) ctx.main_connection().transport->close();
    return;
  }
  auto report = stdio->shutdown();
  ctx.facts().stderr_tail = stdio->stderr_tail();
  char buf[160];
  switch (report.ended_by) {
    case transport::ShutdownStep::already_exited:
    case transport::ShutdownStep::stdin_eof:
      std::snprintf(buf, sizeof buf, "exited %.0f ms after stdin closed", report.stdin_eof_ms);
      ctx.pass(CheckId::stdio_shutdown_stdin_eof, buf);
      ctx.skip(CheckId::stdio_shutdown_sigterm, "not needed: the server exited when stdin closed");
      break;
    case transport::ShutdownStep::sigterm:
      std::snprintf(buf, sizeof buf, "still running %.0f ms after stdin closed", report.stdin_eof_ms);
      ctx.violation(CheckId::stdio_shutdown_stdin_eof, "the server did not exit when its stdin closed",
                    {"exit on stdin EOF", buf});
      std::snprintf(buf, sizeof buf, "exited %.0f ms after SIGTERM", report.sigterm_ms);
      ctx.pass(CheckId::stdio_shutdown_sigterm, buf);
      break;
    case transport::ShutdownStep::sigkill:
      std::snprintf(buf, sizeof buf, "still running %.0f ms after stdin closed", report.stdin_eof_ms);
      ctx.violation(CheckId::stdio_shutdown_stdin_eof, "the server did not exit when its stdin closed",
                    {"exit on stdin EOF", buf});
      std::snprintf(buf, sizeof buf, "still running %.0f ms after SIGTERM; SIGKILL ended it",
                    report.sigterm_ms);
      ctx.violation(CheckId::stdio_shutdown_sigterm, "the server ignored SIGTERM and needed SIGKILL",
                    {"exit on SIGTERM", buf});
      break;
  }
  std::size_t lines = 0;
  for (char c : ctx.facts().stderr_tail) lines += c == '\n';
  ctx.info(CheckId::stdio_stderr_diagnostics,
           ctx.facts().stderr_tail.empty() ? "the server wrote nothing on stderr"
                                           : "kept the last " + std::to_string(lines) + " stderr line(s)");
}

}  // namespace

std::vector<Step> sse_steps() {
  return {{"legacy HTTP+SSE",
           probe_legacy,
           {CheckId::sse_endpoint_first_event, CheckId::sse_post_roundtrip, CheckId::sse_origin_validate,
            CheckId::sse_compat_detectable}}};
}

std::vector<Step> shutdown_steps() {
  return {{"shutdown",
           shutdown,
           {CheckId::stdio_shutdown_stdin_eof, CheckId::stdio_shutdown_sigterm,
            CheckId::stdio_stderr_diagnostics}}};
}

}  // namespace mcp_probe::checks
