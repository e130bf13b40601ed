/**
 * Skills: `skills/<name>/SKILL.md` files are the single source of the MCP prompts and `skill://` resources.
 *
 * Frontmatter contract (a strict YAML subset, so Claude Code reads the same file as a skill):
 *   name: kebab-case, equal to the folder name          description: when to use it (one line)
 *   allowed-tools: a comma list or a block list         argument-hint: shown by Claude Code (optional)
 *   arguments: the argument names, in order (a block list; Claude Code's own meaning of this key)
 *   argument-specs:                                     (ours: one entry per name, same order)
 *     - name: topic
 *       description: "..."
 *       required: false
 *       complete: symbol | flow | flow-or-symbol | repo   (where completions come from)
 * The body may use `$ARGUMENTS`, replaced by the argument values joined with spaces (as Claude Code does).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

export const COMPLETION_SOURCES = ['symbol', 'flow', 'flow-or-symbol', 'repo'] as const;
export type CompletionSource = (typeof COMPLETION_SOURCES)[number];

export interface SkillArgument {
  name: string;
  description: string;
  required: boolean;
  complete?: CompletionSource;
}

export interface Skill {
  name: string;
  description: string;
  allowedTools: string[];
  argumentHint?: string;
  arguments: SkillArgument[];
  /** Markdown after the frontmatter. */
  body: string;
  /** The whole file, as served by `skill://NAME`. */
  text: string;
  file: string;
}

type Scalar = string;
type Value = Scalar | Scalar[] | Record<string, Scalar>[];

export const SKILLS_DIR = join(PACKAGE_ROOT, 'skills');

/** Every `skills/<name>/SKILL.md`, sorted by name. A malformed file throws with its path and line. */
export function loadSkills(dir: string = SKILLS_DIR): Skill[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'SKILL.md')))
    .map((e) => {
      const file = join(dir, e.name, 'SKILL.md');
      const skill = parseSkill(readFileSync(file, 'utf8'), file);
      if (skill.name !== e.name) throw new Error(`${file}: name "${skill.name}" differs from its folder "${e.name}"`);
      return skill;
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function parseSkill(text: string, file = 'SKILL.md'): Skill {
  const lines = text.split(/\r?\n/);
  if (lines[0] !== '---') throw new Error(`${file}:1: expected frontmatter starting with ---`);
  const end = lines.indexOf('---', 1);
  if (end < 0) throw new Error(`${file}: frontmatter is not closed with ---`);
  const fm = parseFrontmatter(lines.slice(1, end), file);
  const str = (key: string, required = true): string | undefined => {
    const v = fm[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || !v.trim()) throw new Error(`${file}: frontmatter "${key}" must be a non-empty string`);
    return v;
  };
  const name = str('name')!;
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new Error(`${file}: name "${name}" must be kebab-case`);
  const tools = fm['allowed-tools'];
  const allowedTools = typeof tools === 'string' ? tools.split(',').map((t) => t.trim()).filter(Boolean)
    : Array.isArray(tools) && tools.every((t) => typeof t === 'string') ? (tools as string[]) : [];
  if (!allowedTools.length) throw new Error(`${file}: frontmatter "allowed-tools" must list the tools the skill uses`);
  const names = fm.arguments === undefined ? [] : typeof fm.arguments === 'string' ? fm.arguments.split(/\s+/).filter(Boolean) : fm.arguments;
  if (!names.every((n) => typeof n === 'string')) throw new Error(`${file}: "arguments" must list argument names (strings)`);
  const specs = fm['argument-specs'] ?? [];
  if (!Array.isArray(specs) || specs.some((a) => typeof a !== 'object')) throw new Error(`${file}: "argument-specs" must be a list of mappings`);
  const specNames = (specs as Record<string, string>[]).map((a) => a.name);
  if (specNames.join(' ') !== (names as string[]).join(' ')) {
    throw new Error(`${file}: "argument-specs" names (${specNames.join(', ')}) must match "arguments" (${(names as string[]).join(', ')}) in order`);
  }
  const args = (specs as Record<string, string>[]).map((a): SkillArgument => {
    if (!a.name || !/^[a-z][a-z0-9_]*$/.test(a.name)) throw new Error(`${file}: argument name "${a.name ?? ''}" must be lower_snake_case`);
    if (!a.description) throw new Error(`${file}: argument "${a.name}" needs a description`);
    if (a.complete !== undefined && !(COMPLETION_SOURCES as readonly string[]).includes(a.complete)) {
      throw new Error(`${file}: argument "${a.name}": complete must be one of ${COMPLETION_SOURCES.join(', ')}`);
    }
    return { name: a.name, description: a.description, required: a.required === 'true', complete: a.complete as CompletionSource | undefined };
  });
  return {
    name, description: str('description')!, allowedTools, argumentHint: str('argument-hint', false), arguments: args,
    body: lines.slice(end + 1).join('\n').trim() + '\n', text, file,
  };
}

/** The prompt text: the body with `$ARGUMENTS` filled in, after a line naming the arguments given. */
export function renderSkill(skill: Skill, values: Record<string, string | undefined>): string {
  const given = skill.arguments.filter((a) => values[a.name]?.trim());
  const joined = given.map((a) => values[a.name]!.trim()).join(' ');
  const body = skill.body.replaceAll('$ARGUMENTS', joined || skill.argumentHint || '(no argument given: ask what to look at)');
  const head = given.length ? `Arguments: ${given.map((a) => `${a.name} = ${values[a.name]!.trim()}`).join('; ')}\n\n` : '';
  return `${head}${body}`;
}

function parseFrontmatter(lines: string[], file: string): Record<string, Value> {
  const out: Record<string, Value> = {};
  let i = 0;
  const fail = (msg: string): never => { throw new Error(`${file}:${i + 2}: ${msg}`); };
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim() || line.trimStart().startsWith('#')) { i++; continue; }
    const m = /^([A-Za-z][\w-]*):(?:\s+(.*))?$/.exec(line);
    if (!m) fail(`expected "key: value" at top level, got "${line}"`);
    const [, key, rest] = m!;
    i++;
    if (rest !== undefined && rest.trim()) { out[key] = scalar(rest, fail); continue; }
    const items: (string | Record<string, string>)[] = [];
    while (i < lines.length && /^\s+(-\s|\S)/.test(lines[i])) {
      const item = /^(\s+)-\s+(.*)$/.exec(lines[i]);
      if (!item) fail('expected a "- " list item');
      const kv = /^([A-Za-z][\w-]*):\s+(.*)$/.exec(item![2]);
      if (!kv) { items.push(scalar(item![2], fail)); i++; continue; }
      const map: Record<string, string> = { [kv[1]]: scalar(kv[2], fail) };
      const indent = item![1].length + 2;
      i++;
      while (i < lines.length && lines[i].startsWith(' '.repeat(indent)) && !/^\s*-\s/.test(lines[i])) {
        const kv2 = /^\s+([A-Za-z][\w-]*):\s+(.*)$/.exec(lines[i]);
        if (!kv2) fail(`expected "key: value" inside a list item, got "${lines[i].trim()}"`);
        map[kv2![1]] = scalar(kv2![2], fail);
        i++;
      }
      items.push(map);
    }
    out[key] = items as Value;
  }
  return out;
}

function scalar(raw: string, fail: (msg: string) => never): string {
  const s = raw.trim();
  if (s.startsWith('"')) {
    try { return JSON.parse(s) as string; } catch { return fail(`bad double-quoted string ${s}`); }
  }
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) fail(`bad single-quoted string ${s}`);
    return s.slice(1, -1).replaceAll("''", "'");
  }
  if (/^[[{&*!|>%@`]/.test(s)) fail(`unsupported YAML value ${s} (quote it)`);
  if (/:\s|\s#/.test(s)) fail(`plain value "${s}" contains ": " or " #" (quote it)`);
  return s;
}
