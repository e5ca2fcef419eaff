#!/bin/bash
# bench/propagation — from `patchbay tuple add` returning to the placed unit running on
# its host, through the controller's NOTIFY (issue 7). Prints median and p99 for:
#   1 and 5 agents: real systemd hosts (tests/lib/testbed.sh); each round adds a tuple on
#     one host's address (rotating) and reads the unit's ActiveEnterTimestampMonotonic —
#     the same kernel clock as the CLI's, so no polling error — then removes it;
#   10 and 100 agents: patchbay-agent --dry-run on loopback (bench/propagation/agents.py),
#     every agent placing each tuple; the time is to the agent printing the plan that
#     starts it (no systemd job: said so in the output);
# next to polling every 30 s (this project's default poll, and a typical cron/poll loop)
# and confd's default interval of 600 s, as the uniform-phase model of a poller: a change
# waits for the next poll, median half the interval, p99 0.99 of it.
# Env: BENCH_ROUNDS (default 20), BENCH_AGENTS ("10 100"). Needs root (the testbed),
# systemd-container, iproute2, python3. Run by hand: not a test.
set -euo pipefail

PATCHBAY_SOURCE=${PATCHBAY_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
export PBT_POLL_SECONDS=30
source "$PATCHBAY_SOURCE/tests/lib/testbed.sh"
source "$PATCHBAY_SOURCE/tests/lib/e2e.sh"
ROUNDS=${BENCH_ROUNDS:-20}
read -ra MANY <<<"${BENCH_AGENTS:-10 100}"
D=$PBT_DOMAIN
HERE=$PATCHBAY_SOURCE/bench/propagation
work=$(mktemp -d /tmp/patchbay-propagation.XXXXXX)
loop_pid=
cleanup() {
  [ -n "$loop_pid" ] && kill "$loop_pid" 2>/dev/null && wait "$loop_pid" 2>/dev/null
  rm -rf "$work"
  testbed_down
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stats MS… — "median p99 max" of the numbers given
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {i=int(0.99*(NR-1)+0.5)+1; printf "%.1f %.1f %.1f", v[int((NR+1)/2)], v[i], v[NR]}'; }
# timed_add ARGS… — the CLI in the controller's network; prints "START RETURN" (µs, CLOCK_MONOTONIC)
timed_cli() {
  ctl_exec python3 -c 'import subprocess, sys, time
s = time.monotonic_ns(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(s // 1000, time.monotonic_ns() // 1000)' "$PBT_BUILD/cli/patchbay" "$@"
}

# ---- real systemd hosts ------------------------------------------------------------------
require_binaries
testbed_up
testbed_start_controller
testbed_install_token
pb zone add "$D" >/dev/null
testbed_start_agents
declare -A result
real_rounds() {  # real_rounds HOST… — ROUNDS adds, rotating over the hosts given
  local hosts=("$@") r h port unit start ret active
  local from_return=() from_start=()
  for r in $(seq "$ROUNDS"); do
    h=${hosts[r % ${#hosts[@]}]}
    port=$((9000 + r))
    unit=$(unit_of http "$(host_addr "$h")" "$port")
    read -r start ret < <(timed_cli tuple add "$D" http tcp "$(host_addr "$h")" "$port")
    wait_until 10 unit_active "$h" "$unit" || pbt_die "round $r: $unit never became active on $h"
    active=$(unit_show "$h" "$unit" ActiveEnterTimestampMonotonic)
    from_return+=("$(( active > ret ? (active - ret) / 1000 : 0 ))")
    from_start+=("$(( (active - start) / 1000 ))")
    pb tuple rm "$D" http tcp "$(host_addr "$h")" "$port" >/dev/null
    wait_until 10 unit_inactive "$h" "$unit" || pbt_die "round $r: $unit still active on $h"
  done
  echo "$(stats "${from_return[@]}") $(stats "${from_start[@]}")"
}
# 1 agent: the others' agents stopped (their units stay, as an agent stop leaves them).
for h in h122 h123 h124 h125; do host_exec "$h" systemctl stop patchbay-agent.service; done
result[1]=$(real_rounds h121)
for h in h122 h123 h124 h125; do host_exec "$h" systemctl start patchbay-agent.service; done
result[5]=$(real_rounds h121 h122 h123 h124 h125)
testbed_stop_controller

# ---- many agents, dry run, on loopback ---------------------------------------------------
free() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
for n in "${MANY[@]}"; do
  dns=$(free); api=$(free)
  mkdir -p "$work/$n"
  "$PBT_BUILD/controller/patchbay-controller" --dev --state "$work/$n/state" --dns-listen "127.0.0.1:$dns" \
    --api-listen "127.0.0.1:$api" >"$work/$n/exports" 2>"$work/$n/controller.log" &
  loop_pid=$!
  wait_until 10 grep -q PATCHBAY_TOKEN "$work/$n/exports" || pbt_die "the loopback controller did not start"
  eval "$(grep -E '^export PATCHBAY_(CONTROLLER|TOKEN)=' "$work/$n/exports")"
  read -r samples med p99 max smed sp99 missed < <(python3 "$HERE/agents.py" "$n" "$ROUNDS" "$PBT_BUILD" \
    "$PATCHBAY_CONTROLLER" "$PATCHBAY_TOKEN" "$dns" "$work/$n")
  [ "$missed" = 0 ] || pbt_die "$n agents: $missed placements never seen within 10 s"
  result[$n]="$med $p99 $max $smed $sp99 -"
  kill "$loop_pid"; wait "$loop_pid" 2>/dev/null || true; loop_pid=
done

# ---- report ------------------------------------------------------------------------------
echo
echo "propagation: tuple add returned ⇒ unit active (ms), $ROUNDS rounds, nproc $(nproc)"
printf '%-8s %-44s %9s %9s %9s   %s\n' agents how median p99 max "from the CLI's start: median p99"
for n in 1 5 "${MANY[@]}"; do
  read -r med p99 max smed sp99 _ <<<"${result[$n]}"
  how="real systemd hosts"
  [ "$n" -le 5 ] || how="--dry-run agents (plan printed, no systemd)"
  printf '%-8s %-44s %9s %9s %9s   %s %s\n' "$n" "$how" "$med" "$p99" "$max" "$smed" "$sp99"
done
last=${MANY[-1]}
read -r _ ours _ <<<"${result[$last]}"
awk -v ours="$ours" -v n="$last" 'BEGIN {
  printf "\npeers (uniform-phase model of a poller, not measured):\n"
  printf "%-30s %12s %12s %14s\n", "", "median", "p99", "p99 vs ours"
  printf "%-30s %12s %12s %13.0fx\n", "polling every 30 s", "15000", "29700", 29700 / (ours > 0 ? ours : 1)
  printf "%-30s %12s %12s %13.0fx\n", "confd (interval 600 s)", "300000", "594000", 594000 / (ours > 0 ? ours : 1)
  printf "target: p99 <= 100 ms with %s agents: %s\n", n, (ours <= 100 ? "met" : "NOT met")
}'
