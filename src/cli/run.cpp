// cli::main: the one place that catches, prints "mcp-probe: error: ..." and picks the exit code.

#include "mcp_probe/cli/run.h"

#include <csignal>
#include <cstdio>
#include <exception>

#include "mcp_probe/cli/commands.h"
#include "mcp_probe/cli/options.h"
#include "mcp_probe/cli/output.h"
#include "mcp_probe/util/interrupt.h"

namespace mcp_probe::cli {
namespace {

void on_sigint(int) {
  interrupted_flag().store(true);
  util::request_interrupt();  // wakes every wait at once
}

// The first Ctrl-C asks the run to stop and report; SA_RESETHAND makes a second one kill us.
void install_interrupt_handler() {
  util::prepare_interrupt();
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
}

std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "; ";
    } else if (c != '\r') {
      out += c;
    }
  }
  while (out.size() >= 2 && out.compare(out.size() - 2, 2, "; ") == 0) out.resize(out.size() - 2);
  return out;
}

int dispatch(int argc, char** argv) {
  const Environment env = Environment::current();
  auto options = parse_options(argc, argv, env);
  if (!options) {
    print_error(options.error().message);
    return k_exit_usage;
  }
  if (options->early_output) {
    if (auto ok = write_stdout(*options->early_output); !ok) {
      print_error(ok.error().message);
      return k_exit_usage;
    }
    return k_exit_ok;
  }
  switch (options->command) {
    case Command::probe:
      install_interrupt_handler();
      return run_probe(*options, env);
    case Command::selftest:
      install_interrupt_handler();
      return run_selftest(*options, env);
    case Command::call:
      install_interrupt_handler();
      return run_call(*options, env);
    case Command::list_checks:
      return run_list_checks(*options);
  }
  return k_exit_usage;
}

}  // namespace

std::atomic<bool>& interrupted_flag() {
  static std::atomic<bool> flag{false};
  static_assert(std::atomic<bool>::is_always_lock_free);
  return flag;
}

int exit_code(report::Outcome outcome) {
  switch (outcome) {
    case report::Outcome::pass:
      return k_exit_ok;
    case report::Outcome::fail:
      return k_exit_failures;
    case report::Outcome::not_connected:
      return k_exit_unreachable;
    case report::Outcome::interrupted:
      return k_exit_interrupted;
  }
  return k_exit_failures;
}

void print_error(std::string_view message) {
  std::fprintf(stderr, "mcp-probe: error: %s\n", one_line(message).c_str());
}

void print_warning(std::string_view message) {
  std::fprintf(stderr, "mcp-probe: warning: %s\n", one_line(message).c_str());
}

int main(int argc, char** argv) {
  // A server that dies mid-write must not take us down with SIGPIPE; writes report EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return dispatch(argc, argv);
  } catch (const std::exception& e) {
    print_error(e.what());
  } catch (...) {
    print_error("unexpected internal error");
  }
  return k_exit_usage;
}

}  // namespace mcp_probe::cli
