#!/bin/bash
# bench/failover — how long from a service dying to the client view leaving it out, at
# default settings, on real systemd test hosts (tests/lib/testbed.sh): h121 and h122 run
# HTTP/TCP :80 at priority 1, each agent probing its instance over HTTP (the defaults of
# docs/agent-health.md), the controller with its default [health] criteria and a client
# view listener. Each run kills the main process of h121's instance (SIGKILL, as a crash
# would) and times until an SRV answer of the client view no longer names .121; then it
# starts the unit again and waits until .121 is back. Prints each run, the median and p99,
# and the same figure for the documented defaults of Route 53, gdnsd and PowerDNS LUA
# records (detection time = check interval × failures needed).
# Env: BENCH_RUNS (default 20). Needs root, systemd-container, iproute2, python3.
set -euo pipefail

PATCHBAY_SOURCE=${PATCHBAY_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
export PBT_HOSTS="h121 h122"
export PBT_PROBES=1
source "$PATCHBAY_SOURCE/tests/lib/testbed.sh"
source "$PATCHBAY_SOURCE/tests/lib/e2e.sh"
trap testbed_down EXIT
trap 'exit 130' INT TERM

RUNS=${BENCH_RUNS:-20}
D=$PBT_DOMAIN
CLIENT_PORT=5353
WATCH=$PATCHBAY_SOURCE/bench/failover/watch.py
NEEDLE=ip4-10-10-10-121
U121=$(unit_of http 10.10.10.121 80)

require_binaries
testbed_up
cat >"$PBT_RUN/controller.toml" <<TOML
[client_view]
listen = ["$PBT_CTL_ADDR:$CLIENT_PORT"]
TOML
testbed_start_controller --config "$PBT_RUN/controller.toml"
testbed_install_token
pb zone add "$D" >/dev/null
pb tuple add "$D" http tcp 10.10.10.121 80 >/dev/null
pb tuple add "$D" http tcp 10.10.10.122 80 >/dev/null
testbed_start_agents

watch() {  # watch absent|present TIMEOUT — unix ns when the client view first shows it so
  local mode=$1 limit=$2
  ctl_exec python3 "$WATCH" "$PBT_CTL_ADDR" "$CLIENT_PORT" "_http._tcp.$D" "$NEEDLE" "$limit" \
    "$([ "$mode" = present ] && echo present || echo absent)"
}
watch present 30 >/dev/null || pbt_die ".121 never appeared in the client view"

times=()
for run in $(seq "$RUNS"); do
  # Steady state first: up and probed for a while, as in production.
  sleep 2
  t0=$(date +%s%N)
  host_exec h121 systemctl kill --kill-whom=main --signal=KILL "$U121"
  t1=$(watch absent 30) || pbt_die "run $run: .121 still in the client view 30 s after the kill"
  ms=$(( (t1 - t0) / 1000000 ))
  times+=("$ms")
  printf 'run %2d: %5d ms\n' "$run" "$ms"
  host_exec h121 systemctl start "$U121"
  watch present 30 >/dev/null || pbt_die "run $run: .121 not back in the client view 30 s after its start"
done

python3 - "${times[@]}" <<'PY'
import statistics, sys
t = sorted(int(x) for x in sys.argv[1:])
p99 = t[min(len(t) - 1, int(round(0.99 * (len(t) - 1))))]
med = statistics.median(t)
print(f"\npatchbay failover (kill ⇒ client view without it), {len(t)} runs: "
      f"median {med:.0f} ms, p99 {p99} ms, max {t[-1]} ms (target p99 ≤ 3000 ms: "
      f"{'met' if p99 <= 3000 else 'MISSED'})")
peers = [("Route 53 health checks (30 s interval × 3 failures)", 90_000),
         ("gdnsd (interval 10 s × down_thresh 10)", 100_000),
         ("PowerDNS LUA ifportup (5 s checks)", 5_000)]
print(f"{'documented default':55} {'detection':>10} {'vs patchbay p99':>16}")
for name, ms in peers:
    print(f"{name:55} {ms/1000:>8.0f} s {ms / max(p99, 1):>15.1f}×")
PY
