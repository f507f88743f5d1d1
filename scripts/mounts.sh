#!/usr/bin/env bash
# Mounts bpffs and cgroup2 where Hedgerow expects them, when absent. Needs root; a no-op otherwise.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || exit 0
mountpoint -q /sys/fs/bpf || mount -t bpf bpffs /sys/fs/bpf
if ! mountpoint -q /sys/fs/cgroup/unified; then
  mkdir -p /sys/fs/cgroup/unified
  mount -t cgroup2 none /sys/fs/cgroup/unified
fi
