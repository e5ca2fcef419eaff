#!/bin/bash
# agent_lifecycle.sh — end to end: what the agent does over its life, on three real
# systemd hosts (h121 h122 h125; poll_seconds 8, idle_poll_seconds 1):
#   1. a host whose addresses match no tuple polls every idle_poll_seconds, one with
#      matches every poll_seconds (counted from outside: the UDP datagrams the host's
#      network namespace sends — one SOA query per poll, nothing else speaks UDP there);
#   2. a restarted (or killed) agent adopts the units it placed: none restarts (same
#      MainPID, same start time) and its journal says "adopted UNIT";
#   3. a placed unit that fails to start (its port is taken) is named in the agent's
#      journal with its result; the agent keeps running, other units are untouched, and
#      once the port is free the next poll starts it;
#   4. the controller gone ⇒ nothing stops; the controller back with the same state ⇒
#      the agents recover and nothing restarts.
# Run by ctest (`bash tests/e2e/agent_lifecycle.sh`, env PATCHBAY_BUILD, PATCHBAY_SOURCE).
# Needs root, systemd-container, iproute2, curl. Prints "ok - …" per check; the first
# failure prints "not ok - …" with the agent journals and the controller log, exits 1.
set -euo pipefail

PATCHBAY_SOURCE=${PATCHBAY_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
export PBT_HOSTS="h121 h122 h125"
export PBT_POLL_SECONDS=8        # with matches
export PBT_IDLE_POLL_SECONDS=1   # matching nothing: 8× faster, easy to tell apart
source "$PATCHBAY_SOURCE/tests/lib/testbed.sh"
source "$PATCHBAY_SOURCE/tests/lib/e2e.sh"
trap testbed_down EXIT
trap 'exit 130' INT TERM         # Ctrl-C / ctest timeout: the EXIT trap still cleans up

D=$PBT_DOMAIN
POLL=$PBT_POLL_SECONDS
IDLE=$PBT_IDLE_POLL_SECONDS
T_START=$(date +%s)

AGENT=patchbay-agent.service

units_are() {  # units_are h121 UNIT… — h121 runs exactly these instances
  local h=$1; shift
  [ "$(host_units "$h")" = "$(printf '%s\n' "$@" | sed '/^$/d' | sort)" ]
}

agent_pid()    { unit_show "$1" "$AGENT" MainPID; }
agent_status() { unit_show "$1" "$AGENT" StatusText; }   # the agent's STATUS= text
# agent_journal h121 PID — the journal lines of that agent process (message text only).
agent_journal() { host_exec "$1" journalctl -u "$AGENT" "_PID=$2" -o cat --no-pager; }
# placed_actions h121 PID — the start/stop lines (apply.cpp) of that agent process.
placed_actions() { agent_journal "$1" "$2" | grep -E '^(start|stop) patchbay-' || true; }

# udp_out h121 — UDP datagrams the host's network namespace has sent so far. Only the
# agent's resolver speaks UDP there (one SOA query per domain per poll); the other UDP
# it may send, answers to NOTIFY, only follow zone changes, and none happen in a window.
udp_out() {
  # shellcheck disable=SC2016
  ip netns exec "pbt-$1" awk '$1 == "Udp:" { if (!n++) { for (i = 2; i <= NF; i++) c[$i] = i } else print $c["OutDatagrams"] }' /proc/net/snmp
}
# count_queries SECONDS HOST… — prints "HOST=N" for each host: datagrams sent in the window.
count_queries() {
  local w=$1 h; shift
  declare -A a0
  for h in "$@"; do a0[$h]=$(udp_out "$h"); done
  sleep "$w"
  for h in "$@"; do echo "$h=$(( $(udp_out "$h") - a0[$h] ))"; done
}
# get "h121=3 h125=9" h125 ⇒ 9
get() { local kv; for kv in $1; do [ "${kv%%=*}" != "$2" ] || echo "${kv#*=}"; done; }
max1() { [ "$1" -gt 1 ] && echo "$1" || echo 1; }

require_binaries

# ---- 0. up: hosts, controller, agents, tuples ------------------------------------------------
testbed_up
ok "testbed: ${PBT_HOSTS[*]} booted in ${PBT_BOOT_MS} ms"
testbed_start_controller
testbed_install_token
testbed_start_agents
ok "controller on $PATCHBAY_CONTROLLER; patchbay-agent.service active on ${PBT_HOSTS[*]} (poll ${POLL} s, idle poll ${IDLE} s)"

U121H=$(unit_of http 10.10.10.121 80)
U121S=$(unit_of smtp 10.10.10.121 23)
U122H=$(unit_of http 10.10.10.122 80)
pb zone add "$D" >/dev/null || fail "patchbay zone add $D"
pb tuple add "$D" http tcp 10.10.10.121 80 --priority 1 --weight 100 >/dev/null || fail "tuple add http .121:80"
pb tuple add "$D" smtp tcp 10.10.10.121 23 --priority 1 >/dev/null || fail "tuple add smtp .121:23"
pb tuple add "$D" http tcp 10.10.10.122 80 --priority 1 --weight 100 >/dev/null || fail "tuple add http .122:80"
wait_until 15 units_are h121 "$U121H" "$U121S" || fail "h121 runs [$(host_units h121 | tr '\n' ' ')], want http:80 smtp:23" h121
wait_until 15 units_are h122 "$U122H" || fail "h122 runs [$(host_units h122 | tr '\n' ' ')], want http:80" h122
units_are h125 || fail "h125 runs [$(host_units h125 | tr '\n' ' ')], want nothing" h125
ok "placed: h121 http:80 smtp:23, h122 http:80, h125 nothing"

# ---- 1. polling: idle_poll_seconds while nothing matches, poll_seconds otherwise -------------
# Each poll is one SOA query. Bounds are loose: the idle host must send at least half of
# what W/IDLE predicts and at least 3× what a busy host sends; busy hosts at most W/POLL+2.
W=10
sleep 1   # the last NOTIFY refreshes (and their answers) are behind us
c=$(count_queries "$W" h121 h122 h125 | tr "\n" " ")
idle=$(get "$c" h125); busy1=$(get "$c" h121); busy2=$(get "$c" h122)
busy=$(( busy1 > busy2 ? busy1 : busy2 ))
[ "$idle" -ge $(( W / IDLE / 2 )) ] ||
  fail "h125 (matches nothing) sent $idle DNS queries in $W s; idle_poll_seconds=$IDLE ⇒ about $(( W / IDLE )) ($c)" h125
[ "$busy" -le $(( W / POLL + 2 )) ] ||
  fail "h121/h122 (with matches) sent $busy1/$busy2 DNS queries in $W s; poll_seconds=$POLL ⇒ about $(( W / POLL )) ($c)" h121 h122
[ "$idle" -ge $(( 3 * $(max1 "$busy") )) ] ||
  fail "h125 (matches nothing) polled only $idle times vs $busy on a host with matches in $W s: not faster ($c)" h121 h125
ok "in $W s, h125 (matches nothing) sent $idle SOA queries, h121 $busy1 and h122 $busy2 (with matches): idle hosts poll faster"

# Give h125 a tuple: it must slow down to poll_seconds.
U125=$(unit_of http 10.10.10.125 80)
pb tuple add "$D" http tcp 10.10.10.125 80 --priority 1 --weight 100 >/dev/null || fail "tuple add http .125:80"
wait_until 5 unit_active h125 "$U125" || fail "$U125 not active 5 s after tuple add" h125
# The interval after a refresh is chosen from the plan before that refresh: the NOTIFY
# refresh that placed the unit still arms an idle poll; the one after it arms poll_seconds.
sleep $(( IDLE + 1 ))
c=$(count_queries "$W" h125)
now=$(get "$c" h125)
{ [ "$now" -le $(( W / POLL + 2 )) ] && [ "$idle" -ge $(( 3 * $(max1 "$now") )) ]; } ||
  fail "h125 with a match sent $now DNS queries in $W s (before, matching nothing: $idle); poll_seconds=$POLL" h125
ok "h125 given http .125:80 ⇒ $now SOA queries in $W s (was $idle): back to poll_seconds"

# Take it away: fast again (after at most one poll_seconds interval, see above).
pb tuple rm "$D" http tcp 10.10.10.125 80 >/dev/null || fail "tuple rm http .125:80"
wait_until 5 unit_inactive h125 "$U125" || fail "$U125 still active 5 s after tuple rm" h125
sleep $(( POLL + 1 ))
W2=6
c=$(count_queries "$W2" h125)
again=$(get "$c" h125)
[ "$again" -ge $(( W2 / IDLE / 2 )) ] ||
  fail "h125 matching nothing again sent $again DNS queries in $W2 s; idle_poll_seconds=$IDLE ⇒ about $(( W2 / IDLE ))" h125
ok "tuple .125:80 removed ⇒ h125 polls fast again ($again SOA queries in $W2 s)"

# ---- 2. adoption: a restarted or killed agent restarts none of its units ---------------------
# check_adoption HOW — HOW = restart (systemctl restart) | kill (SIGKILL; Restart=always).
check_adoption() {
  local how=$1 before old new u j
  before=$(snapshot h121)
  old=$(agent_pid h121)
  if [ "$how" = restart ]; then
    host_exec h121 timeout 20 systemctl restart "$AGENT" || fail "systemctl restart $AGENT on h121" h121
  else
    host_exec h121 systemctl kill -s KILL "$AGENT" || fail "systemctl kill -s KILL $AGENT on h121" h121
  fi
  # shellcheck disable=SC2317
  restarted() { new=$(agent_pid h121) && [ "$new" != 0 ] && [ "$new" != "$old" ] && unit_active h121 "$AGENT"; }
  wait_until 15 restarted || fail "$how: no new agent on h121 within 15 s (MainPID was $old)" h121
  new=$(agent_pid h121)
  # The first reconcile of the new agent has run once the units are adopted and it
  # reported its status ("… 2 running").
  # shellcheck disable=SC2317
  adopted_all() {
    local j; j=$(agent_journal h121 "$new")
    grep -qF "adopted $U121H " <<<"$j" && grep -qF "adopted $U121S " <<<"$j" &&
      [[ "$(agent_status h121)" == *", 2 running" ]]
  }
  wait_until 15 adopted_all ||
    fail "$how: the new agent (pid $new) on h121 did not log 'adopted' for both units within 15 s; status '$(agent_status h121)'" h121
  sleep 1   # anything the first reconcile would do has been sent by now
  same_snapshot "$before" "agent $how on h121" h121
  j=$(placed_actions h121 "$new")
  [ -z "$j" ] || fail "agent $how on h121: the new agent started/stopped units:"$'\n'"$j" h121
  ok "agent $how on h121 (pid $old → $new) ⇒ both units adopted ('$(agent_journal h121 "$new" | grep -m1 -F "adopted $U121H")'), none restarted (same MainPID, same start time)"
}
check_adoption restart
check_adoption kill

# ---- 3. a unit that fails to start is reported; nothing else suffers -------------------------
U122F=$(unit_of http 10.10.10.122 8081)
# Someone else holds 10.10.10.122:8081 (a transient unit, not one of the agent's).
host_exec h122 systemd-run --quiet --unit=pbt-squatter -p Type=notify \
  -E PATCHBAY_ADDRESS=10.10.10.122 -E PATCHBAY_PORT=8081 -E PATCHBAY_TRANSPORT=tcp \
  "$PBT_BUILD/examples/patchbay-demo-listener" --kind http || fail "cannot start the squatter on h122:8081" h122
SQUAT="patchbay demo http on 10.10.10.122:8081 (host h122)"
body=$(probe_http 10.10.10.122 8081 2>&1) || true
[ "$body" = "$SQUAT" ] || fail "squatter on 10.10.10.122:8081 answers '$body', want '$SQUAT'" h122
before=$(snapshot)
pid122=$(agent_pid h122); nr122=$(unit_show h122 "$AGENT" NRestarts)
pb tuple add "$D" http tcp 10.10.10.122 8081 --priority 1 --weight 100 >/dev/null || fail "tuple add http .122:8081"
FAILED_LINE="start of $U122F ended with result 'failed'"
# shellcheck disable=SC2317
failure_logged() { agent_journal h122 "$pid122" | grep -qF "$FAILED_LINE"; }
wait_until 10 failure_logged || fail "h122's agent journal has no \"$FAILED_LINE\" within 10 s" h122
line=$(agent_journal h122 "$pid122" | grep -m1 -F "$FAILED_LINE")
unit_active h122 "$U122F" && fail "$U122F is active although its port is taken" h122
unit_active h122 "$AGENT" || fail "$AGENT not active on h122 after a unit failed" h122
{ [ "$(agent_pid h122)" = "$pid122" ] && [ "$(unit_show h122 "$AGENT" NRestarts)" = "$nr122" ]; } ||
  fail "$AGENT on h122 restarted after a unit failed (pid $pid122 → $(agent_pid h122))" h122
sleep $(( POLL + 1 ))   # the agent retries on its polls: still nothing else may move
same_snapshot "$before" "a failed start on h122" "${PBT_HOSTS[@]}"
body=$(probe_http 10.10.10.122 8081 2>&1) || true
[ "$body" = "$SQUAT" ] || fail "the squatter on 10.10.10.122:8081 was disturbed: '$body'" h122
ok "port .122:8081 taken ⇒ agent logged '$line'; agent kept running (pid $pid122), other units untouched"

host_exec h122 systemctl stop pbt-squatter.service
wait_until $(( POLL + 5 )) unit_active h122 "$U122F" ||
  fail "$U122F not started within $(( POLL + 5 )) s after its port became free" h122
body=$(probe_http 10.10.10.122 8081 2>&1) || true
want="patchbay demo http on 10.10.10.122:8081 (host h122)"
[ "$body" = "$want" ] || fail "http on 10.10.10.122:8081: got '$body', want '$want'" h122
ok "port .122:8081 freed ⇒ the agent's next poll started $U122F (answers)"
pb tuple rm "$D" http tcp 10.10.10.122 8081 >/dev/null || fail "tuple rm http .122:8081"
wait_until 5 units_are h122 "$U122H" || fail "h122 runs [$(host_units h122 | tr '\n' ' ')] 5 s after tuple rm .122:8081" h122

# ---- 4. DNS outage: nothing stops; the controller back with the same state: nothing restarts -
# all_status has|lacks TEXT — every agent's STATUS= text contains TEXT (has) or none does (lacks).
# shellcheck disable=SC2317
all_status() {
  local h s
  for h in "${PBT_HOSTS[@]}"; do
    s=$(agent_status "$h")
    case "$1" in
      has)   [[ "$s" == *"$2"* ]] || return 1 ;;
      lacks) [[ "$s" != *"$2"* ]] || return 1 ;;
    esac
  done
}
status_line() { local h; for h in "${PBT_HOSTS[@]}"; do printf '%s: %s; ' "$h" "$(agent_status "$h")"; done; }
before=$(snapshot)
declare -A APID
for h in "${PBT_HOSTS[@]}"; do APID[$h]=$(agent_pid "$h"); done
status_before=$(status_line)
t_out=$(date +%s)
testbed_stop_controller KILL
probe_closed "$PBT_CTL_ADDR" 8080 || fail "controller API still answers after kill -9"
# Every agent has tried (and failed) at least once: each says "(retrying)".
wait_until $(( 2 * POLL + 5 )) all_status has '(retrying)' ||
  fail "not every agent noticed the outage within $(( 2 * POLL + 5 )) s: $(status_line)"
sleep "$POLL"   # a few more failed tries (backoff 1, 2, 4 … s, capped at poll_seconds)
same_snapshot "$before" "controller killed" "${PBT_HOSTS[@]}"
ok "controller killed ⇒ every agent retrying after $(( $(date +%s) - t_out )) s ($(agent_status h121)), every unit still runs"

testbed_start_controller    # same --state dir: same zone, same tuples
t_back=$(date +%s)
n=$(pb tuple ls "$D" | grep -c '10\.10\.10\.' || true)
[ "$n" = 3 ] || fail "the controller came back with $n tuples for $D, want the same 3"
wait_until $(( POLL + 8 )) all_status lacks '(retrying)' ||
  fail "agents still retrying $(( POLL + 8 )) s after the controller came back: $(status_line)"
RECOVER_S=$(( $(date +%s) - t_back ))
sleep 1
same_snapshot "$before" "controller back" "${PBT_HOSTS[@]}"
for h in "${PBT_HOSTS[@]}"; do
  [ "$(agent_pid "$h")" = "${APID[$h]}" ] || fail "$AGENT on $h restarted during the outage" "$h"
  j=$(host_exec "$h" journalctl -u "$AGENT" "_PID=${APID[$h]}" --since "@$t_out" -o cat --no-pager |
        grep -E '^(start|stop) patchbay-' || true)
  [ -z "$j" ] || fail "$h's agent started/stopped units around the outage:"$'\n'"$j" "$h"
done
ok "controller back with the same state ⇒ every agent recovered within ${RECOVER_S} s, nothing restarted (status before: ${status_before}now: $(status_line))"

echo "# total $(( $(date +%s) - T_START )) s (boot ${PBT_BOOT_MS} ms)"
echo "PASS agent_lifecycle"
