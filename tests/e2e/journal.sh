#!/bin/bash
# journal.sh — the daemons' log entries in a REAL journald (docs/logs.md): one throw-away
# systemd container (tests/lib/sdct.sh, private network), the controller (--dev) and an
# agent as transient units (systemd-run), a zone and a tuple added with the CLI. Checks:
#   1. the controller's entries carry PRIORITY, SYSLOG_IDENTIFIER=patchbay-controller and
#      the change's ZONE=, SERIAL=, CHANGE= fields; its name leads no MESSAGE;
#   2. the agent's "start UNIT" entry carries UNIT=, ZONE=, SERIAL=, … and
#      OBJECT_SYSTEMD_UNIT=, so `journalctl -u THAT-UNIT` shows it (sent by root, _UID=0);
#   3. debug entries (each SOA check) only at log_level debug: --log-level info over the
#      file's debug drops them;
#   4. JOURNAL_STREAM set but stderr not the journal (StandardError=file:) ⇒ plain lines on
#      stderr, nothing sent to journald.
# Run by ctest (`bash tests/e2e/journal.sh`, env PATCHBAY_BUILD, PATCHBAY_SOURCE). Needs
# root, systemd-container, python3. Prints "ok - …" per check; on failure the journal.
set -euo pipefail

PATCHBAY_SOURCE=${PATCHBAY_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
PATCHBAY_BUILD=${PATCHBAY_BUILD:-$PATCHBAY_SOURCE/build}
source "$PATCHBAY_SOURCE/tests/lib/assert.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (a systemd container)"; exit 77; }
command -v systemd-nspawn >/dev/null || { echo "SKIP: systemd-nspawn is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
for b in controller/patchbay-controller agent/patchbay-agent cli/patchbay; do
  [ -x "$PATCHBAY_BUILD/$b" ] || die "missing $PATCHBAY_BUILD/$b (build first)"
done

export SDCT_NAME=pblog SDCT_LIFETIME=600
export SDCT_NSPAWN_ARGS="--bind-ro=$PATCHBAY_SOURCE --bind-ro=$PATCHBAY_BUILD"
SDCT=$PATCHBAY_SOURCE/tests/lib/sdct.sh
D=hostdomain.com
ADDR=10.10.10.121
UNIT=pblog-http@$ADDR:80-tcp.service

in_ct() { SYSTEMD_PAGER='' SYSTEMD_COLORS=0 bash "$SDCT" exec "$@"; }
dump() {
  echo "--- journal of the container" >&2
  in_ct journalctl --no-pager -o short-monotonic 2>&1 | grep -E 'pblog|patchbay' | tail -80 >&2 || true
}
fail() { echo "not ok - $*" >&2; dump; exit 1; }
cleanup() { bash "$SDCT" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

bash "$SDCT" stop >/dev/null 2>&1 || true   # a container left by a killed run
bash "$SDCT" start
bash "$SDCT" wait 60 >/dev/null || fail "the container did not boot"
ok "systemd container booted"

# entries UNIT-MATCH PYTHON-CONDITION — the entries of `journalctl -o json` MATCH (journalctl
# arguments, e.g. "-u X") for which the condition on `e` (a dict) holds, one JSON per line.
entries() {
  local match=$1 cond=$2
  # shellcheck disable=SC2086
  in_ct journalctl --no-pager -o json $match | python3 -c '
import json, sys
cond = sys.argv[1]
for line in sys.stdin:
    e = json.loads(line)
    for k, v in list(e.items()):   # binary fields (newlines) come as byte lists
        if isinstance(v, list): e[k] = bytes(v).decode("utf-8", "replace")
    if eval(cond, {"e": e}): print(json.dumps(e, sort_keys=True))
' "$cond"
}
has_entry() { [ -n "$(entries "$1" "$2")" ]; }

# ---- the units ----------------------------------------------------------------------------
in_ct mkdir -p /run/pblog /run/patchbay/env
in_ct ip addr add "$ADDR/32" dev lo
printf '[Service]\nType=exec\nExecStart=/bin/sleep infinity\n' | in_ct tee /etc/systemd/system/pblog-http@.service >/dev/null
in_ct systemctl daemon-reload
cat <<EOF | in_ct tee /run/pblog/agent.toml >/dev/null
[agent]
name = "h121"
domains = ["$D"]
resolvers = ["127.0.0.1:1053"]
notify_listen = ""
poll_seconds = 1
idle_poll_seconds = 1
state_file = ""
log_level = "debug"
[services.http]
unit = "pblog-http@.service"
transports = ["tcp"]
EOF

# stdout (the export lines) to a file; stderr stays the journal stream.
in_ct systemd-run --quiet --unit=pblog-controller -p Type=notify -p StandardOutput=file:/run/pblog/controller.env -p StandardError=journal \
  "$PATCHBAY_BUILD/controller/patchbay-controller" --dev --log-level debug || fail "the controller did not start"
wait_until 20 in_ct grep -q PATCHBAY_TOKEN /run/pblog/controller.env || fail "no export lines from the controller"
TOKEN=$(in_ct sed -n 's/^export PATCHBAY_TOKEN=//p' /run/pblog/controller.env)
pb() { in_ct "$PATCHBAY_BUILD/cli/patchbay" --controller http://127.0.0.1:8080 --token "$TOKEN" "$@"; }
ok "controller running as a transient unit"

# ---- 1. the controller's entries ----------------------------------------------------------
has_entry "-u pblog-controller" 'e.get("SYSLOG_IDENTIFIER") == "patchbay-controller" and e["MESSAGE"].startswith("API on http://127.0.0.1:8080/v1") and e.get("PRIORITY") == "6"' ||
  fail "no 'API on' entry (PRIORITY=6, SYSLOG_IDENTIFIER=patchbay-controller, MESSAGE without the daemon's name)"
ok "controller: 'API on …' entry, PRIORITY=6, its name not repeated in MESSAGE"

pb zone add "$D" >/dev/null || fail "zone add"
pb tuple add "$D" http tcp "$ADDR" 80 >/dev/null || fail "tuple add"
CHANGE='e.get("ZONE") == "'$D'" and e.get("CHANGE", "").isdigit() and e.get("SERIAL", "").isdigit() and e.get("PRIORITY") == "6" and e.get("SYSLOG_IDENTIFIER") == "patchbay-controller"'
wait_until 10 test "$(entries "-u pblog-controller" "$CHANGE" | wc -l)" -ge 2 ||
  fail "no entries for both changes (zone add, tuple add) with ZONE=, SERIAL=, CHANGE=, PRIORITY=6"
# The tuple's change: the last one.
read -r CHANGE_ID SERIAL < <(entries "-u pblog-controller" "$CHANGE" | tail -1 |
  python3 -c 'import json,sys; e = json.loads(sys.stdin.readline()); print(e["CHANGE"], e["SERIAL"])')
ok "controller: both changes have ZONE=$D, SERIAL=, CHANGE=, PRIORITY=6 (the tuple's: CHANGE=$CHANGE_ID SERIAL=$SERIAL)"

# ---- 2. the agent: a unit it acts on shows its lines ---------------------------------------
in_ct systemd-run --quiet --unit=pblog-agent -p Type=notify \
  "$PATCHBAY_BUILD/agent/patchbay-agent" --config /run/pblog/agent.toml || fail "the agent did not start"
wait_until 20 in_ct systemctl is-active --quiet "$UNIT" || fail "the agent did not start $UNIT"
ok "agent placed $UNIT"
START='e.get("SYSLOG_IDENTIFIER") == "patchbay-agent" and e["MESSAGE"].startswith("start '$UNIT'")'
wait_until 10 has_entry "-u $UNIT" "$START" || fail "journalctl -u $UNIT does not show the agent's start entry"
ok "journalctl -u $UNIT shows the agent's 'start …' entry"
has_entry "-u $UNIT" "$START"' and e.get("OBJECT_SYSTEMD_UNIT") == "'$UNIT'" and e.get("UNIT") == "'$UNIT'" and e.get("_UID") == "0" and e.get("_SYSTEMD_UNIT") == "pblog-agent.service"' ||
  fail "the start entry lacks OBJECT_SYSTEMD_UNIT/UNIT, or was not sent by root from pblog-agent.service"
ok "… through OBJECT_SYSTEMD_UNIT=$UNIT (sent by pblog-agent.service, _UID=0)"
has_entry "-u $UNIT" "$START"' and e.get("PRIORITY") == "5" and e.get("ZONE") == "'$D'" and e.get("SERIAL") == "'$SERIAL'" and e.get("SERVICE") == "http" and e.get("TRANSPORT") == "tcp" and e.get("ADDRESS") == "'$ADDR'" and e.get("PORT") == "80"' ||
  fail "the start entry lacks PRIORITY=5, ZONE, SERIAL=$SERIAL, SERVICE, TRANSPORT, ADDRESS or PORT"
ok "… with PRIORITY=5 ZONE=$D SERIAL=$SERIAL SERVICE=http TRANSPORT=tcp ADDRESS=$ADDR PORT=80"
has_entry "-u pblog-agent" 'e.get("ZONE") == "'$D'" and e.get("SERIAL") == "'$SERIAL'" and e["MESSAGE"].startswith("'$D': serial '$SERIAL', 1 tuple(s)")' ||
  fail "no 'serial N, 1 tuple(s)' entry with ZONE and SERIAL"
ok "agent: the fetch entry has ZONE=$D SERIAL=$SERIAL"

# ---- 3. debug entries only at debug --------------------------------------------------------
DEBUG='e.get("PRIORITY") == "7" and e["MESSAGE"] == "'$D': SOA check (poll)" and e.get("ZONE") == "'$D'"'
wait_until 10 has_entry "-u pblog-agent" "$DEBUG" || fail "no debug entry for each SOA check at log_level debug"
ok "agent at log_level = \"debug\": a PRIORITY=7 entry per SOA check"
in_ct systemd-run --quiet --wait --unit=pblog-once -p StandardOutput=journal \
  "$PATCHBAY_BUILD/agent/patchbay-agent" --config /run/pblog/agent.toml --once --dry-run --log-level info >/dev/null ||
  fail "agent --once --dry-run failed"
wait_until 10 has_entry "-u pblog-once" 'e.get("SYSLOG_IDENTIFIER") == "patchbay-agent" and e.get("PRIORITY") == "6"' ||
  fail "no info entry from the --once agent"
! has_entry "-u pblog-once" 'e.get("PRIORITY") == "7"' || fail "debug entries at --log-level info"
ok "--log-level info over the file's debug: info entries, no debug ones"

# ---- 4. JOURNAL_STREAM set, stderr elsewhere: plain lines ------------------------------------
in_ct systemd-run --quiet --wait --unit=pblog-plain -p StandardOutput=journal -p StandardError=file:/run/pblog/plain.err \
  "$PATCHBAY_BUILD/agent/patchbay-agent" --config /run/pblog/agent.toml --once --dry-run >/dev/null ||
  fail "agent --once --dry-run (stderr to a file) failed"
PLAIN=$(in_ct cat /run/pblog/plain.err)
expect_contains "stderr not the journal: plain lines there" "$D: serial $SERIAL, 1 tuple(s)" "$PLAIN"
[[ "$PLAIN" != *"<"[0-9]">"* ]] || fail "level prefixes in the plain lines: $PLAIN"
! has_entry "-u pblog-plain" 'e.get("SYSLOG_IDENTIFIER") == "patchbay-agent"' || fail "entries sent to journald though stderr is a file"
ok "… and no entry sent to journald (JOURNAL_STREAM names stdout, not stderr)"

echo "journal: all checks passed"
