#!/bin/bash
# DNS conformance, EDNS(0) (RFC 6891, RFC 3225, RFC 8906 §8): our OPT with payload 1232
# answers an OPT and only an OPT; BADVERS (with OPT) above version 0; unknown options
# ignored; FORMERR for two OPTs, a misplaced or malformed OPT; DO copied; the client's
# payload size honoured within [512, 1232]. One check per rule, dig/kdig and raw wire.
set -euo pipefail
source "$(dirname "$0")/../lib/conformance.sh"

start_controller
add_seed
add_many 12   # _big._tcp: about 800 bytes of answer

expect_eq "OPT answered with our payload size 1232" "version: 0, flags:; udp: 1232" \
  "$(q +bufsize=4096 hostdomain.com SOA | sed -n 's/^; EDNS: //p')"
expect_eq "no OPT in the answer to a query without one" "0" \
  "$(q +noedns hostdomain.com SOA | grep -c 'OPT PSEUDOSECTION' || true)"
expect_eq "OPT also on negative answers" "NXDOMAIN 1232" \
  "$(wire 'r = Response(udp(port, query("nope.hostdomain.com", A)))
print({3: "NXDOMAIN"}.get(r.rcode, r.rcode), r.opt[5] if r.opt else "none")')"
expect_eq "OPT also on REFUSED" "REFUSED 1232" \
  "$(wire 'r = Response(udp(port, query("example.org", A)))
print({5: "REFUSED"}.get(r.rcode, r.rcode), r.opt[5] if r.opt else "none")')"

# RFC 6891 §6.1.3: an unknown version gets BADVERS (16) with an OPT of version 0.
expect_eq "BADVERS for EDNS version 1" BADVERS "$(status_of +edns=1 +noednsneg hostdomain.com SOA)"
expect_eq "BADVERS answer carries OPT version 0, no records" "rcode=16 opt_version=0 an=0 ns=0" \
  "$(wire 'r = Response(udp(port, header(ar=1) + question() + opt(version=1)))
print(f"rcode={r.full_rcode} opt_version={r.opt[2] >> 16 & 255} an={r.counts[1]} ns={r.counts[2]}")')"
expect_eq "BADVERS for EDNS version 255" 16 \
  "$(wire 'print(Response(udp(port, header(ar=1) + question() + opt(version=255))).full_rcode)')"

# RFC 6891 §6.1.2: unknown options are ignored, and not echoed.
expect_eq "unknown EDNS option ignored" NOERROR "$(status_of +ednsopt=65001:c0ffee hostdomain.com SOA)"
expect_eq "unknown EDNS option not echoed" "NOERROR options=[]" \
  "$(wire 'r = Response(udp(port, header(ar=1) + question() + opt(options=option(65001, b"\xc0\xff\xee") + option(3, b""))))
print({0: "NOERROR"}.get(r.rcode, r.rcode), f"options={r.opt_options()}")')"
expect_eq "unknown flag bits in the OPT TTL ignored (RFC 6891 §6.1.4)" NOERROR \
  "$(status_of +ednsflags=0x7fff hostdomain.com SOA)"

# RFC 6891 §6.1.1: more than one OPT, or an OPT outside the additional section, is FORMERR.
expect_eq "FORMERR for two OPT records" 1 \
  "$(wire 'print(Response(udp(port, header(ar=2) + question() + opt() + opt())).rcode)')"
expect_eq "FORMERR for an OPT in the answer section" 1 \
  "$(wire 'print(Response(udp(port, header(an=1) + question() + opt())).rcode)')"
expect_eq "FORMERR for an OPT whose owner is not the root" 1 \
  "$(wire 'print(Response(udp(port, header(ar=1) + question() + opt(owner=name("hostdomain.com")))).rcode)')"
expect_eq "FORMERR for an option running past the OPT's data" 1 \
  "$(wire 'print(Response(udp(port, header(ar=1) + question() + opt(options=struct.pack("!HH", 65001, 40) + b"ab"))).rcode)')"
expect_eq "FORMERR for an OPT cut short" 1 \
  "$(wire 'print(Response(udp(port, header(ar=1) + question() + opt()[:-3])).rcode)')"

# RFC 3225 §3: DO is copied into the response's OPT.
expect_eq "DO bit copied" "flags: do" "$(q +dnssec hostdomain.com SOA | grep -o 'flags: do')"
expect_eq "DO not set when not asked" "" "$(q hostdomain.com SOA | grep -o 'flags: do' || true)"

# RFC 6891 §6.2.3–6.2.5: the client's size, counted as at least 512 and at most 1232.
expect_eq "a 900-byte answer fits a 1232 buffer" "" \
  "$(wire 'r = Response(udp(port, header(ar=1) + question("_big._tcp.hostdomain.com", SRV) + opt(payload=4096)))
print("tc" if r.tc else "")')"
expect_eq "... and is truncated to fit a 512 buffer" "tc <=512" \
  "$(wire 'w = udp(port, header(ar=1) + question("_big._tcp.hostdomain.com", SRV) + opt(payload=512)); r = Response(w)
print("tc" if r.tc else "", "<=512" if len(w) <= 512 else len(w))')"
expect_eq "a payload below 512 counts as 512" "512ok" \
  "$(wire 'w = udp(port, header(ar=1) + question("_http._tcp.hostdomain.com", SRV) + opt(payload=100)); r = Response(w)
print("512ok" if not r.tc and 100 < len(w) <= 512 else (r.tc, len(w)))')"

echo "$pb_pass passed, 0 failed"
