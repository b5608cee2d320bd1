#!/usr/bin/env bash
# End to end through the official MCP Inspector CLI, as a real client: lists takt's tools
# and calls every one of them over stdio. Node 22 and the Inspector come from the npm
# registry into $TAKT_NODE_CACHE on first use (the project's build-tools/, never $HOME:
# npm's own cache and logs go there too). Exit 77 (skipped) when npm is missing or
# the registry cannot be reached; any failed check exits 1.
set -euo pipefail
takt=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The build tree passes TAKT_NODE_CACHE (tests/CMakeLists.txt): nothing goes into $HOME.
cache=${TAKT_NODE_CACHE:?TAKT_NODE_CACHE names the directory that holds Node 22 and the MCP packages}
if [ ! -x "$cache/node_modules/.bin/inspector" ] || [ ! -x "$cache/node_modules/node/bin/node" ] ||
   [ ! -d "$cache/node_modules/@modelcontextprotocol/sdk" ]; then
  command -v npm >/dev/null || { echo "npm is not installed: skipping"; exit 77; }
  mkdir -p "$cache"
  export npm_config_cache="$cache/.npm" npm_config_update_notifier=false
  if ! (cd "$cache" && npm install --silent --no-audit --no-fund node@22 @modelcontextprotocol/inspector@2 \
          @modelcontextprotocol/sdk@1 >"$work/npm.log" 2>&1); then
    cat "$work/npm.log"; echo "could not install the Inspector from npm: skipping"; exit 77
  fi
fi
export PATH="$cache/node_modules/node/bin:$cache/node_modules/.bin:$PATH"

cat >"$work/takt.yaml" <<YAML
backend:
  database: $work/things.sqlite
  sim_latency: 5ms..20ms
  sim_per_op: 0ms
metrics:
  enabled: false
cache:
  dir: $work/cache
YAML

inspect() { timeout 120 inspector --cli "$@" -- "$takt" --config "$work/takt.yaml" 2>>"$work/stderr.log"; }
fail() { echo "FAIL: $*"; echo "--- takt stderr:"; tail -20 "$work/stderr.log"; exit 1; }
check() {  # check NAME JSON JS-EXPRESSION-ON-r
  node -e "const r = JSON.parse(require('fs').readFileSync(0, 'utf8')); if (!($3)) process.exit(1)" <<<"$2" ||
    fail "$1: $2"
  echo "ok: $1"
}

out=$(inspect --method tools/list)
check "tools/list: every tool declares input and output schemas" "$out" \
  "r.tools.length >= 20 && r.tools.every(t => t.inputSchema && t.outputSchema && t.annotations)"
# The read-only tools, called one by one below (the SDK client check calls the writes too).
tools=$(node -e "console.log(JSON.parse(require('fs').readFileSync(0, 'utf8')).tools.filter(t => t.annotations.readOnlyHint).map(t => t.name).join(' '))" <<<"$out")

out=$(inspect --method tools/call --tool-name add_todo --tool-arg 'title=Written by the Inspector')
check "add_todo returns an id" "$out" "!r.isError && r.structuredContent.id.length === 22"
id=$(node -e "console.log(JSON.parse(process.argv[1]).structuredContent.id)" "$out")

out=$(inspect --method tools/call --tool-name get_inbox)
check "get_inbox shows the new to-do" "$out" "r.structuredContent.items.some(i => i.id === '$id' && i.title === 'Written by the Inspector')"
out=$(inspect --method tools/call --tool-name get_today --tool-arg limit=2)
check "get_today pages" "$out" "!r.isError && r.structuredContent.count <= 2 && r.structuredContent.total >= r.structuredContent.count"
out=$(inspect --method tools/call --tool-name get_projects)
check "get_projects" "$out" "!r.isError && r.structuredContent.items.every(i => i.type === 'project')"
project=$(node -e "console.log(JSON.parse(process.argv[1]).structuredContent.items[0].id)" "$out")

# Every read tool answers without error (arguments for those that need some).
for tool in $tools; do
  case $tool in
    health_check|queue_status) continue ;;
    get_headings) args="{\"project\":\"$project\"}" ;;
    get_item) args="{\"id\":\"$id\"}" ;;
    get_todos) args="{\"project\":\"$project\"}" ;;
    search) args='{"query":"Inspector"}' ;;
    *) args='{}' ;;
  esac
  out=$(inspect --method tools/call --tool-name "$tool" --tool-args-json "$args")
  check "$tool answers with structured content" "$out" "!r.isError && typeof r.structuredContent === 'object'"
done
out=$(inspect --method tools/call --tool-name complete --tool-args-json "{\"ids\":[\"$id\"]}")
check "complete answers with the ids it touched" "$out" "!r.isError && r.structuredContent.ids[0] === '$id' && r.structuredContent.items[0].status === 'completed'"
out=$(inspect --method tools/call --tool-name update_todo --tool-args-json '{"id":"NoSuchIdAtAll00000000","title":"x"}' || true)
check "a write that did not take effect is a tool error naming the id" "$out" "r.isError && r.content[0].text.includes('NoSuchIdAtAll00000000')"
out=$(inspect --method tools/call --tool-name health_check)
check "health_check" "$out" "r.structuredContent.status === 'ok' && r.structuredContent.database_readable"
out=$(inspect --method tools/call --tool-name queue_status)
check "queue_status" "$out" "typeof r.structuredContent.slow_queue_depth === 'number'"
out=$(inspect --method tools/call --tool-name add_todo --tool-args-json '{"title": 7}' || true)
check "bad arguments are a tool error naming the field" "$out" "r.isError && r.content[0].text.includes('title')"
out=$(inspect --method resources/list)
check "resources/list holds Things' lists" "$out" "r.resources.some(x => x.uri === 'things://lists/today')"
out=$(inspect --method resources/read --uri things://lists/today)
check "resources/read gives get_today's answer" "$out" "Array.isArray(JSON.parse(r.contents[0].text).items)"
out=$(inspect --method resources/templates/list)
check "resources/templates/list" "$out" "r.resourceTemplates.length === 4"
out=$(inspect --method prompts/list)
check "prompts/list" "$out" "r.prompts.some(p => p.name === 'review_project')"
out=$(inspect --method prompts/get --prompt-name review_project --prompt-args "project=$project")
check "prompts/get embeds the project" "$out" "r.messages[1].content.resource.uri === 'things://projects/$project'"
echo "inspector: all checks passed"

# The same server through the TypeScript SDK's Client, which validates every answer
# against the tool's outputSchema.
cp "$(dirname "$0")/sdk_client_check.mjs" "$cache/"
node "$cache/sdk_client_check.mjs" "$takt" "$work/takt.yaml" || fail "the SDK client's checks"
