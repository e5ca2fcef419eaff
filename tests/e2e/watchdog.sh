#!/bin/bash
# watchdog.sh — end to end: the watchdog (issue 4) on three real systemd hosts
# (h121 h122 h123; HTTP/TCP .121:80 p1, .122:80 p1, .123:8080 p2 — the seed's HTTP tuples),
# each agent probing its instances over HTTP and reporting to the controller:
#   1. every server reports and is up; both views answer the same three places;
#   2. a service's process killed ⇒ the client view drops that server (the assignment view
#      keeps it), an alert reaches a webhook receiver run by this test; the agent starts
#      the unit again ⇒ it comes back, and a recovery message follows; killed and started
#      again within milliseconds ⇒ still down, and up again only on fresh probe successes;
#   3. a whole host cut off (its link down) ⇒ down by missing heartbeat, left out of the
#      client view; with .121 killed too, the next priority (.123:8080) answers alone; the
#      host cut off keeps its services running, spools its reports, and delivers them all
#      once its link is back (no sequence number missing);
#   4. the controller away for a minute ⇒ every agent keeps every service running (same
#      MainPIDs), spools, and delivers every report afterwards; the controller restarted on
#      the same state still has the history (the kill of step 2 is in `server show`).
# Run by ctest (`bash tests/e2e/watchdog.sh`, env PATCHBAY_BUILD, PATCHBAY_SOURCE).
# Needs root, systemd-container, iproute2, curl, dig, python3. Prints "ok - …" per check;
# the first failure prints "not ok - …" with the agent journals and the controller log.
set -euo pipefail

PATCHBAY_SOURCE=${PATCHBAY_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
export PBT_HOSTS="h121 h122 h123"
export PBT_POLL_SECONDS=4        # how soon the agent starts a killed unit again
export PBT_PROBES=1              # [services.http.probe] kind = "http" in every agent
source "$PATCHBAY_SOURCE/tests/lib/testbed.sh"
source "$PATCHBAY_SOURCE/tests/lib/e2e.sh"
trap 'testbed_down; stop_receiver' EXIT
trap 'exit 130' INT TERM

D=$PBT_DOMAIN
CLIENT_PORT=5353                 # the client view's listener; port 53 serves the agents
HOOK_PORT=9099
HEARTBEAT_TIMEOUT=6
OUTAGE_SECONDS=${WATCHDOG_OUTAGE_SECONDS:-60}
HOOKS=$PBT_RUN/webhook.jsonl
RECEIVER_PID=

require_binaries
command -v dig >/dev/null || { echo "not ok - missing dig (./build.sh --tests installs it)" >&2; exit 1; }

# srv PORT — "ADDR:PORT" of each _http._tcp SRV the controller answers on PORT, sorted
# (the target host name's A record gives the address: h121's name is its tuple's).
srv() {
  ctl_exec dig +short +time=1 +tries=1 -p "$1" @"$PBT_CTL_ADDR" SRV "_http._tcp.$D" |
    while read -r _prio _weight port target; do
      addr=$(ctl_exec dig +short +time=1 +tries=1 -p "$1" @"$PBT_CTL_ADDR" A "$target" | head -1)
      echo "$addr:$port"
    done | sort | tr '\n' ' ' | sed 's/ $//'
}
client_is()     { [ "$(srv "$CLIENT_PORT")" = "$1" ]; }
assignment_is() { [ "$(srv 53)" = "$1" ]; }
ALL="10.10.10.121:80 10.10.10.122:80 10.10.10.123:8080"

# server_field NAME FIELD — one field of `patchbay server show NAME --output json`.
server_field() {
  pb server show "$1" --output json |
    python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$2"
}
server_is() { [ "$(server_field "$1" state 2>/dev/null)" = "$2" ]; }
# lost NAME — reports the controller knows were sent but never arrived (sequence gaps).
lost() { server_field "$1" lost; }
reports() { server_field "$1" reports; }

# hook_has KIND SERVER — the webhook receiver got a message of that kind for that server.
hook_has() {
  [ -s "$HOOKS" ] && python3 - "$HOOKS" "$1" "$2" <<'PY'
import json, sys
path, kind, server = sys.argv[1:]
for line in open(path):
    m = json.loads(line)
    if m.get("kind") == kind and m.get("server") == server:
        sys.exit(0)
sys.exit(1)
PY
}

start_receiver() {
  : >"$HOOKS"
  # A webhook receiver like any alerting endpoint: appends each JSON body as one line.
  ip netns exec pbt-ctl python3 - "$HOOK_PORT" "$HOOKS" <<'PY' >"$PBT_RUN/receiver.log" 2>&1 &
import http.server, json, sys
port, path = int(sys.argv[1]), sys.argv[2]
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(path, "a") as f:
            f.write(json.dumps(json.loads(body)) + "\n")
        self.send_response(204); self.end_headers()
http.server.ThreadingHTTPServer(("10.10.10.1", port), Hook).serve_forever()
PY
  RECEIVER_PID=$!
}
stop_receiver() { [ -z "$RECEIVER_PID" ] || kill "$RECEIVER_PID" 2>/dev/null || true; }

elapsed_ms() { echo $(( $(pbt_ms) - $1 )); }

# ---- 0. up ----------------------------------------------------------------------------------
testbed_up
ok "testbed: ${PBT_HOSTS[*]} booted in ${PBT_BOOT_MS} ms"
cat >"$PBT_RUN/controller.toml" <<TOML
[health]
heartbeat_timeout_seconds = $HEARTBEAT_TIMEOUT

[client_view]
listen = ["$PBT_CTL_ADDR:$CLIENT_PORT"]

[[alert]]
name = "oncall"
states = ["down"]
webhook = "http://$PBT_CTL_ADDR:$HOOK_PORT/hook"
TOML
start_receiver
testbed_start_controller --config "$PBT_RUN/controller.toml"
testbed_install_token
pb zone add "$D" >/dev/null || fail "zone add $D"
pb tuple add "$D" http tcp 10.10.10.121 80 --priority 1 >/dev/null || fail "tuple add .121"
pb tuple add "$D" http tcp 10.10.10.122 80 --priority 1 >/dev/null || fail "tuple add .122"
pb tuple add "$D" http tcp 10.10.10.123 8080 --priority 2 >/dev/null || fail "tuple add .123"
testbed_start_agents

for h in "${PBT_HOSTS[@]}"; do
  wait_until 20 server_is "$h" up || fail "$h not up 20 s after its agent started: $(pb servers ls 2>&1)" "$h"
done
ok "every server reports and is up: $(pb servers ls | tr -s ' \n' ' ')"
wait_until 5 client_is "$ALL" || fail "client view: [$(srv $CLIENT_PORT)], want [$ALL]"
assignment_is "$ALL" || fail "assignment view: [$(srv 53)], want [$ALL]"
ok "both views answer [$ALL]"

# ---- 1. a killed service ------------------------------------------------------------------
U121=$(unit_of http 10.10.10.121 80)
t0=$(pbt_ms)
host_exec h121 systemctl kill --kill-whom=main --signal=KILL "$U121"
wait_until 5 client_is "10.10.10.122:80 10.10.10.123:8080" ||
  fail "client view still [$(srv $CLIENT_PORT)] 5 s after .121's process was killed" h121
ok "killed .121:80 ⇒ the client view drops it within $(elapsed_ms "$t0") ms"
assignment_is "$ALL" || fail "the assignment view must keep .121 (its agent would stop it): [$(srv 53)]"
ok "the assignment view keeps .121"
wait_until 5 hook_has alert h121 || fail "no alert for h121 at the webhook: $(cat "$HOOKS")"
ok "the webhook got the alert for h121"
wait_until $((PBT_POLL_SECONDS * 3 + 5)) client_is "$ALL" ||
  fail "client view [$(srv $CLIENT_PORT)]: .121 not back after its agent restarted it" h121
unit_active h121 "$U121" || fail "$U121 not active again" h121
ok "the agent started $U121 again ⇒ the client view has .121 back"
wait_until 5 hook_has recovery h121 || fail "no recovery message for h121: $(cat "$HOOKS")"
ok "the webhook got the recovery for h121"

# ---- 1b. killed and started again within milliseconds ---------------------------------------
# (the agent's poll or Restart= can do that): the fall still reaches the controller, and
# the unit comes back only on fresh probe successes, not on the streak from before.
# fall_and_return N — of h121's instance changes after the Nth, the first to down and the
# next to up, as "DOWN_REASON|UP_REASON|MS_BETWEEN" (nothing until both are there).
fall_and_return() {
  pb server show h121 --output json | python3 -c '
import json, sys
changes = [c for c in json.load(sys.stdin)["changes"] if c["instance"]][int(sys.argv[1]):]
down = next((c for c in changes if c["to"] == "down"), None)
up = next((c for c in changes if down and c["at_ms"] >= down["at_ms"] and c["to"] == "up"), None)
if down and up: print("%s|%s|%d" % (down["reason"], up["reason"], up["at_ms"] - down["at_ms"]))
' "$1"
}
instance_changes() { pb server show h121 --output json | python3 -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin)["changes"] if c["instance"]))'; }
n0=$(instance_changes)
host_exec h121 bash -c "systemctl kill --kill-whom=main --signal=KILL $U121
  for i in \$(seq 500); do systemctl is-active -q $U121 || break; sleep 0.01; done
  systemctl start $U121"
fell_and_returned() { [ -n "$(fall_and_return "$1")" ]; }
wait_until 10 fell_and_returned "$n0" || true
seen=$(fall_and_return "$n0")
[ -n "$seen" ] || fail "killed and started again at once: no down then up in h121's history: $(pb server show h121)" h121
IFS='|' read -r down_reason up_reason between <<<"$seen"
grep -q "unit failed" <<<"$down_reason" || fail "the fall was not told as 'unit failed': $down_reason" h121
streak=$(sed -n 's/.*(\([0-9]*\) in a row).*/\1/p' <<<"$up_reason")
{ [ -n "$streak" ] && [ "$streak" -le 3 ] && [ "$between" -ge 500 ]; } ||
  fail "back up on stale probe successes: '$up_reason' $between ms after '$down_reason'" h121
ok "killed and started again at once ⇒ down ('$down_reason'), up $between ms later on fresh probes ('$up_reason')"
wait_until 5 client_is "$ALL" || fail "client view [$(srv $CLIENT_PORT)] after the quick restart"

# ---- 2. a host cut off ----------------------------------------------------------------------
before=$(snapshot h122)
ip -n pbt-h122 link set eth0 down
t0=$(pbt_ms)
wait_until $((HEARTBEAT_TIMEOUT + 5)) server_is h122 down ||
  fail "h122 cut off but not down after $((HEARTBEAT_TIMEOUT + 5)) s: $(pb servers ls)"
ok "h122 cut off ⇒ down by missing heartbeat after $(elapsed_ms "$t0") ms (timeout ${HEARTBEAT_TIMEOUT} s)"
wait_until 3 client_is "10.10.10.121:80 10.10.10.123:8080" || fail "client view with h122 down: [$(srv $CLIENT_PORT)]"
ok "client view without h122: [$(srv $CLIENT_PORT)]"
host_exec h121 systemctl kill --kill-whom=main --signal=KILL "$U121"
wait_until 5 client_is "10.10.10.123:8080" || fail "with .121 killed and h122 down: [$(srv $CLIENT_PORT)]"
ok ".121 killed and h122 down ⇒ the next priority, .123:8080, answers alone"
sleep 2
ip -n pbt-h122 link set eth0 up
same_snapshot "$before" "h122 while cut off" h122
ok "h122 kept its service running while cut off"
wait_until 15 server_is h122 up || fail "h122 not up 15 s after its link came back" h122
wait_until 15 client_is "$ALL" || fail "client view [$(srv $CLIENT_PORT)] after h122 and .121 came back"
[ "$(lost h122)" = 0 ] || fail "h122 lost $(lost h122) reports while cut off" h122
ok "h122 back: up, in the client view, its spooled reports all delivered ($(reports h122) reports, 0 lost)"

# ---- 3. the controller away for a minute, then restarted on the same state ------------------
declare -A sent_before
for h in "${PBT_HOSTS[@]}"; do sent_before[$h]=$(reports "$h"); done
before=$(snapshot)
testbed_stop_controller
sleep "$OUTAGE_SECONDS"
same_snapshot "$before" "controller away ${OUTAGE_SECONDS} s"
ok "controller away ${OUTAGE_SECONDS} s: every service kept running"
testbed_start_controller --config "$PBT_RUN/controller.toml"
# delivered_since h121 — its spool has come in: one heartbeat every 2 s at least, so an
# outage of a minute spools some 30 (the agent retries every 5 s at most).
delivered_since() { [ $(( $(reports "$1") - sent_before[$1] )) -ge $((OUTAGE_SECONDS / 3)) ]; }
for h in "${PBT_HOSTS[@]}"; do
  wait_until 20 delivered_since "$h" ||
    fail "$h delivered only $(( $(reports "$h") - sent_before[$h] )) reports for a ${OUTAGE_SECONDS} s outage" "$h"
  wait_until 10 server_is "$h" up || fail "$h not up after the controller came back" "$h"
  [ "$(lost "$h")" = 0 ] || fail "$h lost $(lost "$h") reports during the outage" "$h"
done
ok "after the outage every agent delivered its spool in order (0 lost)"
history=$(pb server show h121)
grep -q down <<<"$history" || fail "h121's history lost the down of step 1 after the restart: $history"
ok "controller restarted: h121's history still shows it down"
