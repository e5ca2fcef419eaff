#!/bin/bash
# The agent's last-known-good snapshot (state_file) across its own restarts, on loopback
# without systemd (--dry-run), a --dev controller serving the zone:
#   1. a daemon that fetched a complete snapshot keeps it in state_file (whole: no
#      temporary left beside it);
#   2. restarted with DNS reachable, it starts from the file: its first refresh finds the
#      serial unchanged and fetches nothing;
#   3. with DNS unreachable (resolvers on a closed loopback port), --once still plans the
#      start the file holds (and exits 3, saying so), a daemon would start it and stops
#      nothing; without the file neither plans anything;
#   4. a damaged file is logged, naming it, and ignored: the agent runs on as without one;
#   5. a domain no longer configured is ignored.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
AGENT=$BUILD/agent/patchbay-agent
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }

start_controller
"$PB" zone add hostdomain.com >/dev/null
svc_port=$(free_port)
"$PB" tuple add hostdomain.com web tcp 127.0.0.1 "$svc_port" >/dev/null
unit="patchbay-web@127.0.0.1:$svc_port-tcp.service"
closed=$(free_port)  # nothing listens here: DNS unreachable
agent_pid=
stop_all() {
  [ -z "$agent_pid" ] || { kill "$agent_pid" && wait "$agent_pid"; } 2>/dev/null || true
  cleanup
}
trap stop_all EXIT

# config NAME RESOLVER STATE_FILE [DOMAIN] — an agent config in $work/NAME.toml.
config() {
  cat >"$work/$1.toml" <<TOML
[agent]
domains = ["${4:-hostdomain.com}"]
resolvers = ["$2"]
notify_listen = ""
query_timeout_ms = 300
poll_seconds = 300
idle_poll_seconds = 300
env_dir = "$work/env"
state_file = "$3"
[services.web]
unit = "patchbay-web@.service"
transports = ["tcp"]
TOML
}
mkdir -p "$work/env"
snapshot="$work/snapshot.json"
config reachable "127.0.0.1:$dns_port" "$snapshot"
config unreachable "127.0.0.1:$closed" "$snapshot"
config unreachable-none "127.0.0.1:$closed" ""
config other-domain "127.0.0.1:$closed" "$snapshot" "other.example"

# daemon NAME — the agent as a daemon (--dry-run) with $work/NAME.toml, its log in $work/NAME.log.
daemon() {
  "$AGENT" --config "$work/$1.toml" --dry-run >/dev/null 2>"$work/$1.log" &
  agent_pid=$!
}
stop_daemon() {
  kill -0 "$agent_pid" 2>/dev/null || die "the agent died: $(cat "$work"/*.log)"
  kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=
}
# wait_log NAME TEXT — until TEXT (fixed) is in $work/NAME.log.
wait_log() {
  wait_until 10 grep -qF "$2" "$work/$1.log" || { cat "$work/$1.log" >&2; die "$1: no log line '$2'"; }
}
# starts FILE — the units the plan in FILE (--output json) starts, sorted, one line.
starts() { python3 -c 'import json,sys; print(" ".join(sorted(a["unit"] for a in json.load(open(sys.argv[1]))["start"])))' "$1"; }

# 1. The daemon's first complete snapshot lands in the state file.
daemon reachable
wait_log reachable "would start $unit"
wait_until 10 test -s "$snapshot" || die "no state file written"
stop_daemon
serial=$(python3 - "$snapshot" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == 1, d
[z] = d["domains"]
assert z["domain"] == "hostdomain.com", z
[t] = z["tuples"]
print(z["serial"], t["service"], t["transport"], t["address"], t["port"])
PY
)
expect_eq "the state file holds the snapshot" "web tcp 127.0.0.1 $svc_port" "${serial#* }"
serial=${serial%% *}
expect_eq "nothing but the state file in its directory" "" "$(ls "$work" | grep '^snapshot.json.' || true)"

# 2. Restarted with DNS reachable: carried on from the file, only the SOA asked.
daemon reachable
wait_log reachable "loaded last-known-good snapshot from $snapshot: hostdomain.com serial $serial (1 tuples)"
wait_log reachable "hostdomain.com: serial $serial unchanged (start-up)"
wait_log reachable "would start $unit"
stop_daemon
expect_eq "restarted, no full fetch" "0" "$(grep -c "hostdomain.com: serial $serial, " "$work/reachable.log" || true)"
ok "restarted with DNS reachable, it starts from the file and only checks the serial"

# 3. DNS unreachable: the file still places the unit; without it nothing is planned.
code=0
"$AGENT" --config "$work/unreachable.toml" --once --dry-run --output json >"$work/once.json" 2>"$work/once.log" || code=$?
expect_eq "--once with DNS unreachable exits 3" 3 "$code"
expect_eq "--once with DNS unreachable plans the start the file holds" "$unit" "$(starts "$work/once.json")"
expect_contains "--once says it placed from the file" \
  "placed from the last-known-good snapshot (serial $serial), stopped nothing" "$(cat "$work/once.log")"
code=0
"$AGENT" --config "$work/unreachable-none.toml" --once --dry-run --output json >"$work/none.json" 2>"$work/none.log" || code=$?
expect_eq "--once without a state file exits 3" 3 "$code"
expect_eq "--once without a state file plans nothing" "" "$(starts "$work/none.json")"

daemon unreachable
wait_log unreachable "hostdomain.com: no complete snapshot"
wait_log unreachable "would start $unit"
stop_daemon
expect_eq "the daemon stops nothing" "0" "$(grep -c "would stop" "$work/unreachable.log" || true)"
daemon unreachable-none
wait_log unreachable-none "hostdomain.com: no complete snapshot"
sleep 0.3  # a plan would follow at once
stop_daemon
expect_eq "without a state file the daemon plans nothing" "0" "$(grep -c "would start" "$work/unreachable-none.log" || true)"

# 4. A damaged file: named in the log, ignored, the agent runs on.
cp "$snapshot" "$work/good.json"
printf '{"version":1,"domains":[{"domain":"hostdomain.com","serial":"7"' >"$snapshot"
daemon unreachable
wait_log unreachable "last-known-good snapshot not used: $snapshot: not a JSON object"
wait_log unreachable "hostdomain.com: no complete snapshot"
sleep 0.3
stop_daemon
expect_eq "a damaged file places nothing" "0" "$(grep -c "would start" "$work/unreachable.log" || true)"
python3 - "$work/good.json" "$snapshot" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["domains"][0]["tuples"][0]["address"] = "10.0.0.300"
json.dump(d, open(sys.argv[2], "w"))
PY
daemon unreachable
wait_log unreachable "last-known-good snapshot not used: $snapshot: domains[0].tuples[0]: "
wait_log unreachable "hostdomain.com: no complete snapshot"
stop_daemon
ok "a damaged file is named in the log and ignored"

# 5. A domain no longer configured: its snapshot is not used.
cp "$work/good.json" "$snapshot"
code=0
"$AGENT" --config "$work/other-domain.toml" --once --dry-run --output json >"$work/other.json" 2>"$work/other.log" || code=$?
expect_eq "another domain, DNS unreachable, exits 3" 3 "$code"
expect_eq "a domain no longer configured places nothing" "" "$(starts "$work/other.json")"
expect_eq "and is not said to be loaded" "0" "$(grep -c "loaded last-known-good" "$work/other.log" || true)"
echo "passed $pb_pass checks"
