/**
 * File discovery: the files git would show (tracked + untracked-not-ignored), honouring .gitignore.
 * Outside a git checkout, a directory walk that applies .gitignore files with the `ignore` package.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import ignore, { type Ignore } from 'ignore';

const run = promisify(execFile);

/** Directories never worth walking (outside git, or vendored trees git does not ignore). */
const ALWAYS_SKIP = new Set(['.git', 'node_modules', '.hg', '.svn']);

export async function listFiles(root: string, isGit: boolean): Promise<string[]> {
  if (isGit) {
    try {
      // Never let the checkout's config run a program (core.fsmonitor), never inherit GIT_DIR & co., never hang.
      const { stdout } = await run('git', ['-C', root, '-c', 'core.quotepath=off', '-c', 'core.fsmonitor=false', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
        maxBuffer: 256 * 1024 * 1024,
        env: safeGitEnv(),
        // Listing even a 100k-file checkout takes a few seconds; a git that takes longer is stuck (a lock, a
        // network filesystem): the directory walk below answers instead, so the first answer is never held up.
        timeout: 15_000,
        killSignal: 'SIGKILL',
      });
      const seen = new Set<string>();
      for (const f of stdout.split('\0')) if (f) seen.add(f);
      return [...seen].sort();
    } catch {
      // fall through to the walk
    }
  }
  return walk(root);
}

/** The environment for git calls made while indexing: no repo-selecting variables, no system config. */
export function safeGitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_CEILING_DIRECTORIES', 'GIT_CONFIG', 'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT', 'GIT_EXTERNAL_DIFF']) delete env[k];
  return env;
}

function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string, rules: { base: string; ig: Ignore }[]) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const here = [...rules];
    try {
      const gi = readFileSync(join(dir, '.gitignore'), 'utf8');
      here.push({ base: dir, ig: ignore().add(gi) });
    } catch {
      /* no .gitignore here */
    }
    for (const e of entries) {
      if (ALWAYS_SKIP.has(e.name)) continue;
      const full = join(dir, e.name);
      const ignored = here.some(({ base, ig }) => {
        const rel = relative(base, full).split('\\').join('/');
        return ig.ignores(e.isDirectory() ? rel + '/' : rel);
      });
      if (ignored) continue;
      if (e.isDirectory()) visit(full, here);
      else if (e.isFile()) out.push(relative(root, full).split('\\').join('/'));
    }
  };
  visit(root, []);
  return out.sort();
}
