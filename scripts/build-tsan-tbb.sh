#!/usr/bin/env bash
# Builds Debian's own oneTBB source package with ThreadSanitizer, for `make tsan`.
# Debian's libtbb is not instrumented: TSan cannot see the hand-offs inside it (a task
# built on one thread and run on another) and reports them as races in oneTBB's headers.
# An instrumented oneTBB makes the TSan run of takt's suite meaningful. Idempotent: the
# result is kept in $PREFIX (default build-tsan/tbb) and reused.
set -euo pipefail
PREFIX=${1:-$(pwd)/build-tsan/tbb}
if [ -f "$PREFIX/lib/cmake/TBB/TBBConfig.cmake" ]; then
  echo "build-tsan-tbb: instrumented oneTBB already in $PREFIX" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! apt-get source --dry-run onetbb >/dev/null 2>&1; then
  # Debian's source packages come from the same archive as its binary packages.
  $SUDO tee /etc/apt/sources.list.d/takt-deb-src.sources >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  $SUDO apt-get update -qq
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source -qq onetbb >/dev/null 2>&1)
src=$(find "$work" -maxdepth 1 -mindepth 1 -type d -name 'onetbb-*' | head -1)
echo "build-tsan-tbb: building $(basename "$src") with -fsanitize=thread (a few minutes)" >&2
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$PREFIX" \
  -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF -DTBB_SANITIZE=thread -DTBBMALLOC_BUILD=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread" -DCMAKE_C_FLAGS="-fsanitize=thread" >/dev/null
cmake --build "$work/build" -j"$(nproc)" >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }
cmake --install "$work/build" >/dev/null
echo "build-tsan-tbb: installed in $PREFIX" >&2
