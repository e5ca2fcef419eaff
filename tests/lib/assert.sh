# Tiny assertions for the script tests: each check prints "ok - WHAT" or fails the test
# with what was expected and what was seen. Sourced by tests/integration and tests/e2e.

pb_pass=0

ok() { pb_pass=$((pb_pass + 1)); echo "ok - $*"; }

die() { echo "FAIL - $*" >&2; exit 1; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  if [ "$2" == "$3" ]; then ok "$1"; else
    printf 'FAIL - %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3" >&2; exit 1; fi
}

# expect_contains WHAT NEEDLE HAYSTACK
expect_contains() {
  if [[ "$3" == *"$2"* ]]; then ok "$1"; else
    printf 'FAIL - %s\n  expected to contain: %s\n  actual: %s\n' "$1" "$2" "$3" >&2; exit 1; fi
}

# expect_exit WHAT CODE CMD... — runs CMD, checks its exit code, keeps its stderr in $pb_err.
expect_exit() {
  local what=$1 want=$2; shift 2
  local got=0
  pb_err=$("$@" 2>&1 >/dev/null) || got=$?
  if [ "$got" = "$want" ]; then ok "$what (exit $got)"; else
    printf 'FAIL - %s\n  expected exit %s, got %s: %s\n' "$what" "$want" "$got" "$pb_err" >&2; exit 1; fi
}

# wait_until SECONDS CMD... — polls CMD every 50 ms until it succeeds or time runs out.
wait_until() {
  local limit=$1; shift
  local end=$(( $(date +%s%N) + limit * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$end" ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}

# free_port — an unused loopback TCP+UDP port.
free_port() {
  # Below the kernel's ephemeral range, so no outgoing connection of another test can take
  # the port between this check and the bind; and free in every state, not only LISTEN.
  local p low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  [ "$low" -gt 12000 ] || low=32768
  for _ in $(seq 50); do
    p=$(( 10000 + RANDOM % (low - 10000) ))
    ss -Htuan "( sport = :$p )" | grep -q . || { echo "$p"; return 0; }
  done
  die "no free port found"
}
