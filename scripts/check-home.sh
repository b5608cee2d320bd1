#!/usr/bin/env bash
# Runs a command (the README's `make test` in .ci/run) with HOME set to a new, empty
# directory, and fails when the command left anything there: the test suite must leave a
# user's home as it found it (tools it needs go under the build trees, caches it tests go
# to temporary directories). A test of the suite rather than inside it.
#   scripts/check-home.sh COMMAND [ARG...]
set -euo pipefail
home=$(mktemp -d "${TMPDIR:-/tmp}/takt-home.XXXXXX")
trap 'rm -rf "$home"' EXIT
status=0
HOME=$home "$@" || status=$?
left=$(cd "$home" && find . -mindepth 1 | sort)
if [ -n "$left" ]; then
  echo "check-home: '$*' wrote into \$HOME:" >&2
  printf '  %s\n' $left >&2
  exit 1
fi
echo "check-home: '$*' left \$HOME as it found it"
exit $status
