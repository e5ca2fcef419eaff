#!/bin/bash
# A real controller with [[alert]] policies: `patchbay alert test` delivers the alert
# JSON to a webhook receiver run here (python3 http.server) and an e-mail to an SMTP
# server run here (python3 smtpd), reports a dead channel
# and exits 1, refuses an unknown policy; GET /metrics answers Prometheus text that a
# strict line parser accepts, with the alert and NOTIFY families in it.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"

hook_port=$(free_port)
dead_port=$(free_port)
smtp_port=$(free_port)
cat >"$work/receiver.py" <<'PY'
import http.server, sys
out = sys.argv[2]
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "ab") as f:
            f.write(self.headers.get("Content-Type", "").encode() + b"\t" + body + b"\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
python3 "$work/receiver.py" "$hook_port" "$work/hooks" &
hook_pid=$!
# An SMTP server (python3's smtpd, deprecated but in Debian 12's 3.11) that writes each
# envelope and message to a file.
cat >"$work/smtp.py" <<'PY'
import asyncore, json, smtpd, sys, warnings
warnings.simplefilter("ignore")
class Sink(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kw):
        with open(sys.argv[2], "a") as f:
            f.write(json.dumps({"from": mailfrom, "to": rcpttos, "data": data.decode()}) + "\n")
Sink(("127.0.0.1", int(sys.argv[1])), None, decode_data=False)
asyncore.loop()
PY
python3 -W ignore "$work/smtp.py" "$smtp_port" "$work/mails" &
smtp_pid=$!
trap 'kill $hook_pid $smtp_pid 2>/dev/null; cleanup' EXIT
wait_until 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$hook_port" || die "webhook receiver did not start"
wait_until 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$smtp_port" || die "SMTP receiver did not start"

cat >"$work/controller.toml" <<EOF_TOML
[[alert]]
name = "ops"
states = ["warning", "down"]
webhook = "http://127.0.0.1:$hook_port/hook"

[[alert]]
name = "mail"
email = { smtp = "smtp://127.0.0.1:$smtp_port", from = "patchbay@example.com", to = ["noc@example.com", "ops@example.com"] }

[[alert]]
name = "dead"
servers = ["edge-*"]
webhook = "http://127.0.0.1:$dead_port/nobody"
command = ["/bin/true"]
EOF_TOML
ctl_args=(--config "$work/controller.toml")
start_controller

out=$("$PB" alert test ops)
expect_contains "alert test ops prints the channel's result" "ops     webhook  ok" "$out"
wait_until 5 test -s "$work/hooks" || die "the webhook receiver got nothing"
line=$(head -n1 "$work/hooks")
expect_eq "webhook Content-Type" "application/json" "${line%%$'\t'*}"
json=${line#*$'\t'}
expect_eq "webhook JSON: kind, policy, server, state" "test ops patchbay-test down" \
  "$(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(j["kind"], j["policy"], j["server"], j["state"])' "$json")"
expect_eq "webhook JSON: every field" "instance kind policy reason server since since_ms state" \
  "$(python3 -c 'import json,sys; print(" ".join(sorted(json.loads(sys.argv[1]))))' "$json")"

out=$("$PB" alert test mail)
expect_contains "alert test mail: the e-mail went out" "mail    email    ok" "$out"
wait_until 5 test -s "$work/mails" || die "the SMTP receiver got nothing"
expect_eq "SMTP envelope" "patchbay@example.com noc@example.com,ops@example.com" \
  "$(python3 -c 'import json,sys; m=json.loads(open(sys.argv[1]).readline()); print(m["from"], ",".join(m["to"]))' "$work/mails")"
expect_eq "an RFC 5322 message: its headers parse and say what they should" \
  "noc@example.com, ops@example.com|[patchbay] TEST down: patchbay-test|True|True|test" \
  "$(python3 -c '
import email, email.utils, json, sys
m = json.loads(open(sys.argv[1]).readline())
msg = email.message_from_string(m["data"])
body = msg.get_payload()
print(msg["To"], msg["Subject"], email.utils.parsedate_to_datetime(msg["Date"]) is not None,
      msg["Message-ID"].endswith("@example.com>"), json.loads(body[body.index("{"):])["kind"], sep="|")' "$work/mails")"

expect_exit "alert test with a dead channel exits 1" 1 "$PB" alert test
out=$("$PB" alert test 2>/dev/null || true)
expect_contains "the dead webhook is reported failed" "dead    webhook  failed: webhook:" "$out"
expect_contains "the command channel is reported ok" "dead    command  ok" "$out"
expect_eq "each test of every policy reached the receiver" 3 "$(wc -l <"$work/hooks")"
expect_eq "and the mail server" 3 "$(wc -l <"$work/mails")"
json_out=$("$PB" --output json alert test dead 2>/dev/null || true)
expect_eq "--output json has the results" "False webhook False command True" \
  "$(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(j["ok"], *[r["channel"] + " " + str(r["ok"]) for r in j["results"]])' "$json_out")"

expect_exit "unknown policy is 404" 3 "$PB" alert test nope
expect_contains "and says so" "no alert policy named 'nope'" "$pb_err"
expect_exit "too many arguments" 2 "$PB" alert test a b

# /metrics: bearer auth, Prometheus text 0.0.4 that a strict parser accepts.
expect_eq "/metrics needs the token" 401 \
  "$(curl -s -o /dev/null -w '%{http_code}' "$PATCHBAY_CONTROLLER/metrics")"
curl -sf -D "$work/headers" -H "Authorization: Bearer $PATCHBAY_TOKEN" "$PATCHBAY_CONTROLLER/metrics" >"$work/metrics"
expect_contains "content type" "Content-Type: text/plain; version=0.0.4" "$(tr -d '\r' <"$work/headers")"
cat >"$work/parse_metrics.py" <<'PY'
# Strict Prometheus text format 0.0.4 line parser: every line is HELP, TYPE or a sample
# of the family its TYPE announced; label values well escaped; values are floats.
import re, sys
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(rf"^({name})(\{{{label}(?:,{label})*\}})? (\S+)$")
help_ = re.compile(rf"^# HELP ({name}) .*$")
type_ = re.compile(rf"^# TYPE ({name}) (counter|gauge|histogram|summary|untyped)$")
text = open(sys.argv[1]).read()
assert text.endswith("\n"), "no final newline"
typed, helped, samples = {}, set(), {}
for n, line in enumerate(text[:-1].split("\n"), 1):
    if m := help_.match(line):
        assert m[1] not in helped, f"line {n}: second HELP for {m[1]}"
        helped.add(m[1])
    elif m := type_.match(line):
        assert m[1] not in typed, f"line {n}: second TYPE for {m[1]}"
        typed[m[1]] = m[2]
    elif m := sample.match(line):
        assert m[1] in typed, f"line {n}: sample of {m[1]} before its TYPE"
        float(m[3]) if m[3] not in ("NaN", "+Inf", "-Inf") else None
        samples[m[1] + (m[2] or "")] = m[3]
    else:
        raise SystemExit(f"line {n}: not Prometheus text: {line!r}")
for key in sys.argv[2:]:
    print(key, samples.get(key, "missing"))
PY
parsed=$(python3 "$work/parse_metrics.py" "$work/metrics" 'patchbay_alerts_sent_total{channel="email"}' \
  'patchbay_alerts_sent_total{channel="webhook"}' 'patchbay_alerts_failed_total{channel="webhook"}' \
  'patchbay_alerts_sent_total{channel="command"}' 'patchbay_notify_total{result="answered"}') \
  || { cat "$work/metrics"; die "/metrics is not strict Prometheus text"; }
expect_eq "/metrics parses; alert counts by channel; NOTIFY family present" \
'patchbay_alerts_sent_total{channel="email"} 3
patchbay_alerts_sent_total{channel="webhook"} 3
patchbay_alerts_failed_total{channel="webhook"} 3
patchbay_alerts_sent_total{channel="command"} 3
patchbay_notify_total{result="answered"} 0' "$parsed"

echo "alerts: $pb_pass checks passed"
