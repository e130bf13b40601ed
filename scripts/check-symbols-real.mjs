// Cross-checks explore's symbol lookup on the real checkouts against an independent count:
// `git grep` for the definition syntax of each language (def/class, fn/struct/enum/trait, C++ function
// definitions at line start). Runs when DYNAMO_ROOT and SGLANG_ROOT are set; says SKIPPED otherwise.
//   DYNAMO_ROOT=... SGLANG_ROOT=... node scripts/check-symbols-real.mjs
import { execFileSync } from 'node:child_process';
import { resolveConfig } from '../dist/index/config.js';
import { Workspace } from '../dist/index/workspace.js';
import { findDefinitions } from '../dist/resolve/lookup.js';

const { DYNAMO_ROOT, SGLANG_ROOT } = process.env;
if (!DYNAMO_ROOT || !SGLANG_ROOT) {
  console.log('check-symbols-real: SKIPPED — set DYNAMO_ROOT and SGLANG_ROOT to the real checkouts.');
  process.exit(0);
}
const NAMES = ['match_prefix', 'schedule', 'find_matches', 'apply_event', 'evict', 'publish', 'KvEventPublisher',
  'RadixCache', 'handle_generate_request', 'generate_request', 'async_generate', 'silu_and_mul', 'forward_batch_generation', 'KvRouter'];

function grepDefs(root, name) {
  const pats = [
    `^\\s*(async\\s+)?def\\s+${name}\\s*\\(`, `^\\s*class\\s+${name}\\b`,
    `^\\s*(pub(\\([a-z]+\\))?\\s+)?(async\\s+)?(unsafe\\s+)?(const\\s+)?fn\\s+${name}\\b`, `^\\s*(pub(\\([a-z]+\\))?\\s+)?(struct|enum|trait|type)\\s+${name}\\b`,
  ];
  const out = new Set();
  for (const p of pats) {
    try {
      const r = execFileSync('git', ['-C', root, 'grep', '-n', '-E', p, '--', '*.py', '*.pyi', '*.rs'], { encoding: 'utf8' });
      for (const l of r.split('\n')) if (l) out.add(l.split(':').slice(0, 2).join(':'));
    } catch { /* no match */ }
  }
  // C/C++/CUDA definitions and declarations: `name(` preceded by a type and followed by a signature.
  try {
    const r = execFileSync('git', ['-C', root, 'grep', '-n', '-E', `^[A-Za-z_][A-Za-z0-9_:<>,* &]*(::|[ *&])${name}\\s*\\(`, '--', '*.cc', '*.cpp', '*.cu', '*.cuh', '*.h', '*.hpp', '*.c'], { encoding: 'utf8' });
    for (const l of r.split('\n')) if (l && !/;\s*$/.test(l) && !/=\s*/.test(l.split(':').slice(2).join(':').split('(')[0])) out.add(l.split(':').slice(0, 2).join(':'));
  } catch { /* no match */ }
  return out;
}

const ws = new Workspace(resolveConfig({ dynamo: DYNAMO_ROOT, sglang: SGLANG_ROOT }));
await ws.ready();
const rows = [];
let allOk = true;
for (const name of NAMES) {
  const ours = new Set(findDefinitions(ws, name).filter((m) => m.def.kind !== 'impl' && !(m.def.decl && !m.ref.file.endsWith('.rs'))).map((m) => `${m.ref.repo}/${m.ref.file}:${m.def.line}`));
  const theirs = new Set([...grepDefs(DYNAMO_ROOT, name)].map((l) => `dynamo/${l}`).concat([...grepDefs(SGLANG_ROOT, name)].map((l) => `sglang/${l}`)));
  // A definition may start a line or two above its name (return type / attributes on their own line).
  const near = (set, l) => { const [f, n] = [l.slice(0, l.lastIndexOf(':')), +l.slice(l.lastIndexOf(':') + 1)]; return [...set].some((o) => o.startsWith(f + ':') && Math.abs(+o.slice(o.lastIndexOf(':') + 1) - n) <= 2); };
  const missing = [...theirs].filter((l) => !near(ours, l));
  const extra = [...ours].filter((l) => !near(theirs, l));
  const ok = missing.length === 0;
  allOk &&= ok;
  rows.push(`| ${name} | ${ours.size} | ${theirs.size} | ${ok ? 'yes' : 'NO'} | ${missing.slice(0, 3).join(' ')} | ${extra.slice(0, 3).join(' ')} |`);
}
console.log('| name | explore defs | git grep defs | all grep defs found | missing (first 3) | extra (first 3) |\n|---|---|---|---|---|---|');
console.log(rows.join('\n'));
process.exitCode = allOk ? 0 : 1;
