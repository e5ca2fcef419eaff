// The change log's REST routes (docs/changes.md):
//   GET /v1/changes?zone=Z&limit=N&after=ID   the newest N (default 100, at most 1000)
//                                             changes, newest first
//   GET /v1/changes/ID                        one change
// Each change says who made it and which hosts have applied it: the servers the
// watchdog knows that report a serial for the change's zone, each applied when that
// serial is at or after the change's (RFC 1982). Access is as GET /v1/zones': admins see
// every change, an account's tokens their account's zones' only (another account's
// change ID answers 404, as an absent one). A zone= naming a zone one may not see lists
// nothing, as an absent zone does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.h"
#include "store.h"
#include "watchdog.h"

namespace patchbay {

class HttpRouter;
class Controller;

// `watchdog` may be null (no watchdog: every change lists no hosts).
void change_routes(HttpRouter& router, Controller& controller, Watchdog* watchdog);

// One host's progress on a change.
struct ChangeHost {
    std::string server;
    uint32_t serial = 0;   // the serial it reported applying for the change's zone
    bool applied = false;  // `serial` is the change's or after it
};

// The servers of `servers` that report a serial for `zone`, sorted by name, each applied
// when its serial is `serial` or newer in RFC 1982 serial arithmetic (so applied still
// after the zone's serial wraps past 2^32 - 1).
std::vector<ChangeHost> change_hosts(const std::string& zone, uint32_t serial, const std::vector<ServerStatus>& servers);

// {id, at_ms, zone, account, serial, action, detail, author, hosts: [{server, serial, applied}]}
nlohmann::json change_json(const ChangeRow& change, const std::vector<ChangeHost>& hosts);

// The query of GET /v1/changes as a filter (the account is the caller's to set).
// Errors (invalid) name the parameter: "limit: must be a whole number from 1 to 1000, got 'x'".
Result<ChangeFilter> change_filter(const std::optional<std::string>& zone, const std::optional<std::string>& limit,
                                   const std::optional<std::string>& after);

}  // namespace patchbay
