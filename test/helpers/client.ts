/** End-to-end harness: the built server (dist/cli/main.js) driven by the SDK's real stdio Client. */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';
import { fixtureRepos } from './fixture.js';

export const SERVER_JS = join(PACKAGE_ROOT, 'dist/cli/main.js');

export async function withClient<T>(fn: (client: Client, stderr: () => string) => Promise<T>, extraArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<T> {
  const r = await fixtureRepos();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_JS, '--dynamo', r.dynamo, '--sglang', r.sglang, '--cache-dir', r.cacheDir, ...extraArgs],
    env: { PATH: process.env.PATH ?? '', HOME: r.dir, ...extraEnv },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const client = new Client({ name: 'dsm-test', version: '0.0.0' });
  await client.connect(transport);
  try {
    return await fn(client, () => err);
  } finally {
    await client.close();
  }
}

/** The text of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.filter((c) => c.type === 'text').map((c) => c.text ?? '').join('\n');
}
