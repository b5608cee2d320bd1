#!/usr/bin/env bash
# Installs the official TypeScript SDK's reference server (@modelcontextprotocol/server-everything,
# with the Node 22 it needs) into a cache directory, and prints on stdout the command that
# starts it over stdio. Its `echo` tool takes {"message":"..."}.
#
#   bench/run-reference.sh            install if missing, print the command
#   bench/run-reference.sh --update   reinstall the latest versions, print the command
#
# Cache: $TAKT_BENCH_NODE_DIR, default $HOME/.cache/takt/bench-node. Needs npm and the npm registry
# the first time only.
set -euo pipefail

dir="${TAKT_BENCH_NODE_DIR:-$HOME/.cache/takt/bench-node}"
node="$dir/node_modules/node/bin/node"
entry="$dir/node_modules/@modelcontextprotocol/server-everything/dist/index.js"

installed() {
  [[ -x "$node" && -f "$entry" ]] && [[ "$("$node" --version 2>/dev/null)" == v22.* ]]
}

if [[ "${1:-}" == "--update" ]] || ! installed; then
  command -v npm >/dev/null || { echo "run-reference.sh: npm is needed to install the reference server" >&2; exit 1; }
  mkdir -p "$dir"
  [[ -f "$dir/package.json" ]] || echo '{"name":"takt-bench-node","private":true}' > "$dir/package.json"
  echo "run-reference.sh: installing node@22 and @modelcontextprotocol/server-everything into $dir" >&2
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error node@22 @modelcontextprotocol/server-everything >&2)
  installed || { echo "run-reference.sh: the install did not produce $node (v22) and $entry" >&2; exit 1; }
fi

# The server itself, not a wrapper (npx, a shell), so that the pid a load generator starts is the
# server's and its RSS and CPU are the server's. "stdio" picks the stdio transport
# (dist/index.js dispatches on its first argument: stdio, sse, streamableHttp).
printf '%q %q stdio\n' "$node" "$entry"
