#!/bin/bash
# Accounts (docs/accounts.md) against a real controller: accounts a and b with zones,
# tuples, agents and reports, and a token of every role for each. For every endpoint and
# every role of a, b's things answer 403 or 404 and stay byte-identical (zone export,
# tuples, servers); listings show a's things only; a viewer reads but never changes; an
# agent token registers and reports only for its account's domains; a revoked token is
# 401 at once; an account with zones cannot be removed.
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
start_controller
ADMIN=$PATCHBAY_TOKEN

# call TOKEN METHOD PATH [BODY] — prints the HTTP status; the answer goes to $work/answer.
call() {
  local token=$1 method=$2 path=$3 body=${4:-}
  local args=(-s -o "$work/answer" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token")
  [ -z "$body" ] || args+=(-H 'Content-Type: application/json' --data-binary "$body")
  curl "${args[@]}" "$PATCHBAY_CONTROLLER$path"
}
answer() { cat "$work/answer"; }
as() { local token=$1; shift; PATCHBAY_TOKEN=$token "$PB" "$@"; }

# report AGENT SEQ DOMAIN ADDRESS — one report of one running instance, as JSON.
report() {
  printf '{"reports": [{"agent": "%s", "boot": "b1", "seq": %s, "at_ms": %s, "serials": {"%s": 2},
    "host": {"load1": 0.1, "cpu": 0.2, "memory": 0.3},
    "instances": [{"domain": "%s", "service": "http", "transport": "tcp", "address": "%s", "port": 80,
      "unit": "patchbay-http@%s:80.service", "active_state": "active"}]}]}' \
    "$1" "$2" "$(date +%s%3N)" "$3" "$3" "$4" "$4"
}

# --- set-up, as admin with the CLI ------------------------------------------------------
for a in a b c; do "$PB" account add "$a" >/dev/null; done
expect_eq "account ls" "a b c" "$("$PB" --output json account ls | jq -r '[.[].name] | join(" ")')"
expect_exit "a bad account name is refused" 2 "$PB" account add Bad_Name
expect_contains "... naming it" "account name 'Bad_Name'" "$pb_err"
expect_exit "an account made twice" 4 "$PB" account add a
"$PB" zone add a.example --account a >/dev/null
"$PB" zone add b.example --account b >/dev/null
"$PB" zone add p.example >/dev/null
expect_exit "a zone in an unknown account" 3 "$PB" zone add x.example --account nope
expect_contains "... says so" "no account 'nope'" "$pb_err"
"$PB" tuple add a.example http tcp 10.0.0.1 80 >/dev/null
"$PB" tuple add b.example http tcp 10.0.0.2 80 >/dev/null
"$PB" tuple add p.example http tcp 10.0.0.3 80 >/dev/null
expect_contains "zone ls shows the accounts" "b.example  2       b" "$("$PB" zone ls)"

declare -A T
for acct in a b; do
  for role in account-admin account-viewer agent; do
    T[$acct/$role]=$("$PB" token create --account "$acct" --role "$role" --name "$acct-$role")
    [[ ${T[$acct/$role]} == pb_* ]] || die "token create printed '${T[$acct/$role]}'"
  done
done
ok "token create prints the token alone, six times"
expect_eq "token ls: seven tokens" 7 "$("$PB" --output json token ls | jq length)"
expect_eq "no token text is listed" "" "$("$PB" --output json token ls | grep -o 'pb_[0-9a-f]*' || true)"

# b's agent registers and reports; a's too.
expect_eq "b's agent registers for b.example" 200 \
  "$(call "${T[b/agent]}" POST /v1/agents '{"name": "host-b", "domains": ["b.example"]}')"
expect_eq "b's agent reports for b.example" 200 "$(call "${T[b/agent]}" POST /v1/reports "$(report host-b 1 b.example 10.0.0.2)")"
expect_eq "a's agent registers for a.example" 200 \
  "$(call "${T[a/agent]}" POST /v1/agents '{"name": "host-a", "domains": ["a.example"]}')"
expect_eq "a's agent reports for a.example" 200 "$(call "${T[a/agent]}" POST /v1/reports "$(report host-a 1 a.example 10.0.0.1)")"
# A platform host runs instances of both accounts.
expect_eq "a shared host reports (admin token)" 200 "$(call "$ADMIN" POST /v1/reports \
  "$(report host-p 1 a.example 10.0.0.1 | jq -c '.reports[0].instances += [.reports[0].instances[0] | .domain = "b.example" | .address = "10.0.0.2"] | .reports[0].serials["b.example"] = 2')")"

# b's data as admin sees it: what must not move.
b_state() {
  call "$ADMIN" GET /v1/zones/b.example/export >/dev/null; answer
  call "$ADMIN" GET /v1/zones/b.example/tuples >/dev/null; answer
  for s in host-b host-p; do
    call "$ADMIN" GET "/v1/servers/$s" >/dev/null
    jq -c '{name, boot, seq, reports, serials, last_report_ms, instances: [.instances[] | {domain, address, unit}]}' "$work/answer"
  done
  call "$ADMIN" GET /v1/agents >/dev/null; jq -c '[.[] | select(.name == "host-b")]' "$work/answer"
  call "$ADMIN" GET /v1/tokens >/dev/null; jq -c '[.[] | select(.account == "b")]' "$work/answer"
  q +short b.example SOA
}
before=$(b_state)
[[ $before == *10.0.0.2* ]] || die "b's state does not hold its tuple: $before"

# --- every endpoint, every role of a, on b's things: 403 or 404 ---------------------------
tuple_body='{"service": "smtp", "transport": "tcp", "address": "10.9.9.9", "port": 25}'
import_body=$(jq -cn --arg t "$(call "$ADMIN" GET /v1/zones/b.example/export >/dev/null; jq -r .text "$work/answer")" \
  '{text: ($t + "\nevil 60 IN TXT \"x\"\n")}')
requests=(
  "GET /v1/zones/b.example/export"
  "GET /v1/zones/b.example/tuples"
  "GET /v1/tuples?zone=b.example"
  "POST /v1/zones/b.example/tuples $tuple_body"
  "DELETE /v1/zones/b.example/tuples/http/tcp/10.0.0.2/80"
  "DELETE /v1/zones/b.example"
  "DELETE /v1/zones/p.example"
  "GET /v1/zones/p.example/export"
  "POST /v1/zones {\"name\": \"new.example\", \"account\": \"b\"}"
  "GET /v1/servers/host-b"
  "POST /v1/agents {\"name\": \"host-x\", \"domains\": [\"b.example\"]}"
  "POST /v1/agents {\"name\": \"host-b\", \"domains\": [\"a.example\"]}"
  "POST /v1/reports $(report host-x 1 b.example 10.0.0.2 | jq -c .)"
  "POST /v1/reports $(report host-b 2 a.example 10.0.0.1 | jq -c .)"
  "POST /v1/tokens {\"account\": \"b\", \"role\": \"agent\"}"
  "POST /v1/tokens {\"role\": \"admin\"}"
  "DELETE /v1/tokens/b-agent"
  "GET /v1/accounts"
  "POST /v1/accounts {\"name\": \"d\"}"
  "DELETE /v1/accounts/b"
  "POST /v1/alerts/test {\"account\": \"b\"}"
  "GET /metrics"
)
for role in account-admin account-viewer agent; do
  for r in "${requests[@]}"; do
    read -r method path body <<<"$r"
    status=$(call "${T[a/$role]}" "$method" "$path" "$body")
    case $status in 403|404) ;; *) die "a's $role: $method $path answered $status: $(answer)";; esac
  done
  ok "a's $role: ${#requests[@]} requests on b's (or the platform's) things all 403 or 404"
done
call "${T[a/account-admin]}" GET /v1/zones/b.example/export >/dev/null
expect_eq "another account's zone reads as absent" '{"error":"no zone b.example"}' "$(answer)"
call "${T[a/account-admin]}" GET /v1/zones/nozone.example/export >/dev/null
expect_eq "... exactly like an absent one" '{"error":"no zone nozone.example"}' "$(answer)"
call "${T[a/agent]}" POST /v1/reports "$(report host-x 1 b.example 10.0.0.2)" >/dev/null
expect_contains "an agent refused names the domain" "b.example" "$(answer)"
# Creating a zone of b's name collides (DNS names are global) and changes nothing.
expect_eq "a zone of b's name: conflict" 409 "$(call "${T[a/account-admin]}" POST /v1/zones '{"name": "b.example"}')"
status=$(call "${T[a/account-admin]}" POST /v1/zones/import "$import_body")
expect_eq "an import over b's zone: conflict ($(answer))" 409 "$status"
expect_eq "b's data is byte-identical after all of it" "$before" "$(b_state)"

# --- listings: a's things only ------------------------------------------------------------
for role in account-admin account-viewer; do
  tok=${T[a/$role]}
  expect_eq "$role: zone ls" "a.example" "$(as "$tok" --output json zone ls | jq -r '[.[].name] | join(" ")')"
  expect_eq "$role: tuple ls" "10.0.0.1" "$(as "$tok" --output json tuple ls | jq -r '[.[].address] | join(" ")')"
  expect_eq "$role: agent ls" "host-a" "$(as "$tok" --output json agent ls | jq -r '[.[].name] | join(" ")')"
  expect_eq "$role: status" "a.example 1" "$(as "$tok" --output json status | jq -r '"\([.zones[].name] | join(" ")) \(.tuples)"')"
  expect_eq "$role: servers ls" "host-a:1 host-p:1" \
    "$(as "$tok" --output json servers ls | jq -r '[.[] | "\(.name):\(.instances)"] | join(" ")')"
  expect_eq "$role: a shared server shows a's instances only" "a.example" \
    "$(as "$tok" --output json server show host-p | jq -r '[.instances[].domain, (.serials | keys[])] | unique | join(" ")')"
done
expect_eq "admin sees all zones" "a.example b.example p.example" "$("$PB" --output json zone ls | jq -r '[.[].name] | join(" ")')"
expect_eq "a's account-admin lists a's tokens only" "a-account-admin a-account-viewer a-agent" \
  "$(as "${T[a/account-admin]}" --output json token ls | jq -r '[.[].name] | join(" ")')"

# --- a viewer reads its own things and changes none ---------------------------------------
V=${T[a/account-viewer]}
expect_eq "viewer: export own zone" 200 "$(call "$V" GET /v1/zones/a.example/export)"
expect_eq "viewer: own server" 200 "$(call "$V" GET /v1/servers/host-a)"
a_before=$("$PB" zone export a.example)
for r in "POST /v1/zones/a.example/tuples $tuple_body" "DELETE /v1/zones/a.example/tuples/http/tcp/10.0.0.1/80" \
         "DELETE /v1/zones/a.example" "POST /v1/zones {\"name\": \"v.example\"}" "POST /v1/tokens {\"role\": \"agent\"}"; do
  read -r method path body <<<"$r"
  expect_eq "viewer: $method $path is 403" 403 "$(call "$V" "$method" "$path" "$body")"
done
expect_contains "... saying why" "role account-viewer may not change" "$(answer)"
expect_exit "viewer: tuple add with the CLI fails" 5 as "$V" tuple add a.example smtp tcp 10.0.0.9 25
expect_eq "a's zone unchanged by the viewer" "$a_before" "$("$PB" zone export a.example)"

# --- a's account-admin changes a's things -------------------------------------------------
AA=${T[a/account-admin]}
expect_eq "account-admin: zone add goes to its account" "a" \
  "$(as "$AA" --output json zone add a2.example | jq -r .account)"
as "$AA" tuple add a2.example smtp tcp 10.0.0.9 25 >/dev/null
expect_eq "account-admin: tuple placed" "10.0.0.9" "$(as "$AA" --output json tuple ls a2.example | jq -r '.[0].address')"
as "$AA" zone rm a2.example >/dev/null
ok "account-admin: zone rm"

# --- agents: their own account's domains only ---------------------------------------------
G=${T[a/agent]}
expect_eq "agent: GET /v1/zones is 403" 403 "$(call "$G" GET /v1/zones)"
expect_eq "agent: report for a.example" 200 "$(call "$G" POST /v1/reports "$(report host-a 2 a.example 10.0.0.1)")"
expect_eq "agent: register for p.example (the platform's)" 403 \
  "$(call "$G" POST /v1/agents '{"name": "host-a", "domains": ["p.example"]}')"
expect_eq "agent: register for an unknown domain" 403 \
  "$(call "$G" POST /v1/agents '{"name": "host-a", "domains": ["nozone.example"]}')"
PA=$("$PB" token create --role agent --name platform-agent)
expect_eq "a platform agent registers for any domain" 200 \
  "$(call "$PA" POST /v1/agents '{"name": "host-q", "domains": ["b.example", "p.example"]}')"

# --- revocation is immediate --------------------------------------------------------------
tmp=$(as "$AA" token create --role account-viewer --name temp)
expect_eq "a new viewer token works" 200 "$(call "$tmp" GET /v1/zones)"
id=$(as "$AA" --output json token ls | jq -r '.[] | select(.name == "temp") | .id')
expect_eq "b's account-admin cannot revoke a's token" 404 "$(call "${T[b/account-admin]}" DELETE "/v1/tokens/$id")"
expect_contains "a's account-admin revokes it" "revoked token $id (temp)" "$(as "$AA" token revoke "$id")"
expect_eq "... and it is 401 at once" 401 "$(call "$tmp" GET /v1/zones)"
expect_exit "an account-admin may not make admin tokens" 5 as "$AA" token create --role admin

# --- accounts: refused while they hold zones; their tokens go with them ------------------
expect_exit "account rm a: a still has zones" 4 "$PB" account rm a
expect_contains "... saying how many" "account a still has 1 zone" "$pb_err"
CT=$("$PB" token create --account c --role account-admin)
expect_eq "c's token works" 200 "$(call "$CT" GET /v1/zones)"
expect_contains "account rm c" "removed account c" "$("$PB" account rm c)"
expect_eq "c's token is 401 at once" 401 "$(call "$CT" GET /v1/zones)"
expect_eq "b unchanged at the end" "$before" "$(b_state)"
echo "accounts: $pb_pass checks passed"
