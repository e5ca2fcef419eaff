#!/bin/bash
# Backup and restore against real controllers (docs/backup.md): a backup taken while the
# CLI adds tuples one after another holds exactly the first K acknowledged ones (one
# consistent moment, nothing torn); restored into a new state directory it serves, to dig,
# answer for answer the same records and client-view answers as the original once that
# is brought back to those K tuples, and the old tokens still work. Restored into the
# live state directory (the rollback), every zone's serial moves past the live one, so
# agents and secondaries take it. A running controller refuses a restore, and a file
# that is not a backup changes nothing.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
use_client_listener
start_controller
ADMIN=$PATCHBAY_TOKEN
A_PID=$ctl_pid
A_DNS=$dns_port A_API=$api_port A_CLIENT=$client_port

# An account with a mapping rule, so the client view has something to apply.
"$PB" account add acme >/dev/null
"$PB" zone add acme.example --account acme >/dev/null
"$PB" tuple add acme.example http tcp 10.0.1.1 80 --weight 100 >/dev/null
"$PB" tuple add acme.example http tcp 10.0.2.1 80 --weight 100 >/dev/null
cat >"$work/acme.toml" <<'TOML'
[servers."10.0.1.0/24"]
weight = 30

[[rule]]
domain = "acme.example"
strategy = "weighted"
TOML
"$PB" policy set acme "$work/acme.toml" >/dev/null
"$PB" zone add load.example >/dev/null

# --- a backup under write load --------------------------------------------------------
N=240
acked=$work/acked
: >"$acked"
(
  for i in $(seq 1 "$N"); do
    addr=10.9.$((i / 200)).$((i % 200 + 1))
    "$PB" tuple add load.example http tcp "$addr" 80 >/dev/null 2>>"$work/load.err" && echo "$addr" >>"$acked"
  done
) &
load_pid=$!
acked_at_least() { [ "$(wc -l <"$acked")" -ge "$1" ]; }
wait_until 60 acked_at_least 60 || die "the write load did not start: $(head -3 "$work/load.err")"
"$CTL" backup "$work/mid.db" --state "$work/state" >"$work/mid.out"
wait "$load_pid"
expect_eq "every write of the load acknowledged" "$N" "$(wc -l <"$acked")"
expect_contains "backup says what it holds" "backup of $work/state/patchbay.db in $work/mid.db: 2 zones," "$(cat "$work/mid.out")"
expect_eq "the backup file is private (0600)" 600 "$(stat -c %a "$work/mid.db")"

# Restored into a new state directory, served by a second controller next to the first.
mkdir "$work/restored"
"$CTL" restore "$work/mid.db" --state "$work/restored" >"$work/restore.out"
expect_contains "restore names each zone's serials" "zone load.example: serial" "$(cat "$work/restore.out")"
B_DNS=$(free_port) B_API=$(free_port) B_CLIENT=$(free_port)
"$CTL" --state "$work/restored" --dns-listen "127.0.0.1:$B_DNS" --api-listen "127.0.0.1:$B_API" \
  --client-listen "127.0.0.1:$B_CLIENT" --dev >/dev/null 2>>"$work/controller-b.log" &
B_PID=$!
trap 'kill $B_PID 2>/dev/null; cleanup' EXIT
wait_until 10 curl -sf -o /dev/null -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$B_API/v1/zones" ||
  { cat "$work/controller-b.log"; die "the restored controller did not start (or lost the admin token)"; }
ok "the restored controller accepts the original's admin token"
on_b() { PATCHBAY_CONTROLLER=http://127.0.0.1:$B_API "$PB" "$@"; }

# One consistent moment: the first K acknowledged tuples, no more, no fewer, no gaps.
on_b tuple ls load.example --output json |
  python3 -c 'import json,sys; print("\n".join(t["address"] for t in json.load(sys.stdin)))' | sort >"$work/in-backup"
K=$(wc -l <"$work/in-backup")
[ "$K" -ge 60 ] && [ "$K" -lt "$N" ] || die "the backup holds $K of $N tuples: not taken under load"
expect_eq "the backup holds exactly the first $K acknowledged tuples" "$(head -n "$K" "$acked" | sort)" "$(cat "$work/in-backup")"

# Bring the original back to that moment, then compare what both serve.
tail -n +"$((K + 1))" "$acked" | while read -r addr; do "$PB" tuple rm load.example http tcp "$addr" 80 >/dev/null; done
records() {  # records PORT ZONE — the zone by AXFR, SOA left out (serials differ by design)
  dig @127.0.0.1 -p "$1" +time=2 +tries=1 +nocmd +nostats +noall +answer AXFR "$2" | awk '$4 != "SOA"' | sort
}
for zone in load.example acme.example; do
  a=$(records "$A_DNS" "$zone") b=$(records "$B_DNS" "$zone")
  [ -n "$a" ] || die "no AXFR of $zone from the original"
  expect_eq "$zone: the restored controller serves the same records ($(wc -l <<<"$a"))" "$a" "$b"
done
client_srv() { dig @127.0.0.1 -p "$1" +time=2 +tries=1 +short SRV "$2" | sort; }
expect_eq "the client view answers alike (the account's weights applied)" \
  "$(client_srv "$A_CLIENT" _http._tcp.acme.example)" "$(client_srv "$B_CLIENT" _http._tcp.acme.example)"
expect_contains "... with the account's weight rule in force" "30 80 ip4-10-0-1-1.acme.example." \
  "$(client_srv "$B_CLIENT" _http._tcp.acme.example)"
expect_eq "the account's settings came back" "$("$PB" policy get acme)" "$(on_b policy get acme)"
expect_contains "the restore is in the change log" "restore" "$(on_b changes ls --zone load.example --limit 1)"

# --- restore refused while a controller runs, and for a file that is no backup ----------
serial_a() { dig @127.0.0.1 -p "$A_DNS" +short SOA "$1" | awk '{print $3}'; }
before=$(records "$A_DNS" load.example)
expect_exit "restore into a running controller's state is refused" 1 "$CTL" restore "$work/mid.db" --state "$work/state"
expect_contains "... saying why" "is in use by another patchbay-controller (pid $A_PID): stop it first" "$pb_err"
echo "zone load.example" >"$work/notes.txt"
mkdir "$work/empty"
expect_exit "a text file is not restored" 1 "$CTL" restore "$work/notes.txt" --state "$work/empty"
expect_eq "... naming it" "patchbay-controller restore: $work/notes.txt is not a patchbay controller database: file is not a database" "$pb_err"
expect_eq "... and no database is made" "" "$(ls "$work/empty" | grep -v '^lock$' || true)"
expect_eq "the running controller serves what it did" "$before" "$(records "$A_DNS" load.example)"

# --- the rollback: the live state directory goes back to the mid-load backup -------------
live_serial=$(serial_a load.example)
kill "$A_PID"; wait "$A_PID" 2>/dev/null || true; ctl_pid=
"$CTL" restore "$work/mid.db" --state "$work/state" >"$work/rollback.out"
start_controller
expect_eq "the rolled-back zone's serial is one past the live one" "$((live_serial + 1))" "$(serial_a load.example)"
expect_eq "... and it serves the backup's records" "$(records "$B_DNS" load.example)" "$(records "$A_DNS" load.example)"
PATCHBAY_TOKEN=$ADMIN "$PB" tuple add load.example http tcp 10.8.0.1 80 >/dev/null
expect_eq "a change after the rollback goes on from there" "$((live_serial + 2))" "$(serial_a load.example)"
echo "all ${pb_pass} checks passed"
