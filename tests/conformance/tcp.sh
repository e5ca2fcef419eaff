#!/bin/bash
# DNS conformance, truncation and TCP (RFC 1035 §4.2, RFC 2181 §9, RFC 7766): an answer
# that does not fit a UDP reply gets TC and fits, the same query over TCP gets it whole;
# length-prefixed queries pipelined or split across segments on one connection; idle
# connections closed after the idle timeout (10 s, dns_server.cpp); at most 256
# connections (dns_server.cpp), the next one closed at once. One check per rule.
set -euo pipefail
source "$(dirname "$0")/../lib/conformance.sh"

start_controller
add_seed
add_many 100   # _big._tcp: 100 SRV records, about 5 KB

# UDP truncation (RFC 1035 §4.2.1, RFC 2181 §9).
expect_contains "TC without EDNS (512 bytes)" " tc" "$(flags_of +ignore +noedns _big._tcp.hostdomain.com SRV)"
expect_contains "TC with an EDNS size of 512" " tc" "$(flags_of +ignore +bufsize=512 _big._tcp.hostdomain.com SRV)"
expect_contains "TC with our own 1232" " tc" "$(flags_of +ignore +bufsize=4096 _big._tcp.hostdomain.com SRV)"
expect_eq "the truncated reply fits 512 bytes, keeps the question, holds no partial RRset" "fits qd=1 an=0" \
  "$(wire 'w = udp(port, query("_big._tcp.hostdomain.com", SRV, edns=False)); r = Response(w)
print("fits" if len(w) <= 512 else len(w), f"qd={r.counts[0]} an={r.counts[1]}")')"
expect_eq "the same query over TCP gets all 100 records" 100 "$(q +tcp +short _big._tcp.hostdomain.com SRV | wc -l)"
expect_eq "no TC over TCP" "qr aa" "$(flags_of +tcp +norec _big._tcp.hostdomain.com SRV)"
expect_eq "dig falls back to TCP on TC and gets them all" 100 "$(q +noedns +short _big._tcp.hostdomain.com SRV | wc -l)"
expect_eq "kdig gets them all over TCP too" 100 "$(kq +tcp +short _big._tcp.hostdomain.com SRV | wc -l)"

# RFC 7766 §6.2.1: several queries on one connection, sent back to back (pipelined).
expect_eq "10 pipelined queries answered in order on one connection" "1 2 3 4 5 6 7 8 9 10" \
  "$(wire 's = tcp_connect(port)
s.sendall(b"".join(frame(query("_http._tcp.hostdomain.com", SRV, qid=i)) for i in range(1, 11)))
print(*[Response(tcp_read(s)).id for _ in range(10)])')"
expect_eq "pipelined answers are whole (100 records each)" "100 100 100" \
  "$(wire 's = tcp_connect(port)
s.sendall(b"".join(frame(query("_big._tcp.hostdomain.com", SRV, qid=i)) for i in range(3)))
print(*[Response(tcp_read(s)).counts[1] for _ in range(3)])')"
expect_eq "a query split across segments, byte by byte" "7 NOERROR" \
  "$(wire 'import time
s = tcp_connect(port); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for b in frame(query(qid=7)):
    s.send(bytes([b])); time.sleep(0.002)
r = Response(tcp_read(s)); print(r.id, "NOERROR" if r.rcode == 0 else r.rcode)')"
expect_eq "two whole queries and half a third: the two are answered at once" "1 2" \
  "$(wire 'q3 = frame(query(qid=3)); s = tcp_connect(port)
s.sendall(frame(query(qid=1)) + frame(query(qid=2)) + q3[:9])
print(Response(tcp_read(s)).id, Response(tcp_read(s)).id)')"

# Connection limit: 256 open connections are served; the next is closed unanswered;
# once one goes, a new connection is served again.
expect_eq "256 connections served, the 257th closed, room again after one closes" "256 closed served" \
  "$(wire 'import time
held = []
for i in range(256):
    s = tcp_connect(port); s.sendall(frame(query(qid=i))); Response(tcp_read(s)); held.append(s)
extra = tcp_connect(port)
try:
    extra.sendall(frame(query())); got = tcp_read(extra); third = "closed" if got is None else "answered"
except (ConnectionResetError, BrokenPipeError):
    third = "closed"
held.pop().close(); time.sleep(0.2)
s = tcp_connect(port); s.sendall(frame(query(qid=9))); last = "served" if Response(tcp_read(s)).id == 9 else "?"
print(len(held) + 1, third, last)
for s in held: s.close()')"

# RFC 7766 §6.2.3: idle connections are closed by the server, after the idle timeout.
expect_eq "idle connections closed after 9–13 s (with and without a query answered)" "closed closed" \
  "$(wire 'import select, time
start = time.monotonic()
silent = tcp_connect(port); used = tcp_connect(port)
used.sendall(frame(query())); Response(tcp_read(used))
result = {}
while len(result) < 2 and time.monotonic() - start < 20:
    for s in select.select([silent, used], [], [], 1)[0]:
        if s.fileno() in result: continue
        try: data = s.recv(1)
        except ConnectionResetError: data = b""
        if data == b"": result[s.fileno()] = time.monotonic() - start
print(*["closed" if 9 <= t <= 13 else f"after {t:.1f}s" for t in result.values()] or ["never"])')"
expect_eq "the server still answers" NOERROR "$(status_of +tcp hostdomain.com SOA)"

echo "$pb_pass passed, 0 failed"
