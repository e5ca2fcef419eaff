#!/bin/bash
# Accounts' own [health] and [[alert]] (issue 5, docs/policies.md) against a real
# controller: accounts a and b each PUT a settings file with a webhook policy, a also a
# [health] with down_after = 1 (the controller's is 3). One host reports an instance of
# each; one failed probe takes a's instance down and leaves b's up. a's webhook hears its
# instance and the server, b's only the server (it hosts b's instance too), the
# controller config's policy everything; a [health] key that is the controller's alone
# is refused naming its place; /metrics counts the accounts' open alerts; an
# account-admin tests its own account's policies (`alert test`), never another's.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"

hook_port=$(free_port)
cat >"$work/receiver.py" <<'PY'
import http.server, sys
out = sys.argv[2]
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "ab") as f:
            f.write(self.path.encode() + b"\t" + body + b"\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
touch "$work/hooks"
python3 "$work/receiver.py" "$hook_port" "$work/hooks" &
hook_pid=$!
trap 'kill $hook_pid 2>/dev/null; cleanup' EXIT
wait_until 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$hook_port" || die "webhook receiver did not start"
hook() { echo "http://127.0.0.1:$hook_port/$1"; }

cat >"$work/controller.toml" <<EOF_TOML
[health]
down_after = 3
heartbeat_timeout_seconds = 300

[[alert]]
name = "noc"
webhook = "$(hook noc)"
EOF_TOML
ctl_args=(--config "$work/controller.toml")
start_controller

call() {  # call METHOD PATH [BODY] — prints the HTTP status, the answer goes to $work/answer
  local args=(-s -o "$work/answer" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $PATCHBAY_TOKEN")
  [ -z "${3:-}" ] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
  curl "${args[@]}" "$PATCHBAY_CONTROLLER$2"
}
put_settings() {  # put_settings ACCOUNT FILE TEXT — prints the HTTP status
  call PUT "/v1/accounts/$1/settings" "$(jq -n --arg text "$3" --arg file "$2" '{text: $text, file: $file}')"
}

for a in a b; do
  "$PB" account add "$a" >/dev/null
  "$PB" zone add "$a.example" --account "$a" >/dev/null
done

status=$(put_settings a a.toml "[health]
down_after = 1

[[alert]]
name = \"pager\"
webhook = \"$(hook a)\"
")
expect_eq "a's settings stored" 200 "$status"
expect_eq "b's settings stored" 200 "$(put_settings b b.toml "[[alert]]
name = \"pager\"
webhook = \"$(hook b)\"
")"
expect_eq "a [health] key of the controller's alone is refused" 400 \
  "$(put_settings a a.toml $'[health]\nperiod_seconds = 10\n')"
expect_contains "... naming its place and why" \
  "a.toml:2:18: health.period_seconds is the controller's alone" "$(cat "$work/answer")"

# report SEQ OK STREAK — host h1 with one http instance of a.example and one of b.example
report() {
  local probe="\"probe\": {\"kind\": \"http\", \"ok\": $2, \"latency_ms\": 3, \"streak\": $3$([ "$2" = false ] && echo ', "error": "connection refused"')}"
  local inst='{"domain": "%s.example", "service": "http", "transport": "tcp", "address": "%s", "port": 80,
      "unit": "patchbay-http@%s:80.service", "active_state": "active", %s}'
  printf '{"reports": [{"agent": "h1", "boot": "b1", "seq": %s, "at_ms": %s, "serials": {},
    "host": {"load1": 0.1, "cpu": 0.2, "memory": 0.3}, "instances": [%s, %s]}]}' \
    "$1" "$(date +%s%3N)" \
    "$(printf "$inst" a 10.0.0.1 10.0.0.1 "$probe")" "$(printf "$inst" b 10.0.0.2 10.0.0.2 "$probe")"
}
state_of() {  # state_of DOMAIN — the state of h1's instance of DOMAIN
  "$PB" server show h1 --output json |
    jq -r --arg d "$1" '.instances[] | select(.domain == $d) | .state'
}
hooks_at() { awk -F'\t' -v p="/$1" '$1 == p {print $2}' "$work/hooks"; }

expect_eq "report 1" 200 "$(call POST /v1/reports "$(report 1 true 2)")"
expect_eq "a's instance up" up "$(state_of a.example)"
expect_eq "b's instance up" up "$(state_of b.example)"
expect_eq "report 2: one failed probe of each" 200 "$(call POST /v1/reports "$(report 2 false 1)")"
expect_eq "a's instance down after a's down_after = 1" down "$(state_of a.example)"
expect_eq "b's instance kept by the controller's down_after = 3" up "$(state_of b.example)"

wait_until 10 bash -c "[ \$(awk -F'\t' '\$1 == \"/noc\"' '$work/hooks' | wc -l) -ge 2 ] &&
  [ \$(awk -F'\t' '\$1 == \"/a\"' '$work/hooks' | wc -l) -ge 2 ] &&
  [ \$(awk -F'\t' '\$1 == \"/b\"' '$work/hooks' | wc -l) -ge 1 ]" ||
  { cat "$work/hooks"; die "the webhooks did not all hear the changes"; }
sleep 1  # anything more would be a message too many
summary() { hooks_at "$1" | jq -r '[.kind, .account // "-", .server, (.instance.domain // "server")] | join(" ")'; }
expect_eq "a's policy: its instance and the server hosting it" \
"alert a h1 a.example
alert a h1 server" "$(summary a)"
expect_eq "b's policy: the server hosting its instance, never a's instance" "alert b h1 server" "$(summary b)"
expect_eq "the controller's policy: everything" \
"alert - h1 a.example
alert - h1 server" "$(summary noc)"

curl -sf -H "Authorization: Bearer $PATCHBAY_TOKEN" "$PATCHBAY_CONTROLLER/metrics" >"$work/metrics"
expect_contains "open alerts of account a" 'patchbay_alerts_active{account="a"} 2' "$(cat "$work/metrics")"
expect_contains "open alerts of account b" 'patchbay_alerts_active{account="b"} 1' "$(cat "$work/metrics")"
expect_contains "open alerts of the controller's policies" 'patchbay_alerts_active 2' "$(cat "$work/metrics")"

# New settings for a keep pager's open episode: the instance coming back sends its
# recovery, and nothing is alerted again.
expect_eq "a's settings again (no [health] now)" 200 "$(put_settings a a.toml "[[alert]]
name = \"pager\"
states = [\"warning\", \"down\"]
webhook = \"$(hook a)\"
")"
expect_eq "report 3: both succeed" 200 "$(call POST /v1/reports "$(report 3 true 2)")"
wait_until 10 bash -c "[ \$(awk -F'\t' '\$1 == \"/a\"' '$work/hooks' | wc -l) -ge 4 ]" ||
  { cat "$work/hooks"; die "a's recoveries did not come"; }
expect_eq "a's policy: recoveries of the same episodes, no second alert" \
"alert a h1 a.example
alert a h1 server
recovery a h1 a.example
recovery a h1 server" "$(summary a)"

# --- alert test of an account's policies ----------------------------------------------------
BT=$("$PB" token create --account b --role account-admin --name b-admin)
expect_contains "b's account-admin tests b's policies" "pager" "$(PATCHBAY_TOKEN=$BT "$PB" alert test)"
expect_eq "... through b's webhook" test "$(grep -P '^/b\t' "$work/hooks" | tail -1 | cut -f2 | jq -r .kind)"
expect_exit "... never a's" 3 env PATCHBAY_TOKEN="$BT" "$PB" alert test --account a
expect_contains "an admin tests a's with --account" "pager" "$("$PB" alert test --account a)"
echo "account_alerts: $pb_pass checks passed"
