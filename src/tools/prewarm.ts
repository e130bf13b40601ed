/**
 * What a served workspace builds in idle time once its index is ready, so that the first answer of each kind
 * does not build it: the architecture map (its boundary census reads, and on a warm start decodes, every
 * file's calls), the reverse call index and the bridge tables (symbol lookups, every trace), the tables a
 * trace resolves through (Python modules, ZMQ dispatch, channel receivers), the topic index
 * (explore query), and the grep corpus (the grep workers read every file). Each of these otherwise costs the
 * first call 0.1–1 s on both checkouts. The steps run one at a time with the event loop free between them,
 * and none starts while a tool call runs, so a call that arrives meanwhile waits for at most the step under
 * way; a step that fails is logged and skipped (the call that needs it builds it, or reports the error, as
 * without prewarming).
 */
import type { Workspace } from '../index/workspace.js';
import { log } from '../log.js';
import { bridgeTables } from '../resolve/bridges.js';
import { callIndex } from '../resolve/calls.js';
import { channelReceivers } from '../resolve/channels.js';
import { dispatchTables } from '../resolve/ipc.js';
import { pythonModules } from '../resolve/modules.js';
import { topicSearch } from '../resolve/topic.js';
import { corpusOf } from '../search/corpus.js';
import { renderArch } from './explore/arch.js';

export interface PrewarmStep {
  name: string;
  run(ws: Workspace): unknown;
}

export const PREWARM_STEPS: PrewarmStep[] = [
  { name: 'architecture map', run: (ws) => renderArch(ws, [...ws.repos.values()], false) },
  { name: 'call index', run: (ws) => callIndex(ws).complete() },
  { name: 'bridge tables', run: (ws) => bridgeTables(ws) },
  { name: 'trace tables', run: (ws) => [pythonModules(ws), dispatchTables(ws), channelReceivers(ws)] },
  { name: 'topic index', run: (ws) => topicSearch(ws, 'request') },
  // One grep worker at a time: the other core stays free for the answers asked meanwhile.
  { name: 'grep corpus', run: (ws) => corpusOf(ws).warm({ oneAtATime: true }) },
];

export interface PrewarmOptions {
  /** The server is closing: stop before the next step. */
  stop?: () => boolean;
  /** A tool call is running: wait for it to finish before the next step, so prewarming yields to answers. */
  busy?: () => boolean;
  steps?: PrewarmStep[];
}

/** Runs the steps in order; resolves with each step's wall time in ms, for the log. */
export async function prewarm(ws: Workspace, opts: PrewarmOptions = {}): Promise<Record<string, number>> {
  const { stop = () => false, busy = () => false, steps = PREWARM_STEPS } = opts;
  const took: Record<string, number> = {};
  for (const step of steps) {
    await new Promise((r) => setImmediate(r));
    while (busy() && !stop()) await new Promise((r) => setTimeout(r, 50));
    if (stop()) break;
    const t = performance.now();
    try {
      await step.run(ws);
    } catch (e) {
      log(`prewarm: ${step.name} failed (${(e as Error).message}); the first call that needs it builds it`);
      continue;
    }
    took[step.name] = Math.round(performance.now() - t);
  }
  return took;
}
