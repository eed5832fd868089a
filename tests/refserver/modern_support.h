#pragma once

// Test helpers for the 2026-07-28 era of refserver::Session: a capturing Outbox and a harness
// that sends modern requests (with the per-request _meta) and returns their responses.

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "mcp_probe/json/wire.h"
#include "mcp_probe/refserver/server.h"
#include "mcp_probe/schema/validator.h"

namespace mcp_probe::testing {

using json::Json;

// Captures every message; waiters block until a predicate holds (no sleeps).
class ModernCapture : public refserver::Outbox {
 public:
  void send(const std::string& message) override {
    std::lock_guard lock(m_mutex);
    m_messages.push_back(Json::parse(message));
    m_cv.notify_all();
  }
  std::vector<Json> messages() const {
    std::lock_guard lock(m_mutex);
    return m_messages;
  }
  bool wait_for(const std::function<bool(const Json&)>& match,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(m_mutex);
    return m_cv.wait_for(lock, timeout, [&] {
      for (const Json& m : m_messages) {
        if (match(m)) return true;
      }
      return false;
    });
  }

 private:
  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  std::vector<Json> m_messages;
};

// The _meta of a modern request declaring `capabilities`.
inline Json modern_meta(Json capabilities = Json::object(), const std::string& version = "2026-07-28") {
  return Json{{"io.modelcontextprotocol/protocolVersion", version},
              {"io.modelcontextprotocol/clientInfo", {{"name", "mcp-probe-tests"}, {"version", "1"}}},
              {"io.modelcontextprotocol/clientCapabilities", std::move(capabilities)}};
}

struct ModernHarness {
  explicit ModernHarness(refserver::Config c = {}) : config(std::move(c)), session(config, standalone) {}
  refserver::Config config;
  ModernCapture standalone;
  refserver::Session session;
  int next_id = 1;
  std::vector<Json> last;  // every message of the last exchange, in order

  // Sends `params` as they are (no _meta added) and returns the response.
  Json raw(const std::string& method, Json params) {
    const int id = next_id++;
    ModernCapture out;
    session.handle(
        json::dump(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}),
        out);
    last = out.messages();
    for (const Json& m : last) {
      if (m.contains("id") && m["id"] == id && !m.contains("method")) return m;
    }
    return Json();
  }
  // A modern request: `params` plus the required _meta (merged into any _meta given).
  Json request(const std::string& method, Json params = Json::object(), Json capabilities = Json::object()) {
    Json meta = modern_meta(std::move(capabilities));
    if (params.contains("_meta")) meta.update(params["_meta"]);
    params["_meta"] = std::move(meta);
    return raw(method, std::move(params));
  }
  Json call(const std::string& tool, Json extra = Json::object(), Json capabilities = Json::object()) {
    Json params{{"name", tool}, {"arguments", Json::object()}};
    if (extra.is_object()) params.update(extra);
    return request("tools/call", std::move(params), std::move(capabilities));
  }
};

inline int error_code(const Json& reply) {
  return reply.contains("error") ? reply["error"].value("code", 0) : 0;
}

inline void check_valid_2026(const std::string& definition, const Json& value) {
  auto validator = schema::Validator::for_version("2026-07-28");
  REQUIRE(validator);
  const auto violations = (*validator)->validate(definition, value);
  std::string text;
  for (const auto& v : violations) text += v.pointer + ": " + v.reason + "\n";
  CHECK_MESSAGE(violations.empty(), definition << " " << value.dump() << "\n" << text);
}

}  // namespace mcp_probe::testing
