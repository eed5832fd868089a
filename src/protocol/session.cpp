#include "mcp_probe/protocol/session.h"

namespace mcp_probe::protocol {

bool same_id(const Json& a, const Json& b) {
  if (a.is_string() && b.is_string()) return a.get<std::string>() == b.get<std::string>();
  if (a.is_number_integer() && b.is_number_integer()) {
    // nlohmann keeps signed and unsigned apart; compare values, both are JSON integers.
    if (a.is_number_unsigned() || b.is_number_unsigned()) {
      if (a.is_number_unsigned() && b.is_number_unsigned()) return a.get<std::uint64_t>() == b.get<std::uint64_t>();
      const Json& s = a.is_number_unsigned() ? b : a;
      const Json& u = a.is_number_unsigned() ? a : b;
      return s.get<std::int64_t>() >= 0 && static_cast<std::uint64_t>(s.get<std::int64_t>()) == u.get<std::uint64_t>();
    }
    return a.get<std::int64_t>() == b.get<std::int64_t>();
  }
  if (a.is_null() && b.is_null()) return true;
  return false;
}

namespace {

std::string loose_id(const Json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

}  // namespace

Session::Session(transport::Transport& transport, util::Millis request_timeout)
    : m_transport(transport), m_timeout(request_timeout) {}

Received Session::receive_one(transport::Incoming incoming) {
  Received r;
  r.wire = std::move(incoming);
  auto parsed = json::parse(r.wire.raw);
  if (parsed) {
    r.json = std::move(*parsed);
  } else {
    r.parse_error = parsed.error().message;
  }
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
    reply["error"] = {{"code", -32601}, {"message", "Method not found (mcp-probe declares no client capabilities)"}};
  }
  std::string raw = json::dump(reply);
  if (m_send_observer) m_send_observer(reply, raw);
  (void)m_transport.send(raw, util::Deadline::after(m_timeout));
}

util::Expected<void> Session::send_raw(const std::string& raw) {
  if (m_send_observer) {
    auto parsed = json::parse(raw);
    m_send_observer(parsed ? *parsed : Json(), raw);
  }
  return m_transport.send(raw, util::Deadline::after(m_timeout));
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

util::Expected<Exchange> Session::send_and_wait(const std::string& raw,
                                                const std::function<bool(const Received&)>& until,
                                                std::optional<util::Millis> timeout) {
  Exchange ex;
  auto parsed = json::parse(raw);
  ex.request = parsed ? *parsed : Json(raw);
  auto start = util::Clock::now();
  auto deadline = util::Deadline::after(timeout.value_or(m_timeout));
  if (m_send_observer) m_send_observer(ex.request, raw);
  auto sent = m_transport.send(raw, deadline);
  if (!sent) {
    // A timeout, or an HTTP error status (protocol), still lets us look at what arrived (an
    // error body is queued like any message); other errors end the exchange.
    auto kind = sent.error().kind;
    if (kind != util::ErrorKind::timeout && kind != util::ErrorKind::protocol) return sent.error();
    ex.send_error = sent.error().message;
  }
  while (!deadline.expired()) {
    auto incoming = m_transport.receive(deadline);
    if (!incoming) {
      if (incoming.error().kind == util::ErrorKind::timeout) break;
      ex.elapsed_ms = std::chrono::duration<double, std::milli>(util::Clock::now() - start).count();
      if (ex.others.empty()) return incoming.error();
      break;
    }
    Received r = receive_one(std::move(*incoming));
    if (until && until(r)) {
      ex.reply = std::move(r);
      break;
    }
    ex.others.push_back(std::move(r));
  }
  ex.elapsed_ms = std::chrono::duration<double, std::milli>(util::Clock::now() - start).count();
  return ex;
}

util::Expected<Exchange> Session::request(const std::string& method, const Json& params, std::optional<Json> id) {
  Json request_id = id ? *id : Json(next_id());
  Json message = {{"jsonrpc", "2.0"}, {"id", request_id}, {"method", method}};
  if (!params.is_null()) message["params"] = params;
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
    return util::make_error(util::ErrorKind::timeout, "no response to initialize within " +
                                                          std::to_string(m_timeout.count() / 1000.0).substr(0, 4) + " s");
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
