#!/bin/sh
# A hostile stdio MCP server: writes a 200 MB stdout line before its initialize reply (the probe
# discards lines over 16 MiB and must read the reply after it). For bench/hostile/run.
read -r _init
head -c 200000000 /dev/zero | tr '\0' a
echo
echo '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"big","version":"1"}}}'
read -r _initialized
read -r _ping
echo '{"jsonrpc":"2.0","id":2,"result":{}}'
exec cat >/dev/null
