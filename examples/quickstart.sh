#!/bin/bash
# quickstart.sh — patchbay in two minutes, on one machine, touching nothing outside itself.
#   Builds (./build.sh --tests), then makes the seed's five servers (10.10.10.121–125, each a
#   network namespace with a real systemd in a throw-away container), runs the controller
#   (--dev) beside them and an agent as a unit on each, and tells a story: the seed's
#   tuples go into DNS through the CLI and each server starts exactly its part; a service
#   is killed and the client view answers around it until its agent starts it again; a
#   tuple is removed; an address leaves a server and comes back. Everything is removed on exit,
#   Ctrl-C included.
# usage: sudo examples/quickstart.sh [--no-build] [--keep]
#   --no-build  use an existing build (PATCHBAY_BUILD, default ./build)
#   --keep      stay up at the end until Ctrl-C (try `sudo ip netns exec pbt-ctl curl
#               http://10.10.10.121/` in another terminal meanwhile)
# env:   QUICKSTART_PAUSE  seconds between steps (default 1.5)
set -euo pipefail
cd "$(dirname "$0")/.."

build=1 keep=0
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "quickstart: unknown argument '$a' (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "quickstart: run as root (it makes network namespaces and containers)" >&2; exit 1; }

PAUSE=${QUICKSTART_PAUSE:-1.5}
if [ -t 1 ]; then B=$'\e[1m' D=$'\e[2m' G=$'\e[32m' C=$'\e[36m' R=$'\e[0m'; else B='' D='' G='' C='' R=''; fi
say()   { printf '\n%s== %s%s\n' "$B" "$*" "$R"; }
pause() { sleep "$PAUSE"; }
# run CMD… — shows the command as an operator would type it, then runs it (pb and ctl_exec
# run it in the controller's network namespace, where 10.10.10.0/24 is reachable).
run() {
  local shown=("$@")
  case "$1" in pb) shown=(patchbay "${@:2}") ;; ctl_exec) shown=("${@:2}") ;; esac
  printf '%s$ %s%s\n' "$C" "${shown[*]}" "$R"
  "$@"
}

if [ "$build" = 1 ]; then
  say "building (./build.sh --tests installs what is missing)"
  ./build.sh --tests
fi
export PATCHBAY_SOURCE=$PWD PATCHBAY_BUILD=${PATCHBAY_BUILD:-$PWD/build}
export PBT_POLL_SECONDS=${PBT_POLL_SECONDS:-10}
export PBT_PROBES=1   # each agent probes its instances (http: GET, smtp: connect) and reports
# shellcheck source=../tests/lib/testbed.sh
source tests/lib/testbed.sh

FOLLOWERS=() KEEP_PID=
cleanup() {
  local rc=$? pid
  trap - INT TERM
  [ -z "$KEEP_PID" ] || kill "$KEEP_PID" 2>/dev/null || true
  # The journal followers: each is its own process group (setsid), ours alone.
  for pid in "${FOLLOWERS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${FOLLOWERS[@]}"; do wait "$pid" 2>/dev/null || true; done
  say "cleaning up: controller, containers, namespaces"
  testbed_down || true
  echo "done."
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# table — which patchbay units each server runs now.
table() {
  local h a units
  printf '%s  %-5s %-15s %s%s\n' "$D" host address "running units" "$R"
  for h in "${PBT_HOSTS[@]}"; do
    a=$(ip -n "pbt-$h" -4 -o addr show dev eth0 | awk '{print $4}' | paste -sd, -)
    units=$(host_units "$h" | sed -E 's/^patchbay-([a-z]+)@(.*)-([a-z]+)\.service$/\1 \2\/\3/' | paste -sd, -)
    printf '  %-5s %-15s %s\n' "$h" "${a:-(none)}" "${units:-${D}nothing${R}}"
  done
}

# follow HOST — the agent's start/stop lines of HOST, live, prefixed with the host name.
# setsid makes it a process group of its own (this script is not interactive, so the
# background job is no group leader and setsid execs in place: $! is the group's id).
follow() {
  local h=$1
  setsid bash -c '
    SDCT_NAME=pbt-$0 bash "$1" exec journalctl -f -n 0 -o cat -u patchbay-agent.service 2>/dev/null |
      grep --line-buffered -iE "\b(start|stop)" | sed -u "s/^/  $2[$0]$3 /"' \
    "$h" "$PBT_SDCT" "$G" "$R" </dev/null &
  FOLLOWERS+=($!)
}

say "making the seed's five servers: network namespaces + a systemd container each"
testbed_up
echo "  ${#PBT_HOSTS[@]} servers booted in ${PBT_BOOT_MS} ms: ${PBT_HOSTS[*]} (10.10.10.121–125)"
say "controller: patchbay-controller --dev --dns-listen 10.10.10.1:53 --api-listen 10.10.10.1:8080 --client-listen 10.10.10.1:5353"
echo "  ${D}:53 is the assignment view (what agents read), :5353 the client view (health applied)${R}"
testbed_start_controller --client-listen 10.10.10.1:5353
echo "  export PATCHBAY_CONTROLLER=$PATCHBAY_CONTROLLER"
echo "  export PATCHBAY_TOKEN=${PATCHBAY_TOKEN:0:6}…"
say "agents: patchbay-agent.service on every server (poll ${PBT_POLL_SECONDS} s, NOTIFY on :5300)"
testbed_install_token
testbed_start_agents
for h in "${PBT_HOSTS[@]}"; do follow "$h"; done
table
pause

D0=hostdomain.com
say "the seed's tuples go into DNS (agents hear a NOTIFY for each change)"
run pb zone add $D0
run pb tuple add $D0 http tcp 10.10.10.121 80   --priority 1 --weight 100; pause
run pb tuple add $D0 http tcp 10.10.10.122 80   --priority 1 --weight 100; pause
run pb tuple add $D0 http tcp 10.10.10.123 8080 --priority 2 --weight 100; pause
run pb tuple add $D0 smtp tcp 10.10.10.123 23   --priority 1; pause
run pb tuple add $D0 smtp tcp 10.10.10.124 23   --priority 2; pause
table
say "what clients see"
run ctl_exec dig +short @10.10.10.1 SRV _http._tcp.$D0 || true
run ctl_exec dig +short @10.10.10.1 SRV _smtp._tcp.$D0 || true
for ap in 10.10.10.121:80 10.10.10.122:80 10.10.10.123:8080; do
  run ctl_exec curl -sS --max-time 2 "http://$ap/" || true
done
printf '%s$ (telnet 10.10.10.124 23)%s\n' "$C" "$R"; probe_smtp 10.10.10.124 23 || true
pause

say "health: every agent probes what it runs and reports; the watchdog keeps each server's state"
wait_until 15 bash -c "! ip netns exec pbt-ctl $PBT_BUILD/cli/patchbay servers ls | grep -qE 'unknown|down'" || true
run pb servers ls || true
say "h121's http process dies: the client view answers around it within a second"
U121=patchbay-http@10.10.10.121:80-tcp.service
run host_exec h121 systemctl kill --kill-whom=main --signal=KILL $U121
sleep 1
run ctl_exec dig +short -p 5353 @10.10.10.1 SRV _http._tcp.$D0 || true
echo "  ${D}the assignment view keeps it (h121's agent must not stop it for good):${R}"
run ctl_exec dig +short @10.10.10.1 SRV _http._tcp.$D0 || true
run pb servers ls || true
say "h121's agent starts it again at its next poll; two good probes later it is back"
wait_until $((PBT_POLL_SECONDS + 10)) bash -c "ip netns exec pbt-ctl dig +short -p 5353 @10.10.10.1 SRV _http._tcp.$D0 | grep -q 10-10-10-121" || true
run ctl_exec dig +short -p 5353 @10.10.10.1 SRV _http._tcp.$D0 || true
run pb server show h121 || true
pause

say "a tuple leaves the zone: only h122 stops its http"
run pb tuple rm $D0 http tcp 10.10.10.122 80
pause; table

say "a weight changes: nothing restarts"
pid0=$(unit_show h121 "$U121" MainPID)
run pb tuple add $D0 http tcp 10.10.10.121 80 --priority 1 --weight 50
pause
echo "  h121 $U121: MainPID $pid0 before, $(unit_show h121 "$U121" MainPID) after"

say "10.10.10.123 is unbound from h123's eth0: its services stop"
run ip -n pbt-h123 addr del 10.10.10.123/24 dev eth0
pause; table
say "…and bound again: they start"
run ip -n pbt-h123 addr add 10.10.10.123/24 dev eth0
pause; table

say "every server's history (the page at $PATCHBAY_CONTROLLER/ui/ draws the same)"
run pb timeline --range 5m || true

say "patchbay status"
run pb status || true

if [ "$keep" = 1 ]; then
  say "up until Ctrl-C (e.g. sudo ip netns exec pbt-ctl curl http://10.10.10.121/)"
  # Bounded like everything else: the containers themselves end after an hour.
  sleep 3600 & KEEP_PID=$!
  wait "$KEEP_PID" || true
fi
