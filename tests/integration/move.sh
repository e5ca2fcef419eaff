#!/bin/bash
# `tuple move` (docs/drain.md, issue 7) against a real controller, with two hosts whose
# agents are played by POSTing their reports: the new tuple is placed and the old one is
# kept until the watchdog calls the new instance up; only then the old tuple goes, so the
# zone never lacks a running server; a new instance that never comes up makes the move
# fail at its timeout with the new tuple taken back and the old one kept; bad input is
# refused before anything changes.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
start_controller
AGENT=$("$PB" token create --role agent --name agents)
source "$(dirname "$0")/../lib/reports.sh"
addresses() { "$PB" tuple ls m.example --output json | python3 -c 'import json,sys; print(" ".join(sorted(t["address"] for t in json.load(sys.stdin))))'; }

"$PB" zone add m.example >/dev/null
"$PB" tuple add m.example http tcp 10.0.0.1 80 --priority 1 --weight 50 >/dev/null
report h1 m.example 2 "$(instance m.example 10.0.0.1 active)"
report h2 m.example 2

# Bad input: nothing changes.
expect_exit "a bad TO is refused offline" 2 "$PB" tuple move m.example http tcp 10.0.0.1 10.0.0.300
expect_exit "a bad FROM is refused offline" 2 "$PB" tuple move m.example http tcp nowhere 10.0.0.2
expect_exit "no tuple on FROM: not found" 3 "$PB" tuple move m.example http tcp 10.0.0.7 10.0.0.2
expect_contains "... saying so" "no http/tcp tuple on 10.0.0.7 in m.example" "$pb_err"
expect_exit "FROM = TO is refused" 2 "$PB" tuple move m.example http tcp 10.0.0.1 10.0.0.1
expect_eq "nothing changed by bad input" "10.0.0.1" "$(addresses)"

# The move: both tuples while the new instance starts.
in_background move "$PB" tuple move m.example http tcp 10.0.0.1 10.0.0.2 --timeout 20s
wait_until 5 sh -c "'$PB' tuple ls m.example | grep -q 10.0.0.2" || die "the new tuple was not placed"
expect_eq "the new tuple placed beside the old one" "10.0.0.1 10.0.0.2" "$(addresses)"
expect_eq "... with the old one's priority and weight" "1 50" "$("$PB" tuple ls m.example --output json |
  python3 -c 'import json,sys; [t] = [t for t in json.load(sys.stdin) if t["address"] == "10.0.0.2"]; print(t["priority"], t["weight"])')"
report h1 m.example 3 "$(instance m.example 10.0.0.1 active)"
report h2 m.example 3 "$(instance m.example 10.0.0.2 activating)"
sleep 1
expect_eq "the old tuple stays while the new instance is not up" "10.0.0.1 10.0.0.2" "$(addresses)"
expect_eq "... and the move waits" no "$(finished move && echo yes || echo no)"
report h2 m.example 3 "$(instance m.example 10.0.0.2 active)"
wait_until 10 finished move || die "the move did not end once the new instance was up"
expect_eq "the move succeeded" 0 "$(cat "$work/move.rc")"
expect_eq "only now the old tuple is gone" "10.0.0.2" "$(addresses)"
expect_contains "the move says where it came up" "http/tcp 10.0.0.2:80 is up on h2" "$(cat "$work/move.out")"
expect_contains "... and what it did" "moved 1 tuple from 10.0.0.1 to 10.0.0.2 in m.example" "$(cat "$work/move.out")"

# A new instance that never comes up: the move fails at its timeout, the new tuple goes.
report h1 m.example 4
report h2 m.example 4 "$(instance m.example 10.0.0.2 active)"
in_background fail "$PB" tuple move m.example http tcp 10.0.0.2:80 10.0.0.3 --timeout 4s
wait_until 5 sh -c "'$PB' tuple ls m.example | grep -q 10.0.0.3" || die "the new tuple was not placed"
report h1 m.example 5  # both hosts apply it, neither has 10.0.0.3
report h2 m.example 5 "$(instance m.example 10.0.0.2 active)"
wait_until 10 finished fail || die "the failing move did not end at its timeout"
expect_eq "a move whose new instance never comes up fails" 7 "$(cat "$work/fail.rc")"
expect_contains "... saying why" "http/tcp 10.0.0.3:80 was not up within 4s (no host reports it" "$(cat "$work/fail.err")"
expect_contains "... and that the old one keeps running" "the new tuple was removed, 10.0.0.2:80 keeps running" \
  "$(cat "$work/fail.err")"
expect_eq "the old tuple stays, the new one is gone" "10.0.0.2" "$(addresses)"
echo "$pb_pass passed, 0 failed"
