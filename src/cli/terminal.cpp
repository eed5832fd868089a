#include "mcp_probe/cli/terminal.h"

namespace mcp_probe::cli {

bool use_color(ColorMode mode, bool is_terminal, const Environment& env) {
  switch (mode) {
    case ColorMode::always:
      return true;
    case ColorMode::never:
      return false;
    case ColorMode::auto_detect:
      break;
  }
  if (env.no_color && !env.no_color->empty()) return false;
  if (env.term && *env.term == "dumb") return false;
  return is_terminal;
}

bool show_progress(const Options& options, bool stderr_is_terminal, const Environment& env) {
  if (options.verbosity > 0 || options.color == ColorMode::never) return false;
  if (env.no_color && !env.no_color->empty()) return false;
  if (env.term && *env.term == "dumb") return false;
  return stderr_is_terminal;
}

}  // namespace mcp_probe::cli
