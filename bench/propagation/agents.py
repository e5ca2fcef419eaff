#!/usr/bin/env python3
"""bench/propagation, the many-agents part: N patchbay-agent processes in --dry-run mode
on loopback, each registered with the controller (so each gets its own NOTIFY) and each
placing 127.0.0.1's tuples (every agent has that address). Each round adds one tuple with
the CLI and times, per agent, until the agent prints the plan that starts it
(--output json; a thread stamps each line as it arrives): from the CLI returning (0 when
the plan came first: the controller NOTIFYs before it answers) and from the CLI being
started. Prints "samples median p99 max median_from_start p99_from_start missed" (ms).

usage: agents.py N ROUNDS BUILD CONTROLLER_URL TOKEN DNS_PORT WORKDIR
"""
import json
import os
import queue
import selectors
import socket
import subprocess
import sys
import threading
import time
import urllib.request


def free_port():
    # Free for UDP and TCP alike: the NOTIFY listener binds both.
    for _ in range(200):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            pass
        finally:
            t.close()
            u.close()
    raise SystemExit("no free port")


def agents_registered(url, token):
    req = urllib.request.Request(url + "/v1/agents", headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=5) as r:
        return len(json.load(r))


def main():
    n, rounds, build, url, token, dns_port, work = sys.argv[1:8]
    n, rounds = int(n), int(rounds)
    zone = "prop.example"
    cli = [os.path.join(build, "cli/patchbay"), "--controller", url, "--token", token]
    subprocess.run(cli + ["zone", "add", zone], check=True, stdout=subprocess.DEVNULL)
    token_file = os.path.join(work, "agent.token")
    with open(token_file, "w") as f:
        f.write(token + "\n")
    procs = []
    sel = selectors.DefaultSelector()
    for i in range(n):
        cfg = os.path.join(work, f"agent-{i}.toml")
        with open(cfg, "w") as f:
            f.write(f"""[agent]
name = "bench-{i}"
domains = ["{zone}"]
resolvers = ["127.0.0.1:{dns_port}"]
notify_listen = "127.0.0.1:{free_port()}"
controller = "{url}"
token_file = "{token_file}"
poll_seconds = 30
idle_poll_seconds = 30
report_seconds = 30
spool_dir = "{work}/spool-{i}"
state_file = ""
env_dir = "{work}/env"
[services.http]
unit = "patchbay-http@.service"
transports = ["tcp"]
""")
        p = subprocess.Popen([os.path.join(build, "agent/patchbay-agent"), "--config", cfg, "--dry-run",
                              "--output", "json"], stdout=subprocess.PIPE, stderr=open(cfg + ".log", "w"),
                             bufsize=0)
        os.set_blocking(p.stdout.fileno(), False)
        sel.register(p.stdout, selectors.EVENT_READ, i)
        procs.append(p)
    try:
        deadline = time.monotonic() + 60
        while agents_registered(url, token) < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {agents_registered(url, token)} of {n} agents registered in 60 s")
            time.sleep(0.2)
        time.sleep(1)  # every agent's first refresh done
        lines = queue.Queue()  # (agent, monotonic ns when read, plan)
        stop = threading.Event()

        def read_all():
            buffers = [b""] * n
            while not stop.is_set():
                for key, _ in sel.select(timeout=0.2):
                    chunk = key.fileobj.read()
                    now = time.monotonic_ns()
                    if not chunk:
                        continue
                    i = key.data
                    buffers[i] += chunk
                    *complete, buffers[i] = buffers[i].split(b"\n")
                    for line in complete:
                        try:
                            lines.put((i, now, json.loads(line)))
                        except ValueError:
                            pass

        reader = threading.Thread(target=read_all, daemon=True)
        reader.start()
        samples, from_start, missed = [], [], 0
        for r in range(rounds):
            port = 20000 + r
            unit = f":{port}-tcp.service"
            seen = {}
            t_start = time.monotonic_ns()
            subprocess.run(cli + ["tuple", "add", zone, "http", "tcp", "127.0.0.1", str(port)], check=True,
                           stdout=subprocess.DEVNULL)
            t_return = time.monotonic_ns()
            end = time.monotonic() + 10
            while len(seen) < n and time.monotonic() < end:
                try:
                    i, at, plan = lines.get(timeout=0.5)
                except queue.Empty:
                    continue
                if i not in seen and any(unit in a.get("unit", "") for a in plan.get("start", [])):
                    seen[i] = at
            samples += [max(0, at - t_return) / 1e6 for at in seen.values()]
            from_start += [(at - t_start) / 1e6 for at in seen.values()]
            missed += n - len(seen)
            subprocess.run(cli + ["tuple", "rm", zone, "http", "tcp", "127.0.0.1", str(port)], check=True,
                           stdout=subprocess.DEVNULL)
            time.sleep(0.3)
        stop.set()
        if not samples:
            raise SystemExit("no agent ever placed a tuple")

        def pct(values, q):
            values = sorted(values)
            return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]

        print(len(samples), f"{pct(samples, 0.5):.1f}", f"{pct(samples, 0.99):.1f}", f"{max(samples):.1f}",
              f"{pct(from_start, 0.5):.1f}", f"{pct(from_start, 0.99):.1f}", missed)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
