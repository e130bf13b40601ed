/**
 * Golden files: readable markdown under test/golden/. `npm run test:update` (UPDATE_GOLDEN=1) rewrites
 * them; otherwise the text must match exactly. Temp-dir paths are normalised first.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/package-root.js';

export function normalise(text: string): string {
  return text.replace(/\/tmp\/dsm-fixture-[A-Za-z0-9]+/g, '<fixture>').replace(/[ \t]+$/gm, '');
}

export function assertGolden(name: string, text: string): void {
  const file = join(PACKAGE_ROOT, 'test/golden', `${name}.md`);
  const actual = normalise(text).trimEnd() + '\n';
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI) assert.fail(`golden file ${name}.md is missing; run npm run test:update`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `golden ${name}.md differs; run npm run test:update to accept`);
}
