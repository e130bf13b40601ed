/**
 * The one error boundary: runs a tool, waits for the index (with progress), and turns every failure into
 * a readable `isError` result. Nothing a tool throws can take the server down.
 */
import { UserError } from '../errors.js';
import type { ToolContext, ToolSpec } from '../tools/types.js';
import { log } from '../log.js';

export interface BoundaryResult {
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export async function runTool(tool: ToolSpec, args: unknown, ctx: ToolContext): Promise<BoundaryResult> {
  try {
    // Loads or builds the index on first use, then re-reads files changed since (stat-checked, throttled).
    await ctx.ws.refresh((done, total, message) => ctx.progress?.(done, total, `indexing: ${message}`));
    if (ctx.signal?.aborted) return errorResult(`${tool.name} was cancelled.`);
    const answer = await tool.run(args as never, ctx);
    return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.structured };
  } catch (e) {
    if (e instanceof UserError) {
      const example = e.example ? `\nExample of a valid call: ${tool.name} ${e.example}` : '';
      return errorResult(`${e.message}${example}`);
    }
    log(`${tool.name} failed: ${(e as Error).stack ?? String(e)}`);
    return errorResult(`${tool.name} failed with an internal error: ${(e as Error).message}. The server is still running; try a narrower call.`);
  }
}

export function errorResult(text: string): BoundaryResult {
  return { content: [{ type: 'text', text }], isError: true };
}
