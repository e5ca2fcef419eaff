#!/bin/bash
# The change log (docs/changes.md) against a real controller: changes made with two
# tokens (the --dev admin and an account-admin) are listed by `patchbay changes ls` with
# both authors; an account's token sees only its account's changes (another's ID is 404);
# a report POSTed to /v1/reports as an agent with the zone's serial makes that host
# "applied" for the changes up to it, and "pending" for a later one.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
start_controller
ADMIN=$PATCHBAY_TOKEN
as() { local token=$1; shift; PATCHBAY_TOKEN=$token "$PB" "$@"; }
json_of() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

"$PB" account add a >/dev/null
"$PB" account add b >/dev/null
ALICE=$("$PB" token create --account a --role account-admin --name alice)
BOB=$("$PB" token create --account b --role account-admin --name bob)
AGENT=$("$PB" token create --account a --role agent --name h1-agent)

# Changes by two tokens: alice makes the zone and a tuple (serials 1, 2), the admin
# another tuple (serial 3); bob one change in his own account.
as "$ALICE" zone add a.example >/dev/null
as "$ALICE" tuple add a.example http tcp 10.0.0.1 80 >/dev/null
"$PB" tuple add a.example http tcp 10.0.0.2 80 >/dev/null
as "$BOB" zone add b.example >/dev/null

ls_out=$("$PB" changes ls)
expect_contains "changes ls has the header" "ID  AT" "$ls_out"
expect_contains "... and the columns" "ZONE       SERIAL  ACTION     AUTHOR       APPLIED" "$ls_out"
expect_contains "alice's change is hers" "tuple add  token:alice" "$ls_out"
expect_contains "the admin's change is the admin's" "tuple add  token:admin" "$ls_out"
expect_contains "bob's change is bob's" "zone add   token:bob" "$ls_out"
expect_eq "four changes" 4 "$("$PB" changes ls --output json | json_of 'len(d)')"
expect_eq "newest first" "b.example" "$("$PB" changes ls --output json | json_of 'd[0]["zone"]')"
expect_eq "--limit" 1 "$("$PB" changes ls --limit 1 --output json | json_of 'len(d)')"
expect_eq "--zone" 3 "$("$PB" changes ls --zone a.example --output json | json_of 'len(d)')"
expect_eq "at_ms is milliseconds of now" 1 "$("$PB" changes ls --output json |
  json_of "int(abs(d[0]['at_ms'] - $(date +%s%3N)) < 60000)")"

# An account sees its own zones' changes, whoever made them; another's ID is 404.
expect_eq "alice sees a's three changes" 3 "$(as "$ALICE" changes ls --output json | json_of 'len(d)')"
bob_id=$(as "$BOB" changes ls --output json | json_of 'd[0]["id"]')
expect_exit "bob's change is not found for alice" 3 as "$ALICE" changes show "$bob_id"
expect_exit "... but found for bob" 0 as "$BOB" changes show "$bob_id"
expect_exit "an absent change" 3 "$PB" changes show 9999
expect_exit "a bad --limit is refused offline" 2 "$PB" changes ls --limit 5000

# No host reports a.example yet: nothing applied, nowhere pending.
expect_contains "no hosts yet" "no host reports a serial of a.example" \
  "$("$PB" changes show "$(as "$ALICE" changes ls --output json | json_of 'd[0]["id"]')")"

# The agent reports having applied serial 2 of a.example.
code=$(curl -s -o "$work/answer" -w '%{http_code}' -H "Authorization: Bearer $AGENT" -H 'Content-Type: application/json' \
  --data-binary "{\"reports\": [{\"agent\": \"h1\", \"boot\": \"b1\", \"seq\": 1, \"at_ms\": $(date +%s%3N),
    \"serials\": {\"a.example\": 2}}]}" "$PATCHBAY_CONTROLLER/v1/reports")
expect_eq "the agent's report is taken" 200 "$code"
a_json=$(as "$ALICE" changes ls --output json)
serial3_id=$(json_of 'd[0]["id"]' <<<"$a_json")
serial2_id=$(json_of 'd[1]["id"]' <<<"$a_json")
expect_eq "serial 3 is pending on h1" "[('h1', 2, False)]" \
  "$(json_of '[(h["server"], h["serial"], h["applied"]) for h in d[0]["hosts"]]' <<<"$a_json")"
expect_eq "serial 2 is applied on h1" "[('h1', 2, True)]" \
  "$(json_of '[(h["server"], h["serial"], h["applied"]) for h in d[1]["hosts"]]' <<<"$a_json")"
ls_a=$(as "$ALICE" changes ls)
expect_contains "changes ls counts it: 0/1 for serial 3" "3       tuple add  token:admin  0/1" "$ls_a"
expect_contains "... 1/1 for serial 2" "2       tuple add  token:alice  1/1" "$ls_a"
expect_contains "changes show: h1 pending for serial 3" "h1    2       pending" "$(as "$ALICE" changes show "$serial3_id")"
expect_contains "changes show: h1 applied for serial 2" "h1    2       applied" "$(as "$ALICE" changes show "$serial2_id")"
expect_contains "... with who made it" "by token:alice (account a)" "$(as "$ALICE" changes show "$serial2_id")"

# The authors survive a restart.
kill "$ctl_pid"; wait "$ctl_pid" 2>/dev/null || true; ctl_pid=
start_controller
expect_contains "authors kept across a restart" "token:bob" "$("$PB" changes ls)"
echo "$pb_pass passed, 0 failed"
