#!/usr/bin/env bash
# Installs, from Debian 12's archive, every package skiff needs to build, test and run.
# Safe to rerun: it only asks apt for what is missing, and does nothing when all is there.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build ccache pkg-config git
  libsqlite3-dev sqlite3 libboost1.81-dev libssl-dev libcurl4-openssl-dev
  libyaml-cpp-dev nlohmann-json3-dev libarchive-dev catch2
  # runtime parts (containers, network, images)
  runc containerd containernetworking-plugins nftables iptables iproute2 conntrack
  busybox-static util-linux procps
  # local-path volumes of enforced size: mkfs.ext4, debugfs, e2fsck, resize2fs
  e2fsprogs
  # end-to-end test peers
  docker-registry skopeo umoci python3 python3-kubernetes python3-yaml python3-pytest python3-grpcio
  openssl curl bind9-dnsutils
  # NFS volumes: mount.nfs (the node's mount helper) and a userspace NFS server for the e2e test
  nfs-common nfs-ganesha nfs-ganesha-vfs
  # systemd-analyze verifies the unit file (systemd need not be PID 1)
  systemd
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# Services these packages ship (containerd, docker-registry, nfs-ganesha, rpcbind) must not
# start on their own: skiff drives the shim itself and tests run their own registry and NFS
# server (ganesha.nfsd) on loopback.
policy_rc=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy_rc" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy_rc" >/dev/null
  $SUDO chmod +x "$policy_rc"
  created_policy=1
fi
trap '[ "$created_policy" = 1 ] && $SUDO rm -f "$policy_rc"' EXIT
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
