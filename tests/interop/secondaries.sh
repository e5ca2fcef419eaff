#!/bin/bash
# Knot, NSD and BIND as secondaries of the controller on loopback (DESIGN.md §5 "interop"):
#   1. all bootstrap with AXFR — Knot and BIND signed with a TSIG key, NSD unsigned, each
#      from an address of its own — and then answer exactly as the controller does;
#   2. a tuple added through the API: the controller's NOTIFY (TSIG-signed to Knot and
#      BIND) makes all fetch the change at once, Knot and BIND by IXFR from the journal;
#   3. a tuple removed: the same again, the answers equal again;
#   4. the ACL holds: an unsigned transfer from Knot's address is refused.
# The secondaries' refresh timers are an hour, so only our NOTIFY can make them fetch.
# Needs knotd, knotc (package knot), nsd, named (bind9), dig, python3. Env PATCHBAY_BUILD.
set -euo pipefail
source "$(dirname "$0")/../lib/assert.sh"
source "$(dirname "$0")/../lib/seed.sh"

BUILD=${PATCHBAY_BUILD:?set PATCHBAY_BUILD to the build directory}
CTL=$BUILD/controller/patchbay-controller
PB=$BUILD/cli/patchbay
for tool in knotd knotc nsd nsd-checkconf named named-checkconf dig python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

work=$(mktemp -d /tmp/patchbay-interop-XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
logs() { for f in "$work"/*.log; do echo "--- $f"; tail -25 "$f"; done >&2; }
fail() { logs; die "$*"; }

ctl_port=$(free_port); api_port=$(free_port); knot_port=$(free_port); nsd_port=$(free_port); bind_port=$(free_port)
# Each server on an address of its own (all of 127.0.0.0/8 is local), so the controller's
# ACL can tell Knot (127.0.0.3, must sign) from NSD (127.0.0.2, unsigned).
# BIND listens only on addresses its interfaces carry: 127.0.0.1, on a port of its own.
KNOT=127.0.0.3; NSD=127.0.0.2; BIND=127.0.0.1
secret=$(head -c 32 /dev/urandom | base64)
mkdir -p "$work/knot" "$work/nsd" "$work/bind" "$work/state"

cat >"$work/controller.toml" <<TOML
[controller]
state = "$work/state"
[dns]
listen = ["127.0.0.1:$ctl_port"]
[api]
listen = "127.0.0.1:$api_port"
[[tsig_key]]
name = "xfr"
algorithm = "hmac-sha256"
secret = "$secret"
[[secondary]]
address = "$KNOT:$knot_port"
key = "xfr"
[[secondary]]
address = "$NSD:$nsd_port"
[[secondary]]
address = "$BIND:$bind_port"
key = "xfr"
TOML
"$CTL" --config "$work/controller.toml" 2>>"$work/controller.log" &
pids+=($!)
pb() { PATCHBAY_CONTROLLER=http://127.0.0.1:$api_port PATCHBAY_TOKEN=$(cat "$work/state/admin.token" 2>/dev/null) "$PB" "$@"; }
wait_until 10 pb zone ls || fail "controller did not start"
add_seed pb

cat >"$work/knot.conf" <<CONF
server:
    listen: $KNOT@$knot_port
    rundir: "$work/knot"
log:
  - target: stderr
    any: info
database:
    storage: "$work/knot"
key:
  - id: xfr
    algorithm: hmac-sha256
    secret: $secret
remote:
  - id: controller
    address: 127.0.0.1@$ctl_port
    via: $KNOT
    key: xfr
acl:
  - id: notify_from_controller
    address: 127.0.0.1
    key: xfr
    action: notify
zone:
  - domain: hostdomain.com
    storage: "$work/knot"
    master: controller
    acl: notify_from_controller
    zonefile-sync: -1
    journal-content: changes
CONF
knotd -c "$work/knot.conf" >>"$work/knotd.log" 2>&1 &
pids+=($!)

cat >"$work/nsd.conf" <<CONF
server:
    ip-address: $NSD@$nsd_port
    username: ""
    chroot: ""
    zonesdir: "$work/nsd"
    database: ""
    zonelistfile: "$work/nsd/zone.list"
    xfrdfile: "$work/nsd/xfrd.state"
    xfrdir: "$work/nsd"
    pidfile: "$work/nsd/nsd.pid"
    logfile: "$work/nsd.log"
    verbosity: 2
    minimal-responses: yes
    rrl-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: hostdomain.com
    zonefile: "hostdomain.com.zone"
    allow-notify: 127.0.0.1 NOKEY
    request-xfr: 127.0.0.1@$ctl_port NOKEY
    outgoing-interface: $NSD
CONF
nsd-checkconf "$work/nsd.conf" || fail "bad nsd.conf"
nsd -d -c "$work/nsd.conf" >>"$work/nsd.log" 2>&1 &
pids+=($!)

# BIND 9 in the foreground (-g: logs to stderr), as root without privileges to drop.
cat >"$work/named.conf" <<CONF
options {
    directory "$work/bind";
    pid-file "$work/bind/named.pid";
    session-keyfile "$work/bind/session.key";
    listen-on port $bind_port { $BIND; };
    listen-on-v6 { none; };
    recursion no;
    dnssec-validation no;
    minimal-responses yes;
    notify no;
};
controls { };
key "xfr" { algorithm hmac-sha256; secret "$secret"; };
zone "hostdomain.com" {
    type secondary;
    primaries port $ctl_port { 127.0.0.1 key "xfr"; };
    file "$work/bind/hostdomain.com.db";
    allow-notify { 127.0.0.1; };
};
CONF
named-checkconf "$work/named.conf" || fail "bad named.conf"
named -g -c "$work/named.conf" >>"$work/named.log" 2>&1 &
pids+=($!)

serial_at() { dig @"$1" -p "$2" +time=1 +tries=1 +short hostdomain.com SOA 2>/dev/null | awk '{print $3}'; }
ctl_serial() { serial_at 127.0.0.1 "$ctl_port"; }
# all_at SERIAL: Knot, NSD and BIND all serve it.
all_at() {
  [ "$(serial_at $KNOT "$knot_port")" = "$1" ] && [ "$(serial_at $NSD "$nsd_port")" = "$1" ] &&
    [ "$(serial_at $BIND "$bind_port")" = "$1" ]
}

# The same questions to all three; each answer as "QUESTION STATUS | sorted records".
QUESTIONS=(
  "hostdomain.com SOA" "hostdomain.com NS" "ns.hostdomain.com A"
  "_http._tcp.hostdomain.com SRV" "_smtp._tcp.hostdomain.com SRV"
  "ip4-10-10-10-121.hostdomain.com A" "ip4-10-10-10-123.hostdomain.com A" "ip4-10-10-10-125.hostdomain.com A"
  "_tcp.hostdomain.com SRV" "nothing.hostdomain.com A" "hostdomain.com AAAA"
)
answers() {
  local q
  for q in "${QUESTIONS[@]}"; do
    # shellcheck disable=SC2086
    out=$(dig @"$1" -p "$2" +norec +time=2 +tries=1 $q)
    status=$(sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$out")
    records=$(dig @"$1" -p "$2" +norec +time=2 +tries=1 +short $q | sort | paste -sd' ')
    echo "$q $status | $records"
  done
}
same_answers() {  # WHAT
  answers 127.0.0.1 "$ctl_port" >"$work/ans.controller"
  local s
  for s in knot:$KNOT:$knot_port nsd:$NSD:$nsd_port bind:$BIND:$bind_port; do
    IFS=: read -r name addr port <<<"$s"
    answers "$addr" "$port" >"$work/ans.$name"
    diff -u "$work/ans.controller" "$work/ans.$name" >&2 || fail "$name answers differently $1"
  done
  ok "Knot, NSD and BIND answer ${#QUESTIONS[@]} questions exactly as the controller $1"
}

echo "== 1. bootstrap by AXFR"
serial=$(ctl_serial)
wait_until 30 all_at "$serial" || fail "the secondaries did not reach serial $serial"
ok "Knot, NSD and BIND serve serial $serial"
grep -q "AXFR, incoming.*finished" "$work/knotd.log" || fail "no finished AXFR in Knot's log"
# Signed: part 4 shows the controller refuses unsigned transfers from Knot's address.
ok "Knot bootstrapped by AXFR, TSIG-signed"
grep -q "transferred serial $serial: TSIG 'xfr'" "$work/named.log" || fail "BIND did not transfer serial $serial with TSIG"
ok "BIND bootstrapped by a TSIG-signed transfer"
same_answers "after the first transfer"

echo "== 2. a tuple added: NOTIFY, then IXFR"
pb tuple add hostdomain.com http tcp 10.10.10.125 80 --priority 3 --weight 10 >/dev/null
serial=$(ctl_serial)
wait_until 15 all_at "$serial" || fail "the secondaries did not follow to serial $serial after NOTIFY"
ok "all three follow to serial $serial within seconds (NOTIFY; their refresh timer is an hour)"
grep -q "notify, incoming.*serial $serial" "$work/knotd.log" && grep -q "IXFR, incoming.*finished" "$work/knotd.log" \
  || fail "Knot did not take the change by IXFR after our NOTIFY"
grep -q "fallback to AXFR" "$work/knotd.log" && fail "Knot fell back to AXFR"
ok "Knot took the change by IXFR after our signed NOTIFY, without falling back to AXFR"
expect_eq "Knot's zone holds the added record (knotc zone-read)" "yes" \
  "$(knotc -c "$work/knot.conf" zone-read hostdomain.com 2>&1 | tee "$work/zone-read.out" | grep -q 'ip4-10-10-10-125' && echo yes)"
# NSD does not name the transfer type; the bytes it received tell: the change alone is
# smaller than the whole zone it bootstrapped with.
nsd_bytes() { sed -n "s/.*received update to serial $1 at .* of \([0-9]*\) bytes.*/\1/p" "$work/nsd.log" | tail -1; }
first=$(nsd_bytes "$((serial - 1))"); second=$(nsd_bytes "$serial")
[ -n "$first" ] && [ -n "$second" ] && [ "$second" -lt "$first" ] \
  || fail "NSD's update to $serial ($second bytes) is not smaller than the whole zone ($first bytes): no IXFR"
ok "NSD took the change incrementally too ($second bytes, the whole zone was $first)"
# BIND names neither; the records of each transfer tell (an IXFR of one addition is its
# SOAs and the added records, the AXFR the whole zone).
bind_records() { sed -n "s/.*Transfer completed: .* messages, \([0-9]*\) records, .*(serial $1)/\1/p" "$work/named.log" | tail -1; }
first=$(bind_records "$((serial - 1))"); second=$(bind_records "$serial")
[ -n "$first" ] && [ -n "$second" ] && [ "$second" -lt "$first" ] \
  || fail "BIND's transfer of $serial ($second records) is not smaller than the whole zone ($first records): no IXFR"
grep -q "received notify for zone 'hostdomain.com': TSIG 'xfr'" "$work/named.log" || fail "BIND saw no signed NOTIFY"
ok "BIND took the change incrementally after our signed NOTIFY ($second records, the whole zone was $first)"
same_answers "after an addition"

echo "== 3. a tuple removed"
pb tuple rm hostdomain.com http tcp 10.10.10.121 80 >/dev/null
serial=$(ctl_serial)
wait_until 15 all_at "$serial" || fail "the secondaries did not follow to serial $serial"
expect_eq "Knot took both changes by IXFR" 2 "$(grep -c "IXFR, incoming.*finished" "$work/knotd.log")"
same_answers "after a removal"

echo "== 4. the ACL: Knot's address must sign"
expect_contains "an unsigned AXFR from Knot's address is refused" "REFUSED" \
  "$(python3 - "$ctl_port" "$KNOT" <<'PY'
import socket, struct, sys
q = struct.pack("!HHHHHH", 7, 0, 1, 0, 0, 0) + b"\x0ahostdomain\x03com\x00" + struct.pack("!HH", 252, 1)
s = socket.socket(); s.bind((sys.argv[2], 0)); s.settimeout(3); s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(struct.pack("!H", len(q)) + q)
n = struct.unpack("!H", s.recv(2))[0]; r = s.recv(n)
print({5: "REFUSED", 0: "NOERROR"}.get(r[3] & 15, r[3] & 15))
PY
)"
for p in "${pids[@]}"; do kill -0 "$p" || fail "a server died"; done
echo "$pb_pass passed, 0 failed"
