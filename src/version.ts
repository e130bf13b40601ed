import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from './package-root.js';
import { join } from 'node:path';

export const VERSION: string = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;
