#!/bin/bash
# DNS conformance, zone transfers (RFC 5936 AXFR, RFC 1995 IXFR, RFC 8945 TSIG): AXFR
# begins and ends with the SOA and holds exactly the zone; not over UDP; refused without
# an ACL entry; with a TSIG key, signed requests transfer and wrong keys get NOTAUTH with
# the TSIG error; IXFR after changes sends the diff, the SOA alone when current, the
# whole zone for a serial it does not know. One check per rule.
set -euo pipefail
source "$(dirname "$0")/../lib/conformance.sh"

start_controller   # --dev: transfers allowed from loopback without a key
add_seed

# The zone as ordinary queries see it, one record per line, sorted.
zone_by_queries() {
  local names
  {
    q +noall +answer hostdomain.com SOA
    q +noall +answer hostdomain.com NS
    q +noall +answer ns.hostdomain.com A
    for svc in _http._tcp _smtp._tcp; do q +noall +answer "$svc.hostdomain.com" SRV; done
    for t in $(q +short _http._tcp.hostdomain.com SRV | awk '{print $4}'; q +short _smtp._tcp.hostdomain.com SRV | awk '{print $4}'); do
      q +noall +answer "$t" A
    done
  } | awk '{$2=""; print}' | sort -u
}
axfr() { q +noall +answer "$@" hostdomain.com AXFR; }
# bulk_add N: N tuples of _big._tcp through the REST API on one kept-alive connection
# (one CLI process per tuple would take minutes); PATCHBAY_CONTROLLER/TOKEN say where.
bulk_add() {
  python3 - "$1" <<'PY'
import http.client, json, os, sys, urllib.parse
url = urllib.parse.urlparse(os.environ["PATCHBAY_CONTROLLER"])
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
headers = {"Authorization": "Bearer " + os.environ["PATCHBAY_TOKEN"], "Content-Type": "application/json"}
for i in range(int(sys.argv[1])):
    body = {"service": "big", "transport": "tcp", "address": f"10.20.{i // 250}.{i % 250 + 1}", "port": 443}
    conn.request("POST", "/v1/zones/hostdomain.com/tuples", json.dumps(body), headers)
    r = conn.getresponse(); r.read()
    assert r.status < 300, (r.status, body)
PY
}
soa_serial() { q +short hostdomain.com SOA | awk '{print $3}'; }

# --- AXFR (RFC 5936) ----------------------------------------------------------------------
out=$(axfr)
expect_eq "AXFR: the first record is the SOA" SOA "$(echo "$out" | head -1 | awk '{print $4}')"
expect_eq "AXFR: the last record is the SOA" SOA "$(echo "$out" | tail -1 | awk '{print $4}')"
expect_eq "AXFR: exactly two SOA records" 2 "$(echo "$out" | awk '$4 == "SOA"' | wc -l)"
expect_eq "AXFR: holds exactly the records ordinary queries give" "$(zone_by_queries)" \
  "$(echo "$out" | sed '$d' | awk '{$2=""; print}' | sort)"
expect_eq "AXFR: kdig agrees with dig" "$(echo "$out" | awk '{print $1, $4, $5, $6, $7, $8}' | sort)" \
  "$(kq +noall +answer hostdomain.com AXFR | awk '{print $1, $4, $5, $6, $7, $8}' | sort)"
expect_eq "AXFR over UDP: no records, TC set (RFC 5936 §4.2: TCP only)" "tc=1 an=0 rcode=0" \
  "$(wire 'r = Response(udp(port, query("hostdomain.com", 252, edns=False)))
print(f"tc={r.tc} an={r.counts[1]} rcode={r.rcode}")')"
expect_eq "AXFR of a name that is not a zone: NOTAUTH" NOTAUTH \
  "$(wire 'r = Response(tcp(port, query("example.org", 252)))
print({9: "NOTAUTH"}.get(r.rcode, r.rcode))')"
expect_eq "AXFR of a name inside the zone: NOTAUTH" NOTAUTH \
  "$(wire 'r = Response(tcp(port, query("_http._tcp.hostdomain.com", 252)))
print({9: "NOTAUTH"}.get(r.rcode, r.rcode))')"
bulk_add 1200   # _big._tcp: 1200 SRV records and their 1200 A records, about 80 KB
expect_eq "AXFR of a zone larger than one message: every record arrives" \
  "$(( $(zone_by_queries | wc -l) + 1200 * 2 + 1 ))" \
  "$(axfr | wc -l)"
expect_eq "AXFR: a query pipelined behind a multi-message AXFR is answered after it" "transfer then 2" \
  "$(wire 's = tcp_connect(port)
s.sendall(frame(query("hostdomain.com", 252, qid=1)) + frame(query(qid=2)))
ids = []
while True:
    r = Response(tcp_read(s)); ids.append(r.id)
    if r.id == 2: break
print("transfer then 2" if len(ids) > 2 and set(ids[:-1]) == {1} else ids)')"

# --- IXFR (RFC 1995) ----------------------------------------------------------------------
before=$(soa_serial)
"$PB" tuple add hostdomain.com http tcp 10.10.10.125 80 --priority 3 --weight 50 >/dev/null
after=$(soa_serial)
ixfr=$(q +noall +answer hostdomain.com "IXFR=$before")
expect_eq "IXFR: current SOA, old SOA, new SOA, added records, current SOA" \
  "SOA $after|SOA $before|SOA $after|SRV 3 50 80 ip4-10-10-10-125.hostdomain.com.|A 10.10.10.125|SOA $after" \
  "$(echo "$ixfr" | awk '{ if ($4 == "SOA") print $4, $7; else { $1=$2=$3=""; print substr($0, 4) } }' | paste -sd'|')"
"$PB" tuple rm hostdomain.com http tcp 10.10.10.125 80 >/dev/null
latest=$(soa_serial)
expect_eq "IXFR across two changes: the removal follows the addition" \
  "SOA $latest|SOA $before|SOA $after|SRV|A|SOA $after|SRV|A|SOA $latest|SOA $latest" \
  "$(q +noall +answer hostdomain.com "IXFR=$before" | awk '{ if ($4 == "SOA") print $4, $7; else print $4 }' | paste -sd'|')"
expect_eq "IXFR with the current serial: the SOA alone" "SOA $latest" \
  "$(q +noall +answer hostdomain.com "IXFR=$latest" | awk '{print $4, $7}')"
expect_eq "IXFR with a newer serial than ours: the SOA alone" "SOA $latest" \
  "$(q +noall +answer hostdomain.com "IXFR=$((latest + 100))" | awk '{print $4, $7}')"
expect_eq "IXFR from a serial the journal never had: the whole zone, AXFR-style" \
  "$(axfr | awk '{$2=""; print}' | sort)" \
  "$(q +noall +answer hostdomain.com "IXFR=0" | awk '{$2=""; print}' | sort)"
expect_eq "IXFR over UDP too big for one message: the current SOA only (RFC 1995 §2)" "tc=0 an=1 SOA" \
  "$(wire 'import struct
soa = b"\xc0\x0c" + struct.pack("!HHIH", 6, 1, 60, 22) + b"\x00\x00" + struct.pack("!IIIII", 0, 0, 0, 0, 0)
q = bytearray(query("hostdomain.com", 251, edns=False)); q[8:10] = b"\x00\x01"
r = Response(udp(port, bytes(q) + soa))
print(f"tc={r.tc} an={r.counts[1]}", "SOA" if r.sections[0][0][1] == 6 else r.sections[0][0][1])')"
expect_eq "IXFR over UDP that fits: the diff in one datagram" 6 \
  "$(q +notcp +noall +answer hostdomain.com "IXFR=$((latest - 1))" | wc -l)"

# --- ACL and TSIG: a controller from a config file, transfers only with the key --------------
secret=$(head -c 32 /dev/urandom | base64)
port2=$(free_port); api2=$(free_port)
cat >"$work/xfr.toml" <<TOML
[controller]
state = "$work/state2"
[dns]
listen = ["127.0.0.1:$port2"]
[api]
listen = "127.0.0.1:$api2"
[[tsig_key]]
name = "transfer"
algorithm = "hmac-sha256"
secret = "$secret"
[[acl]]
action = "transfer"
key = "transfer"
TOML
"$CTL" --config "$work/xfr.toml" 2>>"$work/controller2.log" &
ctl2_pid=$!
# Whatever the second controller's fate, the first one and the work dir go too.
trap 'kill "$ctl2_pid" 2>/dev/null || true; wait "$ctl2_pid" 2>/dev/null || true; cleanup' EXIT
wait_until 10 test -s "$work/state2/admin.token" || { cat "$work/controller2.log"; die "second controller did not start"; }
pb2() { PATCHBAY_CONTROLLER=http://127.0.0.1:$api2 PATCHBAY_TOKEN=$(cat "$work/state2/admin.token") "$PB" "$@"; }
wait_until 10 pb2 zone ls || { cat "$work/controller2.log"; die "second controller's API did not start"; }
pb2 zone add hostdomain.com >/dev/null
q2() { dig @127.0.0.1 -p "$port2" +time=2 +tries=1 "$@"; }
other=$(head -c 32 /dev/urandom | base64)

expect_contains "no ACL entry for an unsigned request: REFUSED" "status: REFUSED" \
  "$(wire "r = Response(tcp($port2, query('hostdomain.com', 252)))
print('status: REFUSED' if r.rcode == 5 else r.rcode)")"
expect_eq "signed with the key: the transfer, SOA first and last" "SOA SOA 4" \
  "$(q2 -y "hmac-sha256:transfer:$secret" +noall +answer hostdomain.com AXFR | awk '$4 != "TSIG" {print $4}' | sed -n '1p;$p' | paste -sd' ') $(q2 -y "hmac-sha256:transfer:$secret" +noall +answer hostdomain.com AXFR | grep -vc TSIG)"
(export PATCHBAY_CONTROLLER=http://127.0.0.1:$api2 PATCHBAY_TOKEN=$(cat "$work/state2/admin.token"); bulk_add 1200)
kdig_out=$(kdig @127.0.0.1 -p "$port2" +time=2 +retry=0 -y "hmac-sha256:transfer:$secret" hostdomain.com AXFR 2>&1)
expect_eq "kdig checks our signature on each of several messages" "no warning, several messages" \
  "$(grep -q WARNING <<<"$kdig_out" && echo "$kdig_out" | grep WARNING | head -2 || true)$(grep -qE '\(([2-9]|[1-9][0-9]+) messages' <<<"$kdig_out" && echo 'no warning, several messages')"
expect_contains "the right name, a wrong secret: NOTAUTH with TSIG error BADSIG" "BADSIG" \
  "$(q2 -y "hmac-sha256:transfer:$other" hostdomain.com SOA 2>&1 | grep -E 'status: NOTAUTH' -A20 | grep 'ANY.*TSIG')"
expect_contains "a key we do not know: NOTAUTH with TSIG error BADKEY" "BADKEY" \
  "$(q2 -y "hmac-sha256:stranger:$secret" hostdomain.com SOA 2>&1 | grep -E 'status: NOTAUTH' -A20 | grep 'ANY.*TSIG')"
expect_contains "a wrong secret on AXFR: the transfer fails" "Transfer failed" \
  "$(q2 -y "hmac-sha256:transfer:$other" hostdomain.com AXFR 2>&1)"
expect_contains "a signed ordinary query gets a signed answer" "NOERROR" \
  "$(q2 -y "hmac-sha256:transfer:$secret" hostdomain.com SOA | grep -A1 'TSIG PSEUDOSECTION' | tail -1)"

echo "$pb_pass passed, 0 failed"
