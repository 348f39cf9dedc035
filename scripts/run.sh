#!/usr/bin/env bash
# Installs what is missing, builds skiff and runs `skiff server` on this machine: one node,
# embedded SQLite, everything under ./.skiff-data (pass flags to override, e.g. --data-dir).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build -DSKIFF_BUILD_TESTS=OFF
data="$PWD/.skiff-data"
exec build/skiff server \
  --data-dir "$data" \
  --write-kubeconfig "$data/kubeconfig.yaml" \
  --manifests-dir "$data/manifests" \
  "$@"
