# Shared setup of the DNS conformance scripts (tests/conformance): a --dev controller on
# free loopback ports with the seed zone hostdomain.com and its tuples (DESIGN.md §1),
# stopped by a trap; q/kq run dig/kdig against it; wire runs python3 with dnswire.py.
source "$(dirname "${BASH_SOURCE[0]}")/controller.sh"

# The seed zone: HTTP and SMTP tuples on 10.10.10.121–124.
add_seed() {
  "$PB" zone add hostdomain.com >/dev/null
  while read -r svc addr port prio; do
    "$PB" tuple add hostdomain.com "$svc" tcp "$addr" "$port" --priority "$prio" --weight 100 >/dev/null
  done <<'SEED'
http 10.10.10.121 80 1
http 10.10.10.122 80 1
http 10.10.10.123 8080 2
smtp 10.10.10.123 23 1
smtp 10.10.10.124 23 2
SEED
}

# add_many N: N tuples of one service (_big._tcp), too many for a 512-byte answer.
add_many() {
  local i
  for i in $(seq 1 "$1"); do
    "$PB" tuple add hostdomain.com big tcp "10.20.$((i / 250)).$((i % 250 + 1))" 443 >/dev/null
  done
}

kq() { kdig @127.0.0.1 -p "$dns_port" +time=2 +retry=0 "$@"; }
flags_of() { q "$@" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p'; }
# wire PYTHON: runs python3 with dnswire's names imported and $port set; prints its output.
wire() {
  python3 -c "import sys; sys.path.insert(0, '$LIB'); from dnswire import *; port = $dns_port
$1"
}
