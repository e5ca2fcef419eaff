#!/bin/bash
# bench/dns: dnsperf against patchbay-controller, Knot and NSD serving the same zone, on
# loopback. See bench/README.md. Root; builds nothing (PATCHBAY_BUILD, default ./build).
#
# Knobs (environment): BENCH_SECONDS (10) per dnsperf run, BENCH_ROUNDS (3) alternating
# rounds, BENCH_CLIENTS (4) dnsperf -c, BENCH_OUTSTANDING (100) dnsperf -q,
# BENCH_QUERIES (5000) lines in the query file, BENCH_SAMPLE (600) names compared across
# the three servers, BENCH_SERVICES (1000; 10 tuples each) for a quick try-out,
# BENCH_LOAD_TIMEOUT (600) seconds allowed for loading the controller, BENCH_LOAD (import:
# one `patchbay zone import` of the zone file; rest: one POST per tuple).
set -euo pipefail

source "$(dirname "$0")/lib.sh"
NSAMPLE=${BENCH_SAMPLE:-600}
LOAD_TIMEOUT=${BENCH_LOAD_TIMEOUT:-600}
LOAD=${BENCH_LOAD:-import}
install_tools dnsperf:dnsperf knotd:knot nsd:nsd dig:bind9-dnsutils

nsd_port=$(free_port)
say "cores: $cores; controller $CTL"

# --- controller: load the zone (zone import, or one REST POST per tuple) ----------------
start_controller
say "loading the zone into the controller (DNS 127.0.0.1:$ctl_dns, API $PATCHBAY_CONTROLLER) by $LOAD"
ntuples=$(grep -c SRV <(python3 "$here/bench.py" zone 0 127.0.0.1))
load_start=$(date +%s.%N)
if [ "$LOAD" = rest ]; then
  timeout "$LOAD_TIMEOUT" python3 "$here/bench.py" load "$PATCHBAY_CONTROLLER" "$PATCHBAY_TOKEN" \
    | tee "$work/load.txt" || die "loading did not finish within ${LOAD_TIMEOUT} s"
else
  # One zone file, one change: the way a zone this size is loaded (patchbay zone import).
  python3 "$here/bench.py" zone "$((ntuples + 1))" 127.0.0.1 >"$work/import.zone"
  timeout "$LOAD_TIMEOUT" "$PB" zone import "$work/import.zone" || die "zone import failed"
fi
load_secs=$(echo "$(date +%s.%N) - $load_start" | bc)
serial=$(soa_serial "$ctl_dns")
[ -n "$serial" ] || die "controller does not answer SOA"

# --- the same records as a zone file (the controller's naming rules, its SOA serial) ----
mkdir -p "$work/nsd"
python3 "$here/bench.py" zone "$serial" 127.0.0.1 >"$work/$ZONE.zone"
python3 "$here/bench.py" queries "$NQUERIES" >"$work/queries.txt"
python3 "$here/bench.py" sample "$NSAMPLE" >"$work/sample.txt"
start_knot "$work/$ZONE.zone" "$serial"

cat >"$work/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$nsd_port
    username: ""
    chroot: ""
    zonesdir: "$work"
    database: ""
    zonelistfile: "$work/nsd/zone.list"
    xfrdfile: "$work/nsd/xfrd.state"
    pidfile: "$work/nsd/nsd.pid"
    logfile: "$work/nsd.log"
    verbosity: 1
    # no NS RRset in the authority section of positive answers, like Knot and the
    # controller: the same answers, and the same response sizes
    minimal-responses: yes
    # response rate limiting is on by default (200 qps per /24): off, as in Knot
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: $ZONE
    zonefile: "$work/$ZONE.zone"
EOF
nsd-checkconf "$work/nsd.conf" || die "bad nsd.conf"
nsd -d -c "$work/nsd.conf" >>"$work/nsd.log" 2>&1 &
nsd_pid=$!; pids+=("$nsd_pid")

wait_until 30 serves_serial "$nsd_port" "$serial" || { cat "$work/nsd.log" >&2; die "nsd does not serve serial $serial"; }
knot_threads=$(ls "/proc/$knot_pid/task" | wc -l)
say "knotd: 127.0.0.1:$knot_port, PID $knot_pid, default workers (udp-workers = nproc = $cores), $knot_threads threads"
say "nsd:   127.0.0.1:$nsd_port, PID $nsd_pid, default server-count (1)"
say "patchbay-controller: 127.0.0.1:$ctl_dns, PID $ctl_pid, $(ls "/proc/$ctl_pid/task" | wc -l) threads (DNS: one UDP worker per core, TCP on the first)"

# --- the three serve the same answers ----------------------------------------------------
# Per query: the question, the rcode, the AA flag, the sorted answer and authority sections
# (the additional section is optional data and left out of the comparison).
answers() {
  dig @127.0.0.1 -p "$1" +norec +time=2 +tries=1 +nocmd +noall +comments +question +answer +authority \
    -f "$work/sample.txt" | awk '
      /->>HEADER<<-/ { st = $0; sub(/.*status: /, "", st); sub(/,.*/, "", st); next }
      /^;; flags:/ { aa = ($0 ~ / aa[ ;]/) ? "aa" : "no-aa"; next }
      /^;[^; ]/ { q = substr($0, 2); gsub(/[ \t]+/, " ", q); print q " " st " " aa; next }
      /^;/ || /^$/ { next }
      { l = $0; gsub(/[ \t]+/, " ", l); print q " " st " " aa " | " l }' | sort -u
}
answers "$ctl_dns" >"$work/ans.controller"
answers "$knot_port" >"$work/ans.knot"
answers "$nsd_port" >"$work/ans.nsd"
nsample=$(grep -vc ' | ' "$work/ans.controller")
[ "$nsample" = "$(wc -l <"$work/sample.txt")" ] || die "only $nsample answers from the controller for $(wc -l <"$work/sample.txt") questions"
for s in knot nsd; do
  if ! diff -u "$work/ans.$s" "$work/ans.controller" >"$work/diff.$s"; then
    head -40 "$work/diff.$s" >&2
    die "controller and $s answer differently ($(grep -c '^[-+][^-+]' "$work/diff.$s") lines differ)"
  fi
done
say "same answers from all three for $nsample sample queries ($(grep -v ' | ' "$work/ans.controller" | cut -d' ' -f4 | sort | uniq -c | xargs))"

# --- dnsperf: alternating rounds ---------------------------------------------------------
declare -A port=([controller]=$ctl_dns [knot]=$knot_port [nsd]=$nsd_port)
declare -A spid=([controller]=$ctl_pid [knot]=$knot_pid [nsd]=$nsd_pid)
servers=(controller knot nsd)
say "dnsperf: $ROUNDS rounds x ${#servers[@]} servers x ${SECONDS_PER_RUN} s, -c $CLIENTS -q $OUTSTANDING, $(wc -l <"$work/queries.txt") queries (40% SRV hit, 30% A hit, 15% NXDOMAIN, 15% NODATA)"
run_rounds "$work/queries.txt"

echo
echo "zone: $ntuples tuples (SRV records), serial $serial; loaded by $LOAD in $(printf '%.1f' "$load_secs") s"
echo "cores (nproc): $cores; knotd udp-workers: $cores (default); nsd server-count: 1 (default); controller: one DNS worker per core (default)"
print_table
printf 'controller/knot: %.2f   controller/nsd: %.2f\n' \
  "$(echo "${med[controller]} / ${med[knot]}" | bc -l)" "$(echo "${med[controller]} / ${med[nsd]}" | bc -l)"
