#!/bin/bash
# RFC 2136 dynamic updates with the standard tools: nsupdate (BIND) and knsupdate (Knot)
# add and remove tuples with a TSIG key from the controller's config, or with the key
# --dev makes ($PATCHBAY_TSIG); prerequisites are honoured; no key, a wrong secret, an
# unknown key or a zone the ACL does not name is refused and changes nothing.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"

secret=AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=
wrong=ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=
cat >"$work/controller.toml" <<TOML
[[tsig_key]]
name = "ops"
algorithm = "hmac-sha256"
secret = "$secret"

[[acl]]
action = "update"
key = "ops"
zones = ["hostdomain.com"]
TOML
ctl_args=(--config "$work/controller.toml")
start_controller
"$PB" zone add hostdomain.com >/dev/null
"$PB" zone add other.com >/dev/null
serial() { q +short "${1:-hostdomain.com}" SOA | awk '{print $3}'; }
tuples() { "$PB" --output json tuple ls hostdomain.com | grep -c '"service"' || true; }

# ns KEY LINE… — nsupdate with `-y KEY` (none if empty); prints its output, never fails.
ns() {
  local key=$1; shift
  { echo "server 127.0.0.1 $dns_port"; printf '%s\n' "$@"; echo send; } |
    nsupdate -t 3 ${key:+-y "$key"} 2>&1 || true
}

# --- nsupdate with the config's key: add a tuple (SRV + its address) ---------------------
s0=$(serial)
out=$(ns "hmac-sha256:ops:$secret" "zone hostdomain.com" \
  "update add _sip._udp.hostdomain.com 60 SRV 1 100 5060 ip4-10-10-10-125.hostdomain.com." \
  "update add ip4-10-10-10-125.hostdomain.com 60 A 10.10.10.125")
expect_eq "nsupdate add answers NOERROR" "" "$out"
expect_eq "the serial moved by one" "$((s0 + 1))" "$(serial)"
expect_eq "dig sees the SRV" "1 100 5060 ip4-10-10-10-125.hostdomain.com." "$(q +short _sip._udp.hostdomain.com SRV)"
expect_contains "the API lists the tuple" '"address": "10.10.10.125"' "$("$PB" --output json tuple ls hostdomain.com)"
expect_eq "one tuple" "1" "$(tuples)"
expect_contains "the change log names the key (docs/changes.md)" "dns update  tsig:ops" \
  "$("$PB" changes ls --zone hostdomain.com --limit 1)"

# --- prerequisites: 'the RRset must not exist' fails now, and nothing changes ------------
s1=$(serial)
out=$(ns "hmac-sha256:ops:$secret" "zone hostdomain.com" "prereq nxrrset _sip._udp.hostdomain.com SRV" \
  "update add txt.hostdomain.com 60 TXT \"x\"")
expect_contains "a failed prerequisite is YXRRSET" "YXRRSET" "$out"
expect_eq "serial unchanged" "$s1" "$(serial)"
out=$(ns "hmac-sha256:ops:$secret" "zone hostdomain.com" "prereq yxrrset _sip._udp.hostdomain.com SRV" \
  "update add txt.hostdomain.com 60 TXT \"kept as a record\"")
expect_eq "a met prerequisite lets the update through" "" "$out"
expect_eq "a TXT added by nsupdate is served" '"kept as a record"' "$(q +short txt.hostdomain.com TXT)"

# --- refusals change nothing --------------------------------------------------------------
s2=$(serial)
add_line="update add _http._tcp.hostdomain.com 60 SRV 1 100 80 ip4-10-10-10-126.hostdomain.com."
out=$(ns "" "zone hostdomain.com" "$add_line")
expect_contains "no key: REFUSED" "REFUSED" "$out"
out=$(ns "hmac-sha256:ops:$wrong" "zone hostdomain.com" "$add_line")
expect_contains "wrong secret: the signature fails" "NOTAUTH" "$out"
out=$(ns "hmac-sha256:stranger:$secret" "zone hostdomain.com" "$add_line")
expect_contains "unknown key: NOTAUTH" "NOTAUTH" "$out"
so=$(serial other.com)
out=$(ns "hmac-sha256:ops:$secret" "zone other.com" "update add www.other.com 60 A 192.0.2.1")
expect_contains "a zone the ACL does not name: REFUSED" "REFUSED" "$out"
expect_eq "hostdomain.com unchanged by the refusals" "$s2" "$(serial)"
expect_eq "other.com unchanged" "$so" "$(serial other.com)"
expect_eq "still one tuple" "1" "$(tuples)"

# --- knsupdate with the --dev key removes the tuple ---------------------------------------
[ -n "${PATCHBAY_TSIG:-}" ] || die "--dev printed no PATCHBAY_TSIG"
out=$({ echo "server 127.0.0.1 $dns_port"; echo "zone hostdomain.com."; \
        echo "update delete _sip._udp.hostdomain.com. SRV"; echo send; } | knsupdate -y "$PATCHBAY_TSIG" 2>&1) ||
  die "knsupdate failed: $out"
expect_eq "knsupdate delete: the SRV is gone" "" "$(q +short _sip._udp.hostdomain.com SRV)"
expect_eq "and the tuple with it" "0" "$(tuples)"
expect_eq "the TXT stays" '"kept as a record"' "$(q +short txt.hostdomain.com TXT)"

# --- acknowledged updates survive SIGKILL --------------------------------------------------
before=$(serial)
kill -9 "$ctl_pid"; wait "$ctl_pid" 2>/dev/null || true
start_controller
expect_eq "after SIGKILL: same serial" "$before" "$(serial)"
expect_eq "after SIGKILL: the TXT is there" '"kept as a record"' "$(q +short txt.hostdomain.com TXT)"
echo "nsupdate: $pb_pass checks passed"
