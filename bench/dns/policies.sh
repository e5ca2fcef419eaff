#!/bin/bash
# bench/dns/policies.sh: the client view answering under an account's mapping rules
# (failover + weighted + geo, ECS in half of the queries) against Knot serving the same
# zone statically and PowerDNS Authoritative serving the same rules as LUA records
# (bind backend; ifportup, pickwrandom, netmask on bestwho). See bench/README.md. Root;
# builds nothing (PATCHBAY_BUILD, default ./build). Knobs: lib.sh's, and BENCH_SERVICES.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
install_tools dnsperf:dnsperf knotd:knot pdns_server:"pdns-server pdns-backend-bind" dig:bind9-dnsutils
# dnsperf -E 8:… : ECS 198.51.100.0/24 (family 1, source /24, scope 0), in region us
ECS_US=00011800c63364

say "cores: $cores; controller $CTL"

# --- controller: account, zone, settings; the client view on its own port ----------------
client_port=$(free_port)
start_controller --client-listen "127.0.0.1:$client_port"
"$PB" account add bench >/dev/null
python3 "$here/bench.py" zone 2 127.0.0.1 >"$work/import.zone"
"$PB" zone import "$work/import.zone" --account bench >/dev/null || die "zone import failed"
python3 "$here/bench.py" settings >"$work/bench.toml"
"$PB" policy set bench "$work/bench.toml" || die "the rule set was refused"
serial=$(soa_serial "$ctl_dns")
[ -n "$serial" ] || die "controller does not answer SOA"
nrules=$(grep -c '^\[\[rule\]\]' "$work/bench.toml")
ntuples=$(grep -c ' IN SRV ' "$work/import.zone")

# --- knot: the same zone, statically --------------------------------------------------
python3 "$here/bench.py" zone "$serial" 127.0.0.1 >"$work/$ZONE.zone"
start_knot "$work/$ZONE.zone" "$serial"

# --- PowerDNS: the same zone, every SRV RRset a LUA record ------------------------------
pdns_port=$(free_port)
mkdir -p "$work/pdns"
python3 "$here/bench.py" lua-zone "$serial" 127.0.0.1 >"$work/lua.zone"
cat >"$work/pdns/named.conf" <<EOF
zone "$ZONE" { type master; file "$work/lua.zone"; };
EOF
# receiver-threads = cores, as Knot's udp-workers; health checks once a minute (they run on
# loopback addresses standing for the servers, all refused: ifportup then answers every set).
cat >"$work/pdns/pdns.conf" <<EOF
launch=bind
bind-config=$work/pdns/named.conf
local-address=127.0.0.1
local-port=$pdns_port
socket-dir=$work/pdns
guardian=no
daemon=no
disable-syslog=yes
loglevel=3
enable-lua-records=shared
edns-subnet-processing=yes
lua-health-checks-interval=60
receiver-threads=$cores
EOF
pdns_server --config-dir="$work/pdns" >"$work/pdns.log" 2>&1 &
pdns_pid=$!; pids+=("$pdns_pid")
wait_until 30 serves_serial "$pdns_port" "$serial" || { cat "$work/pdns.log" >&2; die "pdns does not serve serial $serial"; }

# --- the rules hold: the answers of each strategy, with and without ECS ------------------
srv() {  # srv PORT NAME [dig options]
  local p=$1 n=$2; shift 2
  dig @127.0.0.1 -p "$p" +time=2 +tries=1 +short "$@" "_$n._tcp.$ZONE" SRV
}
for s in client:$client_port pdns:$pdns_port; do
  p=${s#*:}
  srv "$p" svc0002 | python3 "$here/bench.py" check-region eu || die "${s%%:*}: geo answer without ECS"
  srv "$p" svc0002 +subnet=198.51.100.0/24 | python3 "$here/bench.py" check-region us || die "${s%%:*}: geo answer with ECS"
  [ "$(srv "$p" svc0000 | awk '{print $1}' | sort -u)" = 1 ] || die "${s%%:*}: failover answers priorities other than 1"
  [ -n "$(srv "$p" svc0001)" ] || die "${s%%:*}: no weighted answer"
done
scope=$(dig @127.0.0.1 -p "$client_port" +subnet=198.51.100.0/24 "_svc0002._tcp.$ZONE" SRV | awk '/CLIENT-SUBNET/ {print $3}')
[ "$scope" = 198.51.100.0/24/24 ] || die "client view: ECS scope in the answer is '$scope', expected 198.51.100.0/24/24"
[ "$(srv "$client_port" svc0000 | wc -l)" = 4 ] || die "client view: failover should answer the 4 records of priority 1"
[ "$(srv "$knot_port" svc0000 | wc -l)" = 10 ] || die "knot: expected all 10 records"
say "rules hold: geo by source and by ECS (scope /24), failover to priority 1, weighted; knot answers statically"

# --- dnsperf -----------------------------------------------------------------------------
python3 "$here/bench.py" queries "$NQUERIES" >"$work/queries.txt"
servers=(controller knot pdns)
declare -A port=([controller]=$client_port [knot]=$knot_port [pdns]=$pdns_port)
declare -A spid=([controller]=$ctl_pid [knot]=$knot_pid [pdns]=$pdns_pid)
say "dnsperf: $ROUNDS rounds x ${#servers[@]} servers x ${SECONDS_PER_RUN} s, -q $OUTSTANDING, two dnsperf of $(( CLIENTS / 2 )) clients each (one with ECS $ECS_US), $(wc -l <"$work/queries.txt") queries (40% SRV hit, 30% A hit, 15% NXDOMAIN, 15% NODATA)"
run_rounds "$work/queries.txt" "$ECS_US"

echo
echo "zone: $ntuples tuples (SRV records), serial $serial; account bench: $nrules rules (failover, weighted, geo), $(grep -c '^\[servers' "$work/bench.toml") server entries"
echo "cores (nproc): $cores; knotd udp-workers: $cores (default); pdns receiver-threads: $cores; controller: one DNS worker per core (default)"
print_table
printf 'controller/knot: %.2f (target >= 0.8)   controller/pdns: %.2f (target >= 3)\n' \
  "$(echo "${med[controller]} / ${med[knot]}" | bc -l)" "$(echo "${med[controller]} / ${med[pdns]}" | bc -l)"
