/**
 * MCP prompts generated from skills/<name>/SKILL.md (the single source): one prompt per skill, same name,
 * arguments from the frontmatter `arguments:` list, completions from the index (symbol names) and the flow
 * presets. Claude Code shows them as `/mcp__<server>__<name>`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import * as z from 'zod';
import type { Workspace } from '../index/workspace.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { log } from '../log.js';
import { loadSkills, renderSkill, type CompletionSource, type Skill } from './skills.js';

/** The trace presets of the public contract, used when data/flows/ has none. */
export const DEFAULT_FLOWS = ['inference-request', 'kv-cache-lookup', 'kv-events', 'disagg-handoff', 'hicache'];

const MAX_COMPLETIONS = 100;
/** How long a completion waits for a cold index before answering with what it has. */
const READY_WAIT_MS = 3000;

export function registerPrompts(server: McpServer, ws: Workspace, skills: Skill[] = safeLoad()): void {
  for (const skill of skills) {
    const shape: Record<string, z.ZodType<string | undefined>> = {};
    for (const arg of skill.arguments) {
      const source = arg.complete;
      if (!source) {
        shape[arg.name] = (arg.required ? z.string() : z.string().optional()).describe(arg.description);
        continue;
      }
      const cb = (value: string | undefined) => complete(ws, source, value ?? '');
      // The SDK looks for the completer on the optional's inner type when it declares the `completions`
      // capability, and on the field itself when it answers completion/complete: mark both.
      const inner = completable(z.string().describe(arg.description), cb);
      shape[arg.name] = arg.required ? inner : completable(inner.optional().describe(arg.description), cb);
    }
    server.registerPrompt(skill.name, {
      title: titleOf(skill.name),
      description: skill.description,
      argsSchema: shape,
    }, (args) => ({
      description: skill.description,
      messages: [{ role: 'user' as const, content: { type: 'text' as const, text: renderSkill(skill, args as Record<string, string | undefined>) } }],
    }));
  }
}

/** Completion values for one argument, best first, at most 100. */
export async function complete(ws: Workspace, source: CompletionSource, value: string): Promise<string[]> {
  const flows = () => flowNames().filter((f) => f.startsWith(value.trim()));
  switch (source) {
    case 'flow': return flows();
    case 'repo': return ws.config.repos.map((r) => r.name).filter((n) => n.startsWith(value.trim()));
    case 'symbol': return symbolCompletions(ws, value);
    case 'flow-or-symbol': return [...flows(), ...(await symbolCompletions(ws, value))].slice(0, MAX_COMPLETIONS);
  }
}

/** Flow preset names: data/flows/*.json (file name or its `name`), else the contract's list. */
export function flowNames(dir: string = join(PACKAGE_ROOT, 'data/flows')): string[] {
  if (!existsSync(dir)) return DEFAULT_FLOWS;
  const names = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => {
    try {
      const name = (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { name?: unknown }).name;
      return typeof name === 'string' && name ? name : f.slice(0, -5);
    } catch {
      return f.slice(0, -5);
    }
  });
  return names.length ? [...new Set(names)].sort() : DEFAULT_FLOWS;
}

/**
 * Symbol names with this prefix (case-sensitive matches first, then case-insensitive; shorter first).
 * `Type.meth` / `Type::meth` complete methods of types whose name ends with `Type`.
 */
export async function symbolCompletions(ws: Workspace, value: string): Promise<string[]> {
  const prefix = value.trim();
  if (!prefix) return [];
  await Promise.race([ws.ready(), new Promise((r) => setTimeout(r, READY_WAIT_MS).unref())]).catch(() => {});
  const sep = /(::|\.)(?!.*(::|\.))/.exec(prefix);
  if (sep) {
    const container = prefix.slice(0, sep.index);
    const name = prefix.slice(sep.index + sep[0].length);
    const out = new Set<string>();
    for (const [key, refs] of ws.byName) {
      if (!key.startsWith(name)) continue;
      for (const ref of refs) {
        const c = ws.def(ref).container;
        if (c && (c === container || c.endsWith(`.${container}`) || c.endsWith(`::${container}`))) out.add(`${container}${sep[0]}${key}`);
      }
      if (out.size >= MAX_COMPLETIONS) break;
    }
    return [...out].sort(byLength).slice(0, MAX_COMPLETIONS);
  }
  const exact: string[] = [];
  const folded: string[] = [];
  const lower = prefix.toLowerCase();
  for (const key of ws.byName.keys()) {
    if (key.startsWith(prefix)) exact.push(key);
    else if (key.toLowerCase().startsWith(lower)) folded.push(key);
  }
  return [...exact.sort(byLength), ...folded.sort(byLength)].slice(0, MAX_COMPLETIONS);
}

function byLength(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b);
}

function titleOf(name: string): string {
  const acronyms: Record<string, string> = { gpu: 'GPU', kv: 'KV', mcp: 'MCP' };
  return name.split('-').map((w) => acronyms[w] ?? w[0].toUpperCase() + w.slice(1)).join(' ');
}

function safeLoad(): Skill[] {
  try {
    return loadSkills();
  } catch (e) {
    log(`skills not loaded, no prompts registered: ${(e as Error).message}`);
    return [];
  }
}
