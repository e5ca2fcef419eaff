#!/bin/bash
# Zone files through the CLI, answered by real dig: `patchbay zone import` keeps records
# that are not tuples (MX, TXT, CNAME, outside SRV targets) and serves them, turns the
# SRV records on the zone's addresses into tuples; `zone export` ⇒ `zone import` into a
# fresh controller gives back the same zone and the same answers; a bad file names
# file:line, exits 2 and changes nothing; an acknowledged import survives SIGKILL;
# examples/hostdomain.com.zone (the seed as a zone file) imports into the seed's tuples.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
source "$(dirname "$0")/../lib/seed.sh"

cat >"$work/example.zone" <<'ZONE'
$ORIGIN example.org.
$TTL 300
@    IN SOA ns1.example.org. admin.example.org. 2024010101 3600 600 604800 300
@    IN NS  ns1
ns1  IN A   192.0.2.53
@    IN MX  10 mail
mail IN A   192.0.2.25
www  IN CNAME web
web  IN A   192.0.2.80
txt  IN TXT "hello  world" "second"
_sip._udp  IN SRV 10 60 5060 sip1
sip1       IN A    10.10.10.121
_http._tcp IN SRV 1 100 80 ip4-10-10-10-122
ip4-10-10-10-122 IN A 10.10.10.122
_ext._tcp  IN SRV 1 1 443 other.example.net.
ZONE

# Questions whose answers must survive export ⇒ import.
sample() {
  for qq in "example.org SOA" "example.org NS" "example.org MX" "mail.example.org A" "www.example.org CNAME" \
            "txt.example.org TXT" "_sip._udp.example.org SRV" "sip1.example.org A" "_http._tcp.example.org SRV" \
            "_ext._tcp.example.org SRV" "nothing.example.org A"; do
    # shellcheck disable=SC2086
    echo "$qq: $(q +noall +answer +authority $qq | awk '{$2=""; print}' | sort | tr '\n' '|')"
  done
}

start_controller
out=$("$PB" zone import "$work/example.zone")
expect_eq "import reports what it made" \
  "imported example.org: 2 tuples, 8 other records (serial 2024010101)" "$out"
expect_eq "the file's serial is served" "2024010101" "$(q +short example.org SOA | awk '{print $3}')"
expect_eq "MX kept and served" "10 mail.example.org." "$(q +short example.org MX)"
expect_eq "TXT kept exactly" '"hello  world" "second"' "$(q +short txt.example.org TXT)"
expect_eq "CNAME kept and served" "web.example.org." "$(q +short www.example.org CNAME)"
expect_eq "SRV to a name outside the zone kept" "1 1 443 other.example.net." "$(q +short _ext._tcp.example.org SRV)"
expect_contains "records keep their TTL" "300" "$(q +noall +answer example.org MX)"
expect_contains "MX target's address in additional" "192.0.2.25" "$(q +noall +additional example.org MX)"
expect_eq "an A query at the CNAME follows it in the zone" "web.example.org. 192.0.2.80" "$(q +short www.example.org A | tr '\n' ' ' | sed 's/ $//')"
tuples=$("$PB" --output json tuple ls example.org)
expect_contains "SRV on a zone address is a tuple (explicit target)" '"target": "sip1.example.org"' "$tuples"
expect_contains "SRV on a derived name is a tuple (derived target)" '"address": "10.10.10.122"' "$tuples"
expect_eq "tuple count" "2" "$(echo "$tuples" | grep -c '"service"')"

# Tuples and records live together: a tuple added through the API joins the imported zone.
"$PB" tuple add example.org http tcp 10.10.10.123 80 >/dev/null
expect_eq "API tuple next to imported ones" "3" "$("$PB" --output json tuple ls example.org | grep -c '"service"')"
expect_eq "MX still there after a tuple change" "10 mail.example.org." "$(q +short example.org MX)"

"$PB" zone export example.org >"$work/exported.zone"
expect_contains "export starts with the SOA" "IN	SOA" "$(sed -n 3p "$work/exported.zone")"
before=$(sample)
"$PB" zone import "$work/exported.zone" >"$work/out"
expect_contains "importing the export again changes nothing" "unchanged example.org" "$(cat "$work/out")"

# A bad file: where and what, exit 2, nothing changed.
serial_before=$(q +short example.org SOA | awk '{print $3}')
printf '$ORIGIN example.org.\n@ SOA a. b. 1 2 3 4 5\nfoo AAA 1.2.3.4\n' >"$work/bad.zone"
expect_exit "a typo is refused" 2 "$PB" zone import "$work/bad.zone"
expect_eq "the error names file and line" "patchbay: $work/bad.zone:3: unsupported record type" "$pb_err"
printf '$ORIGIN example.org.\n@ SOA a. b. 1 2 3 4 5\nwww CNAME a\nwww TXT "b"\n' >"$work/bad2.zone"
expect_exit "CNAME beside other data is refused" 2 "$PB" zone import "$work/bad2.zone"
expect_contains "the error names the record" "www.example.org CNAME: a CNAME cannot sit beside other records" "$pb_err"
printf '$INCLUDE /etc/passwd\n' >"$work/bad3.zone"
expect_exit "\$INCLUDE is refused" 2 "$PB" zone import "$work/bad3.zone" --zone example.org
expect_eq "nothing changed" "$serial_before" "$(q +short example.org SOA | awk '{print $3}')"
expect_eq "answers unchanged" "$before" "$(sample)"

# Acknowledged, then killed: the import is there after the restart.
kill -9 "$ctl_pid"; wait "$ctl_pid" 2>/dev/null || true
start_controller
expect_eq "after SIGKILL the zone answers the same" "$before" "$(sample)"

# A fresh controller fed the export serves the same zone.
kill "$ctl_pid"; wait "$ctl_pid" 2>/dev/null || true
rm -rf "$work/state"
start_controller
expect_eq "fresh controller has no zones" "" "$("$PB" --output json zone ls | grep name || true)"
"$PB" zone import "$work/exported.zone" >/dev/null
expect_eq "same answers after export ⇒ import into a fresh controller" "$before" "$(sample)"
"$PB" zone export example.org >"$work/exported2.zone"
expect_eq "export ⇒ import ⇒ export is byte-identical" "$(cat "$work/exported.zone")" "$(cat "$work/exported2.zone")"

# examples/hostdomain.com.zone: the seed (DESIGN.md §1) as the operator's guide imports it.
SRC=${PATCHBAY_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
out=$("$PB" zone import "$SRC/examples/hostdomain.com.zone")
expect_eq "the example imports the seed's tuples" \
  "imported hostdomain.com: 5 tuples, 5 other records (serial 2026120501)" "$out"
expect_eq "its tuples are the seed's" \
  "$(seed_tuples | awk '{print $1, "tcp", $2, $3, $4, 100}' | sort)" \
  "$("$PB" --output json tuple ls hostdomain.com | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    assert t["target"] == "", t  # derived targets: tuple move and export work as for `tuple add`
    print(t["service"], t["transport"], t["address"], t["port"], t["priority"], t["weight"])' | sort)"
expect_eq "dig: HTTP on 121:80 and 122:80 (p1), 123:8080 (p2)" \
  "1 100 80 ip4-10-10-10-121.hostdomain.com.|1 100 80 ip4-10-10-10-122.hostdomain.com.|2 100 8080 ip4-10-10-10-123.hostdomain.com.|" \
  "$(q +short _http._tcp.hostdomain.com SRV | sort | tr '\n' '|')"
expect_eq "dig: SMTP on 123:23 (p1), 124:23 (p2)" \
  "1 100 23 ip4-10-10-10-123.hostdomain.com.|2 100 23 ip4-10-10-10-124.hostdomain.com.|" \
  "$(q +short _smtp._tcp.hostdomain.com SRV | sort | tr '\n' '|')"
expect_eq "dig: the SRV targets' addresses" "10.10.10.123" "$(q +short ip4-10-10-10-123.hostdomain.com A)"
expect_eq "dig: nothing on 125" "" "$(q +short _http._tcp.hostdomain.com SRV | grep 10-10-10-125 || true)"
expect_eq "dig: the MX kept" "10 mail.hostdomain.com." "$(q +short hostdomain.com MX)"
expect_eq "dig: the TXT kept" '"v=spf1 mx -all"' "$(q +short hostdomain.com TXT)"
expect_eq "dig: the CNAME kept" "ip4-10-10-10-121.hostdomain.com." "$(q +short www.hostdomain.com CNAME)"
expect_eq "dig: the spare's address kept" "10.10.10.125" "$(q +short h125.hostdomain.com A)"
expect_eq "dig: the file's serial" "2026120501" "$(q +short hostdomain.com SOA | awk '{print $3}')"
echo "zone_file: $pb_pass checks passed"
