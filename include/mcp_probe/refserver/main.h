#pragma once

namespace mcp_probe::refserver {

// The whole mcp-refserver command line. Never throws.
int main(int argc, char** argv);

}  // namespace mcp_probe::refserver
