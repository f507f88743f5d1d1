#!/usr/bin/env bash
# `make bench`: runs every benchmark against a release build. Each prints a table and writes its
# JSON under bench/results/. Benchmarks are measurements, not tests: they never fail CI.
set -euo pipefail
bin=$(swift build -c release --show-bin-path)
mkdir -p bench/results
run() { printf '\n\033[1m== %s\033[0m\n' "$1"; shift; "$@"; }
run "policy compile (1,000 policies x 1,000 endpoints)" "$bin/bench-policy-compile" --output bench/results/policy-compile.json
run "Maglev tables and the service model" "$bin/bench-maglev" --output bench/results/maglev.json
run "flow ingest, GetFlows and ring memory" "$bin/bench-flows"
if [ -x "$bin/bench-datapath" ]; then run "datapath per-packet cost (root)" "$bin/bench-datapath"; else echo "bench-datapath: not built (no target yet)"; fi
echo; echo "results: $(ls bench/results/*.json | tr '\n' ' ')"
