/**
 * A private copy of the fixture repos for tests that edit files, commit and switch branches (the shared
 * fixtureRepos() must stay pristine), plus a Workspace factory over it with its own cache dir.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { pathToFileURL } from 'node:url';
import { resolveConfig } from '../../src/index/config.js';
import { Workspace } from '../../src/index/workspace.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';

export interface PrivateFixture { dir: string; dynamo: string; sglang: string; cacheDir: string }

export async function privateFixture(): Promise<PrivateFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'dsm-fresh-'));
  const mod = await import(pathToFileURL(join(PACKAGE_ROOT, 'test/fixtures/make-fixture-repos.mjs')).href);
  await mod.makeFixtureRepos(dir);
  return { dir, dynamo: join(dir, 'dynamo'), sglang: join(dir, 'sglang'), cacheDir: join(dir, '.cache') };
}

export function workspaceOn(f: PrivateFixture, cacheDir = f.cacheDir): Workspace {
  const ws = new Workspace(resolveConfig({ dynamo: f.dynamo, sglang: f.sglang, cacheDir, env: {}, home: f.dir }));
  ws.freshMs = 0;
  return ws;
}

/**
 * For a test file: a private fixture and a ready Workspace over it, made before its tests and closed after
 * them. Read `fx` and `ws` inside tests (they are set once the hook has run).
 */
export function privateWorkspace(): { readonly fx: PrivateFixture; readonly ws: Workspace } {
  const state = {} as { fx: PrivateFixture; ws: Workspace };
  before(async () => {
    state.fx = await privateFixture();
    state.ws = workspaceOn(state.fx);
    await state.ws.ready();
  });
  after(async () => {
    await state.ws?.close();
  });
  return state;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8' }).trim();
}
