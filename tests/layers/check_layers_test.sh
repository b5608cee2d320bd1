#!/usr/bin/env bash
# The layering check (scripts/check-layers.sh) passes on takt's tree and fails on copies of
# it that break the rule: an upward include, a sideways include between things/ rooms, a
# cycle in the rule itself, a layer linking another PUBLIC, and a folder with no row. Given
# a build tree, it also shows the build itself refusing an upward include: a file of mcp/
# compiled exactly as takt_mcp compiles its sources cannot even find pipeline/'s header.
#   check_layers_test.sh SOURCE_DIR [BUILD_DIR]
set -euo pipefail
src=$1
build=${2:-}
check=$src/scripts/check-layers.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*"; exit 1; }
copy() {  # a fresh copy of the tree's sources (no build trees), outside git
  rm -rf "$work/tree"; mkdir -p "$work/tree"
  (cd "$src" && git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp' '*.hpp.in' \
      'CMakeLists.txt' '*/CMakeLists.txt' 'cmake/*' 'scripts/*' | tar -cf - -T -) | tar -xf - -C "$work/tree"
}
expect_failure() {  # expect_failure NAME PATTERN: the check must fail, naming PATTERN
  if out=$(cd "$work/tree" && GIT_DIR=/nonexistent bash scripts/check-layers.sh . 2>&1); then
    fail "$1: the check passed: $out"
  fi
  grep -q -- "$2" <<<"$out" || fail "$1: the check failed without naming '$2': $out"
  echo "ok: $1 is refused"
}

bash "$check" "$src" >/dev/null || fail "the check fails on takt's own tree"
echo "ok: takt's tree keeps the layering"

copy
(cd "$work/tree" && GIT_DIR=/nonexistent bash scripts/check-layers.sh . >/dev/null) ||
  fail "the check fails on a plain copy of the tree"

copy; sed -i '1i #include "pipeline/pipeline.hpp"' "$work/tree/mcp/session.cpp"
expect_failure "mcp including the pipeline (upward)" 'mcp may not use pipeline'

copy; sed -i '1i #include "things/catalog/catalog.hpp"' "$work/tree/things/db/db.cpp"
expect_failure "things/db including things/catalog (a room above it)" 'things/db may not use things/catalog'

copy; sed -i '1i #include "things/db/db.hpp"' "$work/tree/things/script/ops.cpp"
expect_failure "things/script including things/db (sideways)" 'things/script may not use things/db'

copy; sed -i 's/^  \[base\]=""/  [base]="app"/' "$work/tree/scripts/check-layers.sh"
expect_failure "a rule with a cycle" 'the rule has a cycle'

copy; sed -i 's/^  USES base things_data things_db things_script)$/  USES base things_data things_db things_script)\ntarget_link_libraries(takt_things_catalog PUBLIC takt_things_db)/' \
  "$work/tree/CMakeLists.txt"
grep -q 'PUBLIC takt_things_db' "$work/tree/CMakeLists.txt" || fail "the PUBLIC link was not planted"
expect_failure "a layer linked PUBLIC" 'takt_things_catalog links takt_things_db PUBLIC'

copy; mkdir -p "$work/tree/extra"; echo '#include "base/json.hpp"' >"$work/tree/extra/x.cpp"
expect_failure "a folder with no row in the rule" 'folder extra has no row'
if [ -n "$build" ] && [ -f "$build/compile_commands.json" ]; then
  # takt_mcp's compile command for mcp/session.cpp, aimed at a file that includes upward.
  cmd=$(grep -F -B1 "\"file\": \"$src/mcp/session.cpp\"" "$build/compile_commands.json" |
        sed -n 's/^ *"command": "\(.*\)",$/\1/p')
  [ -n "$cmd" ] || fail "no compile command for mcp/session.cpp in $build/compile_commands.json"
  printf '#include "pipeline/pipeline.hpp"\n' >"$work/upward.cpp"
  cmd=${cmd/ -c $src\/mcp\/session.cpp/ -c $work/upward.cpp}
  cmd=${cmd/ -o CMakeFiles\/takt_mcp.dir\/mcp\/session.cpp.o/ -o $work/upward.o}
  if out=$(cd "$build" && eval "$cmd" 2>&1); then fail "the build compiled an upward include in mcp/"; fi
  grep -q 'pipeline/pipeline.hpp: No such file' <<<"$out" || fail "the upward include failed otherwise: $out"
  echo "ok: the build itself refuses an upward include (pipeline/ is not visible from mcp/)"
  printf '#include "base/json.hpp"\n#include "mcp/session.hpp"\n' >"$work/upward.cpp"
  (cd "$build" && eval "$cmd") || fail "the same command does not compile what mcp/ may include"

  # The stage bodies know neither TBB nor prometheus-cpp (nodes/README.md): the headers
  # each nodes/*.cpp compiles with, as the compiler lists them, hold neither.
  for file in "$src"/nodes/*.cpp; do
    cmd=$(grep -F -B1 "\"file\": \"$file\"" "$build/compile_commands.json" |
          sed -n 's/^ *"command": "\(.*\)",$/\1/p')
    [ -n "$cmd" ] || fail "no compile command for $file"
    deps=$(cd "$build" && eval "${cmd/ -o */ -M $file}") || fail "cannot list the headers of $file"
    if grep -qE '(prometheus|oneapi|/tbb)/' <<<"$deps"; then
      fail "$file includes TBB or prometheus-cpp: $(grep -oE '[^ ]*(prometheus|oneapi|/tbb)/[^ ]*' <<<"$deps" | head -3 | tr '\n' ' ')"
    fi
  done
  echo "ok: no stage body includes TBB or prometheus-cpp"
fi
echo "check-layers: all cases behave"
