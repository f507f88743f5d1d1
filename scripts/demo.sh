#!/usr/bin/env bash
# `make demo`: a lab of three pods in two namespaces, built through the real CNI chain with the
# agent in the node's namespace; real traffic between the pods, a policy, a ClusterIP service;
# what the datapath saw; teardown.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${HEDGEROW_BIN_DIR:-.build/debug}
bpf=${HEDGEROW_BPF_DIR:-.build/bpf}
lab=demo$$
hlab() { "$bin/hlab" "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

[ "$(id -u)" -eq 0 ] || { echo "make demo needs root (network namespaces, BPF)" >&2; exit 1; }
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  hlab down "$lab" >/dev/null 2>&1 || true
}
trap cleanup EXIT

say "Bringing up lab $lab (labs/basic.yaml): node namespace + hagent, pods via ptp + host-local + hedgerow-cni"
hlab up -f labs/basic.yaml --name "$lab" --bin-dir "$bin" --bpf-dir "$bpf"
socket=/run/hedgerow-lab/$lab/node1/agent.sock
ip_of() { "$bin/hagent" endpoints -o json --api-socket "$socket" |
  python3 -c "import json,sys; print(next(e['ips'][0] for e in json.load(sys.stdin)['endpoints'] if e['namespace']+'/'+e['pod_name']=='$1'))"; }

say "Echo servers in x/b (TCP and UDP port 80)"
hlab exec --lab "$lab" x/b -- "$bin/hlab" serve --tcp 80 --udp 80 >/dev/null &
server=$!
b_ip=$(ip_of x/b)
sleep 0.5

say "Traffic: x/a and y/a talk to x/b ($b_ip) over TCP, UDP and ICMP"
for client in x/a y/a; do
  for proto in tcp udp; do
    for _ in 1 2 3; do hlab exec --lab "$lab" "$client" -- "$bin/hlab" probe "$b_ip:80" --protocol "$proto" --timeout 1s; done
  done
  hlab exec --lab "$lab" "$client" -- ping -c 2 -i 0.2 -q "$b_ip" | tail -2
done

say "Service x/web: ClusterIP 10.96.0.10:80 backed by x/b, translated in x/a's socket (no kube-proxy rules)"
# What the API server and the EndpointSlice controller would publish, in the agent's manifests directory.
cat > "/run/hedgerow-lab/$lab/manifests/demo-service.yaml" <<SERVICE
apiVersion: v1
kind: Service
metadata: {namespace: x, name: web}
spec: {clusterIP: 10.96.0.10, selector: {pod: b}, ports: [{port: 80, protocol: TCP}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {namespace: x, name: web-1, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{port: 80, protocol: TCP}]
endpoints: [{addresses: [$b_ip], conditions: {ready: true}}]
SERVICE
for _ in 1 2 3 4 5 6 7 8 9 10; do
  hlab exec --lab "$lab" x/a -- "$bin/hlab" probe 10.96.0.10:80 --protocol tcp --timeout 500ms 2>/dev/null && break
  sleep 0.3
done
"$bin/hagent" services --api-socket "$socket"

say "Policy: in namespace x, only pods labelled pod=a may reach x/b, on TCP 80"
"$bin/hpolicy" apply -f - --api-socket "$socket" <<'POLICY'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: x, name: b-from-a}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress:
    - from: [{podSelector: {matchLabels: {pod: a}}}]
      ports: [{port: 80, protocol: TCP}]
POLICY
hlab exec --lab "$lab" x/a -- "$bin/hlab" probe "$b_ip:80" --protocol tcp --timeout 500ms || true
hlab exec --lab "$lab" y/a -- "$bin/hlab" probe "$b_ip:80" --protocol tcp --timeout 500ms || true
"$bin/hpolicy" trace --from y/a --to x/b --port 80/TCP --api-socket "$socket" || true

say "hflow observe --last 8 (Hubble's compact format: FORWARDED and DROPPED flows)"
"$bin/hflow" observe --server "unix://$socket" --last 8

say "hagent status"
"$bin/hagent" status --api-socket "$socket"
say "hagent endpoints (per-endpoint counters from the BPF programs on each pod's veth)"
"$bin/hagent" endpoints --api-socket "$socket"

say "Tearing down"
kill "$server" 2>/dev/null || true
server=""
hlab down "$lab"
echo "done: no namespaces, links, cgroups or pins left behind"
