#!/bin/bash
# DNS conformance, malformed input (RFC 1035 §4.1, RFC 6895 §3.1, RFC 8906 §3.1.5): each
# kind of broken query gets FORMERR with its ID; responses and runts get no reply (no
# loops); over TCP a FORMERR leaves the connection usable; and a bounded storm of
# random and garbled packets over UDP and TCP neither crashes nor hangs the server.
set -euo pipefail
source "$(dirname "$0")/../lib/conformance.sh"

start_controller
add_seed

# formerr NAME PYTHON-EXPR: the packet the expression builds gets FORMERR with ID 0x1234.
formerr() {
  expect_eq "FORMERR: $1" "id=4660 rcode=1 aa=0 an=0" "$(wire "r = Response(udp(port, $2))
print(f'id={r.id} rcode={r.rcode} aa={r.aa} an={r.counts[1]}')")"
}
formerr "header only, one question claimed" 'header()'
formerr "no question" 'header(qd=0)'
formerr "two questions" 'header(qd=2) + question() + question()'
formerr "question without its type and class" 'header() + name("hostdomain.com")'
formerr "compression pointer loop in the question" 'header() + b"\xc0\x0c" + struct.pack("!HH", 6, 1)'
formerr "pointer past the end" 'header() + b"\xc0\xff" + struct.pack("!HH", 6, 1)'
formerr "label type 0x40 (RFC 6891 §5)" 'header() + b"\x41" + b"a" * 65 + b"\0" + struct.pack("!HH", 6, 1)'
formerr "name longer than 255 octets" 'header() + b"\x3f" * 1 + (b"a" * 63 + b"\x3f") * 4 + b"a" * 63 + b"\0" + struct.pack("!HH", 6, 1)'
formerr "label running past the packet" 'header() + b"\x20abc"'
formerr "answer records claimed but missing" 'header(an=3) + question()'
formerr "additional record cut short" 'header(ar=1) + question() + name("x") + b"\0\1"'
formerr "trailing garbage after the question" 'header() + question() + b"\0\0\0"'
formerr "OPT as the question type (RFC 6895 §3.1)" 'header() + question(qtype=41)'
formerr "TSIG as the question type" 'header() + question(qtype=250)'

expect_eq "an unknown type is NODATA, not an error (RFC 3597)" NOERROR \
  "$(kq +noall +header -t TYPE65280 hostdomain.com | sed -n 's/.*status: \([A-Z]*\).*/\1/p')"
expect_eq "kdig's query with every header bit set is answered" NOERROR \
  "$(kq +noall +header +aaflag +tcflag +adflag +cdflag +zflag hostdomain.com SOA | sed -n 's/.*status: \([A-Z]*\).*/\1/p')"

# No reply at all: a response (answering it could start a loop), or less than a header.
expect_eq "no reply to a response (QR set)" None "$(wire 'print(udp(port, header(qr=1) + question(), timeout=0.5))')"
expect_eq "no reply to 11 bytes" None "$(wire 'print(udp(port, header()[:11], timeout=0.5))')"
expect_eq "no reply to an empty datagram" None "$(wire 'print(udp(port, b"", timeout=0.5))')"

# TCP: a FORMERR does not end the connection; a runt does, without an answer.
expect_eq "over TCP a FORMERR, then the next query on the same connection" "1 0" \
  "$(wire 's = tcp_connect(port); s.sendall(frame(header(qd=0)) + frame(query()))
print(Response(tcp_read(s)).rcode, Response(tcp_read(s)).rcode)')"
expect_eq "a zero-length TCP message closes the connection" closed \
  "$(wire 's = tcp_connect(port); s.sendall(b"\0\0")
try: print("closed" if tcp_read(s) is None else "answered")
except ConnectionResetError: print("closed")')"

# A bounded storm: 4000 garbled or random datagrams and 100 garbled TCP streams
# (fixed seed, so a failure replays), then the server must still answer.
wire 'import time
rng = random.Random(8482)
seeds = [query(), query("_http._tcp.hostdomain.com", SRV), query("nope.hostdomain.com", A, edns=False),
         header(ar=2) + question() + opt(options=option(10, b"12345678")) + opt(version=1),
         query("hostdomain.com", ANY), header(an=1, ar=1) + question() + question() + opt()]
start = time.monotonic()
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.setblocking(False)
    for i in range(4000):
        data = garbage(rng) if i % 4 == 0 else mutate(rng, rng.choice(seeds))
        try: s.sendto(data, ("127.0.0.1", port))
        except BlockingIOError: time.sleep(0.01)
        if i % 200 == 0:
            time.sleep(0.02)  # let the server keep up instead of dropping
            try:
                while True: s.recv(65535)
            except BlockingIOError: pass
        if time.monotonic() - start > 30: break
for i in range(100):
    c = tcp_connect(port, timeout=1)
    stream = b"".join(frame(mutate(rng, rng.choice(seeds))) if rng.random() < 0.7 else garbage(rng)
                      for _ in range(rng.randint(1, 4)))
    try:
        c.sendall(stream); c.shutdown(socket.SHUT_WR)
        while c.recv(65535): pass
    except (ConnectionResetError, BrokenPipeError, socket.timeout): pass
    c.close()
    if time.monotonic() - start > 60: break
'
ok "4000 garbled datagrams and 100 garbled TCP streams sent"
kill -0 "$ctl_pid" 2>/dev/null && ok "the controller is still running" || die "the controller died"
expect_eq "... and answers over UDP" "6" "$(q +short hostdomain.com SOA | awk '{print $3}')"
expect_eq "... and over TCP" "3" "$(q +tcp +short _http._tcp.hostdomain.com SRV | wc -l)"

echo "$pb_pass passed, 0 failed"
