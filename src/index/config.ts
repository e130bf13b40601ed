/**
 * Workspace configuration: which checkouts are served, under which names, and where the cache lives.
 * Sources, strongest first: --dynamo/--sglang/--repo flags, DYNAMO_ROOT/SGLANG_ROOT, ~/dynamo and ~/sglang,
 * and finally the current directory (or CLAUDE_PROJECT_DIR) as one repo.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';

export interface RepoSpec {
  name: string;
  root: string;
  isGit: boolean;
  /** How this repo was chosen: `--dynamo`, `DYNAMO_ROOT`, `~/dynamo`, `cwd`… */
  source: string;
}

export interface WorkspaceConfig {
  repos: RepoSpec[];
  cacheDir: string;
  /** Problems to show on stderr and in explore's answer. */
  problems: string[];
  /** Which of the known repos (dynamo, sglang) are not served, with how to point at them. */
  missing: { name: string; hint: string }[];
}

export interface ConfigInput {
  dynamo?: string;
  sglang?: string;
  repos?: string[];
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  home?: string;
}

export const KNOWN_REPOS = ['dynamo', 'sglang'] as const;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function isGitCheckout(root: string): boolean {
  return existsSync(join(root, '.git'));
}

export function resolveConfig(input: ConfigInput): WorkspaceConfig {
  const env = input.env ?? process.env;
  const home = input.home ?? homedir();
  const cwd = input.cwd ?? process.cwd();
  const problems: string[] = [];
  const repos: RepoSpec[] = [];

  const add = (name: string, path: string, source: string, quietIfMissing = false): void => {
    const root = resolve(cwd, path.startsWith('~/') ? join(home, path.slice(2)) : path);
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      if (!quietIfMissing) problems.push(`${name}: ${root} (from ${source}) does not exist or is not a directory; ${name} is not served.`);
      return;
    }
    if (repos.some((r) => r.name === name)) {
      problems.push(`${name}: already served from ${repos.find((r) => r.name === name)!.root}; ignoring ${root} (from ${source}).`);
      return;
    }
    const isGit = isGitCheckout(root);
    if (!isGit) problems.push(`${name}: ${root} is not a git checkout; it is indexed, but blame and history are unavailable.`);
    repos.push({ name, root, isGit, source });
  };

  if (input.dynamo) add('dynamo', input.dynamo, '--dynamo');
  else if (env.DYNAMO_ROOT) add('dynamo', env.DYNAMO_ROOT, 'DYNAMO_ROOT');
  if (input.sglang) add('sglang', input.sglang, '--sglang');
  else if (env.SGLANG_ROOT) add('sglang', env.SGLANG_ROOT, 'SGLANG_ROOT');
  for (const spec of input.repos ?? []) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.slice(0, eq) : '';
    if (!NAME_RE.test(name) || eq === spec.length - 1) {
      problems.push(`--repo ${spec}: expected NAME=PATH (NAME of letters, digits, '.', '_' or '-'), e.g. --repo vllm=~/src/vllm.`);
      continue;
    }
    add(name, spec.slice(eq + 1), `--repo ${name}`);
  }
  const explicit = !!(input.dynamo || input.sglang || env.DYNAMO_ROOT || env.SGLANG_ROOT || input.repos?.length);
  if (!explicit) {
    for (const name of KNOWN_REPOS) add(name, join(home, name), `~/${name}`, true);
  }
  if (!repos.length) {
    const dir = env.CLAUDE_PROJECT_DIR || cwd;
    const name = sanitizeName(basename(resolve(dir)));
    add(KNOWN_REPOS.includes(name as never) ? name : name, dir, env.CLAUDE_PROJECT_DIR ? 'CLAUDE_PROJECT_DIR' : 'current directory');
  }

  const missing = KNOWN_REPOS.filter((n) => !repos.some((r) => r.name === n)).map((name) => ({
    name,
    hint: `start the server with --${name} /path/to/${name} (or set ${name.toUpperCase()}_ROOT, or clone it to ~/${name})`,
  }));

  const xdg = env.XDG_CACHE_HOME;
  const cacheDir = resolve(cwd, input.cacheDir ?? join(xdg || join(home, '.cache'), 'dynamo-sglang-mcp'));
  return { repos, cacheDir, problems, missing };
}

function sanitizeName(s: string): string {
  const n = s.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return n || 'repo';
}
