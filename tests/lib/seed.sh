# The seed's tuples (DESIGN.md §1) for the loopback script tests: seed_tuples prints
# "SERVICE ADDRESS PORT PRIORITY" lines (all tcp, weight 100); add_seed [CLI…] creates
# hostdomain.com and places them with CLI (default "$PB", the patchbay binary).
seed_tuples() {
  cat <<'SEED'
http 10.10.10.121 80 1
http 10.10.10.122 80 1
http 10.10.10.123 8080 2
smtp 10.10.10.123 23 1
smtp 10.10.10.124 23 2
SEED
}

add_seed() {
  local cli=("$@") svc addr port prio
  [ ${#cli[@]} -gt 0 ] || cli=("$PB")
  "${cli[@]}" zone add hostdomain.com >/dev/null
  while read -r svc addr port prio; do
    "${cli[@]}" tuple add hostdomain.com "$svc" tcp "$addr" "$port" --priority "$prio" --weight 100 >/dev/null
  done < <(seed_tuples)
}
