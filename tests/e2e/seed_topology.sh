#!/bin/bash
# seed_topology.sh — end to end: the seed's example (DESIGN.md §1) on five real systemd hosts.
#   hostdomain.com; HTTP/TCP .121:80 p1 w100, .122:80 p1 w100, .123:8080 p2 w100;
#   SMTP/TCP .123:23 p1, .124:23 p2  ⇒  121, 122: http:80; 123: http:8080 + smtp:23;
#   124: smtp:23; 125: nothing.
# Then: a removed tuple stops on its host only, within 1 s (NOTIFY); a weight change
# restarts nothing; an unbound address stops its services and a rebound one starts them;
# a dead controller stops nothing for two poll intervals; nsupdate with the --dev TSIG key
# places and removes a tuple like the CLI, unsigned it is refused.
# Run by ctest (`bash tests/e2e/seed_topology.sh`, env PATCHBAY_BUILD, PATCHBAY_SOURCE).
# Needs root, systemd-container, iproute2, curl. Prints "ok - …" per check; the first
# failure prints "not ok - …" with the agent journals and the controller log, exits 1.
set -euo pipefail

PATCHBAY_SOURCE=${PATCHBAY_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
export PBT_POLL_SECONDS=2        # small, so "two poll intervals" is a short wait
source "$PATCHBAY_SOURCE/tests/lib/testbed.sh"
source "$PATCHBAY_SOURCE/tests/lib/e2e.sh"
trap testbed_down EXIT
trap 'exit 130' INT TERM         # Ctrl-C / ctest timeout: the EXIT trap still cleans up

D=$PBT_DOMAIN
NOTIFY_LIMIT_MS=1000             # a change must reach the host through NOTIFY, not the poll


# The seed's placement: host ⇒ "kind:port" it must run.
declare -A SEED=([h121]="http:80" [h122]="http:80" [h123]="http:8080 smtp:23" [h124]="smtp:23" [h125]="")

# expected_units h123 ["kind:port"…] — the sorted unit names for that placement.
expected_units() {
  local h=$1 kp; shift
  for kp in "$@"; do unit_of "${kp%%:*}" "$(host_addr "$h")" "${kp##*:}"; done | sort
}
units_are() { [ "$(host_units "$1")" = "$(expected_units "$@")" ]; }

# check_host h123 TIMEOUT "kind:port"… — waits until h123 runs exactly these instances,
# then connects to each from pbt-ctl and checks the other seed ports are closed.
check_host() {
  local h=$1 limit=$2; shift 2
  local a; a=$(host_addr "$h")
  # shellcheck disable=SC2068
  if ! wait_until "$limit" units_are "$h" $@; then
    fail "$h should run exactly [$*] but runs [$(host_units "$h" | tr '\n' ' ')]" "$h"
  fi
  local kp kind port body want
  for kp in "$@"; do
    kind=${kp%%:*}; port=${kp##*:}
    if [ "$kind" = http ]; then
      want="patchbay demo http on $a:$port (host $h)"
      body=$(probe_http "$a" "$port" 2>&1) || true
    else
      want="220 $h patchbay demo SMTP on $a:$port"
      body=$(probe_smtp "$a" "$port" 2>&1) || true
    fi
    [ "$body" = "$want" ] || fail "$kind on $a:$port from pbt-ctl: got '$body', want '$want'" "$h"
  done
  for port in 80 8080 23; do
    [[ " $* " == *":$port "* ]] && continue
    probe_closed "$a" "$port" || fail "$a:$port answers but $h should not listen there" "$h"
  done
  ok "$h runs ${*:-nothing}$( [ $# -gt 0 ] && echo " (units + connections)")"
}

check_seed() {
  local h
  # shellcheck disable=SC2086
  for h in "${PBT_HOSTS[@]}"; do check_host "$h" "${1:-15}" ${SEED[$h]}; done
}


# ms_until LIMIT_S CMD… — milliseconds until CMD succeeds (polled every 20 ms); fails the
# test when it does not within LIMIT_S.
ms_until() {
  local limit=$1; shift
  local t0 end; t0=$(date +%s%N); end=$(( t0 + limit * 1000000000 ))
  while ! "$@" >/dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$end" ] || return 1
    sleep 0.02
  done
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

# trigger_since HOST T0_NS — why HOST's agent first refreshed after T0_NS (date +%s%N), from
# its refresh line "DOMAIN: serial N, M tuple(s) (REASON, K queries)": notify | poll | …
trigger_since() {
  host_exec "$1" journalctl -u patchbay-agent.service -o short-unix --no-pager --since "@$(( $2 / 1000000000 ))" |
    awk -v t0="$(( $2 / 1000 ))" '{ split($1, ts, "."); if (ts[1] * 1000000 + ts[2] < t0) next }
      match($0, /tuple\(s\) \([a-z ]+,/) { r = substr($0, RSTART + 10, RLENGTH - 11); print r; exit }'
}
# check_trigger HOST T0_NS WHAT — a poll doing NOTIFY's job could pass the 1 s limit by
# luck (poll_seconds is 2 here), so the agent's own account must say "notify".
check_trigger() {
  local why; why=$(trigger_since "$1" "$2") || true
  case "$why" in
    notify) ;;
    "") echo "# note: $3: no refresh line in $1's agent journal to tell NOTIFY from poll" ;;
    *) fail "$3 reached $1 by '$why', not by NOTIFY" "$1" ;;
  esac
}

# tuples_json [ADDRESS PORT] — from `patchbay --output json tuple ls`: the number of tuples,
# or "priority weight" of one (whatever the JSON's nesting, objects with address+port count).
tuples_json() {
  pb --output json tuple ls "$D" | python3 -c '
import json, sys
def walk(v):
    if isinstance(v, dict):
        if "address" in v and "port" in v: yield v
        else:
            for x in v.values(): yield from walk(x)
    elif isinstance(v, list):
        for x in v: yield from walk(x)
ts = list(walk(json.load(sys.stdin)))
if len(sys.argv) < 3: print(len(ts))
else:
    for t in ts:
        if t["address"] == sys.argv[1] and str(t["port"]) == sys.argv[2]:
            print(t.get("priority"), t.get("weight"))' "$@"
}

require_binaries

# ---- 1. up: hosts, controller, agents ------------------------------------------------------
testbed_up
ok "testbed: ${#PBT_HOSTS[@]} systemd hosts booted in ${PBT_BOOT_MS} ms"
testbed_start_controller
ok "controller --dev on $PATCHBAY_CONTROLLER"
testbed_install_token
testbed_start_agents
ok "patchbay-agent.service active on ${PBT_HOSTS[*]}"

# ---- 2. the seed's tuples -------------------------------------------------------------------
pb zone add "$D" >/dev/null || fail "patchbay zone add $D"
pb tuple add "$D" http tcp 10.10.10.121 80   --priority 1 --weight 100 >/dev/null || fail "tuple add .121:80"
pb tuple add "$D" http tcp 10.10.10.122 80   --priority 1 --weight 100 >/dev/null || fail "tuple add .122:80"
pb tuple add "$D" http tcp 10.10.10.123 8080 --priority 2 --weight 100 >/dev/null || fail "tuple add .123:8080"
pb tuple add "$D" smtp tcp 10.10.10.123 23   --priority 1 >/dev/null || fail "tuple add smtp .123:23"
pb tuple add "$D" smtp tcp 10.10.10.124 23   --priority 2 >/dev/null || fail "tuple add smtp .124:23"
n=$(tuples_json) || true
[ "$n" = 5 ] || fail "patchbay tuple ls $D lists $n tuples, want 5"
ok "zone $D with the seed's 5 tuples (CLI)"
check_seed 15

# ---- 3. a removed tuple stops on its host only, within 1 s ----------------------------------
U124=$(unit_of smtp 10.10.10.124 23)
before=$(snapshot h121 h122 h123 h125)
# The limit counts from the moment the CLI returns (the change is committed then); the
# time the CLI took is reported beside it.
t0=$(date +%s%N)
pb tuple rm "$D" smtp tcp 10.10.10.124 23 >/dev/null || fail "tuple rm smtp .124:23"
t1=$(date +%s%N)
STOP_MS=$(ms_until 5 unit_inactive h124 "$U124") || fail "$U124 still active 5 s after tuple rm" h124
[ "$STOP_MS" -le "$NOTIFY_LIMIT_MS" ] ||
  fail "tuple rm ⇒ $U124 stopped $STOP_MS ms after the CLI returned (limit $NOTIFY_LIMIT_MS ms: NOTIFY path?)" h124
check_trigger h124 "$t0" "tuple rm"
ok "tuple rm smtp .124:23 ⇒ NOTIFY ⇒ stopped on h124 $STOP_MS ms after the CLI returned (CLI: $(( (t1 - t0) / 1000000 )) ms)"
check_host h124 2
same_snapshot "$before" "tuple rm smtp .124:23 touched other hosts" h121 h122 h123 h125
ok "tuple rm smtp .124:23 left h121 h122 h123 h125 untouched"

t0=$(date +%s%N)
pb tuple add "$D" smtp tcp 10.10.10.124 23 --priority 2 >/dev/null || fail "tuple add smtp .124:23 again"
START_MS=$(ms_until 5 unit_active h124 "$U124") || fail "$U124 not active 5 s after tuple add" h124
[ "$START_MS" -le "$NOTIFY_LIMIT_MS" ] ||
  fail "tuple add ⇒ $U124 started $START_MS ms after the CLI returned (limit $NOTIFY_LIMIT_MS ms)" h124
check_trigger h124 "$t0" "tuple add"
check_host h124 2 smtp:23
ok "tuple add smtp .124:23 again ⇒ NOTIFY ⇒ started on h124 $START_MS ms after the CLI returned"

# ---- 3b. the same through RFC 2136: nsupdate with the --dev TSIG key places and removes --------
U125=$(unit_of http 10.10.10.125 80)
before=$(snapshot h121 h122 h123 h124)
nsu() {  # nsu LINE… — nsupdate from the operators' network, signed with the --dev key
  { echo "server $PBT_CTL_ADDR 53"; echo "zone $D"; printf '%s\n' "$@"; echo send; } |
    ctl_exec nsupdate -t 3 -y "$PATCHBAY_TSIG" 2>&1
}
out=$(nsu "update add _http._tcp.$D 60 SRV 1 100 80 ip4-10-10-10-125.$D." \
          "update add ip4-10-10-10-125.$D 60 A 10.10.10.125") || fail "nsupdate add: $out"
START_MS=$(ms_until 5 unit_active h125 "$U125") || fail "$U125 not active 5 s after nsupdate add" h125
check_host h125 2 http:80
ok "nsupdate add http .125:80 (TSIG) ⇒ started on h125 in $START_MS ms"
out=$(nsu "update delete _http._tcp.$D SRV 1 100 80 ip4-10-10-10-125.$D.") || fail "nsupdate delete: $out"
STOP_MS=$(ms_until 5 unit_inactive h125 "$U125") || fail "$U125 still active 5 s after nsupdate delete" h125
check_host h125 2
same_snapshot "$before" "nsupdate on .125 touched other hosts" h121 h122 h123 h124
ok "nsupdate delete http .125:80 ⇒ stopped on h125 in $STOP_MS ms; other hosts untouched"
out=$({ echo "server $PBT_CTL_ADDR 53"; echo "zone $D"; \
        echo "update add _http._tcp.$D 60 SRV 1 100 80 ip4-10-10-10-125.$D."; echo send; } |
      ctl_exec nsupdate -t 3 2>&1) && fail "an unsigned nsupdate was accepted"
[[ "$out" == *REFUSED* ]] || fail "unsigned nsupdate: want REFUSED, got: $out"
sleep 1
check_host h125 1
ok "an unsigned nsupdate is REFUSED and places nothing"

# ---- 4. a weight change restarts nothing -----------------------------------------------------
before=$(snapshot)
pb tuple add "$D" http tcp 10.10.10.121 80 --priority 1 --weight 50 >/dev/null || fail "tuple add .121:80 --weight 50"
pb tuple add "$D" http tcp 10.10.10.123 8080 --priority 3 --weight 100 >/dev/null || fail "tuple add .123:8080 --priority 3"
w=$(tuples_json 10.10.10.121 80) || true
[ "$w" = "1 50" ] || fail "tuple ls shows priority/weight '$w' for .121:80, want '1 50'"
sleep $(( PBT_POLL_SECONDS + 1 ))   # NOTIFY and one full poll have passed on every host
same_snapshot "$before" "weight/priority change" "${PBT_HOSTS[@]}"
ok "weight .121:80 100→50 and priority .123:8080 2→3 ⇒ nothing restarted (same MainPID, same start time)"

# ---- 5. an address unbound ⇒ its services stop; bound again ⇒ they start ---------------------
before=$(snapshot h121 h122 h124 h125)
t0=$(date +%s%N)
host_addr_del h123
wait_until 5 units_are h123 || fail "h123 still runs [$(host_units h123 | tr '\n' ' ')] 5 s after its address went" h123
UNBIND_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
ok "10.10.10.123 unbound ⇒ h123 stopped http:8080 and smtp:23 in $UNBIND_MS ms"
t0=$(date +%s%N)
host_addr_add h123
wait_until 5 units_are h123 http:8080 smtp:23 ||
  fail "h123 runs [$(host_units h123 | tr '\n' ' ')] 5 s after its address came back" h123
BIND_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
check_host h123 2 http:8080 smtp:23
same_snapshot "$before" "address change on h123 touched other hosts" h121 h122 h124 h125
ok "10.10.10.123 bound again ⇒ h123 started both in $BIND_MS ms, others untouched"

# ---- 6. the controller gone ⇒ nothing stops -------------------------------------------------
before=$(snapshot)
testbed_stop_controller KILL
probe_closed "$PBT_CTL_ADDR" 8080 || fail "controller API still answers after kill -9"
sleep $(( 2 * PBT_POLL_SECONDS + 1 ))
same_snapshot "$before" "controller killed" "${PBT_HOSTS[@]}"
for h in "${PBT_HOSTS[@]}"; do
  unit_active "$h" patchbay-agent.service || fail "patchbay-agent.service not active on $h without controller" "$h"
done
check_seed 2
ok "controller killed ⇒ after $(( 2 * PBT_POLL_SECONDS + 1 )) s (2 polls) every host still runs the same units"

echo "# boot ${PBT_BOOT_MS} ms; CLI returned→stopped ${STOP_MS} ms; CLI returned→started ${START_MS} ms;" \
     "unbind→stop ${UNBIND_MS} ms; bind→start ${BIND_MS} ms"
echo "PASS seed_topology"
