#!/bin/bash
# The agent's health reports, end to end on loopback without systemd (--dry-run): a --dev
# controller serves the zone, a fake controller in python takes POST /v1/reports.
#   1. the placed instance is reported with its tcp probe ok;
#   2. its service dies ⇒ a report with the probe failing comes within ~1 s;
#   3. the reports endpoint answers 503 ⇒ reports are spooled on disk; the agent is
#      restarted meanwhile; once the endpoint answers 200 again, every spooled report of
#      the first run arrives, in order, with no gap, before those of the second.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
AGENT=$BUILD/agent/patchbay-agent
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }

start_controller
"$PB" zone add hostdomain.com >/dev/null
svc_port=$(free_port)
fake_port=$(free_port)
metrics_port=$(free_port)
"$PB" tuple add hostdomain.com web tcp 127.0.0.1 "$svc_port" >/dev/null

# The service: a TCP listener, until killed.
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $svc_port)); s.listen(64)
while True: time.sleep(1)
" &
svc_pid=$!

# The fake controller: one JSON line per report received; 503 while $work/down exists.
cat >"$work/fake.py" <<'PY'
import http.server, json, os, sys
work, port = sys.argv[1], int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        status, out = 200, {"accepted": 0, "duplicates": 0}
        if self.path == "/v1/reports":
            if os.path.exists(work + "/down"):
                status = 503
            else:
                with open(work + "/reports.jsonl", "a") as f:
                    for r in body["reports"]:
                        f.write(json.dumps(r) + "\n")
                out["accepted"] = len(body["reports"])
        data = json.dumps(out).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
python3 "$work/fake.py" "$work" "$fake_port" &
fake_pid=$!
agent_pid=
stop_all() {
  for p in $agent_pid $fake_pid $svc_pid; do { kill "$p" && wait "$p"; } 2>/dev/null || true; done
  cleanup
}
trap stop_all EXIT

cat >"$work/agent.toml" <<TOML
[agent]
name = "h-reports"
domains = ["hostdomain.com"]
resolvers = ["127.0.0.1:$dns_port"]
notify_listen = ""
controller = "http://127.0.0.1:$fake_port"
spool_dir = "$work/spool"
report_seconds = 1
metrics_listen = "127.0.0.1:$metrics_port"
[services.web]
unit = "patchbay-web@.service"
transports = ["tcp"]
[services.web.probe]
kind = "tcp"
interval_ms = 200
timeout_ms = 150
TOML
start_agent() {
  "$AGENT" --config "$work/agent.toml" --dry-run 2>>"$work/agent.log" >/dev/null &
  agent_pid=$!
}

# last_probe — "ok", "failed: ERROR" or "none" for the newest report's instance.
last_probe() {
  python3 - "$work/reports.jsonl" <<'PY'
import json, sys
try:
    lines = open(sys.argv[1]).read().splitlines()
except FileNotFoundError:
    lines = []
for line in reversed(lines):
    r = json.loads(line)
    for i in r["instances"]:
        p = i.get("probe")
        if p:
            print("ok" if p["ok"] else "failed: " + p.get("error", ""))
            sys.exit(0)
print("none")
PY
}
probe_is() { [[ "$(last_probe)" == $1* ]]; }

start_agent
wait_until 10 probe_is ok || { tail "$work/agent.log"; die "no report with the probe ok"; }
ok "the placed instance is reported, its tcp probe ok"
# metric NAME — its value on the agent's /metrics (empty when absent).
metric() { curl -sf --max-time 2 "http://127.0.0.1:$metrics_port/metrics" | awk -v n="$1" '$1 == n {print $2}'; }
delivered_some() { [ "$(metric 'patchbay_agent_reports_total{result="delivered"}')" -ge 1 ] 2>/dev/null; }
wait_until 5 delivered_some || die "agent /metrics: no delivered reports counted: $(curl -s "http://127.0.0.1:$metrics_port/metrics")"
expect_eq "agent /metrics: instances placed" 1 "$(metric patchbay_agent_instances)"
ok "the agent's /metrics counts its reports ($(metric 'patchbay_agent_reports_total{result="made"}') made) and its instances"
instance=$(grep '"instances": \[{' "$work/reports.jsonl" | tail -1 | python3 -c '
import json, sys; i = json.loads(sys.stdin.readline())["instances"][0]
print(i["domain"], i["service"], i["transport"], i["address"], i["port"], i["unit"])')
expect_eq "the instance as reported" \
  "hostdomain.com web tcp 127.0.0.1 $svc_port patchbay-web@127.0.0.1:$svc_port-tcp.service" "$instance"

kill "$svc_pid"; wait "$svc_pid" 2>/dev/null || true; svc_pid=
start=$(date +%s%N)
wait_until 5 probe_is "failed" || die "the dead service was not reported"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 1500 ] || die "the dead service took $ms ms to be reported"
ok "the dead service is reported in $ms ms: $(last_probe)"

touch "$work/down"
sleep 2.5
kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true
spooled=$(ls "$work/spool" | wc -l)
[ "$spooled" -ge 2 ] || die "expected spooled reports while the endpoint answers 503, found $spooled"
ok "$spooled reports spooled while the controller answered 503"
start_agent
sleep 1.5
rm "$work/down"
wait_until 10 bash -c "[ -z \"\$(ls '$work/spool')\" ]" || die "the spool was not delivered: $(ls "$work/spool" | wc -l) left"
ok "the spool is delivered once the controller is back"

verdict=$(python3 - "$work/reports.jsonl" <<'PY'
import json, sys
boots, order = {}, []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["boot"] not in boots:
        boots[r["boot"]] = []
        order.append(r["boot"])
    boots[r["boot"]].append(r["seq"])
first, second = (boots[b] for b in order[:2])
ok = first == list(range(1, len(first) + 1)) and second == list(range(1, len(second) + 1))
# Everything of the first run arrived before anything of the second.
seen = [json.loads(l)["boot"] for l in open(sys.argv[1])]
ok = ok and seen.index(order[1]) > max(i for i, b in enumerate(seen) if b == order[0])
print("in order" if ok else "out of order: %s" % boots)
PY
)
expect_eq "every report of both runs, in order, none missing" "in order" "$verdict"
echo "passed $pb_pass checks"
