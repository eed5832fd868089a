#pragma once

// Runs mcp-refserver's HTTP front-end in-process on a free loopback port for the duration of a
// test, and builds probe options for the reference server over each transport.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mcp_probe/checks/engine.h"
#include "mcp_probe/refserver/frontends.h"

namespace mcp_probe::testing {

class InProcessServer {
 public:
  // transport: "http" or "sse".
  InProcessServer(const std::string& transport, std::vector<std::string> faults, int page_size = 0,
                  std::string response_mode = "sse")
      : InProcessServer(make_config(transport, std::move(faults), page_size, std::move(response_mode))) {}

  explicit InProcessServer(refserver::Config config) : m_config(std::move(config)) {
    refserver::HttpOptions options;
    options.on_listening = [this](int port) {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_port = port;
      m_cv.notify_all();
    };
    m_thread = std::thread([this, options] { m_exit = refserver::run_http(m_config, options, m_stop); });
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cv.wait_for(lock, std::chrono::seconds(10), [this] { return m_port != 0; });
  }
  ~InProcessServer() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
  }
  int port() const { return m_port; }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(m_port) + (m_config.transport == "sse" ? "/sse" : "/mcp");
  }

 private:
  static refserver::Config make_config(const std::string& transport, std::vector<std::string> faults,
                                       int page_size, std::string response_mode) {
    refserver::Config config;
    config.transport = transport;
    for (auto& f : faults) config.faults.insert(f);
    config.page_size = page_size;
    config.response_mode = std::move(response_mode);
    return config;
  }

  refserver::Config m_config;
  std::atomic<bool> m_stop{false};
  std::mutex m_mutex;
  std::condition_variable m_cv;
  int m_port = 0;
  int m_exit = 0;
  std::thread m_thread;
};

inline checks::RunOptions stdio_options(const std::vector<std::string>& server_args) {
  checks::RunOptions o;
  o.target.command = {MCP_REFSERVER_BIN};
  o.target.command.insert(o.target.command.end(), server_args.begin(), server_args.end());
  o.target.request_timeout = util::Millis(4000);
  return o;
}

inline checks::RunOptions url_options(const std::string& url, const std::string& transport) {
  checks::RunOptions o;
  o.target.url = url;
  o.target.transport = transport;
  o.target.request_timeout = util::Millis(4000);
  return o;
}

}  // namespace mcp_probe::testing
