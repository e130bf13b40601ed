/** A value derived from the whole workspace, rebuilt lazily when the workspace's generation moves. */
import type { Workspace } from '../index/workspace.js';

export function derived<T>(build: (ws: Workspace) => T): (ws: Workspace) => T {
  const cache = new WeakMap<Workspace, { gen: number; value: T }>();
  return (ws) => {
    const hit = cache.get(ws);
    if (hit && hit.gen === ws.generation) return hit.value;
    const value = build(ws);
    cache.set(ws, { gen: ws.generation, value });
    return value;
  };
}

/**
 * Values computed per key and kept until the workspace's generation moves: answers that recur between two
 * changes of the index (a call's resolution, the architecture map). Callers must not modify a kept value.
 */
export function derivedPerKey<K, V>(): (ws: Workspace, key: K, compute: () => V) => V {
  const maps = derived(() => new Map<K, V>());
  return (ws, key, compute) => {
    const m = maps(ws);
    if (m.has(key)) return m.get(key) as V;
    const value = compute();
    m.set(key, value);
    return value;
  };
}
