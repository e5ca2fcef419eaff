#!/bin/bash
# patchbay-agent against a real Knot primary on loopback (DESIGN.md §5 "interop"):
#   1. --once --dry-run --output json starts exactly the tuples on addresses bound here
#      (127.0.0.1), not those of other hosts (10.10.10.123), and none for target ".";
#   1b. the state file keeps the last complete snapshot: with DNS unreachable, --once
#      still plans the starts it holds (exit 3, nothing stopped); without it, nothing;
#   2. with knotd stopped, --once exits 3 and stops nothing;
#   3. as a daemon (--dry-run, no systemd needed), a NOTIFY — from kdig and from knotd
#      itself after a zone change — makes it refresh at once.
# Needs knotd (package knot), kdig (knot-dnsutils), dig (bind9-dnsutils), python3. Env PATCHBAY_BUILD = build dir.
set -euo pipefail

build=${PATCHBAY_BUILD:?set PATCHBAY_BUILD to the build directory}
agent=$build/agent/patchbay-agent
for tool in knotd knotc kdig dig python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -x "$agent" ] || { echo "no $agent (build the patchbay-agent target)"; exit 1; }

work=$(mktemp -d /tmp/patchbay-agent-knot.XXXXXX)
knot_pid=""
agent_pid=""
cleanup() {
  # Only what this script started, by PID.
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
  [ -n "$knot_pid" ] && kill "$knot_pid" 2>/dev/null && wait "$knot_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [ -f "$work/knotd.log" ] && tail -20 "$work/knotd.log" >&2; exit 1; }

free_port() {  # free for UDP and TCP alike (the NOTIFY listener binds both)
  python3 -c '
import socket
for _ in range(100):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); p = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        t.close(); u.close()
'
}
dns_port=$(free_port)
notify_port=$(free_port)
while [ "$notify_port" = "$dns_port" ]; do notify_port=$(free_port); done

write_zone() {  # $1 = serial, $2 = extra records
  cat >"$work/zones/hostdomain.com.zone" <<ZONE
\$ORIGIN hostdomain.com.
\$TTL 60
@           SOA ns1 hostmaster $1 3600 600 86400 60
@           NS  ns1
ns1         A   127.0.0.1
; tuples: two on this host (127.0.0.1), one on another (10.10.10.123)
_http._tcp  SRV 1 100 18080 here
_http._tcp  SRV 2 100 8080  there
_smtp._tcp  SRV 1 100 2525  here
; RFC 2782: target "." = no service
_smtp._udp  SRV 0 0 0 .
here        A   127.0.0.1
there       A   10.10.10.123
$2
ZONE
}

mkdir -p "$work/zones" "$work/run" "$work/db" "$work/env"
write_zone 7 ""
cat >"$work/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$dns_port
    rundir: $work/run
log:
  - target: stderr
    any: info
database:
    storage: $work/db
remote:
  - id: agent
    address: 127.0.0.1@$notify_port
template:
  - id: default
    storage: $work/zones
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: hostdomain.com
    notify: agent
CONF

cat >"$work/agent.toml" <<TOML
[agent]
domains = ["hostdomain.com"]
resolvers = ["127.0.0.1:$dns_port"]
notify_listen = "127.0.0.1:$notify_port"
poll_seconds = 300
idle_poll_seconds = 300
query_timeout_ms = 300
env_dir = "$work/env"
[services.http]
unit = "patchbay-http@.service"
[services.smtp]
unit = "patchbay-smtp@.service"
TOML

start_knot() {
  knotd -c "$work/knot.conf" >>"$work/knotd.log" 2>&1 &
  knot_pid=$!
  for _ in $(seq 50); do
    kdig +short +timeout=1 +retry=0 -p "$dns_port" @127.0.0.1 SOA hostdomain.com 2>/dev/null | grep -q hostmaster && return 0
    sleep 0.1
  done
  fail "knotd did not answer on 127.0.0.1:$dns_port"
}
start_knot

echo "== 1. --once --dry-run --output json"
"$agent" --config "$work/agent.toml" --once --dry-run --output json >"$work/plan.json" 2>"$work/once.log" \
  || { cat "$work/once.log" >&2; fail "--once exited $?"; }
python3 - "$work/plan.json" <<'PY' || { cat "$work/once.log" >&2; fail "plan JSON"; }
import json, sys
plan = json.load(open(sys.argv[1]))
assert set(plan) == {"start", "stop", "keep"}, plan
got = sorted((a["service"], a["transport"], a["address"], a["port"], a["unit"]) for a in plan["start"])
want = [("http", "tcp", "127.0.0.1", 18080, "patchbay-http@127.0.0.1:18080-tcp.service"),
        ("smtp", "tcp", "127.0.0.1", 2525, "patchbay-smtp@127.0.0.1:2525-tcp.service")]
assert got == want, got
for a in plan["start"]:
    assert a["domain"] == "hostdomain.com" and a["priority"] == 1 and a["weight"] == 100, a
assert plan["stop"] == [] and plan["keep"] == [], plan
print("plan ok:", [a["unit"] for a in plan["start"]])
PY
grep -q "would start patchbay-http@127.0.0.1:18080-tcp.service (http/tcp 127.0.0.1:18080, hostdomain.com serial 7)" \
  "$work/once.log" || { cat "$work/once.log" >&2; fail "log line of the start"; }
[ -z "$(ls -A "$work/env")" ] || fail "a dry run wrote environment files"

echo "== 1b. the state file: the last-known-good snapshot carries a start while DNS is unreachable"
sed "s|^env_dir = .*|&\nstate_file = \"$work/snapshot.json\"|" "$work/agent.toml" >"$work/state.toml"
"$agent" --config "$work/state.toml" --once --dry-run --output json >/dev/null 2>"$work/state1.log" \
  || { cat "$work/state1.log" >&2; fail "--once with a state file exited $?"; }
python3 - "$work/snapshot.json" <<'PY' || fail "the state file does not hold the snapshot"
import json, sys
d = json.load(open(sys.argv[1]))
[z] = d["domains"]
assert z["domain"] == "hostdomain.com" and z["serial"] == 7, z
assert sorted((t["service"], t["address"], t["port"]) for t in z["tuples"]) == \
  [("http", "10.10.10.123", 8080), ("http", "127.0.0.1", 18080), ("smtp", "127.0.0.1", 2525)], z["tuples"]
PY
closed=$(free_port)  # nothing listens here: DNS unreachable
sed "s|^resolvers = .*|resolvers = [\"127.0.0.1:$closed\"]|" "$work/state.toml" >"$work/unreachable.toml"
set +e
"$agent" --config "$work/unreachable.toml" --once --dry-run --output json >"$work/state2.json" 2>"$work/state2.log"
code=$?
sed 's|^state_file = .*|state_file = ""|' "$work/unreachable.toml" >"$work/nostate.toml"
"$agent" --config "$work/nostate.toml" --once --dry-run --output json >"$work/state3.json" 2>"$work/state3.log"
code_without=$?
set -e
[ $code = 3 ] || { cat "$work/state2.log" >&2; fail "DNS unreachable with a state file exited $code, not 3"; }
grep -q "loaded last-known-good snapshot from $work/snapshot.json: hostdomain.com serial 7 (3 tuples)" "$work/state2.log" \
  || { cat "$work/state2.log" >&2; fail "no log line of the loaded snapshot"; }
grep -q "placed from the last-known-good snapshot (serial 7), stopped nothing" "$work/state2.log" \
  || { cat "$work/state2.log" >&2; fail "--once does not say it placed from the state file"; }
starts() { python3 -c 'import json,sys; print(" ".join(sorted(a["unit"] for a in json.load(open(sys.argv[1]))["start"])))' "$1"; }
[ "$(starts "$work/state2.json")" = "patchbay-http@127.0.0.1:18080-tcp.service patchbay-smtp@127.0.0.1:2525-tcp.service" ] \
  || fail "with the state file, the plan starts $(starts "$work/state2.json")"
[ $code_without = 3 ] && [ -z "$(starts "$work/state3.json")" ] \
  || fail "without a state file the unreachable DNS still planned: $(starts "$work/state3.json") (exit $code_without)"
echo "ok - the state file"

echo "== 2. bad flags and a bad config exit 2"
set +e
"$agent" --config "$work/agent.toml" --bogus >/dev/null 2>&1; [ $? = 2 ] || fail "bad flag did not exit 2"
printf '[agent]\ndomains = ["hostdomain.com"]\nbogus = 1\n' >"$work/bad.toml"
"$agent" --config "$work/bad.toml" --once 2>"$work/bad.log"; code=$?
set -e
[ $code = 2 ] || fail "bad config exited $code"
grep -q "bad.toml:3:1: unknown key 'bogus'" "$work/bad.log" || { cat "$work/bad.log" >&2; fail "config error text"; }

echo "== 3. NOTIFY to a running agent refreshes at once"
"$agent" --config "$work/agent.toml" --dry-run >"$work/daemon.out" 2>"$work/daemon.log" &
agent_pid=$!
wait_log() {  # $1 = fixed string, $2 = what
  for _ in $(seq 50); do grep -qF "$1" "$work/daemon.log" && return 0; sleep 0.1; done
  cat "$work/daemon.log" >&2
  fail "$2"
}
wait_log "hostdomain.com: serial 7, 3 tuple(s)" "daemon's first refresh"
notify() {  # $1 = zone; dig's +opcode sends a NOTIFY (kdig 3.2 has no +notify)
  dig +opcode=notify +norecurse +time=2 +tries=1 -p "$notify_port" @127.0.0.1 "$1" SOA
}
notify hostdomain.com >"$work/notify.out" 2>&1 || { cat "$work/notify.out" >&2; fail "NOTIFY got no answer"; }
grep -q "opcode: NOTIFY, status: NOERROR" "$work/notify.out" || { cat "$work/notify.out" >&2; fail "NOTIFY answer"; }
grep -q "flags: qr aa;" "$work/notify.out" || { cat "$work/notify.out" >&2; fail "NOTIFY answer flags"; }
wait_log "hostdomain.com: serial 7 unchanged (notify)" "refresh after dig's NOTIFY"
# A NOTIFY for a zone that is not ours is refused.
notify example.org >"$work/notify2.out" 2>&1 || true
grep -q "status: REFUSED" "$work/notify2.out" || { cat "$work/notify2.out" >&2; fail "foreign NOTIFY not refused"; }
# Garbage is answered or dropped, never fatal.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b, ("127.0.0.1", int(sys.argv[1]))) for b in (b"", b"\x01", b"\x00"*12, b"\xff"*40)]' "$notify_port"
# A zone change: knotd itself NOTIFYs the agent, which fetches serial 8.
write_zone 8 "www A 127.0.0.1"
knotc -c "$work/knot.conf" zone-reload hostdomain.com >/dev/null
wait_log "hostdomain.com: serial 8, 3 tuple(s) (notify" "refresh after knotd's NOTIFY"
kill -0 "$agent_pid" || fail "the agent died"

echo "== 4. knotd down: --once exits 3 and stops nothing"
kill "$knot_pid"; wait "$knot_pid" 2>/dev/null || true; knot_pid=""
set +e
"$agent" --config "$work/agent.toml" --once --dry-run --output json >"$work/down.json" 2>"$work/down.log"
code=$?
set -e
[ $code = 3 ] || { cat "$work/down.log" >&2; fail "--once with knotd down exited $code, not 3"; }
grep -q "hostdomain.com: could not fetch a complete snapshot" "$work/down.log" || { cat "$work/down.log" >&2; fail "exit-3 message"; }
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["stop"] == [] and p["start"] == [], p' "$work/down.json" \
  || fail "an incomplete --once planned actions"

echo "agent_knot: ok"
