# Checks shared by the end-to-end tests (sourced after testbed.sh): one line per check,
# logs of the hosts concerned on failure, and unit snapshots that prove nothing restarted.

# require_binaries — stop early, with the fix, when the build is missing.
require_binaries() {
  local b
  for b in controller/patchbay-controller agent/patchbay-agent cli/patchbay examples/patchbay-demo-listener; do
    [ -x "$PBT_BUILD/$b" ] || { echo "not ok - missing $PBT_BUILD/$b (build first: ./build.sh)" >&2; exit 1; }
  done
}

ok()   { echo "ok - $*"; }
# fail MESSAGE [HOST…] — the message, then logs of the hosts concerned (default all).
fail() {
  local msg=$1; shift
  echo "not ok - $msg" >&2
  testbed_dump_logs "$@"
  exit 1
}
unit_of() { echo "patchbay-$1@$2:$3-tcp.service"; }     # IPv4 needs no escaping
unit_inactive() { ! unit_active "$@"; }

# snapshot [HOST…] — "host unit MainPID ActiveEnterTimestampMonotonic" for each active
# instance: equal snapshots ⇒ nothing was stopped, started or restarted.
snapshot() {
  local h u hosts=("$@")
  [ ${#hosts[@]} -gt 0 ] || hosts=("${PBT_HOSTS[@]}")
  for h in "${hosts[@]}"; do
    for u in $(host_units "$h"); do
      echo "$h $u $(unit_show "$h" "$u" MainPID) $(unit_show "$h" "$u" ActiveEnterTimestampMonotonic)"
    done
  done
}
same_snapshot() {  # same_snapshot "$before" WHAT HOST…
  local before=$1 what=$2; shift 2
  local after; after=$(snapshot "$@")
  [ "$before" = "$after" ] ||
    fail "$what: units changed"$'\n'"before:"$'\n'"$before"$'\n'"after:"$'\n'"$after" "$@"
}
