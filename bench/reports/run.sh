#!/bin/bash
# bench/reports: how many health reports per second the controller ingests on one core.
# The controller runs pinned to CPU 0 (taskset -c 0), the load generator (loadgen.cpp,
# built here with g++) on CPU 1. Needs a build: PATCHBAY_BUILD=./build bench/reports/run.sh
# Knobs: BENCH_AGENTS (8), BENCH_SECONDS (10), BENCH_INSTANCES (2 per report), BENCH_ROUNDS (3),
# BENCH_BATCH (1 report per request; more = a spool's delivery).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${PATCHBAY_BUILD:?set PATCHBAY_BUILD to the build directory}
CTL=$BUILD/controller/patchbay-controller
agents=${BENCH_AGENTS:-8}
seconds=${BENCH_SECONDS:-10}
instances=${BENCH_INSTANCES:-2}
rounds=${BENCH_ROUNDS:-3}
batch=${BENCH_BATCH:-1}

work=$(mktemp -d /tmp/patchbay-bench-reports-XXXXXX)
ctl_pid=
cleanup() {
  [ -n "$ctl_pid" ] && kill "$ctl_pid" 2>/dev/null && wait "$ctl_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

g++ -O2 -std=c++20 -Wall -Wextra -o "$work/loadgen" "$here/loadgen.cpp" $(pkg-config --cflags --libs libcurl)

port=$(( 20000 + RANDOM % 10000 ))
dns_port=$(( 30000 + RANDOM % 10000 ))
taskset -c 0 "$CTL" --dev --state "$work/state" --api-listen "127.0.0.1:$port" --dns-listen "127.0.0.1:$dns_port" \
  >"$work/exports" 2>"$work/controller.log" &
ctl_pid=$!
for _ in $(seq 100); do grep -q PATCHBAY_TOKEN "$work/exports" 2>/dev/null && break; sleep 0.1; done
eval "$(cat "$work/exports")"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$ctl_pid/stat"; }
hz=$(getconf CLK_TCK)
echo "controller pinned to CPU 0, load generator on CPU 1; nproc $(nproc)"
for round in $(seq "$rounds"); do
  before=$(cpu_ticks)
  taskset -c 1 "$work/loadgen" --url "$PATCHBAY_CONTROLLER" --token "$PATCHBAY_TOKEN" --agents "$agents" \
    --seconds "$seconds" --instances "$instances" --warmup 1 --controller-pid "$ctl_pid" --batch "$batch" | sed "s/^/round $round: /"
  after=$(cpu_ticks)
  awk -v t=$((after - before)) -v hz="$hz" -v s="$seconds" -v r="$round" \
    'BEGIN { printf "round %d: controller CPU %.2f cores (over the whole round incl. warm-up)\n", r, t / hz / (s + 1) }'
done
