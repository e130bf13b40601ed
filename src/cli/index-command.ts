/** `dynamo-sglang-mcp index [--json]`: build or refresh the cache of every served repo, print counts and timings. */
import { statSync } from 'node:fs';
import type { Workspace } from '../index/workspace.js';
import { parserInUse } from '../lang/native.js';

export async function runIndexCommand(ws: Workspace, json: boolean): Promise<void> {
  const t0 = performance.now();
  await ws.ready();
  const tReady = performance.now();
  await ws.flush();
  const tWritten = performance.now();
  const report = ws.lastReport!;
  const repos = [...ws.repos.values()].map((r) => {
    const rep = report.repos.find((x) => x.name === r.name)!;
    let cacheBytes = 0;
    try {
      cacheBytes = statSync(rep.cacheFile).size;
    } catch {
      /* not written */
    }
    return {
      name: r.name, root: r.root, head: r.head, files: r.allFiles.length, parsed: r.files.size, bytes: r.stats.bytes,
      skipped: r.skipped.length, cache: rep.cacheMiss ? `miss: ${rep.cacheMiss}` : 'hit', fromCache: rep.fromCache,
      reread: rep.reread, removed: rep.removed, cacheFile: rep.cacheFile, cacheBytes,
    };
  });
  const out = {
    repos,
    seconds: {
      ready: (tReady - t0) / 1000, write: (tWritten - tReady) / 1000,
      load: report.ms.load / 1000, scan: report.ms.scan / 1000, parse: report.ms.parse / 1000,
    },
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    /** CPU of the whole process (every thread: workers, parser threads, the compiler's): steadier than wall time on a shared machine. */
    cpuSeconds: cpuSeconds(),
    parser: parserInUse(),
    /** libuv's pool, where the native parser parses: sized by the launcher (bin/), else libuv's default 4. */
    poolThreads: Number(process.env.UV_THREADPOOL_SIZE) || 4,
  };
  if (json) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  const mb = (n: number) => (n / 1048576).toFixed(1);
  for (const r of repos) {
    process.stdout.write(`${r.name}: ${r.root} @ ${r.head?.slice(0, 12) ?? '(not git)'} — ${r.files} files, ${r.parsed} parsed (${mb(r.bytes)} MB), ${r.skipped} skipped\n`);
    const what = r.cache === 'hit' ? `cache hit: ${r.fromCache} files from cache, ${r.reread} changed and re-read, ${r.removed} removed` : `cache ${r.cache}: ${r.reread} files read`;
    process.stdout.write(`  ${what} — ${r.cacheFile} (${mb(r.cacheBytes)} MB)\n`);
  }
  const s = out.seconds;
  process.stdout.write(`indexed in ${s.ready.toFixed(2)} s (load ${s.load.toFixed(2)}, scan ${s.scan.toFixed(2)}, parse ${s.parse.toFixed(2)}), cache written in ${s.write.toFixed(2)} s, ${out.cpuSeconds.toFixed(1)} CPU-s, peak RSS ${out.peakRssMB} MB; parser: ${out.parser}${out.parser === 'native' ? ` on ${out.poolThreads} threads` : ''}\n`);
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1e4) / 100;
}
