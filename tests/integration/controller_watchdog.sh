#!/bin/bash
# The controller and systemd's watchdog (WatchdogSec= in units/patchbay-controller.service),
# through a real notify socket (NOTIFY_SOCKET, what systemd hands a Type=notify service):
# READY=1 once it serves, then WATCHDOG=1 every half WATCHDOG_USEC while it is alive;
# no WATCHDOG=1 at all when systemd asked for none, or asked another PID (WATCHDOG_PID).
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
command -v python3 >/dev/null || { echo "skip: needs python3"; exit 77; }

# notify_listen FILE — a unix datagram socket at $work/notify; each message one line of FILE.
rcv_pid=
notify_listen() {
  rm -f "$work/notify"
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True: out.write(s.recv(4096).decode().replace("\n", " ") + "\n")' "$work/notify" "$1" &
  rcv_pid=$!
  wait_until 5 test -S "$work/notify" || die "notify socket did not appear"
}
stop_all() {
  local p
  for p in $ctl_pid $rcv_pid; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  ctl_pid= rcv_pid=
}
trap 'stop_all; cleanup' EXIT
pings() { grep -c '^WATCHDOG=1$' "$1" || true; }

# 1. WATCHDOG_USEC=400 ms: a ping every 200 ms, so 2 s give about ten.
notify_listen "$work/on.log"
export NOTIFY_SOCKET=$work/notify WATCHDOG_USEC=400000
start_controller
wait_until 5 grep -q '^READY=1' "$work/on.log" || die "no READY=1 on the notify socket: $(cat "$work/on.log")"
ok "READY=1 on the notify socket"
sleep 2
n=$(pings "$work/on.log")
[ "$n" -ge 6 ] && [ "$n" -le 14 ] || die "WATCHDOG_USEC=400000: $n WATCHDOG=1 in 2 s, want about 10: $(sort "$work/on.log" | uniq -c)"
ok "WATCHDOG_USEC=400000 ⇒ $n WATCHDOG=1 in 2 s (one every 200 ms)"
kill "$ctl_pid"; wait "$ctl_pid" 2>/dev/null || true; ctl_pid=
grep -q '^STOPPING=1' "$work/on.log" || die "no STOPPING=1 on SIGTERM: $(cat "$work/on.log")"
ok "STOPPING=1 on SIGTERM"
stop_all

# 2. No watchdog asked for, and one asked of another process: READY=1 and not one ping.
for case in "none:" "other-pid:1"; do
  notify_listen "$work/${case%%:*}.log"
  unset WATCHDOG_PID
  if [ "${case%%:*}" = none ]; then unset WATCHDOG_USEC; else export WATCHDOG_USEC=400000 WATCHDOG_PID=${case#*:}; fi
  start_controller
  wait_until 5 grep -q '^READY=1' "$work/${case%%:*}.log" || die "${case%%:*}: no READY=1"
  sleep 1
  expect_eq "${case%%:*}: no WATCHDOG=1 in 1 s" 0 "$(pings "$work/${case%%:*}.log")"
  stop_all
done
echo "controller_watchdog: $pb_pass checks passed"
