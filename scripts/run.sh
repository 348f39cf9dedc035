#!/usr/bin/env bash
# Installs what is missing, builds skiff and runs `skiff server` on this machine: one node,
# embedded SQLite, everything under ./.skiff-data (pass flags to override, e.g. --data-dir).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build -DSKIFF_BUILD_TESTS=OFF
data="$PWD/.skiff-data"
agent=()
if [ "$(id -u)" -ne 0 ]; then
  # Containers need root (namespaces, mounts, cgroups, the pod bridge).
  echo "run.sh: not root, so the node agent is off (pods are stored but do not run)" >&2
  agent=(--disable-agent)
fi
exec build/skiff server \
  --data-dir "$data" \
  --write-kubeconfig "$data/kubeconfig.yaml" \
  --manifests-dir "$data/manifests" \
  "${agent[@]}" \
  "$@"
