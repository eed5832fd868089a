#!/usr/bin/env node
// refserver_throughput.js URL CONCURRENCY REQUESTS [LABEL]
//
// MCP load client (node built-ins only): CONCURRENCY clients each open their own Streamable HTTP
// session (initialize + notifications/initialized), then together send REQUESTS tools/call
// requests to the `echo` tool. Prints one JSON line: throughput and latency percentiles.
'use strict';
const http = require('http');

const [url, conc = '1', total = '1000', label = ''] = process.argv.slice(2);
if (!url) { console.error('usage: refserver_throughput.js URL CONCURRENCY REQUESTS [LABEL]'); process.exit(2); }
const target = new URL(url);
const concurrency = Number(conc), requests = Number(total);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function post(body, session) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
                    'MCP-Protocol-Version': '2025-11-25' };
  if (session) headers['Mcp-Session-Id'] = session;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
                               headers, agent, timeout: 10000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, session: res.headers['mcp-session-id'], body: data }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

// The JSON-RPC response with `id` in an SSE or JSON body.
function response(body, id) {
  const texts = body.trimStart().startsWith('{') ? [body]
    : body.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).filter(Boolean);
  for (const t of texts) { try { const m = JSON.parse(t); if (m.id === id) return m; } catch (e) { /* next */ } }
  return null;
}

async function client(share, latencies) {
  const init = await post({ jsonrpc: '2.0', id: 0, method: 'initialize', params: {
    protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '0' } } });
  if (init.status !== 200 || !init.session) throw new Error(`initialize: HTTP ${init.status}`);
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, init.session);
  for (let i = 1; i <= share; i++) {
    const t0 = process.hrtime.bigint();
    const r = await post({ jsonrpc: '2.0', id: i, method: 'tools/call',
                           params: { name: 'echo', arguments: { message: 'hello' } } }, init.session);
    const m = response(r.body, i);
    if (r.status !== 200 || !m || !m.result) throw new Error(`tools/call: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await new Promise((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'DELETE',
                               headers: { 'Mcp-Session-Id': init.session }, agent }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', resolve);
    req.end();
  });
}

(async () => {
  const latencies = [];
  const share = Math.max(1, Math.floor(requests / concurrency));
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, () => client(share, latencies)));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  console.log(JSON.stringify({ label, concurrency, requests: latencies.length,
    rps: Math.round(latencies.length / seconds), p50_ms: +pct(0.5).toFixed(2), p99_ms: +pct(0.99).toFixed(2) }));
  agent.destroy();
})().catch((e) => { console.error(`bench: ${e.message}`); process.exit(1); });
