# A --dev controller on free loopback ports for the script tests, stopped by a trap:
# start_controller (again after a kill, with the same state), q (dig against it),
# status_of (the rcode dig saw). Sourced by tests/integration and tests/conformance.
source "$(dirname "${BASH_SOURCE[0]}")/assert.sh"
BUILD=${PATCHBAY_BUILD:?set PATCHBAY_BUILD to the build directory}
CTL=$BUILD/controller/patchbay-controller
PB=$BUILD/cli/patchbay
LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

work=$(mktemp -d /tmp/patchbay-test-XXXXXX)
ctl_pid=
cleanup() {
  [ -n "$ctl_pid" ] && kill "$ctl_pid" 2>/dev/null && wait "$ctl_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

ctl_args=()  # more controller flags, e.g. (--config FILE)
dns_port=$(free_port)
api_port=$(free_port)

start_controller() {
  "$CTL" --dev --state "$work/state" --dns-listen "127.0.0.1:$dns_port" --api-listen "127.0.0.1:$api_port" \
    "${ctl_args[@]}" >"$work/exports" 2>>"$work/controller.log" &
  ctl_pid=$!
  wait_until 10 grep -q PATCHBAY_TOKEN "$work/exports" || { cat "$work/controller.log"; die "controller did not start"; }
  eval "$(cat "$work/exports")"
  export PATCHBAY_CONTROLLER PATCHBAY_TOKEN
  [ -z "${PATCHBAY_TSIG:-}" ] || export PATCHBAY_TSIG
}

# use_client_listener — a free port for --client-listen (the client view) in $client_port,
# added to ctl_args; call before start_controller.
use_client_listener() {
  client_port=$(free_port)
  while [ "$client_port" = "$dns_port" ] || [ "$client_port" = "$api_port" ]; do client_port=$(free_port); done
  ctl_args+=(--client-listen "127.0.0.1:$client_port")
}

q() { dig @127.0.0.1 -p "$dns_port" +time=2 +tries=1 "$@"; }
status_of() { q "$@" | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
