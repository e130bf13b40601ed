// Compares explore's boundary census with a plain `git grep` count of the same markers on the real
// checkouts. Differences are expected where grep cannot tell code from comments/strings/macros; the
// table shows both so each difference can be explained. Runs when DYNAMO_ROOT/SGLANG_ROOT are set.
//   DYNAMO_ROOT=... SGLANG_ROOT=... node scripts/check-census-real.mjs
import { execFileSync } from 'node:child_process';
import { resolveConfig } from '../dist/index/config.js';
import { Workspace } from '../dist/index/workspace.js';
import { census } from '../dist/resolve/boundaries.js';

const { DYNAMO_ROOT, SGLANG_ROOT } = process.env;
if (!DYNAMO_ROOT || !SGLANG_ROOT) {
  console.log('check-census-real: SKIPPED — set DYNAMO_ROOT and SGLANG_ROOT to the real checkouts.');
  process.exit(0);
}
const C = ['*.cc', '*.cpp', '*.cu', '*.cuh', '*.h', '*.hpp', '*.c'];
const GREP = {
  pymodule: ['#\\[pymodule', ['*.rs']],
  pyclass: ['#\\[pyclass', ['*.rs']],
  pymethods: ['#\\[pymethods', ['*.rs']],
  pyfunction: ['#\\[pyfunction', ['*.rs']],
  'pybind-module': ['PYBIND11_MODULE\\(', C],
  'torch-library': ['^TORCH_LIBRARY', C],
  'torch-op': ['^\\s*m\\.def\\(\\s*"', C],
  'cuda-kernel': ['__global__', ['*.cu', '*.cuh', '*.h', '*.hpp', '*.cc', '*.cpp']],
  'cuda-launch': ['<<<', ['*.cu', '*.cuh']],
  'triton-kernel': ['^\\s*@(triton\\.)?jit', ['*.py']],
  'triton-launch': ['\\w\\[[^]]*\\]\\(', ['*.py']],
  'extern-c-def': ['extern "C"|no_mangle', [...C, '*.rs']],
  'extern-c-decl': ['extern "C"', ['*.rs']],
  'zmq-send': ['\\.send_pyobj\\(', ['*.py']],
  'type-dispatch': ['TypeBasedDispatcher\\(', ['*.py']],
  'serve-endpoint': ['\\.serve_endpoint\\(', ['*.py', '*.rs']],
};

function grepCount(root, pattern, globs) {
  try {
    const out = execFileSync('git', ['-C', root, 'grep', '-E', '-c', pattern, '--', ...globs], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).reduce((n, l) => n + Number(l.split(':').pop()), 0);
  } catch { return 0; }
}

const ws = new Workspace(resolveConfig({ dynamo: DYNAMO_ROOT, sglang: SGLANG_ROOT }));
await ws.ready();
console.log('| repo | marker | census | git grep | note |\n|---|---|---|---|---|');
for (const repo of ws.repos.values()) {
  const root = repo.name === 'dynamo' ? DYNAMO_ROOT : SGLANG_ROOT;
  for (const row of census(repo)) {
    const [pat, globs] = GREP[row.rule.id] ?? [];
    const g = pat ? grepCount(root, pat, globs) : NaN;
    if (!row.count && !g) continue;
    const note = row.count === g ? 'equal' : row.count < g ? 'grep also counts comments, strings, macro bodies or non-kernel subscripts' : 'census counts what grep\'s line pattern misses';
    console.log(`| ${repo.name} | ${row.rule.label} | ${row.count} | ${g} | ${note} |`);
  }
}
