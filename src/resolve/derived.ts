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
