#!/bin/bash
# sdct.sh — a throw-away systemd (PID 1) container for patchbay's end-to-end tests.
#   The root is an overlay of the host "/" (lower = / read-only, upper = a fresh tmpfs),
#   mounted only inside a private mount namespace: the host's files are never written and
#   the mounts vanish with the container. systemd boots basic.target with timers.target
#   masked, always in a test network namespace or a private network.
# usage: sdct.sh start | wait [timeout_s] | pid | exec CMD... | busaddr | stop | running
# env:   SDCT_NAME      container name (default pbtest); state in /var/lib/patchbay-test/NAME
#        SDCT_NETNS     network namespace in /run/netns (default: --private-network)
#        SDCT_HOSTNAME  hostname inside (default: SDCT_NAME)
#        SDCT_NSPAWN_ARGS  extra nspawn args, e.g. "--bind-ro=/src/build"
#        SDCT_LIFETIME  seconds before the container is killed regardless (default 3600)
#
# Safety (learned the hard way, keep it): never run /lib/systemd/systemd on the host's real
# root filesystem — its tmpfiles setup wiped the host's /tmp once. Never boot the default
# target (it would start every service enabled on the host) and never share the host's
# network. Everything this script starts lives in one cgroup, swept by `stop`.
set -euo pipefail
NAME=${SDCT_NAME:-pbtest}
case "$NAME" in *[!A-Za-z0-9_-]*|'') echo "sdct: bad SDCT_NAME '$NAME'" >&2; exit 2;; esac
BASE=/var/lib/patchbay-test/$NAME
CG=patchbay-test-$NAME          # our cgroup name, in every hierarchy nspawn cares about
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then CG_DIRS=/sys/fs/cgroup/$CG
else CG_DIRS=; for h in systemd unified; do [ -d /sys/fs/cgroup/$h ] && CG_DIRS+=" /sys/fs/cgroup/$h/$CG"; done; fi

alive() { [ -n "${1:-}" ] && [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
# Host PID of the container's PID 1: the child of systemd-nspawn, itself the child of
# `timeout` (whose PID is in $BASE/pid). Cached in $BASE/leader once the boot is done.
leader() {
  local l t n
  if [ -s "$BASE/leader" ] && l=$(cat "$BASE/leader") && grep -q "/$CG/" "/proc/$l/cgroup" 2>/dev/null \
     && alive "$l"; then echo "$l"; return; fi
  t=$(cat "$BASE/pid" 2>/dev/null) && n=$(pgrep -P "$t" | head -1) && pgrep -P "$n" | head -1; }

case "${1:-}" in
start)
  shift
  [ $# -eq 0 ] || { echo "sdct: start takes no arguments (the boot target is fixed)" >&2; exit 2; }
  [ -e "$BASE/pid" ] && { echo "sdct: $BASE/pid exists: $NAME already started? (sdct.sh stop)" >&2; exit 1; }
  [ -x /lib/systemd/systemd ] && command -v systemd-nspawn >/dev/null ||
    { echo "sdct: needs systemd and systemd-nspawn (apt-get install --no-install-recommends systemd-container)" >&2; exit 1; }
  NET=--private-network
  if [ -n "${SDCT_NETNS:-}" ]; then
    [ -e "/run/netns/$SDCT_NETNS" ] || { echo "sdct: no network namespace /run/netns/$SDCT_NETNS" >&2; exit 1; }
    NET=--network-namespace-path=/run/netns/$SDCT_NETNS
  fi
  mkdir -p "$BASE/ovl" "$BASE/root"; rm -f "$BASE/leader"
  # The overlay shows the host's /etc/hostname, which systemd prefers over nspawn's
  # --hostname: give the container its own file.
  printf '%s\n' "${SDCT_HOSTNAME:-$NAME}" > "$BASE/hostname"
  (
    # Our own cgroup, so nspawn --keep-unit puts the whole container there and `stop`
    # can sweep anything left.
    for d in $CG_DIRS; do mkdir -p "$d"; echo $BASHPID > "$d/cgroup.procs"; done
    exec unshare --mount --propagation private bash -c '
      set -e; B=$0
      mount -t tmpfs -o size=2G,mode=755 pbt-upper "$B/ovl"
      mkdir "$B/ovl/upper" "$B/ovl/work"
      mount -t overlay pbt-root -o lowerdir=/,upperdir="$B/ovl/upper",workdir="$B/ovl/work" "$B/root"
      exec timeout -k 30 "$1" systemd-nspawn --quiet --register=no --keep-unit -D "$B/root" "${@:2}"' \
      "$BASE" "${SDCT_LIFETIME:-3600}" --machine="$NAME" --hostname="${SDCT_HOSTNAME:-$NAME}" "$NET" \
      --bind-ro="$BASE/hostname:/etc/hostname" \
      ${SDCT_NSPAWN_ARGS:-} --console=read-only --boot \
      systemd.unit=basic.target systemd.mask=timers.target
  ) >"$BASE/console.log" 2>&1 </dev/null &
  echo $! > "$BASE/pid" ;;
wait)
  end=$(( $(date +%s) + ${2:-60} )); s=
  while [ "$(date +%s)" -lt "$end" ]; do
    s=
    if L=$(leader 2>/dev/null) && [ -n "$L" ] && [ "$(cat "/proc/$L/comm" 2>/dev/null)" = systemd ]; then
      s=$(nsenter -t "$L" -a systemctl is-system-running 2>/dev/null) || true; fi
    case "$s" in running|degraded) echo "$L" > "$BASE/leader"; echo "$s"; exit 0;; esac
    alive "$(cat "$BASE/pid" 2>/dev/null)" || { echo "sdct: container $NAME died:" >&2; tail -20 "$BASE/console.log" >&2; exit 1; }
    sleep 0.1
  done; echo "sdct: $NAME: boot timeout (state=${s:-?})" >&2; exit 1 ;;
running) L=$(leader 2>/dev/null) && alive "$L" ;;
pid)     L=$(leader) && [ -n "$L" ] && echo "$L" ;;
exec)    shift; L=$(leader) && [ -n "$L" ] || { echo "sdct: $NAME is not running" >&2; exit 1; }
         exec nsenter -t "$L" -a "$@" ;;
busaddr) echo "unix:path=/proc/$(leader)/root/run/dbus/system_bus_socket" ;;
stop)
  # Idempotent: works on a half-started, crashed or already stopped container.
  [ -e "$BASE" ] || exit 0
  T=$(cat "$BASE/pid" 2>/dev/null || true); L=$(leader 2>/dev/null || true)
  # Only signal PIDs that are still ours (in our cgroup): a stale pid file after a reboot
  # could name someone else's process.
  ours() { alive "$1" && grep -q "/$CG\(/\|$\)" "/proc/$1/cgroup" 2>/dev/null; }
  if ours "$L"; then kill -s RTMIN+3 "$L" 2>/dev/null || true   # systemd: SIGRTMIN+3 = halt
  elif ours "$T"; then kill -TERM "$T" 2>/dev/null || true; fi  # timeout -> nspawn -> halts it
  for _ in $(seq 100); do ours "$L" || ours "$T" || break; sleep 0.1; done
  ours "$L" && kill -9 "$L" 2>/dev/null   # PID 1 of the pid namespace dies => kernel kills all in it
  ours "$T" && kill -9 "$T" 2>/dev/null
  sleep 0.2
  for d in $CG_DIRS; do                   # sweep: nothing may be left in our cgroup
    [ -d "$d" ] || continue
    for _ in 1 2 3; do
      left=$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | tr '\n' ' ' || true)
      [ -n "${left// /}" ] || break
      echo "sdct: $NAME: killing leftover pids: $left" >&2; kill -9 $left 2>/dev/null || true; sleep 0.3
    done
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  # nspawn's lock/propagate dirs (on a host whose /run is on disk they would stay).
  pgrep -x systemd-nspawn >/dev/null || rm -rf /run/systemd/nspawn
  # Mountpoints: only ever empty directories on the host (the mounts lived in the
  # container's private mount namespace). rmdir, never rm -rf, on them.
  rmdir "$BASE/ovl" "$BASE/root" 2>/dev/null || true
  rm -f "$BASE/pid" "$BASE/leader" "$BASE/hostname" "$BASE/.#root.lck" ;;
*) sed -n '2,12p' "$0"; exit 2 ;;
esac
