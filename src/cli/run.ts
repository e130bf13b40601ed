/**
 * The CLI (started by main.ts). No subcommand: serve MCP over stdio. Subcommands run the same tools and print the same
 * text for humans: `explore|trace|blame|grep [positional] [--param value ...]`, and `index`.
 */
import * as z from 'zod';
import { resolveConfig, type WorkspaceConfig } from '../index/config.js';
import { Workspace } from '../index/workspace.js';
import { runIndexCommand } from './index-command.js';
import { log } from '../log.js';
import { runTool } from '../server/boundary.js';
import { cloneMissing, CloneError } from './clone.js';
import { runDemo } from './demo.js';
import { positionalField } from './positional.js';
import { TOOLS } from '../tools/index.js';
import { VERSION } from '../version.js';

const USAGE = `dynamo-sglang-mcp ${VERSION} — MCP server: explore, trace, blame, grep over Dynamo and SGLang checkouts

Usage:
  dynamo-sglang-mcp [options]                      serve MCP over stdio
  dynamo-sglang-mcp explore [SYMBOL] [--path P] [--query "words"] [--kind K] [--format detailed]
  dynamo-sglang-mcp trace SYMBOL [--direction callers] [--depth N] [--to TARGET] [--flow NAME]
  dynamo-sglang-mcp blame FILE|SYMBOL [--start_line N --end_line M] [--symbol S] [--history true]
  dynamo-sglang-mcp grep PATTERN [--regex false] [--path GLOB] [--lang rust] [--scope code]
  dynamo-sglang-mcp index [--json]                 build or refresh the index cache, print counts and timings
  dynamo-sglang-mcp demo [--keep]                  run the tools on the bundled fixture repos (no checkout needed)

Options:
  --dynamo PATH        Dynamo checkout (default: $DYNAMO_ROOT, then ~/dynamo)
  --sglang PATH        SGLang checkout (default: $SGLANG_ROOT, then ~/sglang)
  --repo NAME=PATH     any other git checkout (repeatable)
  --cache-dir DIR      index cache (default: $XDG_CACHE_HOME/dynamo-sglang-mcp or ~/.cache/dynamo-sglang-mcp)
  --clone              clone Dynamo/SGLang into DIR/checkouts when not found (needs network; opt-in)
  -h, --help           this text
  -v, --version        print the version
With no checkout configured or found, the current directory (or $CLAUDE_PROJECT_DIR) is served.`;

interface Parsed {
  command?: string;
  config: { dynamo?: string; sglang?: string; repos: string[]; cacheDir?: string };
  toolArgs: Record<string, string | true>;
  positional: string[];
  help: boolean;
  version: boolean;
  clone: boolean;
}

export function parseArgv(argv: string[]): Parsed {
  const p: Parsed = { config: { repos: [] }, toolArgs: {}, positional: [], help: false, version: false, clone: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') p.help = true;
    else if (a === '-v' || a === '--version') p.version = true;
    else if (a === '--dynamo') p.config.dynamo = next();
    else if (a === '--sglang') p.config.sglang = next();
    else if (a === '--repo') p.config.repos.push(next());
    else if (a === '--cache-dir') p.config.cacheDir = next();
    else if (a === '--clone') p.clone = true;
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) p.toolArgs[a.slice(2, eq)] = a.slice(eq + 1);
      else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) p.toolArgs[a.slice(2)] = next();
      else p.toolArgs[a.slice(2)] = true;
    } else if (!p.command) p.command = a;
    else p.positional.push(a);
  }
  return p;
}

/** Coerces CLI strings to the types the tool's schema declares. */
function coerce(schema: z.ZodTypeAny, value: string | true): unknown {
  let s: z.ZodTypeAny = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) s = (s as z.ZodOptional<z.ZodTypeAny>).unwrap() as z.ZodTypeAny;
  if (value === true) return true;
  if (s instanceof z.ZodNumber) return Number(value);
  if (s instanceof z.ZodBoolean) return value === 'true' || value === '1' || value === 'yes';
  return value;
}

async function main(): Promise<void> {
  let parsed: Parsed;
  try {
    parsed = parseArgv(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (parsed.version) {
    process.stdout.write(VERSION + '\n');
    return;
  }
  if (parsed.command === 'demo') {
    process.exitCode = await runDemo({ keep: parsed.toolArgs.keep === true || parsed.toolArgs.keep === 'true' });
    return;
  }
  let config: WorkspaceConfig = resolveConfig(parsed.config);
  if (parsed.clone) {
    const explicit = (['dynamo', 'sglang'] as const).filter((n) => parsed.config[n] || process.env[`${n.toUpperCase()}_ROOT`]);
    try {
      const cloned = await cloneMissing({ config, explicit: [...explicit] });
      const found = Object.fromEntries(config.repos.filter((r) => r.name === 'dynamo' || r.name === 'sglang').map((r) => [r.name, r.root]));
      if (Object.keys(cloned).length) config = resolveConfig({ ...parsed.config, ...found, ...cloned });
    } catch (e) {
      if (!(e instanceof CloneError)) throw e;
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
  }
  for (const problem of config.problems) log(problem);
  const ws = new Workspace(config);

  if (!parsed.command) {
    // Loaded only to serve: the SDK is the largest import, and a CLI answer does not need it.
    const { serveStdio } = await import('../server/server.js');
    await serveStdio(ws);
    return;
  }
  if (parsed.command === 'index') {
    await runIndexCommand(ws, parsed.toolArgs.json === true || parsed.toolArgs.json === 'true');
    await ws.close();
    return;
  }
  const tool = TOOLS.find((t) => t.name === parsed.command);
  if (!tool) {
    process.stderr.write(`Unknown command "${parsed.command}".\n\n${USAGE}\n`);
    process.exit(2);
  }
  const args: Record<string, unknown> = {};
  const positional = parsed.positional.join(' ');
  const pos = positional ? positionalField(tool.name, positional) : undefined;
  if (pos) args[pos] = positional;
  for (const [k, v] of Object.entries(parsed.toolArgs)) {
    const field = (tool.input as Record<string, z.ZodTypeAny>)[k];
    args[k] = field ? coerce(field, v) : v;
  }
  const check = z.object(tool.input).strict().safeParse(args);
  if (!check.success) {
    process.stderr.write(`Invalid arguments for ${tool.name}: ${check.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ')}\n`);
    process.exit(2);
  }
  const res = await runTool(tool, check.data, { ws });
  process.stdout.write(res.content.map((c) => c.text).join('\n') + '\n');
  process.exitCode = res.isError ? 1 : 0;
}

main().catch((e) => {
  log(`fatal: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
