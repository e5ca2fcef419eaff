# shellcheck shell=bash
# testbed.sh — sourceable bash library: the seed's five servers as real systemd hosts.
#
#   pbt-br    a bridge (br0) joining everything below, nothing else
#   pbt-ctl   10.10.10.1/24   where the controller and the CLI run (on the host, in this netns)
#   pbt-h121 … pbt-h125  10.10.10.121–125/24 on eth0, each with a systemd container
#             (tests/lib/sdct.sh) booted inside it, hostname h121 … h125
#
# 10.10.10.0/24 exists only inside these namespaces: nothing reaches the host's network.
# Every container sees the source and build dirs (bound read-only at the same paths), gets
# the built binaries where the package puts them (/usr/sbin/patchbay-agent,
# /usr/libexec/patchbay/patchbay-demo-listener; the container's root is a writable overlay),
# the unit files of units/ unchanged (so the tests run the real, hardened units: a build
# dir under /tmp or /home would be invisible to them), /etc/patchbay/agent.toml and, once
# the controller is up, /etc/patchbay/agent.token.
#
# Use:   source tests/lib/testbed.sh
#        trap testbed_down EXIT          # always: also when a check fails
#        testbed_up                      # cleans an earlier aborted run first
#        testbed_start_controller        # exports PATCHBAY_CONTROLLER / PATCHBAY_TOKEN
#        testbed_install_token; testbed_start_agents
#        pb tuple add …; host_exec h121 systemctl …; ctl_exec curl …
# Env:   PATCHBAY_BUILD, PATCHBAY_SOURCE (default: ./build of this checkout)
#        PBT_POLL_SECONDS (agent poll_seconds, default 30), PBT_IDLE_POLL_SECONDS (agent
#        idle_poll_seconds; unset: the agent's own default), PBT_HOSTS (default the five),
#        PBT_PROBES (set: health probes in the agents' catalog), PBT_SKIP_INSTALL (hosts that
#        get nothing of pbt_install: e.g. tests/packaging/deb_install.sh installs the .deb)
# State: /var/lib/patchbay-test (never /tmp: the containers' /tmp is their own tmpfs).
# Needs: root, systemd-container, iproute2, curl (./build.sh --tests installs them).

PBT_SOURCE=${PATCHBAY_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PBT_BUILD=${PATCHBAY_BUILD:-$PBT_SOURCE/build}
PBT_STATE=/var/lib/patchbay-test
PBT_RUN=$PBT_STATE/run                     # controller output, pid, logs of this run
PBT_SDCT=$PBT_SOURCE/tests/lib/sdct.sh
read -ra PBT_HOSTS <<<"${PBT_HOSTS:-h121 h122 h123 h124 h125}"
PBT_POLL_SECONDS=${PBT_POLL_SECONDS:-30}
PBT_IDLE_POLL_SECONDS=${PBT_IDLE_POLL_SECONDS:-}
PBT_PROBES=${PBT_PROBES:-}               # set: the agents probe http (GET) and smtp (connect)
PBT_DOMAIN=${PBT_DOMAIN:-hostdomain.com}
PBT_CTL_ADDR=10.10.10.1
PBT_BOOT_TIMEOUT=${PBT_BOOT_TIMEOUT:-60}
PBT_OWNER=
PBT_CONTROLLER_PID=

# ---- small helpers -----------------------------------------------------------------------

pbt_log()  { printf '[testbed] %s\n' "$*" >&2; }
pbt_die()  { printf '[testbed] error: %s\n' "$*" >&2; exit 1; }
pbt_ms()   { echo $(( $(date +%s%N) / 1000000 )); }

# host_addr h123 ⇒ 10.10.10.123 (the host's seed address)
host_addr() { echo "10.10.10.${1#h}"; }

# wait_until SECONDS CMD… — runs CMD every 50 ms until it succeeds; 1 on timeout.
wait_until() {
  local limit=$1; shift
  local end=$(( $(date +%s%N) + limit * 1000000000 ))
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    [ "$(date +%s%N)" -lt "$end" ] || return 1
    sleep 0.05
  done
}

# ---- running things in the test hosts ------------------------------------------------------

# host_exec h121 CMD… — CMD inside the container of h121 (all its namespaces).
host_exec() {
  local h=$1; shift
  SDCT_NAME=pbt-$h SYSTEMD_PAGER='' SYSTEMD_COLORS=0 bash "$PBT_SDCT" exec "$@"
}
# ctl_exec CMD… — CMD on the host, in the controller's network namespace.
ctl_exec() { ip netns exec pbt-ctl "$@"; }
# pb ARGS… — the patchbay CLI, run where an operator would (the controller's network).
pb() { ctl_exec "$PBT_BUILD/cli/patchbay" "$@"; }

# host_units h121 — the active patchbay-*@ instances in h121, one a line, sorted.
host_units() {
  host_exec "$1" systemctl list-units --plain --no-legend --no-pager --state=active \
    'patchbay-*@*' | awk '{print $1}' | sort
}
# unit_show h121 UNIT PROP — one property of a unit (e.g. MainPID, ActiveEnterTimestamp).
unit_show() { host_exec "$1" systemctl show -P "$3" "$2"; }
unit_active() { [ "$(host_exec "$1" systemctl is-active "$2" 2>/dev/null)" = active ]; }

# host_addr_del h123 [ADDR/LEN] / host_addr_add h123 [ADDR/LEN] — unbind / bind an address.
host_addr_del() { ip -n "pbt-$1" addr del "${2:-$(host_addr "$1")/24}" dev eth0; }
host_addr_add() { ip -n "pbt-$1" addr add "${2:-$(host_addr "$1")/24}" dev eth0; }

# probe_http ADDR PORT — prints the body a demo http listener answers (curl, 2 s bound).
probe_http() { ctl_exec curl -sS --max-time 2 "http://$1:$2/"; }
# probe_smtp ADDR PORT — prints the SMTP greeting line, then says QUIT (3 s bound).
probe_smtp() {
  ctl_exec timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1
    IFS= read -r line <&3 || exit 1; printf "QUIT\r\n" >&3; IFS= read -r bye <&3
    printf "%s\n" "${line%$'"'"'\r'"'"'}"' "$1" "$2"
}
# probe_closed ADDR PORT — true when nothing accepts TCP on ADDR:PORT (2 s bound).
probe_closed() { ! ctl_exec timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null; }

# ---- network ------------------------------------------------------------------------------

pbt_netns_up() {
  ip netns add pbt-br
  ip -n pbt-br link set lo up
  ip -n pbt-br link add br0 type bridge forward_delay 0 stp_state 0
  ip -n pbt-br link set br0 up
  local n addr
  for n in ctl "${PBT_HOSTS[@]}"; do
    ip netns add "pbt-$n"
    ip -n "pbt-$n" link set lo up
    # Both ends are created inside pbt-br and one is moved: nothing is ever created in
    # the host's own namespace, so no name there can collide or leak.
    ip -n pbt-br link add "v-$n" type veth peer name eth0 netns "pbt-$n"
    ip -n pbt-br link set "v-$n" master br0 up
    if [ "$n" = ctl ]; then addr=$PBT_CTL_ADDR; else addr=$(host_addr "$n"); fi
    ip -n "pbt-$n" addr add "$addr/24" dev eth0
    ip -n "pbt-$n" link set eth0 up
  done
}

# ---- containers ---------------------------------------------------------------------------

pbt_container_start() {
  local h=$1
  SDCT_NAME=pbt-$h SDCT_NETNS=pbt-$h SDCT_HOSTNAME=$h SDCT_LIFETIME=${PBT_LIFETIME:-3600} \
  SDCT_NSPAWN_ARGS="--bind-ro=$PBT_SOURCE --bind-ro=$PBT_BUILD" \
    bash "$PBT_SDCT" start
}

# pbt_install h121 — binaries where the package puts them, the units unchanged, agent config.
pbt_install() {
  local h=$1 u
  host_exec "$h" mkdir -p /etc/patchbay /run/patchbay/env /etc/systemd/system
  host_exec "$h" install -D -m 755 "$PBT_BUILD/agent/patchbay-agent" /usr/sbin/patchbay-agent
  host_exec "$h" install -D -m 755 "$PBT_BUILD/examples/patchbay-demo-listener" \
    /usr/libexec/patchbay/patchbay-demo-listener
  for u in patchbay-agent.service patchbay-http@.service patchbay-smtp@.service; do
    host_exec "$h" install -m 644 "$PBT_SOURCE/units/$u" "/etc/systemd/system/$u"
  done
  pbt_agent_toml "$h" | host_exec "$h" tee /etc/patchbay/agent.toml >/dev/null
  host_exec "$h" systemctl daemon-reload
}

pbt_agent_toml() {
  cat <<EOF
# written by tests/lib/testbed.sh for test host $1
[agent]
name = "$1"
domains = ["$PBT_DOMAIN"]
resolvers = ["$PBT_CTL_ADDR:53"]
controller = "http://$PBT_CTL_ADDR:8080"
token_file = "/etc/patchbay/agent.token"
notify_listen = "0.0.0.0:5300"
poll_seconds = $PBT_POLL_SECONDS
${PBT_IDLE_POLL_SECONDS:+idle_poll_seconds = $PBT_IDLE_POLL_SECONDS}

[services.http]
unit = "patchbay-http@.service"

[services.smtp]
unit = "patchbay-smtp@.service"
EOF
  if [ -n "$PBT_PROBES" ]; then
    cat <<EOF

[services.http.probe]
kind = "http"

[services.smtp.probe]
kind = "tcp"
EOF
  fi
}

# ---- up / down ----------------------------------------------------------------------------

testbed_up() {
  [ "$(id -u)" = 0 ] || pbt_die "needs root (network namespaces, systemd containers)"
  local t
  for t in systemd-nspawn ip nsenter unshare curl; do
    command -v "$t" >/dev/null || pbt_die "missing '$t': run ./build.sh --tests"
  done
  [ -x "$PBT_BUILD/examples/patchbay-demo-listener" ] ||
    pbt_die "missing $PBT_BUILD/examples/patchbay-demo-listener: build first (./build.sh)"
  mkdir -p "$PBT_STATE"
  # One testbed at a time on a machine: the names and addresses are fixed.
  # A pid file, not flock: an inherited lock fd would outlive a killed test in any
  # orphaned child and block the next run.
  local owner; owner=$(cat "$PBT_STATE/owner" 2>/dev/null || true)
  if [ -n "$owner" ] && [ "$owner" != $$ ] && [ -e "/proc/$owner" ]; then
    pbt_die "testbed in use by pid $owner ($(tr '\0' ' ' <"/proc/$owner/cmdline" | cut -c1-60)); if stale: rm $PBT_STATE/owner"
  fi
  echo $$ >"$PBT_STATE/owner"; PBT_OWNER=1
  pbt_cleanup                     # leftovers of an earlier run that was killed hard
  rm -rf "$PBT_RUN"; mkdir -p "$PBT_RUN"

  local t0; t0=$(pbt_ms)
  pbt_netns_up
  local h
  for h in "${PBT_HOSTS[@]}"; do pbt_container_start "$h"; done
  for h in "${PBT_HOSTS[@]}"; do
    SDCT_NAME=pbt-$h bash "$PBT_SDCT" wait "$PBT_BOOT_TIMEOUT" >/dev/null ||
      pbt_die "container $h did not boot (log: $PBT_STATE/pbt-$h/console.log)"
  done
  PBT_BOOT_MS=$(( $(pbt_ms) - t0 ))
  for h in "${PBT_HOSTS[@]}"; do
    [[ " ${PBT_SKIP_INSTALL:-} " == *" $h "* ]] || pbt_install "$h"
  done
  pbt_log "up: ${#PBT_HOSTS[@]} hosts booted in ${PBT_BOOT_MS} ms (${PBT_HOSTS[*]})"
}

# Removes everything a testbed (this one or an aborted earlier one) may have left:
# the controller, the containers (their cgroups, processes and state dirs), the network
# namespaces (which takes their veths and the bridge with them). Idempotent.
pbt_cleanup() {
  local pid d n
  if [ -s "$PBT_RUN/controller.pid" ]; then
    pid=$(cat "$PBT_RUN/controller.pid")
    # Only our controller: the pid file may be stale and the number reused.
    if [ -e "/proc/$pid" ] && [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == */patchbay-controller ]]; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 30); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PBT_RUN/controller.pid"
  fi
  PBT_CONTROLLER_PID=
  local stops=()
  for d in "$PBT_STATE"/pbt-*; do       # in parallel: each halt takes a few seconds
    [ -d "$d" ] || continue
    SDCT_NAME=$(basename "$d") bash "$PBT_SDCT" stop &
    stops+=($!)
  done
  for pid in "${stops[@]}"; do wait "$pid" || true; done
  # Only empty mountpoint dirs and logs remain; console.log of the last run stays readable.
  for n in $(ip netns list 2>/dev/null | awk '$1 ~ /^pbt-/ {print $1}'); do
    # Whatever still runs in a namespace of ours (e.g. a controller of a killed run)
    # was started by a testbed: end it before the namespace goes.
    for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$n" 2>/dev/null || true
  done
}

testbed_down() {
  local rc=$?
  trap - INT TERM
  pbt_cleanup
  if [ -n "$PBT_OWNER" ]; then rm -f "$PBT_STATE/owner"; PBT_OWNER=; fi
  return $rc
}

# ---- controller and agents ----------------------------------------------------------------

pbt_have_exports() {
  grep -q '^export PATCHBAY_TOKEN=' "$PBT_RUN/controller.out" &&
    grep -q '^export PATCHBAY_CONTROLLER=' "$PBT_RUN/controller.out"
}

# testbed_start_controller [ARGS…] — patchbay-controller --dev in pbt-ctl; waits (10 s) for
# its export lines and exports PATCHBAY_CONTROLLER, PATCHBAY_TOKEN and PATCHBAY_TSIG.
testbed_start_controller() {
  local bin=$PBT_BUILD/controller/patchbay-controller
  [ -x "$bin" ] || pbt_die "missing $bin: build first (./build.sh)"
  : >"$PBT_RUN/controller.out"
  # --state under $PBT_RUN, not --dev's own temporary dir in /tmp: a controller killed
  # with -9 (as the tests do) cannot remove that, and the next testbed_up removes ours.
  mkdir -p "$PBT_RUN/controller-state"
  # `ip netns exec` execs (no fork), so $! is the controller's own PID.
  ip netns exec pbt-ctl "$bin" --dev --state "$PBT_RUN/controller-state" \
    --dns-listen "$PBT_CTL_ADDR:53" --api-listen "$PBT_CTL_ADDR:8080" "$@" \
    >"$PBT_RUN/controller.out" 2>"$PBT_RUN/controller.log" </dev/null &
  PBT_CONTROLLER_PID=$!
  disown "$PBT_CONTROLLER_PID"   # we stop it by PID ourselves; no "Killed" job notice
  echo "$PBT_CONTROLLER_PID" >"$PBT_RUN/controller.pid"
  if ! wait_until 10 pbt_have_exports; then
    tail -20 "$PBT_RUN/controller.log" >&2
    pbt_die "controller printed no export lines within 10 s (out: $PBT_RUN/controller.out)"
  fi
  eval "$(grep -E '^export PATCHBAY_(CONTROLLER|TOKEN|TSIG)=' "$PBT_RUN/controller.out")"
  export PATCHBAY_CONTROLLER PATCHBAY_TOKEN PATCHBAY_TSIG
  # The API answering is what the CLI needs; DNS comes up with it.
  wait_until 10 ctl_exec curl -s -o /dev/null --max-time 1 "$PATCHBAY_CONTROLLER/" ||
    pbt_die "controller API $PATCHBAY_CONTROLLER does not answer within 10 s"
  pbt_log "controller pid $PBT_CONTROLLER_PID at $PATCHBAY_CONTROLLER"
}

# testbed_stop_controller [SIGNAL] — kills the controller this testbed started (by its PID;
# default TERM, KILL after 5 s).
testbed_stop_controller() {
  [ -n "$PBT_CONTROLLER_PID" ] || return 0
  kill -"${1:-TERM}" "$PBT_CONTROLLER_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$PBT_CONTROLLER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$PBT_CONTROLLER_PID" 2>/dev/null || true
  PBT_CONTROLLER_PID=; rm -f "$PBT_RUN/controller.pid"
}

# testbed_install_token [TOKEN] — /etc/patchbay/agent.token (0600) in every host.
testbed_install_token() {
  local token=${1:-${PATCHBAY_TOKEN:?no token: start the controller first}} h
  for h in "${PBT_HOSTS[@]}"; do
    printf '%s\n' "$token" | host_exec "$h" install -m 600 /dev/stdin /etc/patchbay/agent.token
  done
}

# testbed_start_agents — patchbay-agent.service in every host (Type=notify: returns once
# each agent said READY=1; bounded to 20 s per host).
testbed_start_agents() {
  local h
  [ -x "$PBT_BUILD/agent/patchbay-agent" ] || pbt_die "missing $PBT_BUILD/agent/patchbay-agent: build first"
  for h in "${PBT_HOSTS[@]}"; do
    if ! host_exec "$h" timeout 20 systemctl start patchbay-agent.service; then
      host_exec "$h" journalctl -u patchbay-agent --no-pager -n 30 >&2 || true
      pbt_die "patchbay-agent.service did not start in $h"
    fi
  done
}

# testbed_dump_logs [HOST…] — what helps to see why a check failed: the agent's journal
# of each host (default all), its units, and the controller's log.
testbed_dump_logs() {
  local h hosts=("$@")
  [ ${#hosts[@]} -gt 0 ] || hosts=("${PBT_HOSTS[@]}")
  for h in "${hosts[@]}"; do
    echo "----- $h: systemctl list-units 'patchbay-*'" >&2
    host_exec "$h" systemctl list-units --all --plain --no-legend --no-pager 'patchbay-*' >&2 || true
    echo "----- $h: journalctl -u patchbay-agent (last 40)" >&2
    host_exec "$h" journalctl -u patchbay-agent --no-pager -n 40 -o short-precise >&2 || true
  done
  if command -v dig >/dev/null; then
    echo "----- DNS from pbt-ctl: SRV _http._tcp / _smtp._tcp.$PBT_DOMAIN @$PBT_CTL_ADDR" >&2
    ctl_exec dig +short +time=1 +tries=1 @"$PBT_CTL_ADDR" SRV "_http._tcp.$PBT_DOMAIN" >&2 || true
    ctl_exec dig +short +time=1 +tries=1 @"$PBT_CTL_ADDR" SRV "_smtp._tcp.$PBT_DOMAIN" >&2 || true
  fi
  if [ -e "$PBT_RUN/controller.log" ]; then
    echo "----- controller log (last 40): $PBT_RUN/controller.log" >&2
    tail -n 40 "$PBT_RUN/controller.log" >&2
  fi
}
