#!/usr/bin/env bash
# Installs the Debian 12 packages SAGE Dashboard needs, and only those that are missing.
# Idempotent: a second run installs nothing and touches nothing.
#   scripts/install-deps.sh [--bench]
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config
  qt6-base-dev libqt6sql6-sqlite libgl-dev
  libtorch-dev libopenblas0-openmp libgloo-dev
  libqcustomplot-dev
  libsqlite3-dev libsqlitecpp-dev sqlite3
  nlohmann-json3-dev
  libgtest-dev libgmock-dev
  xvfb xauth
  # libFuzzer for fuzz/ and e2e.fuzz_smoke; its runtime is only a Recommends of clang, so named
  clang libclang-rt-14-dev
)

# `--bench` (make bench): also the PyTorch that bench/python/sage_reference.py runs on, the same
# LibTorch version and BLAS as libtorch-dev.
[ "${1:-}" = "--bench" ] && packages+=(python3-torch)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
