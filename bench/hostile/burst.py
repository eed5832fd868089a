#!/usr/bin/env python3
"""A burst of N (argv[2], default 2000) concurrent keep-alive connections to mcp-refserver's
Streamable HTTP endpoint on 127.0.0.1:PORT (argv[1]): every connection is opened at once, sends one
modern tools/list POST, and stays open until every connection has its answer (or 30 s passed).
Prints how many were answered and how long it took. For bench/hostile/refserver_burst (peak RSS
of the server while they are all open)."""
import selectors
import socket
import sys
import time

port = int(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
BODY = (b'{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{'
        b'"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
        b'"io.modelcontextprotocol/clientInfo":{"name":"burst","version":"1"},'
        b'"io.modelcontextprotocol/clientCapabilities":{}}}}')
REQUEST = (b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n"
           b"Mcp-Method: tools/list\r\nContent-Length: %d\r\n\r\n" % len(BODY)) + BODY

sel = selectors.DefaultSelector()
socks = []
start = time.monotonic()
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    socks.append(s)
    sel.register(s, selectors.EVENT_WRITE, [b"", False])
answered = failed = 0
deadline = start + 30
while answered + failed < count and time.monotonic() < deadline:
    for key, events in sel.select(0.1):
        s, state = key.fileobj, key.data
        if events & selectors.EVENT_WRITE:
            try:
                s.sendall(REQUEST)
                sel.modify(s, selectors.EVENT_READ, state)
            except OSError:
                sel.unregister(s)
                failed += 1
            continue
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            sel.unregister(s)
            failed += 1
            continue
        state[0] += data
        head, sep, body = state[0].partition(b"\r\n\r\n")
        if sep and b'"tools"' in body and body.rstrip().endswith(b"}"):
            sel.unregister(s)  # answered; the connection stays open
            answered += 1
elapsed = time.monotonic() - start
open_now = sum(1 for s in socks if s.fileno() >= 0)
print("%d connections: %d answered, %d failed, %d still open, %.2f s" % (count, answered, failed, open_now, elapsed))
for s in socks:
    s.close()
sys.exit(0 if answered == count else 1)
