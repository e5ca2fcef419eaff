#!/bin/bash
# Accounts' settings files against a real controller (docs/policies.md): two accounts with
# the same tuples and different rules answer differently in the client view; the geo rule
# answers by source and by EDNS Client Subnet (`dig +subnet`, scope in the answer); a file
# that does not check is refused with FILE:LINE:COLUMN and changes nothing; versions,
# history and rollback (and the answers follow them); a domain from a template; explain
# with --from and --at; every settings and explain route of account b answers 404 to
# account a's tokens and b's settings stay as they were; viewers check but never change.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
use_client_listener
start_controller
ADMIN=$PATCHBAY_TOKEN

call() {  # call TOKEN METHOD PATH [BODY] — prints the HTTP status; the answer in $work/answer
  local token=$1 method=$2 path=$3 body=${4:-}
  local args=(-s -o "$work/answer" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token")
  [ -z "$body" ] || args+=(-H 'Content-Type: application/json' --data-binary "$body")
  curl "${args[@]}" "$PATCHBAY_CONTROLLER$path"
}
as() { local token=$1; shift; PATCHBAY_TOKEN=$token "$PB" "$@"; }
# SRV targets the client view answers (sorted, one line), with `dig` options after the name
targets() { dig @127.0.0.1 -p "$client_port" +time=2 +tries=1 +short "$@" SRV | awk '{print $4}' | sort | xargs; }
weights() { dig @127.0.0.1 -p "$client_port" +time=2 +tries=1 +short "$@" SRV | awk '{print $2 ":" $4}' | sort | xargs; }

# --- two accounts, the same tuples ---------------------------------------------------------
for a in a b; do
  "$PB" account add "$a" >/dev/null
  "$PB" zone add "$a.example" --account "$a" >/dev/null
  "$PB" tuple add "$a.example" http tcp 10.0.1.1 80 >/dev/null
  "$PB" tuple add "$a.example" http tcp 10.0.2.1 80 >/dev/null
  "$PB" tuple add "$a.example" smtp tcp 10.0.1.1 25 >/dev/null
  "$PB" tuple add "$a.example" smtp tcp 10.0.1.2 25 --priority 2 >/dev/null
done
A1=ip4-10-0-1-1.a.example. A2=ip4-10-0-2-1.a.example.
expect_eq "no settings: every record" "$A1 $A2" "$(targets _http._tcp.a.example)"

cat >"$work/a.toml" <<'TOML'
[regions.eu]
networks = ["127.0.0.0/8"]
near = ["us"]

[regions.us]
networks = ["198.51.100.0/24"]
near = ["eu"]

[servers."10.0.1.0/24"]
region = "eu"

[servers."10.0.2.0/24"]
region = "us"

[windows.night]
time_zone = "Europe/Berlin"
from = "22:00"
to = "06:00"

[templates.web]
tuples = [{ service = "http", transport = "tcp", address = "10.0.1.9", port = 80 }]

[[rule]]
name = "web-by-region"
domain = "a.example"
service = "http"
strategy = "geo"

[[rule]]
name = "mail-at-night"
domain = "a.example"
service = "smtp"
window = "night"
strategy = "failover"
TOML
cat >"$work/b.toml" <<'TOML'
[[rule]]
name = "weighted-web"
domain = "b.example"
service = "http"
strategy = "weighted"
weights = { "10.0.2.1" = 7, "10.0.1.1" = 1 }
TOML
cat >"$work/broken.toml" <<'TOML'
[[rule]]
domain = "a.example"
strategy = "nearest"
TOML

# --- check, set, and the answers -------------------------------------------------------------
VT=$("$PB" token create --account a --role account-viewer --name a-viewer)
AT=$("$PB" token create --account a --role account-admin --name a-admin)
GT=$("$PB" token create --account a --role agent --name a-agent)
expect_contains "policy check as a viewer" "a.toml: ok (2 rules, 2 regions, 0 departments, 1 windows, 1 templates" \
  "$(as "$VT" policy check "$work/a.toml")"
expect_exit "policy check of a broken file" 2 "$PB" policy check "$work/broken.toml"
expect_contains "... names file:line:column and the rule" "broken.toml:3:" "$pb_err"
expect_contains "policy set a" "account a: settings version 1" "$(as "$AT" policy set a "$work/a.toml")"
expect_contains "policy set b" "account b: settings version 1" "$("$PB" policy set b "$work/b.toml")"
expect_eq "policy get gives the file back" "$(cat "$work/a.toml")" "$(as "$VT" policy get a)"

expect_eq "a: geo, a querier in eu gets the eu server" "$A1" "$(targets _http._tcp.a.example)"
expect_eq "a: with ECS from us, the us server" "$A2" "$(targets _http._tcp.a.example +subnet=198.51.100.0/24)"
scope=$(dig @127.0.0.1 -p "$client_port" +subnet=198.51.100.0/24 _http._tcp.a.example SRV | awk '/CLIENT-SUBNET/ {print $3}')
expect_eq "... and the ECS scope is set in the answer (RFC 7871)" "198.51.100.0/24/24" "$scope"
expect_eq "b: the same tuples, weighted by b's table" "1:ip4-10-0-1-1.b.example. 7:ip4-10-0-2-1.b.example." \
  "$(weights _http._tcp.b.example)"
expect_eq "the assignment view is not mapped" "$A1 $A2" \
  "$(dig @127.0.0.1 -p "$dns_port" +short _http._tcp.a.example SRV | awk '{print $4}' | sort | xargs)"

# --- a refused file changes nothing; versions, history, rollback ----------------------------
expect_exit "policy set of a broken file" 2 "$PB" policy set a "$work/broken.toml"
expect_contains "... names file:line:column" "broken.toml:3:" "$pb_err"
expect_eq "... version 1 still in force" "$(cat "$work/a.toml")" "$("$PB" policy get a)"
expect_eq "... and its answers" "$A1" "$(targets _http._tcp.a.example)"
printf '[[rule]]\ndomain = "a.example"\nstrategy = "all-healthy"\n' >"$work/a2.toml"
expect_contains "policy set a, version 2" "settings version 2" "$("$PB" policy set a "$work/a2.toml")"
expect_eq "version 2 answers every record" "$A1 $A2" "$(targets _http._tcp.a.example)"
expect_contains "rollback to 1" "settings version 3 (rollback to version 1)" "$("$PB" policy rollback a 1)"
expect_eq "... answers by region again" "$A1" "$(targets _http._tcp.a.example)"
history=$("$PB" policy history a)
expect_eq "history: three versions, newest first" "3 2 1" "$(echo "$history" | awk 'NR > 1 {print $1}' | xargs)"
expect_contains "... with the author" "a-admin" "$history"
expect_exit "rollback to a version that does not exist" 3 "$PB" policy rollback a 9
expect_exit "rollback VERSION must be a number" 2 "$PB" policy rollback a one

# --- templates -------------------------------------------------------------------------------
expect_contains "zone add from a template" "added zone t.example" "$(as "$AT" zone add t.example --account a --template web)"
expect_eq "... with the template's tuples" "http tcp 10.0.1.9 80" \
  "$("$PB" --output json tuple ls t.example | jq -r '.[] | "\(.service) \(.transport) \(.address) \(.port)"')"
expect_exit "a template that does not exist" 3 "$PB" zone add u.example --account a --template nope
expect_exit "a template without an account" 2 "$PB" zone add u.example --template web
expect_exit "b has no template web" 3 "$PB" zone add u.example --account b --template web

# --- explain -------------------------------------------------------------------------------
e=$("$PB" explain a.example http --from 198.51.100.7)
expect_contains "explain: the rule" "rule: web-by-region (a.toml:" "$e"
expect_contains "... the querier's region" "region us" "$e"
expect_contains "... the answer" "10.0.2.1" "$e"
expect_contains "explain at night in Berlin" "rule: mail-at-night" "$("$PB" explain a.example smtp --at 2026-12-05T23:30:00+01:00)"
expect_contains "explain at noon" "rule: default" "$("$PB" explain a.example smtp --at 1796472000)"
expect_exit "explain with a bad time" 2 "$PB" explain a.example smtp --at yesterday
expect_contains "... naming it" "at: 'yesterday'" "$pb_err"
expect_exit "explain of a service with no tuples" 3 "$PB" explain a.example sip
expect_eq "explain --output json" "web-by-region" "$("$PB" --output json explain a.example http | jq -r .rule)"

# --- isolation: a's tokens and b's settings ---------------------------------------------------
b_state() { call "$ADMIN" GET /v1/accounts/b/settings >/dev/null; cat "$work/answer"; call "$ADMIN" GET /v1/accounts/b/settings/history >/dev/null; cat "$work/answer"; }
before=$(b_state)
body=$(jq -cn --rawfile t "$work/a2.toml" '{text: $t, file: "x.toml"}')
for who in AT VT; do
  t=${!who}
  # a viewer's writes stop at the role's gate (403, whoever's account), an admin's at b (404)
  w=404; [ "$who" = VT ] && w=403
  expect_eq "$who: GET b's settings" 404 "$(call "$t" GET /v1/accounts/b/settings)"
  expect_eq "$who: PUT b's settings" "$w" "$(call "$t" PUT /v1/accounts/b/settings "$body")"
  expect_eq "$who: b's history" 404 "$(call "$t" GET /v1/accounts/b/settings/history)"
  expect_eq "$who: b's version 1" 404 "$(call "$t" GET /v1/accounts/b/settings/versions/1)"
  expect_eq "$who: roll b back" "$w" "$(call "$t" POST /v1/accounts/b/settings/rollback '{"version": 1}')"
  expect_eq "$who: explain b's zone" 404 "$(call "$t" GET '/v1/zones/b.example/explain?service=http')"
  expect_eq "$who: a template into b" 403 "$(call "$t" POST /v1/zones '{"name": "v.example", "account": "b", "template": "web"}')"
done
expect_exit "the CLI says so too" 3 as "$AT" policy get b
expect_eq "the viewer may not PUT its own" 403 "$(call "$VT" PUT /v1/accounts/a/settings "$body")"
expect_eq "... nor roll back" 403 "$(call "$VT" POST /v1/accounts/a/settings/rollback '{"version": 1}')"
expect_eq "... but reads its history" 200 "$(call "$VT" GET /v1/accounts/a/settings/history)"
expect_eq "an agent token reads no settings" 403 "$(call "$GT" GET /v1/accounts/a/settings)"
expect_eq "... and checks none" 403 "$(call "$GT" POST /v1/settings/check "$body")"
expect_eq "b's settings unchanged" "$before" "$(b_state)"
expect_eq "b still answers by its rules" "1:ip4-10-0-1-1.b.example. 7:ip4-10-0-2-1.b.example." "$(weights _http._tcp.b.example)"
expect_eq "a bad body" 400 "$(call "$ADMIN" PUT /v1/accounts/a/settings '{"txt": "x"}')"
expect_contains "... naming the field" "txt" "$(cat "$work/answer")"
expect_eq "settings of an account that does not exist" 404 "$(call "$ADMIN" GET /v1/accounts/zz/settings)"
echo "policies: $pb_pass checks passed"
