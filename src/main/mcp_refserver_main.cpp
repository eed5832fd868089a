#include "mcp_probe/refserver/main.h"

int main(int argc, char** argv) { return mcp_probe::refserver::main(argc, argv); }
