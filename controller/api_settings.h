// The routes of accounts' settings files (docs/policies.md "Using it"):
//   GET  /v1/accounts/A/settings                 the newest version, with its text
//   PUT  /v1/accounts/A/settings {"text","file"} check, store as a new version, apply
//   GET  /v1/accounts/A/settings/history         every version, newest first (no texts)
//   GET  /v1/accounts/A/settings/versions/N      one version, with its text
//   POST /v1/accounts/A/settings/rollback {"version"}
//   POST /v1/settings/check {"text","file"}      check only; every role but agent
//   GET  /v1/zones/Z/explain?service=&transport=&from=&at=&department=
// Admins reach every account; account-admins change their own; account-viewers read
// their own. Another account's settings answer 404, as an absent account's.
#pragma once

namespace patchbay {

class HttpRouter;
class Controller;

void settings_routes(HttpRouter& router, Controller& controller);

}  // namespace patchbay
