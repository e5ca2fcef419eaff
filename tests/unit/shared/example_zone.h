// A zone holding every kind of record the answer path treats apart: CNAME chains and loops, zone cuts with and without DS, glue, nested
// cuts, wildcards (A, TXT, CNAME, MX, a CNAME loop), MX and SRV targets, DNAME. Shared
// by the unit tests of resolve (tests/unit/controller/resolve_test.cpp, which checks
// Knot's answers for it) and the answer fuzz target.
#pragma once

namespace patchbay::test {

inline const char* const example_zone = R"(
$ORIGIN example.com.
$TTL 60
@           SOA   ns.example.com. hostmaster.example.com. 7 3600 600 604800 60
@           NS    ns.example.com.
@           MX    10 mail.example.com.
@           MX    20 mx.elsewhere.net.
ns          A     192.0.2.53
mail        A     192.0.2.25
mail        AAAA  2001:db8::25
web         A     192.0.2.80
txt         TXT   "hello"
srv         SRV   1 1 80 web.example.com.
www         CNAME web.example.com.
alias       CNAME www.example.com.
dangling    CNAME nothere.example.com.
out         CNAME www.example.net.
tonodata    CNAME txt.example.com.
loop1       CNAME loop2.example.com.
loop2       CNAME loop1.example.com.
self        CNAME self.example.com.
c1          CNAME c2.example.com.
c2          CNAME c3.example.com.
c3          CNAME c4.example.com.
c4          CNAME c5.example.com.
c5          CNAME c6.example.com.
c6          CNAME c7.example.com.
c7          A     192.0.2.7
sub         NS    ns1.sub.example.com.
sub         NS    ns.other.net.
sub         DS    12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns1.sub     A     192.0.2.100
ns1.sub     AAAA  2001:db8::100
cn.sub      CNAME web.example.com.
*.sub       A     192.0.2.99
deep.in.sub NS    ns.deep.in.sub.example.com.
nods        NS    ns1.nods.example.com.
ns1.nods    A     192.0.2.101
tosub       CNAME host.sub.example.com.
*.wild      A     192.0.2.200
*.wild      TXT   "wild"
exists.wild A     192.0.2.201
a.b.wild    A     192.0.2.202
towild      CNAME foo.wild.example.com.
*.cw        CNAME web.example.com.
*.wl        CNAME x.wl.example.com.
*.wmx       MX    10 mail.example.com.
mxw         MX    10 host.wild.example.com.
mxglue      MX    10 ns1.sub.example.com.
srvw        SRV   0 0 80 h.wild.example.com.
dup         MX    10 mail.example.com.
dup         MX    20 MAIL.example.com.
dn          DNAME example.net.
)";

}  // namespace patchbay::test
