#!/bin/bash
# The watchdog against a real controller: health reports POSTed with curl and python move
# servers up and down in `patchbay servers ls` / `server show`; duplicates are ignored; a
# burst over several connections is counted whole; a silent server goes down by itself;
# history survives SIGKILL; bad bodies are refused naming the field.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"

cat >"$work/controller.toml" <<'TOML'
[health]
heartbeat_timeout_seconds = 2
TOML
ctl_args=(--config "$work/controller.toml")
start_controller

# report AGENT SEQ ACTIVE_STATE [PROBE_OK STREAK] [BOOT] — one report as JSON
report() {
  local probe=""
  [ -n "${4:-}" ] && probe=", \"probe\": {\"kind\": \"http\", \"ok\": $4, \"latency_ms\": 3, \"streak\": $5$([ "$4" = false ] && echo ', "error": "connection refused"')}"
  printf '{"agent": "%s", "boot": "%s", "seq": %s, "at_ms": %s, "serials": {"hostdomain.com": 3},
    "host": {"load1": 0.1, "cpu": 0.2, "memory": 0.3},
    "instances": [{"domain": "hostdomain.com", "service": "http", "transport": "tcp", "address": "10.10.10.121",
      "port": 80, "unit": "patchbay-http@10.10.10.121:80.service", "active_state": "%s"%s}]}' \
    "$1" "${6:-b1}" "$2" "$(date +%s%3N)" "$3" "$probe"
}
post() {  # post BODY — prints the HTTP status, the answer goes to $work/answer
  curl -s -o "$work/answer" -w '%{http_code}' -H "Authorization: Bearer $PATCHBAY_TOKEN" \
    -H 'Content-Type: application/json' --data-binary "$1" "$PATCHBAY_CONTROLLER/v1/reports"
}
row_of() { "$PB" servers ls | awk -v s="$1" '$1 == s {print $2}'; }
field() { "$PB" server show "$1" --output json | python3 -c "import json,sys; print(json.load(sys.stdin)$2)"; }

expect_eq "first report" 200 "$(post "{\"reports\": [$(report h1 1 active true 2)]}")"
expect_eq "... acknowledged" '{"accepted":1,"duplicates":0}' "$(cat "$work/answer")"
expect_eq "h1 up" up "$(row_of h1)"
expect_contains "servers ls has the header" "SERVER  STATE  SINCE  LAST-REPORT  INSTANCES" "$("$PB" servers ls)"

post "{\"reports\": [$(report h1 2 active false 1)]}" >/dev/null
expect_eq "one failed probe: still up" up "$(row_of h1)"
post "{\"reports\": [$(report h1 3 active false 2)]}" >/dev/null
expect_eq "two failed probes in a row: down" down "$(row_of h1)"
show=$("$PB" server show h1)
expect_contains "server show says why" "probe http: connection refused (2 in a row)" "$show"
expect_contains "server show lists the change" "up -> down" "$(grep -F '(server)' <<<"$show")"
expect_eq "instance state in JSON" down "$(field h1 "['instances'][0]['state']")"
expect_eq "serials in JSON" 3 "$(field h1 "['serials']['hostdomain.com']")"

# The same report again (a retry whose answer was lost) is acknowledged and ignored.
expect_eq "duplicate acknowledged" 200 "$(post "{\"reports\": [$(report h1 3 active true 9)]}")"
expect_eq "... as a duplicate" '{"accepted":0,"duplicates":1}' "$(cat "$work/answer")"
expect_eq "... changing nothing" down "$(row_of h1)"
expect_eq "reports counted once" 3 "$(field h1 "['reports']")"
# A restarted agent (new boot) starts its sequence over.
post "{\"reports\": [$(report h1 1 active true 2 b2)]}" >/dev/null
expect_eq "new boot: seq 1 accepted, back up" up "$(row_of h1)"
post "{\"reports\": [$(report h1 2 failed "" "" b2)]}" >/dev/null
expect_eq "systemd failed: down at once" down "$(row_of h1)"

# A burst of 2,000 reports: 4 agents, each over its own kept-alive connection, all at once.
python3 - "$PATCHBAY_CONTROLLER" "$PATCHBAY_TOKEN" <<'PY'
import http.client, json, sys, threading, urllib.parse
url, token = urllib.parse.urlparse(sys.argv[1]), sys.argv[2]
errors = []
def agent(n):
    c = http.client.HTTPConnection(url.hostname, url.port)
    for seq in range(1, 501):
        body = json.dumps({"reports": [{"agent": f"burst-{n}", "boot": "b", "seq": seq, "at_ms": 1,
                                        "instances": [{"domain": "hostdomain.com", "service": "http",
                                                       "transport": "tcp", "address": f"10.0.{n}.1", "port": 80,
                                                       "active_state": "active"}]}]})
        c.request("POST", "/v1/reports", body, {"Authorization": "Bearer " + token})
        r = c.getresponse()
        answer = r.read()
        if r.status != 200 or json.loads(answer)["accepted"] != 1:
            errors.append((n, seq, r.status, answer))
threads = [threading.Thread(target=agent, args=(n,)) for n in range(4)]
for t in threads: t.start()
for t in threads: t.join()
if errors: sys.exit(f"burst: {len(errors)} failed, first {errors[0]}")
PY
total=$("$PB" servers ls --output json | python3 -c \
  'import json,sys; print(sum(s["reports"] for s in json.load(sys.stdin) if s["name"].startswith("burst-")))')
expect_eq "burst: every report counted" 2000 "$total"

# A server that stops reporting is down after heartbeat_timeout_seconds (2 s here).
post "{\"reports\": [$(report h2 1 active)]}" >/dev/null
expect_eq "h2 up" up "$(row_of h2)"
wait_until 6 bash -c "[ \"\$('$PB' servers ls | awk '\$1 == \"h2\" {print \$2}')\" = down ]" || die "h2 never went down"
ok "silent h2 goes down by itself"
expect_contains "... saying why" "no report for 2 s" "$("$PB" server show h2)"
expect_eq "... its instance too" down "$(field h2 "['instances'][0]['state']")"

# SIGKILL, restart: states, changes and counters (flushed each second) are still there.
sleep 1.5
before_changes=$(field h1 "['changes']")
kill -9 "$ctl_pid"; wait "$ctl_pid" 2>/dev/null || true; ctl_pid=
start_controller
expect_eq "h1 still down after a crash" down "$("$PB" servers ls | awk '$1 == "h1" {print $2}')"
expect_eq "h1's changes kept" "$before_changes" "$(field h1 "['changes']")"
expect_eq "burst counts kept" 500 "$(field burst-0 "['reports']")"
expect_contains "blocks listed" "'state': 'down'" "$(field h1 "['blocks']")"

# Bad bodies: 400 naming the field, nothing stored.
expect_eq "broken JSON" 400 "$(post '{"reports": [')"
expect_contains "... says so" "not valid JSON" "$(cat "$work/answer")"
expect_eq "seq 0" 400 "$(post "{\"reports\": [$(report h1 9 active | sed 's/"seq": 9/"seq": 0/')]}")"
expect_contains "... names the field" "reports[0].seq: must be 1 or more" "$(cat "$work/answer")"
bad_port=$(report h3 1 active | sed 's/"port": 80/"port": 70000/')
expect_eq "bad port in the second report" 400 "$(post "{\"reports\": [$(report h3 1 active), $bad_port]}")"
expect_contains "... names its path" "reports[1].instances[0].port" "$(cat "$work/answer")"
expect_exit "nothing of that batch stored" 3 "$PB" server show h3
expect_exit "unknown server" 3 "$PB" server show nobody
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary "{\"reports\": []}" "$PATCHBAY_CONTROLLER/v1/reports")
expect_eq "reports need the token" 401 "$code"
echo "$pb_pass passed, 0 failed"
