#!/usr/bin/env bash
# Claude Code as a real client (no login needed), in a scratch HOME:
#   1. `claude mcp add` the built server on the fixture workspace; `claude mcp list` must say ✔ Connected
#      (it performs the MCP handshake and tools/list; its exit code is always 0, so the text is checked);
#   2. `claude plugin validate` passes on the checkout (marketplace) and on the plugin manifest;
#   3. the checkout works as a marketplace: the plugin installs, its 4 skills are listed, its server connects.
# Skipped (exit 0, with a SKIP line) when `claude` is not installed: npm i -g @anthropic-ai/claude-code
#   npm run build && bash scripts/check-claude.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if ! command -v claude >/dev/null 2>&1; then
  echo "SKIP check-claude: claude is not installed (npm i -g @anthropic-ai/claude-code, then rerun)"
  exit 0
fi
[ -f dist/cli/main.js ] || { echo "FAIL check-claude: dist/cli/main.js is missing; run npm run build"; exit 1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/dsm-claude-XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
export HOME=$SCRATCH/home
mkdir -p "$HOME"
failures=0
fail() { echo "FAIL check-claude: $*"; failures=$((failures + 1)); }

node --input-type=module -e "const m = await import('$ROOT/test/fixtures/make-fixture-repos.mjs'); await m.makeFixtureRepos('$SCRATCH/fx');"
cd "$SCRATCH" # not the checkout: its project-scoped .mcp.json would be listed too
echo "claude $(claude --version)"

echo "== claude mcp add / list"
claude mcp add dynamo-sglang -- node "$ROOT/dist/cli/main.js" \
  --dynamo "$SCRATCH/fx/dynamo" --sglang "$SCRATCH/fx/sglang" --cache-dir "$SCRATCH/cache"
out=$(claude mcp list 2>&1 || true)
echo "$out"
grep -q '^dynamo-sglang: .*✔ Connected' <<<"$out" || fail "claude mcp list does not show dynamo-sglang connected"

echo "== claude plugin validate"
claude plugin validate "$ROOT" || fail "plugin validate (marketplace) failed"
claude plugin validate "$ROOT/.claude-plugin/plugin.json" || fail "plugin validate (plugin.json) failed"

echo "== plugin from this checkout as a marketplace"
claude plugin marketplace add "$ROOT" || fail "marketplace add failed"
claude plugin install dynamo-sglang@dynamo-sglang-mcp || fail "plugin install failed"
details=$(claude plugin details dynamo-sglang@dynamo-sglang-mcp 2>&1 || true)
echo "$details" | sed -n '1,12p'
for skill in dynamo-explore codebase-trace; do
  grep -q "$skill" <<<"$details" || fail "plugin details do not list the $skill skill"
done
out=$(claude mcp list 2>&1 || true)
echo "$out"
grep -q '^plugin:dynamo-sglang:dynamo-sglang: .*✔ Connected' <<<"$out" || fail "the plugin's server is not connected"

if [ "$failures" -gt 0 ]; then
  echo "check-claude: $failures check(s) failed"
  exit 1
fi
echo "check-claude: all checks passed"
