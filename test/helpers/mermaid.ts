/**
 * Mermaid validity with mermaid's own parser (not a hand-written checker). mermaid's flowchart parser
 * sanitises labels with DOMPurify, which needs a DOM: a jsdom window is installed once, before mermaid loads.
 */
import assert from 'node:assert/strict';

interface MermaidApi {
  initialize(config: Record<string, unknown>): void;
  parse(text: string, opts?: { suppressErrors?: boolean }): Promise<{ diagramType: string } | false>;
}

let loading: Promise<MermaidApi> | undefined;

function loadMermaid(): Promise<MermaidApi> {
  loading ??= (async () => {
    const g = globalThis as Record<string, unknown>;
    if (!g.window) {
      const { JSDOM } = await import('jsdom');
      const dom = new JSDOM('<!doctype html><html><body></body></html>');
      g.window = dom.window;
      g.document = dom.window.document;
    }
    const mermaid = (await import('mermaid')).default as unknown as MermaidApi;
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    return mermaid;
  })();
  return loading;
}

/** The diagram type mermaid recognised, or the parser's error message. */
export async function parseMermaid(text: string): Promise<{ ok: true; type: string } | { ok: false; error: string }> {
  const mermaid = await loadMermaid();
  try {
    const r = await mermaid.parse(text);
    if (!r) return { ok: false, error: 'mermaid.parse returned false' };
    return { ok: true, type: r.diagramType };
  } catch (e) {
    return { ok: false, error: (e as Error).message ?? String(e) };
  }
}

/** Fails with mermaid's parse error (and the diagram) when `text` is not a valid mermaid diagram. */
export async function assertValidMermaid(text: string, context = 'diagram'): Promise<string> {
  const r = await parseMermaid(text);
  if (!r.ok) assert.fail(`${context} is not valid mermaid:\n${r.error}\n--- diagram ---\n${text}`);
  return r.type;
}

/** The bodies of the ```mermaid fenced blocks of a markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]);
}
