#!/bin/bash
# DNS conformance, header flags and sections (RFC 1034 §4.3.2, RFC 1035 §4.1, RFC 2181,
# RFC 2308, RFC 8020, RFC 8482, RFC 8906): AA/TC/RD/RA, compression, 0x20 case,
# NXDOMAIN vs NODATA with the negative TTL, empty non-terminals, minimal ANY, REFUSED
# and NOTIMP — one check per rule, real dig/kdig against a --dev controller on loopback.
set -euo pipefail
source "$(dirname "$0")/../lib/conformance.sh"

start_controller
add_seed
add_many 30   # _big._tcp: 30 SRV records whose owners and targets share the zone's name

# AA, TC, RD, RA (RFC 1035 §4.1.1).
expect_eq "AA on an authoritative answer" "qr aa" "$(flags_of +norec _http._tcp.hostdomain.com SRV)"
expect_eq "AA on NXDOMAIN" "qr aa" "$(flags_of +norec nope.hostdomain.com A)"
expect_eq "AA on NODATA" "qr aa" "$(flags_of +norec hostdomain.com AAAA)"
expect_eq "no AA on REFUSED (not our zone)" "qr" "$(flags_of +norec example.org A)"
expect_eq "RD copied when set, RA never set (not a resolver)" "qr aa rd" "$(flags_of +rec hostdomain.com SOA)"
expect_eq "no TC on an answer that fits" "" "$(wire 'print(Response(udp(port, query("_http._tcp.hostdomain.com", SRV, edns=False))).tc or "")')"
expect_eq "flags a query should not carry (TC AA RA Z AD) do not come back; CD is copied" "tc=0 aa=1 ra=0 z=0 ad=0 cd=1 rcode=0" \
  "$(wire 'r = Response(udp(port, query(tc=1, aa=1, ra=1, z=1, ad=1, cd=1)))
print(f"tc={r.tc} aa={r.aa} ra={r.ra} z={r.z} ad={r.ad} cd={r.cd} rcode={r.rcode}")')"
expect_eq "the response's ID and opcode are the query's" "id=48879 qr=1 opcode=0" \
  "$(wire 'r = Response(udp(port, query(qid=0xBEEF)))
print(f"id={r.id} qr={r.qr} opcode={r.opcode}")')"

# Name compression (RFC 1035 §4.1.4): 30 SRV records plus their A records, well under
# the uncompressed size; SRV targets themselves stay uncompressed (RFC 2782, RFC 3597 §4).
sizes=$(wire 'r = Response(tcp(port, query("_big._tcp.hostdomain.com", SRV)))
print(len(r.wire), r.expanded, r.counts[1])')
read -r size expanded answers <<<"$sizes"
expect_eq "30 SRV records in the answer" 30 "$answers"
if [ $((size * 100)) -lt $((expanded * 75)) ]; then ok "names compressed ($size bytes, $expanded uncompressed)"; else
  die "names not compressed: $size bytes, $expanded uncompressed"; fi
expect_eq "SRV targets are not compressed (RFC 2782)" 0 "$(wire 'r = Response(tcp(port, query("_big._tcp.hostdomain.com", SRV)))
def compressed(t):
    i = 0
    while t[i] != 0:
        if t[i] >= 0xC0: return True
        i += t[i] + 1
    return False
print(sum(compressed(r.wire[o + 6:o + n]) for (_, t, _, o, n, _) in r.sections[0] if t == SRV))')"

# The question's case comes back as sent, in the question and in the answer owners (0x20).
expect_eq "question case preserved" ";_HtTp._TcP.HostDomain.COM. IN SRV" \
  "$(q +noall +question _HtTp._TcP.HostDomain.COM SRV | tr -s ' \t' ' ')"
expect_eq "answer owners in the question's case" "_HtTp._TcP.HostDomain.COM." \
  "$(q +noall +answer _HtTp._TcP.HostDomain.COM SRV | awk '{print $1}' | sort -u)"
expect_eq "case-insensitive match (RFC 4343)" 3 "$(q +short _HTTP._TCP.HOSTDOMAIN.COM SRV | wc -l)"

# Negative answers (RFC 2308 §2–3): the zone's SOA in the authority section, with TTL
# min(SOA TTL, SOA MINIMUM); no answer records.
soa=$(q +noall +answer hostdomain.com SOA)
neg_ttl=$(awk '{t = $2; m = $NF; print (t < m ? t : m)}' <<<"$soa")
expect_eq "NXDOMAIN for a missing name" NXDOMAIN "$(status_of nope.hostdomain.com A)"
expect_eq "NXDOMAIN: SOA in authority with the negative TTL" "hostdomain.com. $neg_ttl SOA" \
  "$(q +noall +authority nope.hostdomain.com A | awk '{print $1, $2, $4}')"
expect_eq "NXDOMAIN: no answer records" "ANSWER: 0" "$(q nope.hostdomain.com A | grep -o 'ANSWER: [0-9]*')"
expect_eq "NODATA: NOERROR for a name without the type" NOERROR "$(status_of ip4-10-10-10-121.hostdomain.com AAAA)"
expect_eq "NODATA: no answer records" "ANSWER: 0" "$(q ip4-10-10-10-121.hostdomain.com AAAA | grep -o 'ANSWER: [0-9]*')"
expect_eq "NODATA: SOA in authority with the negative TTL" "hostdomain.com. $neg_ttl SOA" \
  "$(q +noall +authority ip4-10-10-10-121.hostdomain.com AAAA | awk '{print $1, $2, $4}')"
expect_eq "NXDOMAIN below an existing name" NXDOMAIN "$(status_of x.ip4-10-10-10-121.hostdomain.com A)"

# Empty non-terminals exist (RFC 8020 §2): NODATA, not NXDOMAIN.
expect_eq "empty non-terminal _tcp is NODATA" "NOERROR 0" \
  "$(q _tcp.hostdomain.com SRV | grep -oE 'status: [A-Z]+|ANSWER: [0-9]+' | awk '{printf "%s ", $2}' | sed 's/ $//')"
expect_contains "empty non-terminal carries the SOA" "SOA" "$(q +noall +authority _tcp.hostdomain.com A)"

# ANY (RFC 8482 §4.1): one RRset — the first by type, as Knot does — over UDP and TCP.
expect_eq "ANY over UDP answers one RRset" "1 NS" \
  "$(wire 'r = Response(udp(port, query("hostdomain.com", ANY)))
print(r.counts[1], *sorted({ {2: "NS", 6: "SOA"}.get(t, t) for (_, t, *_) in r.sections[0]}))')"
expect_eq "ANY over TCP answers one RRset" "1" "$(kq +tcp +noall +answer hostdomain.com ANY | wc -l)"
expect_eq "ANY at a name without records is NODATA" NOERROR "$(status_of +tcp _tcp.hostdomain.com ANY)"

# Outside our zones: REFUSED, no referral (RFC 8906 §3.1.4); unknown opcodes: NOTIMP
# (RFC 1035 §4.1.1; opcode 5, UPDATE, is left for RFC 2136 support).
expect_eq "REFUSED for a name outside every zone" REFUSED "$(status_of example.org A)"
expect_eq "REFUSED for the parent of a zone" REFUSED "$(status_of com SOA)"
expect_eq "REFUSED answer has no records" "0 0 0" "$(wire 'print(*Response(udp(port, query("example.org", A, edns=False))).counts[1:])')"
for op in 3 6 15; do
  expect_eq "NOTIMP for opcode $op, opcode copied" "rcode=4 opcode=$op" \
    "$(wire "r = Response(udp(port, query(opcode=$op)))
print(f'rcode={r.rcode} opcode={r.opcode}')")"
done
expect_eq "IQUERY (opcode 1, obsolete, RFC 3425) is NOTIMP" NOTIMP "$(status_of +opcode=1 hostdomain.com SOA)"
expect_eq "class CH is REFUSED (no CHAOS zones)" REFUSED "$(status_of -c CH -t SOA hostdomain.com)"

echo "$pb_pass passed, 0 failed"
