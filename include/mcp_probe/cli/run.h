#pragma once

namespace mcp_probe::cli {

// The whole mcp-probe command line: parses argv, runs, prints, returns the exit code.
// Never throws.
int main(int argc, char** argv);

}  // namespace mcp_probe::cli
