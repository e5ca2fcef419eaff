#!/bin/bash
# drain and undrain (docs/drain.md, issue 7) against a real controller with a client
# listener: `drain ADDRESS --grace` takes the address out of the client view at once
# while the assignment view (what agents read) keeps its tuples; when the grace ends its
# tuples are removed (agents stop the units), as changes in the log; `drain --wait`
# returns once that happened and the hosts applied it; a restart during the grace keeps
# the drain and finishes it; undrain puts the tuples back; bad input changes nothing;
# only admins may drain.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
source "$(dirname "$0")/../lib/seed.sh"

use_client_listener
cat >"$work/controller.toml" <<TOML
[client_view]
all_down = "empty"
TOML
ctl_args+=(--config "$work/controller.toml")
start_controller
add_seed
json_of() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
qc() { dig @127.0.0.1 -p "$client_port" +time=2 +tries=1 +short "$@" | sort; }
qa() { q +short "$@" | sort; }
http_client() { qc _http._tcp.hostdomain.com SRV; }

expect_contains "the client view has 10.10.10.122 before" "ip4-10-10-10-122" "$(http_client)"

# Bad input: refused, nothing drained.
expect_exit "a bad address is refused offline" 2 "$PB" drain 10.10.10.300
expect_exit "a bad grace is refused offline" 2 "$PB" drain 10.10.10.122 --grace soon
expect_exit "--grace goes with drain only" 2 "$PB" undrain 10.10.10.122 --grace 5s
code=$(curl -s -o "$work/answer" -w '%{http_code}' -H "Authorization: Bearer $PATCHBAY_TOKEN" \
  -H 'Content-Type: application/json' --data '{"address":"10.10.10.122","grace":"8d"}' "$PATCHBAY_CONTROLLER/v1/drains")
expect_eq "a grace over 7 days is a 400" 400 "$code"
expect_contains "... naming the field" "grace: at most 7d" "$(cat "$work/answer")"
expect_eq "nothing drained by bad input" "[]" "$("$PB" drains ls --output json | json_of 'd')"
"$PB" account add a >/dev/null
A_ADMIN=$("$PB" token create --account a --role account-admin --name alice)
expect_exit "an account-admin may not drain" 5 env PATCHBAY_TOKEN="$A_ADMIN" "$PB" drain 10.10.10.122
expect_contains "... saying why" "admins only" "$pb_err"

# Drain with a grace: out of the client view at once, the tuples stay for the agents.
out=$("$PB" drain 10.10.10.122 --grace 3s)
expect_contains "drain says what it does" "draining 10.10.10.122: out of the client view now" "$out"
expect_eq "out of the client view at once" "" "$(http_client | grep 10-10-10-122 || true)"
expect_contains "... the others still answered" "ip4-10-10-10-121" "$(http_client)"
expect_contains "the assignment view keeps its tuple (agents go on running it)" "ip4-10-10-10-122" \
  "$(qa _http._tcp.hostdomain.com SRV)"
expect_exit "draining it again is a conflict" 4 "$PB" drain 10.10.10.122
expect_eq "drains ls: draining" "draining" "$("$PB" drains ls --output json | json_of 'd[0]["state"]')"

# A restart during the grace keeps the drain, and finishes it when the grace ends.
kill "$ctl_pid"; wait "$ctl_pid" 2>/dev/null || true; ctl_pid=
start_controller
expect_eq "after a restart: still out of the client view" "" "$(http_client | grep 10-10-10-122 || true)"
wait_until 10 sh -c "'$PB' drains ls --output json | grep -q '\"drained\"'" || die "the drain did not finish"
expect_eq "when the grace ended its tuples were removed from the zone" "" \
  "$(qa _http._tcp.hostdomain.com SRV | grep 10-10-10-122 || true)"
expect_eq "... as a change in the log, by its author" "tuple rm token:admin" \
  "$("$PB" changes ls --limit 1 --output json | json_of 'd[0]["action"] + " " + d[0]["author"]')"
expect_eq "... kept for undrain" "http/tcp 10.10.10.122:80" \
  "$("$PB" drains ls --output json | json_of '", ".join(t["service"] + "/" + t["transport"] + " " + t["address"] + ":" + str(t["port"]) for t in d[0]["removed"])')"

# Undrain: the tuples come back, in both views.
out=$("$PB" undrain 10.10.10.122)
expect_contains "undrain says what it put back" "undrained 10.10.10.122: back in the client view; 1 tuple put back" "$out"
expect_contains "back in the assignment view" "ip4-10-10-10-122" "$(qa _http._tcp.hostdomain.com SRV)"
expect_contains "back in the client view" "ip4-10-10-10-122" "$(http_client)"
expect_exit "undrain of an address with no drain" 3 "$PB" undrain 10.10.10.122

# drain --wait: returns once the grace ended and the hosts applied the removal (no host
# serves hostdomain.com here, so there is nothing more to wait for).
start=$(date +%s%N)
out=$("$PB" drain 10.10.10.123 --grace 1s --wait)
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_contains "drain --wait: the grace, then the removal" "drained 10.10.10.123: 2 tuples removed" "$out"
expect_eq "... after the grace" 1 "$(( took_ms >= 900 ))"
expect_eq "both of its tuples are gone" "" "$(qa _http._tcp.hostdomain.com SRV _smtp._tcp.hostdomain.com SRV | grep 10-10-10-123 || true)"
expect_exit "undrain --wait" 0 "$PB" undrain 10.10.10.123 --wait
expect_contains "the smtp tuple is back" "ip4-10-10-10-123" "$(qa _smtp._tcp.hostdomain.com SRV)"
echo "$pb_pass passed, 0 failed"
