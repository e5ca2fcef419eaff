"""Watches an SRV RRset until a target leaves it: queries SERVER:PORT every 5 ms and prints
the wall clock (unix ns) of the first answer without NEEDLE in any SRV target, then exits 0;
exits 1 at the deadline. Bounded: at most TIMEOUT/0.005 queries.

usage: watch.py SERVER PORT QNAME NEEDLE TIMEOUT_SECONDS [present]
  "present": wait for NEEDLE to be back instead."""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "lib"))
import dnswire  # noqa: E402

server, port, qname, needle, timeout = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
want_present = len(sys.argv) > 6 and sys.argv[6] == "present"


def targets(wire):
    r = dnswire.Response(wire)
    out = []
    for owner, rtype, _ttl, pos, _rdlen, _cls in r.sections[0]:
        if rtype == dnswire.SRV:
            out.append(r._name(pos + 6)[0])
    return out


deadline = time.monotonic() + timeout
qid = 1
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.settimeout(0.2)
    while time.monotonic() < deadline:
        qid = (qid + 1) & 0xFFFF
        s.sendto(dnswire.query(qname, dnswire.SRV, qid=qid), (server, port))
        try:
            wire = s.recvfrom(65535)[0]
        except socket.timeout:
            continue
        present = any(needle in t for t in targets(wire))
        if present == want_present:
            print(time.time_ns())
            sys.exit(0)
        time.sleep(0.005)
sys.exit(1)
