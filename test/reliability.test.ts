/**
 * Faults, through the real MCP client: a checkout removed or moved while serving; git that fails or hangs
 * (a fake `git` first on PATH); a parser or grep worker thread that crashes (a test-only `--import`
 * preload throws inside the worker); a cache that is truncated, corrupted, emptied, partly deleted, stale
 * or unwritable (rebuilt, never trusted: answers equal a cold start's); two servers sharing one cache;
 * and nothing is ever written inside a checkout. Every call is answered and the server stays up.
 *
 * DSM_SLOW_TESTS=1 adds the case where `git ls-files` hangs during indexing (~20 s: listing gives up after 15 s).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fakeGit, isAlive, makeGitRepo, serve, tempDir, textOf, toolNames, until, workerHook, type Served, type ToolResult } from './helpers/hostile.js';

const SLOW = process.env.DSM_SLOW_TESTS === '1';

const SOURCES: Record<string, string> = {
  'pkg/engine.py': 'from pkg.cache import Cache\n\n\nclass Engine:\n    """Runs requests."""\n\n    def __init__(self):\n        self.cache = Cache()\n\n    def run(self, req):\n        hit = self.cache.lookup(req)\n        return self.finish(hit)\n\n    def finish(self, hit):\n        return hit\n',
  'pkg/cache.py': 'class Cache:\n    """A tiny cache."""\n\n    def lookup(self, key):\n        return self.evict(key)\n\n    def evict(self, key):\n        return key\n',
  'pkg/__init__.py': '',
  'src/lib.rs': 'pub mod router;\n\npub fn start() -> u32 {\n    router::route(1)\n}\n',
  'src/router.rs': '/// Routes a request.\npub fn route(x: u32) -> u32 {\n    pick(x)\n}\n\nfn pick(x: u32) -> u32 {\n    x + 1\n}\n',
  'kernels/k.cu': '__global__ void add_kernel(float* a) { a[0] += 1; }\nvoid launch(float* a) { add_kernel<<<1, 1>>>(a); }\n',
  'README.md': '# tiny\n',
};

/** Calls whose answers must not depend on anything but the files (used to compare runs). */
const PROBES: [string, Record<string, unknown>][] = [
  ['explore', {}],
  ['explore', { path: 'pkg' }],
  ['explore', { path: 'pkg/engine.py' }],
  ['explore', { symbol: 'Engine.run' }],
  ['explore', { query: 'cache evict' }],
  ['trace', { symbol: 'Engine.run', depth: 3 }],
  ['trace', { symbol: 'pick', direction: 'callers' }],
  ['trace', { file: 'src/lib.rs', line: 4 }],
  ['blame', { file: 'pkg/cache.py', start_line: 1, end_line: 5 }],
  ['blame', { symbol: 'Cache.evict', history: true }],
];

function cacheDir(): string {
  return tempDir('dsm-cache-');
}

/** Text and structuredContent with run-dependent bits removed (blame's "cached" flag, timings, re-read counts). */
function normal(r: ToolResult): string {
  const s = structuredClone(r.structuredContent ?? {});
  delete s.cached;
  for (const i of (s.indexed as { reread?: number }[] | undefined) ?? []) delete i.reread;
  const text = textOf(r).replace(/ · cached/g, '').replace(/, \d+ changed file\(s\) re-read/g, '').replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, 'T');
  return `${r.isError ? 'ERROR ' : ''}${text}\n${JSON.stringify(s)}`;
}

async function probeAll(srv: Served, probes = PROBES): Promise<string[]> {
  const out: string[] = [];
  for (const [tool, args] of probes) out.push(normal(await srv.call(tool, args, { timeout: 60_000 })));
  return out;
}

function snapshot(dir: string): string {
  return readdirSync(dir, { recursive: true }).map(String).sort().map((f) => {
    const st = statSync(join(dir, f));
    return `${f}:${st.isFile() ? st.size : 'd'}:${st.mtimeMs}`;
  }).join('\n');
}

async function hasGrep(srv: Served): Promise<boolean> {
  return (await toolNames(srv.client)).includes('grep');
}

describe('a checkout removed or moved while serving', () => {
  test('every tool answers (an error where the files are needed), the other repo still works, the server stays up', async () => {
    const a = makeGitRepo(SOURCES, 'dsm-gone-');
    const b = makeGitRepo(SOURCES, 'dsm-moved-');
    const srv = await serve({ args: ['--repo', `a=${a}`, '--repo', `b=${b}`, '--cache-dir', cacheDir()] });
    try {
      assert.notEqual((await srv.call('explore', {})).isError, true);
      rmSync(a, { recursive: true, force: true });
      renameSync(b, b + '-moved');
      const calls: [string, Record<string, unknown>][] = [
        ['explore', {}], ['explore', { repo: 'a' }], ['explore', { path: 'a:pkg/engine.py' }], ['explore', { symbol: 'Engine.run' }],
        ['explore', { query: 'cache' }], ['trace', { symbol: 'Engine.run', repo: 'a' }], ['trace', { file: 'a:src/lib.rs', line: 4 }],
        ['blame', { repo: 'a', file: 'pkg/cache.py' }], ['blame', { repo: 'b', file: 'pkg/cache.py' }], ['blame', { symbol: 'Cache.evict', repo: 'a' }],
        ['blame', { repo: 'a', file: 'pkg/cache.py', history: true }],
      ];
      if (await hasGrep(srv)) calls.push(['grep', { pattern: 'def ' }], ['grep', { pattern: 'evict', repo: 'a' }], ['grep', { pattern: 'route', path: 'src/**' }]);
      const lines: string[] = [];
      for (const [tool, args] of calls) {
        const r = await srv.call(tool, args, { timeout: 30_000 });
        lines.push(`${tool} ${JSON.stringify(args)} → ${r.isError ? 'error' : 'answer'}: ${textOf(r).split('\n')[0].slice(0, 120)}`);
        assert.ok(textOf(r).length > 0);
        if (r.isError) assert.doesNotMatch(textOf(r), /ENOENT: no such file or directory, (open|stat|scandir)/, `${tool}: a raw errno is not a message`);
      }
      console.log(lines.join('\n'));
      assert.ok(srv.alive(), 'the server is still running');
      // The checkout comes back: calls work again.
      renameSync(b + '-moved', b);
      const back = await srv.call('blame', { repo: 'b', file: 'pkg/cache.py', start_line: 1 });
      assert.notEqual(back.isError, true, textOf(back));
    } finally {
      await srv.close();
    }
  });
});

describe('a checkout that disappeared is named as such', () => {
  test('blame and grep on a removed checkout say it is gone (not an internal error, not "0 matches"); the other repo is still searched', async () => {
    const a = makeGitRepo(SOURCES, 'dsm-gone2-');
    const b = makeGitRepo(SOURCES, 'dsm-kept2-');
    const srv = await serve({ args: ['--repo', `a=${a}`, '--repo', `b=${b}`, '--cache-dir', cacheDir()] });
    try {
      await srv.call('explore', {});
      rmSync(a, { recursive: true, force: true });
      const bl = await srv.call('blame', { repo: 'a', file: 'pkg/cache.py' });
      assert.equal(bl.isError, true);
      assert.doesNotMatch(textOf(bl), /internal error/, textOf(bl));
      assert.match(textOf(bl), /no longer exists/i, textOf(bl));
      if (await hasGrep(srv)) {
        const g = await srv.call('grep', { pattern: 'evict', repo: 'a' });
        assert.equal(g.isError, true, textOf(g));
        assert.match(textOf(g), /checkout \S*dsm-gone2-\S* no longer exists/i, textOf(g));
        // Both repos selected: b is searched, a is named as not searched.
        const both = await srv.call('grep', { pattern: 'evict' });
        assert.notEqual(both.isError, true, textOf(both));
        assert.match(textOf(both), /Not searched: repo a — the checkout \S+ no longer exists/, textOf(both));
        assert.match(textOf(both), /b:pkg\/cache\.py/, textOf(both));
        assert.doesNotMatch(textOf(both), /\ba:pkg\//, textOf(both));
      }
    } finally {
      await srv.close();
    }
  });
});

describe('git that fails or hangs', () => {
  test('git failing every command: indexing falls back to a directory walk; blame answers a readable error', async () => {
    const repo = makeGitRepo(SOURCES, 'dsm-gitfail-');
    const fake = fakeGit({ fail: ['ls-files', 'rev-parse', 'blame', 'log', 'cat-file', 'status', 'show'] });
    const srv = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', cacheDir()], env: { PATH: `${fake.dir}:${process.env.PATH}` } });
    try {
      const sym = await srv.call('explore', { symbol: 'Engine.run' });
      assert.notEqual(sym.isError, true, textOf(sym));
      for (const args of [{ file: 'pkg/cache.py' }, { symbol: 'Cache.evict' }, { file: 'pkg/cache.py', history: true }]) {
        const r = await srv.call('blame', args);
        assert.equal(r.isError, true, textOf(r));
        assert.match(textOf(r), /git|injected failure/i);
      }
      assert.ok(srv.alive());
    } finally {
      await srv.close();
    }
  });

  test('git blame hanging: the call is stopped by the timeout (< 30 s) and its process killed; other calls are not held up', async () => {
    const repo = makeGitRepo(SOURCES, 'dsm-githang-');
    const fake = fakeGit({ hang: ['blame'] });
    const srv = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', cacheDir()], env: { PATH: `${fake.dir}:${process.env.PATH}` } });
    try {
      await srv.call('explore', {});
      const t0 = Date.now();
      let blameDone = 0;
      const hung = srv.call('blame', { file: 'pkg/cache.py' }, { timeout: 60_000 }).then((r) => { blameDone = Date.now(); return r; });
      await until(() => existsSync(fake.pidFile), 10_000);
      // While git hangs, other calls answer (the first one long before the git timeout).
      let first = true;
      for (const [tool, args] of PROBES.filter(([t]) => t !== 'blame')) {
        const r = await srv.call(tool, args);
        assert.notEqual(r.isError, true, `${tool}: ${textOf(r)}`);
        if (first) assert.equal(blameDone, 0, 'a call made while git hangs is answered before the hung blame');
        first = false;
      }
      const r = await hung;
      assert.ok(Date.now() - t0 < 30_000, 'stopped within 30 s');
      assert.equal(r.isError, true);
      assert.match(textOf(r), /took longer than|stopped|timed out/i, textOf(r));
      const pids = readFileSync(fake.pidFile, 'utf8').trim().split('\n').map(Number);
      assert.ok(await until(() => pids.every((p) => !isAlive(p)), 10_000), 'the hung git process was killed');
      assert.ok(srv.alive());
    } finally {
      await srv.close();
    }
  });

  test('git ls-files hanging during indexing: calls still answer within 30 s', {
    skip: SLOW ? false : 'slow (~30 s); set DSM_SLOW_TESTS=1',
  }, async () => {
    const repo = makeGitRepo(SOURCES, 'dsm-lshang-');
    const fake = fakeGit({ hang: ['ls-files'] });
    const srv = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', cacheDir()], env: { PATH: `${fake.dir}:${process.env.PATH}` } });
    try {
      const r = await srv.call('explore', { symbol: 'Engine.run' }, { timeout: 30_000 });
      assert.ok(textOf(r).length > 0);
    } finally {
      await srv.close();
      for (const p of existsSync(fake.pidFile) ? readFileSync(fake.pidFile, 'utf8').trim().split('\n').map(Number) : []) {
        try { process.kill(p); } catch { /* gone */ }
      }
    }
  });
});

describe('worker thread crashes', () => {
  test('a parser worker that dies is replaced; indexing finishes; the file is reported as skipped with the reason', async () => {
    const files: Record<string, string> = { ...SOURCES, 'crash_me.py': 'def crash_me_fn():\n    return 1\n' };
    // Enough healthy files for several batches.
    for (let i = 0; i < 80; i++) files[`many/m${i}.py`] = `def many_fn_${i}():\n    return ${i}\n`;
    const repo = makeGitRepo(files, 'dsm-crash-');
    const hook = workerHook({ crashParse: '^crash_me\\.py$' });
    const srv = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', cacheDir()], nodeArgs: ['--import', hook], env: { DSM_THREADS: '2' } });
    try {
      const r = await srv.call('explore', { path: 'crash_me.py' }, { timeout: 120_000 });
      assert.notEqual(r.isError, true, textOf(r));
      assert.match(textOf(r), /skipped[\s\S]*crash/i, textOf(r));
      // The other batches were parsed by the replacement workers.
      const found = await Promise.all(Array.from({ length: 80 }, (_, i) => srv.call('explore', { symbol: `many_fn_${i}` })));
      const ok = found.filter((x) => !x.isError).length;
      console.log(`parser worker crash: ${ok}/80 healthy files indexed`);
      assert.equal(ok, 80, `every healthy file is indexed (${ok}/80)`);
      assert.ok(srv.alive());
    } finally {
      await srv.close();
    }
  });

  test('a parser worker crash costs only the file that caused it, not its whole batch (now, or after a restart)', async () => {
    const files: Record<string, string> = { 'crash_me.py': 'def crash_me_fn():\n    return 1\n' };
    for (let i = 0; i < 10; i++) files[`m${i}.py`] = `def batch_mate_${i}():\n    return ${i}\n`;
    const repo = makeGitRepo(files, 'dsm-crash2-');
    const cache = cacheDir();
    const hook = workerHook({ crashParse: '^crash_me\\.py$' });
    const missing = async (srv: Served) => {
      const out: string[] = [];
      for (let i = 0; i < 10; i++) if ((await srv.call('explore', { symbol: `batch_mate_${i}` }, { timeout: 120_000 })).isError) out.push(`m${i}.py`);
      return out;
    };
    const crashed = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', cache], nodeArgs: ['--import', hook], env: { DSM_THREADS: '1' } });
    const during = await missing(crashed).finally(() => crashed.close());
    const restarted = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', cache] });
    const after = await missing(restarted).finally(() => restarted.close());
    console.log(`batch-mates of the crashing file not indexed: ${during.length}/10 while serving, ${after.length}/10 after a restart without the crash`);
    assert.deepEqual(during, [], 'batch-mates lost with the crashed worker');
    assert.deepEqual(after, [], 'batch-mates still missing after a restart (the crash skip was cached)');
  });

  test('a grep worker that dies: that call answers an error, the next search works', async (t) => {
    const repo = makeGitRepo(SOURCES, 'dsm-grepcrash-');
    const hook = workerHook({ crashGrep: 'CRASH_GREP_7' });
    const srv = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', cacheDir()], nodeArgs: ['--import', hook] });
    try {
      if (!(await hasGrep(srv))) return t.skip('grep is not registered yet');
      const ok1 = await srv.call('grep', { pattern: 'evict' });
      assert.notEqual(ok1.isError, true, textOf(ok1));
      const bad = await srv.call('grep', { pattern: 'CRASH_GREP_7' });
      assert.ok(textOf(bad).length > 0);
      const ok2 = await srv.call('grep', { pattern: 'evict' });
      assert.notEqual(ok2.isError, true, textOf(ok2));
      assert.equal(normal(ok2), normal(ok1));
      assert.ok(srv.alive());
    } finally {
      await srv.close();
    }
  });
});

describe('the persisted cache is never trusted blindly', () => {
  type Damage = (file: string, i: number) => void;
  const damages: [string, Damage][] = [
    ['truncated to half', (f) => truncateSync(f, Math.floor(statSync(f).size / 2))],
    ['truncated to 0 bytes', (f) => truncateSync(f, 0)],
    ['bytes flipped in the middle', (f) => {
      const b = readFileSync(f);
      for (let k = Math.floor(b.length / 3); k < b.length; k += 97) b[k] ^= 0x5a;
      writeFileSync(f, b);
    }],
    ['overwritten with zeros', (f) => writeFileSync(f, Buffer.alloc(statSync(f).size))],
    ['replaced with plausible JSON', (f) => writeFileSync(f, JSON.stringify({ version: 1, files: { 'pkg/engine.py': { defs: [] } }, repos: [] }))],
    ['deleted (every other file)', (f, i) => { if (i % 2 === 0) rmSync(f, { recursive: true, force: true }); }],
  ];

  test('truncated, corrupted, emptied or partly deleted cache: answers equal a cold start, the server stays up', async (t) => {
    const repo = makeGitRepo(SOURCES, 'dsm-cachecorrupt-');
    const cold = cacheDir();
    const first = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', cold] });
    let baseline: string[];
    try {
      baseline = await probeAll(first);
    } finally {
      await first.close();
    }
    const written = readdirSync(cold, { recursive: true }).map(String).filter((f) => statSync(join(cold, f)).isFile());
    if (!written.length) return t.skip('TODO: no cache files were written under --cache-dir (the persisted cache is not wired in yet)');
    t.diagnostic(`cache files: ${written.join(', ')}`);
    const before = snapshot(repo);
    // The damaged caches are tried side by side (each server its own copy).
    await Promise.all(damages.map(async ([name, damage]) => {
      const dir = cacheDir();
      cpSync(cold, dir, { recursive: true });
      readdirSync(dir, { recursive: true }).map(String).filter((f) => statSync(join(dir, f)).isFile()).sort().forEach((f, i) => damage(join(dir, f), i));
      const srv = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', dir] });
      try {
        const answers = await probeAll(srv);
        answers.forEach((a, i) => assert.equal(a, baseline[i], `cache ${name}: ${PROBES[i][0]} ${JSON.stringify(PROBES[i][1])} differs from a cold start`));
        assert.ok(srv.alive(), `cache ${name}: server alive`);
        assert.match(srv.stderr(), /cache|index/i);
      } finally {
        await srv.close();
      }
    }));
    assert.equal(snapshot(repo), before, 'nothing was written inside the checkout');
  });

  test('a stale cache (files edited, added, removed while the server was down) is not served', async () => {
    const repo = makeGitRepo(SOURCES, 'dsm-cachestale-');
    const dir = cacheDir();
    const first = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', dir] });
    await probeAll(first);
    await first.close();
    writeFileSync(join(repo, 'pkg/cache.py'), 'class Cache:\n    def lookup(self, key):\n        return self.renamed_evict(key)\n\n    def renamed_evict(self, key):\n        return key\n');
    writeFileSync(join(repo, 'pkg/added.py'), 'def freshly_added():\n    return 1\n');
    rmSync(join(repo, 'src/router.rs'));
    // Same size and mtime tricks are out of scope; a changed file must be re-read.
    const fresh = cacheDir();
    const cold = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', fresh] });
    const warm = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', dir] });
    try {
      const probes: [string, Record<string, unknown>][] = [
        ...PROBES.filter(([tool]) => tool !== 'blame'),
        ['explore', { symbol: 'freshly_added' }], ['explore', { symbol: 'renamed_evict' }], ['explore', { symbol: 'pick' }],
        ['explore', { path: 'pkg/cache.py' }],
      ];
      const a = await probeAll(cold, probes);
      const b = await probeAll(warm, probes);
      a.forEach((x, i) => assert.equal(b[i], x, `stale cache: ${probes[i][0]} ${JSON.stringify(probes[i][1])} differs from a cold start`));
    } finally {
      await cold.close();
      await warm.close();
    }
  });

  test('an unusable cache directory (a file, or under /dev/null) does not stop the server', async () => {
    const repo = makeGitRepo(SOURCES, 'dsm-cachebad-');
    const asFile = join(cacheDir(), 'not-a-dir');
    writeFileSync(asFile, 'x');
    await Promise.all([asFile, '/dev/null/cache', join(asFile, 'sub')].map(async (dir) => {
      const srv = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', dir] });
      try {
        const r = await srv.call('explore', { symbol: 'Engine.run' }, { timeout: 60_000 });
        assert.notEqual(r.isError, true, `--cache-dir ${dir}: ${textOf(r)}`);
        assert.ok(srv.alive());
      } finally {
        await srv.close();
      }
    }));
  });

  test('two servers sharing one cache directory at the same time both answer correctly', async () => {
    const repo = makeGitRepo(SOURCES, 'dsm-cacheshare-');
    const base = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', cacheDir()] });
    const baseline = await probeAll(base);
    await base.close();
    const shared = cacheDir();
    const [x, y] = await Promise.all([0, 1].map(() => serve({ args: ['--repo', `r=${repo}`, '--cache-dir', shared] })));
    try {
      const [ax, ay] = await Promise.all([probeAll(x), probeAll(y)]);
      ax.forEach((a, i) => assert.equal(a, baseline[i], `server 1: ${PROBES[i][0]}`));
      ay.forEach((a, i) => assert.equal(a, baseline[i], `server 2: ${PROBES[i][0]}`));
    } finally {
      await x.close();
      await y.close();
    }
    // And a third start reads what they left.
    const z = await serve({ args: ['--repo', `r=${repo}`, '--cache-dir', shared] });
    try {
      (await probeAll(z)).forEach((a, i) => assert.equal(a, baseline[i], `after sharing: ${PROBES[i][0]}`));
    } finally {
      await z.close();
    }
  });
});
