#!/bin/sh
# A hostile stdio MCP server: answers initialize only after NOTES (default 1,000,000)
# notifications, then answers ping. For bench/hostile/run (peak RSS of the probe).
notes=${NOTES:-1000000}
read -r _init
yes '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"flood"}}' | head -n "$notes"
echo '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"logging":{}},"serverInfo":{"name":"flood","version":"1"}}}'
read -r _initialized
read -r _ping
echo '{"jsonrpc":"2.0","id":2,"result":{}}'
exec cat >/dev/null
