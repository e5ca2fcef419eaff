#!/bin/bash
# log_level and --log-level on both daemons, outside systemd (plain lines on stderr;
# tests/e2e/journal.sh checks the journal entries):
#   1. the controller at --log-level debug logs each DNS UPDATE it receives (debug) and
#      each committed change (info);
#   2. the agent: log_level = "debug" in the file ⇒ a line per SOA check; --log-level info
#      over it ⇒ none, the info lines stay; --log-level error ⇒ nothing at all;
#   3. a bad level, in a file or a flag, is an error naming file:line:column or the flag
#      (exit 2), for both daemons.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
AGENT=$BUILD/agent/patchbay-agent
command -v nsupdate >/dev/null || { echo "SKIP: nsupdate is not installed"; exit 77; }

ctl_args=(--log-level debug)
start_controller
"$PB" zone add hostdomain.com >/dev/null
svc_port=$(free_port)
"$PB" tuple add hostdomain.com web tcp 127.0.0.1 "$svc_port" >/dev/null

# ---- 1. the controller ------------------------------------------------------------------
wait_until 5 grep -q '^change [0-9]*: zone hostdomain.com at serial [0-9]*$' "$work/controller.log" ||
  die "no 'change N: zone hostdomain.com at serial S' line: $(cat "$work/controller.log")"
ok "controller: a line per committed change"
{ echo "server 127.0.0.1 $dns_port"; echo "zone hostdomain.com"
  echo "update add txt.hostdomain.com 60 TXT logged"; echo send; } | nsupdate -t 3 -y "$PATCHBAY_TSIG" >/dev/null 2>&1 || true
wait_until 5 grep -q '^dns update of hostdomain.com from 127.0.0.1 key patchbay-dev: [0-9]* bytes over ' "$work/controller.log" ||
  die "no debug line for the DNS UPDATE: $(cat "$work/controller.log")"
ok "controller at --log-level debug: a debug line per DNS UPDATE"
expect_contains "… then its outcome, as before" "dns update of hostdomain.com from 127.0.0.1 key patchbay-dev: NOERROR, serial" \
  "$(cat "$work/controller.log")"

# ---- 2. the agent -----------------------------------------------------------------------
cat >"$work/agent.toml" <<TOML
[agent]
domains = ["hostdomain.com"]
resolvers = ["127.0.0.1:$dns_port"]
notify_listen = ""
state_file = ""
log_level = "debug"
[services.web]
unit = "patchbay-web@.service"
TOML
agent_lines() { "$AGENT" --config "$work/agent.toml" --once --dry-run "$@" 2>&1 >/dev/null || true; }
debug=$(agent_lines)
expect_contains "agent at log_level = \"debug\": a line per SOA check" "hostdomain.com: SOA check (start-up)" "$debug"
expect_contains "… and the info lines" "hostdomain.com: serial" "$debug"
info=$(agent_lines --log-level info)
[[ "$info" != *"SOA check"* ]] || die "--log-level info still logs SOA checks: $info"
expect_contains "--log-level info over the file's debug: no SOA check lines, the info ones stay" \
  "hostdomain.com: serial" "$info"
expect_eq "--log-level error: nothing to say" "" "$(agent_lines --log-level=error)"

# ---- 3. bad levels --------------------------------------------------------------------------
expect_exit "agent: a bad --log-level" 2 "$AGENT" --config "$work/agent.toml" --once --dry-run --log-level loud
expect_contains "… names the flag and the levels" \
  "patchbay-agent: --log-level: unknown log level 'loud' (want error, warning, notice, info or debug)" "$pb_err"
sed -i 's/^log_level = .*/log_level = "loud"/' "$work/agent.toml"
expect_exit "agent: a bad log_level in the file" 2 "$AGENT" --config "$work/agent.toml" --once --dry-run
expect_contains "… names file:line:column" "$work/agent.toml:6:13: 'log_level': unknown log level 'loud'" "$pb_err"
expect_exit "controller: a bad --log-level" 2 "$CTL" --dev --log-level loud
expect_contains "… names the flag" "patchbay-controller: --log-level: unknown log level 'loud'" "$pb_err"
printf '[controller]\nlog_level = "loud"\n' >"$work/controller.toml"
expect_exit "controller: a bad log_level in the file" 2 "$CTL" --config "$work/controller.toml"
expect_contains "… names file:line:column and the key" \
  "$work/controller.toml:2:13: controller.log_level: unknown log level 'loud'" "$pb_err"
echo "log_level: all $pb_pass checks passed"
