/** Every tool the server registers, in the order clients list them. */
import type { ToolSpec } from './types.js';
import { exploreTool } from './explore.js';
import { traceTool } from './trace.js';
import { blameTool } from './blame.js';
import { grepTool } from './grep.js';

export const TOOLS: ToolSpec[] = [exploreTool as unknown as ToolSpec, traceTool as unknown as ToolSpec, blameTool as unknown as ToolSpec, grepTool as unknown as ToolSpec];
