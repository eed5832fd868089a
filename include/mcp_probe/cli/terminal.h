#pragma once

// Terminal decisions: colour and the progress line. Pure given their inputs.

#include "mcp_probe/cli/options.h"

namespace mcp_probe::cli {

// --color always: yes; never: no; auto: only on a terminal, with NO_COLOR unset or empty and
// TERM not "dumb".
bool use_color(ColorMode mode, bool is_terminal, const Environment& env);

// The progress line needs stderr to be a terminal, colour not refused (NO_COLOR, --color never)
// and no wire trace on stderr (-v).
bool show_progress(const Options& options, bool stderr_is_terminal, const Environment& env);

}  // namespace mcp_probe::cli
