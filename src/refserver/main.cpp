#include "mcp_probe/refserver/main.h"

#include <cstdio>

namespace mcp_probe::refserver {

int main(int, char**) {
  std::fprintf(stderr, "mcp-refserver: not yet implemented\n");
  return 2;
}

}  // namespace mcp_probe::refserver
