#!/bin/bash
# units.sh — `systemd-analyze verify` on every unit file of units/ and examples/units/;
# any line it prints (warning or error) fails the test.
#   verify also checks that each ExecStart*= binary exists, so it runs inside a throw-away
#   systemd container (tests/lib/sdct.sh, SDCT_NAME=pbpkg-units, private network; its root
#   is an overlay of the host's, nothing reaches the host) where the built binaries are
#   put where the packages put them (/usr/sbin, /usr/libexec/patchbay). The servers the
#   example templates wrap (nginx, postfix, postconf, kamailio) are used where installed;
#   where not, a STAND-IN script is placed inside the container only (it prints that it is
#   a stand-in and exits 1): verify only needs an executable at the path. Where nginx and
#   kamailio are the real ones (build.sh --tests installs nginx-light and kamailio), one
#   instance of each template is started as the agent would and answers (HTTP, SIP
#   OPTIONS); postfix is never installed on the test machine (it would take the host's
#   MTA), so its template is verified only (docs/units.md).
#   A unit with a deliberate mistake must be reported, so a verify that checks nothing
#   cannot pass.
# Env: PATCHBAY_BUILD, PATCHBAY_SOURCE. Needs root and systemd-container (else skips, 77).
set -euo pipefail
SRC=${PATCHBAY_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${PATCHBAY_BUILD:-$SRC/build}
SDCT=$SRC/tests/lib/sdct.sh
export SDCT_NAME=pbpkg-units
[ "$(id -u)" = 0 ] || { echo "skip: needs root (a systemd container)"; exit 77; }
command -v systemd-nspawn >/dev/null || { echo "skip: needs systemd-container"; exit 77; }
for b in agent/patchbay-agent controller/patchbay-controller examples/patchbay-demo-listener; do
  [ -x "$BUILD/$b" ] || { echo "not ok - missing $BUILD/$b (build first)"; exit 1; }
done

ct() { SYSTEMD_PAGER='' SYSTEMD_COLORS=0 bash "$SDCT" exec "$@"; }
trap 'bash "$SDCT" stop >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
bash "$SDCT" stop >/dev/null 2>&1 || true        # an aborted earlier run
SDCT_NSPAWN_ARGS="--bind-ro=$SRC --bind-ro=$BUILD" bash "$SDCT" start
bash "$SDCT" wait 60 >/dev/null

ct install -D -m 755 "$BUILD/agent/patchbay-agent" /usr/sbin/patchbay-agent
ct install -D -m 755 "$BUILD/controller/patchbay-controller" /usr/sbin/patchbay-controller
ct install -D -m 755 "$BUILD/examples/patchbay-demo-listener" /usr/libexec/patchbay/patchbay-demo-listener
standins=()
for b in /usr/sbin/nginx /usr/sbin/postfix /usr/sbin/postconf /usr/sbin/kamailio; do
  ct test -x "$b" && continue
  # shellcheck disable=SC2016
  ct sh -c 'printf "#!/bin/sh\necho \"%s: stand-in of tests/packaging/units.sh, not the real server\" >&2\nexit 1\n" "$0" >"$0" && chmod 755 "$0"' "$b"
  standins+=("$b")
done
[ ${#standins[@]} -eq 0 ] || echo "# stand-ins in the container: ${standins[*]}"

# verify_units FILE… — prints what systemd-analyze verify says of the files (copied into
# one directory of the container, so a template is checked as its @i instance).
verify_units() {
  ct rm -rf /run/pbpkg-verify; ct mkdir -p /run/pbpkg-verify
  local f
  for f in "$@"; do ct install -m 644 "$f" "/run/pbpkg-verify/$(basename "$f")"; done
  ct sh -c 'cd /run/pbpkg-verify && systemd-analyze verify ./*' 2>&1 || echo "(systemd-analyze verify exited $?)"
}

fail=0 n=0
for f in "$SRC"/units/*.service "$SRC"/examples/units/*.service; do
  out=$(verify_units "$f")
  n=$((n + 1))
  if [ -n "$out" ]; then
    echo "not ok - ${f#"$SRC"/}:"; printf '    %s\n' "$out"; fail=1
  else
    echo "ok - ${f#"$SRC"/}"
  fi
done

# The check itself: a unit with an unknown key and a missing binary must be reported.
ct mkdir -p /run/pbpkg-bad
ct sh -c "printf '[Service]\nExecStart=/usr/sbin/patchbay-nonesuch\nRestartt=always\n' >/run/pbpkg-bad/broken.service"
out=$(verify_units /run/pbpkg-bad/broken.service)
if grep -q "Restartt" <<<"$out" && grep -q "patchbay-nonesuch" <<<"$out"; then
  echo "ok - a broken unit is reported ($(wc -l <<<"$out") lines)"
else
  echo "not ok - a broken unit went unreported: '$out'"; fail=1
fi
[ "$fail" = 0 ] || exit 1

# ---- the daemons' units run, sandbox and all --------------------------------------------
# The controller as its unit has it: DynamicUser, its config root-only (0600) and read
# through LoadCredential, DNS on port 53 by its one ambient capability, the syscall filter;
# a drop-in shortens WatchdogSec to 2 s, so pings (every 1 s) must arrive or it is killed.
for u in patchbay-controller.service patchbay-agent.service patchbay-http@.service; do
  ct install -m 644 "$SRC/units/$u" "/etc/systemd/system/$u"
done
ct mkdir -p /etc/patchbay /etc/systemd/system/patchbay-controller.service.d
ct sh -c 'printf "[controller]\nstate = \"/nonexistent\"\n[dns]\nlisten = [\"127.0.0.1:53\"]\n[api]\nlisten = \"127.0.0.1:8080\"\n" >/etc/patchbay/controller.toml
          chmod 600 /etc/patchbay/controller.toml
          printf "[Service]\nWatchdogSec=2s\n" >/etc/systemd/system/patchbay-controller.service.d/watchdog.conf
          systemctl daemon-reload'
# The agent.toml the package ships: valid, and placing nothing.
ct install -m 644 "$SRC/packaging/agent.toml" /etc/patchbay/agent.toml
dump() { ct systemctl status --no-pager "$1" || true; ct journalctl -u "$1" --no-pager -n 30 || true; }
check() {  # check WHAT CMD… — "ok - WHAT" or the unit's journal and exit 1
  local what=$1; shift
  if "$@"; then echo "ok - $what"; else echo "not ok - $what"; dump patchbay-controller.service; dump patchbay-agent.service; exit 1; fi
}
prop() { ct systemctl show -P "$2" "$1"; }
check "patchbay-controller.service starts (Type=notify: READY=1 reached)" ct timeout 20 systemctl start patchbay-controller.service
wd1=$(prop patchbay-controller.service WatchdogTimestampMonotonic)
sleep 5
wd2=$(prop patchbay-controller.service WatchdogTimestampMonotonic)
check "controller alive 5 s with WatchdogSec=2s, pinging (watchdog timestamp $wd1 → $wd2), never restarted" \
  test "$(prop patchbay-controller.service ActiveState)/$(prop patchbay-controller.service NRestarts)" = active/0 -a "$wd2" -gt "$wd1"
check "controller runs as a dynamic user, not root" test "$(ct stat -c %U /proc/"$(prop patchbay-controller.service MainPID)")" != root
dns_answers() { ct dig +time=2 +tries=1 @127.0.0.1 example.com SOA | grep -Eq 'status: (REFUSED|NXDOMAIN)'; }
check "controller answers DNS on 127.0.0.1:53 (SOA of a zone it lacks: REFUSED/NXDOMAIN)" dns_answers
check "the first admin token is in /var/lib/patchbay-controller/admin.token (0600)" \
  test "$(ct stat -L -c %a /var/lib/patchbay-controller/admin.token)" = 600
api_takes_token() {
  ct curl -fsS -o /dev/null -H "Authorization: Bearer $(ct cat /var/lib/patchbay-controller/admin.token)" \
    http://127.0.0.1:8080/v1/zones
}
check "the API takes that token (GET /v1/zones)" api_takes_token
agent_stays_up() {
  ct timeout 20 systemctl start patchbay-agent.service && sleep 2 &&
    [ "$(prop patchbay-agent.service ActiveState)/$(prop patchbay-agent.service NRestarts)" = active/0 ]
}
check "patchbay-agent.service starts and stays up (NRestarts 0) with the packaged agent.toml (places nothing)" agent_stays_up
stops_cleanly() {
  ct systemctl stop "$1" && [ "$(prop "$1" ActiveState)/$(prop "$1" Result)" = inactive/success ]
}
no_denials() {  # nothing the sandbox refused, even where the daemon carried on
  local log; log=$(ct journalctl -u "$1" -o cat --no-pager)
  ! grep -Ei 'not permitted|permission denied|read-only file system' <<<"$log"
}
check "the controller's journal shows nothing the sandbox refused" no_denials patchbay-controller.service
check "the agent's journal shows nothing the sandbox refused" no_denials patchbay-agent.service
check "patchbay-controller.service stops cleanly (inactive, result success)" stops_cleanly patchbay-controller.service
check "patchbay-agent.service stops cleanly (inactive, result success)" stops_cleanly patchbay-agent.service

# ---- the example templates run the real servers, where installed -----------------------
# One instance each, as the agent starts it: its environment file first, then the
# template instance named by the escaped tuple. Skipped (and said) for a server that is
# only a stand-in here; build.sh --tests installs nginx-light and kamailio.
ran=()
start_instance() {  # start_instance TEMPLATE ADDR PORT TRANSPORT SERVICE ⇒ prints the unit
  local template=$1 addr=$2 port=$3 transport=$4 service=$5 unit
  unit="$template@$(ct systemd-escape "$addr:$port/$transport").service"
  ct install -m 644 "$SRC/examples/units/$template@.service" "/etc/systemd/system/$template@.service"
  ct mkdir -p /run/patchbay/env
  ct sh -c "printf 'PATCHBAY_ADDRESS=%s\nPATCHBAY_PORT=%s\nPATCHBAY_TRANSPORT=%s\nPATCHBAY_DOMAIN=hostdomain.com\nPATCHBAY_SERVICE=%s\n' \
            $addr $port $transport $service >/run/patchbay/env/$unit.env && systemctl daemon-reload"
  ct timeout 20 systemctl start "$unit" >/dev/null 2>&1 || { dump "$unit"; return 1; }
  echo "$unit"
}
if [[ " ${standins[*]} " != *" /usr/sbin/nginx "* ]]; then
  ct mkdir -p /etc/nginx/patchbay
  ct sh -c 'echo "location / { return 200 \"patchbay nginx on \$server_addr:\$server_port\n\"; }" >/etc/nginx/patchbay/demo.conf'
  unit=$(start_instance patchbay-nginx 127.0.0.1 8081 tcp http) || { echo "not ok - patchbay-nginx@ does not start"; exit 1; }
  body=$(ct curl -fsS --max-time 5 http://127.0.0.1:8081/) || { dump "$unit"; echo "not ok - $unit does not answer"; exit 1; }
  [ "$body" = "patchbay nginx on 127.0.0.1:8081" ] || { echo "not ok - $unit answered '$body'"; exit 1; }
  check "$unit serves the tuple's address and port ('$body')" true
  check "$unit stops gracefully (SIGQUIT; inactive, result success)" stops_cleanly "$unit"
  ran+=(nginx)
else
  echo "# nginx is a stand-in here: patchbay-nginx@ verified, not run"
fi
if [[ " ${standins[*]} " != *" /usr/sbin/kamailio "* ]]; then
  unit=$(start_instance patchbay-kamailio 127.0.0.1 5070 udp sip) || { echo "not ok - patchbay-kamailio@ does not start"; exit 1; }
  # A SIP OPTIONS to the instance: kamailio.cfg (Debian's) answers one addressed to itself.
  sip_options() {
    ct python3 - <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1); s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
msg = ("OPTIONS sip:127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKpb1;rport\r\n"
       "From: <sip:units@127.0.0.1>;tag=pb1\r\nTo: <sip:127.0.0.1:5070>\r\nCall-ID: pb1@127.0.0.1\r\n"
       "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n" % port)
for _ in range(20):
    s.sendto(msg.encode(), ("127.0.0.1", 5070))
    try:
        print(s.recv(4096).decode(errors="replace").split("\r\n")[0]); sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)
PY
  }
  status=$(sip_options) || { dump "$unit"; echo "not ok - $unit does not answer SIP OPTIONS"; exit 1; }
  [[ $status == "SIP/2.0 "* ]] || { echo "not ok - $unit answered '$status'"; exit 1; }
  check "$unit answers SIP OPTIONS on udp:127.0.0.1:5070 ('$status')" true
  check "$unit stops cleanly (inactive, result success)" stops_cleanly "$unit"
  ran+=(kamailio)
else
  echo "# kamailio is a stand-in here: patchbay-kamailio@ verified, not run"
fi
echo "PASS units: $n unit files verified; controller and agent units run; templates run: ${ran[*]:-none}"
