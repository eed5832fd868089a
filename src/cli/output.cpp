#include "mcp_probe/cli/output.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>

#include "mcp_probe/cli/terminal.h"
#include "mcp_probe/transport/trace_format.h"

namespace mcp_probe::cli {

util::Expected<void> write_stdout(std::string_view text) {
  errno = 0;
  const std::size_t written = std::fwrite(text.data(), 1, text.size(), stdout);
  // The final flush is where a full disk or a closed pipe usually shows.
  if (std::fflush(stdout) != 0 || written != text.size() || std::ferror(stdout) != 0) {
    const int error = errno;
    std::clearerr(stdout);
    return util::make_error(util::ErrorKind::io, std::string("writing to stdout failed: ") +
                                                     (error != 0 ? std::strerror(error) : "short write"));
  }
  return {};
}

util::Expected<void> configure_tracer(transport::Tracer& tracer, const Options& options) {
  tracer.set_redact(options.redact);
  tracer.add_secret(options.run.target.bearer);
  for (const auto& secret : options.secrets) tracer.add_secret(secret);
  if (options.verbosity > 0) {
    const bool verbose = options.verbosity > 1;
    tracer.add_sink([verbose](const transport::TraceEvent& event) {
      const std::string line = transport::trace_to_text(event, verbose) + "\n";
      std::fwrite(line.data(), 1, line.size(), stderr);
    });
  }
  if (!options.trace_path.empty()) {
    auto file = std::make_shared<std::ofstream>(options.trace_path, std::ios::binary | std::ios::trunc);
    if (!*file)
      return util::make_error(util::ErrorKind::usage, "cannot write the trace file " + options.trace_path);
    // Flushed per event: an interrupted or crashed run still leaves a usable trace.
    tracer.add_sink([file](const transport::TraceEvent& event) {
      *file << transport::trace_to_ndjson(event) << '\n';
      file->flush();
    });
  }
  return {};
}

namespace {

// At most `max` bytes, cut at a UTF-8 character boundary, with a note of the full size.
std::string capped(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  const std::size_t full = text.size();
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "… (" + std::to_string(full) + " bytes)";
}

constexpr std::size_t k_target_max = 300;
constexpr std::size_t k_field_max = 2000;

}  // namespace

void redact_report(checks::RunReport& report, const transport::Tracer& tracer) {
  const bool redact = tracer.redacting();
  auto clean = [&](std::string& text, std::size_t max) {
    // Redact first: capping could cut a secret in half and hide it from the redaction.
    if (redact) text = tracer.redact(text);
    text = capped(std::move(text), max);
  };
  clean(report.target, k_target_max);
  if (redact) report.stderr_tail = tracer.redact(report.stderr_tail);
  for (auto& r : report.checks) {
    clean(r.message, k_field_max);
    clean(r.expected, k_field_max);
    clean(r.observed, k_field_max);
  }
}

util::Expected<OutputFiles> open_outputs(const Options& options) {
  OutputFiles files;
  auto open = [](const std::string& path) -> std::unique_ptr<std::ofstream> {
    auto file = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
    return *file ? std::move(file) : nullptr;
  };
  if (!options.output_path.empty()) {
    files.output = open(options.output_path);
    if (!files.output) return util::make_error(util::ErrorKind::usage, "cannot write " + options.output_path);
  }
  if (!options.junit_path.empty()) {
    files.junit = open(options.junit_path);
    if (!files.junit) return util::make_error(util::ErrorKind::usage, "cannot write " + options.junit_path);
  }
  return files;
}

namespace {

// The columns of the terminal on `fd`, when it is one that knows (a pty with a size).
std::optional<std::size_t> terminal_width(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return std::nullopt;
  return std::clamp<std::size_t>(size.ws_col, 40, 400);
}

}  // namespace

report::ReportOptions report_options(const Options& options, const Environment& env,
                                     std::set<std::string> baseline) {
  report::ReportOptions out;
  const bool to_terminal = options.output_path.empty() && isatty(STDOUT_FILENO) == 1;
  out.color = options.format == report::Format::human && use_color(options.color, to_terminal, env);
  out.timings = options.timings;
  out.details = options.verbosity > 0;
  if (to_terminal) out.width = terminal_width(STDOUT_FILENO).value_or(out.width);
  out.policy.fail_on_should = options.fail_on_should;
  out.policy.expected_failures = std::move(baseline);
  return out;
}

util::Expected<void> write_reports(const checks::RunReport& report, const Options& options,
                                   const report::ReportOptions& report_options, OutputFiles& files) {
  const std::string text = report::render(report, options.format, report_options);
  if (files.output) {
    *files.output << text;
    files.output->flush();
    if (!*files.output)
      return util::make_error(util::ErrorKind::io, "writing " + options.output_path + " failed");
  } else if (auto ok = write_stdout(text); !ok) {
    return ok;
  }
  if (files.junit) {
    report::ReportOptions junit_options = report_options;
    junit_options.color = false;
    *files.junit << report::render_junit(report, junit_options);
    files.junit->flush();
    if (!*files.junit)
      return util::make_error(util::ErrorKind::io, "writing " + options.junit_path + " failed");
  }
  return {};
}

}  // namespace mcp_probe::cli
