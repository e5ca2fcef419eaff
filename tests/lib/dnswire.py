"""Raw DNS wire helpers for the conformance scripts (tests/conformance): build queries
byte by byte (including ones dig/kdig refuse to send), exchange them over UDP or TCP
on loopback, and decode just enough of a response to check it. Standard library only.

Every socket call has a timeout, so no check can hang."""

import random
import socket
import struct

A, NS, SOA, OPT, SRV, ANY = 1, 2, 6, 41, 33, 255


def name(text):
    """Uncompressed wire form of a presentation name, case kept."""
    out = b""
    for label in text.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def header(qid=0x1234, qr=0, opcode=0, aa=0, tc=0, rd=0, ra=0, z=0, ad=0, cd=0, rcode=0,
           qd=1, an=0, ns=0, ar=0):
    flags = (qr << 15 | opcode << 11 | aa << 10 | tc << 9 | rd << 8 | ra << 7 | z << 6
             | ad << 5 | cd << 4 | rcode)
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def question(qname="hostdomain.com", qtype=SOA, qclass=1):
    return name(qname) + struct.pack("!HH", qtype, qclass)


def opt(payload=1232, version=0, do=0, options=b"", owner=b"\0", ext_rcode=0):
    """An OPT pseudo-RR (RFC 6891 §6.1.2); `options` is raw option bytes."""
    ttl = ext_rcode << 24 | version << 16 | (0x8000 if do else 0)
    return owner + struct.pack("!HHIH", OPT, payload, ttl, len(options)) + options


def option(code, data):
    return struct.pack("!HH", code, len(data)) + data


def query(qname="hostdomain.com", qtype=SOA, qid=0x1234, edns=True, **flags):
    """A plain query, with an OPT unless edns=False."""
    ar = 1 if edns else 0
    return header(qid=qid, ar=ar, **flags) + question(qname, qtype) + (opt() if edns else b"")


def udp(port, data, timeout=2.0):
    """Sends one datagram; returns the reply, or None when none came in time."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(data, ("127.0.0.1", port))
        try:
            return s.recvfrom(65535)[0]
        except socket.timeout:
            return None


def tcp_connect(port, timeout=3.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.settimeout(timeout)
    return s


def frame(data):
    return struct.pack("!H", len(data)) + data


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def tcp_read(s):
    """One length-prefixed message, or None at EOF."""
    size = recv_exact(s, 2)
    if size is None:
        return None
    return recv_exact(s, struct.unpack("!H", size)[0])


def tcp(port, data, timeout=3.0):
    with tcp_connect(port, timeout) as s:
        s.sendall(frame(data))
        return tcp_read(s)


class Response:
    """Header fields, and each record as (owner text, type, ttl, rdata offset, rdlength)."""

    def __init__(self, wire):
        self.wire = wire
        (self.id, flags, qd, an, ns, ar) = struct.unpack("!HHHHHH", wire[:12])
        self.qr = flags >> 15 & 1
        self.opcode = flags >> 11 & 15
        self.aa, self.tc, self.rd = flags >> 10 & 1, flags >> 9 & 1, flags >> 8 & 1
        self.ra, self.z, self.ad, self.cd = flags >> 7 & 1, flags >> 6 & 1, flags >> 5 & 1, flags >> 4 & 1
        self.rcode = flags & 15
        self.counts = (qd, an, ns, ar)
        self.expanded = 12  # the size it would have without compression
        pos = 12
        self.questions = []
        for _ in range(qd):
            qname, pos = self._name(pos)
            self.questions.append((qname,) + struct.unpack("!HH", wire[pos:pos + 4]))
            pos += 4
            self.expanded += 4
        self.sections = []
        for count in (an, ns, ar):
            records = []
            for _ in range(count):
                owner, pos = self._name(pos)
                rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", wire[pos:pos + 10])
                pos += 10
                records.append((owner, rtype, ttl, pos, rdlen, rclass))
                pos += rdlen
                self.expanded += 10 + rdlen
            self.sections.append(records)
        self.end = pos
        self.opt = next((r for r in self.sections[2] if r[1] == OPT), None)

    def _name(self, pos, follow=True):
        labels, end, hops = [], None, 0
        while True:
            n = self.wire[pos]
            if n >= 0xC0:
                hops += 1
                if hops > 64:
                    raise ValueError("compression loop")
                if end is None:
                    end = pos + 2
                pos = (n & 0x3F) << 8 | self.wire[pos + 1]
                continue
            if n == 0:
                if end is None:
                    end = pos + 1
                break
            labels.append(self.wire[pos + 1:pos + 1 + n].decode("latin-1"))
            pos += 1 + n
        text = ".".join(labels) + "."
        self.expanded += sum(len(label) + 1 for label in labels) + 1
        return text, end

    @property
    def full_rcode(self):
        ext = (self.opt[2] >> 24) if self.opt else 0
        return ext << 4 | self.rcode

    def opt_options(self):
        """The option codes in the response's OPT record."""
        if not self.opt:
            return []
        codes, pos, end = [], self.opt[3], self.opt[3] + self.opt[4]
        while pos + 4 <= end:
            code, size = struct.unpack("!HH", self.wire[pos:pos + 4])
            codes.append(code)
            pos += 4 + size
        return codes


def mutate(rng, packet):
    """A garbled copy of `packet`: flipped bits, cut short, grown, or bytes replaced."""
    data = bytearray(packet)
    for _ in range(rng.randint(1, 6)):
        choice = rng.random()
        if choice < 0.4 and data:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif choice < 0.55:
            data = data[:rng.randrange(len(data) + 1)]
        elif choice < 0.7:
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
        elif data:
            i = rng.randrange(len(data))
            data[i] = rng.choice([0, 0xC0, 0xFF, 0x3F, 0x40, rng.randrange(256)])
    return bytes(data)


def garbage(rng):
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 600)))


__all__ = [n for n in dir() if not n.startswith("_")] + ["random", "socket", "struct"]
