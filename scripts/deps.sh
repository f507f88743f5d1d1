#!/usr/bin/env bash
# Installs the Debian packages Hedgerow needs to build, test and run. Idempotent and quiet
# when everything is present; only apt-get, nothing downloaded by hand.
set -euo pipefail

packages=(
  # build: libbpf/libelf/zlib for the BPF loader, libmnl for netlink, pkg-config to find them
  libbpf-dev libelf-dev zlib1g-dev libmnl-dev pkg-config
  # inspection and tests: the tools users have
  bpftool iproute2 iputils-ping util-linux procps
  # the CNI reference plugins the lab chains hedgerow-cni after
  containernetworking-plugins
  # `make proto` and the kube-proxy comparison benchmark
  protobuf-compiler iptables
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "make deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi
echo "make deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
