/** Every tool the server registers, in the order clients list them. */
import type { ToolSpec } from './types.js';
import { exploreTool } from './explore.js';

export const TOOLS: ToolSpec[] = [exploreTool as unknown as ToolSpec];
