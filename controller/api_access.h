// api_access: the API's side of accounts (docs/accounts.md) — the Principal the auth
// hook puts on every request, and the gate that runs before any route: agent tokens
// only register and report, account-viewers only read (and check settings files). What a route may show or change
// of which account is decided in the route, with principal.h's functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "principal.h"

namespace patchbay {

struct HttpRequest;
class Controller;
class Watchdog;

// The Principal the API's auth hook put on `request`. Throws std::logic_error when there
// is none (a route served without the hook: a bug, answered 500).
const Principal& principal_of(const HttpRequest& request);

// Whether `p` may ask METHOD PATH at all; the 403 message when not:
// "role agent may only register agents (POST /v1/agents) and send reports (POST /v1/reports)",
// "role account-viewer may not change anything (POST /v1/zones)".
std::optional<std::string> gate(const Principal& p, const std::string& method, const std::string& path);

// Who `p` is in the change log: "token:NAME" (the token's name; its role when it has none).
std::string change_author(const Principal& p);

// "role account-viewer may not change zone b.example" and the like: the 403 text for
// `p` changing `what`.
std::string may_not_change(const Principal& p, const std::string& what);

// Why `p` may not register an agent, or report as a server, named `name` for `domains`
// (report: its instances' and serials' domains); nullopt when it may. Admins and
// platform agents may always; an account's agent (or account-admin) only for domains
// of zones of its account, and not under a name that another account's agent
// registered or reported with (`watchdog` may be null). Example: "role agent of
// account a may not report for domain b.example".
std::optional<std::string> reporting_refused(Controller& controller, const Principal& p, const std::string& name,
                                             const std::vector<std::string>& domains, const Watchdog* watchdog);

}  // namespace patchbay
