/** MCP wiring: registers every tool (and prompts/resources) on an McpServer over stdio. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Workspace } from '../index/workspace.js';
import { log } from '../log.js';
import { TOOLS } from '../tools/index.js';
import type { ToolContext } from '../tools/types.js';
import { runTool } from './boundary.js';
import { VERSION } from '../version.js';

const ANNOTATIONS = { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false } as const;

export function createServer(ws: Workspace): McpServer {
  const server = new McpServer({ name: 'dynamo-sglang-mcp', version: VERSION }, {
    capabilities: { logging: {} },
    instructions: 'Code intelligence over local checkouts of NVIDIA Dynamo and SGLang (and any git repo): ' +
      'explore (architecture, outlines, definitions, topics), trace (call chains across files, languages and repos, with mermaid), ' +
      'blame (who/when/why, by line range or symbol), grep (search that names the enclosing symbol of each hit). ' +
      'Answers cite repo-relative file:line.',
  });
  for (const tool of TOOLS) {
    server.registerTool(tool.name, {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: tool.output,
      annotations: { title: tool.title, ...ANNOTATIONS },
    }, async (args: unknown, extra) => {
      const token = extra._meta?.progressToken;
      const ctx: ToolContext = {
        ws,
        signal: extra.signal,
        progress: token === undefined ? undefined : (done, total, message) => {
          void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message } }).catch(() => {});
        },
      };
      return (await runTool(tool, args, ctx)) as never;
    });
  }
  return server;
}

export async function serveStdio(ws: Workspace): Promise<void> {
  const server = createServer(ws);
  const transport = new StdioServerTransport();
  await server.connect(transport);
  log(`serving ${[...ws.config.repos].map((r) => `${r.name}=${r.root}`).join(', ')} over stdio`);
  // Index in the background right away; calls that arrive earlier wait for it.
  const t0 = performance.now();
  ws.ready().then(
    () => log(`index ready in ${Math.round(performance.now() - t0)} ms`),
    (e) => log(`indexing failed: ${(e as Error).stack ?? e}`),
  );
}
