#!/usr/bin/env bash
# Checks takt's one-way layering (docs/architecture.md): every #include "x/..." in a source
# folder must name its own folder or one the folder may use, the rule below must have no
# cycle, and CMake must link takt's layers to each other PRIVATE only (so no include
# directory leaks upward). Folders count to depth 2: things/db and things/script are
# folders of their own. Exits 1 listing every violation; 0 when the tree keeps the rule.
#   scripts/check-layers.sh [TREE]     (TREE: the source root, default this checkout)
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

# folder: the folders it may use. The same rule as the USES lists of CMakeLists.txt.
THINGS="things/data things/db things/script things/os things/mirror things/catalog"
declare -A MAY=(
  [base]=""
  [things/data]="base"
  [things/db]="base things/data"
  [things/script]="base things/data"
  [things/os]="base things/data things/script"
  [things/mirror]="base things/data"
  [things/catalog]="base things/data things/db things/script"
  [mcp]="base"
  [metrics]="base"
  [flow]="base $THINGS mcp metrics"
  [nodes]="base $THINGS mcp metrics flow"
  [pipeline]="base $THINGS mcp metrics flow nodes"
  [transports]="base $THINGS mcp metrics flow pipeline"
  [transports/http]="base mcp metrics flow pipeline"
  [app]="base $THINGS mcp metrics flow nodes pipeline transports transports/http"
  # things-sim, the stand-in for osascript + Things, uses nothing of takt: a bug in takt's
  # Things code must not be mirrored in the stand-in meant to catch it (Things' schema
  # is its own copy, sim/store/schema.sql).
  [sim]=""
)
# Not layers: they may include any folder (tests, benchmarks, fuzz targets, build helpers).
OUTSIDE='^(tests|bench|fuzz|cmake|scripts|docs|config|grafana|build[^/]*)(/|$)'

failures=()
folder_of() {  # REPLY := a path's folder at depth 2 at most ("things/db/x.hpp" -> things/db)
  local dir=${1%/*} top rest
  [[ $dir == "$1" ]] && { REPLY="."; return; }
  top=${dir%%/*}
  rest=${dir#"$top"}; rest=${rest#/}; rest=${rest%%/*}
  if [[ -n $rest && -n ${MAY[$top/$rest]+set} ]]; then REPLY="$top/$rest"; else REPLY="$top"; fi
}

# 1. The rule itself has no cycle (tsort reports one).
pairs=""
for f in "${!MAY[@]}"; do for u in ${MAY[$f]}; do pairs+="$u $f"$'\n'; done; done
if ! printf '%s' "$pairs" | tsort >/dev/null 2>"${TMPDIR:-/tmp}/check-layers.$$"; then
  failures+=("the rule has a cycle: $(tr '\n' ' ' <"${TMPDIR:-/tmp}/check-layers.$$")")
fi
rm -f "${TMPDIR:-/tmp}/check-layers.$$"

# 2. Every include between folders goes down the rule. One grep over the tree gives
#    "file:include" lines; the rest is bash without subshells (it runs in make test).
list_sources() {
  git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp' '*.h' '*.hpp.in' 2>/dev/null ||
    find . \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.hpp.in' \) | sed 's|^\./||'
}
while IFS= read -r line; do
  file=${line%%:*}
  inc=${line#*:}
  [[ $file =~ $OUTSIDE ]] && continue
  folder_of "$file"; from=$REPLY
  if [[ -z ${MAY[$from]+set} ]]; then
    failures+=("$file: folder $from has no row in the layering rule (scripts/check-layers.sh)")
    continue
  fi
  [[ $inc == */* ]] || continue
  folder_of "$inc"; to=$REPLY
  [[ $to == "$from" || " ${MAY[$from]} " == *" $to "* ]] && continue
  if [[ -z ${MAY[$to]+set} ]]; then
    failures+=("$file: includes \"$inc\" from $to, which is no layer")
  else
    failures+=("$file: includes \"$inc\": $from may not use $to (upward, sideways or circular)")
  fi
done < <(list_sources | grep -v -E "$OUTSIDE" | tr '\n' '\0' |
         xargs -0 -r grep -H -o -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*"' |
         sed -E 's/:[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)"/:\1/')

# 3. takt's layers link each other PRIVATE: a PUBLIC or INTERFACE link would hand a
#    layer's include directories to every layer above it.
while IFS= read -r cmake; do
  [[ $cmake =~ $OUTSIDE && $cmake != cmake/* ]] && continue
  tr '\n' ' ' <"$cmake" | grep -oE 'target_link_libraries\([^)]*\)' | while IFS= read -r call; do
    target=$(sed -E 's/target_link_libraries\(\s*([^ ]+).*/\1/' <<<"$call")
    [[ $target == takt_* ]] || continue
    mode=""
    for word in $(sed -E 's/^target_link_libraries\(\s*[^ ]+//; s/\)$//' <<<"$call"); do
      case $word in
        PUBLIC|INTERFACE|PRIVATE) mode=$word ;;
        takt_warnings) ;;
        takt_*) [[ $mode == PRIVATE ]] || echo "$cmake: $target links $word ${mode:-without PRIVATE}" ;;
      esac
    done
  done
done < <(git ls-files -- 'CMakeLists.txt' '*/CMakeLists.txt' 'cmake/*.cmake' 2>/dev/null ||
         find . \( -name CMakeLists.txt -o -path ./cmake/\*.cmake \) | sed 's|^\./||') >"${TMPDIR:-/tmp}/check-links.$$"
while IFS= read -r line; do failures+=("$line: layers link each other PRIVATE only"); done <"${TMPDIR:-/tmp}/check-links.$$"
rm -f "${TMPDIR:-/tmp}/check-links.$$"

if ((${#failures[@]})); then
  printf 'check-layers: %s\n' "${failures[@]}" >&2
  echo "check-layers: ${#failures[@]} violation(s) of the layering in docs/architecture.md" >&2
  exit 1
fi
echo "check-layers: every include and link goes down the layers"
