# Shared by bench/dns/run.sh and bench/dns/policies.sh: sourced, never run. The work
# directory, the processes started (stopped by PID on exit), free loopback ports, the
# controller and knotd set-ups, CPU accounting and dnsperf's alternating rounds.
#
# Knobs (environment): BENCH_SECONDS (10) per dnsperf run, BENCH_ROUNDS (3) alternating
# rounds, BENCH_CLIENTS (4) dnsperf -c, BENCH_OUTSTANDING (100) dnsperf -q,
# BENCH_QUERIES (5000) lines in the query file.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=$(cd "${PATCHBAY_BUILD:-./build}" 2>/dev/null && pwd) || { echo "no build dir ${PATCHBAY_BUILD:-./build} (run ./build.sh or set PATCHBAY_BUILD)" >&2; exit 2; }
CTL=$BUILD/controller/patchbay-controller
PB=$BUILD/cli/patchbay
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-4}
OUTSTANDING=${BENCH_OUTSTANDING:-100}
NQUERIES=${BENCH_QUERIES:-5000}
ZONE=hostdomain.com

say() { echo "bench: $*"; }
die() { echo "bench: FAIL - $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$CTL" ] || die "no $CTL (build first, or set PATCHBAY_BUILD)"

# install_tools CMD:PACKAGE... — installs the packages whose command is missing, and
# never leaves the Debian services of DNS servers running.
install_tools() {
  local missing=() t
  for t in "$@"; do command -v "${t%%:*}" >/dev/null || missing+=(${t#*:}); done  # a package list may name several
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
    systemctl disable --now knot.service nsd.service pdns.service >/dev/null 2>&1 || true
  fi  # without systemd as PID 1 the packages' services are not started at all
}

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
serves_serial() { [ "$(soa_serial "$1")" = "$2" ]; }  # for wait_until: asked again each time
cores=$(nproc)

# start_controller ARGS... — patchbay-controller --dev on a DNS port of its own ($ctl_dns)
# and an API port; sets ctl_pid and exports PATCHBAY_CONTROLLER, PATCHBAY_TOKEN.
start_controller() {
  ctl_dns=$(free_port); local api; api=$(free_port)
  "$CTL" --dev --state "$work/state" --dns-listen "127.0.0.1:$ctl_dns" --api-listen "127.0.0.1:$api" "$@" \
    >"$work/ctl.exports" 2>"$work/ctl.log" &
  ctl_pid=$!; pids+=("$ctl_pid"); echo "$ctl_pid" >"$work/controller.pid"
  wait_until 10 grep -q PATCHBAY_TOKEN "$work/ctl.exports" || { cat "$work/ctl.log" >&2; die "controller did not start"; }
  eval "$(cat "$work/ctl.exports")"; export PATCHBAY_CONTROLLER PATCHBAY_TOKEN
}

# start_knot ZONEFILE SERIAL — knotd serving ZONEFILE statically; sets knot_port, knot_pid.
start_knot() {
  knot_port=$(free_port)
  mkdir -p "$work/knot"
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
    file: "$1"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
EOF
  knotd -c "$work/knot.conf" >"$work/knot.log" 2>&1 &
  knot_pid=$!; pids+=("$knot_pid")
  wait_until 30 serves_serial "$knot_port" "$2" || { cat "$work/knot.log" >&2; die "knot does not serve serial $2"; }
}

# --- CPU accounting and dnsperf rounds ---------------------------------------------------
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
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# run_rounds QUERYFILE [ECS_HEX] — dnsperf against every server of `servers` (names; the
# arrays `port` and `spid` give their port and PID), in alternating rounds. With ECS_HEX,
# each run is two dnsperf processes side by side, half the clients each: one plain, one
# sending that EDNS Client Subnet option (RFC 7871) in every query, so half the queries
# carry ECS. Fills qps, cpu, lost, sent (summed over the two) and med (median qps).
declare -A qps lost sent cpu med
run_rounds() {
  local queries=$1 ecs=${2:-} r s t0 c q l n out half=$(( CLIENTS / 2 > 0 ? CLIENTS / 2 : 1 ))
  for r in $(seq "$ROUNDS"); do
    for s in "${servers[@]}"; do
      out="$work/dnsperf.$s.$r"
      t0=$(ticks "${spid[$s]}")
      local base=(-s 127.0.0.1 -p "${port[$s]}" -d "$queries" -l "$SECONDS_PER_RUN" -q "$OUTSTANDING" -t 2)
      if [ -z "$ecs" ]; then
        timeout $((SECONDS_PER_RUN + 30)) dnsperf "${base[@]}" -c "$CLIENTS" >"$out.0" 2>&1 \
          || { cat "$out.0" >&2; die "dnsperf against $s failed"; }
        : >"$out.1"
      else
        timeout $((SECONDS_PER_RUN + 30)) dnsperf "${base[@]}" -c "$half" >"$out.0" 2>&1 & local d0=$!
        timeout $((SECONDS_PER_RUN + 30)) dnsperf "${base[@]}" -c "$half" -E "8:$ecs" >"$out.1" 2>&1 & local d1=$!
        wait "$d0" || { cat "$out.0" >&2; die "dnsperf against $s failed"; }
        wait "$d1" || { cat "$out.1" >&2; die "dnsperf (ECS) against $s failed"; }
      fi
      c=$(echo "($(ticks "${spid[$s]}") - $t0) / $hz / $SECONDS_PER_RUN" | bc -l)
      q=$(cat "$out.0" "$out.1" | awk '/Queries per second:/ {s += $4} END {print s}')
      l=$(cat "$out.0" "$out.1" | awk '/Queries lost:/ {s += $3} END {print s}')
      n=$(cat "$out.0" "$out.1" | awk '/Queries sent:/ {s += $3} END {print s}')
      codes=$(awk '/Response codes:/ {sub(/.*codes: /, ""); print}' "$out.0")
      printf 'bench:   round %d  %-10s %8.0f qps  lost %s of %s  server CPU %.2f cores  (%s)\n' \
        "$r" "$s" "$q" "$l" "$n" "$c" "$(echo $codes)"
      qps[$s]="${qps[$s]:-} $q"; cpu[$s]="${cpu[$s]:-} $c"; lost[$s]=$(( ${lost[$s]:-0} + l )); sent[$s]=$(( ${sent[$s]:-0} + n ))
    done
  done
  for s in "${servers[@]}"; do med[$s]=$(echo "${qps[$s]}" | median); done
}

# print_table — one line per server: median qps, lost/sent, CPU; then a warning on loss.
print_table() {
  local s total=0
  printf '%-12s %12s %16s %18s %14s\n' server "qps (median)" "lost/sent" "server CPU (cores)" "CPU µs/query"
  for s in "${servers[@]}"; do
    local c; c=$(echo "${cpu[$s]}" | median)
    printf '%-12s %12.0f %16s %18.2f %14.1f\n' "$s" "${med[$s]}" "${lost[$s]}/${sent[$s]}" "$c" \
      "$(echo "$c * 1000000 / ${med[$s]}" | bc -l)"
    total=$(( total + ${lost[$s]} ))
  done
  [ "$total" = 0 ] || echo "bench: WARNING - $total queries lost (lower BENCH_OUTSTANDING or BENCH_CLIENTS)"
}
