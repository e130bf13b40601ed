/**
 * A C/C++ call whose only definition in the served repos is a prototype (the body comes from a dependency,
 * as sgl-kernel's `rmsnorm` comes from flashinfer): the trace ends at the declaration and says so, in the
 * text and in structuredContent; a function whose body is there is followed to the body, not the header.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { resolveConfig } from '../src/index/config.js';
import { Workspace } from '../src/index/workspace.js';
import { runTool } from '../src/server/boundary.js';
import { traceTool } from '../src/tools/trace.js';
import type { ToolSpec } from '../src/tools/types.js';
import { makeGitRepo, tempDir } from './helpers/hostile.js';

const repo = makeGitRepo({
  'csrc/ops.h': 'void fused_norm(float* x);\nvoid has_body(float* x);\n',
  'csrc/ops.cc': '#include "ops.h"\n\nvoid has_body(float* x) { x[0] = 1; }\n\nvoid entry(float* x) {\n  fused_norm(x);\n  has_body(x);\n}\n',
}, 'dsm-decls-');
const ws = new Workspace(resolveConfig({ repos: [`r=${repo}`], cacheDir: tempDir('dsm-decls-cache-') }));
after(() => ws.close());

test('a callee declared but not defined in the served repos is marked as such; a defined one is its body', async () => {
  const res = await runTool(traceTool as ToolSpec, { symbol: 'entry', depth: 1 }, { ws });
  const s = res.structuredContent as any;
  const text = (res.content as { text: string }[])[0].text;
  const node = (name: string) => s.nodes.find((n: any) => n.name === name);
  assert.deepEqual({ file: node('fused_norm').loc.file, declaration: node('fused_norm').declaration }, { file: 'csrc/ops.h', declaration: true });
  assert.deepEqual({ file: node('has_body').loc.file, declaration: node('has_body').declaration }, { file: 'csrc/ops.cc', declaration: undefined });
  assert.match(text, /`fused_norm` — csrc\/ops\.h:1 \(cpp function declaration; its body is not in the served repos: a dependency's\?\)/);
  assert.match(text, /`has_body` — csrc\/ops\.cc:3 \(cpp function\)/);
});
