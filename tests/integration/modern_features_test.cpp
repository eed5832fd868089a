// The 2026-07-28 feature rows (seq_modern_features.cpp) and the handshake steps ported to the
// modern pass, through the probe against mcp-refserver: each passes on the clean server over stdio
// and Streamable HTTP, dual-era and modern-only, and fails (or warns) with its fault. The stdio
// runs of every fault are in faults_test.cpp; here the HTTP side and the modern-era results of the
// ported steps. Also the probe as a client answering multi round-trip requests.

#include <doctest/doctest.h>

#include <sstream>

#include "mcp_probe/protocol/mrtr.h"
#include "mcp_probe/protocol/session.h"
#include "mcp_probe/transport/http.h"
#include "support/refserver_fixture.h"

TEST_SUITE_BEGIN("integration");

using namespace mcp_probe;
using json::Json;

namespace {

const std::string k_modern = "2026-07-28";

const std::vector<std::string> k_tools = {"echo", "test_tool_with_logging",
                                          "test_input_required_result_elicitation", "test_missing_capability",
                                          "test_trigger_tool_change"};

const std::vector<std::string> k_rows = {"modern.list.connection-independent", "modern.subscriptions.listen",
                                         "modern.logging.opt-in", "modern.mrtr.capability-gated",
                                         "modern.missing-capability-error"};

struct Setup {
  std::string transport = "stdio";
  std::string era = "dual";
  std::vector<std::string> faults;
  std::string protocol_version;
  std::vector<std::string> client_capabilities = {"elicitation", "sampling", "roots"};
  std::string cancel_tool;
};

checks::RunReport run(const Setup& s) {
  checks::RunOptions o;
  std::unique_ptr<testing::InProcessServer> server;
  if (s.transport == "stdio") {
    std::vector<std::string> args = {"--era", s.era};
    for (const auto& f : s.faults) {
      args.push_back("--fault");
      args.push_back(f);
    }
    o = testing::stdio_options(args);
  } else {
    refserver::Config config;
    config.transport = "http";
    config.era = s.era == "modern" ? refserver::ServeEra::modern : refserver::ServeEra::dual;
    for (const auto& f : s.faults) config.faults.insert(f);
    server = std::make_unique<testing::InProcessServer>(config);
    o = testing::url_options(server->url(), "http");
  }
  o.allow_tools = k_tools;
  o.protocol_version = s.protocol_version;
  o.client_capabilities = s.client_capabilities;
  if (!s.cancel_tool.empty()) {
    o.cancel_tool = s.cancel_tool;
    o.tool_args[s.cancel_tool] = R"({"steps":10,"delay_ms":100})";
  }
  transport::Tracer tracer;
  return checks::run(o, tracer);
}

std::string describe(const checks::RunReport& report) {
  std::ostringstream out;
  for (const auto& c : report.checks) {
    if (c.status == checks::Status::pass || c.status == checks::Status::skip) continue;
    out << "  " << checks::to_string(c.status) << " " << c.info.id << " (" << c.protocol_version
        << "): " << c.message << " [observed: " << c.observed << "]\n";
  }
  return out.str();
}

const checks::CheckResult* in_modern(const checks::RunReport& report, const std::string& id) {
  for (const auto& c : report.checks) {
    if (c.info.id == id && c.protocol_version == k_modern) return &c;
  }
  return nullptr;
}

bool failed_or_warned(const checks::CheckResult* c) {
  return c != nullptr && (c->status == checks::Status::fail || c->status == checks::Status::warn);
}

}  // namespace

TEST_CASE("integration::modern feature rows pass on the reference server") {
  for (const char* transport : {"stdio", "http"}) {
    for (const char* era : {"dual", "modern"}) {
      SUBCASE((std::string(transport) + ", --era " + era).c_str()) {
        Setup s;
        s.transport = transport;
        s.era = era;
        const auto report = run(s);
        INFO(describe(report));
        REQUIRE(report.connected);
        const auto summary = report.summary();
        CHECK(summary.fail == 0);
        CHECK(summary.warn == 0);
        CHECK(summary.error == 0);
        for (const auto& id : k_rows) {
          CAPTURE(id);
          const auto* c = in_modern(report, id);
          REQUIRE(c != nullptr);
          CHECK(c->status == checks::Status::pass);
        }
        // The ported steps decide their rows in the modern pass too.
        for (const char* id :
             {"prompts.get.listed-and-errors", "prompts.capability.declared", "util.logging.capability"}) {
          CAPTURE(id);
          const auto* c = in_modern(report, id);
          REQUIRE(c != nullptr);
          CHECK(c->status == checks::Status::pass);
        }
      }
    }
  }
  SUBCASE("--client-capabilities none: -32021 is the answer, and nothing fails") {
    Setup s;
    s.protocol_version = k_modern;
    s.client_capabilities = {};
    const auto report = run(s);
    INFO(describe(report));
    CHECK(report.summary().fail == 0);
    CHECK(report.summary().warn == 0);
    const auto* c = in_modern(report, "modern.missing-capability-error");
    REQUIRE(c != nullptr);
    CHECK(c->status == checks::Status::pass);
  }
  SUBCASE("stdio: util.cancel.honoured in the modern pass") {
    Setup s;
    s.protocol_version = k_modern;
    s.cancel_tool = "slow";
    const auto report = run(s);
    INFO(describe(report));
    const auto* c = in_modern(report, "util.cancel.honoured");
    REQUIRE(c != nullptr);
    CHECK(c->status == checks::Status::pass);
  }
}

TEST_CASE("integration::modern feature rows fail with their faults over streamable http") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"list-varies", "modern.list.connection-independent"},
      {"list-order-varies", "modern.list.connection-independent"},
      {"listen-no-ack", "modern.subscriptions.listen"},
      {"listen-no-subscription-id", "modern.subscriptions.listen"},
      {"listen-unrequested", "modern.subscriptions.listen"},
      {"log-without-opt-in", "modern.logging.opt-in"},
      {"mrtr-ungated", "modern.mrtr.capability-gated"},
      {"missing-capability-wrong-code", "modern.missing-capability-error"},
  };
  for (const auto& [fault, id] : cases) {
    SUBCASE(fault.c_str()) {
      Setup s;
      s.transport = "http";
      s.era = "modern";
      s.faults = {fault};
      const auto report = run(s);
      INFO(describe(report));
      const auto* c = in_modern(report, id);
      REQUIRE(c != nullptr);
      CHECK(failed_or_warned(c));
      // An order-only difference is a WARN (the row: the set is the MUST).
      if (fault == "list-order-varies") CHECK(c->status == checks::Status::warn);
      if (fault == "list-varies") CHECK(c->status == checks::Status::fail);
    }
  }
}

TEST_CASE("integration::ported handshake steps fail with their faults in the 2026-07-28 pass") {
  struct Case {
    std::string fault;
    std::string id;
    std::string cancel_tool;
  };
  const std::vector<Case> cases = {
      {"prompt-unknown-success", "prompts.get.listed-and-errors", ""},
      {"undeclared-prompts", "prompts.capability.declared", ""},
      {"log-without-capability", "util.logging.capability", ""},
      {"log-bad-level", "util.logging.capability", ""},
      {"ignore-cancel", "util.cancel.honoured", "slow"},
  };
  for (const Case& k : cases) {
    SUBCASE(k.fault.c_str()) {
      Setup s;
      s.protocol_version = k_modern;
      s.faults = {k.fault};
      s.cancel_tool = k.cancel_tool;
      const auto report = run(s);
      INFO(describe(report));
      CHECK(failed_or_warned(in_modern(report, k.id)));
    }
  }
}

TEST_CASE("integration::the probe answers multi round-trip requests") {
  refserver::Config config;
  config.transport = "http";
  config.era = refserver::ServeEra::modern;
  testing::InProcessServer server(config);
  transport::HttpTransportOptions options;
  options.url = server.url();
  transport::HttpTransport http(options);
  protocol::Session session(http, util::Millis(4000));
  auto call = [&](const std::string& tool, const std::vector<std::string>& capabilities) {
    session.set_modern(
        protocol::ModernProfile{k_modern, protocol::client_capabilities_for(capabilities), true});
    auto ex = session.request("tools/call", {{"name", tool}, {"arguments", Json::object()}});
    REQUIRE(ex);
    REQUIRE(ex->reply);
    REQUIRE(ex->reply->json);
    return *ex;
  };
  auto text = [](const protocol::Exchange& ex) {
    return ex.reply->json->value(Json::json_pointer("/result/content/0/text"), std::string());
  };
  SUBCASE("two rounds, the first answer carried in requestState") {
    const auto ex = call("test_input_required_result_multi_round", {"elicitation"});
    CHECK(ex.input_required.size() == 2);
    CHECK(text(ex) == "Hello , your favorite color is .");  // both elicitations declined
  }
  SUBCASE("elicitation, sampling and roots at once") {
    const auto ex = call("test_input_required_result_multiple_inputs", {"elicitation", "sampling", "roots"});
    CHECK(ex.input_required.size() == 1);
    CHECK(text(ex) == "Received: client_roots greeting user_name");
  }
  SUBCASE("only what is declared is asked and answered") {
    const auto ex = call("test_input_required_result_multiple_inputs", {"roots"});
    CHECK(ex.input_required.size() == 1);
    CHECK(text(ex) == "Received: client_roots");
  }
  SUBCASE("sampling gets the canned text") {
    const auto ex = call("test_input_required_result_sampling", {"sampling"});
    CHECK(text(ex).rfind("The model said: mcp-probe has no model", 0) == 0);
  }
  SUBCASE("nothing declared: -32021, nothing answered") {
    const auto ex = call("test_input_required_result_elicitation", {});
    CHECK(ex.input_required.empty());
    CHECK(ex.reply->json->value(Json::json_pointer("/error/code"), 0LL) ==
          protocol::k_missing_client_capability);
  }
}
