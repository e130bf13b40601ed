/** Logging: stderr only (stdout is the MCP channel). */
export function log(message: string): void {
  process.stderr.write(`[dynamo-sglang-mcp] ${message}\n`);
}
