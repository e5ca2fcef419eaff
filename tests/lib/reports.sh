# Agents played by POSTing their reports (shared/report.h) to the controller of
# controller.sh, for the script tests of convergence: set AGENT to an agent token first.
#   report HOST ZONE SERIAL [INSTANCE_JSON...]   one report of HOST applying SERIAL of ZONE
#   instance ZONE ADDRESS STATE [ERROR]          an http/tcp instance on port 80, as reported
declare -A report_seq=()
report() {
  local host=$1 zone=$2 serial=$3; shift 3
  report_seq[$host]=$(( ${report_seq[$host]:-0} + 1 ))
  local instances code
  instances=$(IFS=,; echo "$*")
  code=$(curl -s -o "$work/report-answer" -w '%{http_code}' -H "Authorization: Bearer $AGENT" \
    -H 'Content-Type: application/json' --data-binary "{\"reports\": [{\"agent\": \"$host\", \"boot\": \"b\",
      \"seq\": ${report_seq[$host]}, \"at_ms\": $(date +%s%3N), \"serials\": {\"$zone\": $serial},
      \"instances\": [$instances]}]}" "$PATCHBAY_CONTROLLER/v1/reports")
  [ "$code" = 200 ] || die "report of $host refused: $code $(cat "$work/report-answer")"
}
instance() {
  echo "{\"domain\": \"$1\", \"service\": \"http\", \"transport\": \"tcp\", \"address\": \"$2\",
    \"port\": 80, \"unit\": \"patchbay-http@$2:80.service\", \"active_state\": \"$3\"${4:+, \"error\": \"$4\"}}"
}
# in_background NAME CMD...: runs CMD, its stdout, stderr and exit code in $work/NAME.*;
# finished NAME tells whether it has ended.
in_background() {
  local name=$1; shift
  ( rc=0; "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?; echo "$rc" >"$work/$name.rc" ) &
}
finished() { [ -s "$work/$1.rc" ]; }
