/**
 * Skills → prompts and resources, through the real MCP client on the built server (fixture workspace),
 * plus the contract checks on tool schemas: every parameter has a description.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { loadSkills, parseSkill, renderSkill } from '../src/server/skills.js';
import { DEFAULT_FLOWS, flowNames } from '../src/server/prompts.js';
import { TOOLS } from '../src/tools/index.js';
import { withClient } from './helpers/client.js';

const SKILLS = loadSkills();
const OUR_TOOLS = new Set(TOOLS.map((t) => t.name));
/** The four tools of the public contract, some of which may land after this test was written. */
const CONTRACT_TOOLS = new Set(['explore', 'trace', 'blame', 'grep']);

/** Walks a zod schema and returns the paths of object fields that have no description. */
function undescribed(shape: Record<string, z.ZodTypeAny>, prefix = ''): string[] {
  const missing: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    const path = `${prefix}${key}`;
    if (!field.description?.trim()) missing.push(path);
    let inner: z.ZodTypeAny = field;
    while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault || inner instanceof z.ZodNullable) inner = (inner as z.ZodOptional<z.ZodTypeAny>).unwrap() as z.ZodTypeAny;
    if (inner instanceof z.ZodObject) missing.push(...undescribed(inner.shape as Record<string, z.ZodTypeAny>, `${path}.`));
  }
  return missing;
}

test('every tool parameter has a description, and every tool a description written for the model', () => {
  assert.ok(TOOLS.length >= 1);
  for (const tool of TOOLS) {
    assert.deepEqual(undescribed(tool.input as Record<string, z.ZodTypeAny>), [], `${tool.name}: parameters without .describe()`);
    assert.ok(tool.description.length >= 80, `${tool.name}: description too short to tell an agent when to use it`);
    assert.ok(tool.title, `${tool.name}: no title`);
  }
});

test('skills: at least dynamo-explore and codebase-trace; frontmatter names our tools as Claude Code sees them', () => {
  const names = SKILLS.map((s) => s.name);
  for (const required of ['dynamo-explore', 'codebase-trace']) assert.ok(names.includes(required), `skills/${required}/SKILL.md is missing`);
  for (const skill of SKILLS) {
    assert.ok(skill.description.length >= 60 && skill.description.length <= 1024, `${skill.name}: description should say when to use it (60–1024 chars)`);
    const ours = skill.allowedTools.filter((t) => t.startsWith('mcp__'));
    assert.ok(ours.length > 0, `${skill.name}: allowed-tools names none of our tools`);
    for (const t of ours) {
      const m = /^mcp__(dynamo-sglang|plugin_dynamo-sglang_dynamo-sglang)__([a-z]+)$/.exec(t);
      assert.ok(m, `${skill.name}: allowed-tools entry ${t} is not mcp__dynamo-sglang__<tool> (or the plugin form)`);
      assert.ok(CONTRACT_TOOLS.has(m![2]), `${skill.name}: ${t} is not one of ${[...CONTRACT_TOOLS].join(', ')}`);
    }
    // Every tool a skill tells the agent to call with JSON arguments must be one of ours.
    for (const call of skill.body.matchAll(/`([a-z]+) \{/g)) assert.ok(CONTRACT_TOOLS.has(call[1]), `${skill.name}: body calls unknown tool ${call[1]}`);
    assert.ok(skill.body.includes('$ARGUMENTS'), `${skill.name}: body never uses $ARGUMENTS`);
  }
  for (const name of OUR_TOOLS) assert.ok(CONTRACT_TOOLS.has(name), `tool ${name} is not in the contract list of this test`);
});

test('skill frontmatter parser: accepts the documented subset, rejects what it cannot read', () => {
  const ok = parseSkill('---\nname: x-y\ndescription: Use it when testing.\nallowed-tools: mcp__dynamo-sglang__grep, Read\narguments:\n  - topic\nargument-specs:\n  - name: topic\n    description: "a: b"\n    required: true\n    complete: symbol\n---\nBody $ARGUMENTS\n');
  assert.deepEqual(ok.allowedTools, ['mcp__dynamo-sglang__grep', 'Read']);
  assert.deepEqual(ok.arguments, [{ name: 'topic', description: 'a: b', required: true, complete: 'symbol' }]);
  assert.equal(renderSkill(ok, { topic: 'RadixCache' }), 'Arguments: topic = RadixCache\n\nBody RadixCache\n');
  assert.throws(() => parseSkill('no frontmatter'), /frontmatter/);
  assert.throws(() => parseSkill('---\nname: Bad Name\ndescription: d\nallowed-tools: Read\n---\n'), /kebab-case/);
  assert.throws(() => parseSkill('---\nname: a\ndescription: d\n---\n'), /allowed-tools/);
  assert.throws(() => parseSkill('---\nname: a\ndescription: {x}\nallowed-tools: Read\n---\n'), /unsupported YAML/);
  assert.throws(() => parseSkill('---\nname: a\ndescription: d\nallowed-tools: Read\narguments:\n  - t\nargument-specs:\n  - name: t\n    description: d\n    complete: nowhere\n---\n'), /complete must be/);
  assert.throws(() => parseSkill('---\nname: a\ndescription: d\nallowed-tools: Read\narguments:\n  - t\n---\n'), /must match "arguments"/);
});

test('flow names come from data/flows (or the contract list when absent)', () => {
  const flows = flowNames();
  for (const f of DEFAULT_FLOWS) assert.ok(flows.includes(f), `flow ${f} missing from ${flows.join(', ')}`);
  assert.deepEqual(flowNames('/nonexistent-dir'), DEFAULT_FLOWS);
});

test('prompts, completions and resources through the MCP client', async () => {
  await withClient(async (client) => {
    const caps = client.getServerCapabilities();
    assert.ok(caps?.prompts && caps.resources && caps.completions, `capabilities: ${JSON.stringify(caps)}`);

    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts.map((p) => p.name).sort(), SKILLS.map((s) => s.name).sort());
    for (const skill of SKILLS) {
      const listed = prompts.find((p) => p.name === skill.name)!;
      assert.equal(listed.description, skill.description);
      assert.deepEqual(listed.arguments?.map((a) => a.name), skill.arguments.map((a) => a.name));
      const first = skill.arguments[0];
      const value = first?.complete === 'flow' || first?.complete === 'flow-or-symbol' ? 'kv-events' : 'RadixCache.match_prefix';
      const got = await client.getPrompt({ name: skill.name, arguments: first ? { [first.name]: value } : {} });
      const text = got.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
      assert.equal(text, renderSkill(skill, first ? { [first.name]: value } : {}), `${skill.name}: prompt text differs from SKILL.md rendering`);
      assert.ok(text.includes(value) && !text.includes('$ARGUMENTS'), `${skill.name}: argument not substituted`);
      const bare = await client.getPrompt({ name: skill.name, arguments: {} });
      assert.ok(bare.messages.length === 1, `${skill.name}: prompt without arguments does not render`);
    }

    // Completions wait only briefly for a cold index; a tool call waits for it fully.
    await client.callTool({ name: 'explore', arguments: { symbol: 'RadixCache' } });
    const sym = await client.complete({ ref: { type: 'ref/prompt', name: 'dynamo-explore' }, argument: { name: 'topic', value: 'KvEvent' } });
    assert.ok(sym.completion.values.includes('KvEventPublisher'), `symbol completions: ${sym.completion.values.join(', ')}`);
    assert.ok(sym.completion.values.every((v) => v.toLowerCase().startsWith('kvevent')));
    const method = await client.complete({ ref: { type: 'ref/prompt', name: 'dynamo-explore' }, argument: { name: 'topic', value: 'RadixCache.ev' } });
    assert.ok(method.completion.values.includes('RadixCache.evict'), `method completions: ${method.completion.values.join(', ')}`);
    const flow = await client.complete({ ref: { type: 'ref/prompt', name: 'codebase-trace' }, argument: { name: 'flow', value: 'kv-' } });
    assert.deepEqual(flow.completion.values.slice(0, 2), ['kv-cache-lookup', 'kv-events']);
    const none = await client.complete({ ref: { type: 'ref/prompt', name: 'dynamo-explore' }, argument: { name: 'topic', value: 'zzzNoSuchSymbol' } });
    assert.deepEqual(none.completion.values, []);

    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    for (const skill of SKILLS) assert.ok(uris.includes(`skill://${skill.name}`), `skill://${skill.name} not listed`);
    assert.ok(uris.includes('arch://dynamo') && uris.includes('arch://sglang'), `arch resources: ${uris.join(', ')}`);
    const skillText = await client.readResource({ uri: 'skill://codebase-trace' });
    assert.equal((skillText.contents[0] as { text: string }).text, SKILLS.find((s) => s.name === 'codebase-trace')!.text);
    const arch = await client.readResource({ uri: 'arch://sglang' });
    const archText = (arch.contents[0] as { text: string }).text;
    assert.match(archText, /sglang/);
    assert.match(archText, /sgl-kernel\/csrc/);
    assert.doesNotMatch(archText, /^## dynamo/m, 'arch://sglang should map sglang only');
  });
});
