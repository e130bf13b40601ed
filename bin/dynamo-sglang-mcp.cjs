#!/usr/bin/env node
/*
 * The command (package.json bin): sizes libuv's thread pool, then runs the CLI (dist/cli/main.js).
 *
 * The native parser parses on libuv's pool threads (src/index/pool.ts). Node sizes that pool when something
 * first uses it, and an ES module entry is itself read through the pool, so the CLI could never size it:
 * this launcher is CommonJS for that one reason. The pool gets as many threads as the index parses with
 * (DSM_THREADS, else the cores up to 4: defaultThreads in src/index/pool.ts), at least 2 so a file read is
 * never queued behind a parse. On 2 cores, 2 threads instead of libuv's 4 made a cold index of both real
 * checkouts ~0.4 s faster (10 of 12 alternating rounds; see ARCHITECTURE.md). An explicit
 * UV_THREADPOOL_SIZE is left alone.
 */
'use strict';
const os = require('node:os');

if (!process.env.UV_THREADPOOL_SIZE) {
  const asked = Number(process.env.DSM_THREADS);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const threads = Number.isInteger(asked) && asked > 0 ? asked : Math.min(cores, 4);
  process.env.UV_THREADPOOL_SIZE = String(Math.max(2, threads));
}
import('../dist/cli/main.js').catch((err) => {
  const unbuilt = err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js');
  process.stderr.write(unbuilt ? 'dynamo-sglang-mcp: dist/cli/main.js is missing: run npm run build\n' : `${(err && err.stack) || err}\n`);
  process.exit(1);
});
