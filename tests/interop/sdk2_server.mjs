// A small MCP server on the official TypeScript SDK v2 (@modelcontextprotocol/server, pinned by
// scripts/peers), for tests/interop/sdk2_test.cpp: five tools (echo, add, log, progress, and
// confirm, which asks for input), a resource and a prompt, served the way the SDK's documentation
// serves them, dual-era by default (2026-07-28 beside the 2025 handshake era).
//
//   node sdk2_server.mjs [stdio|http]      (scripts/peers sdk2-command copies it next to its
//                                           node_modules and prints this argv)
//
// stdio: serveStdio; http: createMcpHandler behind toNodeHandler (@modelcontextprotocol/node) on
// 127.0.0.1:$PORT only, path /mcp, with the SDK's localhost Host and Origin guards.
// MCP_SDK2_LEGACY=reject: modern-only (the SDK's `legacy: 'reject'`: a handshake-era request is
// answered with the unsupported-protocol-version error).
import { createServer } from 'node:http';

import { localhostHostValidation, localhostOriginValidation, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, inputRequired, inputResponse, McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod';

const mode = process.argv[2] || 'stdio';
const reject = process.env.MCP_SDK2_LEGACY === 'reject';

// One factory for both eras, as the SDK asks: it is called per HTTP request, per stdio connection.
function factory() {
    const server = new McpServer(
        { name: 'mcp-probe-sdk2-interop', version: '1.0.0' },
        { capabilities: { logging: {} } }
    );
    server.registerTool(
        'echo',
        {
            title: 'Echo',
            description: 'Returns its message',
            inputSchema: z.object({ message: z.string() })
        },
        async ({ message }) => ({ content: [{ type: 'text', text: message }] })
    );
    server.registerTool(
        'add',
        {
            title: 'Add',
            description: 'Adds two numbers',
            inputSchema: z.object({ a: z.number(), b: z.number() }),
            outputSchema: z.object({ sum: z.number() })
        },
        async ({ a, b }) => {
            const out = { sum: a + b };
            return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out };
        }
    );
    // Logs through the SDK (ctx.mcpReq.log); in 2026-07-28 only for a request that asks with
    // _meta logLevel, as the SDK decides.
    server.registerTool(
        'log',
        { title: 'Log', description: 'Logs one message at each of info and error', inputSchema: z.object({}) },
        async (_args, ctx) => {
            await ctx.mcpReq.log('info', 'sdk2 interop: info');
            await ctx.mcpReq.log('error', 'sdk2 interop: error');
            return { content: [{ type: 'text', text: 'logged' }] };
        }
    );
    // Reports progress 1 and 2 of 2 when the request carries a progressToken.
    server.registerTool(
        'progress',
        { title: 'Progress', description: 'Reports progress twice', inputSchema: z.object({}) },
        async (_args, ctx) => {
            const token = ctx.mcpReq._meta?.progressToken;
            if (token !== undefined) {
                for (const progress of [1, 2]) {
                    await ctx.mcpReq.notify({
                        method: 'notifications/progress',
                        params: { progressToken: token, progress, total: 2 }
                    });
                }
            }
            return { content: [{ type: 'text', text: 'done' }] };
        }
    );
    // Asks for a confirmation through the SDK's multi-round-trip API (an InputRequiredResult with
    // an elicitation, retried with the answer in inputResponses); a declined one ends the call.
    const confirmation = z.object({ confirm: z.boolean() });
    server.registerTool(
        'confirm',
        { title: 'Confirm', description: 'Asks the user to confirm', inputSchema: z.object({}) },
        async (_args, ctx) => {
            const answer = inputResponse(ctx.mcpReq.inputResponses, 'confirm');
            if (answer.kind !== 'elicit') {
                return inputRequired({
                    inputRequests: {
                        confirm: inputRequired.elicit({ message: 'Confirm?', requestedSchema: confirmation })
                    }
                });
            }
            const yes = answer.action === 'accept' && answer.content?.confirm === true;
            return { content: [{ type: 'text', text: yes ? 'confirmed' : 'not confirmed' }] };
        }
    );
    server.registerResource(
        'readme',
        'sdk2://readme',
        { title: 'Readme', description: 'A static text resource', mimeType: 'text/plain' },
        async uri => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'mcp-probe interop fixture' }] })
    );
    server.registerPrompt(
        'greet',
        {
            title: 'Greet',
            description: 'A greeting for NAME',
            argsSchema: z.object({ name: z.string() })
        },
        ({ name }) => ({
            messages: [{ role: 'user', content: { type: 'text', text: `Say hello to ${name}.` } }]
        })
    );
    return server;
}

if (mode === 'stdio') {
    serveStdio(factory, { legacy: reject ? 'reject' : 'serve' });
} else if (mode === 'http') {
    const port = Number(process.env.PORT || 0);
    const handler = createMcpHandler(factory, { legacy: reject ? 'reject' : 'stateless' });
    const serve = toNodeHandler(handler);
    const validHost = localhostHostValidation();
    const validOrigin = localhostOriginValidation();
    const http = createServer((req, res) => {
        if (!validHost(req, res) || !validOrigin(req, res)) return;
        if (new URL(req.url, 'http://127.0.0.1').pathname !== '/mcp') {
            res.writeHead(404).end();
            return;
        }
        serve(req, res);
    });
    http.listen(port, '127.0.0.1', () => {
        console.error(`sdk2 server listening on http://127.0.0.1:${http.address().port}/mcp`);
    });
    const stop = () => handler.close().finally(() => http.close(() => process.exit(0)));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
} else {
    console.error(`usage: sdk2_server.mjs [stdio|http] (got ${mode})`);
    process.exit(2);
}
