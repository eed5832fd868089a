#include "mcp_probe/cli/run.h"

int main(int argc, char** argv) { return mcp_probe::cli::main(argc, argv); }
