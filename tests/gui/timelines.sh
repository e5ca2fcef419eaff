#!/bin/bash
# The timelines page (/ui, issue 6) in real headless chromium (Debian's, driven by npm's
# playwright-core; no browser download): a controller with 2-second history periods,
# accounts a (h1..h3) and b (h4) reporting through /v1/reports, h1 and h2 falling in one
# period (a network event); then timelines.test.mjs drives the page. Screenshots go to
# $PATCHBAY_ARTIFACTS (default build/test-artifacts/gui).
set -euo pipefail
source "$(dirname "$0")/../lib/controller.sh"
GUI=$(cd "$(dirname "$0")" && pwd)
command -v chromium >/dev/null || die "no chromium (./build.sh --tests installs it)"
[ -d "$GUI/node_modules/playwright-core" ] || die "no playwright-core in tests/gui (./build.sh --tests runs npm ci there)"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || die "tests/gui needs Node.js 20 or later"

cat >"$work/controller.toml" <<'TOML'
[health]
period_seconds = 2
heartbeat_timeout_seconds = 300
TOML
ctl_args=(--config "$work/controller.toml")
start_controller

"$PB" account add a >/dev/null
"$PB" account add b >/dev/null
"$PB" zone add a.example --account a >/dev/null
"$PB" zone add b.example --account b >/dev/null
"$PB" tuple add a.example http tcp 10.0.0.1 80 >/dev/null
VIEWER_A=$("$PB" token create --account a --role account-viewer --name alice)
ADMIN_A=$("$PB" token create --account a --role account-admin --name anna)
AGENT_A=$("$PB" token create --account a --role agent --name agent-a)

export PATCHBAY_URL=$PATCHBAY_CONTROLLER PATCHBAY_ADMIN=$PATCHBAY_TOKEN PATCHBAY_VIEWER_A=$VIEWER_A \
  PATCHBAY_ADMIN_A=$ADMIN_A PATCHBAY_AGENT_A=$AGENT_A
export PATCHBAY_ARTIFACTS=${PATCHBAY_ARTIFACTS:-$BUILD/test-artifacts/gui}
mkdir -p "$PATCHBAY_ARTIFACTS"
cd "$GUI"
timeout 240 node --test --test-reporter=spec timelines.test.mjs 2>&1 | tee "$work/node.log"
status=${PIPESTATUS[0]}
[ "$status" = 0 ] || { echo "--- controller log"; tail -50 "$work/controller.log"; }
exit "$status"
