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
  # a virtual environment for kubernetes-validate (PyPI), which checks deploy/ against the schemas
  python3-venv
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "make deps: missing packages (${missing[*]}); run as root to install them" >&2
    exit 1
  fi
  echo "make deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python tools from PyPI, pinned, in the repository's own .venv (never the system's site-packages).
venv="$(cd "$(dirname "$0")/.." && pwd)/.venv"
validator_version=1.37.0
if ! "$venv/bin/kubernetes-validate" --version 2>/dev/null | grep -q "$validator_version"; then
  echo "make deps: installing kubernetes-validate $validator_version into .venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==$validator_version"
fi
