#!/usr/bin/env node
/**
 * Accuracy evaluation on the real Dynamo and SGLang checkouts (issue 8).
 *
 *   DYNAMO_ROOT=/path/to/dynamo SGLANG_ROOT=/path/to/sglang npm run eval [-- options]
 *
 * Starts the built server (dist/cli/main.js) through the MCP SDK client over stdio, runs every question's
 * tool calls from eval/questions.json, collects every location in the answers (structuredContent objects
 * {repo, file, line}; `repo:path:line` / `path:line` in the text as a fallback) and scores recall of the
 * expected locations. The baseline is one plain `rg -n -w NAME` over both checkouts per question.
 * Prints a markdown table (ours vs rg per category) and writes eval/last-report.json.
 *
 * Options:
 *   --questions FILE   question set (default eval/questions.json)
 *   --only A,B         only questions whose id or category (or bridge kind) is listed
 *   --no-baseline      skip the rg baseline
 *   --timeout SEC      per-call timeout after the first answer (default 180)
 *   --first-timeout SEC  timeout of the first call, which waits for the index (default 900)
 *   --out FILE         JSON report (default eval/last-report.json)
 *   --server-arg ARG   extra argument for the server (repeatable), e.g. --server-arg=--cache-dir=/tmp/c
 *   --verbose          print every call as it runs
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_TOLERANCE = 2;

// ---------------------------------------------------------------- options
function parseOptions(argv) {
  const o = {
    questions: join(ROOT, 'eval/questions.json'),
    only: null,
    baseline: true,
    timeout: 180,
    firstTimeout: 900,
    out: join(ROOT, 'eval/last-report.json'),
    serverArgs: [],
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const val = () => (v !== undefined ? v : argv[++i]);
    if (a === '--questions') o.questions = resolve(val());
    else if (a === '--only') o.only = new Set(val().split(',').map((s) => s.trim()).filter(Boolean));
    else if (a === '--no-baseline') o.baseline = false;
    else if (a === '--timeout') o.timeout = Number(val());
    else if (a === '--first-timeout') o.firstTimeout = Number(val());
    else if (a === '--out') o.out = resolve(val());
    else if (a === '--server-arg') o.serverArgs.push(val());
    else if (a === '--verbose') o.verbose = true;
    else if (a === '-h' || a === '--help') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
      process.exit(0);
    } else {
      console.error(`eval: unknown option ${a} (see --help)`);
      process.exit(2);
    }
  }
  return o;
}

// ---------------------------------------------------------------- location extraction
/** Every object {repo?, file, line} (and {repo, file} without line) anywhere in structuredContent. */
export function structuredLocations(value) {
  const locs = [];
  const paths = [];
  const strings = [];
  const walk = (v, depth) => {
    if (depth > 40 || v === null || v === undefined) return;
    if (typeof v === 'string') {
      strings.push(v);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    if (typeof v !== 'object') return;
    if (typeof v.file === 'string') {
      const repo = typeof v.repo === 'string' ? v.repo : undefined;
      if (Number.isInteger(v.line)) {
        locs.push({ repo, file: v.file, line: v.line, endLine: Number.isInteger(v.endLine) ? v.endLine : undefined });
      } else paths.push({ repo, file: v.file });
    }
    for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(value, 0);
  return { locs, paths, strings };
}

const REPO_PREFIX = '(?:([A-Za-z0-9_.-]+):)?';
const PATH_RE = '([A-Za-z0-9_.@+-]*(?:/[A-Za-z0-9_.@+-]+)*\\.[A-Za-z0-9]+)';
const TEXT_LOC = new RegExp(`${REPO_PREFIX}${PATH_RE}:(\\d+)(?:-(\\d+))?(?:\\s*\\(\\+\\d+:\\s*([\\d,\\s]+)\\))?`, 'g');

/** `repo:path:line`, `path:line`, `path:line-end`, and the `(+2: 120, 131)` extra lines that follow a location. */
export function textLocations(text, knownRepos) {
  const locs = [];
  TEXT_LOC.lastIndex = 0;
  let m;
  while ((m = TEXT_LOC.exec(text))) {
    let [, repo, file, line, , extra] = m;
    if (repo && !knownRepos.has(repo)) {
      // `foo.py:12` preceded by something like `in:`; treat the whole thing as the path.
      file = `${repo}:${file}`;
      repo = undefined;
    }
    if (!file || file.includes('://')) continue;
    locs.push({ repo, file, line: Number(line) });
    if (extra) for (const n of extra.split(',').map((s) => Number(s.trim())).filter(Number.isInteger)) locs.push({ repo, file, line: n });
  }
  return locs;
}

function pathMatches(expected, got, allowSuffix) {
  if (got === expected) return true;
  if (!allowSuffix) return false;
  const g = got.replace(/^\.?\//, '');
  return g.length > 0 && g.includes('/') ? expected.endsWith('/' + g) : expected.endsWith('/' + g) && g.length > 3;
}

const HEX = /\b[0-9a-f]{7,40}\b/g;

/** Decides for one expectation whether the collected evidence contains it; returns the source or null. */
export function findExpectation(exp, ev) {
  if (exp.commit) {
    const want = exp.commit.toLowerCase();
    for (const src of ['structured', 'text']) {
      for (const s of ev[src === 'structured' ? 'structStrings' : 'texts']) {
        for (const tok of s.toLowerCase().match(HEX) ?? []) {
          if (tok.length >= 7 && (want.startsWith(tok) || tok.startsWith(want))) return src;
        }
      }
    }
    return null;
  }
  const repoOk = (r) => !r || !exp.repo || r === exp.repo;
  if (exp.dir) {
    const dir = exp.dir.replace(/\/+$/, '');
    const under = (f) => f === dir || f.startsWith(dir + '/');
    if (ev.structLocs.some((l) => repoOk(l.repo) && under(l.file)) || ev.structPaths.some((p) => repoOk(p.repo) && under(p.file))) return 'structured';
    if (ev.structStrings.some((s) => s === dir || s === dir + '/')) return 'structured';
    if (ev.texts.some((t) => t.includes(dir))) return 'text';
    return null;
  }
  if (exp.line === undefined) {
    if (ev.structLocs.some((l) => repoOk(l.repo) && l.file === exp.file) || ev.structPaths.some((p) => repoOk(p.repo) && p.file === exp.file)) return 'structured';
    if (ev.texts.some((t) => t.includes(exp.file))) return 'text';
    return null;
  }
  const tol = exp.tolerance ?? DEFAULT_TOLERANCE;
  const near = (l) => Math.abs(l.line - exp.line) <= tol;
  if (ev.structLocs.some((l) => repoOk(l.repo) && l.file === exp.file && near(l))) return 'structured';
  if (ev.textLocs.some((l) => repoOk(l.repo) && pathMatches(exp.file, l.file, true) && near(l))) return 'text';
  return null;
}

function describe(exp) {
  if (exp.commit) return `commit ${exp.commit}${exp.pr ? ` (#${exp.pr})` : ''}`;
  if (exp.dir) return `${exp.repo}:${exp.dir}`;
  return `${exp.repo}:${exp.file}${exp.line !== undefined ? `:${exp.line}` : ''}`;
}

// ---------------------------------------------------------------- statistics
const tokens = (chars) => Math.round(chars / 4);
function quantile(xs, q) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}
const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');

// ---------------------------------------------------------------- MCP session
async function loadSdk() {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const { CallToolResultSchema } = await import('@modelcontextprotocol/sdk/types.js');
  return { Client, StdioClientTransport, CallToolResultSchema };
}

class Session {
  constructor(sdk, serverArgs, logPath) {
    this.sdk = sdk;
    this.serverArgs = serverArgs;
    this.log = createWriteStream(logPath, { flags: 'a' });
    this.client = null;
    this.tools = new Set();
    this.starts = 0;
  }

  async start() {
    const { Client, StdioClientTransport } = this.sdk;
    this.starts++;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, 'dist/cli/main.js'), ...this.serverArgs],
      env: { ...process.env },
      stderr: 'pipe',
      cwd: ROOT,
    });
    transport.stderr?.on('data', (d) => this.log.write(d));
    this.closed = false;
    transport.onclose = () => {
      this.closed = true;
    };
    const client = new Client({ name: 'dynamo-sglang-mcp-eval', version: '1.0.0' });
    await client.connect(transport);
    this.client = client;
    this.fresh = true; // the first call of a new server waits for its index
    const listed = await client.listTools();
    this.tools = new Set(listed.tools.map((t) => t.name));
    return listed.tools.map((t) => t.name);
  }

  async call(tool, args, timeoutSec) {
    if (!this.client || this.closed) await this.start();
    if (!this.tools.has(tool)) {
      return { ok: false, ms: 0, error: `tool "${tool}" is not registered by the server (tools: ${[...this.tools].join(', ')})`, missingTool: true };
    }
    if (this.fresh) timeoutSec = Math.max(timeoutSec, this.firstTimeout ?? timeoutSec);
    const t0 = performance.now();
    try {
      // client.request (not callTool): an answer whose structuredContent fails the declared outputSchema
      // is still scored; the schema is tested elsewhere.
      const res = await this.client.request(
        { method: 'tools/call', params: { name: tool, arguments: args } },
        this.sdk.CallToolResultSchema,
        { timeout: timeoutSec * 1000, maxTotalTimeout: timeoutSec * 1000 },
      );
      const ms = performance.now() - t0;
      this.fresh = false;
      const text = (res.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
      return { ok: !res.isError, isError: !!res.isError, ms, text, structured: res.structuredContent };
    } catch (e) {
      const ms = performance.now() - t0;
      const crashed = this.closed;
      if (crashed) this.client = null;
      return { ok: false, ms, error: `${e?.message ?? e}${crashed ? ' (server exited; restarted for the next call)' : ''}` };
    }
  }

  async close() {
    try {
      await this.client?.close();
    } catch {
      /* ignore */
    }
    this.log.end();
  }
}

// ---------------------------------------------------------------- rg baseline
function rgAvailable() {
  const r = spawnSync('rg', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

function runRg(name, roots) {
  const t0 = performance.now();
  const r = spawnSync('rg', ['-n', '-w', '--no-heading', '--color', 'never', '-F', '--', name, ...roots.map((x) => x.path)], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - t0;
  const out = r.stdout ?? '';
  const locs = [];
  for (const line of out.split('\n')) {
    const m = /^(.*?):(\d+):/.exec(line);
    if (!m) continue;
    const abs = m[1];
    const root = roots.find((x) => abs.startsWith(x.path + '/'));
    if (!root) continue;
    locs.push({ repo: root.name, file: abs.slice(root.path.length + 1), line: Number(m[2]) });
  }
  return { ms, chars: out.length, hits: locs.length, locs };
}

function rgFinds(exp, locs) {
  if (exp.commit) return false;
  if (exp.dir) {
    const dir = exp.dir.replace(/\/+$/, '');
    return locs.some((l) => l.repo === exp.repo && l.file.startsWith(dir + '/'));
  }
  if (exp.line === undefined) return locs.some((l) => l.repo === exp.repo && l.file === exp.file);
  const tol = exp.tolerance ?? DEFAULT_TOLERANCE;
  return locs.some((l) => l.repo === exp.repo && l.file === exp.file && Math.abs(l.line - exp.line) <= tol);
}

// ---------------------------------------------------------------- main
async function main() {
  const opt = parseOptions(process.argv.slice(2));
  const dynamo = process.env.DYNAMO_ROOT;
  const sglang = process.env.SGLANG_ROOT;
  if (!dynamo || !sglang) {
    console.log(
      'eval skipped: set DYNAMO_ROOT and SGLANG_ROOT to the real checkouts, e.g.\n' +
        '  DYNAMO_ROOT=/work/checkouts/dynamo SGLANG_ROOT=/work/checkouts/sglang npm run eval',
    );
    return 0;
  }
  for (const [n, p] of [['DYNAMO_ROOT', dynamo], ['SGLANG_ROOT', sglang]]) {
    if (!existsSync(p)) {
      console.log(`eval skipped: ${n}=${p} does not exist`);
      return 0;
    }
  }
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
    console.error('eval: dist/cli/main.js not found — run `npm run build` first');
    return 1;
  }

  let questions = JSON.parse(readFileSync(opt.questions, 'utf8'));
  if (opt.only) questions = questions.filter((q) => opt.only.has(q.id) || opt.only.has(q.category) || (q.kind && opt.only.has(q.kind)));
  if (!questions.length) {
    console.error('eval: no question selected');
    return 1;
  }

  const repos = [
    { name: 'dynamo', path: resolve(dynamo) },
    { name: 'sglang', path: resolve(sglang) },
  ];
  const knownRepos = new Set(repos.map((r) => r.name));
  const commits = Object.fromEntries(
    repos.map((r) => [r.name, spawnSync('git', ['-C', r.path, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).stdout?.trim() || '?']),
  );

  let baseline = opt.baseline;
  if (baseline && !rgAvailable()) {
    console.log('eval: ripgrep (rg) not found — baseline skipped. Install it with `apt-get install -y ripgrep`.');
    baseline = false;
  }

  mkdirSync(dirname(opt.out), { recursive: true });
  const logPath = join(dirname(opt.out), 'last-server.log');
  writeFileSync(logPath, '');
  const sdk = await loadSdk();
  const session = new Session(sdk, ['--dynamo', dynamo, '--sglang', sglang, ...opt.serverArgs], logPath);
  session.firstTimeout = opt.firstTimeout;

  console.error(`eval: ${questions.length} questions; starting the server (dynamo@${commits.dynamo}, sglang@${commits.sglang}) …`);
  const tStart = performance.now();
  let toolNames = [];
  try {
    toolNames = await session.start();
  } catch (e) {
    console.error(`eval: the server did not start: ${e?.message ?? e} (see ${logPath})`);
    return 1;
  }
  console.error(`eval: server tools: ${toolNames.join(', ')}`);

  // The first answer waits for the index; it is timed separately and left out of the latency figures.
  const warm = await session.call('explore', {}, opt.firstTimeout);
  const firstAnswerMs = performance.now() - tStart;
  console.error(
    `eval: first answer after ${(firstAnswerMs / 1000).toFixed(1)} s${warm.ok ? '' : ` (warm-up failed: ${warm.error ?? 'isError'})`}`,
  );

  const results = [];
  let done = 0;
  for (const q of questions) {
    const ev = { structLocs: [], structPaths: [], structStrings: [], textLocs: [], texts: [] };
    const calls = [];
    for (const c of q.calls) {
      const r = await session.call(c.tool, c.args, opt.timeout);
      const call = {
        tool: c.tool,
        args: c.args,
        ok: r.ok,
        ms: Math.round(r.ms),
        error: r.error ?? (r.isError ? r.text?.slice(0, 600) : undefined),
        missingTool: !!r.missingTool,
        textChars: r.text?.length ?? 0,
        tokens: tokens(r.text?.length ?? 0),
        structuredChars: r.structured ? JSON.stringify(r.structured).length : 0,
        noStructured: r.ok && !r.structured,
      };
      if (r.text !== undefined && !r.isError) {
        ev.texts.push(r.text);
        ev.textLocs.push(...textLocations(r.text, knownRepos));
      }
      if (r.structured && !r.isError) {
        const s = structuredLocations(r.structured);
        ev.structLocs.push(...s.locs);
        ev.structPaths.push(...s.paths);
        ev.structStrings.push(...s.strings);
      }
      call.locations = ev.structLocs.length;
      call._text = r.text;
      calls.push(call);
      if (opt.verbose) console.error(`  ${q.id}: ${c.tool} ${JSON.stringify(c.args)} → ${call.ok ? 'ok' : 'FAIL'} ${call.ms} ms, ${call.tokens} tok${call.error ? ` — ${call.error.split('\n')[0]}` : ''}`);
    }
    const expect = q.expect.map((e) => ({ ...e, found: findExpectation(e, ev) }));
    const found = expect.filter((e) => e.found).length;

    let rg;
    if (baseline) {
      const r = runRg(q.name, repos);
      const rgExpect = q.expect.map((e) => rgFinds(e, r.locs));
      rg = { name: q.name, ms: Math.round(r.ms), hits: r.hits, tokens: tokens(r.chars), found: rgExpect.filter(Boolean).length, per: rgExpect };
    }
    const missed = expect.filter((e) => !e.found);
    results.push({
      id: q.id,
      category: q.category,
      kind: q.kind,
      question: q.question,
      expected: expect.length,
      found,
      full: found === expect.length,
      expect: expect.map((e) => ({ what: describe(e), found: e.found, ...(e.note ? { note: e.note } : {}) })),
      calls: calls.map(({ _text, ...c }) => ({
        ...c,
        // Keep the answer text of questions that missed something, so the miss can be diagnosed.
        ...(missed.length && _text ? { text: _text.length > 6000 ? _text.slice(0, 6000) + `\n… [${_text.length - 6000} more chars]` : _text } : {}),
      })),
      rg,
    });
    done++;
    if (!opt.verbose) process.stderr.write(`\reval: ${done}/${questions.length} questions`);
  }
  if (!opt.verbose) process.stderr.write('\n');
  await session.close();

  // ------------------------------------------------------------ aggregate
  const groups = new Map();
  const add = (key, r) => {
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  };
  const catOrder = ['definition', 'outline', 'callers', 'callees', 'path', 'bridge', 'flow', 'directory', 'tests', 'where-to-add', 'blame'];
  for (const r of results) {
    add(r.category, r);
    if (r.category === 'bridge' && r.kind) add(`bridge: ${r.kind}`, r);
  }
  const keys = [...groups.keys()].sort((a, b) => {
    const ia = catOrder.indexOf(a.split(':')[0]);
    const ib = catOrder.indexOf(b.split(':')[0]);
    return ia - ib || (a.includes(':') ? 1 : 0) - (b.includes(':') ? 1 : 0) || a.localeCompare(b);
  });
  const summarize = (rs) => {
    const exp = rs.reduce((s, r) => s + r.expected, 0);
    const ours = rs.reduce((s, r) => s + r.found, 0);
    const rgf = rs.reduce((s, r) => s + (r.rg?.found ?? 0), 0);
    const full = rs.filter((r) => r.full).length;
    const rgFull = rs.filter((r) => r.rg && r.rg.found === r.expected).length;
    return { n: rs.length, expected: exp, ours, rg: baseline ? rgf : null, oursRecall: exp ? ours / exp : 0, rgRecall: baseline && exp ? rgf / exp : null, full, rgFull: baseline ? rgFull : null };
  };
  const perCategory = Object.fromEntries(keys.map((k) => [k, summarize(groups.get(k))]));
  const overall = summarize(results);

  const allCalls = results.flatMap((r) => r.calls);
  const answered = allCalls.filter((c) => c.ok);
  const tokList = answered.map((c) => c.tokens);
  const msList = answered.map((c) => c.ms);
  const perTool = {};
  for (const c of allCalls) {
    const t = (perTool[c.tool] ??= { calls: 0, failed: 0, missingTool: 0, ms: [], tokens: [] });
    t.calls++;
    if (!c.ok) t.failed++;
    if (c.missingTool) t.missingTool++;
    if (c.ok) {
      t.ms.push(c.ms);
      t.tokens.push(c.tokens);
    }
  }
  const toolStats = Object.fromEntries(
    Object.entries(perTool).map(([k, t]) => [
      k,
      { calls: t.calls, failed: t.failed, missingTool: t.missingTool, latencyMs: { median: quantile(t.ms, 0.5), p90: quantile(t.ms, 0.9), max: quantile(t.ms, 1) }, tokens: { median: quantile(t.tokens, 0.5), p90: quantile(t.tokens, 0.9), max: quantile(t.tokens, 1) } },
    ]),
  );
  const rgTok = results.filter((r) => r.rg).map((r) => r.rg.tokens);
  const rgMs = results.filter((r) => r.rg).map((r) => r.rg.ms);

  // ------------------------------------------------------------ print
  const lines = [];
  lines.push(`## Eval — dynamo@${commits.dynamo}, sglang@${commits.sglang}, ${results.length} questions, ${overall.expected} expected locations`);
  lines.push('');
  lines.push('| category | our recall | rg recall | n | fully answered (ours / rg) |');
  lines.push('|---|---|---|---|---|');
  for (const k of keys) {
    const s = perCategory[k];
    lines.push(`| ${k} | ${pct(s.ours, s.expected)} (${s.ours}/${s.expected}) | ${baseline ? `${pct(s.rg, s.expected)} (${s.rg}/${s.expected})` : '—'} | ${s.n} | ${s.full} / ${baseline ? s.rgFull : '—'} |`);
  }
  lines.push(`| **overall** | **${pct(overall.ours, overall.expected)}** (${overall.ours}/${overall.expected}) | **${baseline ? pct(overall.rg, overall.expected) : '—'}**${baseline ? ` (${overall.rg}/${overall.expected})` : ''} | ${overall.n} | ${overall.full} / ${baseline ? overall.rgFull : '—'} |`);
  lines.push('');
  lines.push(`Answer size (text, tokens = chars/4): median ${quantile(tokList, 0.5) ?? '—'}, p90 ${quantile(tokList, 0.9) ?? '—'}, max ${quantile(tokList, 1) ?? '—'} over ${answered.length} answered calls` + (baseline ? `; rg output: median ${quantile(rgTok, 0.5)}, p90 ${quantile(rgTok, 0.9)}, max ${quantile(rgTok, 1)}` : ''));
  lines.push(`Latency per call: median ${quantile(msList, 0.5) ?? '—'} ms, p90 ${quantile(msList, 0.9) ?? '—'} ms (first answer, incl. indexing: ${(firstAnswerMs / 1000).toFixed(1)} s)` + (baseline ? `; rg: median ${quantile(rgMs, 0.5)} ms, p90 ${quantile(rgMs, 0.9)} ms` : ''));
  lines.push('');
  lines.push('| tool | calls | failed | median ms | p90 ms | median tok | p90 tok | max tok |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const [k, t] of Object.entries(toolStats)) {
    lines.push(`| ${k} | ${t.calls} | ${t.failed}${t.missingTool ? ` (${t.missingTool} tool missing)` : ''} | ${t.latencyMs.median ?? '—'} | ${t.latencyMs.p90 ?? '—'} | ${t.tokens.median ?? '—'} | ${t.tokens.p90 ?? '—'} | ${t.tokens.max ?? '—'} |`);
  }
  const failedCalls = allCalls.filter((c) => !c.ok);
  const missQs = results.filter((r) => !r.full);
  if (missQs.length) {
    lines.push('');
    lines.push(`### Misses (${missQs.length} questions)`);
    for (const r of missQs) {
      const miss = r.expect.filter((e) => !e.found).map((e) => e.what);
      const errs = r.calls.filter((c) => !c.ok).map((c) => `${c.tool}: ${(c.error ?? '').split('\n')[0].slice(0, 160)}`);
      lines.push(`- \`${r.id}\` [${r.category}${r.kind ? `/${r.kind}` : ''}] ${r.found}/${r.expected} — missing ${miss.join(', ')}${errs.length ? ` — errors: ${errs.join(' | ')}` : ''}`);
    }
  }
  const textOnly = results.flatMap((r) => r.expect.filter((e) => e.found === 'text').map((e) => `${r.id}: ${e.what}`));
  if (textOnly.length) {
    lines.push('');
    lines.push(`Found only in the text, not in structuredContent (${textOnly.length}): ${textOnly.slice(0, 20).join('; ')}${textOnly.length > 20 ? ' …' : ''}`);
  }
  if (failedCalls.length) lines.push(`\n${failedCalls.length} of ${allCalls.length} calls failed (see the report).`);
  console.log(lines.join('\n'));

  const report = {
    generatedAt: new Date().toISOString(),
    commits,
    questionsFile: opt.questions,
    tools: toolNames,
    serverStarts: session.starts,
    firstAnswerMs: Math.round(firstAnswerMs),
    overall,
    perCategory,
    answerTokens: { median: quantile(tokList, 0.5), p90: quantile(tokList, 0.9), max: quantile(tokList, 1) },
    latencyMs: { median: quantile(msList, 0.5), p90: quantile(msList, 0.9), max: quantile(msList, 1) },
    perTool: toolStats,
    baseline: baseline ? { tokens: { median: quantile(rgTok, 0.5), p90: quantile(rgTok, 0.9) }, latencyMs: { median: quantile(rgMs, 0.5), p90: quantile(rgMs, 0.9) } } : null,
    markdown: lines.join('\n'),
    results,
  };
  writeFileSync(opt.out, JSON.stringify(report, null, 1));
  console.error(`eval: report written to ${opt.out}; server log in ${logPath}`);
  return 0;
}

main().then(
  (code) => process.exit(code ?? 0),
  (e) => {
    console.error(`eval: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
