// Marks the CLI entry executable (npx / bin) after tsc.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
