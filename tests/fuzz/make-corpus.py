#!/usr/bin/env python3
# Writes the seed corpus of every fuzz target into corpus/<target>/ (python3 stdlib only;
# with dig present, also real queries captured from dig). Seeds are starting points, so
# each should be valid or nearly valid input that reaches a different branch; the fuzzer
# mutates from there. Re-run after changing a parser's input format:
#   python3 tests/fuzz/make-corpus.py
import os, shutil, socket, struct, subprocess, sys, threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")

A, NS, SOA, AAAA, SRV, OPT, AXFR, IXFR, ANY = 1, 2, 6, 28, 33, 41, 252, 251, 255
QR, AA, TC, RD = 0x8000, 0x0400, 0x0200, 0x0100
QUERY, NOTIFY, UPDATE = 0, 4 << 11, 5 << 11

def name(dotted):
    out = b""
    for label in [l for l in dotted.split(".") if l]:
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"

def header(id_, flags, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", id_, flags, qd, an, ns, ar)

def question(qname, qtype, qclass=1):
    return name(qname) + struct.pack("!HH", qtype, qclass)

def opt(size=1232, version=0, do=False, options=b""):
    ttl = (version << 16) | (0x8000 if do else 0)
    return b"\0" + struct.pack("!HHIH", OPT, size, ttl, len(options)) + options

def rr(owner, type_, rdata, ttl=60, cls=1):
    own = owner if isinstance(owner, bytes) else name(owner)
    return own + struct.pack("!HHIH", type_, cls, ttl, len(rdata)) + rdata

def soa_rdata(zone, serial):
    return name("ns." + zone) + name("hostmaster." + zone) + struct.pack("!IIIII", serial, 3600, 600, 604800, 60)

def srv_rdata(prio, weight, port, target):
    return struct.pack("!HHH", prio, weight, port) + name(target)

def ecs(family, source, address, scope=0):
    body = struct.pack("!HBB", family, source, scope) + address
    return struct.pack("!HH", 8, len(body)) + body

def query(qname, qtype, flags=RD, edns=None, qclass=1, id_=0x1234):
    body = question(qname, qtype, qclass)
    if edns is None:
        return header(id_, flags) + body
    return header(id_, flags, ar=1) + body + edns

Z = "hostdomain.com"
HTTP = "_http._tcp." + Z
SMTP = "_smtp._tcp." + Z

def dns_queries():
    q = {
        "srv-http": query(HTTP, SRV),
        "srv-http-edns": query(HTTP, SRV, edns=opt()),
        "srv-smtp-edns-do": query(SMTP, SRV, edns=opt(do=True)),
        "srv-http-edns512": query(HTTP, SRV, edns=opt(size=512)),
        "soa-apex": query(Z, SOA, flags=0),
        "ns-apex": query(Z, NS),
        "a-target": query("ip4-10-10-10-121." + Z, A),
        "a-ns": query("ns." + Z, A),
        "aaaa-target": query("ip4-10-10-10-121." + Z, AAAA),
        "any-apex": query(Z, ANY),
        "nxdomain": query("nope." + Z, A),
        "ent-tcp": query("_tcp." + Z, SRV),
        "mixed-case": query("_HTTP._Tcp.HostDomain.COM", SRV),
        "refused-outside": query("example.org", A),
        "class-ch": query("version.bind", 16, qclass=3),
        "axfr": query(Z, AXFR, flags=0),
        "ixfr": query(Z, IXFR, flags=0),
        "edns-version1": query(Z, SOA, edns=opt(version=1)),
        "edns-cookie": query(HTTP, SRV, edns=opt(options=struct.pack("!HH", 10, 8) + b"\x01" * 8)),
        "opcode-notify": header(7, NOTIFY | AA) + question(Z, SOA),
        "opcode-update": header(8, UPDATE, qd=1) + question(Z, SOA),
        "qdcount-0": header(9, RD, qd=0),
        "qdcount-2": header(10, RD, qd=2) + question(Z, SOA) + question(HTTP, SRV),
        "truncated-question": query(HTTP, SRV)[:20],
        "compressed-qname": header(11, RD) + b"\xc0\x0c" + struct.pack("!HH", SRV, 1),
        "tc-set": query(HTTP, SRV, flags=RD | TC),
        "trailing-bytes": query(HTTP, SRV) + b"\0\0\0\0",
        "two-opt": header(12, RD, ar=2) + question(HTTP, SRV) + opt() + opt(),
        # EDNS Client Subnet (RFC 7871): the client view maps by it.
        "ecs-v4-24": query(HTTP, SRV, edns=opt(options=ecs(1, 24, bytes([198, 51, 100])))),
        "ecs-v4-16-eu": query(HTTP, SRV, edns=opt(options=ecs(1, 16, bytes([192, 0])))),
        "ecs-v6-48": query(HTTP, SRV, edns=opt(options=ecs(2, 48, bytes([0x20, 0x01, 0x0d, 0xb8, 0, 1])))),
        "ecs-source-0": query(SMTP, SRV, edns=opt(options=ecs(1, 0, b""))),
        "ecs-scope-set": query(HTTP, SRV, edns=opt(options=ecs(1, 24, bytes([198, 51, 100]), scope=8))),
        "ecs-host-bits": query(HTTP, SRV, edns=opt(options=ecs(1, 20, bytes([198, 51, 101])))),
        "ecs-bad-family": query(HTTP, SRV, edns=opt(options=ecs(3, 8, bytes([1])))),
    }
    return q

def xfr_requests():
    """Zone transfers and signed requests for the xfr target (the key is the one in xfr_fuzz.cpp)."""
    import hmac, hashlib, time
    def ixfr(serial, id_=0x2001):
        return header(id_, 0, ns=1) + question(Z, IXFR) + rr(Z, SOA, soa_rdata(Z, serial))
    def signed(msg, when=None, key=b"transfer", secret=bytes(range(1, 33))):
        when = int(time.time()) if when is None else when
        owner, alg = name(key.decode()), name("hmac-sha256")
        variables = owner + struct.pack("!HI", 255, 0) + alg + struct.pack("!HIHHH", when >> 32, when & 0xffffffff, 300, 0, 0)
        mac = hmac.new(secret, msg + variables, hashlib.sha256).digest()
        rdata = alg + struct.pack("!HIHH", when >> 32, when & 0xffffffff, 300, len(mac)) + mac + msg[:2] + b"\0\0\0\0"
        out = bytearray(msg + owner + struct.pack("!HHIH", 250, 255, 0, len(rdata)) + rdata)
        out[10:12] = struct.pack("!H", struct.unpack("!H", msg[10:12])[0] + 1)
        return bytes(out)
    axfr = query(Z, AXFR, flags=0, id_=0x2000)
    return {
        "axfr": axfr,
        "axfr-edns": query(Z, AXFR, flags=0, edns=opt()),
        "axfr-not-a-zone": query(HTTP, AXFR, flags=0),
        "axfr-outside": query("example.org", AXFR, flags=0),
        "ixfr-from-1": ixfr(1),
        "ixfr-from-2": ixfr(2),
        "ixfr-current": ixfr(3),
        "ixfr-unknown": ixfr(77),
        "ixfr-no-soa": query(Z, IXFR, flags=0),
        "axfr-signed": signed(axfr),
        "axfr-signed-old": signed(axfr, when=1000),
        "axfr-signed-unknown-key": signed(axfr, key=b"stranger"),
        "soa-signed": signed(query(Z, SOA, flags=0)),
        "update-signed": signed(header(8, UPDATE, qd=1) + question(Z, SOA)),
    }

def notifies():
    soa = rr(Z, SOA, soa_rdata(Z, 42))
    return {
        "notify": header(0x4242, NOTIFY | AA) + question(Z, SOA),
        "notify-with-soa": header(0x4243, NOTIFY | AA, an=1) + question(Z, SOA) + soa,
        "notify-mixed-case": header(1, NOTIFY | AA) + question("HostDomain.Com", SOA),
        "notify-foreign": header(2, NOTIFY | AA) + question("example.net", SOA),
        "notify-not-soa": header(3, NOTIFY | AA) + question(Z, A),
        "notify-class-ch": header(4, NOTIFY | AA) + question(Z, SOA, qclass=3),
        "notify-qdcount-2": header(5, NOTIFY, qd=2) + question(Z, SOA) + question(Z, SOA),
        "query-not-notify": header(6, QUERY | RD) + question(Z, SOA),
        "notify-response": header(7, NOTIFY | QR | AA) + question(Z, SOA),
        "notify-truncated": (header(8, NOTIFY | AA) + question(Z, SOA))[:25],
        "notify-edns": header(9, NOTIFY | AA, ar=1) + question(Z, SOA) + opt(),
    }

def responses():
    soa = rr(Z, SOA, soa_rdata(Z, 7))
    srv = [rr(HTTP, SRV, srv_rdata(1, 100, 80, "ip4-10-10-10-121." + Z)),
           rr(HTTP, SRV, srv_rdata(1, 100, 80, "ip4-10-10-10-122." + Z)),
           rr(HTTP, SRV, srv_rdata(2, 100, 8080, "ip4-10-10-10-123." + Z))]
    glue = [rr("ip4-10-10-10-12%d.%s" % (i, Z), A, bytes([10, 10, 10, 120 + i])) for i in (1, 2, 3)]
    # Compressed owners and targets, as real servers send them (RFC 1035 §4.1.4).
    qsec = question(HTTP, SRV)
    ptr = b"\xc0\x0c"
    csrv = ptr + struct.pack("!HHIH", SRV, 1, 60, 8) + struct.pack("!HHH", 1, 100, 80) + ptr
    aaaa = rr("ip6-2001-db8--1." + Z, AAAA, bytes.fromhex("20010db8000000000000000000000001"))
    return {
        "soa": header(1, QR | AA, an=1) + question(Z, SOA) + soa,
        "srv-with-glue": header(2, QR | AA, an=3, ar=3) + qsec + b"".join(srv) + b"".join(glue),
        "srv-compressed": header(3, QR | AA, an=1) + qsec + csrv,
        "a": header(4, QR | AA, an=1) + question("ip4-10-10-10-121." + Z, A) + glue[0],
        "aaaa": header(5, QR | AA, an=1) + question("ip6-2001-db8--1." + Z, AAAA) + aaaa,
        "nxdomain": header(6, QR | AA | 3, ns=1) + question("nope." + Z, A) + soa,
        "nodata": header(7, QR | AA, ns=1) + question(SMTP, SRV) + soa,
        "servfail": header(8, QR | 2) + question(Z, SOA),
        "refused": header(9, QR | 5) + question(Z, SOA),
        "short-srv": header(10, QR | AA, an=1) + qsec + rr(HTTP, SRV, b"\0\1\0\2\0\3"),
        "class-ch": header(11, QR | AA, an=1) + question(Z, SOA) + rr(Z, SOA, soa_rdata(Z, 1), cls=3),
        "edns": header(12, QR | AA, an=1, ar=1) + question(Z, SOA) + soa + opt(),
        "truncated": (header(13, QR | AA | TC, an=3) + qsec + b"".join(srv))[:80],
        "pointer-loop": header(14, QR, an=1) + qsec + b"\xc0\x0c" + struct.pack("!HHIH", A, 1, 60, 4) + b"\x0a\0\0\1",
    }

def agent_tomls():
    with open(os.path.join(ROOT, "examples", "agent.toml"), "rb") as f:
        sample = f.read()
    return {
        "example": sample,
        "minimal": b'[agent]\ndomains = ["hostdomain.com"]\n[services.http]\nunit = "patchbay-http@.service"\n',
        "all-keys": b'[agent]\nname = "h1"\ndomains = ["a.example", "B.Example."]\n'
                    b'resolvers = ["[2001:db8::1]:53", "10.0.0.1:5353"]\npoll_seconds = 10\n'
                    b'idle_poll_seconds = 2\nnotify_listen = ""\ncontroller = "http://c:8080"\n'
                    b'token_file = "/t"\nenv_dir = "/e"\nquery_timeout_ms = 250\n'
                    b'[services.dns]\nunit = "d@.service"\ntransports = ["udp"]\n',
        "unknown-key": b'[agent]\ndomains = ["a.example"]\ncolour = "blue"\n',
        "bad-types": b'[agent]\ndomains = "a.example"\npoll_seconds = "x"\n',
        "inline-tables": b'agent = { domains = ["x.example"] }\nservices = { http = { unit = "h@.service" } }\n',
        "bad-unit": b'[agent]\ndomains = ["x.example"]\n[services.http]\nunit = "nope"\n',
        "syntax-error": b'[agent\ndomains = [\n',
    }

def controller_tomls():
    with open(os.path.join(ROOT, "examples", "controller.toml"), "rb") as f:
        sample = f.read()
    return {
        "example": sample,
        "all-keys": b'[controller]\nstate = "/tmp/s"\n[dns]\nlisten = ["127.0.0.1:1053", "[::1]:1053"]\n'
                    b'ttl = 300\n[api]\nlisten = "[::1]:0"\n',
        "empty": b"",
        "unknown-key": b'[dns]\nport = 53\n',
        "bad-listen": b'[dns]\nlisten = ["localhost:53"]\n[api]\nlisten = 8080\n',
        "ttl-negative": b'[dns]\nttl = -1\n',
        "syntax-error": b'[controller]\nstate = "unterminated\n',
        "client-view": b'[client_view]\nlisten = ["127.0.0.1:5300", "[::1]:5300"]\n'
                       b'assignment_networks = ["10.0.0.0/8", "2001:db8::/32"]\nttl = 5\n'
                       b'warning_weight_percent = 10\nall_down = "least-bad"\n',
        "client-view-bad": b'[client_view]\nttl = 1e300\nwarning_weight_percent = 0\nall_down = "x"\n',
    }

def settings_tomls():
    # An account's settings file (settings_fuzz.cpp): the samples, the docs' complete
    # example, and near misses of each section.
    def read(*path):
        with open(os.path.join(ROOT, *path), "rb") as f:
            return f.read()
    docs = read("docs", "policies.md").decode()
    full = docs.split("## A complete example", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    return {
        "acme": read("examples", "policies", "acme.toml"),
        "globex": read("examples", "policies", "globex.toml"),
        "complete": full.encode(),
        "empty": b"",
        "unknown-section": b'[rules]\nstrategy = "load"\n',
        "near-self": b'[regions.eu]\nnear = ["eu"]\n',
        "window-wrap": b'[windows.w]\ntime_zone = "America/New_York"\ndays = "fri-mon"\nfrom = "22:00"\nto = "06:00"\n',
        "window-bad-zone": b'[windows.w]\ntime_zone = "../../etc/passwd"\n',
        "same-conditions": b'[[rule]]\nstrategy = "load"\n[[rule]]\nstrategy = "failover"\n',
        "weights": b'[servers."10.0.0.0/8"]\ntype = "t"\n[[rule]]\nstrategy = "weighted"\n'
                   b'weights = { "t" = 1, "::1" = 2, "0::1" = 3 }\n',
        "alert-command": b'[[alert]]\nname = "x"\ncommand = ["/bin/true"]\n',
    }

def api_bodies():
    # First byte: 0 zones, 1 tuples, 2 agents, 3 zones with templates, 4 settings files,
    # 5 rollbacks, 6 a settings version and an at= time, not JSON (api_body_fuzz.cpp).
    return {
        "zone": b"\0" + b'{"name":"hostdomain.com"}',
        "zone-unknown-field": b"\0" + b'{"name":"a.example","ttl":5}',
        "zone-number": b"\0" + b'{"name":12}',
        "tuple": b"\1" + b'{"service":"http","transport":"tcp","address":"10.10.10.121","port":80}',
        "tuple-full": b"\1" + b'{"service":"_smtp","transport":"TCP","address":"2001:db8::1","port":"23",'
                             b'"priority":2,"weight":"0","target":"mail.hostdomain.com."}',
        "tuple-bad-port": b"\1" + b'{"service":"http","transport":"tcp","address":"10.0.0.1","port":70000}',
        "tuple-null": b"\1" + b'{"service":null,"transport":"tcp","address":"10.0.0.1","port":1.5}',
        "tuple-unicode": b"\1" + b'{"service":"h\\u00e9","transport":"tcp","address":"10.0.0.1","port":1}',
        "agent": b"\2" + b'{"name":"h121","notify":"0.0.0.0:5300","domains":["hostdomain.com"]}',
        "agent-v6": b"\2" + b'{"name":"h6","notify":"[2001:db8::5]:5300","domains":["A.example."]}',
        "agent-no-notify": b"\2" + b'{"name":"h","domains":[]}',
        "agent-bad-domains": b"\2" + b'{"name":"h","domains":[1,"x..y"]}',
        "not-object": b"\0" + b'["name"]',
        "not-json": b"\1" + b'{"service":',
        "nested": b"\2" + b'{"name":[[[[{"a":{}}]]]]}',
        "zone-template": b"\3" + b'{"name":"t.example","account":"acme","template":"web"}',
        "zone-template-no-account": b"\3" + b'{"name":"t.example","template":"web"}',
        "settings": b"\4" + b'{"text":"[mapping]\\nttl = 5\\n","file":"acme.toml"}',
        "settings-bad-file": b"\4" + b'{"text":"","file":"a\\nb"}',
        "rollback": b"\5" + b'{"version":3}',
        "rollback-big": b"\5" + b'{"version":99999999999999999999}',
        "at-rfc3339": b"\6" + b"2026-12-05T09:00:00+01:00",
        "at-unix": b"\6" + b"1796457600",
        "at-bad": b"\6" + b"2026-02-30T25:61:00-99:99",
    }

def updates():
    # RFC 2136 UPDATEs for hostdomain.com (update_fuzz.cpp): zone section, then
    # prerequisites (answer), updates (authority).
    NONE_, ANY_ = 254, 255
    zone = question(Z, SOA)
    add = [rr("_sip._udp." + Z, SRV, srv_rdata(1, 100, 5060, "ip4-10-10-10-125." + Z)),
           rr("ip4-10-10-10-125." + Z, A, bytes([10, 10, 10, 125]))]
    delete_rr = rr(SMTP, SRV, srv_rdata(1, 100, 23, "ip4-10-10-10-123." + Z), ttl=0, cls=NONE_)
    delete_set = rr(HTTP, SRV, b"", ttl=0, cls=ANY_)
    delete_name = rr("txt." + Z, ANY, b"", ttl=0, cls=ANY_)
    return {
        "add-tuple": header(1, UPDATE, ns=2) + zone + b"".join(add),
        "delete-rr": header(2, UPDATE, ns=1) + zone + delete_rr,
        "delete-rrset": header(3, UPDATE, ns=1) + zone + delete_set,
        "delete-name": header(4, UPDATE, ns=1) + zone + delete_name,
        "prereq-name-in-use": header(5, UPDATE, an=1, ns=1) + zone + rr("mail." + Z, ANY, b"", 0, ANY_) + add[1],
        "prereq-not-in-use": header(6, UPDATE, an=1, ns=1) + zone + rr("new." + Z, ANY, b"", 0, NONE_) + add[1],
        "prereq-rrset-value": header(7, UPDATE, an=1, ns=1) + zone +
                              rr(Z, 15, b"\0\x0a" + name("mail." + Z), 0) + delete_name,
        "cname-add": header(8, UPDATE, ns=1) + zone + rr("alias." + Z, 5, name("mail." + Z)),
        "soa-add": header(9, UPDATE, ns=1) + zone + rr(Z, SOA, soa_rdata(Z, 99)),
        "outside": header(10, UPDATE, ns=1) + zone + rr("www.example.org", A, bytes([1, 2, 3, 4])),
        "apex-any": header(11, UPDATE, ns=1) + zone + rr(Z, ANY, b"", 0, ANY_),
    }

def zone_files():
    # Zone files for x.org (zone_file_fuzz.cpp): tuples, other records, the edge cases.
    soa = b"@ IN SOA ns1.x.org. admin.x.org. 7 3600 600 604800 300\n"
    return {
        "tuples": b"$ORIGIN x.org.\n$TTL 60\n" + soa +
                  b"_http._tcp SRV 1 100 80 ip4-10-10-10-121\nip4-10-10-10-121 A 10.10.10.121\n"
                  b"_sip._udp SRV 10 60 5060 sip1\nsip1 A 10.10.10.122\nsip1 AAAA 2001:db8::1\n",
        "records": b"$ORIGIN x.org.\n" + soa + b"@ NS ns1\nns1 A 192.0.2.53\n@ MX 10 mail\nmail A 192.0.2.25\n"
                   b"www CNAME web\nweb A 192.0.2.80\ntxt TXT \"a  b\" \"c\"\n_ext._tcp SRV 1 1 443 o.example.net.\n"
                   b"sub NS ns.sub\nns.sub A 192.0.2.9\n* TXT \"wild\"\n",
        "multi-line": b"$ORIGIN x.org.\n@ SOA ns1 admin ( 1 ; serial\n 2 3 4 5 )\n"
                      b"k DNSKEY 257 3 13 ( mdsswUyr3DPW132mOi8V9xESWE8jTo0d\n xEjjnLsM0JEvI= )\n",
        "ttl-mixed": b"$ORIGIN x.org.\n" + soa + b"a 10 A 10.0.0.1\na 20 A 10.0.0.2\n_x._tcp 5 SRV 0 0 1 a\n",
        "cname-conflict": b"$ORIGIN x.org.\n" + soa + b"www CNAME a\nwww TXT \"b\"\n",
        "two-soa": b"$ORIGIN x.org.\n" + soa + soa,
        "include": b"$INCLUDE /etc/passwd\n",
        "outside": b"$ORIGIN x.org.\n" + soa + b"y.org. A 1.2.3.4\n",
        "generic": b"$ORIGIN x.org.\n" + soa + b"g TYPE65534 \\# 3 010203\n",
    }

def names():
    return {
        "v4": b"10.10.10.121", "v6": b"2001:db8::1", "v4-mapped": b"::ffff:10.0.0.1",
        "endpoint-v4": b"10.10.10.1:53", "endpoint-v6": b"[2001:db8::1]:5300",
        "endpoint-bad": b"[::1:53", "unit": b"patchbay-http@10.10.10.121:80-tcp.service",
        "unit-v6": b"patchbay-http@2001:db8::1:80-udp.service",
        "unit-escaped": b"patchbay-http@\\x2d1:80-tcp.service", "unit-bad-escape": b"x@\\x2:1-tcp.service",
        "leading-dot": b".hidden/x y",
    }

def dig_queries():
    """Queries as dig really sends them (cookie, EDNS, AD), captured on a local socket."""
    dig = shutil.which("dig")
    if not dig:
        return {}
    out = {}
    cases = {"dig-srv": [HTTP, "SRV"], "dig-soa-norec": [Z, "SOA", "+norecurse"],
             "dig-a-dnssec": ["ns." + Z, "A", "+dnssec"], "dig-aaaa-noedns": ["x." + Z, "AAAA", "+noedns"],
             "dig-nsid-bufsize": [Z, "NS", "+nsid", "+bufsize=4096"]}
    for label, args in cases.items():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(5)
        port = s.getsockname()[1]
        p = subprocess.Popen([dig, "@127.0.0.1", "-p", str(port), "+tries=1", "+time=1"] + args,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            out[label], _ = s.recvfrom(65535)
        except socket.timeout:
            pass
        p.kill(); p.wait(); s.close()
    return out

def write(target, seeds):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for label, data in seeds.items():
        with open(os.path.join(d, label), "wb") as f:
            f.write(data)
    print("%-18s %d seeds" % (target, len(seeds)))

def zone_content_queries():
    # Names of example.com (tests/unit/shared/example_zone.h): CNAME chains, referrals,
    # wildcards, additional data.
    E = "example.com"
    MX, DS, CNAME = 15, 43, 5
    return {
        "cname-chain": query("alias." + E, A),
        "cname-loop": query("loop1." + E, A),
        "cname-long": query("c1." + E, A),
        "cname-dangling": query("dangling." + E, A),
        "cname-to-cut": query("tosub." + E, A),
        "referral": query("host.sub." + E, A, edns=opt()),
        "ds-at-cut": query("sub." + E, DS),
        "wildcard": query("FoO.wild." + E, A),
        "wildcard-cname-loop": query("q.wl." + E, A),
        "wildcard-nxdomain-ent": query("x.b.wild." + E, A),
        "mx-additional": query(E, MX),
        "mx-wildcard-additional": query("mxw." + E, MX),
        "cname-qtype": query("www." + E, CNAME),
    }

def reports():
    inst = (b'{"domain":"hostdomain.com","service":"http","transport":"tcp","address":"10.10.10.121",'
            b'"port":80,"unit":"patchbay-http@10.10.10.121:80-tcp.service","active_state":"active"')
    probe = b',"probe":{"kind":"http","ok":false,"latency_ms":12.5,"error":"HTTP 503","streak":3}'
    head = b'{"agent":"h121","boot":"b7f3","seq":42,"at_ms":1795000000000,"serials":{"hostdomain.com":7}'
    host = b',"host":{"load1":0.25,"cpu":0.5,"memory":0.75}'
    return {
        "one": b'{"reports":[' + head + host + b',"instances":[' + inst + probe + b'}]}]}',
        "two": b'{"reports":[' + head + b'},' + head.replace(b"42", b"43") + b',"instances":[' + inst +
               b',"memory_bytes":1048576,"cpu_nsec":5}]}]}',
        "v6": b'{"reports":[{"agent":"h6","boot":"x","seq":1,"at_ms":0,"instances":[{"domain":"A.example.",'
              b'"service":"_sip","transport":"UDP","address":"2001:db8::1","port":5060,"active_state":"failed"}]}]}',
        "bad-seq": b'{"reports":[{"agent":"h","boot":"b","seq":0,"at_ms":1}]}',
        "bad-field": b'{"reports":[' + head + b',"colour":"red"}]}',
        "bad-cpu": b'{"reports":[' + head + b',"host":{"cpu":1.5}}]}',
        "empty": b'{"reports":[]}',
    }

def timeline_inputs():
    # First byte: 0 range&period of GET /v1/timelines, 1 an arrangement body (timeline_fuzz.cpp).
    return {
        "grid-default": b"\x00&",
        "grid-day": b"\x0024h&5m",
        "grid-week": b"\x007d&1h",
        "grid-too-many": b"\x007d&1m",
        "grid-odd": b"\x0090s&2m",
        "grid-bad": b"\x001y&soon",
        "arrangement": b'\x01{"order":["h2","h1"],"pinned":["h3"]}\nnight shift',
        "arrangement-current": b'\x01{"order":[]}\n@current',
        "arrangement-twice": b'\x01{"pinned":["h1","h1"]}',
        "arrangement-bad": b'\x01{"order":"h1","colour":1}\na/b',
    }

def main():
    q = dns_queries()
    q.update(zone_content_queries())
    q.update(dig_queries())
    write("answer", q)
    write("xfr", xfr_requests())
    write("notify", notifies())
    write("dns_answer", responses())
    write("agent_config", agent_tomls())
    write("zone_file", zone_files())
    write("update", updates())
    write("controller_config", controller_tomls())
    write("settings", settings_tomls())
    write("api_body", api_bodies())
    write("names", names())
    write("reports", reports())
    write("timeline", timeline_inputs())

if __name__ == "__main__":
    main()
