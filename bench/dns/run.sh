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

here=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${PATCHBAY_BUILD:-./build}" 2>/dev/null && pwd) || { echo "no build dir ${PATCHBAY_BUILD:-./build} (run ./build.sh or set PATCHBAY_BUILD)" >&2; exit 2; }
CTL=$BUILD/controller/patchbay-controller
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-4}
OUTSTANDING=${BENCH_OUTSTANDING:-100}
NQUERIES=${BENCH_QUERIES:-5000}
NSAMPLE=${BENCH_SAMPLE:-600}
LOAD_TIMEOUT=${BENCH_LOAD_TIMEOUT:-600}
LOAD=${BENCH_LOAD:-import}
ZONE=hostdomain.com

say() { echo "bench: $*"; }
die() { echo "bench: FAIL - $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$CTL" ] || die "no $CTL (build first, or set PATCHBAY_BUILD)"

# --- tools: install what is missing; never leave the Debian services running ----------
missing=()
command -v dnsperf >/dev/null || missing+=(dnsperf)
command -v knotd >/dev/null || missing+=(knot)
command -v nsd >/dev/null || missing+=(nsd)
command -v dig >/dev/null || missing+=(bind9-dnsutils)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
  systemctl disable --now knot.service nsd.service >/dev/null 2>&1 || true
fi  # without systemd as PID 1 the packages' services are not started at all

# --- work dir, processes, cleanup --------------------------------------------------------
work=$(mktemp -d /tmp/patchbay-bench-XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {  # an unused loopback port (UDP and TCP), not one handed out already
  local p
  for _ in $(seq 100); do
    p=$(( 10000 + RANDOM % 22000 ))  # below the kernel's ephemeral ports (32768-)
    [[ " ${used_ports:-} " == *" $p "* ]] && continue
    ss -Htuan "( sport = :$p )" | grep -q . && continue
    used_ports="${used_ports:-} $p"; echo "$p"; return 0
  done
  die "no free port"
}
wait_until() {  # wait_until SECONDS CMD...: every 50 ms
  local end=$(( $(date +%s) + $1 )); shift
  while [ "$(date +%s)" -lt "$end" ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}
soa_serial() { dig @127.0.0.1 -p "$1" +time=1 +tries=1 +short "$ZONE" SOA | awk '{print $3}'; }

ctl_dns=$(free_port); ctl_api=$(free_port); knot_port=$(free_port); nsd_port=$(free_port)
cores=$(nproc)
say "cores: $cores; controller $CTL"

# --- controller: load the zone (zone import, or one REST POST per tuple) ----------------
"$CTL" --dev --state "$work/state" --dns-listen "127.0.0.1:$ctl_dns" --api-listen "127.0.0.1:$ctl_api" \
  >"$work/ctl.exports" 2>"$work/ctl.log" &
ctl_pid=$!; pids+=("$ctl_pid"); echo "$ctl_pid" >"$work/controller.pid"
wait_until 10 grep -q PATCHBAY_TOKEN "$work/ctl.exports" || { cat "$work/ctl.log" >&2; die "controller did not start"; }
eval "$(cat "$work/ctl.exports")"; export PATCHBAY_CONTROLLER PATCHBAY_TOKEN
say "loading the zone into the controller (DNS 127.0.0.1:$ctl_dns, API $PATCHBAY_CONTROLLER) by $LOAD"
ntuples=$(grep -c SRV <(python3 "$here/bench.py" zone 0 127.0.0.1))
load_start=$(date +%s.%N)
if [ "$LOAD" = rest ]; then
  timeout "$LOAD_TIMEOUT" python3 "$here/bench.py" load "$PATCHBAY_CONTROLLER" "$PATCHBAY_TOKEN" \
    | tee "$work/load.txt" || die "loading did not finish within ${LOAD_TIMEOUT} s"
else
  # One zone file, one change: the way a zone this size is loaded (patchbay zone import).
  python3 "$here/bench.py" zone "$((ntuples + 1))" 127.0.0.1 >"$work/import.zone"
  timeout "$LOAD_TIMEOUT" "$BUILD/cli/patchbay" zone import "$work/import.zone" || die "zone import failed"
fi
load_secs=$(echo "$(date +%s.%N) - $load_start" | bc)
serial=$(soa_serial "$ctl_dns")
[ -n "$serial" ] || die "controller does not answer SOA"

# --- the same records as a zone file (the controller's naming rules, its SOA serial) ----
mkdir -p "$work/knot" "$work/nsd"
python3 "$here/bench.py" zone "$serial" 127.0.0.1 >"$work/$ZONE.zone"
python3 "$here/bench.py" queries "$NQUERIES" >"$work/queries.txt"
python3 "$here/bench.py" sample "$NSAMPLE" >"$work/sample.txt"

cat >"$work/knot.conf" <<EOF
server:
    rundir: "$work/knot"
    listen: 127.0.0.1@$knot_port
log:
  - target: stderr
    any: info
database:
    storage: "$work/knot"
zone:
  - domain: $ZONE
    file: "$work/$ZONE.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
EOF
knotd -c "$work/knot.conf" >"$work/knot.log" 2>&1 &
knot_pid=$!; pids+=("$knot_pid")

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

for s in knot:$knot_port nsd:$nsd_port; do
  wait_until 30 test "$(soa_serial "${s#*:}")" = "$serial" \
    || { cat "$work/${s%%:*}.log" >&2; die "${s%%:*} does not serve serial $serial"; }
done
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
declare -A qps lost sent cpu
declare -A spid=([controller]=$ctl_pid [knot]=$knot_pid [nsd]=$nsd_pid)
tree() { local c; echo "$1"; for c in $(pgrep -P "$1" || true); do tree "$c"; done; }
ticks() {  # CPU ticks (user + system) of a process and its descendants (nsd serves from a child)
  local p t=0
  for p in $(tree "$1"); do
    # fields after "(comm) ", which may hold blanks ("nsd: server 1"): utime, stime 12 and 13
    t=$(( t + $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0) ))
  done
  echo "$t"
}
hz=$(getconf CLK_TCK)
servers=(controller knot nsd)
say "dnsperf: $ROUNDS rounds x ${#servers[@]} servers x ${SECONDS_PER_RUN} s, -c $CLIENTS -q $OUTSTANDING, $(wc -l <"$work/queries.txt") queries (40% SRV hit, 30% A hit, 15% NXDOMAIN, 15% NODATA)"
for r in $(seq "$ROUNDS"); do
  for s in "${servers[@]}"; do
    out="$work/dnsperf.$s.$r"
    t0=$(ticks "${spid[$s]}")
    timeout $((SECONDS_PER_RUN + 30)) dnsperf -s 127.0.0.1 -p "${port[$s]}" -d "$work/queries.txt" \
      -l "$SECONDS_PER_RUN" -c "$CLIENTS" -q "$OUTSTANDING" -t 2 >"$out" 2>&1 || { cat "$out" >&2; die "dnsperf against $s failed"; }
    c=$(echo "($(ticks "${spid[$s]}") - $t0) / $hz / $SECONDS_PER_RUN" | bc -l)
    q=$(awk '/Queries per second:/ {print $4}' "$out")
    l=$(awk '/Queries lost:/ {print $3}' "$out")
    n=$(awk '/Queries sent:/ {print $3}' "$out")
    codes=$(awk '/Response codes:/ {sub(/.*codes: /, ""); print}' "$out")
    printf 'bench:   round %d  %-10s %8.0f qps  lost %s of %s  server CPU %.2f cores  (%s)\n' \
      "$r" "$s" "$q" "$l" "$n" "$c" "$(echo $codes)"
    qps[$s]="${qps[$s]:-} $q"; cpu[$s]="${cpu[$s]:-} $c"; lost[$s]=$(( ${lost[$s]:-0} + l )); sent[$s]=$(( ${sent[$s]:-0} + n ))
  done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
declare -A med
for s in "${servers[@]}"; do med[$s]=$(echo "${qps[$s]}" | median); done

echo
echo "zone: $ntuples tuples (SRV records), serial $serial; loaded by $LOAD in $(printf '%.1f' "$load_secs") s"
echo "cores (nproc): $cores; knotd udp-workers: $cores (default); nsd server-count: 1 (default); controller: one DNS worker per core (default)"
printf '%-12s %12s %16s %18s\n' server "qps (median)" "lost/sent" "server CPU (cores)"
for s in "${servers[@]}"; do
  printf '%-12s %12.0f %16s %18.2f\n' "$s" "${med[$s]}" "${lost[$s]}/${sent[$s]}" "$(echo "${cpu[$s]}" | median)"
done
printf 'controller/knot: %.2f   controller/nsd: %.2f\n' \
  "$(echo "${med[controller]} / ${med[knot]}" | bc -l)" "$(echo "${med[controller]} / ${med[nsd]}" | bc -l)"
total_lost=$(( ${lost[controller]} + ${lost[knot]} + ${lost[nsd]} ))
[ "$total_lost" = 0 ] || echo "bench: WARNING - $total_lost queries lost (lower BENCH_OUTSTANDING or BENCH_CLIENTS)"
