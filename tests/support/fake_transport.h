#pragma once

// A Transport that replays scripted server behaviour in memory: for each message the client
// sends, a responder returns the lines the "server" writes back. Deterministic and instant.

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "mcp_probe/transport/transport.h"

namespace mcp_probe::testing {

class FakeTransport : public transport::Transport {
 public:
  using Responder = std::function<std::vector<std::string>(const std::string& sent)>;

  explicit FakeTransport(Responder responder) : m_responder(std::move(responder)) {}

  transport::TransportKind kind() const override { return transport::TransportKind::stdio; }
  util::Expected<void> send(std::string_view message, util::Deadline) override {
    m_sent.emplace_back(message);
    for (auto& line : m_responder(std::string(message))) push(std::move(line));
    return {};
  }
  util::Expected<transport::Incoming> receive(util::Deadline) override {
    if (m_queue.empty()) return util::make_error(util::ErrorKind::timeout, "nothing queued");
    auto in = std::move(m_queue.front());
    m_queue.pop_front();
    return in;
  }
  void close() override {}

  // Queues a line as if the server had written it unprompted.
  void push(std::string raw) {
    transport::Incoming in;
    in.raw = std::move(raw);
    in.origin = transport::Origin::stdout_line;
    in.trace_id = ++m_next_trace;
    m_queue.push_back(std::move(in));
  }
  const std::vector<std::string>& sent() const { return m_sent; }

 private:
  Responder m_responder;
  std::deque<transport::Incoming> m_queue;
  std::vector<std::string> m_sent;
  std::uint64_t m_next_trace = 0;
};

}  // namespace mcp_probe::testing
