#!/bin/bash
# deb_install.sh — the Debian packages, built by `cmake --build BUILD --target deb` and
# installed as an operator would, with dpkg, in real systemd hosts (tests/lib/testbed.sh
# with h121 and h122, whose pbt_install is skipped: the packages bring everything):
#   1. patchbay-agent on h121: enabled and started by its postinst with the shipped
#      agent.toml, which places nothing; pointed at the testbed's controller, it places
#      the tuple the CLI adds (the demo listener answers); a reinstall (dpkg's upgrade
#      path) restarts the agent, keeps the edited conffile and restarts no placed unit;
#   2. patchbay-controller on h122: started by its postinst (DynamicUser, LoadCredential,
#      port 53: only a real systemd runs that), answers DNS from the controller network;
#      its first admin token works with the packaged CLI, a zone added is served;
#   3. dpkg -r stops each and leaves the conffiles and state; dpkg --purge removes them,
#      and no enablement symlink stays.
# Run by ctest (env PATCHBAY_BUILD, PATCHBAY_SOURCE). Needs root, systemd-container,
# iproute2, curl, dig, dpkg-dev (dpkg-shlibdeps; skips with 77 without root or systemd-nspawn).
set -euo pipefail

PATCHBAY_SOURCE=${PATCHBAY_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "skip: needs root (network namespaces, systemd containers)"; exit 77; }
command -v systemd-nspawn >/dev/null || { echo "skip: needs systemd-container"; exit 77; }
export PBT_HOSTS="h121 h122" PBT_SKIP_INSTALL="h121 h122"
source "$PATCHBAY_SOURCE/tests/lib/testbed.sh"
source "$PATCHBAY_SOURCE/tests/lib/e2e.sh"
trap testbed_down EXIT
trap 'exit 130' INT TERM

require_binaries
cmake --build "$PBT_BUILD" --target deb >"$PBT_STATE/deb-build.log" 2>&1 ||
  { tail -30 "$PBT_STATE/deb-build.log"; echo "not ok - cmake --build --target deb"; exit 1; }
AGENT_DEB=$(ls "$PBT_BUILD"/packages/patchbay-agent_*.deb)
CTL_DEB=$(ls "$PBT_BUILD"/packages/patchbay-controller_*.deb)
ok "built $(basename "$AGENT_DEB") and $(basename "$CTL_DEB")"

D=$PBT_DOMAIN
A=patchbay-agent.service
C=patchbay-controller.service
H=$(unit_of http 10.10.10.121 80)

# failp MESSAGE — fail with both hosts' package units and journals.
failp() {
  local h u
  echo "not ok - $1" >&2
  for h in h121 h122; do for u in $A $C; do
    echo "----- $h: $u" >&2
    host_exec "$h" systemctl status --no-pager "$u" >&2 || true
    host_exec "$h" journalctl -u "$u" --no-pager -n 25 -o cat >&2 || true
  done; done
  [ ! -e "$PBT_RUN/controller.log" ] || tail -n 20 "$PBT_RUN/controller.log" >&2
  exit 1
}
state_is() { [ "$(unit_show "$1" "$2" ActiveState)" = "$3" ]; }
absent() { ! host_exec "$1" test -e "$2"; }
dpkg_status() {  # "ii", "rc" (removed, conffiles left) or "none" (not known to dpkg)
  local s; s=$(host_exec "$1" dpkg-query -W -f='${db:Status-Abbrev}' "$2" 2>/dev/null) || s=none
  echo "${s// /}"
}
dig_ctl() { ctl_exec dig +time=1 +tries=1 @10.10.10.122 "$@"; }

testbed_up
testbed_start_controller
# A Docker-built machine has /usr/sbin/policy-rc.d saying "start nothing" (exit 101), and
# the containers' root is an overlay of it: the maintainer scripts (deb-systemd-invoke)
# honour it, as Debian's do. These hosts are servers: remove it there (in the overlay only).
for h in h121 h122; do host_exec "$h" rm -f /usr/sbin/policy-rc.d; done

# ---- 1. the agent package ---------------------------------------------------------------
host_exec h121 dpkg -i "$AGENT_DEB" >"$PBT_RUN/dpkg-agent.log" 2>&1 || failp "dpkg -i $(basename "$AGENT_DEB") on h121: $(tail -5 "$PBT_RUN/dpkg-agent.log")"
[ "$(host_exec h121 systemctl is-enabled $A)" = enabled ] || failp "$A not enabled by postinst"
wait_until 10 state_is h121 $A active || failp "$A not started by postinst"
sleep 2
[ "$(unit_show h121 $A NRestarts)" = 0 ] && state_is h121 $A active || failp "$A does not stay up with the shipped agent.toml"
[ -z "$(host_units h121)" ] || failp "the shipped agent.toml placed something: $(host_units h121)"
ok "dpkg -i patchbay-agent ⇒ $A enabled and active with the shipped config, placing nothing"

pbt_agent_toml h121 | host_exec h121 tee /etc/patchbay/agent.toml >/dev/null
printf '%s\n' "$PATCHBAY_TOKEN" | host_exec h121 install -m 600 /dev/stdin /etc/patchbay/agent.token
host_exec h121 timeout 20 systemctl restart $A || failp "systemctl restart $A"
pb zone add "$D" >/dev/null
pb tuple add "$D" http tcp 10.10.10.121 80 >/dev/null
wait_until 15 unit_active h121 "$H" || failp "$H not active 15 s after tuple add"
body=$(probe_http 10.10.10.121 80) || failp "nothing answers on 10.10.10.121:80"
ok "agent.toml pointed at the controller ⇒ tuple add ⇒ $H active, answering '${body%%$'\n'*}'"

agent_pid=$(unit_show h121 $A MainPID); http_pid=$(unit_show h121 "$H" MainPID)
host_exec h121 dpkg -i "$AGENT_DEB" >>"$PBT_RUN/dpkg-agent.log" 2>&1 || failp "dpkg -i again (upgrade path)"
wait_until 10 state_is h121 $A active || failp "$A not active after the reinstall"
new_pid=$(unit_show h121 $A MainPID)
[ "$new_pid" != "$agent_pid" ] || failp "reinstall did not restart $A (MainPID $agent_pid)"
[ "$(unit_show h121 "$H" MainPID)" = "$http_pid" ] || failp "reinstall restarted $H"
host_exec h121 grep -q "$D" /etc/patchbay/agent.toml || failp "reinstall replaced the edited /etc/patchbay/agent.toml"
ok "dpkg -i again ⇒ $A restarted (pid $agent_pid → $new_pid), edited agent.toml kept, $H untouched (pid $http_pid)"

# ---- 2. the controller package ----------------------------------------------------------
host_exec h122 dpkg -i "$CTL_DEB" >"$PBT_RUN/dpkg-controller.log" 2>&1 || failp "dpkg -i $(basename "$CTL_DEB") on h122: $(tail -5 "$PBT_RUN/dpkg-controller.log")"
[ "$(host_exec h122 systemctl is-enabled $C)" = enabled ] || failp "$C not enabled by postinst"
wait_until 10 state_is h122 $C active || failp "$C not started by postinst"
user=$(host_exec h122 stat -c %U "/proc/$(unit_show h122 $C MainPID)")
[ "$user" != root ] || failp "$C runs as root"
[ "$(host_exec h122 stat -c %a /etc/patchbay/controller.toml)" = 600 ] || failp "controller.toml is not 0600"
wait_until 5 sh -c "ip netns exec pbt-ctl dig +time=1 +tries=1 @10.10.10.122 $D SOA | grep -q 'status: REFUSED'" ||
  failp "the packaged controller does not answer DNS on 10.10.10.122:53"
ok "dpkg -i patchbay-controller ⇒ $C enabled and active as user $user, config 0600, DNS on 10.10.10.122:53 answers (REFUSED: no zone yet)"

token=$(host_exec h122 cat /var/lib/patchbay-controller/admin.token)
host_exec h122 env PATCHBAY_CONTROLLER=http://127.0.0.1:8080 PATCHBAY_TOKEN="$token" patchbay zone add example.com >/dev/null ||
  failp "the packaged CLI with the first admin token: zone add example.com"
soa=$(dig_ctl +short example.com SOA)
[ -n "$soa" ] || failp "example.com SOA not served after zone add"
ok "admin.token + packaged CLI ⇒ zone add example.com ⇒ served ($soa)"

# The man pages and the completion the package installs, written from the programs' own
# help texts (cli/commands.cpp, usage.h).
for page in patchbay patchbay-controller; do
  host_exec h122 man -w "$page" 2>/dev/null | grep -q "/usr/share/man/man[18]/$page\.[18]\.gz" || failp "man -w $page"
done
host_exec h122 sh -c 'MANWIDTH=80 man patchbay 2>/dev/null' | grep -q "zone import FILE \[--zone DOMAIN\] \[--account A\]" ||
  failp "man patchbay does not show the commands"
got=$(host_exec h122 bash -c 'source /usr/share/bash-completion/completions/patchbay; COMP_WORDS=(patchbay tuple ""); COMP_CWORD=2; _patchbay; echo "${COMPREPLY[*]}"')
[ "$got" = "add rm move ls" ] || failp "bash completion of 'patchbay tuple ': '$got'"
ok "the controller package installs man pages patchbay(1), patchbay-controller(8) and the bash completion"

# Backup while it serves, restore while stopped, on the installed server: both commands
# find the state through /etc/patchbay/controller.toml, and the restored files stay the
# dynamic user's, so the controller starts on them and serves the backup's zone.
pbc() { host_exec h122 env PATCHBAY_CONTROLLER=http://127.0.0.1:8080 PATCHBAY_TOKEN="$token" patchbay "$@"; }
host_exec h122 patchbay-controller backup /root/pb.db >"$PBT_RUN/backup.out" 2>&1 ||
  failp "patchbay-controller backup on the installed server: $(cat "$PBT_RUN/backup.out")"
grep -q "backup of /var/lib/patchbay-controller/patchbay.db in /root/pb.db: 1 zones" "$PBT_RUN/backup.out" ||
  failp "backup output: $(cat "$PBT_RUN/backup.out")"
pbc zone add later.example >/dev/null || failp "zone add later.example"
host_exec h122 patchbay-controller restore /root/pb.db >"$PBT_RUN/restore.out" 2>&1 &&
  failp "restore while $C runs was not refused"
grep -q "is in use by another patchbay-controller" "$PBT_RUN/restore.out" || failp "restore refusal: $(cat "$PBT_RUN/restore.out")"
host_exec h122 systemctl stop "$C"
host_exec h122 patchbay-controller restore /root/pb.db >"$PBT_RUN/restore.out" 2>&1 ||
  failp "restore on the installed server: $(cat "$PBT_RUN/restore.out")"
host_exec h122 systemctl start "$C" || failp "$C does not start on the restored state: $(host_exec h122 journalctl -u "$C" -n 5 --no-pager)"
wait_until 5 sh -c "ip netns exec pbt-ctl dig +time=1 +tries=1 @10.10.10.122 example.com SOA | grep -q 'status: NOERROR'" ||
  failp "example.com not served after the restore"
zones=$(pbc zone ls)
case "$zones" in *later.example*) failp "later.example (made after the backup) is back after the restore";; esac
pbc zone add after-restore.example >/dev/null || failp "the restored controller cannot write its store (owner?)"
ok "installed controller: backup while serving, restore refused while running, restored while stopped ⇒ starts as its dynamic user, serves the backup, writes again"

# ---- 3. remove, then purge --------------------------------------------------------------
host_exec h121 dpkg -r patchbay-agent >>"$PBT_RUN/dpkg-agent.log" 2>&1 || failp "dpkg -r patchbay-agent"
state_is h121 $A inactive || failp "$A still $(unit_show h121 $A ActiveState) after dpkg -r"
unit_active h121 "$H" && failp "$H (the demo listener, removed with the package) still runs"
absent h121 /usr/sbin/patchbay-agent || failp "/usr/sbin/patchbay-agent left after dpkg -r"
host_exec h121 test -e /etc/patchbay/agent.toml || failp "dpkg -r removed the conffile"
[ "$(dpkg_status h121 patchbay-agent)" = rc ] || failp "patchbay-agent status after -r: $(dpkg_status h121 patchbay-agent)"
ok "dpkg -r patchbay-agent ⇒ agent and demo instance stopped, program gone, agent.toml kept (status rc)"
host_exec h121 dpkg --purge patchbay-agent >>"$PBT_RUN/dpkg-agent.log" 2>&1 || failp "dpkg --purge patchbay-agent"
for f in /etc/patchbay/agent.toml /var/lib/patchbay-agent /etc/systemd/system/multi-user.target.wants/$A \
         /etc/systemd/system/$A; do
  absent h121 "$f" || failp "$f left after dpkg --purge"
done
[ "$(dpkg_status h121 patchbay-agent)" = none ] || failp "patchbay-agent still known to dpkg: $(dpkg_status h121 patchbay-agent)"
ok "dpkg --purge patchbay-agent ⇒ agent.toml, /var/lib/patchbay-agent and the enablement symlink gone"

host_exec h122 dpkg -r patchbay-controller >>"$PBT_RUN/dpkg-controller.log" 2>&1 || failp "dpkg -r patchbay-controller"
state_is h122 $C inactive || failp "$C still $(unit_show h122 $C ActiveState) after dpkg -r"
dig_ctl example.com SOA >/dev/null 2>&1 && failp "DNS still answers on 10.10.10.122 after dpkg -r"
host_exec h122 test -s /var/lib/private/patchbay-controller/patchbay.db || failp "dpkg -r removed the controller's store"
ok "dpkg -r patchbay-controller ⇒ stopped (DNS silent), store and controller.toml kept"
host_exec h122 dpkg --purge patchbay-controller >>"$PBT_RUN/dpkg-controller.log" 2>&1 || failp "dpkg --purge patchbay-controller"
for f in /etc/patchbay/controller.toml /var/lib/private/patchbay-controller /var/lib/patchbay-controller \
         /etc/systemd/system/multi-user.target.wants/$C /usr/bin/patchbay; do
  absent h122 "$f" || failp "$f left after dpkg --purge"
done
ok "dpkg --purge patchbay-controller ⇒ controller.toml, the store and the enablement symlink gone"
echo "PASS deb_install"
