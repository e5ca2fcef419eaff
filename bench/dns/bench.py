#!/usr/bin/env python3
"""Data for bench/dns/run.sh: the tuples, the same records as a zone file, the dnsperf
query mix, and the REST loader. Everything is deterministic (fixed seed), so every run
and every server sees the same zone and the same queries.

  bench.py zone SERIAL NS_ADDR      zone file on stdout (controller naming rules)
  bench.py queries N                dnsperf query file on stdout
  bench.py sample N                 dig batch file (a sample of every kind) on stdout
  bench.py load URL TOKEN           POSTs the zone and every tuple; prints the time taken

For bench/dns/policies.sh (the same zone under mapping rules):
  bench.py settings                 the account's settings file: failover, weighted and geo rules
  bench.py lua-zone SERIAL NS_ADDR  the zone with PowerDNS LUA records doing the same
"""
import http.client
import json
import os
import random
import sys
import time
import urllib.parse

ZONE = "hostdomain.com"
TTL = 60  # controller default (dns.ttl): every record and the SOA minimum
SERVICES = int(os.environ.get("BENCH_SERVICES", "1000"))  # smaller for a quick try-out
PER_SERVICE = 10

# The seed's tuples (DESIGN.md §1): service, transport, address, port, priority, weight.
SEED = [
    ("http", "tcp", "10.10.10.121", 80, 1, 100),
    ("http", "tcp", "10.10.10.122", 80, 1, 100),
    ("http", "tcp", "10.10.10.123", 8080, 2, 100),
    ("smtp", "tcp", "10.10.10.123", 23, 1, 100),
    ("smtp", "tcp", "10.10.10.124", 23, 2, 100),
]


def generated():
    """10,000 tuples: svc0000..svc0999 on tcp, 10 each, distinct addresses in 10.20.0.0/16."""
    out = []
    for s in range(SERVICES):
        for j in range(PER_SERVICE):
            n = s * PER_SERVICE + j + 1  # 10.20.0.1 .. 10.20.39.16
            addr = f"10.20.{n >> 8}.{n & 0xff}"
            out.append((f"svc{s:04d}", "tcp", addr, 8000 + j, j % 3 + 1, 10 * (j + 1)))
    return out


def tuples():
    return SEED + generated()


def target(addr):
    """controller/zone.cpp derived_target: ip4-A-B-C-D.ZONE."""
    return "ip4-" + addr.replace(".", "-") + "." + ZONE + "."


def zone_file(serial, ns_addr):
    apex = ZONE + "."
    lines = [
        f"$ORIGIN {apex}",
        f"$TTL {TTL}",
        # controller/zone.cpp make_soa: ns., hostmaster., serial, 3600 600 604800 ttl
        f"{apex} {TTL} IN SOA ns.{apex} hostmaster.{apex} {serial} 3600 600 604800 {TTL}",
        f"{apex} {TTL} IN NS ns.{apex}",
        f"ns.{apex} {TTL} IN A {ns_addr}",
    ]
    addrs = {}
    for svc, tr, addr, port, prio, weight in tuples():
        lines.append(f"_{svc}._{tr}.{apex} {TTL} IN SRV {prio} {weight} {port} {target(addr)}")
        addrs[target(addr)] = addr
    for name, addr in sorted(addrs.items()):
        lines.append(f"{name} {TTL} IN A {addr}")
    return "\n".join(lines) + "\n"


# --- the mapping rule set (bench/dns/policies.sh) -----------------------------------------
# Every third service fails over by priority, every third is weighted, the rest (and the
# seed's) are answered by region: queriers from 127.0.0.0/8 are in eu, those whose ECS is
# in 198.51.100.0/24 in us; servers alternate between the regions in blocks of 8 addresses.
US_NET = "198.51.100.0/24"
GEO_COUNT = 2


def strategy_of(svc):
    n = int(svc[3:])
    return ("failover", "weighted", "geo")[n % 3]


def region_of(addr):
    a, b, c, d = (int(x) for x in addr.split("."))
    return "us" if ((c << 8 | d) >> 3) % 2 else "eu"


def settings():
    out = ["# bench/dns/policies.sh: failover + weighted + geo", "[mapping]", f"ttl = {TTL}", "",
           "[regions.eu]", 'networks = ["127.0.0.0/8"]', 'near = ["us"]', "",
           "[regions.us]", f'networks = ["{US_NET}"]', 'near = ["eu"]', ""]
    for b in range((SERVICES * PER_SERVICE) // 8 + 1):
        n = b * 8
        out += [f'[servers."10.20.{n >> 8}.{n & 0xff}/29"]', f'region = "{"us" if b % 2 else "eu"}"']
    out += ["", "[[rule]]", 'name = "by-region"', f'domain = "{ZONE}"', 'strategy = "geo"', f"count = {GEO_COUNT}"]
    for s in range(SERVICES):
        svc = f"svc{s:04d}"
        st = strategy_of(svc)
        if st == "geo":
            continue
        out += ["", "[[rule]]", f'domain = "{ZONE}"', f'service = "{svc}"', f'strategy = "{st}"']
        if st == "weighted":
            n = s * PER_SERVICE + 1
            out.append(f'weights = {{ "10.20.{n >> 8}.{n & 0xff}" = 5 }}')
    return "\n".join(out) + "\n"


def lua_chunks(code):
    """A LUA record's code as quoted strings of at most 255 characters (zone file strings).
    PowerDNS joins them with a blank, so they are cut after commas (none of ours is inside
    a Lua string), where a blank changes nothing."""
    pieces = code.split(",")
    chunks, cur = [], ""
    for piece in [p + "," for p in pieces[:-1]] + pieces[-1:]:
        if cur and len(cur) + len(piece) > 250:
            chunks.append(cur)
            cur = ""
        cur += piece
    chunks.append(cur)
    return " ".join('"' + c + '"' for c in chunks)


def srv_text(t):
    svc, tr, addr, port, prio, weight = t
    return f"{prio} {weight} {port} {target(addr)}"


def lua_srv(svc, ts):
    """PowerDNS's counterpart of the rule for `svc`: ifportup on the best priority
    (failover), pickwrandom (weighted), netmask on bestwho, which is the ECS address when
    there is one (geo). Health is checked on 127.x.y.z standing for 10.x.y.z: the bench
    sends no traffic off loopback."""
    st = strategy_of(svc) if svc.startswith("svc") else "geo"
    if st == "failover":
        # PowerDNS 4.7's ifportup checks one set of addresses (sets of sets came later):
        # the best priority's, answering those up (all of them when none is)
        best = min(t[4] for t in ts)
        first = ",".join(f"'127{t[2][2:]}'" for t in ts if t[4] == best)
        table = ",".join(f"['127{t[2][2:]}']='{srv_text(t)}'" for t in ts if t[4] == best)
        code = (f";local R={{{table}}} local t={{}} for _,a in "
                f"ipairs(ifportup(8000,{{{first}}},{{selector='all',backupSelector='all'}})) do "
                f"t[#t+1]=R[tostring(a)] end return t")
    elif st == "weighted":
        best = min(t[4] for t in ts)
        picks = ",".join(f"{{{5 if i == 0 else t[5]},'{srv_text(t)}'}}" for i, t in enumerate(ts) if t[4] == best)
        code = f"pickwrandom({{{picks}}})"
    else:
        by = {"eu": [], "us": []}
        for t in ts:
            by[region_of(t[2])].append(f"'{srv_text(t)}'")
        us, eu = by["us"] or by["eu"], by["eu"] or by["us"]
        code = (f";if netmask({{'{US_NET}'}}) then return {{{','.join(us[:GEO_COUNT])}}} "
                f"else return {{{','.join(eu[:GEO_COUNT])}}} end")
    return f"_{svc}._tcp.{ZONE}. {TTL} IN LUA SRV {lua_chunks(code)}"


def lua_zone(serial, ns_addr):
    """zone_file(), with every SRV RRset a LUA record."""
    static = [l for l in zone_file(serial, ns_addr).splitlines() if " IN SRV " not in l]
    by_svc = {}
    for t in tuples():
        by_svc.setdefault(t[0], []).append(t)
    return "\n".join(static + [lua_srv(svc, ts) for svc, ts in by_svc.items()]) + "\n"


def kinds(rng):
    """One query of each kind, drawn at random: (kind, name, type)."""
    gen = generated()
    seed_svcs = ["http", "smtp"]
    all_addrs = [t[2] for t in SEED[:4]] + [t[2] for t in gen]

    def srv_hit():
        if rng.random() < 0.01:
            return f"_{rng.choice(seed_svcs)}._tcp.{ZONE}", "SRV"
        return f"_svc{rng.randrange(SERVICES):04d}._tcp.{ZONE}", "SRV"

    def a_hit():
        return target(rng.choice(all_addrs)).rstrip("."), "A"

    def nxdomain():
        r = rng.random()
        if r < 0.4:  # a service that does not exist
            return f"_svc{rng.randrange(SERVICES, 10000):04d}._tcp.{ZONE}", "SRV"
        if r < 0.8:  # an address that has no tuple
            return f"ip4-10-30-{rng.randrange(256)}-{rng.randrange(256)}.{ZONE}", "A"
        return f"www{rng.randrange(1000)}.{ZONE}", "A"

    def nodata():
        r = rng.random()
        if r < 0.5:  # an IPv4-only target asked for AAAA
            return target(rng.choice(all_addrs)).rstrip("."), "AAAA"
        if r < 0.8:  # an SRV owner asked for A
            return f"_svc{rng.randrange(SERVICES):04d}._tcp.{ZONE}", "A"
        if r < 0.9:  # the empty non-terminal
            return f"_tcp.{ZONE}", "SRV"
        return ZONE, "TXT"

    return {"srv": srv_hit, "a": a_hit, "nxdomain": nxdomain, "nodata": nodata}


MIX = [("srv", 40), ("a", 30), ("nxdomain", 15), ("nodata", 15)]


def queries(n, seed=2782):
    rng = random.Random(seed)
    k = kinds(rng)
    out = []
    for kind, pct in MIX:
        out += [k[kind]() for _ in range(n * pct // 100)]
    rng.shuffle(out)
    return out


def load(url, token, keepalive=False, limit=None):
    u = urllib.parse.urlsplit(url)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = None

    def post(path, body):
        nonlocal conn
        for attempt in range(3):  # a closed keep-alive connection: reconnect, resend
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
                conn.request("POST", path, json.dumps(body), headers)
                r = conn.getresponse()
                data = r.read()
                if not keepalive or r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
                if r.status not in (200, 201):
                    sys.exit(f"POST {path} {body}: HTTP {r.status} {data!r}")
                return
            except (http.client.HTTPException, ConnectionError):
                if conn:
                    conn.close()
                conn = None
                if attempt == 2:
                    raise

    start = time.monotonic()
    post("/v1/zones", {"name": ZONE})
    ts = tuples()[:limit]
    step = max(1, len(ts) // 10)
    last, last_i = start, 0
    for i, (svc, tr, addr, port, prio, weight) in enumerate(ts, 1):
        post(f"/v1/zones/{ZONE}/tuples", {"service": svc, "transport": tr, "address": addr,
                                          "port": port, "priority": prio, "weight": weight})
        if i % step == 0 or i == len(ts):  # the rate as the zone grows
            now = time.monotonic()
            print(f"  {i:6d} tuples  {now - start:6.1f} s  ({(i - last_i) / (now - last):6.0f} tuples/s "
                  f"for the last {i - last_i})", flush=True)
            last, last_i = now, i
    total = time.monotonic() - start
    print(f"loaded {len(ts)} tuples over REST in {total:.1f} s ({len(ts) / total:.0f} tuples/s "
          f"on average, one POST per tuple, a new connection each)")


def main():
    cmd = sys.argv[1]
    if cmd == "zone":
        sys.stdout.write(zone_file(int(sys.argv[2]), sys.argv[3]))
    elif cmd == "queries":
        for name, qtype in queries(int(sys.argv[2])):
            print(name, qtype)
    elif cmd == "sample":
        n = int(sys.argv[2])
        rng = random.Random(1996)
        k = kinds(rng)
        picks = [k[kind]() for kind, pct in MIX for _ in range(n * pct // 100)]
        picks += [(f"_http._tcp.{ZONE}", "SRV"), (f"_smtp._tcp.{ZONE}", "SRV"), (ZONE, "SOA"),
                  (ZONE, "NS"), (f"ns.{ZONE}", "A"), (f"_svc0999._tcp.{ZONE}", "SRV"),
                  (f"ip4-10-10-10-125.{ZONE}", "A"), (f"ip4-10-10-10-121.{ZONE}", "A")]
        for name, qtype in dict.fromkeys(picks):  # each question once
            print(name, qtype)
    elif cmd == "settings":
        sys.stdout.write(settings())
    elif cmd == "check-region":
        # dig +short SRV lines on stdin: every target must be a server of region argv[2]
        got = [l.split()[3] for l in sys.stdin if l.strip()]
        addrs = [t[len("ip4-"):-len("." + ZONE + ".")].replace("-", ".") for t in got]
        wrong = [a for a in addrs if region_of(a) != sys.argv[2]]
        if not addrs or wrong:
            sys.exit(f"expected servers of region {sys.argv[2]}, got {addrs or 'none'}")
    elif cmd == "lua-zone":
        sys.stdout.write(lua_zone(int(sys.argv[2]), sys.argv[3]))
    elif cmd == "load":
        load(sys.argv[2], sys.argv[3], "keepalive" in sys.argv[4:],
             int(sys.argv[5]) if len(sys.argv) > 5 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
