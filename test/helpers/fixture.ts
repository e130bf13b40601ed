/**
 * The fixture workspace as git repos: built once per test process into a temp dir by
 * test/fixtures/make-fixture-repos.mjs (deterministic history), then indexed once.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveConfig } from '../../src/index/config.js';
import { Workspace } from '../../src/index/workspace.js';
import { languageOf } from '../../src/lang/registry.js';
import { PACKAGE_ROOT } from '../../src/package-root.js';

export interface FixtureRepos { dir: string; dynamo: string; sglang: string; cacheDir: string }

let repos: Promise<FixtureRepos> | undefined;
let ws: Promise<Workspace> | undefined;

export function fixtureRepos(): Promise<FixtureRepos> {
  repos ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsm-fixture-'));
    // Each test process builds its own repos; remove them when it exits (KEEP_FIXTURES=1 keeps them).
    if (!process.env.KEEP_FIXTURES) process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const mod = await import(pathToFileURL(join(PACKAGE_ROOT, 'test/fixtures/make-fixture-repos.mjs')).href);
    await mod.makeFixtureRepos(dir);
    return { dir, dynamo: join(dir, 'dynamo'), sglang: join(dir, 'sglang'), cacheDir: join(dir, '.cache') };
  })();
  return repos;
}

/** A ready Workspace over both fixture repos (shared by the tests of one process). */
export function fixtureWorkspace(): Promise<Workspace> {
  ws ??= (async () => {
    const r = await fixtureRepos();
    const w = new Workspace(resolveConfig({ dynamo: r.dynamo, sglang: r.sglang, cacheDir: r.cacheDir, env: {}, home: r.dir }));
    await w.ready();
    return w;
  })();
  return ws;
}

/** Absolute paths of the fixture workspace's source files (those with a registered language), in the tree. */
export function fixtureSourceFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (languageOf(e.name)) out.push(join(d, e.name));
    }
  };
  walk(join(PACKAGE_ROOT, 'test/fixtures/workspace'));
  return out;
}
