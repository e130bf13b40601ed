/**
 * Channel hops: a sender (`tx.send(x)`, `self.event_tx.send(x)`, `queue.put(x)`) linked to the loop that
 * receives from the same channel (`rx.recv().await`, `self.event_rx.recv()`, `queue.get()`) in the same
 * crate/package. Channels are matched by name (`event_tx` ↔ `event_rx`), so these edges are name-only.
 */
import type { Call } from '../index/model.js';
import type { DefRef, Workspace } from '../index/workspace.js';
import type { FileRecord } from '../index/model.js';
import { derived } from './derived.js';
import { unitOf } from './receivers.js';
import type { Target } from './resolver.js';

export const CHANNEL_SEND = new Set(['send', 'try_send', 'blocking_send', 'send_async', 'put', 'put_nowait']);
const RECV = new Set(['recv', 'try_recv', 'recv_many', 'blocking_recv', 'recv_async', 'get', 'get_nowait']);
const MAX_TARGETS = 3;

/** `self.event_tx` → `event`, `tx` → '', `self.request_queue` → `request_queue` (queues keep their name). */
function channelKey(receiver: string, side: 'send' | 'recv'): string | undefined {
  const base = receiver.replace(/^(self|this)\./, '').split('.').pop()!.replace(/\(\)$/, '');
  if (/queue$/i.test(base)) return `q:${base}`;
  const re = side === 'send' ? /^(.*?)_?(tx|sender|sink)$/i : /^(.*?)_?(rx|receiver|stream)$/i;
  const m = re.exec(base);
  return m ? `c:${m[1].toLowerCase()}` : undefined;
}

/** Channel and queue receive sites by channel key (exported for prewarming). */
export const channelReceivers = derived((ws: Workspace) => {
  const map = new Map<string, { ref: DefRef; line: number; text: string }[]>();
  for (const repo of ws.repos.values()) {
    for (const rec of repo.files.values()) {
      for (const c of rec.calls) {
        if (!RECV.has(c.name) || !c.receiver || c.in < 0) continue;
        if ((c.name === 'get' || c.name === 'get_nowait') && !/queue$/i.test(c.receiver)) continue;
        const key = channelKey(c.receiver, 'recv');
        if (!key) continue;
        const k = `${repo.name}|${unitOf(rec.path)}|${key}`;
        const list = map.get(k) ?? [];
        list.push({ ref: { repo: repo.name, file: rec.path, i: c.in }, line: c.line, text: `${c.receiver}.${c.name}()` });
        map.set(k, list);
      }
    }
  }
  return map;
});

export function channelTargets(ws: Workspace, repo: string, rec: FileRecord, call: Call): Target[] {
  if ((call.name === 'put' || call.name === 'put_nowait') && !/queue$/i.test(call.receiver ?? '')) return [];
  const key = channelKey(call.receiver!, 'send');
  if (!key) return [];
  const found = (channelReceivers(ws).get(`${repo}|${unitOf(rec.path)}|${key}`) ?? [])
    .filter((r) => !(r.ref.file === rec.path && r.ref.i === call.in));
  const byDef = new Map<string, (typeof found)[number]>();
  for (const r of found) byDef.set(`${r.ref.file}#${r.ref.i}`, byDef.get(`${r.ref.file}#${r.ref.i}`) ?? r);
  if (!byDef.size || byDef.size > MAX_TARGETS) return [];
  return [...byDef.values()].map((r) => ({
    ref: r.ref, confidence: 'name-only', kind: 'channel',
    via: { repo: r.ref.repo, file: r.ref.file, line: r.line, note: `${call.receiver}.${call.name}() → ${r.text}` },
  }));
}
