/**
 * MCP resources: each skill's text (`skill://NAME`, from skills/NAME/SKILL.md) and each served repo's
 * architecture map (`arch://REPO`, the text of `explore` with no arguments for that repo).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Workspace } from '../index/workspace.js';
import { log } from '../log.js';
import { exploreTool } from '../tools/explore.js';
import type { ToolSpec } from '../tools/types.js';
import { runTool } from './boundary.js';
import { loadSkills, type Skill } from './skills.js';

export function registerResources(server: McpServer, ws: Workspace, skills: Skill[] = safeLoad()): void {
  for (const skill of skills) {
    const uri = `skill://${skill.name}`;
    server.registerResource(`skill-${skill.name}`, uri, {
      title: `Skill: ${skill.name}`,
      description: skill.description,
      mimeType: 'text/markdown',
    }, async () => ({ contents: [{ uri, mimeType: 'text/markdown', text: skill.text }] }));
  }
  for (const repo of ws.config.repos) {
    const uri = `arch://${repo.name}`;
    server.registerResource(`arch-${repo.name}`, uri, {
      title: `Architecture map: ${repo.name}`,
      description: `Layers, entry points and cross-language boundaries of ${repo.name} (${repo.root}); the answer of explore {"repo": "${repo.name}"}.`,
      mimeType: 'text/markdown',
    }, async () => {
      const res = await runTool(exploreTool as unknown as ToolSpec, { repo: repo.name }, { ws });
      const text = res.content.map((c) => c.text).join('\n');
      if (res.isError) throw new Error(text);
      return { contents: [{ uri, mimeType: 'text/markdown', text }] };
    });
  }
}

function safeLoad(): Skill[] {
  try {
    return loadSkills();
  } catch (e) {
    log(`skills not loaded, no skill resources registered: ${(e as Error).message}`);
    return [];
  }
}
