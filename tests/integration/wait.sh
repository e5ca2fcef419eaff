#!/bin/bash
# --wait (docs/changes.md, issue 7) against a real controller, with two hosts whose
# agents are played by POSTing their reports: a change names its id; `tuple add --wait`
# returns only once every host serving the zone reports the change's serial and the
# placed unit active; a unit systemd calls failed makes it exit 7 with systemd's reason;
# a host that never catches up makes it exit 7 at the timeout, naming the host; a removed
# tuple's unit must be gone; --output json gives one object; a command that reaches no
# host does not wait. And `server show`: what should run on a host against what does.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
start_controller
json_of() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

AGENT=$("$PB" token create --role agent --name agents)
source "$(dirname "$0")/../lib/reports.sh"
# On w.example: report HOST SERIAL [INSTANCE…], instance ADDRESS STATE [ERROR].
w_report() { local host=$1 serial=$2; shift 2; report "$host" w.example "$serial" "$@"; }
w_instance() { instance w.example "$@"; }

"$PB" zone add w.example >/dev/null
w_report h1 1
w_report h2 1

# A mutation's answer names its change.
add_json=$("$PB" tuple add w.example http tcp 10.0.0.9 80 --output json)
expect_eq "a mutation's answer names its change" 1 "$(json_of 'int(d["change"] > 0)' <<<"$add_json")"
w_report h1 2
w_report h2 2

# h1 has 10.0.0.1; h2 does not. --wait returns when both have serial 3 and h1's unit is active.
in_background add "$PB" tuple add w.example http tcp 10.0.0.1 80 --wait --timeout 20s
sleep 0.5
expect_eq "waiting while no host has the change" no "$(finished add && echo yes || echo no)"
w_report h1 3 "$(w_instance 10.0.0.1 activating)"
w_report h2 3
sleep 0.5
expect_eq "waiting while h1's unit is still activating" no "$(finished add && echo yes || echo no)"
expect_contains "changes show: h1 pending, on its unit" "activating" \
  "$("$PB" changes show "$("$PB" changes ls --limit 1 --output json | json_of 'd[0]["id"]')")"
w_report h1 3 "$(w_instance 10.0.0.1 active)"
wait_until 5 finished add || die "tuple add --wait did not return after every host applied the change"
expect_eq "--wait: exit 0 once applied everywhere" 0 "$(cat "$work/add.rc")"
expect_contains "--wait says where it was applied" "applied on 2 hosts (h1, h2) in" "$(cat "$work/add.out")"
expect_contains "... after the mutation's own output" "in w.example (serial 3)" "$(head -1 "$work/add.out")"

# A unit that fails: exit 7 with systemd's reason, once no host is pending.
in_background fail "$PB" tuple add w.example http tcp 10.0.0.2 80 --wait --timeout 20s
sleep 0.3
w_report h1 4 "$(w_instance 10.0.0.1 active)" "$(w_instance 10.0.0.2 failed 'exit-code: status 1')"
sleep 0.3
expect_eq "a failed host alone does not end the wait while another is pending" no \
  "$(finished fail && echo yes || echo no)"
w_report h2 4
wait_until 5 finished fail || die "tuple add --wait did not return after a unit failed"
expect_eq "--wait: exit 7 when a unit failed" 7 "$(cat "$work/fail.rc")"
expect_contains "... naming the host, the unit and systemd's reason" \
  "h1: patchbay-http@10.0.0.2:80.service failed: exit-code: status 1" "$(cat "$work/fail.err")"
expect_eq "changes show: failed" failed "$("$PB" changes show "$("$PB" changes ls --limit 1 --output json |
  json_of 'd[0]["id"]')" --output json | json_of 'd["status"]')"

# A host that never catches up: exit 7 at the timeout, naming it and where it is.
w_report h1 5 "$(w_instance 10.0.0.1 active)"
start=$(date +%s%N)
expect_exit "--wait: exit 7 at the timeout" 7 "$PB" tuple rm w.example http tcp 10.0.0.2 80 --wait --timeout 2s
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_contains "... naming the host that did not converge" "h2: pending: at serial 4" "$pb_err"
expect_contains "... and how many" "did not converge within 2." "$pb_err"
expect_eq "... after about the timeout" 1 "$(( took_ms >= 1900 && took_ms < 8000 ))"

# A removed tuple's unit must be gone from the host's placement.
in_background rm "$PB" tuple rm w.example http tcp 10.0.0.1 80 --wait --timeout 20s --output json
sleep 0.3
w_report h1 6 "$(w_instance 10.0.0.1 active)"
w_report h2 6
sleep 0.3
expect_eq "waiting while the removed tuple's unit is still placed" no "$(finished rm && echo yes || echo no)"
w_report h1 6
wait_until 5 finished rm || die "tuple rm --wait did not return once the unit was gone"
expect_eq "--wait: exit 0 once the unit is gone" 0 "$(cat "$work/rm.rc")"
expect_eq "--output json: one object, the change as it ended under 'wait'" "applied True" \
  "$(json_of 'd["wait"]["status"], d["changed"]' <"$work/rm.out" | tr -d "(),'")"

# server show: what should run on h1 (10.0.0.9 is its address now) against what does.
report_placing() {  # report_placing STATE: h1 with 10.0.0.9 bound, http/tcp in its catalog
  report_seq[h1]=$(( ${report_seq[h1]} + 1 ))
  curl -s -o /dev/null -H "Authorization: Bearer $AGENT" -H 'Content-Type: application/json' \
    --data-binary "{\"reports\": [{\"agent\": \"h1\", \"boot\": \"b\", \"seq\": ${report_seq[h1]},
      \"at_ms\": $(date +%s%3N), \"serials\": {\"w.example\": 6}, \"addresses\": [\"10.0.0.9\", \"127.0.0.1\"],
      \"catalog\": [\"http/tcp\"], \"instances\": [$([ "$1" = none ] || w_instance 10.0.0.9 "$1")]}]}" \
    "$PATCHBAY_CONTROLLER/v1/reports"
}
report_placing none
expect_contains "server show: should run and does not" \
  "should run and does not: 1
  w.example http/tcp 10.0.0.9:80  -  not placed" "$("$PB" server show h1)"
report_placing active
expect_contains "server show: should run and does" \
  "should run and does: 1
  w.example http/tcp 10.0.0.9:80  patchbay-http@10.0.0.9:80.service  active" "$("$PB" server show h1)"
expect_eq "server show --output json: the placement" "1 0 0" \
  "$("$PB" server show h1 --output json | json_of '" ".join(str(len(d["placement"][k])) for k in ("runs", "missing", "extra"))')"
expect_contains "server show: unknown for an agent that reports no addresses" "should run: unknown" \
  "$("$PB" server show h2)"

# Nothing changed: --wait follows the zone's newest change, which is applied.
expect_exit "a repeated tuple add waits for the zone's newest change" 0 \
  "$PB" tuple add w.example http tcp 10.0.0.9 80 --wait --timeout 5s
# A command that reaches no host does not wait.
expect_exit "account add --wait: nothing to wait for" 0 "$PB" account add acme --wait
expect_contains "... and says so" "nothing to wait for" "$pb_err"
expect_exit "--wait on a listing is refused offline" 2 "$PB" tuple ls --wait
echo "$pb_pass passed, 0 failed"
