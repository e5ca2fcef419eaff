#!/bin/bash
# Controller + CLI + real dig on loopback: the seed's tuples added through the CLI
# answer exactly as expected, the serial moves on every change, NXDOMAIN/NODATA/REFUSED
# are right, bad input is refused and changes nothing, and state survives a restart.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
source "$(dirname "$0")/../lib/seed.sh"

serial() { q +short hostdomain.com SOA | awk '{print $3}'; }

start_controller
expect_eq "controller prints the API URL" "http://127.0.0.1:$api_port" "$PATCHBAY_CONTROLLER"

out=$("$PB" zone add hostdomain.com)
expect_contains "zone add" "added zone hostdomain.com (serial 1)" "$out"
expect_eq "new zone serves SOA serial 1" "1" "$(serial)"
expect_contains "SOA answer is authoritative" " aa" "$(q hostdomain.com SOA | grep flags)"
expect_eq "NS at the apex" "ns.hostdomain.com." "$(q +short hostdomain.com NS)"

# The seed's tuples (DESIGN.md §1); the serial moves on every change.
want=2
while read -r svc addr port prio; do
  "$PB" tuple add hostdomain.com "$svc" tcp "$addr" "$port" --priority "$prio" --weight 100 >/dev/null
  expect_eq "serial after adding $svc $addr:$port" "$want" "$(serial)"
  want=$((want + 1))
done < <(seed_tuples)

expect_eq "SRV _http._tcp" \
"1 100 80 ip4-10-10-10-121.hostdomain.com.
1 100 80 ip4-10-10-10-122.hostdomain.com.
2 100 8080 ip4-10-10-10-123.hostdomain.com." "$(q +short _http._tcp.hostdomain.com SRV | sort)"
expect_eq "SRV _smtp._tcp" \
"1 100 23 ip4-10-10-10-123.hostdomain.com.
2 100 23 ip4-10-10-10-124.hostdomain.com." "$(q +short _smtp._tcp.hostdomain.com SRV | sort)"
for n in 121 122 123 124; do
  expect_eq "A of ip4-10-10-10-$n" "10.10.10.$n" "$(q +short ip4-10-10-10-$n.hostdomain.com A)"
done
expect_eq "same SRV answer over TCP" "$(q +short _smtp._tcp.hostdomain.com SRV | sort)" \
  "$(q +tcp +short _smtp._tcp.hostdomain.com SRV | sort)"

expect_eq "NXDOMAIN for a name that does not exist" NXDOMAIN "$(status_of nope.hostdomain.com A)"
expect_contains "NXDOMAIN carries the SOA" "hostdomain.com." "$(q +noall +authority nope.hostdomain.com A | grep SOA)"
expect_eq "NODATA for an empty non-terminal" NOERROR "$(status_of _tcp.hostdomain.com SRV)"
expect_eq "NODATA has no answer" "" "$(q +short _tcp.hostdomain.com SRV)"
expect_contains "NODATA carries the SOA" "SOA" "$(q +noall +authority ip4-10-10-10-121.hostdomain.com AAAA)"
expect_eq "REFUSED outside the zones" REFUSED "$(status_of example.org A)"

# A weight change shows in the SRV record; a removal takes the record away.
"$PB" tuple add hostdomain.com http tcp 10.10.10.121 80 --priority 1 --weight 5 >/dev/null
expect_contains "weight change" "1 5 80 ip4-10-10-10-121.hostdomain.com." "$(q +short _http._tcp.hostdomain.com SRV)"
out=$("$PB" tuple add hostdomain.com http tcp 10.10.10.121 80 --priority 1 --weight 5)
expect_contains "the same tuple again changes nothing" "unchanged" "$out"
before=$(serial)
"$PB" tuple rm hostdomain.com smtp tcp 10.10.10.124 23 >/dev/null
expect_eq "serial moves on removal" "$((before + 1))" "$(serial)"
expect_eq "removed tuple is gone" "1 100 23 ip4-10-10-10-123.hostdomain.com." \
  "$(q +short _smtp._tcp.hostdomain.com SRV)"

# Bad input: clear errors, distinct exit codes, nothing changed.
before=$(serial)
expect_exit "tuple in a zone that does not exist" 3 "$PB" tuple add nozone.com http tcp 10.0.0.1 80
expect_contains "... says which zone" "no zone nozone.com" "$pb_err"
expect_exit "zone added twice" 4 "$PB" zone add hostdomain.com
expect_exit "bad port refused before sending" 2 "$PB" tuple add hostdomain.com http tcp 10.0.0.1 70000
expect_exit "removing a tuple that is not there" 3 "$PB" tuple rm hostdomain.com http tcp 10.0.0.9 80
expect_exit "wrong token" 5 "$PB" --token pb_wrong zone ls
expect_exit "controller unreachable" 6 "$PB" --controller http://127.0.0.1:1 zone ls
code=$(curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $PATCHBAY_TOKEN" \
  -d '{"service": "http", "transport": "tcp", "address": "10.0.0.1", "port": 80,' \
  "$PATCHBAY_CONTROLLER/v1/zones/hostdomain.com/tuples")
expect_eq "broken JSON is a 400" 400 "$code"
expect_contains "... that says where" "parse error" "$(cat "$work/body")"
code=$(curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $PATCHBAY_TOKEN" \
  -d '{"service": "http", "transport": "tcp", "address": "10.0.0.1", "port": 80, "wieght": 3}' \
  "$PATCHBAY_CONTROLLER/v1/zones/hostdomain.com/tuples")
expect_eq "unknown field is a 400" 400 "$code"
expect_contains "... naming the field" "unknown field 'wieght'" "$(cat "$work/body")"
expect_eq "nothing changed" "$before" "$(serial)"

# Agents register; a wildcard NOTIFY address becomes the address they called from.
api() { curl -s -H "Authorization: Bearer $PATCHBAY_TOKEN" "$@"; }
api -d '{"name": "h1", "notify": "0.0.0.0:5300", "domains": ["HostDomain.com"]}' "$PATCHBAY_CONTROLLER/v1/agents" >/dev/null
api -d '{"name": "h2", "domains": ["hostdomain.com"]}' "$PATCHBAY_CONTROLLER/v1/agents" >/dev/null
expect_eq "agent ls" "AGENT  NOTIFY          DOMAINS
h1     127.0.0.1:5300  hostdomain.com
h2                     hostdomain.com" "$("$PB" agent ls)"
code=$(api -o "$work/body" -w '%{http_code}' -d '{"name": "h3", "notify": "10.0.0.1", "domains": []}' \
  "$PATCHBAY_CONTROLLER/v1/agents")
expect_eq "a bad NOTIFY address is a 400" 400 "$code"
expect_contains "... naming the field" "field 'notify'" "$(cat "$work/body")"

# A second zone changes on its own; removing it takes only it away.
"$PB" zone add other.com >/dev/null
"$PB" tuple add other.com http tcp 10.0.0.7 80 >/dev/null
expect_eq "second zone answers" "1 100 80 ip4-10-0-0-7.other.com." "$(q +short _http._tcp.other.com SRV)"
"$PB" zone rm other.com >/dev/null
expect_eq "removed zone is REFUSED" REFUSED "$(status_of _http._tcp.other.com SRV)"
expect_eq "the first zone is untouched" "$before" "$(serial)"

# JSON listings.
n=$("$PB" tuple ls hostdomain.com --output json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
expect_eq "tuple ls --output json" 4 "$n"

# A second controller on the same API port fails, saying so: the port is never shared.
expect_exit "a second controller on the API's port" 1 timeout 10 "$CTL" --dev --state "$work/state2" \
  --dns-listen "127.0.0.1:$(free_port)" --api-listen "127.0.0.1:$api_port"
expect_contains "... naming the port and the reason" \
  "cannot start the API: cannot bind TCP 127.0.0.1:$api_port: Address already in use" "$pb_err"
expect_eq "the first still answers" "$before" "$(serial)"
expect_exit "... and its API too" 0 "$PB" zone ls

# Acknowledged changes survive a crash: SIGKILL right after the last acknowledged change.
"$PB" tuple add hostdomain.com sip udp 10.10.10.125 5060 >/dev/null
before=$(serial)
listing=$("$PB" tuple ls)
kill -9 "$ctl_pid"; wait "$ctl_pid" 2>/dev/null || true; ctl_pid=
start_controller
expect_eq "serial kept across a crash" "$before" "$(serial)"
expect_eq "tuples kept across a crash" "$listing" "$("$PB" tuple ls)"
echo "$pb_pass passed, 0 failed"
