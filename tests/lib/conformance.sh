# Shared setup of the DNS conformance scripts (tests/conformance): a --dev controller on
# free loopback ports with the seed zone hostdomain.com and its tuples (DESIGN.md §1),
# stopped by a trap; q/kq run dig/kdig against it; wire runs python3 with dnswire.py.
source "$(dirname "${BASH_SOURCE[0]}")/controller.sh"
source "$(dirname "${BASH_SOURCE[0]}")/seed.sh"

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
