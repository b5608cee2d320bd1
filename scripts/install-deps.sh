#!/usr/bin/env bash
# Installs what takt needs to build, run and test, from Debian's packages.
# Idempotent: installs nothing when every package is already present.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config git
  libtbb-dev rapidjson-dev libboost1.81-dev libboost-filesystem1.81-dev
  libspdlog-dev prometheus-cpp-dev libyaml-cpp-dev libsqlite3-dev sqlite3
  libgtest-dev libgmock-dev
  prometheus
  # make fuzz: clang with libFuzzer and the sanitizer runtimes (a Recommends of clang-14,
  # which --no-install-recommends would leave out)
  clang libclang-rt-14-dev
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything takt needs is installed" >&2
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2
