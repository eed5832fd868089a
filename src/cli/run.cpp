#include "mcp_probe/cli/run.h"

#include <cstdio>

namespace mcp_probe::cli {

int main(int, char**) {
  std::fprintf(stderr, "mcp-probe: not yet implemented\n");
  return 2;
}

}  // namespace mcp_probe::cli
