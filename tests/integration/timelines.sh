#!/bin/bash
# Timelines (issue 6, docs/timelines.md) against a real controller with 2-second history
# periods: four servers report (h1..h3 for account a, h4 for account b); h1 and h2 fall in
# the same period (a network event), later h3 alone (a server event). GET /v1/timelines
# lines the blocks up, matches each server's stored history (GET /v1/servers/NAME), shows
# an account only its servers; a block's facts name its changes and metrics; bad
# parameters are refused naming them.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"

cat >"$work/controller.toml" <<'TOML'
[health]
period_seconds = 2
heartbeat_timeout_seconds = 60
TOML
ctl_args=(--config "$work/controller.toml")
start_controller

# call TOKEN PATH — prints the HTTP status of a GET; the answer goes to $work/answer.
call() {
  curl -s -o "$work/answer" -w '%{http_code}' -H "Authorization: Bearer $1" "$PATCHBAY_CONTROLLER$2"
}
answer() { cat "$work/answer"; }
# instance AGENT DOMAIN ADDRESS STATE — one report's JSON (its seq: microseconds since
# the epoch, increasing from call to call even inside $(…)).
instance() {
  local seq=$(( $(date +%s%N) / 1000 ))
  printf '{"agent": "%s", "boot": "b1", "seq": %s, "at_ms": %s, "serials": {"%s": 2},
    "host": {"load1": 0.1, "cpu": 0.%s, "memory": 0.5},
    "instances": [{"domain": "%s", "service": "http", "transport": "tcp", "address": "%s", "port": 80,
      "unit": "patchbay-http@%s:80.service", "active_state": "%s"}]}' \
    "$1" "$seq" "$(date +%s%3N)" "$2" "$(( seq % 9 + 1 ))" "$2" "$3" "$3" "$4"
}
# post REPORT… — all in one request (so in one period).
post() {
  local body
  body=$(IFS=,; echo "{\"reports\": [$*]}")
  curl -sf -o /dev/null -H "Authorization: Bearer $PATCHBAY_TOKEN" -H 'Content-Type: application/json' \
    --data-binary "$body" "$PATCHBAY_CONTROLLER/v1/reports" || die "report refused: $body"
}
all_report() {  # all_report STATE1 STATE2 STATE3 STATE4
  post "$(instance h1 a.example 10.0.0.1 "$1")" "$(instance h2 a.example 10.0.0.2 "$2")" \
       "$(instance h3 a.example 10.0.0.3 "$3")" "$(instance h4 b.example 10.0.0.4 "$4")"
}
# next_period — sleeps into the next 2-second period (and past the controller's tick).
next_period() { sleep "$(python3 -c 'import time; print(2 - time.time() % 2 + 0.3)')"; }

for a in a b; do "$PB" account add "$a" >/dev/null; done
"$PB" zone add a.example --account a >/dev/null
"$PB" zone add b.example --account b >/dev/null
VIEWER_A=$("$PB" token create --account a --role account-viewer --name a-viewer)

all_report active active active active
next_period; all_report active active active active
next_period; all_report active active active active
next_period; all_report failed failed active active   # h1 and h2 fall together
next_period; all_report active active active active
next_period; all_report active active active active
next_period; all_report active active failed active   # h3 falls alone
next_period; all_report active active active active
next_period

expect_eq "admin: the timeline" 200 "$(call "$PATCHBAY_TOKEN" '/v1/timelines?range=2m&period=2s')"
cp "$work/answer" "$work/timeline.json"
expect_eq "every server, in name order" "h1 h2 h3 h4" "$(jq -r '[.servers[].name] | join(" ")' "$work/timeline.json")"
expect_eq "60 periods of 2 s" "60 2000" "$(jq -r '"\(.periods | length) \(.period_ms)"' "$work/timeline.json")"
expect_eq "every row has a block per period" "60 60 60 60" \
  "$(jq -r '[.servers[].blocks | length] | map(tostring) | join(" ")' "$work/timeline.json")"
expect_eq "periods are aligned and consecutive" true \
  "$(jq '[.periods[0] % 2000 == 0] + [range(1; .periods | length) as $i | .periods[$i] - .periods[$i-1] == 2000] | all' "$work/timeline.json")"
expect_eq "h1 has a down block" true "$(jq '[.servers[0].blocks[] == "down"] | any' "$work/timeline.json")"
expect_eq "h4 was never down" false "$(jq '[.servers[3].blocks[] == "down"] | any' "$work/timeline.json")"
expect_eq "unknown before the first report" unknown "$(jq -r '.servers[0].blocks[0]' "$work/timeline.json")"

# The blocks are the controller's history: each stored block of `server show` is the
# block of the timeline in its period (the closed ones: the open period moves on).
for s in h1 h2 h3 h4; do
  "$PB" server show "$s" --output json >"$work/$s.json"
  mismatch=$(jq -n --slurpfile t "$work/timeline.json" --slurpfile h "$work/$s.json" --arg s "$s" '
    ($t[0]) as $t | ($t.servers[] | select(.name == $s).blocks) as $row
    | [$h[0].blocks[] | select(.period_ms >= $t.from_ms and .period_ms < $t.now_ms - 4000)
       | select($row[((.period_ms - $t.from_ms) / $t.period_ms)] != .state)] | length')
  expect_eq "$s: the timeline's blocks are its stored history" 0 "$mismatch"
done

expect_eq "h1 and h2 falling together: a network event" "network h1,h2" \
  "$(jq -r '.events[] | select(.kind == "network") | "\(.kind) \(.servers | join(","))"' "$work/timeline.json")"
expect_eq "h3 falling alone: a server event" "server h3" \
  "$(jq -r '.events[] | select(.kind == "server") | "\(.kind) \(.servers | join(","))"' "$work/timeline.json")"
net=$(jq -r '.events[] | select(.kind == "network") | .period_ms' "$work/timeline.json")
col=$(jq -r --argjson p "$net" '(.periods | index($p))' "$work/timeline.json")
expect_eq "the network event's period is h1's and h2's down block" "down down up up" \
  "$(jq -r --argjson i "$col" '[.servers[].blocks[$i]] | join(" ")' "$work/timeline.json")"

# The terminal view: letters when not a terminal, the same rows.
# (Asked twice in a row, the API and the CLI may see the grid a period apart: tried again.)
for _ in 1 2 3; do
  call "$VIEWER_A" '/v1/timelines?range=2m&period=2s' >/dev/null
  want=$(answer | jq -r '.servers[0].blocks[:-1] | map({"up":"U","warning":"W","down":"D","unknown":"."}[.]) | join("")')
  cli=$(PATCHBAY_TOKEN=$VIEWER_A "$PB" timeline --range 2m --period 2s)
  got=$(awk '$1 == "h1" {print substr($2, 1, length($2) - 1)}' <<<"$cli")
  [ "$want" = "$got" ] && break
done
expect_eq "patchbay timeline: h1's row is its blocks in letters" "$want" "$got"
expect_contains "... marks the network event" "network event: h1, h2" "$cli"
expect_eq "... and shows the account's servers only" "h1 h2 h3" "$(awk '/^h[0-9] /{print $1}' <<<"$cli" | tr '\n' ' ' | sed 's/ $//')"
expect_exit "... refuses a bad range before asking" 2 "$PB" timeline --range 1y
expect_exit "... and an unknown server" 3 "$PB" timeline --server nobody

# A block's facts.
expect_eq "h1's down block" 200 "$(call "$PATCHBAY_TOKEN" "/v1/timelines/h1/blocks/$net?period=2s")"
expect_eq "... is down" down "$(answer | jq -r .state)"
expect_contains "... with its change and reason" "unit failed" "$(answer | jq -r '.changes[].reason')"
expect_eq "... and its reports' metrics" true "$(answer | jq '.metrics.reports >= 1 and .metrics.memory_max == 0.5')"
expect_eq "a block not on the period's grid" 400 "$(call "$PATCHBAY_TOKEN" "/v1/timelines/h1/blocks/$((net + 1000))?period=2s")"
expect_contains "... says so" "is not the start of a 2s period" "$(answer)"

# An account sees its own servers; events of the fleet, only its servers named.
# (to= the admin's now: the same grid; the open period, last, may have moved on since.)
expect_eq "viewer of a" 200 \
  "$(call "$VIEWER_A" "/v1/timelines?range=2m&period=2s&to=$(jq .now_ms "$work/timeline.json")")"
expect_eq "... sees h1 h2 h3 only" "h1 h2 h3" "$(answer | jq -r '[.servers[].name] | join(" ")')"
expect_eq "... with the same blocks as the admin" \
  "$(jq -c '[.servers[:3][].blocks[:-1]]' "$work/timeline.json")" "$(answer | jq -c '[.servers[].blocks[:-1]]')"
expect_eq "... and the events" 2 "$(answer | jq '.events | length')"
expect_eq "viewer of a asking for b's server" 404 "$(call "$VIEWER_A" '/v1/timelines?range=2m&period=2s&server=h4')"
expect_eq "viewer of a asking for b's server's block" 404 "$(call "$VIEWER_A" "/v1/timelines/h4/blocks/$net?period=2s")"
expect_eq "server= keeps the servers named" 200 \
  "$(call "$PATCHBAY_TOKEN" '/v1/timelines?range=2m&period=2s&server=h3&server=h1')"
expect_eq "... h1 and h3" "h1 h3" "$(answer | jq -r '[.servers[].name] | join(" ")')"
expect_eq "a coarser period: the worst of its blocks" 200 "$(call "$PATCHBAY_TOKEN" '/v1/timelines?range=2m&period=1m')"
expect_eq "... has h1 down in some minute" true "$(answer | jq '[.servers[0].blocks[] == "down"] | any')"

# Bad parameters: 400 naming them, nothing else changes.
expect_eq "range=1x" 400 "$(call "$PATCHBAY_TOKEN" '/v1/timelines?range=1x')"
expect_contains "... names range" "range: '1x' is not a duration" "$(answer)"
expect_eq "period not a multiple of 2 s" 400 "$(call "$PATCHBAY_TOKEN" '/v1/timelines?range=1h&period=3s')"
expect_contains "... says so" "period: 3s is not a multiple of the history's period, 2s" "$(answer)"
expect_eq "too many blocks" 400 "$(call "$PATCHBAY_TOKEN" '/v1/timelines?range=7d&period=2s')"
expect_contains "... says how many" "302400 blocks" "$(answer)"
expect_eq "to= not a time" 400 "$(call "$PATCHBAY_TOKEN" '/v1/timelines?to=yesterday')"
expect_eq "to= past 2199" 400 "$(call "$PATCHBAY_TOKEN" '/v1/timelines?to=9223372036854775807')"
expect_contains "... says the bounds" "(1970 to 2199)" "$(answer)"
expect_eq "a block far in the future" 400 "$(call "$PATCHBAY_TOKEN" '/v1/timelines/h1/blocks/9223372036854775806')"
expect_eq "a block's period not a multiple" 400 "$(call "$PATCHBAY_TOKEN" "/v1/timelines/h1/blocks/$net?period=3s")"
expect_contains "... says so" "period: 3s must be a multiple of the history's period, 2s" "$(answer)"
expect_eq "an unknown server" 404 "$(call "$PATCHBAY_TOKEN" '/v1/timelines?server=nobody')"
expect_eq "no token" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$PATCHBAY_CONTROLLER/v1/timelines")"
# The live stream: an account's viewer hears of its account's changes, states and applied
# serials, never of another account's.
curl -sN --max-time 6 -H "Authorization: Bearer $VIEWER_A" "$PATCHBAY_CONTROLLER/v1/events" >"$work/events" &
stream=$!
sleep 1
"$PB" tuple add b.example http tcp 10.0.0.4 80 >/dev/null       # b's: not for a
"$PB" tuple add a.example http tcp 10.0.0.1 80 >/dev/null       # a's
post "$(instance h2 a.example 10.0.0.2 failed)"                   # a state change of a's
wait "$stream" || true
expect_contains "the stream is server-sent events" ": connected" "$(cat "$work/events")"
expect_contains "a's change is told to a's viewer" 'event: change
data: {"serial":' "$(cat "$work/events")"
expect_contains "... with its zone" '"zone":"a.example"' "$(cat "$work/events")"
expect_contains "a's state change too" '"reason":"unit failed","server":"h2"' "$(cat "$work/events")"
expect_eq "b's things never" "" "$(grep -o 'b\.example' "$work/events" || true)"

# Arrangements: each user's own (a viewer too), by name; bad ones refused naming the field.
# put TOKEN NAME BODY — prints the HTTP status of a PUT.
put() {
  curl -s -o "$work/answer" -w '%{http_code}' -X PUT -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' --data-binary "$3" "$PATCHBAY_CONTROLLER/v1/arrangements/$2"
}
expect_eq "a viewer saves its arrangement" 200 "$(put "$VIEWER_A" 'night%20shift' '{"order": ["h3", "h1"], "pinned": ["h2"]}')"
expect_eq "... and reads it back" '["h3","h1"] ["h2"]' \
  "$(call "$VIEWER_A" '/v1/arrangements/night%20shift' >/dev/null; answer | jq -c '.order, .pinned' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "... the one in use under @current" 200 "$(put "$VIEWER_A" '@current' '{"order": ["h2"]}')"
expect_eq "... listed, @current first" '@current,night shift' \
  "$(call "$VIEWER_A" /v1/arrangements >/dev/null; answer | jq -r '[.[].name] | join(",")')"
expect_eq "the admin has none of the viewer's" 404 "$(call "$PATCHBAY_TOKEN" '/v1/arrangements/night%20shift')"
expect_eq "a name twice in a list" 400 "$(put "$VIEWER_A" mine '{"order": ["h1", "h1"]}')"
expect_contains "... names the place" "order[1]: 'h1' twice" "$(answer)"
expect_eq "a bad name" 400 "$(put "$VIEWER_A" 'wow%21' '{}')"
expect_contains "... says why" "arrangement name 'wow!'" "$(answer)"
expect_eq "... and nothing was saved" '@current,night shift' \
  "$(call "$VIEWER_A" /v1/arrangements >/dev/null; answer | jq -r '[.[].name] | join(",")')"
expect_eq "removed" 200 "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $VIEWER_A" \
  "$PATCHBAY_CONTROLLER/v1/arrangements/night%20shift")"
expect_eq "... is gone" 404 "$(call "$VIEWER_A" '/v1/arrangements/night%20shift')"
# The page: its files need no token, carry a strict CSP, and are the embedded ones.
expect_eq "/ui redirects to /ui/" "308 /ui/" \
  "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$PATCHBAY_CONTROLLER/ui" | sed "s|$PATCHBAY_CONTROLLER||")"
expect_eq "/ui/ without a token" 200 "$(curl -s -o "$work/page" -w '%{http_code}' "$PATCHBAY_CONTROLLER/ui/")"
expect_contains "... is the page" '<script type="module" src="app.js"></script>' "$(cat "$work/page")"
expect_eq "... as built in" "$(sha256sum <"$(dirname "$0")/../../controller/ui/app.js")" \
  "$(curl -s "$PATCHBAY_CONTROLLER/ui/app.js" | sha256sum)"
expect_contains "... with a CSP" "content-security-policy: default-src 'self'" \
  "$(curl -s -D - -o /dev/null "$PATCHBAY_CONTROLLER/ui/app.css" | tr 'A-Z' 'a-z')"
expect_eq "a file the page has not" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$PATCHBAY_CONTROLLER/ui/secret.txt")"
expect_eq "the API still needs the token" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$PATCHBAY_CONTROLLER/v1/whoami")"
expect_eq "whoami says who the token is" "account-viewer a a-viewer" \
  "$(call "$VIEWER_A" /v1/whoami >/dev/null; answer | jq -r '"\(.role) \(.account) \(.name)"')"
echo "$pb_pass passed, 0 failed"
