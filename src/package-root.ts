/**
 * The package root (the directory holding queries/, data/ and skills/), found from this module's own
 * location: dist/package-root.js, or dist-test/src/package-root.js under the tests. Kept free of imports
 * beyond node: so the main thread can read data files without loading the parser runtime.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readdirSync(join(dir, 'queries'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error('dynamo-sglang-mcp: cannot find the queries/ directory of the package');
})();
