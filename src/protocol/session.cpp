#include "mcp_probe/protocol/session.h"

#include <algorithm>
#include <cstdio>

#include "mcp_probe/protocol/mrtr.h"
#include "mcp_probe/transport/http.h"

namespace mcp_probe::protocol {

bool same_id(const Json& a, const Json& b) {
  if (a.is_string() && b.is_string()) return a.get<std::string>() == b.get<std::string>();
  if (a.is_number_integer() && b.is_number_integer()) {
    // nlohmann keeps signed and unsigned apart; compare values, both are JSON integers.
    if (a.is_number_unsigned() || b.is_number_unsigned()) {
      if (a.is_number_unsigned() && b.is_number_unsigned())
        return a.get<std::uint64_t>() == b.get<std::uint64_t>();
      const Json& s = a.is_number_unsigned() ? b : a;
      const Json& u = a.is_number_unsigned() ? a : b;
      return s.get<std::int64_t>() >= 0 &&
             static_cast<std::uint64_t>(s.get<std::int64_t>()) == u.get<std::uint64_t>();
    }
    return a.get<std::int64_t>() == b.get<std::int64_t>();
  }
  if (a.is_null() && b.is_null()) return true;
  return false;
}

namespace {

std::string loose_id(const Json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

constexpr std::size_t k_max_receive_errors = 8;

std::string seconds(util::Millis t) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", static_cast<double>(t.count()) / 1000.0);
  return text;
}

}  // namespace

Session::Session(transport::Transport& transport, util::Millis request_timeout)
    : m_transport(transport), m_timeout(request_timeout) {}

Received Session::parse(transport::Incoming incoming) {
  Received r;
  r.wire = std::move(incoming);
  auto parsed = json::parse(r.wire.raw);
  if (parsed) {
    r.json = std::move(*parsed);
  } else {
    r.parse_error = parsed.error().message;
  }
  return r;
}

util::Expected<void> Session::send_observed(std::string_view raw, util::Deadline deadline) {
  // A server request among them is not answered: answering would mean a send inside this send.
  m_transport.set_overflow([this](transport::Incoming in) {
    ++m_unqueued;
    if (!m_observer) return;
    Received r = parse(std::move(in));
    m_observer(r);
  });
  auto sent = m_transport.send(raw, deadline);
  m_transport.set_overflow(nullptr);
  return sent;
}

Received Session::receive_one(transport::Incoming incoming) {
  Received r = parse(std::move(incoming));
  if (m_observer) m_observer(r);
  if (r.json && json::classify(*r.json) == json::MessageKind::request) answer_server_request(*r.json);
  return r;
}

void Session::answer_server_request(const Json& message) {
  // The default profile declares no client capabilities: only ping is ours to answer.
  Json reply = {{"jsonrpc", "2.0"}, {"id", message.at("id")}};
  if (message.value("method", "") == "ping") {
    reply["result"] = Json::object();
  } else {
    reply["error"] = {{"code", -32601},
                      {"message", "Method not found (mcp-probe declares no client capabilities)"}};
  }
  std::string raw = json::dump(reply);
  if (m_send_observer) m_send_observer(reply, raw);
  (void)send_observed(raw, util::Deadline::after(m_timeout));
}

util::Expected<void> Session::send_raw(const std::string& raw) {
  if (m_send_observer) {
    auto parsed = json::parse(raw);
    m_send_observer(parsed ? *parsed : Json(), raw);
  }
  return send_observed(raw, util::Deadline::after(m_timeout));
}

util::Expected<void> Session::notify(const std::string& method, const Json& params) {
  Json message = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) message["params"] = params;
  return send_raw(json::dump(message));
}

util::Expected<Received> Session::next(util::Deadline deadline) {
  auto incoming = m_transport.receive(deadline);
  if (!incoming) return incoming.error();
  return receive_one(std::move(*incoming));
}

util::Expected<Exchange> Session::send_and_wait_ordered(const std::string& raw,
                                                        const std::function<bool(const Received&)>& until,
                                                        util::Millis timeout, util::Millis grace) {
  const Json barrier = build_request(m_modern ? "server/discover" : "ping", Json::object(), Json(next_id()));
  return wait_for(raw, until, timeout, &barrier, grace);
}

util::Expected<Exchange> Session::wait_for(const std::string& raw,
                                           const std::function<bool(const Received&)>& until,
                                           std::optional<util::Millis> timeout, const Json* barrier,
                                           util::Millis grace) {
  Exchange ex;
  auto parsed = json::parse(raw);
  ex.request = parsed ? *parsed : Json(raw);
  auto start = util::Clock::now();
  auto deadline = util::Deadline::after(timeout.value_or(m_timeout));
  if (m_send_observer) m_send_observer(ex.request, raw);
  const std::size_t unqueued_before = m_unqueued;
  auto sent = send_observed(raw, deadline);
  ex.others_dropped = m_unqueued - unqueued_before;
  if (!sent) {
    // A timeout, or an HTTP error status (protocol), still lets us look at what arrived (an
    // error body is queued like any message); other errors end the exchange.
    auto kind = sent.error().kind;
    if (kind != util::ErrorKind::timeout && kind != util::ErrorKind::protocol) return sent.error();
    ex.send_error = sent.error().message;
  }
  // The barrier's reply: the same id, a response or an error.
  auto is_barrier_reply = [barrier](const Received& r) {
    if (barrier == nullptr || !r.json || !r.json->is_object() || !r.json->contains("id")) return false;
    if (!r.json->contains("result") && !r.json->contains("error")) return false;
    return same_id(r.json->at("id"), barrier->at("id"));
  };
  const auto barrier_sent = util::Clock::now();
  if (barrier != nullptr) {
    const std::string barrier_raw = json::dump(*barrier);
    if (m_send_observer) m_send_observer(*barrier, barrier_raw);
    if (!send_observed(barrier_raw, deadline)) barrier = nullptr;  // the usual wait then
  }
  std::size_t kept_bytes = 0;
  auto keep = [&](Received r) {
    if (ex.others.size() < k_max_others && kept_bytes + r.wire.raw.size() <= k_max_others_bytes) {
      kept_bytes += r.wire.raw.size();
      ex.others.push_back(std::move(r));
    } else {
      ++ex.others_dropped;
    }
  };
  while (!deadline.expired()) {
    auto incoming = m_transport.receive(deadline);
    if (!incoming) {
      const util::Error& e = incoming.error();
      if (e.kind == util::ErrorKind::protocol) {
        // The transport discarded one message (a stdout line over its limit) and delivers the
        // next one normally: report this one and keep waiting for the reply.
        if (ex.receive_errors.size() < k_max_receive_errors) ex.receive_errors.push_back(e.message);
        Received r;
        r.wire.origin = m_transport.kind() == transport::TransportKind::stdio ? transport::Origin::stdout_line
                                                                              : transport::Origin::post_json;
        r.wire.at_ms = util::monotonic_ms();
        r.transport_error = e.message;
        if (m_observer) m_observer(r);
        keep(std::move(r));
        continue;
      }
      if (e.kind != util::ErrorKind::timeout && ex.others.empty() && ex.others_dropped == 0) return e;
      ex.ended_by = e.message;
      ex.ended_kind = e.kind;
      break;
    }
    Received r = receive_one(std::move(*incoming));
    if (is_barrier_reply(r)) {
      ex.barrier_answered = true;
      if (ex.reply) break;
      // Everything before the barrier has been answered: wait a little for a late reply, four
      // times the barrier's round trip (a server's own pace), from 50 ms up to `grace`.
      const auto round_trip = std::chrono::duration_cast<util::Millis>(util::Clock::now() - barrier_sent);
      const util::Millis wait = std::clamp(4 * round_trip, std::min(util::Millis(50), grace), grace);
      deadline = deadline.min(util::Deadline::after(wait));
      continue;
    }
    if (!ex.reply && until && until(r)) {
      ex.reply = std::move(r);
      if (barrier == nullptr || ex.barrier_answered) break;
      continue;  // consume the barrier's reply too
    }
    keep(std::move(r));
  }
  ex.elapsed_ms = std::chrono::duration<double, std::milli>(util::Clock::now() - start).count();
  // A transport's own timeout message (or none) becomes "no response within"; a closed stream
  // keeps its words even when it closed at the deadline.
  if (!ex.reply &&
      (ex.ended_by.empty() || (deadline.expired() && ex.ended_kind == util::ErrorKind::timeout))) {
    ex.ended_by = "no response within " + seconds(timeout.value_or(m_timeout));
    ex.ended_kind = util::ErrorKind::timeout;
  }
  if (!ex.reply && ex.barrier_answered) {
    ex.ended_by = "no response, though the request sent after it was answered";
    ex.ended_kind = util::ErrorKind::timeout;
  }
  return ex;
}

Json Session::build_request(const std::string& method, const Json& params, const Json& id) const {
  Json message = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (m_modern)
    message["params"] = with_modern_meta(params, *m_modern);
  else if (!params.is_null())
    message["params"] = params;
  return message;
}

util::Expected<Exchange> Session::request(const std::string& method, const Json& params,
                                          std::optional<Json> id) {
  auto ex = request_once(method, params, std::move(id));
  if (!m_modern || !m_modern->answer_input_requests || !may_require_input(method)) return ex;
  // mrtr.mdx: the client builds the inputs and retries with a new id, echoing requestState.
  std::vector<Json> answered;
  Json sent = params;
  for (int round = 0; round < k_max_input_rounds; ++round) {
    if (!ex || !ex->reply || !ex->reply->json || !is_input_required(*ex->reply->json)) break;
    const Json& result = (*ex->reply->json)["result"];
    auto retry = retry_params(sent, result, m_modern->client_capabilities);
    if (!retry) break;  // it asks for something this client did not declare: left as it came
    answered.push_back(result);
    sent = std::move(*retry);
    ex = request_once(method, sent, std::nullopt);
  }
  if (ex) ex->input_required = std::move(answered);
  return ex;
}

util::Expected<Exchange> Session::request_once(const std::string& method, const Json& params,
                                               std::optional<Json> id) {
  Json request_id = id ? *id : Json(next_id());
  Json message = build_request(method, params, request_id);
  auto matches = [&](const Received& r) {
    if (!r.json || !r.json->is_object()) return false;
    auto kind = json::classify(*r.json);
    if (kind != json::MessageKind::response && kind != json::MessageKind::error_response) return false;
    if (!r.json->contains("id")) return false;
    // A reply whose id has the right value but the wrong JSON type still answers this request
    // (jsonrpc.response.id-match reports the type change); waiting for a perfect match would
    // turn one server bug into a timeout on every request.
    const Json& got = r.json->at("id");
    return same_id(got, request_id) || loose_id(got) == loose_id(request_id);
  };
  return send_and_wait(json::dump(message), matches);
}

void Session::set_modern(std::optional<ModernProfile> profile) {
  m_modern = std::move(profile);
  // Transport::kind() names the class for http; the hook mirrors each message into the headers.
  if (m_transport.kind() == transport::TransportKind::http) {
    auto& http = static_cast<transport::HttpTransport&>(m_transport);
    if (m_modern) {
      http.set_header_hook(
          [version = m_modern->version](std::string_view raw) { return modern_headers_raw(raw, version); });
    } else {
      http.set_header_hook(nullptr);
    }
  }
  if (m_modern) m_protocol_version = m_modern->version;
}

util::Expected<Exchange> Session::discover() {
  auto ex = request("server/discover");
  if (!ex || !ex->reply || !ex->reply->json) return ex;
  const Json& reply = *ex->reply->json;
  if (reply.is_object() && reply.contains("result") && reply["result"].is_object()) {
    const Json& result = reply["result"];
    m_capabilities = result.value("capabilities", Json::object());
    const Json meta = result.value("_meta", Json::object());
    if (meta.is_object() && meta.contains(k_meta_server_info)) m_server_info = meta[k_meta_server_info];
  }
  return ex;
}

util::Expected<InitializeOutcome> Session::initialize(const std::string& version, const Json& capabilities,
                                                      bool send_initialized) {
  Json params = {{"protocolVersion", version},
                 {"capabilities", capabilities},
                 {"clientInfo", {{"name", "mcp-probe"}, {"version", MCP_PROBE_VERSION}}}};
  auto ex = request("initialize", params);
  if (!ex) return ex.error();
  InitializeOutcome out;
  out.exchange = *ex;
  out.result = Json::object();
  if (!ex->reply) {
    // An HTTP error status explains the silence better than the timeout does.
    if (!ex->send_error.empty()) return util::make_error(util::ErrorKind::protocol, ex->send_error);
    // Name what happened: a timeout only when the whole wait passed; a server that exited or a
    // response that ended without a reply after 0.1 s is not "no response within 3 s".
    char after[64];
    std::snprintf(after, sizeof after, " (after %.2f s)", ex->elapsed_ms / 1000.0);
    std::string msg = "no response to initialize: " + ex->ended_by;
    if (ex->ended_by.rfind("no response within", 0) != 0) msg += after;
    for (const auto& e : ex->receive_errors) msg += "; " + e;
    return util::make_error(ex->ended_kind, msg);
  }
  const Json& reply = *ex->reply->json;
  if (reply.contains("error")) {
    std::string msg = "initialize failed with a JSON-RPC error: " + json::dump(reply["error"]);
    return util::make_error(util::ErrorKind::protocol, msg);
  }
  if (!reply["result"].is_object()) {
    return util::make_error(util::ErrorKind::protocol, "initialize result is not an object");
  }
  out.result = reply["result"];
  out.protocol_version = out.result.value("protocolVersion", std::string());
  m_init_result = out.result;
  m_protocol_version = out.protocol_version;
  m_capabilities = out.result.value("capabilities", Json::object());
  m_server_info = out.result.value("serverInfo", Json());
  if (send_initialized) {
    auto sent = notify("notifications/initialized");
    if (!sent) return sent.error();
  }
  return out;
}

}  // namespace mcp_probe::protocol
