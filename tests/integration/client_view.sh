#!/bin/bash
# Two views on a real controller (docs/views.md): --client-listen serves the client view
# beside the assignment view of --dns-listen. With no health known both answer the same
# records; the client view carries its configured TTL (SRV and the SOA), refuses zone
# transfers, follows zone changes and takes UPDATE like the other port; bad [client_view]
# values stop the controller with file:line:column. (Health itself is driven by the unit
# tests: controller_views_test, dns_server_views_test.)
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
source "$(dirname "$0")/../lib/seed.sh"

use_client_listener
cat >"$work/controller.toml" <<TOML
[client_view]
ttl = 3
warning_weight_percent = 20
all_down = "empty"
TOML
ctl_args+=(--config "$work/controller.toml")
start_controller
expect_contains "the controller names its client listener" "DNS for clients (client view) on 127.0.0.1:$client_port" \
  "$(cat "$work/controller.log")"
add_seed

qc() { dig @127.0.0.1 -p "$client_port" +time=2 +tries=1 "$@"; }
client_status() { qc "$@" | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
ttl_of() { awk '$4 == "'"$1"'" {print $2; exit}'; }  # TTL of the first record of TYPE in dig's answer

# --- nothing known: the same records on both ports --------------------------------------
for name in _http._tcp _smtp._tcp; do
  expect_eq "$name SRV: both views answer the same" "$(q +short $name.hostdomain.com SRV | sort)" \
    "$(qc +short $name.hostdomain.com SRV | sort)"
done
expect_eq "the client view has the seed's HTTP records" \
"1 100 80 ip4-10-10-10-121.hostdomain.com.
1 100 80 ip4-10-10-10-122.hostdomain.com.
2 100 8080 ip4-10-10-10-123.hostdomain.com." "$(qc +short _http._tcp.hostdomain.com SRV | sort)"
expect_eq "A of a target on the client port" "10.10.10.121" "$(qc +short ip4-10-10-10-121.hostdomain.com A)"
expect_eq "same serial on both ports" "$(q +short hostdomain.com SOA)" "$(qc +short hostdomain.com SOA | sed 's/ 3$/ 60/')"
expect_eq "same answer over TCP" "$(qc +short _http._tcp.hostdomain.com SRV | sort)" \
  "$(qc +tcp +short _http._tcp.hostdomain.com SRV | sort)"
expect_eq "NXDOMAIN on the client port too" NXDOMAIN "$(client_status nope.hostdomain.com A)"
expect_eq "REFUSED outside the zones on the client port" REFUSED "$(client_status example.org A)"

# --- TTLs: the client view's SRV and SOA carry client_view.ttl -----------------------------
expect_eq "client view SRV TTL is client_view.ttl" 3 \
  "$(qc +noall +answer _http._tcp.hostdomain.com SRV | ttl_of SRV)"
expect_eq "assignment view SRV TTL is dns.ttl" 60 "$(q +noall +answer _http._tcp.hostdomain.com SRV | ttl_of SRV)"
expect_eq "client view SOA TTL" 3 "$(qc +noall +answer hostdomain.com SOA | ttl_of SOA)"
expect_eq "client view SOA minimum (negative caching)" 3 "$(qc +short hostdomain.com SOA | awk '{print $7}')"
expect_eq "client view keeps the A records' TTL" 60 "$(qc +noall +answer ip4-10-10-10-121.hostdomain.com A | ttl_of A)"

# --- transfers: refused on the client port, allowed (--dev, loopback) on the other --------
expect_contains "AXFR on the assignment port" "ip4-10-10-10-121.hostdomain.com." "$(q +tcp hostdomain.com AXFR)"
# kdig names the rcode of a failed transfer (dig only says "Transfer failed").
kq() { kdig @127.0.0.1 -p "$client_port" +time=2 +retry=0 "$@" 2>&1 || true; }
expect_contains "AXFR on the client port is refused" "Transfer failed" "$(qc hostdomain.com AXFR || true)"
expect_contains "AXFR on the client port is REFUSED" "error 'REFUSED'" "$(kq +tcp hostdomain.com AXFR)"
expect_contains "IXFR on the client port is REFUSED" "error 'REFUSED'" "$(kq +tcp hostdomain.com IXFR=1)"
expect_contains "IXFR over UDP on the client port is REFUSED" "error 'REFUSED'" "$(kq +notcp hostdomain.com IXFR=1)"

# --- zone changes reach the client view; UPDATE works on the client port -----------------
"$PB" tuple add hostdomain.com http tcp 10.10.10.125 80 --priority 1 --weight 40 >/dev/null
expect_contains "a new tuple shows in the client view" "1 40 80 ip4-10-10-10-125.hostdomain.com." \
  "$(qc +short _http._tcp.hostdomain.com SRV)"
expect_eq "serials still match" "$(q +short hostdomain.com SOA | awk '{print $3}')" \
  "$(qc +short hostdomain.com SOA | awk '{print $3}')"
out=$({ echo "server 127.0.0.1 $client_port"; echo "zone hostdomain.com"
        echo "update add _sip._udp.hostdomain.com 60 SRV 1 100 5060 ip4-10-10-10-125.hostdomain.com."
        echo send; } | nsupdate -t 3 -y "$PATCHBAY_TSIG" 2>&1 || true)
expect_eq "nsupdate through the client port answers NOERROR" "" "$out"
expect_eq "the update shows on the assignment port" "1 100 5060 ip4-10-10-10-125.hostdomain.com." \
  "$(q +short _sip._udp.hostdomain.com SRV)"
expect_eq "and on the client port, at the client TTL" "3" "$(qc +noall +answer _sip._udp.hostdomain.com SRV | ttl_of SRV)"

# --- config errors: clear, with file:line:column, exit 2, nothing started -----------------
bad() {  # bad WHAT TOML NEEDLE
  printf '%b' "$2" >"$work/bad.toml"
  expect_exit "$1" 2 "$CTL" --config "$work/bad.toml" --state "$work/bad-state" --dns-listen "127.0.0.1:$(free_port)" \
    --api-listen "127.0.0.1:$(free_port)"
  expect_contains "$1: the message" "$3" "$pb_err"
}
bad "ttl out of range" '[client_view]\nttl = -5\n' "bad.toml:2:7: client_view.ttl must be 0 to 604800 seconds"
bad "warning_weight_percent 0" '[client_view]\nwarning_weight_percent = 0\n' \
  "bad.toml:2:26: client_view.warning_weight_percent must be 1 to 100"
bad "all_down unknown" '[client_view]\nall_down = "random"\n' 'client_view.all_down must be "least-bad" or "empty"'
bad "listen without a port" '[client_view]\nlisten = ["127.0.0.1"]\n' "bad.toml:2:11: client_view.listen: expected ADDR:PORT"
bad "a network that is not one" '[client_view]\nassignment_networks = ["agents"]\n' \
  "bad.toml:2:24: client_view.assignment_networks: not an address"
bad "unknown key" '[client_view]\nttls = 5\n' "unknown key 'client_view.ttls'"
expect_exit "--client-listen on the DNS listen address" 2 "$CTL" --dev --state "$work/bad-state" \
  --dns-listen "127.0.0.1:$dns_port" --client-listen "127.0.0.1:$dns_port" --api-listen "127.0.0.1:$(free_port)"
expect_contains "--client-listen clash: the message" "is also a DNS listen address" "$pb_err"
expect_exit "--client-listen without a port" 2 "$CTL" --dev --client-listen 127.0.0.1
expect_contains "--client-listen: the message" "--client-listen: " "$pb_err"
[ ! -e "$work/bad-state" ] || die "a refused config created state"
ok "a refused config created no state"

# --- without --client-listen: no client listener (--dev adds none) -------------------------
kill "$ctl_pid" && wait "$ctl_pid" 2>/dev/null || true
ctl_args=()
: >"$work/controller.log"
start_controller
expect_eq "no client listener unless asked" "" "$(grep 'DNS for clients' "$work/controller.log" || true)"
expect_eq "nothing answers on the former client port" "" "$(qc +short +time=1 hostdomain.com SOA 2>/dev/null | grep -v '^;' || true)"

echo "client_view: $pb_pass checks passed"
