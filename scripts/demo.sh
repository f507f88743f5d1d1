#!/usr/bin/env bash
# `make demo`: the homelab of labs/homelab.yaml on one machine. Two nodes joined by an underlay,
# hagent on each (no kube-proxy, no iptables), pods built through the real CNI chain; a ClusterIP
# service with backends on both nodes and a NodePort reached from outside the cluster; default
# deny plus the homelab's policies; traffic that policy allows and traffic it denies; what each
# node's datapath saw; a planned policy in audit mode, its impact preview, policies suggested
# from the flows; teardown. Exits non-zero when a probe's outcome is not the expected one.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${HEDGEROW_BIN_DIR:-.build/debug}
bpf=${HEDGEROW_BPF_DIR:-.build/bpf}
lab=demo$$
started=$EPOCHREALTIME
hlab() { "$bin/hlab" "$@"; }
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

[ "$(id -u)" -eq 0 ] || { echo "make demo needs root (network namespaces, BPF)" >&2; exit 1; }
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  hlab down "$lab" >/dev/null 2>&1 || true
}
trap cleanup EXIT

say "Bringing up lab $lab (labs/homelab.yaml): two nodes on an underlay, hagent on each, pods via ptp + host-local + hedgerow-cni"
hlab up -f labs/homelab.yaml --name "$lab" --bin-dir "$bin" --bpf-dir "$bpf"
state=/run/hedgerow-lab/$lab
socket1=$state/node1/agent.sock
socket2=$state/node2/agent.sock
node1=192.168.200.1 node2=192.168.200.2  # the nodes' eth0 on the underlay (labs/homelab.yaml's default)
ip_of() { python3 -c "import json,sys; print(next(p['ip'] for p in json.load(open(sys.argv[1]))['pods'] if p['spec']['namespace']+'/'+p['spec']['name']==sys.argv[2]))" "$state/state.json" "$1"; }
frontend=$(ip_of shop/frontend) api1=$(ip_of shop/api-1) api2=$(ip_of shop/api-2) db=$(ip_of data/db)

say "Servers: shop/frontend :80, shop/api-1 and shop/api-2 :8080, data/db :5432 (each reply starts with the pod's name)"
serve() {  # POD PORT ID: an echo server in the pod, waited for until it listens
  local log=$state/logs/serve-$3.log
  : >"$log"
  hlab exec --lab "$lab" "$1" -- "$bin/hlab" serve --tcp "$2" --id "$3" >"$log" 2>&1 &
  servers+=($!)
  for _ in $(seq 50); do grep -qx ready "$log" && return; sleep 0.1; done
  echo "server $3 in $1 did not start: $(cat "$log")" >&2
  return 1
}
serve shop/frontend 80 frontend
serve shop/api-1 8080 api-1
serve shop/api-2 8080 api-2
serve data/db 5432 db
printf '  shop/frontend %s (node1)   shop/api-1 %s (node1)   shop/api-2 %s (node2)   data/db %s (node2)\n' "$frontend" "$api1" "$api2" "$db"

say "Services shop/api (ClusterIP 10.96.0.30:8080) and shop/frontend (NodePort 30080), read by both agents"
# What the API server and the EndpointSlice controller would publish; every node's agent reads
# the lab's one manifests directory, as every agent of a cluster watches the same API.
cat >"$state/manifests/svc-api.yaml" <<SERVICE
apiVersion: v1
kind: Service
metadata: {namespace: shop, name: api}
spec: {clusterIP: 10.96.0.30, selector: {app: api}, ports: [{name: http, port: 8080, protocol: TCP}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {namespace: shop, name: api-1, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
  - {addresses: [$api1], nodeName: node1, conditions: {ready: true}}
  - {addresses: [$api2], nodeName: node2, conditions: {ready: true}}
SERVICE
cat >"$state/manifests/svc-frontend.yaml" <<SERVICE
apiVersion: v1
kind: Service
metadata: {namespace: shop, name: frontend}
spec:
  type: NodePort
  clusterIP: 10.96.0.31
  selector: {app: frontend}
  ports: [{name: http, port: 80, targetPort: 80, nodePort: 30080, protocol: TCP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {namespace: shop, name: frontend-1, labels: {kubernetes.io/service-name: frontend}}
addressType: IPv4
ports: [{name: http, port: 80, protocol: TCP}]
endpoints: [{addresses: [$frontend], nodeName: node1, conditions: {ready: true}}]
SERVICE
for socket in "$socket1" "$socket2"; do
  for _ in $(seq 50); do
    listed=$("$bin/hagent" services --api-socket "$socket" 2>/dev/null || true)
    [[ $listed == *shop/api* && $listed == *shop/frontend* ]] && break
    sleep 0.1
  done
done
echo "hagent services on node2:"
"$bin/hagent" services --api-socket "$socket2"

say "Policies: policies/default-deny.yaml for shop and data, policies/deny-cloud-metadata.yaml, policies/homelab-*.yaml"
# Each agent enforces policy for its own pods; `hpolicy apply` returns once they all do.
for socket in "$socket1" "$socket2"; do
  { sed 's/namespace: apps/namespace: shop/' policies/default-deny.yaml
    echo ---
    sed 's/namespace: apps/namespace: data/' policies/default-deny.yaml; } |
    "$bin/hpolicy" apply -f - -f policies/deny-cloud-metadata.yaml -f policies/homelab-frontend.yaml \
      -f policies/homelab-api.yaml -f policies/homelab-db.yaml --api-socket "$socket" >/dev/null
done
"$bin/hpolicy" get --api-socket "$socket1"

say "Traffic: one line per probe, then whether policy allowed it"
unexpected=0
probe() {  # LABEL allowed|denied COMMAND...: runs an `hlab probe` (in a pod or outside) once
  local label=$1 expected=$2 outcome line
  shift 2
  line=$("$@" 2>&1) || true
  case $line in  # a dropped SYN times out; refused or an error is neither verdict
    connected*) outcome=allowed ;;
    timeout*) outcome=denied ;;
    *) outcome=failed ;;
  esac
  local mark="as expected"
  if [ "$outcome" != "$expected" ]; then mark="UNEXPECTED (expected $expected)"; unexpected=$((unexpected + 1)); fi
  printf '  %-57s %-8s %s  [%s]\n' "$label" "${outcome^^}" "$line" "$mark"
}
in_pod() { local pod=$1; shift; hlab exec --lab "$lab" "$pod" -- "$bin/hlab" probe "$@" --timeout 500ms; }
outside() { local via=$1; shift; hlab outside --lab "$lab" --via "$via" -- "$bin/hlab" probe "$@" --timeout 500ms; }

# The NodePort must be programmed on both uplinks before the first line counts.
for _ in $(seq 50); do outside node2 "$node2:30080" >/dev/null 2>&1 && break; sleep 0.1; done
probe "outside -> node1 $node1:30080 (NodePort frontend)" allowed outside node1 "$node1:30080"
probe "outside -> node2 $node2:30080 (frontend on node1)" allowed outside node2 "$node2:30080"
for _ in 1 2 3 4; do
  probe "shop/frontend -> api VIP 10.96.0.30:8080" allowed in_pod shop/frontend 10.96.0.30:8080
done
probe "shop/api-1 (node1) -> data/db $db:5432" allowed in_pod shop/api-1 "$db:5432"
probe "shop/api-2 (node2) -> data/db $db:5432" allowed in_pod shop/api-2 "$db:5432"
probe "shop/frontend -> data/db $db:5432" denied in_pod shop/frontend "$db:5432"
probe "outside -> data/db $db:5432 (routed via node1)" denied outside node1 "$db:5432"
probe "data/db -> shop/api-2 $api2:8080" denied in_pod data/db "$api2:8080"
probe "shop/api-1 -> cloud metadata 169.254.169.254:80" denied in_pod shop/api-1 169.254.169.254:80

say "hpolicy trace: why shop/frontend may not reach data/db:5432"
"$bin/hpolicy" trace --from shop/frontend --to data/db --port 5432/TCP --api-socket "$socket1" || true

# Flows reach the agent's buffer through a ring buffer: wait until the last drops are in.
flows() { "$bin/hflow" observe --server "unix://$1" --print-node-name --color never "${@:2}"; }
for socket in "$socket1" "$socket2"; do
  for _ in $(seq 30); do [[ $(flows "$socket" --verdict DROPPED --last 20) == *DROPPED* ]] && break; sleep 0.1; done
done
say "hflow observe on node1: the NodePort connections reaching shop/frontend (Hubble's compact format)"
flows "$socket1" --to-pod shop/frontend --to-port 80 --last 6
for node in node1 node2; do
  socket=$state/$node/agent.sock
  say "hflow observe on $node: the last FORWARDED flows, then every DROPPED one"
  flows "$socket" --verdict FORWARDED --last 8
  flows "$socket" --verdict DROPPED --last 20
done

say "Audit mode: policies/homelab-api-audit.yaml would stop the frontend's plain HTTP to the api; audited, it drops nothing"
for socket in "$socket1" "$socket2"; do
  "$bin/hpolicy" apply -f policies/homelab-api-audit.yaml --api-socket "$socket" >/dev/null
done
probe "shop/frontend -> shop/api-1 $api1:8080 (audited)" allowed in_pod shop/frontend "$api1:8080"
probe "shop/frontend -> shop/api-2 $api2:8080 (audited)" allowed in_pod shop/frontend "$api2:8080"
for node in node1 node2; do
  socket=$state/$node/agent.sock
  for _ in $(seq 30); do [[ $(flows "$socket" --verdict AUDIT --last 1) == *AUDIT* ]] && break; sleep 0.1; done
  flows "$socket" --verdict AUDIT --last 1
done

say "hpolicy diff: what enforcing it (the same file without the annotation) would deny, from node1's flows"
sed '/policy.hedgerow.dev\/mode/d' policies/homelab-api-audit.yaml |
  "$bin/hpolicy" diff -f - --api-socket "$socket1" || true

say "hpolicy suggest -n data: least-privilege policies learned from node2's flows"
"$bin/hpolicy" suggest -n data --since 10m --api-socket "$socket2"

say "Tearing down"
for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
servers=()
hlab down "$lab"
left=$(ip netns list | grep -c -e "^hl-$lab-" || true)
echo "network namespaces of $lab left: $left"
awk -v start="$started" -v end="$EPOCHREALTIME" 'BEGIN { printf "demo finished in %.1f s\n", end - start }'
if [ "$unexpected" -ne 0 ]; then
  echo "$unexpected probe(s) did not end as expected" >&2
  exit 1
fi
