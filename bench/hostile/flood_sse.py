#!/usr/bin/env python3
"""A hostile Streamable HTTP MCP server on 127.0.0.1:PORT (argv[1]): answers initialize with an
SSE stream of NOTES (default 500,000, ~50 MB) notifications before the response, notifications
with 202 and ping with JSON. For bench/hostile/run (peak RSS of the probe)."""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NOTES = int(os.environ.get("NOTES", "500000"))
NOTE = b'data: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"flood"}}\n\n'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if "id" not in body:
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if body.get("method") == "initialize":
            result = {"protocolVersion": "2025-06-18", "capabilities": {"logging": {}},
                      "serverInfo": {"name": "flood", "version": "1"}}
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Mcp-Session-Id", "s1")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                batch = NOTE * 1000
                for _ in range(NOTES // 1000):
                    self.wfile.write(batch)
                reply = json.dumps({"jsonrpc": "2.0", "id": body["id"], "result": result})
                self.wfile.write(b"data: " + reply.encode() + b"\n\n")
            except OSError:
                pass
            self.close_connection = True
            return
        reply = json.dumps({"jsonrpc": "2.0", "id": body["id"], "result": {}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
