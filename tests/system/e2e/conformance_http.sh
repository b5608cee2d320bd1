#!/usr/bin/env bash
# takt over Streamable HTTP against the official MCP conformance suite and the MCP
# Inspector CLI. Node 22 and the packages come from the npm registry into
# $TAKT_NODE_CACHE on first use (the project's build-tools/, shared with
# inspector_check.sh; never $HOME). Exit 77 (skipped) when npm is missing or the registry
# cannot be reached, as inspector_check.sh does; any failed check exits 1.
#
# The scenarios that apply to takt: those that need no fixture tools of the suite's own
# reference server, resources-list and prompts-list included (Things' lists, projects,
# areas and tags are resources; the review prompts are prompts).
set -euo pipefail
takt=$1
work=$(mktemp -d)
takt_pid=""
trap '[ -n "$takt_pid" ] && kill "$takt_pid" 2>/dev/null; rm -rf "$work"' EXIT

cache=${TAKT_NODE_CACHE:?TAKT_NODE_CACHE names the directory that holds Node 22 and the MCP packages}
if [ ! -x "$cache/node_modules/.bin/conformance" ] || [ ! -x "$cache/node_modules/.bin/inspector" ] ||
   [ ! -x "$cache/node_modules/node/bin/node" ]; then
  command -v npm >/dev/null || { echo "npm is not installed: skipping"; exit 77; }
  mkdir -p "$cache"
  export npm_config_cache="$cache/.npm" npm_config_update_notifier=false
  if ! (cd "$cache" && npm install --silent --no-audit --no-fund node@22 @modelcontextprotocol/inspector@2 \
          @modelcontextprotocol/sdk@1 @modelcontextprotocol/conformance >"$work/npm.log" 2>&1); then
    cat "$work/npm.log"; echo "could not install the conformance suite from npm: skipping"; exit 77
  fi
fi
export PATH="$cache/node_modules/node/bin:$cache/node_modules/.bin:$PATH"
# The Inspector keeps state under $HOME/.mcp-inspector when it talks to a URL: give it a
# home of its own, so the suite leaves the user's as it found it.
export HOME="$work/home"
mkdir -p "$HOME"

cat >"$work/takt.yaml" <<YAML
backend:
  database: $work/things.sqlite
  sim_latency: 5ms..20ms
  sim_per_op: 0ms
metrics:
  enabled: false
cache:
  dir: $work/cache
relay:
  socket: $work/takt.sock
YAML

"$takt" --config "$work/takt.yaml" --http 127.0.0.1:0 2>"$work/stderr.log" &
takt_pid=$!
url=""
for _ in $(seq 1 300); do
  url=$(grep -o 'serving MCP over HTTP at http://[0-9.:]*/mcp' "$work/stderr.log" | sed 's/.* at //' || true)
  [ -n "$url" ] && break
  sleep 0.05
done
fail() { echo "FAIL: $*"; echo "--- takt stderr:"; tail -20 "$work/stderr.log"; exit 1; }
[ -n "$url" ] || fail "takt did not start serving HTTP"

for scenario in server-initialize ping logging-set-level tools-list server-sse-multiple-streams \
                dns-rebinding-protection resources-list prompts-list; do
  if ! timeout 120 conformance server --url "$url" --scenario "$scenario" >"$work/$scenario.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$work/$scenario.log"
    fail "conformance scenario $scenario"
  fi
  echo "ok: conformance $scenario ($(sed 's/\x1b\[[0-9;]*m//g' "$work/$scenario.log" | grep -o 'Passed: [0-9/]*'))"
done

# The Inspector CLI over HTTP, as a client pointed at the URL uses it.
inspect() { timeout 120 inspector --cli "$url" --transport http "$@" 2>>"$work/inspector.log"; }
check() {  # check NAME JSON JS-EXPRESSION-ON-r
  node -e "const r = JSON.parse(require('fs').readFileSync(0, 'utf8')); if (!($3)) process.exit(1)" <<<"$2" ||
    fail "$1: $2"
  echo "ok: $1"
}
out=$(inspect --method tools/list)
check "inspector over HTTP: tools/list" "$out" "r.tools.length >= 20 && r.tools.every(t => t.inputSchema && t.outputSchema)"
out=$(inspect --method tools/call --tool-name add_todo --tool-arg 'title=Written over HTTP')
check "inspector over HTTP: add_todo" "$out" "!r.isError && r.structuredContent.id.length === 22"
out=$(inspect --method tools/call --tool-name get_inbox)
check "inspector over HTTP: the write is read back" "$out" "r.structuredContent.items.some(i => i.title === 'Written over HTTP')"
# The TypeScript SDK's Streamable HTTP client calls every tool, each answer validated
# against the tool's outputSchema (the same checks as over stdio, inspector_check.sh).
cp "$(dirname "$0")/sdk_client_check.mjs" "$cache/sdk_client_check_http.mjs"
timeout 300 node "$cache/sdk_client_check_http.mjs" "$url" || fail "the SDK client's checks over HTTP"
echo "conformance over HTTP: all checks passed"
