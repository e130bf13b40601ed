/**
 * The tool contract shared by every tool file (one file per tool: schema, handler, renderer).
 * Tools never import the MCP SDK: src/server registers them.
 */
import type * as z from 'zod';
import type { Workspace } from '../index/workspace.js';

export interface ToolContext {
  ws: Workspace;
  signal?: AbortSignal;
  /** Reports progress when the client asked for it. */
  progress?: (done: number, total: number | undefined, message: string) => void;
}

export interface ToolAnswer<S extends Record<string, unknown> = Record<string, unknown>> {
  /** Markdown for the agent/human. */
  text: string;
  /** The same answer as data (every location an object {repo, file, line, endLine?}). */
  structured: S;
}

export interface ToolSpec<I extends z.ZodRawShape = z.ZodRawShape, O extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  /** Written for the model: when to use it, when not, what it costs. */
  description: string;
  input: I;
  output: O;
  run(args: z.infer<z.ZodObject<I>>, ctx: ToolContext): Promise<ToolAnswer>;
}

export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(spec: ToolSpec<I, O>): ToolSpec<I, O> {
  return spec;
}
