#!/usr/bin/env bash
# `make bench`: runs every benchmark against a release build. Each prints a table and writes its
# JSON under bench/results/. Benchmarks are measurements, not tests: they never fail CI.
set -euo pipefail
bin=$(swift build -c release --show-bin-path)
mkdir -p bench/results
run() { printf '\n\033[1m== %s\033[0m\n' "$1"; shift; "$@"; }
run "policy compile (1,000 policies x 1,000 endpoints)" "$bin/bench-policy-compile" --output bench/results/policy-compile.json
run "Maglev tables and the service model" "$bin/bench-maglev" --output bench/results/maglev.json
# As root bench-flows also builds a lab (hlab, hagent, hflow from $bin) for the follow latency
# and a real agent's memory; HEDGEROW_BPF_DIR (set by make) points it at the BPF objects.
run "flows: ingest, GetFlows, ring memory; as root: follow latency, agent RSS" "$bin/bench-flows"
run "flow history on disk: write rate, bytes per flow, --since 1h query" "$bin/bench-flow-log" --output bench/results/flow-log.json
run "datapath per-packet cost and flow-event emission per aggregation level (root)" "$bin/bench-datapath"
run "kube-proxy iptables mode vs Hedgerow socket LB at 100/1,000/10,000 services (root)" "$bin/bench-kube-proxy" --output bench/results/kube-proxy.json
echo; echo "results: $(ls bench/results/*.json | tr '\n' ' ')"
